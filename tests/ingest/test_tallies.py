"""What the statistics count of a manifest and of audit entries (ingest/tallies.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from repository.model import Document, DocumentStatus, Dossier, DossierKind, Field, ObjectRef, Page
from ingest.tallies import Place, activities, activity, document_tallies

RECEIVED = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
CLERK_AT = RECEIVED + timedelta(minutes=4)


def field(value, *, ocr_value=None, confirmed: bool = False) -> Field:
    return Field(value=value, confidence=1.0 if confirmed else 0.8, page=1, ocr_value=ocr_value,
                 confirmed_by="clerk" if confirmed else None, confirmed_at=CLERK_AT if confirmed else None)


def dossier(*documents: Document) -> Dossier:
    return Dossier(dossier_code="000.17.22.H56-261201-0001", procedure_code="1.001234", applicant_id=None,
                   agency_code="000.17.22.H56", kind=DossierKind.RESULT, received_at=RECEIVED,
                   documents=list(documents))


def document(n: int, **changes) -> Document:
    return Document(id=f"D{n}", filename=f"{n}.png", media_type="image/png",
                    original=ObjectRef(key=f"k{n}", sha256="0" * 64, size=1), **changes)


def test_a_tally_says_what_was_read_confirmed_and_corrected():
    done = document(1, status=DocumentStatus.DONE, doc_type="citizen_id_card",
                    processed_at=RECEIVED + timedelta(seconds=42),
                    pages=[Page(number=1, width=1, height=1, source="ocr")] * 2,
                    fields={
                        "full_name": field("NGUYỄN VĂN AN"),  # read, not looked at
                        "sex": field("Nam", ocr_value="Nam", confirmed=True),  # confirmed as read
                        # the same in another Unicode form and with a space: still as read
                        "place_of_origin": field("Hà Nội", ocr_value="Ha\u0300 Nội ", confirmed=True),
                        "citizen_id": field("001090012345", ocr_value="001090012346", confirmed=True),
                        "date_of_expiry": field("2031-01-01", confirmed=True),  # the reading missed it
                        "nationality": field(""),  # nothing read
                    })
    failed = document(2, status=DocumentStatus.FAILED, reason="bad scan")
    first, second = document_tallies(dossier(done, failed))
    assert (first.first, second.first) == (True, False)
    assert (first.status, first.doc_type, first.pages, first.kind) == ("done", "citizen_id_card", 2, "result")
    assert first.fields_read == 4  # full_name, sex, place_of_origin, citizen_id
    assert first.confirmed == ["place_of_origin", "sex"]
    assert first.corrected == ["citizen_id", "date_of_expiry"]
    assert first.processing_bucket is not None and first.day == "2026-12-01"
    assert (second.status, second.doc_type, second.reason, second.pages, second.processing_bucket) == (
        "failed", "unread", "bad scan", 0, None)


def test_audit_entries_count_as_activity():
    places = {"C-1": Place(RECEIVED, "000.17.22.H56", "1.001234")}
    at = RECEIVED + timedelta(minutes=5)
    receipt = activity({"id": "w-1", "at": at.isoformat(), "action": "receipt.read", "target": "C-1"}, places)
    assert (receipt.id, receipt.action, receipt.desk_seconds, receipt.agency_code) == (
        "receipt:C-1", "receipt", 300.0, "000.17.22.H56")
    read = activity({"id": "w-2", "at": at, "action": "citizen_data.read", "target": "001090012345",
                     "requested": ["full_name", "sex", "place_of_residence"], "returned": ["full_name", "sex"]}, {})
    assert (read.action, read.fields_asked, read.fields_served, read.agency_code) == ("citizen_data", 3, 2, None)
    everything = activity({"id": "w-3", "at": at, "action": "citizen_data.read", "target": "001090012345",
                           "requested": "all", "returned": ["full_name"]}, {})
    assert (everything.fields_asked, everything.fields_served) == (1, 1)
    filled = activity({"id": "w-4", "at": at, "action": "autofill.read", "target": "001090012345",
                       "form": "ct01-residence", "returned": ["a", "b", "c"], "missing": ["d"]}, {})
    assert (filled.action, filled.fields_asked, filled.fields_served) == ("autofill", 4, 3)
    assert activity({"id": "w-5", "at": at, "action": "dossier.read", "target": "C-1"}, places) is None
    assert activity({"id": "w-6", "at": at, "action": "receipt.read", "target": "C-404"}, places) is None


def test_the_first_receipt_of_a_log_ends_the_desk_time():
    places = {"C-1": Place(RECEIVED, "000.17.22.H56", "1.001234")}
    later = {"id": "w-9", "at": (RECEIVED + timedelta(hours=3)).isoformat(), "action": "receipt.read", "target": "C-1"}
    first = {"id": "w-2", "at": (RECEIVED + timedelta(minutes=2)).isoformat(), "action": "receipt.read",
             "target": "C-1"}
    found = list(activities([later, {"id": "w-1", "at": RECEIVED.isoformat(), "action": "search"}, first], places))
    assert [a.desk_seconds for a in found] == [120.0, 10800.0]  # the index keeps the first of an id
    assert {a.id for a in found} == {"receipt:C-1"}
