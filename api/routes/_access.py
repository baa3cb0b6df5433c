"""What a caller may read: a dossier or one of its documents, after the agency check, and the
answer for a document not read yet. Shared by the routes that hand out records."""

from __future__ import annotations

import asyncio

from fastapi import Request
from fastapi.responses import Response

from repository.errors import DocumentDisposed
from repository.model import Document, DocumentStatus, Dossier
from repository.records import DossierNotFound

from ..deps import own_agency
from ..errors import error
from ..services import Services


async def readable_dossier(services: Services, key: dict, request: Request, code: str) -> Dossier:
    """The dossier, once the caller may read it (a reception key: only its own agency's)."""
    dossier = await asyncio.to_thread(services.records.load, code)
    await asyncio.to_thread(own_agency, services, key, request, dossier.agency_code, code)
    return dossier


async def readable_document(services: Services, key: dict, request: Request, code: str,
                            document_id: str) -> Document:
    dossier = await readable_dossier(services, key, request, code)
    try:
        document = dossier.document(document_id)
    except KeyError:
        raise DossierNotFound(f"dossier {code} has no document {document_id}") from None
    if document.status == DocumentStatus.DISPOSED:  # only its tombstone is left, in the dossier
        raise DocumentDisposed(f"document {document_id} was disposed of on {document.disposal.at:%Y-%m-%d} "
                               "after its retention period")
    return document


def not_ready(document: Document) -> Response:
    return error(409, "not_ready", f"document {document.id} is {document.status.value}, not done")
