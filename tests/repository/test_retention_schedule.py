"""The retention schedule: periods per document type, their arithmetic, and when a document
may be disposed of."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from repository.errors import DisposalRefused
from repository.model import Document, DocumentStatus, LegalHold, ObjectRef
from repository.retention import PERMANENT_UNTIL, RetentionOptions, add_period, check_disposable, is_due, lock_until

AT = datetime(2024, 1, 31, 9, 30, tzinfo=timezone.utc)


def test_defaults_keep_identity_civil_status_and_decisions_permanently():
    options = RetentionOptions()
    for doc_type in ("citizen_id_card", "birth_certificate", "admin_document"):
        retention = options.assign(doc_type, AT)
        assert retention.permanent and retention.retain_until is None and lock_until(retention) == PERMANENT_UNTIL
    assert options.assign("other", AT).retain_until == datetime(2034, 1, 31, 9, 30, tzinfo=timezone.utc)
    assert options.assign(None, AT).period == "P20Y"  # failed or unknown: the default


def test_a_partial_schedule_overrides_only_the_types_it_names():
    options = RetentionOptions(schedule={"other": "PT3S"}, mode="compliance")
    assert options.assign("other", AT).retain_until == AT + timedelta(seconds=3)
    assert options.assign("other", AT).mode == "compliance"
    assert options.assign("birth_certificate", AT).permanent


@pytest.mark.parametrize("period, until", [
    ("P1M", datetime(2024, 2, 29, 9, 30, tzinfo=timezone.utc)),  # the calendar, not 30 days
    ("P1Y2M3DT4H", datetime(2025, 4, 3, 13, 30, tzinfo=timezone.utc)),
    ("P2W", AT + timedelta(weeks=2)),
    ("PT1.5S", AT + timedelta(seconds=1.5)),
])
def test_periods_are_iso_8601_durations(period, until):
    assert add_period(AT, period) == until


@pytest.mark.parametrize("bad", ["P", "PT", "10Y", "P1YT", "forever", "-P1Y"])
def test_bad_periods_are_refused_when_the_settings_load(bad):
    with pytest.raises(ValidationError):
        RetentionOptions(default=bad)
    with pytest.raises(ValidationError):
        RetentionOptions(schedule={"other": bad})


def test_a_schedule_naming_an_unknown_type_is_refused():
    with pytest.raises(ValidationError, match="no document type passport"):
        RetentionOptions(schedule={"passport": "P5Y"})


def _document(period: str, **changes) -> Document:
    ref = ObjectRef(key="dossiers/X/documents/D/original.png", sha256="0" * 64, size=1)
    return Document(id="D", filename="a.png", media_type="image/png", status=DocumentStatus.DONE, original=ref,
                    retention=RetentionOptions().model_copy(update={"schedule": {"other": period}})
                    .assign("other", AT), **changes)


def test_disposal_waits_for_the_end_of_retention_and_for_any_legal_hold():
    document = _document("P1Y")
    with pytest.raises(DisposalRefused) as early:
        check_disposable(document, AT + timedelta(days=364))
    assert early.value.code == "retention_active"
    assert is_due(document, AT + timedelta(days=366))
    held = _document("P1Y", legal_hold=LegalHold(by="admin", at=AT, reason="vụ án 12/2025"))
    with pytest.raises(DisposalRefused) as hold:
        check_disposable(held, AT + timedelta(days=3650))
    assert hold.value.code == "legal_hold" and not is_due(held, AT + timedelta(days=3650))
    with pytest.raises(DisposalRefused) as permanent:
        check_disposable(_document("permanent"), PERMANENT_UNTIL)
    assert permanent.value.code == "permanent_record"
    unfinished = _document("P1Y").model_copy(update={"status": DocumentStatus.PROCESSING, "retention": None})
    with pytest.raises(DisposalRefused, match="no retention period"):
        check_disposable(unfinished, AT + timedelta(days=3650))
