"""Retention, for admins: legal holds, documents due for disposal, and their disposal.

Every change and every refused disposal is audited; a disposal answers the document's tombstone.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from ingest import disposal

from ..deps import KeyDep, PipelineDep, ServicesDep, actor, allow
from ._access import DocumentId, DossierCode
from .dossiers import DocumentPublic

router = APIRouter(tags=["retention"], dependencies=[Depends(allow("admin"))])
DOCUMENT = "/dossiers/{code}/documents/{document_id}"
Reason = Annotated[str, Query(min_length=1, max_length=1000, description="why: written to the audit log")]
REFUSED = {409: {"description": "Refused: retention not ended, legal hold, permanent record, not finished, "
                                "or the object store's lock"}}
DISPOSED = {410: {"description": "The document was disposed of: only its tombstone is left"}}


class LegalHoldRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=1000, description="the case or order that requires the hold")


class DueDocument(BaseModel):
    dossier_code: str
    document_id: str
    filename: str
    doc_type: str | None
    period: str
    retain_until: datetime


@router.put(DOCUMENT + "/legal-hold", response_model=DocumentPublic, responses={404: {}, **REFUSED, **DISPOSED})
async def hold(code: DossierCode, document_id: DocumentId, body: LegalHoldRequest, services: ServicesDep,
               pipeline: PipelineDep, key: KeyDep) -> DocumentPublic:
    """Put a document under legal hold: it cannot be disposed of, in HoSo or in the store, until
    the hold is released, whatever its retention says."""
    return await _set_hold(services, pipeline, key, code, document_id, body.reason, True)


@router.delete(DOCUMENT + "/legal-hold", response_model=DocumentPublic, responses={404: {}, **REFUSED, **DISPOSED})
async def release(code: DossierCode, document_id: DocumentId, reason: Reason, services: ServicesDep,
                  pipeline: PipelineDep, key: KeyDep) -> DocumentPublic:
    """Release a legal hold; the document is kept again only by its retention."""
    return await _set_hold(services, pipeline, key, code, document_id, reason, False)


async def _set_hold(services, pipeline, key: dict, code: str, document_id: str, reason: str,
                    on: bool) -> DocumentPublic:
    async with pipeline.exclusive(code):
        document = await asyncio.to_thread(disposal.set_legal_hold, services.records, services.audit, code,
                                           document_id, actor(key), reason, on)
    return DocumentPublic.of(code, document)


@router.delete(DOCUMENT, response_model=DocumentPublic, responses={404: {}, **REFUSED})
async def dispose(code: DossierCode, document_id: DocumentId, reason: Reason, services: ServicesDep,
                  pipeline: PipelineDep, key: KeyDep) -> DocumentPublic:
    """Dispose of a document whose retention has ended: every version of its objects destroyed,
    gone from search, a tombstone (who, when, why, SHA-256 of what was destroyed) in the
    manifest. Refused (409) before the end of its retention, under legal hold, or when it is
    kept permanently; the refusal is audited too."""
    async with pipeline.exclusive(code):
        document = await asyncio.to_thread(disposal.dispose, services.records, services.index, services.audit, code,
                                           document_id, actor(key), reason)
    return DocumentPublic.of(code, document)


@router.get("/retention/due", response_model=list[DueDocument])
async def due(services: ServicesDep, key: KeyDep,
              limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> list[DueDocument]:
    """Documents whose retention has ended and that no legal hold keeps, oldest end first."""
    found = await asyncio.to_thread(lambda: list(disposal.due(services.records)))
    await asyncio.to_thread(services.audit.record, actor(key), "retention.due.read", "retention", count=len(found))
    listed = [DueDocument(dossier_code=d.dossier_code, document_id=doc.id, filename=doc.filename,
                          doc_type=doc.doc_type, period=doc.retention.period, retain_until=doc.retention.retain_until)
              for d, doc in found]
    return sorted(listed, key=lambda x: x.retain_until)[:limit]
