"""PDF adapter: structure checks (pikepdf), text of born-digital pages (pdfplumber),
rasterizing scanned pages (pypdfium2)."""

from __future__ import annotations

import io
import math
import resource
import signal
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2
from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1
from PIL import Image
from pikepdf import Name

from . import syllable
from .errors import CorruptInput, EncryptedPdf, InputTooLarge
from .model import Word

ENCRYPTED = (
    "the PDF is encrypted: remove the password and send the unencrypted file "
    "(tệp PDF được mã hóa: hãy gỡ mật khẩu và gửi lại tệp không mã hóa)"
)
JAVASCRIPT, EMBEDDED_FILES, LAUNCH = "javascript", "embedded_files", "launch_action"
MAX_NODES = 2_000_000  # dictionaries and arrays walked; a real dossier PDF has a few ten thousand
TEXT_SECONDS = 60  # to read one born-digital page's text; pdfminer takes well under a second
TEXT_MEMORY = 2 << 30  # address space pdfminer may add while it reads one page
INFLATE_CHUNK = 1 << 20  # compressed bytes fed to the bomb check at a time


@dataclass(frozen=True)
class Inspection:
    scanned: list[bool]  # per page: read from its pixels (OCR) rather than its text
    flags: tuple[str, ...]  # active content the file carries: kept in the original, never run


def inspect(path: Path, min_text_chars: int, max_pages: int, max_pixels: int, render_dpi: int) -> Inspection:
    """Check the PDF as the workers will read it, and say how each page is to be read.

    A file carrying scripts or attachments is kept byte for byte as the original, but every
    page of it is read from its pixels: a born-digital page would be copied as it is into the
    archival copy, and with it the actions and attachments it carries.
    """
    flags = _structure(path, max_pages, max_pixels)
    pages = _pages(path, min_text_chars, max_pages)
    for number, (_, (width, height)) in enumerate(pages, 1):  # rendered for OCR or for a clerk's view
        if width * height * (render_dpi / 72) ** 2 > max_pixels:
            raise InputTooLarge(f"page {number} of the PDF is {width:.0f}×{height:.0f} points: at {render_dpi} dpi "
                                f"that is more than {max_pixels} pixels")
    scanned = [bool(flags) or needs_ocr for needs_ocr, _ in pages]
    if not all(scanned) and not _text_readable(path, len(pages)):
        scanned = [True] * len(pages)  # pdfminer cannot follow it, pdfium can: read the pixels
    return Inspection(scanned, flags)


def _structure(path: Path, max_pages: int, max_pixels: int) -> tuple[str, ...]:
    """qpdf's reading: encryption, page count, the active content the file carries, and
    compressed bombs (see `_walk`)."""
    try:
        # A file encrypted with an owner password only opens for anyone (its user password is
        # empty): it is read, and kept as sent. One that needs a password to open raises.
        with pikepdf.open(path) as pdf:
            count = len(pdf.pages)
            if count > max_pages:
                raise InputTooLarge(f"more than {max_pages} pages in one PDF")
            flags = _walk(pdf, max_pixels)
    except pikepdf.PasswordError as e:
        raise EncryptedPdf(ENCRYPTED) from e
    except (pikepdf.PikepdfError, ValueError, OverflowError, RecursionError) as e:  # qpdf's errors; what
        # pikepdf makes of numbers beyond 64 bits and of deep nesting
        raise CorruptInput(f"the PDF cannot be read: {e}") from e
    if count == 0:
        raise CorruptInput("the PDF has no pages")
    return flags


def _walk(pdf: pikepdf.Pdf, max_pixels: int) -> tuple[str, ...]:
    """Scripts, attached files and launch actions anywhere in the file, under any key; and
    decompression bombs: an image declaring more pixels than a page may have, or another stream
    that would inflate beyond what the largest page image could be (`_check_stream`).

    Every indirect object is visited once, and the direct objects nested in it; references are
    not followed (their targets are in the object list), so loops cannot trap the walk.
    """
    found: set[str] = set()
    stack: list[pikepdf.Object] = [pdf.trailer, *pdf.objects]
    walked = 0
    while stack:
        obj = stack.pop()
        walked += 1
        if walked > MAX_NODES:
            raise InputTooLarge(f"the PDF has more than {MAX_NODES} objects")
        if isinstance(obj, pikepdf.Stream):
            _check_stream(obj, max_pixels)
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            keys = set(obj.keys())
            kind = (obj.get("/S"), obj.get("/Type"), obj.get("/Subtype"))
            if keys & {"/JS", "/JavaScript", "/XFA"} or Name.JavaScript in kind:
                found.add(JAVASCRIPT)
            if keys & {"/EF", "/EmbeddedFiles"} or Name.EmbeddedFile in kind or Name.FileAttachment in kind:
                found.add(EMBEDDED_FILES)
            if Name.Launch in kind:
                found.add(LAUNCH)
            children = (obj[key] for key in keys)
        elif isinstance(obj, pikepdf.Array):
            children = iter(obj)
        else:
            continue
        stack.extend(child for child in children
                     if isinstance(child, (pikepdf.Dictionary, pikepdf.Array)) and not child.is_indirect)
    return tuple(sorted(found))


