"""What the search index holds for a document: derived from the manifest alone."""

from __future__ import annotations

from typing import Callable, Iterator

from repository.model import DocumentStatus, Dossier
from repository.records import Records
from search import Index, IndexEntry


def index_entries(dossier: Dossier, only: str | None = None) -> list[IndexEntry]:
    return [
        IndexEntry(dossier_code=dossier.dossier_code, document_id=d.id, agency_code=dossier.agency_code,
                   procedure_code=dossier.procedure_code, applicant_id=dossier.applicant_id,
                   kind=dossier.kind.value, doc_type=d.doc_type or "other", filename=d.filename,
                   received_at=dossier.received_at, pages=[p.text for p in d.pages])
        for d in dossier.documents
        if d.status == DocumentStatus.DONE and (only is None or d.id == only)
    ]


def rebuild(records: Records, index: Index, progress: Callable[[], None] | None = None) -> int:
    """Rebuild the whole index from the object store alone; readers never see it half-built."""

    def entries() -> Iterator[IndexEntry]:
        for dossier in records.dossiers():
            yield from index_entries(dossier)
            if progress is not None:
                progress()

    return index.replace_all(entries())
