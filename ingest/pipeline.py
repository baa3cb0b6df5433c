"""From a received dossier to signed, indexed documents, on a pool of worker processes.

The parent process orchestrates and is the only writer of manifests and of the index; the
workers do the heavy work (rasterizing, OCR, assembling, signing) and store what they make.
Pages of one document are read in parallel. A dossier with unfinished documents keeps its
`pending/` marker, so after a crash `resume()` picks it up again.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import socket
import time
import weakref
from collections import defaultdict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Protocol

from ulid import ULID

import ocr
from repository import events
from repository.errors import NO_SPACE, RepositoryError, StoreUnavailable
from repository.model import Document, DocumentStatus, Dossier
from repository.records import DossierNotFound, Records
from repository.retention import RetentionOptions, longer
from search import Index, IndexUnavailable

from . import cardsides, worker
from .errors import NotFailed
from .indexing import index_entries
from .readahead import Guess, ReadAhead
from .tallies import document_tallies
from .worker import DocumentJob, WorkerConfig

log = logging.getLogger(__name__)

CLAIM_LEASE = 15 * 60.0  # seconds a claim on a dossier holds without its owner being known dead
RECEPTION_GRACE = 10 * 60.0  # a reception taking longer than this (a pending marker with no manifest) died

Listener = Callable[[Dossier, Document], None]
GUESSES_PER_WORKER = 4  # staged pages read ahead and kept, not yet taken: a few dossiers' worth
BROKEN_POOL_RETRIES = 1  # times a step the pool failed when one of its workers died is run again


class Monitor(Protocol):
    """Who watches the work (metrics, structured logs): told of every page read and every
    document finished, done or failed, with its timings in seconds."""

    def page_read(self, seconds: float) -> None: ...

    def document_finished(self, dossier: Dossier, document: Document, timings: dict[str, float],
                          error: Exception | None) -> None: ...


class Pipeline:
    def __init__(self, records: Records, index: Index, config: WorkerConfig, workers: int,
                 listener: Listener | None = None, retention: RetentionOptions | None = None,
                 monitors: tuple[Monitor, ...] = (), lease: float = CLAIM_LEASE, inline: bool = False) -> None:
        self.records = records
        self.lease = lease  # how long a claim on a dossier holds unless renewed
        self.inline = inline  # steps run on threads of this process (a broker's worker process), not a pool
        self.monitors = monitors
        self.waiting = 0  # documents waiting for a slot
        self.in_progress = 0
        self.retention = retention or RetentionOptions()
        self.index = index
        self.config = config
        self.workers = workers
        self.listener = listener
        self._pool: ProcessPoolExecutor | None = None
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._slots = asyncio.Semaphore(workers * 2)  # documents in flight: bounds scratch space
        self._running = 0  # steps sent to the pool and not yet answered
        self._ahead = ReadAhead(config.work_dir, workers * GUESSES_PER_WORKER) if config else None
        self._tasks: set[asyncio.Task] = set()
        self._in_flight: set[str] = set()
        # Per dossier, what waiters for its next manifest write (`next_write`) wait on; gone once none waits.
        self._writes: weakref.WeakValueDictionary[str, asyncio.Event] = weakref.WeakValueDictionary()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{ULID()}"

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        self.config.work_dir.mkdir(parents=True, exist_ok=True)
        if self.inline:
            worker.initialise(self.config, os.getppid())
            return
        self._ahead.open()
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=worker.initialise, initargs=(self.config, os.getpid()))

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._ahead is not None:
            self._ahead.close()

    async def resume(self) -> int:
        """Queue again every dossier left unfinished by a stop or a crash."""
        codes = await asyncio.to_thread(self.records.pending)
        resumed = 0
        for code in codes:
            if code in self._in_flight:
                continue
            try:
                dossier = await asyncio.to_thread(self.records.load, code)
            except DossierNotFound:
                # Marked pending but the manifest is not written: a reception under way (leave
                # it), or one that died, whose client never heard 202: what was stored of it is
                # removed (its code stays claimed).
                marker = await asyncio.to_thread(self.records.pending_marker, code)
                if marker.get("owner") and _alive(marker["owner"]) and time.time() - marker["at"] < RECEPTION_GRACE:
                    continue
                log.warning("removing dossier %s: reception did not finish", code)
                await asyncio.to_thread(self.records.delete_dossier, code)
                continue
            self.submit(dossier, batch=True)
            resumed += 1
        return resumed

    async def reprocess(self, code: str, document_id: str) -> Dossier:
        """Read a failed document again (its failure was HoSo's: a full disk, an engine that
        failed): back to `received` and queued; the caller submits or processes the dossier."""
        def again(document: Document) -> None:
            if document.status != DocumentStatus.FAILED:
                raise NotFailed(f"document {document_id} is {document.status.value}: only a failed one is read again")
            document.status, document.reason = DocumentStatus.RECEIVED, None

        dossier = await self.amend(code, document_id, again)
        await asyncio.to_thread(self.records.mark_pending, code, self.owner)
        return dossier

    def next_write(self, code: str) -> asyncio.Event:
        """An event set when this process next writes the dossier's manifest: a client waiting
        for the end of its reading is answered then, without asking over and over. Another
        process (a broker's worker) writes unseen: whoever waits on it needs a timeout too."""
        event = self._writes.get(code)
        if event is None:
            event = self._writes[code] = asyncio.Event()
        return event

    def exclusive(self, code: str) -> asyncio.Lock:
        """The lock this process's manifest writes of a dossier take (legal holds, disposal)."""
        return self._locks[code]

    # -- work ----------------------------------------------------------------------------
    def submit(self, dossier: Dossier, batch: bool = False) -> asyncio.Task:
        """Process in the background; the task's result is the finished dossier. ``batch``: no
        clerk waits on it (a resume, an import), so queued work may go first."""
        task = asyncio.create_task(self.process(dossier))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def read_ahead(self, sha256: str, staged: Path) -> None:
        """Read a file being received before its dossier is accepted (ingest.readahead), if a
        worker is idle; the accepted document with these bytes takes the reading."""
        if self._pool is not None and self._running + self._ahead.under_way < self.workers:
            self._ahead.offer(sha256, staged, self._guess)

    def _guess(self, source: Path) -> Future:
        try:
            return self._pool.submit(worker.read_ahead, source)
        except BrokenProcessPool:  # a worker died meanwhile: a new pool reads it
            self._restart_pool(self._pool)
            return self._pool.submit(worker.read_ahead, source)

    def forget_ahead(self, sha256: str) -> None:
        """What was read ahead of these bytes: no document will take it."""
        if self._ahead is not None:
            self._ahead.forget(sha256)

    async def drain(self) -> list:
        """Wait for everything submitted; the results of its tasks."""
        return await asyncio.gather(*self._tasks, return_exceptions=True)

    async def process(self, dossier: Dossier) -> Dossier:
        """Read every unfinished document of a dossier, unless another process holds it."""
        code = dossier.dossier_code
        if code in self._in_flight:
            return dossier
        self._in_flight.add(code)
        try:
            if not await asyncio.to_thread(self.records.claim, code, self.owner, self.lease, _alive):
                return dossier  # another HoSo process is reading it
            stop = asyncio.Event()
            renewal = asyncio.create_task(self._renew(code, stop))
            try:
                dossier = await asyncio.to_thread(self.records.load, code)  # as the claim found it
                await self._tally(dossier)  # counted as received before any is read
                unfinished = [d for d in dossier.documents if not d.finished]
                await asyncio.gather(*(self._document(dossier, d) for d in unfinished))
            finally:
                stop.set()
                await renewal  # no renewal may land after the release below
            final = await asyncio.to_thread(self.records.load, code)
            if all(d.finished for d in final.documents):
                await asyncio.to_thread(self.records.clear_pending, code)
                await asyncio.to_thread(self.records.release, code)
            return final
        finally:
            self._in_flight.discard(code)

    async def _renew(self, code: str, stop: asyncio.Event) -> None:
        """Keep the claim while reading, renewed every third of its lease: a claim whose owner
        stopped (killed on another machine) runs out one lease later."""
        while True:
            try:
                await asyncio.wait_for(stop.wait(), self.lease / 3)
                return
            except asyncio.TimeoutError:
                pass
            try:
                await asyncio.to_thread(self.records.renew, code, self.owner, self.lease)
            except Exception as e:  # noqa: BLE001 - the next renewal tries again
                log.warning("claim on %s not renewed now: %s", code, e)

    async def watch(self, interval: float) -> None:
        """Pick up, every `interval` seconds, dossiers left pending by any process (a peer that
        died, a reception on a server without workers); claims keep the work single."""
        while True:
            try:
                await self.resume()
                await self.index_waiting()
            except Exception:  # noqa: BLE001 - a store hiccup must not end the watch
                log.exception("scanning for pending dossiers failed")
            await asyncio.sleep(interval)

    async def index_waiting(self) -> int:
        """Index the done documents the index could not take when they were finished; stops at
        the first refusal (the index is still down) and returns how many were indexed."""
        indexed = 0
        for code, document_id in await asyncio.to_thread(self.records.unindexed):
            async with self._locks[code]:
                try:
                    dossier = await asyncio.to_thread(self.records.load, code)
                    entries = index_entries(dossier, only=document_id)
                    if entries:
                        await asyncio.to_thread(self.index.upsert, entries)
                    else:  # disposed of meanwhile: the index forgets it
                        await asyncio.to_thread(self.index.delete_document, document_id)
                    await asyncio.to_thread(self.index.tally, document_tallies(dossier))
                except DossierNotFound:
                    pass  # removed since: nothing to index
                except IndexUnavailable:
                    return indexed
                await asyncio.to_thread(self.records.clear_unindexed, code, document_id)
                indexed += 1
        if indexed:
            log.warning("indexed %d documents that waited for the search index", indexed)
        return indexed

    async def _tally(self, dossier: Dossier) -> None:
        """Count the dossier's documents as they now stand. An index that is down misses it: the
        next change of the dossier, or `hoso reindex`, counts them again."""
        try:
            await asyncio.to_thread(self.index.tally, document_tallies(dossier))
        except IndexUnavailable as e:
            log.warning("dossier %s not counted in the statistics: %s", dossier.dossier_code, e)

    async def _document(self, dossier: Dossier, document: Document) -> None:
        self.waiting += 1
        entered = False
        try:
            async with self._slots:
                entered = True
                self.waiting -= 1
                self.in_progress += 1
                try:
                    with self._ahead.taken(document.original.sha256) as guess:
                        await self._read(dossier, document, guess)
                finally:
                    self.in_progress -= 1
        finally:
            if not entered:  # cancelled while waiting for a slot
                self.waiting -= 1

    async def _read(self, dossier: Dossier, document: Document, guess: Guess | None) -> None:
        job = DocumentJob(dossier.dossier_code, document.id, document.filename, document.media_type,
                          dossier.agency_code, document.original)
        started = time.perf_counter()
        timings: dict[str, float] = {}

        def lap(step: str) -> None:
            timings[step] = round(time.perf_counter() - started - sum(timings.values()), 4)

        # The status write and the first step go together: the workers need not wait for
        # the manifest (other documents' writes may hold its lock).
        marked = asyncio.create_task(
            self._update(dossier.dossier_code, document.id, status=DocumentStatus.PROCESSING,
                         started_at=datetime.now(timezone.utc)))
        try:
            info: ocr.SourceInfo = await self._run(worker.fetch_and_inspect, job)
            await marked
            lap("fetch")
            pages = await self._pages(job, info.pages, guess)
            lap("read")
            done: worker.FinishedDocument = await self._run(worker.finish, job, pages)
            # Locked in the store before the manifest says done; a crash in between
            # re-runs the document, and writing over a locked object keeps its version.
            # A document read again (after a failure) keeps the longer retention: a lock in the
            # store is never shortened.
            retention = longer(document.retention, self.retention.assign(done.doc_type, datetime.now(timezone.utc)))
            archived = document.model_copy(update={"archival": done.archival, "ocr": done.ocr,
                                                   "retention": retention})
            await asyncio.to_thread(self.records.retain_document, archived)
            lap("finish")
        except Exception as e:  # noqa: BLE001 - any failure of one document must not stop the others
            if _transient(e):  # a full disk, a store down: the same work will hold once it is back
                log.warning("document %s of %s waits for the store: %s", document.id, dossier.dossier_code, e)
                await asyncio.gather(marked, return_exceptions=True)
                await self._run_quietly(worker.discard, job)
                return  # left unfinished and pending: the watch runs it again
            expected = isinstance(e, (ocr.OcrError, RepositoryError, BrokenProcessPool))
            log.log(logging.WARNING if expected else logging.ERROR, "document %s of %s failed: %s",
                    document.id, dossier.dossier_code, e, exc_info=None if expected else e)
            await asyncio.gather(marked, return_exceptions=True)  # its write must not come last
            await self._run_quietly(worker.discard, job)
            retention = self.retention.assign(None, datetime.now(timezone.utc))  # unread: the default
            kept = document.model_copy(update={"retention": retention})
            await self._retain_quietly(kept)  # the original the citizen handed in is a record too
            final = await self._update(dossier.dossier_code, document.id, status=DocumentStatus.FAILED,
                                       reason=_reason(e), retention=kept.retention)
            self._finished(final, document.id, started, timings, e)
            return
        final = await self._update(
            dossier.dossier_code, document.id, status=DocumentStatus.DONE, reason=None,
            archival=done.archival, ocr=done.ocr, pages=done.pages, doc_type=done.doc_type, fields=done.fields,
            signature=done.signature, incoming_signatures=done.incoming_signatures, capture=done.capture,
            retention=archived.retention, processed_at=archived.retention.assigned_at)
        self._finished(final, document.id, started, timings, None)

    async def _pages(self, job: DocumentJob, pages: tuple[ocr.SourcePage, ...],
                     guess: Guess | None) -> list[ocr.PageResult]:
        """The document's pages, as read ahead of its acceptance if they were (the same bytes:
        the guess is kept under their SHA-256, which the store checked on the way in)."""
        if guess is not None and (ahead := await guess.pages()) is not None and len(ahead) == len(pages):
            for page in ahead:
                self._tell("page_read", page.seconds)
            return ahead
        return list(await asyncio.gather(*(self._read_page(job, p) for p in pages)))

    async def _read_page(self, job: DocumentJob, page: ocr.SourcePage) -> ocr.PageResult:
        """One page read; told as soon as it is, so a long document shows its progress."""
        result = await self._run(worker.read_page, job, page)
        self._tell("page_read", result.seconds)
        return result

    def _finished(self, dossier: Dossier, document_id: str, started: float, timings: dict[str, float],
                  error: Exception | None) -> None:
        timings["total"] = round(time.perf_counter() - started, 4)
        self._tell("document_finished", dossier, dossier.document(document_id), timings, error)

    def _tell(self, event: str, *args) -> None:
        for monitor in self.monitors:
            try:
                getattr(monitor, event)(*args)
            except Exception:  # noqa: BLE001 - watching the work must never stop it
                log.exception("monitor %r failed on %s", monitor, event)

    async def _run(self, step, *args):
        if self.inline:
            return await asyncio.to_thread(step, *args)
        if self._pool is None:
            raise RuntimeError("Pipeline.start() was not called")
        loop = asyncio.get_running_loop()
        for attempt in range(1 + BROKEN_POOL_RETRIES):
            pool = self._pool
            try:
                sent = loop.run_in_executor(pool, step, *args)
            except BrokenProcessPool:  # a worker died in another step, this one was never sent: a new pool runs it
                self._restart_pool(pool)
                pool = self._pool
                sent = loop.run_in_executor(pool, step, *args)
            self._running += 1
            try:
                return await sent
            except BrokenProcessPool:
                # One worker died (killed, out of memory) and the pool failed every step it
                # held, those of the live workers too: each is run once more on a new pool
                # (steps are idempotent). A step that kills its worker again fails.
                self._restart_pool(pool)
                if attempt == BROKEN_POOL_RETRIES:
                    raise
                log.warning("a worker process stopped while %s ran: running it again", step.__name__)
            finally:
                self._running -= 1

    async def _run_quietly(self, step, *args) -> None:
        try:
            await self._run(step, *args)
        except Exception:  # cleanup of scratch files only; failure here changes nothing stored
            log.exception("cleanup failed")

    async def _retain_quietly(self, document: Document) -> None:
        try:
            await asyncio.to_thread(self.records.retain_document, document)
        except RepositoryError as e:  # the manifest still says how long; HoSo enforces that
            log.warning("document %s: its original could not be locked in the store: %s", document.id, e)

    def _restart_pool(self, broken: ProcessPoolExecutor) -> None:
        """A worker died (killed, out of memory): replace the pool so later work still runs;
        once only, however many of its steps tell of it (a second restart would cancel what
        the new pool was given)."""
        if self._pool is not broken:
            return
        self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)
        self.start()

    async def _update(self, code: str, document_id: str, **changes) -> Dossier:
        def change(document: Document) -> None:
            for name, value in changes.items():
                setattr(document, name, value)

        return await self.amend(code, document_id, change)

    async def amend(self, code: str, document_id: str, change: Callable[[Document], None]) -> Dossier:
        """Read-modify-write of the manifest, one writer per dossier at a time; a done
        document is indexed again (its text and citizen facts) before the manifest is saved."""
        async with self._locks[code]:
            dossier = await asyncio.to_thread(self.records.load, code)
            document = dossier.document(document_id)
            before = document.model_copy(deep=True)
            change(document)
            events.record_change(dossier, before, document)  # published by the save below
            if document.status == DocumentStatus.DONE:
                # An ID card's front and back become one card in the same write that finishes
                # the second of them: nobody sees the dossier done with its sides unpaired.
                changed = [document_id, *cardsides.pair_all(dossier)]
                # Indexed before the manifest says done: a client that sees "done" can find it.
                # A crash in between re-runs the document, and upserting again is harmless.
                # An index that is down must not lose the signed record: it is kept, marked,
                # and indexed by the watch when the index is back.
                for changed_id in dict.fromkeys(changed):
                    try:
                        await asyncio.to_thread(self.index.upsert, index_entries(dossier, only=changed_id))
                    except IndexUnavailable as e:
                        log.warning("document %s of %s is stored but not indexed yet: %s", changed_id, code, e)
                        await asyncio.to_thread(self.records.mark_unindexed, code, changed_id)
            await asyncio.to_thread(self.records.save, dossier)
            if (written := self._writes.pop(code, None)) is not None:
                written.set()
            await self._tally(dossier)
        if self.listener is not None:
            self.listener(dossier, document)
        return dossier


def _transient(e: Exception) -> bool:
    return isinstance(e, StoreUnavailable) or (isinstance(e, OSError) and e.errno in NO_SPACE)


def _alive(owner: str) -> bool:
    """Whether a claim's owner still runs: known for processes on this host, assumed for
    others (their claims expire after CLAIM_LEASE)."""
    host, pid, _ = owner.split(":", 2)
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


def _reason(error: Exception) -> str:
    if isinstance(error, BrokenProcessPool):
        return "the worker process stopped unexpectedly while reading this document"
    if not isinstance(error, (ocr.OcrError, RepositoryError)):
        return f"internal error ({error.__class__.__name__}); the log has the details"
    return str(error) or error.__class__.__name__
