"""Statistics of digitisation and reuse: what the index keeps to count them, what a question
asks, what the answer holds, and the arithmetic every backend shares.

Figures are computed from records, never typed in: a `DocumentTally` per document (derived
from its manifest) and an `Activity` per audit entry that counts (a citizen-data read, an
auto-fill, a receipt printed). Both live in the index beside the search entries, so they are
rebuilt with it (`hoso reindex`), and each backend aggregates them where they are (SQL GROUP BY,
Elasticsearch aggregations). Times are kept as buckets of a geometric histogram (each 10% wider
than the last), so a median or p95 is read from counts per bucket, on either backend, within
5% of the exact value.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from .errors import BadQuery
from .index import VIETNAM

#: Ratio between the edges of successive time buckets, and the shortest time told apart.
GROWTH = 1.1
SHORTEST = 0.01
UNREAD = "unread"  # the doc_type of a document nobody has read yet (received, failed)
#: The count per group every backend reports (see Figures for their meaning).
COUNTS = ("dossiers", "documents", "digitised", "pages", "components", "results", "failed", "fields_read",
          "fields_confirmed", "fields_corrected", "citizen_requests", "autofills", "fields_asked", "fields_served",
          "receipts")
DIMENSIONS = ("period", "agency_code", "procedure_code", "doc_type")
Action = Literal["citizen_data", "autofill", "receipt"]


class DocumentTally(BaseModel):
    """One document as the statistics count it."""

    dossier_code: str
    document_id: str
    first: bool  # the first document of its dossier: counts the dossier once
    agency_code: str
    procedure_code: str
    kind: str  # component | result
    doc_type: str = UNREAD
    status: str
    reason: str | None = None
    received_at: AwareDatetime
    processed_at: AwareDatetime | None = None
    pages: int = 0
    fields_read: int = 0
    confirmed: list[str] = Field(default_factory=list)  # fields a clerk confirmed as read
    corrected: list[str] = Field(default_factory=list)  # fields a clerk changed

    @property
    def day(self) -> str:
        return vietnam_day(self.received_at)

    @property
    def processing_bucket(self) -> int | None:
        if self.status != "done" or self.processed_at is None:
            return None
        return bucket((self.processed_at - self.received_at).total_seconds())


class Activity(BaseModel):
    """One audit entry that counts: its id is the audit entry's, so noting it twice is once."""

    id: str
    action: Action
    at: AwareDatetime
    agency_code: str | None = None  # receipts: the dossier's; citizen data: none
    procedure_code: str | None = None
    dossier_code: str | None = None
    fields_asked: int = 0  # citizen data and auto-fill: fields asked for
    fields_served: int = 0  # … and answered, each from a signed document that verifies
    desk_seconds: float | None = None  # receipts: from the dossier received to its first receipt

    @property
    def day(self) -> str:
        return vietnam_day(self.at)

    @property
    def desk_bucket(self) -> int | None:
        return None if self.desk_seconds is None else bucket(self.desk_seconds)


class StatsQuery(BaseModel):
    agency_code: str | None = None
    procedure_code: str | None = None
    doc_type: str | None = None
    kind: Literal["component", "result"] | None = None
    received_from: date | None = Field(None, description="first day, inclusive (Vietnam time)")
    received_to: date | None = Field(None, description="last day, inclusive (Vietnam time)")
    period: Literal["day", "month"] = "day"

    def days(self) -> tuple[str, str]:
        """The first and last day asked, as the index keeps days (ISO, Vietnam time)."""
        if self.received_from and self.received_to and self.received_from > self.received_to:
            raise BadQuery("received_from is after received_to")
        return ((self.received_from or date.min).isoformat(), (self.received_to or date.max).isoformat())

    def period_of(self, day: str) -> str:
        return day if self.period == "day" else day[:7]


