"""The index concept: what goes in, what a query asks, what comes out, and the Protocol.

The index is derived data (rebuilt from the object store by ``hoso reindex``), so entries carry
everything a hit needs to be shown without reading the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from pydantic import AwareDatetime, BaseModel, Field

from .errors import BadQuery

if TYPE_CHECKING:
    from .stats import Activity, DocumentTally, Statistics, StatsQuery

MAX_LIMIT = 100
#: Totals are exact up to this many matching documents; beyond it a search reports at least
#: this many (``total_exact`` false), as Elasticsearch does, so a broad query costs no more than
#: a narrow one. Results can be paged as far as the same depth.
TOTAL_CAP = 10_000
MAX_WINDOW = 10_000
#: Metadata counted per value beside the hits, and how many values each lists (most documents first).
FACETS = ("agency_code", "procedure_code", "doc_type")
FACET_SIZE = 20
#: Date filters name calendar days in Vietnam (Asia/Ho_Chi_Minh: UTC+07:00, no daylight saving
#: since 1975), the days on the receipts and in the archivists' registers.
VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


class CitizenFact(BaseModel):
    """One field a document states about a citizen, e.g. this card says full_name = …"""

    citizen_id: str
    field: str
    value: str
    confidence: float
    page: int
    bbox: list[float] | None = None
    confirmed_at: AwareDatetime | None = None
    confirmed_by: str | None = None


class Fact(CitizenFact):
    """A citizen fact with where it comes from: what the reuse API answers with."""

    dossier_code: str
    document_id: str
    doc_type: str
    received_at: AwareDatetime


class IndexEntry(BaseModel):
    """One document of a dossier, with its text page by page (NFC) and the citizen facts it
    states (only for signed documents whose fields name a citizen)."""

    dossier_code: str
    document_id: str
    agency_code: str
    procedure_code: str
    applicant_id: str | None = None
    kind: str
    doc_type: str
    filename: str
    received_at: AwareDatetime
    pages: list[str]
    facts: list[CitizenFact] = Field(default_factory=list)


class SearchQuery(BaseModel):
    """What the search box says (see ``search/_query.py`` for the syntax: words, "phrases",
    -exclusions, code prefixes), exact-match metadata filters, a range of days received, an
    order and a page of results."""

    text: str
    agency_code: str | None = None
    procedure_code: str | None = None
    doc_type: str | None = None
    dossier_code: str | None = None
    received_from: date | None = Field(None, description="first day received, inclusive (Vietnam time)")
    received_to: date | None = Field(None, description="last day received, inclusive (Vietnam time)")
    sort: Literal["relevance", "newest"] = Field(
        "relevance", description="relevance: best match first; newest: latest received_at first")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)

    def filters(self) -> dict:
        """The filters and order asked for, as an audit entry records them beside the words."""
        return self.model_dump(exclude={"text", "limit", "offset"}, exclude_none=True)


class Hit(BaseModel):
    """One matching document, named by its best page, with an HTML-safe snippet."""

    dossier_code: str
    document_id: str
    doc_type: str
    filename: str
    agency_code: str
    procedure_code: str
    received_at: AwareDatetime
    page: int
    score: float
    snippet: str


class FacetCount(BaseModel):
    value: str
    count: int = Field(description="matching documents with this value")


class SearchResults(BaseModel):
    query: str
    total: int = Field(description="matching documents; a lower bound when total_exact is false")
    total_exact: bool = Field(True, description=f"false when more than {TOTAL_CAP} documents match")
    hits: list[Hit]
    facets: dict[str, list[FacetCount]] = Field(
        default_factory=dict,
        description=f"for each of {', '.join(FACETS)}: up to {FACET_SIZE} values with their counts of "
                    "matching documents, most first (filters applied); counted over the same documents "
                    "as total, so exact when total_exact is true")


def check_query(query: SearchQuery) -> None:
    """Refuse what no backend serves (pydantic checks only what the API builds)."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise BadQuery(f"limit must be between 1 and {MAX_LIMIT}")
    if query.offset < 0 or query.offset + query.limit > MAX_WINDOW:
        raise BadQuery(f"offset must be at least 0 and offset + limit at most {MAX_WINDOW}; "
                       "narrow the search with more words or filters")
    if query.received_from and query.received_to and query.received_from > query.received_to:
        raise BadQuery("received_from is after received_to")
    if query.sort not in ("relevance", "newest"):
        raise BadQuery("sort must be relevance or newest")


def received_range(query: SearchQuery) -> tuple[datetime | None, datetime | None]:
    """The instants [start, end) that the query's received_from..received_to days cover."""
    start = datetime.combine(query.received_from, time(), VIETNAM) if query.received_from else None
    end = (datetime.combine(query.received_to + timedelta(days=1), time(), VIETNAM)
           if query.received_to and query.received_to < date.max else None)
    return start, end


@runtime_checkable
class Index(Protocol):
    """A full-text and metadata index of documents; every backend passes the same tests."""

    def upsert(self, entries: Iterable[IndexEntry]) -> None:
        """Add documents, replacing whatever was indexed under the same document_id."""

    def delete_document(self, document_id: str) -> None:
        """Forget one document; unknown ids are not an error."""

    def replace_all(self, entries: Iterable[IndexEntry]) -> int:
        """Swap in a complete new index atomically; return how many entries it holds."""

    def search(self, query: SearchQuery) -> SearchResults:
        """Documents matching the query, best (or newest) first; ``total`` and ``facets``
        count documents."""

    def facts(self, citizen_id: str, fields: list[str] | None = None) -> list[Fact]:
        """What the indexed documents state about a citizen (all fields, or these)."""
        ...

    def count(self) -> int:
        """Number of documents indexed."""

    def tally(self, tallies: Iterable["DocumentTally"]) -> None:
        """Count documents for the statistics, replacing what was counted under the same id."""

    def note(self, activity: Iterable["Activity"]) -> None:
        """Count audit entries for the statistics; an id noted again is ignored (the first counts)."""

    def replace_statistics(self, tallies: Iterable["DocumentTally"], activity: Iterable["Activity"]) -> None:
        """Swap in everything the statistics count, at once."""

    def statistics(self, query: "StatsQuery") -> "Statistics":
        """The figures of search/stats.py for the documents and activity the query selects."""
        ...

    def close(self) -> None:
        """Release connections; the index must not be used afterwards."""
