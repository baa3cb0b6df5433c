"""What a caller may read: a dossier or one of its documents, after the agency check, and the
answer for a document not read yet. Shared by the routes that hand out records."""

from __future__ import annotations

import asyncio
from typing import Annotated, Callable

from fastapi import Path, Request
from fastapi.responses import Response

from ingest.codes import DOSSIER_CODE

from repository.errors import DocumentDisposed
from repository.model import Document, DocumentStatus, Dossier, DossierState
from repository.records import DossierNotFound

from ..deps import own_agency
from ..errors import error
from ..services import Services

# Checked before anything is looked up: a code or id that cannot exist (`..`, a NUL, 5,000
# characters) is a 422 at the edge, never a path handed to the store.
DossierCode = Annotated[str, Path(pattern=DOSSIER_CODE.pattern, description="dossier code (mã hồ sơ)")]
DocumentId = Annotated[str, Path(pattern=r"^[0-9A-Za-z]{1,64}$", description="document id (ULID)")]


async def readable_dossier(services: Services, key: dict, request: Request, code: str) -> Dossier:
    """The dossier, once the caller may read it (a reception key: only its own agency's; another
    agency's dossier is answered exactly as one that does not exist)."""
    return await asyncio.to_thread(_readable, services.records.load, services, key, request, code)


async def readable_progress(services: Services, key: dict, request: Request, code: str) -> DossierState:
    """How far the dossier's reading is, under the same check, its manifest read for that alone
    (a page polls it while it waits)."""
    return await asyncio.to_thread(_readable, services.records.progress, services, key, request, code)


def _readable(read: Callable[[str], Dossier | DossierState], services: Services, key: dict, request: Request,
              code: str) -> Dossier | DossierState:
    record = read(code)
    own_agency(services, key, request, record.agency_code, code)
    return record


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