class Figures(BaseModel):
    """The figures of one group (README, "Statistics", defines each)."""

    dossiers: int = 0
    documents: int = 0
    digitised: int = 0
    pages: int = 0
    components: int = 0
    results: int = 0
    failed: int = 0
    processing_median_s: float | None = None
    processing_p95_s: float | None = None
    fields_read: int = 0
    fields_confirmed: int = 0
    fields_corrected: int = 0
    accuracy: float | None = None
    citizen_requests: int = 0
    autofills: int = 0
    fields_asked: int = 0
    fields_served: int = 0
    reuse_rate: float | None = None
    receipts: int = 0
    desk_median_s: float | None = None
    desk_p95_s: float | None = None


class Group(BaseModel):
    key: str
    figures: Figures


class FieldAccuracy(BaseModel):
    doc_type: str
    field: str
    confirmed: int
    corrected: int
    accuracy: float | None


class Failure(BaseModel):
    reason: str
    documents: int


class Statistics(BaseModel):
    query: StatsQuery
    totals: Figures
    series: list[Group] = Field(description="one group per day or month, in order")
    by_agency: list[Group]
    by_procedure: list[Group]
    by_doc_type: list[Group]
    fields: list[FieldAccuracy] = Field(description="per document type and field, most reviewed first")
    failures: list[Failure] = Field(description="failed documents per reason, most first")


Times = tuple[float | None, float | None]  # median and p95, in seconds


@dataclass
class Tallied:
    """What a backend counts for one group: COUNTS, and the median and p95 of each time."""

    counts: Counter = field(default_factory=Counter)
    processing: Times = (None, None)
    desk: Times = (None, None)


def vietnam_day(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).date().isoformat()


def bucket(seconds: float) -> int:
    return math.floor(math.log(max(seconds, SHORTEST)) / math.log(GROWTH))


def quantiles(histograms: np.ndarray, lowest: int) -> list[Times]:
    """Median and p95 of each row of ``histograms`` (counts per time bucket, the first column
    being bucket ``lowest``): the geometric middle of the bucket holding the value of that rank."""
    totals = histograms.sum(axis=1)
    cumulative = histograms.cumsum(axis=1)
    found = []
    for q in (0.5, 0.95):
        first = (cumulative > (q * (totals - 1))[:, None]).argmax(axis=1)
        found.append(np.round(GROWTH ** (first + lowest + 0.5), 3).tolist())
    return [(median, p95) if total else (None, None) for median, p95, total in zip(*found, totals.tolist())]


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures(tallied: Tallied) -> Figures:
    c = tallied.counts
    return Figures(
        **{name: int(c[name]) for name in COUNTS},
        processing_median_s=tallied.processing[0], processing_p95_s=tallied.processing[1],
        accuracy=_ratio(c["fields_confirmed"], c["fields_confirmed"] + c["fields_corrected"]),
        reuse_rate=_ratio(c["fields_served"], c["fields_asked"]),
        desk_median_s=tallied.desk[0], desk_p95_s=tallied.desk[1])


def summarise(query: StatsQuery, groups: dict[tuple[str, str], Tallied],
              fields: dict[tuple[str, str], tuple[int, int]], failures: dict[str, int]) -> Statistics:
    """The answer from what a backend counted: ``groups`` by (dimension, key), the dimension
    one of DIMENSIONS or "total"; ``fields`` (doc_type, field) -> (confirmed, corrected)."""

    def by(dimension: str) -> list[Group]:
        return [Group(key=key, figures=figures(t)) for (d, key), t in sorted(groups.items()) if d == dimension]

    return Statistics(
        query=query, totals=figures(groups.get(("total", ""), Tallied())), series=by("period"),
        by_agency=by("agency_code"), by_procedure=by("procedure_code"), by_doc_type=by("doc_type"),
        fields=[FieldAccuracy(doc_type=t, field=f, confirmed=ok, corrected=bad, accuracy=_ratio(ok, ok + bad))
                for (t, f), (ok, bad) in sorted(fields.items(), key=lambda item: (-sum(item[1]), item[0]))],
        failures=[Failure(reason=r, documents=n) for r, n in sorted(failures.items(), key=lambda i: (-i[1], i[0]))])
