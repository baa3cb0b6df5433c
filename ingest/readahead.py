"""Reading an uploaded page while its dossier is still being received: a guess that the dossier
will be accepted, kept in memory, never stored.

A dossier is answered 202 only once every original is durably stored, and only then read; the
workers would wait for the whole upload. So as each uploaded file is staged (its bytes and
SHA-256 known), an idle worker reads it, if it is a PNG or JPEG (one page), from a link to the
staged file in scratch space, and the reading is kept under the file's SHA-256. When the accepted
dossier's document with that SHA-256 comes to be read, the pipeline takes the kept reading
instead of reading the page again: the same bytes, read by the same step with the same settings
(one pipeline has one), give the same result. A guess nobody takes (the upload refused, an
upload answered from an earlier one, more guesses than the bound) is forgotten with its scratch
files; a guess that failed (its worker died) leaves the page to be read the ordinary way.

Only an idle worker guesses, so accepted work never queues behind a guess not yet started; one
that has started holds its worker for one page at most.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import shutil
import tempfile
from collections import OrderedDict
from concurrent.futures import Future
from pathlib import Path
from typing import Callable, Iterator

import ocr

log = logging.getLogger(__name__)

Reader = Callable[[Path], "Future[list[ocr.PageResult]]"]
# Kinds that hold one page; a PDF's or a TIFF's pages, however many, would all be inspected first.
ONE_PAGE = ("image/png", "image/jpeg")


class Guess:
    """One staged file's reading, under way or done, and its scratch directory."""

    def __init__(self, directory: Path, reading: Future) -> None:
        self.directory = directory
        self._reading = reading

    @property
    def under_way(self) -> bool:
        return not self._reading.done()

    async def pages(self) -> list[ocr.PageResult] | None:
        """The pages as the guess read them; None when it failed."""
        try:
            return await asyncio.wrap_future(self._reading)
        except Exception as e:  # noqa: BLE001 - a failed guess costs a reading, never the document
            log.warning("a page read ahead is read again: %s", e)
            return None

    def discard(self) -> None:
        """Not started: never will be. Its scratch files go once no worker writes them."""
        self._reading.cancel()
        self._reading.add_done_callback(lambda _: shutil.rmtree(self.directory, ignore_errors=True))


class ReadAhead:
    """The guesses of one pipeline, at most `limit` kept, the oldest forgotten first."""

    def __init__(self, work_dir: Path, limit: int) -> None:
        self.work_dir = work_dir
        self.limit = limit
        self._root: Path | None = None
        self._kept: OrderedDict[str, Guess] = OrderedDict()
        self._made = itertools.count()

    def open(self) -> None:
        """Scratch space of this pipeline's own, so that another live process's (`hoso ingest`
        on the same data directory) is never touched; a dead one's (killed, the power cut) is
        removed. Kept when the pool is started again."""
        if self._root is not None:
            return
        for left in self.work_dir.glob("ahead-*-*"):
            if not _running(int(left.name.split("-")[1])):
                shutil.rmtree(left, ignore_errors=True)
        self._root = Path(tempfile.mkdtemp(dir=self.work_dir, prefix=f"ahead-{os.getpid()}-"))

    def close(self) -> None:
        for sha256 in list(self._kept):
            self.forget(sha256)
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    @property
    def under_way(self) -> int:
        return sum(g.under_way for g in self._kept.values())

    def offer(self, sha256: str, staged: Path, read: Reader) -> None:
        """Read a staged file ahead with `read`, from a link to it (the reception moves the
        staged file into the store and the link keeps the very bytes)."""
        if self._root is None or sha256 in self._kept or not _one_page(staged):
            return
        # A directory of its own: one forgotten for the same bytes may still be being written.
        directory = self._root / f"{sha256}.{next(self._made)}"
        try:
            directory.mkdir()
            os.link(staged, directory / "original")
        except OSError as e:  # another file system, a full disk: no guess rather than a failed upload
            log.info("no page read ahead of %s: %s", sha256, e)
            shutil.rmtree(directory, ignore_errors=True)
            return
        self._kept[sha256] = Guess(directory, read(directory / "original"))
        while len(self._kept) > self.limit:
            self.forget(next(iter(self._kept)))

    def forget(self, sha256: str) -> None:
        if (guess := self._kept.pop(sha256, None)) is not None:
            guess.discard()

    @contextlib.contextmanager
    def taken(self, sha256: str) -> Iterator[Guess | None]:
        """The guess for these bytes, if one is kept, for a document to use while it is read;
        discarded after it, used or not."""
        guess = self._kept.pop(sha256, None)
        try:
            yield guess
        finally:
            if guess is not None:
                guess.discard()


def _one_page(path: Path) -> bool:
    try:
        return ocr.sniff_file(path) in ONE_PAGE
    except ocr.OcrError:  # not a kind HoSo reads: the reception refuses it
        return False


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True
