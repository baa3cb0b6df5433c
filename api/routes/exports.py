"""Transfer packages for the historical archive, for admins: the selected dossiers streamed as
one BagIt bag in a tar (layout: repository/transfer/export.py), written as it is sent."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from datetime import date
from typing import Annotated, Iterator

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from ingest.codes import DOSSIER_CODE
from repository.transfer import Selection, choose, write_package

from ..deps import KeyDep, ServicesDep, actor, allow
from ..errors import error

log = logging.getLogger(__name__)

router = APIRouter(tags=["transfer"], dependencies=[Depends(allow("admin"))])
DocType = Query(pattern=r"^(citizen_id_card|birth_certificate|admin_document|other)$",
                description="dossiers holding a document of this type")
BUFFERED = 64  # chunks of the tar (10 KiB each) between the writer and a slow client


@router.get("/exports", response_class=StreamingResponse, responses={
    200: {"content": {"application/x-tar": {}}, "description": "the bag, as a tar with one top-level folder"},
    404: {"description": "No finished dossier matches"}})
async def export(
    services: ServicesDep, key: KeyDep,
    code: Annotated[list[str], Query(description="a dossier code (repeatable)")] = [],  # noqa: B006 - FastAPI's way
    agency_code: str | None = None,
    received_from: Annotated[date | None, Query(description="first day received (Vietnam time)")] = None,
    received_to: Annotated[date | None, Query(description="last day received (Vietnam time), inclusive")] = None,
    doc_type: Annotated[str | None, DocType] = None,
) -> StreamingResponse:
    """The dossiers matching every condition given (all of them when none is), finished ones
    only, each whole: originals, archival copies, OCR results, manifests, signature reports,
    audit entries and METS + PREMIS. Each dossier's export is audited before it is sent."""
    if bad := [c for c in code if not DOSSIER_CODE.match(c)]:
        return error(422, "invalid_request", f"code: {bad[0][:100]!r} is not a dossier code")
    selection = Selection(codes=tuple(code), agency_code=agency_code, received_from=received_from,
                          received_to=received_to, doc_type=doc_type)
    chosen = await asyncio.to_thread(choose, services.records, selection)
    settings = services.settings
    settings.work_dir.mkdir(parents=True, exist_ok=True)

    def write(out) -> None:
        write_package(services.records, services.audit, chosen, out, services.trust_roots, selection=selection,
                      exported_by=actor(key), spool_dir=settings.work_dir)

    return StreamingResponse(_streamed(write), media_type="application/x-tar",
                             headers={"Content-Disposition": 'attachment; filename="hoso-transfer.tar"'})


class _Pipe:
    """The writer's end: chunks go to the answer through a bounded queue (so a slow client
    slows the writer instead of filling memory); closed by the reader, it stops the writer."""

    def __init__(self) -> None:
        self.chunks: queue.Queue = queue.Queue(maxsize=BUFFERED)
        self.closed = threading.Event()

    def write(self, data: bytes) -> int:
        while not self.closed.is_set():
            try:
                self.chunks.put(bytes(data), timeout=1)
                return len(data)
            except queue.Full:
                continue
        raise BrokenPipeError("the client went away")


def _streamed(write) -> Iterator[bytes]:
    """Run `write(pipe)` in a thread and yield what it writes. A failure half-way ends the
    answer early, so the client holds a tar that is cut short (and fails as a bag)."""
    pipe, done = _Pipe(), object()

    def run() -> None:
        try:
            write(pipe)
        except BrokenPipeError:
            pass
        except Exception:
            log.exception("export failed half-way; the client's tar is cut short")
        finally:
            while True:
                try:
                    pipe.chunks.put(done, timeout=1)
                    return
                except queue.Full:
                    if pipe.closed.is_set():
                        return

    thread = threading.Thread(target=run, name="export", daemon=True)
    thread.start()
    try:
        while (chunk := pipe.chunks.get()) is not done:
            yield chunk
    finally:
        pipe.closed.set()
