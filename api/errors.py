"""The one place where HoSo's exceptions become HTTP statuses and JSON `{error, detail}`."""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

import ocr
from ingest.errors import DossierCodeTaken, EmptyFile, FileTooLarge, IngestError, InvalidDossier, NotFailed
from ingest.idempotency import KeyInProgress, KeyReused
from repository.errors import (NO_SPACE, DisposalRefused, DocumentDisposed, FixityError, ObjectNotFound,
                               RepositoryError, RetentionLocked, StoreFull, StoreUnavailable)
from search.errors import BadQuery, IndexUnavailable, SearchError

from .limits import RateLimited

log = logging.getLogger(__name__)

STATUS: list[tuple[type[Exception], int]] = [  # most specific first
    (ocr.UnsupportedMediaType, 415),
    (ocr.InputTooLarge, 413),
    (ocr.CorruptInput, 422),  # includes EncryptedPdf
    (ocr.EngineFailed, 503),
    (EmptyFile, 400),
    (FileTooLarge, 413),
    (InvalidDossier, 422),
    (NotFailed, 409),
    (DossierCodeTaken, 409),
    (KeyReused, 409),
    (KeyInProgress, 409),
    (ObjectNotFound, 404),
    (DisposalRefused, 409),  # retention not ended, legal hold, permanent record, not finished
    (RetentionLocked, 409),  # the object store itself refuses
    (DocumentDisposed, 410),
    (StoreFull, 507),  # before StoreUnavailable, which it is
    (StoreUnavailable, 503),
    (FixityError, 500),
    (BadQuery, 400),
    (IndexUnavailable, 503),
    (RateLimited, 429),
]


def error(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


def status_of(exc: Exception) -> int:
    return next((status for kind, status in STATUS if isinstance(exc, kind)), 500)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    status = status_of(exc)
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
    retry_after = getattr(exc, "retry_after", 30 if status == 503 else None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return error(status, getattr(exc, "code", "error"), str(exc), headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """What no handler above knows still answers in HoSo's JSON: a full disk anywhere (an
    upload spooled by the framework, a scratch file) as the store's 507, the rest as a 500."""
    if isinstance(exc, OSError) and exc.errno in NO_SPACE:
        full = StoreFull(f"no space left on the server: {exc}")
        return await _domain_error(request, full)
    log.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
    return error(500, "internal_error", "HoSo could not answer this request; it is logged")


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 413: "request_too_large"}.get(exc.status_code, "http_error")
    return error(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return error(422, "invalid_request", problems)


class ErrorBody(BaseModel):
    """Every error HoSo answers: a stable code for programs, a sentence for people."""

    error: str
    detail: str


ERROR_REF = {"$ref": "#/components/schemas/Error"}
FASTAPI_422 = {"$ref": "#/components/schemas/HTTPValidationError"}
DESCRIPTIONS = {400: "Bad input", 401: "No valid API key or token", 403: "Not allowed for this key's role",
                404: "Not found", 409: "Not ready yet", 410: "Disposed of after its retention period",
                413: "Too large", 415: "Unsupported file type",
                422: "Invalid request or input", 503: "A backing service is unavailable; retry later",
                507: "No space left to store anything new; retry after `Retry-After` seconds"}
RATE_LIMITED = {429: {"description": "Too many requests from this caller; retry after `Retry-After` seconds",
                      "headers": {"Retry-After": {"schema": {"type": "integer"}}}}}  # a limited route's


def _document_errors(app: FastAPI) -> None:
    """Say in the OpenAPI schema what the handlers above answer: `{error, detail}` for every
    4xx/5xx a route declares, and the ones any route can give (401/403/503 behind a key, 422
    for bad parameters, 413 for a body over the limit), instead of FastAPI's own 422 shape."""
    build = app.openapi

    def openapi() -> dict:
        schema = build()  # FastAPI's, cached on the app: edited in place once
        if "Error" in schema.get("components", {}).get("schemas", {}):
            return schema
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ErrorBody.model_json_schema()
        for operation in (op for ops in schema["paths"].values() for op in ops.values()):
            responses = operation.setdefault("responses", {})
            statuses = {int(s) for s in responses if s[0] in "45"}
            if operation.get("security"):
                statuses |= {401, 403, 503, 507}  # 507: a read whose audit entry finds no space
            if operation.get("parameters") or operation.get("requestBody"):
                statuses.add(422)
            if operation.get("requestBody"):
                statuses |= {400, 413}  # a body that cannot be parsed; one over the size limit
            for status in statuses:
                entry = responses.setdefault(str(status), {})
                entry.setdefault("description", DESCRIPTIONS.get(status, "Error"))
                declared = entry.get("content", {}).get("application/json", {}).get("schema")
                if not declared or declared == FASTAPI_422:  # a route's own error model stays
                    entry["content"] = {"application/json": {"schema": ERROR_REF}}
        if json.dumps(FASTAPI_422) not in json.dumps(schema):  # FastAPI's 422 shape, never sent
            for name in ("HTTPValidationError", "ValidationError"):
                schema["components"]["schemas"].pop(name, None)
        return schema

    app.openapi = openapi


def install(app: FastAPI) -> None:
    for root in (ocr.OcrError, IngestError, RepositoryError, SearchError, RateLimited):
        app.add_exception_handler(root, _domain_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _unexpected)
    _document_errors(app)
