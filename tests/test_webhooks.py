"""Webhook deliveries against a real receiver on loopback that fails, times out, goes away and
comes back: nothing lost, nothing reordered within a dossier, every signature verified by the
Standard Webhooks library, a repeated delivery under the same id; a healthy subscriber is not
held up meanwhile; two HoSo processes share the work without delivering anything twice."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
import time
from datetime import datetime, timezone

import pytest

from api.webhooks import EventDelivery, EventOptions, Subscriber
from repository import events
from repository.deliveries import Deliveries
from repository.model import Document, Dossier, DossierKind, ObjectRef
from repository.records import Records
from webhook_receiver import Receiver

SECRET = "whsec_" + base64.b64encode(os.urandom(24)).decode()


def first_seen(received: list[dict]) -> list[dict]:
    """What a receiver that drops duplicates by id keeps."""
    seen: dict[str, dict] = {}
    for event in received:
        seen.setdefault(event["id"], event)
    return list(seen.values())


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


@pytest.fixture()
def records(any_store) -> Records:
    return Records(any_store)


def change(records: Records, code: str, kind: str) -> None:
    """One change of a dossier, saved with its event as the pipeline saves it."""
    if kind == "dossier.received":
        document = Document(id="01J0000000000000000000000A", filename="a.png", media_type="image/png",
                            original=ObjectRef(key="k", sha256="0" * 64, size=1))
        dossier = Dossier(dossier_code=code, procedure_code="1.001234", applicant_id=None, kind=DossierKind.COMPONENT,
                          agency_code=code.split("-")[0], received_at=datetime.now(timezone.utc), documents=[document])
    else:
        dossier = records.load(code)
    events.record(dossier, kind, dossier.documents[0].id)
    records.save(dossier)


def test_a_flaky_receiver_misses_nothing_and_holds_up_nobody(records):
    flaky, healthy = Receiver(SECRET).start(), Receiver(SECRET).start()
    options = EventOptions(timeout=0.5, retry_min=0.05, retry_max=0.4, poll_seconds=0.05, lease_seconds=3,
                           subscribers=[Subscriber(name="mot-cua", url=flaky.url, secret=SECRET),
                                        Subscriber(name="cong-dvc", url=healthy.url, secret=SECRET,
                                                   types=["dossier.received", "document.digitised"])])
    stop = threading.Event()

    async def deliver() -> None:  # two HoSo processes sharing the store
        processes = [asyncio.create_task(EventDelivery(records, options, 0.2).run()) for _ in range(2)]
        await asyncio.to_thread(stop.wait)
        for process in processes:
            process.cancel()
        await asyncio.gather(*processes, return_exceptions=True)

    delivering = threading.Thread(target=asyncio.run, args=(deliver(),))
    delivering.start()
    codes = [f"000.17.22.H56-261206-{n:04d}" for n in (1, 2, 3)]
    kinds = ["dossier.received", "document.digitised", "field.confirmed", "field.corrected"]
    try:
        flaky.mode = "500"
        for kind in kinds[:2]:
            for code in codes:
                change(records, code, kind)
        wait_for(lambda: len(flaky.received) >= 3, 10, "three failed attempts")
        flaky.mode = "slow"  # received, but answered after HoSo stopped waiting: sent again
        wait_for(lambda: "slow" in flaky.answered, 10, "a delivery that times out")
        time.sleep(0.6)
        flaky.stop()
        for kind in kinds[2:]:
            for code in codes:
                change(records, code, kind)
        wait_for(lambda: len(healthy.received) >= 6, 20, "the healthy subscriber served while the other is down")
        status = Deliveries(records.store, "mot-cua").status()
        assert status["failing"]["attempts"] >= 4 and status["failing"]["dossier_code"] == codes[0]
        errors = " ".join(f["error"] for f in status["recent_failures"])
        assert "HTTP 500" in errors and "timed out" in errors.lower()

        time.sleep(0.5)  # down a while longer: refused connections
        flaky.mode = "ok"
        flaky.start()
        wait_for(lambda: len(first_seen(flaky.events())) == 12, 30, "everything it missed, once it is back")
        change(records, codes[1], "document.legal_hold")  # and what happens next, while it is up
        wait_for(lambda: len(first_seen(flaky.events())) == 13, 10, "a new event")
    finally:
        stop.set()
        delivering.join(10)
        flaky.stop()
        healthy.stop()

    got = flaky.events()  # every signature verifies, or this raises
    kept = first_seen(got)
    for code in codes:
        mine = [e for e in kept if e["dossier_code"] == code]
        assert [e["sequence"] for e in mine] == list(range(1, len(mine) + 1)), mine  # in order, none missing
        assert [e["type"] for e in mine][:4] == kinds
    first = got[0]["id"]
    assert sum(e["id"] == first for e in got) >= 5  # three 500s, a timeout, then acknowledged: one id
    bodies = {body for headers, body in flaky.received if headers["webhook-id"] == first}
    assert len(bodies) == 1  # the same event each time
    assert all(e == json.loads(body) for e, (_, body) in zip(got, flaky.received))
    assert Deliveries(records.store, "mot-cua").status()["failing"] is None

    # The healthy one got only its types, each exactly once (the lease: one process delivers).
    served = healthy.events()
    assert sorted(e["type"] for e in served) == ["document.digitised"] * 3 + ["dossier.received"] * 3
    assert len({e["id"] for e in served}) == len(served)
