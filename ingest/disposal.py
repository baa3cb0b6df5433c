"""Legal holds and the disposal of documents whose retention has ended.

HoSo checks the manifest first (retention date, legal hold, permanent) on every store; the store
enforces the same locks below it (MinIO's object lock, or the embedded store's own checks), so a
bug or a hand-made call up here still cannot destroy a record early.

Disposal, in an order that a crash or a refusal leaves repairable by running it again:
the search index forgets the document (an index that is down refuses the disposal, with nothing
changed); every version of its objects is destroyed (a store that refuses puts the document back
in the index); the manifest keeps a tombstone — who, when, why, the SHA-256 of each object
destroyed — in place of the fields and text; then the manifest's earlier versions, which still
hold them, are destroyed too. Each hold, release, disposal and refused disposal is audited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timezone

from repository import events
from repository.audit import AuditLog
from repository.errors import DisposalRefused, DocumentDisposed, RetentionLocked
from repository.model import Disposal, Document, DocumentStatus, Dossier, LegalHold
from repository.records import DossierNotFound, Records
from repository.retention import check_disposable, is_due
from search import Index

from .indexing import index_entries
from .tallies import document_tallies

log = logging.getLogger(__name__)


def find(records: Records, code: str, document_id: str) -> tuple[Dossier, Document]:
    dossier = records.load(code)
    try:
        return dossier, dossier.document(document_id)
    except KeyError:
        raise DossierNotFound(f"dossier {code} has no document {document_id}") from None


def set_legal_hold(records: Records, audit: AuditLog, code: str, document_id: str, by: str, reason: str,
                   hold: bool) -> Document:
    """Put a finished document under legal hold, or release it. The store is changed first, so
    a failure leaves the document held rather than free."""
    dossier, document = find(records, code, document_id)
    if document.status == DocumentStatus.DISPOSED:
        raise DocumentDisposed(f"document {document_id} was disposed of on {document.disposal.at:%Y-%m-%d}")
    if not document.finished:
        raise DisposalRefused("not_finished", f"document {document_id} is {document.status.value}: "
                                              "hold it once it is finished")
    # Audited once it is sure to be tried, and before anything changes: nothing happens unrecorded.
    audit.record(by, "document.legal_hold" if hold else "document.legal_hold.release", f"{code}/{document_id}",
                 reason=reason)
    records.hold_document(document, hold)
    document.legal_hold = LegalHold(by=by, at=datetime.now(timezone.utc), reason=reason) if hold else None
    events.record(dossier, "document.legal_hold" if hold else "document.legal_hold_released", document_id)
    records.save(dossier)
    return document


def dispose(records: Records, index: Index, audit: AuditLog, code: str, document_id: str, by: str, reason: str,
            now: datetime | None = None) -> Document:
    """Destroy a document whose retention has ended; DisposalRefused (or the store's
    RetentionLocked) when it may not go yet. Disposing of a disposed document finishes what a
    crash may have left (objects still there) and answers its tombstone."""
    target = f"{code}/{document_id}"
    try:
        document = _dispose(records, index, code, document_id, by, reason, now or datetime.now(timezone.utc))
    except (DisposalRefused, RetentionLocked) as e:
        audit.record(by, "document.dispose.refused", target, reason=reason, error=e.code, detail=str(e))
        raise
    gone = document.disposal
    audit.record(by, "document.dispose", target, reason=reason, objects=[o.model_dump() for o in gone.objects],
                 versions_removed=gone.versions_removed,
                 retention=document.retention.model_dump(mode="json") if document.retention else None)
    return document


def _dispose(records: Records, index: Index, code: str, document_id: str, by: str, reason: str,
             now: datetime) -> Document:
    dossier, document = find(records, code, document_id)
    if document.status != DocumentStatus.DISPOSED:
        check_disposable(document, now)
    index.delete_document(document_id)
    try:
        removed = records.purge_document(document)
    except RetentionLocked:
        if document.status == DocumentStatus.DONE:
            index.upsert(index_entries(dossier, only=document_id))
        raise
    if document.status != DocumentStatus.DISPOSED:
        document.disposal = Disposal(by=by, at=now, reason=reason, objects=document.objects,
                                     versions_removed=removed)
        document.status = DocumentStatus.DISPOSED
        document.fields, document.pages, document.incoming_signatures, document.reason = {}, [], [], None
        events.record(dossier, "document.disposed", document_id)
        records.save(dossier)
        index.tally(document_tallies(dossier))  # still received; no longer pages or fields
    records.clear_unindexed(code, document_id)
    try:
        records.purge_manifest_history(code)
    except RetentionLocked:  # a bucket-wide default retention locks every manifest version
        log.warning("dossier %s: earlier manifest versions stay until the bucket's default retention ends", code)
    return document


def due(records: Records, now: datetime | None = None,
        progress: Callable[[], None] | None = None) -> Iterator[tuple[Dossier, Document]]:
    """Every document whose retention has ended and that no legal hold keeps."""
    now = now or datetime.now(timezone.utc)
    for dossier in records.dossiers():
        for document in dossier.documents:
            if is_due(document, now):
                yield dossier, document
        if progress is not None:
            progress()
