"""The retention schedule: how long each type of document is kept, and when one may go.

A document's retention is fixed when it is archived (finished): the period its type has in the
schedule, from that moment. Periods are ISO 8601 durations (`P10Y`, `P6M`, `PT5S` for tests) or
`permanent` (vĩnh viễn: kept for ever, transferred to a historical archive, never disposed of by
HoSo). In the object store a permanent document is locked until `PERMANENT_UNTIL`, so that even
a store administrator cannot shorten it in compliance mode; a legal hold is a separate lock that
an admin sets and lifts, never a stand-in for "permanent".

The defaults follow Vietnamese archival practice (Luật Lưu trữ 2024, Thông tư 10/2022/TT-BNV on
retention periods): identity and civil-status papers and the agency's administrative documents
(decisions, official letters) are kept permanently; the rest of a procedure's dossier — forms,
declarations, receipts — 10 years; anything HoSo could not read (a failed document, a type it does
not know) 20 years, longer than the ordinary papers since nobody has looked at it.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone
from typing import Literal

from pydantic import BaseModel, field_validator

from .errors import DisposalRefused
from .model import Document, DocumentStatus, Retention

PERMANENT = "permanent"
PERMANENT_UNTIL = datetime(9999, 12, 31, tzinfo=timezone.utc)  # what the store locks a permanent record until
SCHEDULE: dict[str, str] = {
    "citizen_id_card": PERMANENT,
    "birth_certificate": PERMANENT,
    "admin_document": PERMANENT,
    "other": "P10Y",
}
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                       r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


class RetentionOptions(BaseModel):
    """`HOSO_RETENTION__…`: the schedule (`SCHEDULE` with these periods over it), the period for
    unknown types and failed documents, and the object-lock mode of the store."""

    schedule: dict[str, str] = {}  # e.g. {"other": "P5Y"}; types not named keep SCHEDULE's period
    default: str = "P20Y"
    mode: Literal["governance", "compliance"] = "governance"

    @field_validator("schedule")
    @classmethod
    def _periods(cls, value: dict[str, str]) -> dict[str, str]:
        if unknown := sorted(set(value) - set(SCHEDULE)):
            raise ValueError(f"no document type {', '.join(unknown)}; the types are {', '.join(SCHEDULE)}")
        for period in value.values():
            parse_period(period)
        return value

    @field_validator("default")
    @classmethod
    def _period(cls, value: str) -> str:
        parse_period(value)
        return value

    def period(self, doc_type: str | None) -> str:
        return {**SCHEDULE, **self.schedule}.get(doc_type or "", self.default)

    def assign(self, doc_type: str | None, at: datetime) -> Retention:
        """The retention of a document of this type archived at `at`."""
        period = self.period(doc_type)
        if period == PERMANENT:
            return Retention(period=period, permanent=True, mode=self.mode, assigned_at=at)
        return Retention(period=period, retain_until=add_period(at, period), mode=self.mode, assigned_at=at)


def longer(kept: Retention | None, new: Retention) -> Retention:
    """The retention that keeps a document longer: ``new`` unless ``kept`` outlasts it."""
    if kept is None or new.permanent or (not kept.permanent and kept.retain_until <= new.retain_until):
        return new
    return kept


def parse_period(text: str) -> tuple[int, int, timedelta] | None:
    """(years, months, the rest) of an ISO 8601 duration; None for `permanent`."""
    if text == PERMANENT:
        return None
    m = _DURATION.match(text)
    if not m or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"retention period {text!r} is neither an ISO 8601 duration (P10Y, P6M, PT30S) "
                         f"nor {PERMANENT!r}")
    years, months, weeks, days, hours, minutes = (int(g or 0) for g in m.groups()[:6])
    seconds = float(m.group(7) or 0)
    return years, months, timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


def add_period(at: datetime, period: str) -> datetime:
    """`at` plus the period, years and months by the calendar (31 Jan + P1M = 28/29 Feb)."""
    parsed = parse_period(period)
    if parsed is None:
        return PERMANENT_UNTIL
    years, months, rest = parsed
    month = at.month - 1 + months
    year, month = at.year + years + month // 12, month % 12 + 1
    day = min(at.day, calendar.monthrange(year, month)[1])
    return at.replace(year=year, month=month, day=day) + rest


def lock_until(retention: Retention) -> datetime:
    """The date the store locks the document's objects until."""
    return PERMANENT_UNTIL if retention.permanent or retention.retain_until is None else retention.retain_until


def check_disposable(document: Document, now: datetime) -> None:
    """Raise DisposalRefused unless the document may be destroyed now."""
    if document.legal_hold is not None:
        hold = document.legal_hold
        raise DisposalRefused("legal_hold", f"document {document.id} is under a legal hold set by {hold.by} "
                                            f"on {hold.at:%Y-%m-%d}: {hold.reason}")
    if not document.finished or document.retention is None:
        raise DisposalRefused("not_finished", f"document {document.id} is {document.status.value}: "
                                              "it has no retention period yet")
    retention = document.retention
    if retention.permanent:
        raise DisposalRefused("permanent_record", f"document {document.id} is kept permanently (vĩnh viễn): "
                                                  "it goes to a historical archive, it is never disposed of")
    if retention.retain_until is not None and now < retention.retain_until:
        raise DisposalRefused("retention_active", f"document {document.id} must be kept until "
                                                  f"{retention.retain_until.isoformat()} ({retention.period})")


def is_due(document: Document, now: datetime) -> bool:
    """Whether the document's retention has ended and nothing else keeps it."""
    if document.status == DocumentStatus.DISPOSED:
        return False
    try:
        check_disposable(document, now)
    except DisposalRefused:
        return False
    return True
