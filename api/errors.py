"""The one place where HoSo's exceptions become HTTP statuses and JSON `{error, detail}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

import ocr
from ingest.errors import EmptyFile, FileTooLarge, IngestError, InvalidDossier
from repository.errors import FixityError, ObjectNotFound, RepositoryError, StoreUnavailable
from search.errors import BadQuery, IndexUnavailable, SearchError

log = logging.getLogger(__name__)

STATUS: list[tuple[type[Exception], int]] = [  # most specific first
    (ocr.UnsupportedMediaType, 415),
    (ocr.InputTooLarge, 413),
    (ocr.CorruptInput, 422),  # includes EncryptedPdf
    (ocr.EngineFailed, 503),
    (EmptyFile, 400),
    (FileTooLarge, 413),
    (InvalidDossier, 422),
    (ObjectNotFound, 404),
    (StoreUnavailable, 503),
    (FixityError, 500),
    (BadQuery, 400),
    (IndexUnavailable, 503),
]


def error(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


def status_of(exc: Exception) -> int:
    return next((status for kind, status in STATUS if isinstance(exc, kind)), 500)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    status = status_of(exc)
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
    headers = {"Retry-After": "30"} if status == 503 else None
    return error(status, getattr(exc, "code", "error"), str(exc), headers)


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "http_error")
    return error(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return error(422, "invalid_request", problems)


def install(app: FastAPI) -> None:
    for root in (ocr.OcrError, IngestError, RepositoryError, SearchError):
        app.add_exception_handler(root, _domain_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
