"""Dossiers: receive, show, and hand out originals, archival copies and signature reports."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import logging
import time
import unicodedata
from datetime import datetime, timezone
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, StringConstraints

from ingest.extract.validate import TYPED_LENGTH, typed_problems
from ingest.idempotency import KEY_PATTERN, fingerprint
from ingest.reception import DossierForm, StagedFile
from repository.model import (FIELDS, CaptureReport, Disposal, Document, DocumentStatus, Dossier, Field,
                              DossierState, IncomingSignature, LegalHold, Page, Retention, SignatureSummary)
from repository.errors import RepositoryError
from repository.verification import VerificationReport, verify_pdf

from ..deps import KeyDep, PipelineDep, ServicesDep, actor, allow
from ..errors import RATE_LIMITED, error
from ..services import Services
from ._access import DocumentId, DossierCode, not_ready, readable_document, readable_dossier, readable_progress

log = logging.getLogger(__name__)
router = APIRouter(prefix="/dossiers", tags=["dossiers"],
                   dependencies=[Depends(allow("admin", "reception", "archivist"))])
Writer = Depends(allow("admin", "reception"))


class DocumentPublic(BaseModel):
    id: str
    filename: str
    media_type: str
    status: DocumentStatus
    reason: str | None
    doc_type: str | None
    fields: dict[str, Field]
    pages: list[Page]
    text: str | None
    signature: SignatureSummary | None
    started_at: datetime | None
    processed_at: datetime | None
    flags: list[str]  # active content the original carries ("javascript", "embedded_files"), never run
    incoming_signatures: list[IncomingSignature]  # signatures the original came with, verified on receipt
    retention: Retention | None  # how long it is kept (retain_until, or permanent), set once finished
    legal_hold: LegalHold | None
    disposal: Disposal | None  # the tombstone: status disposed, its objects destroyed
    other_side: str | None  # an ID card's other side, received as another document of the dossier
    capture: CaptureReport | None  # of an ID card's photo: how well it was taken, whether to take it again
    links: dict[str, str]

    @classmethod
    def of(cls, code: str, d: Document) -> "DocumentPublic":
        base = f"/v1/dossiers/{code}/documents/{d.id}"
        links = {"original": f"{base}/original"} if d.status != DocumentStatus.DISPOSED else {}
        if d.status == DocumentStatus.DONE:
            links |= {"archival": f"{base}/archival.pdf", "verify": f"{base}/verify"}
        return cls(id=d.id, filename=d.filename, media_type=d.media_type, status=d.status, reason=d.reason,
                   doc_type=d.doc_type, fields=d.fields, pages=d.pages,
                   text=d.text if d.status == DocumentStatus.DONE else None, signature=d.signature,
                   started_at=d.started_at, processed_at=d.processed_at, flags=d.flags,
                   incoming_signatures=d.incoming_signatures, retention=d.retention, legal_hold=d.legal_hold,
                   disposal=d.disposal, other_side=d.other_side, capture=d.capture, links=links)


class DossierPublic(BaseModel):
    dossier_code: str
    status: DocumentStatus
    procedure_code: str
    applicant_id: str | None
    agency_code: str
    kind: str
    received_at: datetime
    documents: list[DocumentPublic]

    @classmethod
    def of(cls, d: Dossier) -> "DossierPublic":
        return cls(dossier_code=d.dossier_code, status=d.status, procedure_code=d.procedure_code,
                   applicant_id=d.applicant_id, agency_code=d.agency_code, kind=d.kind.value,
                   received_at=d.received_at, documents=[DocumentPublic.of(d.dossier_code, x) for x in d.documents])


@router.post("", status_code=202, response_model=DossierPublic,
             dependencies=[Writer],  # counted against the caller's upload limit by api.app.UploadLimit
             responses={200: {"description": "Already received under this Idempotency-Key: the same answer again"},
                        400: {}, 403: {}, 409: {}, 413: {}, 415: {}, 422: {}, **RATE_LIMITED})
async def receive_dossier(
    services: ServicesDep, pipeline: PipelineDep, key: KeyDep, request: Request,
    files: Annotated[list[UploadFile], File(description="scanned pages or PDFs")],
    procedure_code: Annotated[str, Form()], agency_code: Annotated[str, Form()],
    applicant_id: Annotated[str, Form()], kind: Annotated[str, Form()] = "component",
    dossier_code: Annotated[str | None, Form(description="the code the one-stop-shop already gave the dossier "
                                                         "(Decree 61/2018 scheme); HoSo makes one otherwise")] = None,
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", pattern=KEY_PATTERN,
        description="the same key with the same content answers the dossier received before (200)")] = None,
) -> JSONResponse:
    """Store every original durably, then answer 202 with the dossier code; reading follows."""
    if key["role"] == "reception" and agency_code.strip() != key["agency"]:
        await asyncio.to_thread(services.audit.record, actor(key), "forbidden", request.url.path,
                                role=key["role"], agency=key["agency"], asked_agency=agency_code)
        raise HTTPException(403, f"this key receives dossiers for agency {key['agency']} only")
    reception = services.reception
    form = DossierForm(procedure_code=procedure_code.strip(), agency_code=agency_code.strip(),
                       applicant_id=applicant_id.strip() or None, kind=kind.strip(),
                       dossier_code=(dossier_code or "").strip() or None)
    staged: list[StagedFile] = []
    accepted = False
    try:
        for upload in files:
            staged.append(await asyncio.to_thread(reception.stage, upload.filename, upload.file))
            pipeline.read_ahead(staged[-1].sha256, staged[-1].path)  # idle workers need not wait for the 202
        if idempotency_key is None:
            dossier, replayed = await asyncio.to_thread(reception.receive, form, staged), None
        else:
            dossier, replayed = await asyncio.to_thread(_receive_once, services, key["id"], idempotency_key,
                                                        form, staged)
        accepted = replayed is None
    finally:
        for f in staged:
            f.path.unlink(missing_ok=True)
            if not accepted:  # refused, or received before: no document of it will be read now
                pipeline.forget_ahead(f.sha256)
    location = {"Location": f"/v1/dossiers/{dossier.dossier_code}"}
    if replayed is not None:  # the answer holds the applicant's id: a read, audited
        await asyncio.to_thread(services.audit.record, actor(key), "dossier.receive.repeat", dossier.dossier_code)
        return JSONResponse(replayed, status_code=200, headers=location)
    try:
        await asyncio.to_thread(services.audit.record, actor(key), "dossier.receive", dossier.dossier_code,
                                documents=[d.id for d in dossier.documents])
    except RepositoryError:  # the dossier is stored and queued: it is answered 202 all the same
        log.exception("dossier %s received but its audit entry could not be written", dossier.dossier_code)
    pipeline.submit(dossier)
    body = DossierPublic.of(dossier).model_dump(mode="json")
    return JSONResponse(body, status_code=202, headers=location)


def _receive_once(services: Services, caller: str, idempotency_key: str, form: DossierForm,
                  staged: list[StagedFile]) -> tuple[Dossier, dict | None]:
    """Receive the dossier unless it was received under this key already: then it and the answer
    given then (None when it is received now)."""
    form = form.validated()  # bad fields are refused before the key is reserved
    reception, now = services.reception, datetime.now(timezone.utc)
    reservation = services.idempotency.reserve(
        caller, idempotency_key, fingerprint(dataclasses.asdict(form), [f.sha256 for f in staged]),
        claim_code=lambda: reception.claim_code(form, now), dossier_exists=services.records.exists)
    if reservation.received:
        dossier = services.records.load(reservation.dossier_code)
        return dossier, reservation.body or DossierPublic.of(dossier).model_dump(mode="json")
    try:
        dossier = reception.receive(form, staged, now, code=reservation.dossier_code)
    except BaseException:
        services.idempotency.abandon(reservation)
        raise
    services.idempotency.received(reservation, DossierPublic.of(dossier).model_dump(mode="json"))
    return dossier, None


@router.get("/{code}", response_model=DossierPublic, responses={404: {}})
async def show_dossier(code: DossierCode, services: ServicesDep, key: KeyDep, request: Request) -> DossierPublic:
    dossier = await readable_dossier(services, key, request, code)
    await asyncio.to_thread(services.audit.record, actor(key), "dossier.read", code)
    return DossierPublic.of(dossier)


class DocumentProgress(BaseModel):
    id: str
    status: DocumentStatus
    reason: str | None
    capture: CaptureReport | None  # how the photo was taken (no data of the citizen's): retake it now


class DossierProgress(BaseModel):
    dossier_code: str
    status: DocumentStatus
    documents: list[DocumentProgress]
    version: str  # the same for as long as no document has moved on; a waiting read is given it as `since`

    @classmethod
    def of(cls, code: str, state: DossierState) -> DossierProgress:
        documents = [DocumentProgress(id=d.id, status=d.status, reason=d.reason, capture=d.capture)
                     for d in state.documents]
        moves = json.dumps([[d.id, d.status, d.reason] for d in documents]).encode()
        return cls(dossier_code=code, status=state.status, documents=documents,
                   version=hashlib.sha256(moves).hexdigest()[:16])


RECHECK_SECONDS = 1.0  # a waiting status read looks at the manifest at least this often


@router.get("/{code}/status", response_model=DossierProgress, responses={404: {}})
async def dossier_progress(
        code: DossierCode, services: ServicesDep, pipeline: PipelineDep, key: KeyDep, request: Request,
        wait: Annotated[float, Query(ge=0, le=60, description="seconds to hold the answer while the dossier is "
                                                             "still being read: it comes as soon as it is done or "
                                                             "failed")] = 0,
        since: Annotated[str | None, Query(max_length=64, description="the `version` of the last answer: with "
                                                                      "`wait`, the answer also comes as soon as a "
                                                                      "document has moved on from it")] = None,
) -> DossierProgress:
    """How far the reading is, and nothing about the citizen: what a page polls while it waits
    (not audited, unlike a read of the dossier). With `wait`, one request instead of a poll
    every fraction of a second: the answer waits for the end of the reading, up to `wait` s, or
    with `since` for the next document to move on (a page showing each one as it is read)."""
    written = pipeline.next_write(code)  # taken before each read: a write during the read is not missed
    progress = DossierProgress.of(code, await readable_progress(services, key, request, code))
    deadline = time.monotonic() + wait
    while (progress.status in (DocumentStatus.RECEIVED, DocumentStatus.PROCESSING)
           and (since is None or progress.version == since) and (left := deadline - time.monotonic()) > 0):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(written.wait(), min(left, RECHECK_SECONDS))
        written = pipeline.next_write(code)
        progress = DossierProgress.of(code, await asyncio.to_thread(services.records.progress, code))
    return progress


@router.get("/{code}/documents/{document_id}/original", response_class=Response, responses={404: {}, 410: {}})
async def download_original(code: DossierCode, document_id: DocumentId, services: ServicesDep, key: KeyDep,
                            request: Request) -> Response:
    document = await readable_document(services, key, request, code, document_id)
    data = await asyncio.to_thread(services.records.read, document.original)
    await asyncio.to_thread(services.audit.record, actor(key), "original.read", f"{code}/{document_id}")
    return Response(data, media_type=document.media_type, headers=_attachment(document.filename))


@router.get("/{code}/documents/{document_id}/archival.pdf", response_class=Response,
            responses={404: {}, 409: {}, 410: {}})
async def download_archival(code: DossierCode, document_id: DocumentId, services: ServicesDep, key: KeyDep,
                            request: Request) -> Response:
    document = await readable_document(services, key, request, code, document_id)
    if document.archival is None:
        return not_ready(document)
    data = await asyncio.to_thread(services.records.read, document.archival)
    await asyncio.to_thread(services.audit.record, actor(key), "archival.read", f"{code}/{document_id}")
    return Response(data, media_type="application/pdf", headers=_attachment(f"{document.id}.pdf"))


@router.get("/{code}/documents/{document_id}/verify", response_model=VerificationReport,
            responses={404: {}, 409: {}, 410: {}})
async def verify_document(code: DossierCode, document_id: DocumentId, services: ServicesDep, key: KeyDep,
                          request: Request, online: bool = False) -> Any:
    """The signature report. From the file alone by default (a B-LT copy or above carries its
    own revocation answers); with `online=true` the OCSP responders and CRLs the certificates
    name are asked for what the file lacks (each request limited to HOSO_SIGNING__NETWORK_TIMEOUT)."""
    document = await readable_document(services, key, request, code, document_id)
    if document.archival is None:
        return not_ready(document)
    data = await asyncio.to_thread(services.records.read, document.archival)
    return await asyncio.to_thread(verify_pdf, data, services.trust_roots, allow_fetching=online,
                                   timeout=services.settings.signing.network_timeout)


@router.post("/{code}/documents/{document_id}/reprocess", status_code=202, response_model=DocumentPublic,
             dependencies=[Depends(allow("admin"))], responses={404: {}, 409: {}})
async def reprocess_document(code: DossierCode, document_id: DocumentId, services: ServicesDep,
                             pipeline: PipelineDep, key: KeyDep, request: Request) -> DocumentPublic:
    """Read a failed document again (it failed on HoSo's side: a full disk, an engine that
    failed): 202, then it is read as on receipt. 409 `not_failed` for any other document."""
    await readable_document(services, key, request, code, document_id)
    await asyncio.to_thread(services.audit.record, actor(key), "document.reprocess", f"{code}/{document_id}")
    dossier = await pipeline.reprocess(code, document_id)
    pipeline.submit(dossier)
    return DocumentPublic.of(code, dossier.document(document_id))


class FieldCorrection(BaseModel):
    """A clerk's word on one field: a corrected value, or a confirmation of the value read."""

    value: Annotated[str, StringConstraints(max_length=max(TYPED_LENGTH.values()))] | None = None  # absent: confirm