def _check_stream(stream: pikepdf.Stream, max_pixels: int) -> None:
    """Refuse a stream that would decode to more than the largest page image may be.

    An image is judged by the size it declares (pdfium allocates that much to draw it). Any other
    Flate stream (content, fonts, forms) is inflated here, at most to that size plus one chunk, so a
    few kilobytes that would inflate to gigabytes stop the reception, not a worker later. Images are
    not inflated: a 500-page scan holds gigabytes of them, and their declared size bounds them.
    """
    limit = max_pixels * 4
    if stream.get("/Subtype") == Name.Image:
        width, height = stream.get("/Width", 0), stream.get("/Height", 0)
        if not (isinstance(width, int) and isinstance(height, int)):
            return  # pdfium refuses an image without a size; nothing to allocate
        if width * height > max_pixels:
            raise InputTooLarge(f"an image in the PDF declares {width}×{height} pixels, more than {max_pixels}")
        return
    filters = stream.get("/Filter")
    first = filters[0] if isinstance(filters, pikepdf.Array) and len(filters) else filters
    if first != Name.FlateDecode:
        return
    inflater, raw, size = zlib.decompressobj(), stream.read_raw_bytes(), 0
    for start in range(0, len(raw), INFLATE_CHUNK):
        try:
            size += len(inflater.decompress(raw[start:start + INFLATE_CHUNK], limit + 1 - size))
            while inflater.unconsumed_tail and size <= limit:
                size += len(inflater.decompress(inflater.unconsumed_tail, limit + 1 - size))
        except zlib.error:
            return  # not valid Flate: qpdf and pdfium refuse or skip it themselves
        if size > limit:
            raise InputTooLarge(f"a compressed stream in the PDF inflates to more than {limit >> 20} MiB "
                                "(a decompression bomb)")


def _pages(path: Path, min_text_chars: int, max_pages: int) -> list[tuple[bool, tuple[float, float]]]:
    """pdfium's reading (the one that renders): per page, whether it lacks text, and its size."""
    try:
        document = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as e:
        raise CorruptInput(f"the PDF cannot be read: {e}") from e
    try:
        if len(document) > max_pages:
            raise InputTooLarge(f"more than {max_pages} pages in one PDF")
        pages = []
        for index in range(len(document)):
            page = document[index]
            text = page.get_textpage().get_text_range()
            width, height = page.get_size()
            if not (0 < width < math.inf and 0 < height < math.inf):
                raise CorruptInput(f"page {index + 1} of the PDF has no usable size")
            # A text layer is used only when it reads as Vietnamese: scanner software adds layers
            # that lost every diacritic, which would be searched and extracted as they are.
            lacking = sum(not c.isspace() for c in text) < min_text_chars or not syllable.plausibly_vietnamese(text)
            pages.append((lacking, (width, height)))
        if not pages:
            raise CorruptInput("the PDF has no pages")
        return pages
    except pypdfium2.PdfiumError as e:
        raise CorruptInput(f"the PDF cannot be read: {e}") from e
    finally:
        document.close()


def _text_readable(path: Path, count: int) -> bool:
    """Whether pdfplumber, which reads the text of born-digital pages, can open every page and
    parse every object their resources lead to (fonts, their descriptors and widths, forms).

    pdfminer is less forgiving than qpdf and pdfium; any failure of it means only that the
    pages are read from their pixels instead, so every exception it raises is an answer here.
    """
    try:
        with pdfplumber.open(_as_shown(path)) as pdf:
            seen: set[int] = set()
            return len(pdf.pages) == count and all(
                page.width > 0 and page.height > 0 and _resources_sound(page.page_obj.resources, seen)
                for page in pdf.pages)
    except Exception:  # noqa: BLE001 - pdfminer raises anything from TypeError to RecursionError
        return False


def _resources_sound(resources: object, seen: set[int]) -> bool:
    """Resolve, as pdfminer will, every object reachable from a page's resources (stream data
    aside), each once; and check the fonts' width tables on the way.

    pdfminer makes a table entry for every CID of a `first last width` range in a font's /W or
    /W2. CIDs are 16-bit, so a larger number there is damage, or an attack on memory (qpdf and
    pdfium drop such an object; pdfminer reads it).
    """
    stack = [resources]
    while stack:
        item = stack.pop()
        if isinstance(item, PDFObjRef):
            if item.objid in seen:
                continue
            seen.add(item.objid)
            if len(seen) > MAX_NODES:
                return False
            item = item.resolve()  # raises what pdfminer cannot parse
        if isinstance(item, PDFStream):
            item = item.attrs
        if isinstance(item, dict):
            for key in ("W", "W2"):
                widths = resolve1(item.get(key)) or []
                if not all(isinstance(w, list) or (type(w) in (int, float) and abs(w) <= 0xFFFF)
                           for w in map(resolve1, widths)):
                    return False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def render(path: Path, index: int, dpi: int, box: tuple[float, float, float, float] | None = None) -> Image.Image:
    """Page ``index`` rendered at ``dpi``; with ``box`` (x0, y0, x1, y1 in pixels of the page so
    rendered, from the top left) only that part of it is drawn, clipped to the page."""
    try:
        document = pypdfium2.PdfDocument(path)
        try:
            page = document[index]
            scale, crop = dpi / 72, (0, 0, 0, 0)
            if box is not None:
                width, height = page.get_size()
                x0, y0, x1, y1 = (v / scale for v in box)
                crop = (max(0.0, x0), max(0.0, height - y1), max(0.0, width - x1), max(0.0, y0))
            return page.render(scale=scale, crop=crop).to_pil().convert("RGB")
        finally:
            document.close()
    except pypdfium2.PdfiumError as e:
        raise CorruptInput(f"page {index + 1} of the PDF cannot be rendered: {e}") from e


