"""The steps that run in worker processes: fetch and inspect, read a page, finish a document.

Each step takes plain data and paths and is idempotent: run again after a crash, it writes the
same objects under the same keys. Clients (store, signer) are made once per process, after
the process starts, from the picklable WorkerConfig.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import ocr
from repository import archival
from repository.model import CaptureReport, DocType, Field, IncomingSignature, ObjectRef, Page, SignatureSummary
from repository.options import StoreOptions
from repository.records import Records
from repository.signing import ArchivalSigner, SigningOptions, load_signer
from repository.store import open_store
from repository.verification import verify_pdf

from . import capture
from .classify import classify
from .extract import extract

PARENT_WATCH_SECONDS = 0.5
# glibc's mallopt parameters, and what a worker asks of them: a page's arrays (an A4 scan at
# 300 dpi is 26 MB in RGB) kept in the heap once freed, for the next page to reuse.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
KEEP_FREED_BYTES, OWN_MAPPING_BYTES = 256 << 20, 64 << 20
# How much a worker (and the Tesseract it runs) yields to the server process on a busy core: the
# server's reception, whose 202 a clerk waits for, runs while idle workers read its pages ahead.
NICENESS = 5


@dataclass(frozen=True)
class WorkerConfig:
    store_url: str
    store: StoreOptions
    work_dir: Path
    keys_dir: Path
    ocr: ocr.OcrOptions
    signing: SigningOptions
    signing_location: str = "HoSo"
    pdfa: archival.Flavour = "2b"


@dataclass(frozen=True)
class DocumentJob:
    dossier_code: str
    document_id: str
    filename: str
    media_type: str
    agency_code: str
    original: ObjectRef

    @property
    def workdir(self) -> Path:
        return _config().work_dir / self.document_id

    @property
    def source(self) -> Path:
        return self.workdir / f"original.{ocr.MEDIA_TYPES[self.media_type]}"


@dataclass(frozen=True)
class FinishedDocument:
    archival: ObjectRef
    ocr: ObjectRef
    pages: list[Page]
    doc_type: DocType
    fields: dict[str, Field]
    signature: SignatureSummary
    incoming_signatures: list[IncomingSignature]
    capture: CaptureReport | None


class _Process:
    """What one worker process keeps between jobs."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.records = Records(open_store(config.store_url, config.store))
        self._signer: ArchivalSigner | None = None

    @property
    def signer(self) -> ArchivalSigner:
        if self._signer is None:
            self._signer = load_signer(self.config.signing, self.config.keys_dir)
        return self._signer


_process: _Process | None = None


def initialise(config: WorkerConfig, parent: int) -> None:
    """Pool initializer: runs once in each new worker process; `parent` is the pool's process."""
    global _process
    _die_with(parent)
    _keep_freed_memory()
    os.nice(NICENESS)
    _process = _Process(config)


def _keep_freed_memory() -> None:
    """Let the heap keep what a page freed, up to KEEP_FREED_BYTES, and put blocks of up to
    OWN_MAPPING_BYTES in it: glibc otherwise gives a page's large arrays back to the kernel when
    they are freed (their own mappings, or the heap's top trimmed), and the next page's arrays
    take a page fault per 4 KiB to get them again, zeroed: some 25-40 ms of CPU a page, a tenth
    of a worker's own work on it. No-op where the C library is not glibc."""
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, OWN_MAPPING_BYTES)
        mallopt(M_TRIM_THRESHOLD, KEEP_FREED_BYTES)