class FieldsPatch(BaseModel):
    fields: dict[str, FieldCorrection]


@router.patch("/{code}/documents/{document_id}/fields", response_model=DocumentPublic, dependencies=[Writer],
              responses={404: {}, 409: {}, 410: {}, 422: {}})
async def correct_fields(code: DossierCode, document_id: DocumentId, patch: FieldsPatch, services: ServicesDep,
                         pipeline: PipelineDep, key: KeyDep, request: Request) -> Any:
    """Correct or confirm fields: confidence 1, the OCR value kept beside, the clerk named. A
    typed value is checked as its field requires (12-digit citizen ID agreeing with the birth
    date and sex, ISO dates, `Nam`/`Nữ`, lengths): 422 `invalid_field_value` otherwise."""
    document = await readable_document(services, key, request, code, document_id)
    if document.status != DocumentStatus.DONE:
        return not_ready(document)
    allowed = FIELDS.get(document.doc_type or "other", ())
    unknown = sorted(set(patch.fields) - set(allowed))
    if unknown or not patch.fields:
        return error(422, "invalid_field", f"fields {unknown} are not fields of a {document.doc_type}; "
                                           f"allowed: {', '.join(allowed) or 'none'}")
    typed = {n: unicodedata.normalize("NFC", c.value.strip()) for n, c in patch.fields.items()
             if c.value is not None}
    values = {n: f.value for n, f in document.fields.items()} | typed
    if problems := typed_problems(typed, values):
        return error(422, "invalid_field_value", "; ".join(f"{n}: {p}" for n, p in problems.items()))
    now, clerk = datetime.now(timezone.utc), actor(key)

    def apply(doc: Document) -> None:
        for name in patch.fields:
            old = doc.fields.get(name)
            read = old.value if old is not None else None
            first_read = old.ocr_value if old is not None and old.confirmed_at else read
            doc.fields[name] = Field(
                value=typed.get(name, read), confidence=1.0,
                page=old.page if old else 1, bbox=old.bbox if old else None,
                ocr_value=first_read, confirmed_by=clerk, confirmed_at=now)

    await asyncio.to_thread(services.audit.record, clerk, "fields.correct", f"{code}/{document_id}",
                            fields={n: typed.get(n) for n in patch.fields})
    dossier = await pipeline.amend(code, document_id, apply)
    return DocumentPublic.of(code, dossier.document(document_id))


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
