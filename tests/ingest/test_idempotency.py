"""Retry-safe reception, on the embedded store and on a real MinIO: an Idempotency-Key gives
one dossier however often (and however concurrently) it is sent, across a crash between the
dossier's creation and the key's record; a dossier can be received under the one-stop-shop's
code, once."""

from __future__ import annotations

import io
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from unittest import mock

import pytest
from PIL import Image

import ocr
from ingest.errors import DossierCodeTaken, InvalidDossier
from ingest.idempotency import IdempotencyKeys, IdempotencyOptions, KeyInProgress, KeyReused, fingerprint
from ingest.pipeline import RECEPTION_GRACE, _alive
from ingest.reception import DossierForm, Reception
from repository.errors import StoreUnavailable
from repository.records import Records

FORM = DossierForm(procedure_code="1.001234", agency_code="000.17.22.H56", applicant_id="001090012345")
TODAY = datetime.now(timezone.utc)
EXTERNAL = f"000.17.22.H56-{TODAY:%y%m%d}-000123"  # the one-stop-shop's sequence, six digits


@pytest.fixture()
def records(any_store) -> Records:
    return Records(any_store)


@pytest.fixture()
def reception(records, tmp_path) -> Reception:
    return Reception(records, ocr.OcrOptions(), 10 * 2**20, tmp_path / "staging")


def staged(reception: Reception, colour: str = "white"):
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), colour).save(buffer, "PNG")
    buffer.seek(0)
    return [reception.stage("trang.png", buffer)]


def keys(records: Records, **options) -> IdempotencyKeys:
    """One HoSo process's view of the keys."""
    return IdempotencyKeys(records.store, IdempotencyOptions(**options), _alive, RECEPTION_GRACE)


def reserve(records, reception, key: str, files, form=FORM, **options):
    content = fingerprint(form.__dict__, [f.sha256 for f in files])
    return keys(records, **options).reserve("caller-1", key, content, lambda: reception.claim_code(form, TODAY),
                                            records.exists)


def test_a_key_gives_one_dossier_across_a_crash_and_concurrent_retries(records, reception):
    files = staged(reception)
    first = reserve(records, reception, "k-1", files)
    assert not first.received
    dossier = reception.receive(FORM, files, code=first.dossier_code)
    # The process dies here, before the answer is kept with the key: the retry still finds it.
    again = reserve(records, reception, "k-1", staged(reception))
    assert again.received and again.dossier_code == dossier.dossier_code and again.body is None
    keys(records).received(again, {"dossier_code": dossier.dossier_code})
    assert reserve(records, reception, "k-1", staged(reception)).body == {"dossier_code": dossier.dossier_code}
    with pytest.raises(KeyReused):
        reserve(records, reception, "k-1", staged(reception, "black"))

    # Six retries at once of a key no dossier was received under yet: one receives, the others
    # are told it is under way (its owner, this process, is alive).
    files = staged(reception)
    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(lambda _: _outcome(records, reception, "k-2", files), range(6)))
    assert sorted(outcomes, key=str)[-1] == "in progress" and sum(o != "in progress" for o in outcomes) == 1

    # A reservation whose process died without a manifest is taken over, under a new code.
    [held] = [k for k in records.store.list("idempotency/") if "/0001" in k and
              json.loads(records.store.get(k))["fingerprint"] == fingerprint(FORM.__dict__, [files[0].sha256])
              and not records.exists(json.loads(records.store.get(k))["dossier_code"])]
    dead = {**json.loads(records.store.get(held)), "owner": "elsewhere-no:1:x", "at": 0}
    records.store.put(held, json.dumps(dead).encode())
    with pytest.raises(KeyInProgress):  # another host's owner is assumed alive within the grace…
        records.store.put(held, json.dumps({**dead, "at": time.time()}).encode())
        reserve(records, reception, "k-2", files)
    records.store.put(held, json.dumps(dead).encode())  # …and dead after it
    taken = reserve(records, reception, "k-2", files)
    assert not taken.received and taken.dossier_code != dead["dossier_code"] and taken.key.endswith("/0002")


def test_an_expired_key_receives_a_new_dossier(records, reception):
    files = staged(reception)
    first = reserve(records, reception, "k-3", files, ttl_hours=1 / 3600)
    reception.receive(FORM, files, code=first.dossier_code)
    time.sleep(1.1)
    later = reserve(records, reception, "k-3", staged(reception, "black"), ttl_hours=1 / 3600)
    assert not later.received and later.dossier_code != first.dossier_code


def _outcome(records, reception, key, files) -> str:
    try:
        return reserve(records, reception, key, files).dossier_code
    except KeyInProgress:
        return "in progress"


def test_a_dossier_received_under_the_one_stop_shops_code_once(records, reception):
    form = DossierForm(**{**FORM.__dict__, "dossier_code": EXTERNAL})
    # The store fails after the code is claimed, while the original is written: a fault the real
    # store cannot be made to produce at that call, so only the failure is injected.
    with mock.patch.object(records.store, "put_file", side_effect=StoreUnavailable("store went away")):
        with pytest.raises(StoreUnavailable):
            reception.receive(form, staged(reception))
    dossier = reception.receive(form, staged(reception))  # a refusal gave the code back
    assert dossier.dossier_code == EXTERNAL and records.load(EXTERNAL).events
    with pytest.raises(DossierCodeTaken):
        reception.receive(form, staged(reception))
    # HoSo's own numbering of that agency and day goes on after the highest code held.
    assert reception.receive(FORM, staged(reception)).dossier_code == f"000.17.22.H56-{TODAY:%y%m%d}-0124"

    # A reception of another code that died midway (no manifest) is taken over.
    orphan = f"000.17.22.H56-{TODAY:%y%m%d}-000200"
    records.store.create(f"codes/{orphan}", json.dumps({"owner": "here:999999999:reception", "at": 0}).encode())
    taken_over = reception.receive(DossierForm(**{**FORM.__dict__, "dossier_code": orphan}), staged(reception))
    assert taken_over.dossier_code == orphan

    for bad in ("H56-210531-0001", "000.17.22.H56-211340-0001", f"000.17.22.H56-{TODAY + timedelta(days=3):%y%m%d}-0001",
                "000.17.22.H56-210531-0000", "000.17.22.H56-210531-1234567890"):
        with pytest.raises(InvalidDossier):
            DossierForm(**{**FORM.__dict__, "dossier_code": bad}).validated()
