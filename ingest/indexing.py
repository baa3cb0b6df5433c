"""What the search index holds for a document: derived from the manifest alone (and, for the
statistics, the audit log: see tallies.py)."""

from __future__ import annotations

from typing import Callable, Iterator

from repository.audit import AuditLog
from repository.model import Document, DocumentStatus, Dossier
from repository.records import Records
from search import CitizenFact, DocumentTally, Index, IndexEntry

from .tallies import Place, activities, document_tallies


PERSONAL = ("citizen_id_card", "birth_certificate")  # documents that state facts about a citizen


def index_entries(dossier: Dossier, only: str | None = None) -> list[IndexEntry]:
    return [
        IndexEntry(dossier_code=dossier.dossier_code, document_id=d.id, agency_code=dossier.agency_code,
                   procedure_code=dossier.procedure_code, applicant_id=dossier.applicant_id,
                   kind=dossier.kind.value, doc_type=d.doc_type or "other", filename=d.filename,
                   received_at=dossier.received_at, pages=[p.text for p in d.pages],
                   facts=citizen_facts(d, _other_side(dossier, d)))
        for d in dossier.documents
        if d.status == DocumentStatus.DONE and (only is None or d.id == only)
    ]


def _other_side(dossier: Dossier, document: Document) -> Document | None:
    if document.other_side is None:
        return None
    return next((d for d in dossier.documents if d.id == document.other_side), None)


def citizen_facts(document: Document, other_side: Document | None = None) -> list[CitizenFact]:
    """The fields a signed personal document states about the citizen it names.

    The citizen is the document's own citizen_id (or, for the back of an old ID card that
    prints none, the number on its front), and only when that number passed validation or a
    clerk confirmed it: a misread number must not attach a person's data to another.
    """
    subject = document.fields.get("citizen_id")
    if subject is None and other_side is not None:
        subject = other_side.fields.get("citizen_id")
    if (document.doc_type not in PERSONAL or document.signature is None or subject is None
            or (subject.problem and not subject.confirmed_at)):
        return []
    return [CitizenFact(citizen_id=str(subject.value), field=name, value=str(f.value), confidence=f.confidence,
                        page=f.page, bbox=f.bbox, confirmed_at=f.confirmed_at, confirmed_by=f.confirmed_by)
            for name, f in document.fields.items() if f.value not in (None, "")]


def rebuild(records: Records, index: Index, progress: Callable[[], None] | None = None) -> int:
    """Rebuild the whole index from the object store alone, the statistics with it (from the
    manifests and the audit log); readers never see either half-built."""
    tallies: list[DocumentTally] = []
    places: dict[str, Place] = {}

    def entries() -> Iterator[IndexEntry]:
        for dossier in records.dossiers():
            yield from index_entries(dossier)
            tallies.extend(document_tallies(dossier))
            places[dossier.dossier_code] = Place.of(dossier)
            if progress is not None:
                progress()

    count = index.replace_all(entries())
    index.replace_statistics(tallies, activities(AuditLog(records.store).entries(), places))
    return count
