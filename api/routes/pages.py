"""What was read on each page of a document, word by word, and a picture of the page: what a
clerk checks the extracted fields against, and what an archivist reads beside the text."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from repository.model import FIELDS, DocumentStatus

from .. import _pdftoppm
from ..deps import KeyDep, ServicesDep, actor, allow
from ..errors import error
from ._access import DocumentId, DossierCode, not_ready, readable_document

log = logging.getLogger(__name__)

router = APIRouter(prefix="/dossiers", tags=["dossiers"],
                   dependencies=[Depends(allow("admin", "reception", "archivist"))])


class Word(BaseModel):
    text: str
    confidence: float
    bbox: list[float]  # x0, y0, x1, y1 in the page's own units (`width` × `height`)
    line: int = 0  # words of one line share it
    review: bool = False


class PageReading(BaseModel):
    number: int
    source: str  # "ocr" (scanned) or "text-layer" (born digital)
    width: float  # pixels of the upright page for OCR pages, points for text-layer pages
    height: float
    dpi: int | None = None
    rotation: int = 0
    skew: float = 0.0
    confidence: float | None = None
    text: str = ""
    words: list[Word] = []
    image: str  # link to a picture of the archival page, on which the boxes fall


class DocumentReading(BaseModel):
    dossier_code: str
    document_id: str
    doc_type: str | None
    field_names: list[str]  # every field this document type has, extracted or not
    review_confidence: float  # words and fields under it are for the clerk to check
    pages: list[PageReading]


@router.get("/{code}/documents/{document_id}/pages", response_model=DocumentReading,
            responses={404: {}, 409: {}, 410: {}})
async def document_pages(code: DossierCode, document_id: DocumentId, services: ServicesDep, key: KeyDep,
                         request: Request):
    """Every page's text and words with boxes and confidences (from `ocr.json`)."""
    document = await readable_document(services, key, request, code, document_id)
    # The words and the page pictures are the citizen's papers: the read is audited.
    await asyncio.to_thread(services.audit.record, actor(key), "pages.read", f"{code}/{document_id}")
    if document.status != DocumentStatus.DONE or document.ocr is None:
        return not_ready(document)
    stored = await asyncio.to_thread(services.records.ocr_json, document)
    base = f"/v1/dossiers/{code}/documents/{document_id}/pages"
    pages = [PageReading(**{k: p[k] for k in PageReading.model_fields if k in p}, image=f"{base}/{p['number']}/image")
             for p in stored["pages"]]
    return DocumentReading(dossier_code=code, document_id=document_id, doc_type=document.doc_type,
                           field_names=list(FIELDS.get(document.doc_type or "other", ())),
                           review_confidence=services.settings.ocr.review_confidence, pages=pages)


@router.get("/{code}/documents/{document_id}/pages/{number}/image", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}}}, 304: {}, 404: {}, 409: {}, 410: {}})
async def page_image(code: DossierCode, document_id: DocumentId, number: int, services: ServicesDep, key: KeyDep,
                     request: Request, width: Annotated[int, Query(ge=200, le=2400)] = 1200) -> Response:
    """Page `number` of the archival copy as a JPEG `width` pixels wide: the scan upright, as
    the words' boxes were measured."""
    document = await readable_document(services, key, request, code, document_id)
    # The words and the page pictures are the citizen's papers: the read is audited.
    await asyncio.to_thread(services.audit.record, actor(key), "page_image.read", f"{code}/{document_id}")
    if document.archival is None:
        return not_ready(document)
    if not 1 <= number <= len(document.pages):
        return error(404, "page_not_found", f"document {document_id} has {len(document.pages)} page(s)")
    # The archival copy never changes once signed, so its hash names every picture of it.
    etag = f'"{document.archival.sha256[:32]}-{number}-{width}"'
    caching = {"ETag": etag, "Cache-Control": "private, max-age=86400"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=caching)
    pdf = await asyncio.to_thread(services.records.read, document.archival)
    try:
        jpeg = await asyncio.to_thread(_pdftoppm.page_jpeg, pdf, number, width)
    except _pdftoppm.RenderFailed as e:
        log.error("page image of %s/%s page %d: %s", code, document_id, number, e)
        return error(503, "render_failed", str(e))
    return Response(jpeg, media_type="image/jpeg", headers=caching)