def _as_shown(path: Path, index: int | None = None) -> io.BytesIO:
    """The PDF (or its page ``index`` alone) as a reader sees it: decrypted (an owner password
    does not stop reading), its annotations' appearances part of the page. Office and signing
    software write parts of a letter's text in them: the number and day a signature stamped in
    ("Số: 507 /UBND-KGVX", "ngày 24"), which the page's own text lacks."""
    out = io.BytesIO()
    with pikepdf.open(path) as pdf:
        if index is None:
            pdf.flatten_annotations("all")
            pdf.save(out)
        else:
            alone = pikepdf.new()
            alone.pages.append(pdf.pages[index])
            alone.flatten_annotations("all")
            alone.save(out)
    out.seek(0)
    return out


def page_words(path: Path, index: int) -> tuple[list[Word], str, float, float]:
    """Words (boxes in points from the top left), text and page size of a born-digital page, as
    it is shown (see `_as_shown`).

    pdfminer builds tables from numbers in the file (character code ranges of CMaps, widths),
    which the reception cannot check all of: it runs under a time and memory bound."""
    try:
        with _bounded(TEXT_SECONDS, TEXT_MEMORY), pdfplumber.open(_as_shown(path, index)) as pdf:
            page = pdf.pages[0]
            words = _in_lines([
                Word(w["text"], 1.0, (w["x0"], w["top"], w["x1"], w["bottom"]), line=round(w["top"]))
                for w in page.extract_words(keep_blank_chars=False, use_text_flow=True)
            ])
            return words, page.extract_text() or "", float(page.width), float(page.height)
    except Exception as e:  # noqa: BLE001 - pdfminer's errors, whatever their type: the file's fault
        if isinstance(e, (MemoryError, _Overrun)) or isinstance(e.__context__, (MemoryError, _Overrun)):
            raise CorruptInput(f"the text of page {index + 1} of the PDF takes more than {TEXT_SECONDS} s or "
                               f"{TEXT_MEMORY >> 30} GiB to read") from e
        raise CorruptInput(f"the text of page {index + 1} of the PDF cannot be read: {e}") from e


DIGIT_GAP = 0.6  # of the print's height: digits closer than this on one line are one number


def _in_lines(words: list[Word]) -> list[Word]:
    """The words in reading order, each with the line it stands on: words whose middles agree
    share a line even when they come from different content (a signature's appearance stamps
    the number into the "Số: …" line a point higher); digits a signing tool stamped one at a
    time, spaced ("5 0 7"), are joined back into their number."""
    lines: list[tuple[float, float, int]] = []  # middle, height, id
    placed = []
    for word in words:
        middle, height = (word.bbox[1] + word.bbox[3]) / 2, word.bbox[3] - word.bbox[1]
        line = next((n for m, h, n in lines if abs(middle - m) < 0.3 * min(height, h)), None)
        if line is None:
            line = round(word.bbox[1])
            lines.append((middle, height, line))
        placed.append(replace(word, line=line))
    out: list[Word] = []
    for word in sorted(placed, key=lambda w: (w.line, w.bbox[0])):
        last = out[-1] if out else None
        if (last is not None and last.text.isdigit() and word.text[:1].isdigit() and last.line == word.line
                and 0 <= word.bbox[0] - last.bbox[2] < DIGIT_GAP * (word.bbox[3] - word.bbox[1])):
            out[-1] = replace(last, text=last.text + word.text, bbox=(
                last.bbox[0], min(last.bbox[1], word.bbox[1]), word.bbox[2], max(last.bbox[3], word.bbox[3])))
        else:
            out.append(word)
    return out


class _Overrun(Exception):
    pass


@contextmanager
def _bounded(seconds: float, memory: int) -> Iterator[None]:
    """An alarm and an address-space limit, so that pure-Python parsing of a hostile file raises
    (_Overrun, MemoryError) instead of running for ever or taking the machine's memory.

    Both act on the whole process, so they are set only in a process's main thread, which is
    where the workers run their steps; in any other thread this bounds nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm") as statm:
            ceiling = int(statm.read().split()[0]) * resource.getpagesize() + memory
    except OSError:
        ceiling = resource.RLIM_INFINITY
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)

    def overrun(signum, frame):
        raise _Overrun

    previous = signal.signal(signal.SIGALRM, overrun)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    if soft == resource.RLIM_INFINITY or ceiling < soft:
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
