"""Structured logs, opt-in (`HOSO_LOG_JSON=true`): one JSON line on stderr per request answered
and per document processed, with the dossier code and timings, for a log shipper to collect."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

from starlette.types import Scope

from repository.model import Document, Dossier

from .metrics import route_template

log = logging.getLogger("hoso.events")


def enable() -> None:
    """Send the lines to stderr, as they are (each one is a JSON object), and nowhere else."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def _line(event: str, **fields: Any) -> None:
    log.info(json.dumps({"at": datetime.now(timezone.utc).isoformat(), "event": event, **fields},
                        ensure_ascii=False, default=str))


def request_answered(scope: Scope, status: int, seconds: float) -> None:
    params = scope.get("path_params") or {}
    client = scope.get("client")
    _line("request", method=scope["method"], route=route_template(scope), path=scope["path"], status=status,
          ms=round(seconds * 1000, 2), client=client[0] if client else None,
          **({"dossier_code": params["code"]} if "code" in params else {}))


class DocumentLog:
    """A pipeline monitor (ingest.pipeline.Monitor) that writes a line per document finished."""

    def page_read(self, seconds: float) -> None:
        pass

    def document_finished(self, dossier: Dossier, document: Document, timings: dict[str, float],
                          error: Exception | None) -> None:
        _line("document", dossier_code=dossier.dossier_code, document_id=document.id,
              agency_code=dossier.agency_code, status=document.status.value, doc_type=document.doc_type,
              pages=len(document.pages), reason=document.reason, seconds=timings)