def _die_with(parent: int) -> None:
    """A server killed with SIGKILL cannot stop its pool: each worker watches for being
    orphaned (its parent is no longer `parent`, the id the pool's process gave, which a worker
    started as the server died would not learn from getppid) and ends itself, instead of
    reading on for minutes and keeping the resource tracker alive."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH_SECONDS)
        os._exit(1)  # nothing to save: the work is re-run by whoever resumes the dossier

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _state() -> _Process:
    if _process is None:
        raise RuntimeError("worker step called outside a process initialised with initialise()")
    return _process


def _config() -> WorkerConfig:
    return _state().config


def fetch_and_inspect(job: DocumentJob) -> ocr.SourceInfo:
    job.workdir.mkdir(parents=True, exist_ok=True)
    _state().records.fetch(job.original, job.source)  # fixity is checked on the way
    # The reception already decoded these very bytes; counting pages is enough here.
    return ocr.inspect(job.source, _config().ocr, check_decoding=False)


def read_page(job: DocumentJob, page: ocr.SourcePage) -> ocr.PageResult:
    return _read(job.source, job.media_type, page, job.workdir)


def read_ahead(source: Path) -> list[ocr.PageResult]:
    """A staged PNG or JPEG read before its dossier is accepted (ingest.readahead): checked
    first as the reception checks it, since it has not been yet."""
    info = ocr.inspect(source, _config().ocr)
    return [_read(source, info.media_type, page, source.parent) for page in info.pages]


def _read(source: Path, media_type: str, page: ocr.SourcePage, workdir: Path) -> ocr.PageResult:
    started = time.perf_counter()
    result = ocr.read_page(source, media_type, page.index, page.scanned, _config().ocr, workdir)
    result.seconds = round(time.perf_counter() - started, 4)
    return result


def finish(job: DocumentJob, pages: list[ocr.PageResult]) -> FinishedDocument:
    """Assemble and sign the archival copy, store it with ocr.json, and say what was made."""
    state = _state()
    doc_type = classify(pages)
    fields = {name: Field(value=f.value, confidence=round(f.confidence, 4), page=f.page, bbox=list(f.bbox),
                          review=f.review, problem=f.problem)
              for name, f in extract(doc_type, pages).items()}
    parts = [archival.PagePart(p.pdf) if p.pdf else archival.PagePart(job.source, p.number - 1) for p in pages]
    description = archival.Description(title=job.filename, dossier_code=job.dossier_code,
                                       document_id=job.document_id, agency_code=job.agency_code,
                                       doc_type=doc_type)
    incoming = _incoming_signatures(job, state.signer) if job.media_type == "application/pdf" else []
    unsigned = archival.assemble(parts, description, flavour=state.config.pdfa)
    signed = state.signer.sign(unsigned, reason=f"Số hóa hồ sơ {job.dossier_code}",
                               location=state.config.signing_location)
    signed_at = datetime.now(timezone.utc)
    archival_ref = state.records.put_document_object(job.dossier_code, job.document_id, "archival.pdf", signed)
    ocr_ref = state.records.put_document_object(
        job.dossier_code, job.document_id, "ocr.json", _ocr_json(job, pages).encode())
    shutil.rmtree(job.workdir, ignore_errors=True)
    return FinishedDocument(
        archival=archival_ref, ocr=ocr_ref, pages=[_page_record(p) for p in pages], doc_type=doc_type, fields=fields,
        incoming_signatures=incoming, capture=capture.report(doc_type, job.media_type, pages, fields),
        signature=SignatureSummary(level=state.signer.level.value, signer=state.signer.subject, signed_at=signed_at,
                                   development=state.signer.development))


def _incoming_signatures(job: DocumentJob, signer: ArchivalSigner) -> list[IncomingSignature]:
    """The signatures a received PDF already carries, verified against HoSo's trust roots."""
    report = verify_pdf(job.source.read_bytes(), signer.trust_roots)
    return [IncomingSignature(field=s.field, signer=s.signer, signing_time=s.signing_time, indication=s.indication,
                              sub_indication=s.sub_indication, intact=s.intact, valid=s.valid, trusted=s.trusted,
                              level=s.level, summary=s.summary)
            for s in report.signatures]


def discard(job: DocumentJob) -> None:
    shutil.rmtree(job.workdir, ignore_errors=True)


def _page_record(page: ocr.PageResult) -> Page:
    if page.source == "ocr":
        width, height = page.width * 72 / page.dpi, page.height * 72 / page.dpi
    else:
        width, height = page.width, page.height
    return Page(number=page.number, width=round(width, 2), height=round(height, 2), source=page.source,
                rotation=page.rotation, skew=page.skew, dpi=page.dpi, confidence=page.confidence,
                review_words=sum(w.review for w in page.words), steps=page.steps, text=page.text)


def _ocr_json(job: DocumentJob, pages: list[ocr.PageResult]) -> str:
    return json.dumps({
        "dossier_code": job.dossier_code,
        "document_id": job.document_id,
        "engine": {"name": "tesseract", "version": ocr.engine_version(), "language": _config().ocr.language},
        "pages": [p.to_json() for p in pages],
    }, ensure_ascii=False)
