"""The index concept: what goes in, what a query asks, what comes out, and the Protocol.

The index is derived data (rebuilt from the object store by ``hoso reindex``), so entries carry
everything a hit needs to be shown without reading the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from pydantic import AwareDatetime, BaseModel, Field

from .errors import BadQuery

MAX_LIMIT = 100
#: Totals are exact up to this many matching documents; beyond it a search reports at least
#: this many (``total_exact`` false), as Elasticsearch does, so a broad query costs no more than
#: a narrow one. Results can be paged as far as the same depth.
TOTAL_CAP = 10_000
MAX_WINDOW = 10_000


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
    """Words to find (all required) plus exact-match metadata filters and a page of results."""

    text: str
    agency_code: str | None = None
    procedure_code: str | None = None
    doc_type: str | None = None
    dossier_code: str | None = None
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


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


class SearchResults(BaseModel):
    query: str
    total: int = Field(description="matching documents; a lower bound when total_exact is false")
    total_exact: bool = Field(True, description=f"false when more than {TOTAL_CAP} documents match")
    hits: list[Hit]


def check_page(query: SearchQuery) -> None:
    """Refuse a page of results no backend serves (pydantic checks only what the API builds)."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise BadQuery(f"limit must be between 1 and {MAX_LIMIT}")
    if query.offset < 0 or query.offset + query.limit > MAX_WINDOW:
        raise BadQuery(f"offset must be at least 0 and offset + limit at most {MAX_WINDOW}; "
                       "narrow the search with more words or filters")


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
        """Documents matching every word, best first; ``total`` counts documents."""

    def facts(self, citizen_id: str, fields: list[str] | None = None) -> list[Fact]:
        """What the indexed documents state about a citizen (all fields, or these)."""
        ...

    def count(self) -> int:
        """Number of documents indexed."""

    def close(self) -> None:
        """Release connections; the index must not be used afterwards."""
