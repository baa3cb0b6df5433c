"""The event outbox and feed, on the embedded store and on a real MinIO: a change is announced
exactly when its manifest is saved, a crash in between is made good, and processes sharing the
store publish into one gap-free order."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from unittest import mock

import pytest

from repository import events
from repository.deliveries import Lease
from repository.errors import StoreUnavailable
from repository.events import Feed
from repository.model import Document, DocumentStatus, Dossier, DossierKind, Field, ObjectRef
from repository.records import Records


@pytest.fixture()
def store(any_store):
    return any_store


def dossier(code: str) -> Dossier:
    document = Document(id="01J0000000000000000000000A", filename="a.png", media_type="image/png",
                        original=ObjectRef(key="k", sha256="0" * 64, size=1))
    return Dossier(dossier_code=code, procedure_code="1.001234", applicant_id="001090012345",
                   agency_code="000.17.22.H56", kind=DossierKind.COMPONENT, received_at=datetime.now(timezone.utc),
                   documents=[document])


def feed_of(records: Records) -> list[dict]:
    return [{"position": p, **e.model_dump(mode="json")} for p, e in records.feed.read(0, 1000)]


def test_a_change_is_announced_when_and_only_when_its_manifest_is_saved(store):
    records = Records(store)
    d = dossier("000.17.22.H56-261206-0001")
    events.record(d, "dossier.received")
    records.save(d)
    [received] = feed_of(records)
    assert received["type"] == "dossier.received" and received["sequence"] == 1 and received["position"] == 1
    assert "001090012345" not in json.dumps(received)  # codes and ids, never the applicant

    # A process dies after its manifest is saved and before the events are published. The store
    # (local or the real MinIO) cannot be made to fail at exactly that call, so the failure alone
    # is injected; every write before and after it goes to the real store.
    loaded = records.load(d.dossier_code)
    events.record(loaded, "document.failed", loaded.documents[0].id)
    with mock.patch.object(records.outbox.feed, "publish", side_effect=StoreUnavailable("store went away")):
        records.save(loaded)
    assert len(feed_of(records)) == 1 and records.load(d.dossier_code).events == loaded.events

    # A process dies after staging events and before saving the manifest: never announced.
    ghost = records.load(d.dossier_code)
    events.record(ghost, "document.legal_hold", ghost.documents[0].id)
    records.outbox.stage(ghost.dossier_code, ghost.unsaved_events)

    # The next change of the dossier publishes what waited first, and in order; the unsaved
    # change waits (it may still be being saved) until it is stale, and is then dropped.
    later = records.load(d.dossier_code)
    events.record(later, "document.legal_hold", later.documents[0].id)  # same sequence as the ghost
    records.save(later)
    published = feed_of(records)
    assert [e["type"] for e in published] == ["dossier.received", "document.failed", "document.legal_hold"]
    assert [e["sequence"] for e in published] == [1, 2, 3]
    assert published[2]["id"] == later.events[-1] != ghost.events[-1]
    assert records.publish_waiting() == 0 and records.outbox.waiting() == []

    ghost2 = records.load(d.dossier_code)
    events.record(ghost2, "document.disposed", ghost2.documents[0].id)
    records.outbox.stage(ghost2.dossier_code, ghost2.unsaved_events)
    assert records.publish_waiting() == 0 and records.outbox.waiting() == [d.dossier_code]
    # Ten minutes later (the clock moved on, not waited for): the stale entry is dropped.
    with mock.patch.object(events.time, "time", return_value=time.time() + events.STALE_OUTBOX + 1):
        assert records.publish_waiting() == 0
    assert records.outbox.waiting() == [] and len(feed_of(records)) == 3


def test_processes_sharing_a_store_publish_one_gap_free_order(store):
    feeds = [Feed(store) for _ in range(3)]  # three processes
    codes = [f"000.17.22.H56-261206-{n:04d}" for n in range(1, 7)]  # two saves each

    def publish(i: int) -> None:
        d = dossier(codes[i % len(codes)])
        d.events = [f"x{n}" for n in range(i // len(codes) * 3)]  # later rounds: later sequences
        for _ in range(3):
            events.record(d, "field.confirmed", d.documents[0].id, field="full_name")
        feeds[i % 3].publish(d.unsaved_events)

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(publish, range(12)))
    read = list(Feed(store).read(0, 1000))
    assert [p for p, _ in read] == list(range(1, 37))  # every position once, none skipped
    assert len({e.id for _, e in read}) == 36
    assert Feed(store).last() == 36
    assert [p for p, _ in Feed(store).read(30, 4)] == [31, 32, 33, 34]
    for code in codes:  # each save's events in the order they were recorded
        for first in (1, 4):
            sequences = [e.sequence for _, e in read if e.dossier_code == code and first <= e.sequence < first + 3]
            assert sequences == [first, first + 1, first + 2]


def test_one_process_at_a_time_holds_a_subscriber(store):
    first, second = (Lease(store, "mot-cua", owner, seconds=2) for owner in ("a:1:x", "b:2:y"))
    assert first.take() and first.held()
    assert not second.take()
    assert first.take()  # renewed by its holder
    assert not second.take()
    time.sleep(2.1)  # the holder stopped renewing: it died
    assert not first.held() and second.take()
    assert not first.take()


def test_a_documents_change_says_what_happened_without_its_values():
    d = dossier("000.17.22.H56-261206-0009")
    before = d.documents[0].model_copy(deep=True)
    after = d.documents[0]
    after.status, after.doc_type = DocumentStatus.DONE, "citizen_id_card"
    after.fields = {"full_name": Field(value="NGUYỄN VĂN A", confidence=0.6, page=1, review=True),
                    "sex": Field(value="Nam", confidence=0.9, page=1)}
    events.record_change(d, before, after)
    read = after.model_copy(deep=True)
    now = datetime.now(timezone.utc)
    after.fields["full_name"] = Field(value="NGUYỄN VĂN AN", confidence=1, page=1, ocr_value="NGUYỄN VĂN A",
                                      confirmed_by="clerk", confirmed_at=now)
    after.fields["sex"] = Field(value="Nam", confidence=1, page=1, ocr_value="Nam", confirmed_by="clerk",
                                confirmed_at=now)
    events.record_change(d, read, after)
    events.record_change(d, after.model_copy(deep=True), after)  # nothing changed: nothing to say
    said = [(e.type, e.data) for e in d.unsaved_events]
    assert said == [("document.digitised", {"doc_type": "citizen_id_card", "pages": 0, "review": ["full_name"]}),
                    ("field.corrected", {"field": "full_name"}), ("field.confirmed", {"field": "sex"})]
    assert "NGUY" not in json.dumps([e.model_dump(mode="json") for e in d.unsaved_events])
