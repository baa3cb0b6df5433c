"""Numbers and days written by hand into the blanks of typed lines, read off the page image.

The typed words around a blank say where it is: "Số:" and the symbol's slash for a number,
"ngày" and "tháng" for a day. Between them `ocr.handwriting` reads the pen's digits, and the
likeliest value that makes sense is taken: a number of 1-5 digits not starting with 0, a day
that exists in the typed month and year. Such a value is never sure enough to stand alone: it
always goes to the clerk (`review: true`), its box covering the blank so the review screen shows
the handwriting beside it, with the reading's probability as its confidence, at most
``CONFIDENCE``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ocr import OcrError, handwriting
from ocr.model import PageResult
from search.text import nfc

from .layout import Row
from .model import ExtractedField
from .validate import date_problem

Box = tuple[float, float, float, float]
# Reads the digits in a box of a page: (page number, box, typed line height, whether a typed
# slash ends the box) → digits.
Reader = Callable[[int, Box, float, bool], list[handwriting.Digit]]
CONFIDENCE = 0.6  # the most a handwritten reading is trusted: under the review threshold
# Pen digits in the blanks stand 1.25-1.7 times as high as the typed digits and capitals of
# their line (bench/extraction.py's pen; about 1.4 on real scans), typed digits 1.
TALL = 1.15
UNLABELLED = 6.0  # how far left of the symbol's slash, in line heights, "Số:" and five pen digits reach


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: float
    bbox: Box  # the blank's ink
    tall: bool  # written larger than the type around it, as hands write, never as typed digits stand


def page_reader(pages: list[PageResult]) -> Reader:
    """A reader over the page images of ``pages`` (recognised pages keep theirs in ``pdf``);
    pages without one (text layers, words given without an image) read as blank."""
    images = {p.number: p for p in pages if p.source == "ocr" and p.pdf is not None and p.dpi}

    def read(page: int, box: Box, line_height: float, before_slash: bool) -> list[handwriting.Digit]:
        found = images.get(page)
        if found is None or not found.pdf.exists():
            return []
        try:
            return handwriting.read(found.pdf, box, found.dpi, line_height, before_slash)
        except OcrError:
            return []  # the image could not be drawn: the field stays as the words give it

    return read


def _plausible_number(text: str) -> bool:
    return 1 <= len(text) <= 5 and text[0] != "0"


def number(read: Reader, row: Row, start: int, end: int) -> Reading | None:
    """The number written between ``row.text[:start]`` ("Số:") and ``row.text[end:]`` (the
    symbol's slash)."""
    return _reading(read, row, start, end, _plausible_number, before_slash=True)


def day(read: Reader, row: Row, start: int, end: int, year: int, month: int) -> Reading | None:
    """The day written between ``row.text[:start]`` ("ngày") and ``row.text[end:]`` ("tháng")."""
    return _reading(read, row, start, end,
                    lambda t: len(t) <= 2 and not date_problem(f"{year:04d}-{month:02d}-{int(t):02d}"))


def marked(field: ExtractedField, reading: Reading, what: str) -> ExtractedField:
    """``field`` taking the reading's confidence and the blank into its box, for the clerk."""
    box = (min(field.bbox[0], reading.bbox[0]), min(field.bbox[1], reading.bbox[1]),
           max(field.bbox[2], reading.bbox[2]), max(field.bbox[3], reading.bbox[3]))
    field = replace(field, confidence=1.0, bbox=tuple(round(v, 1) for v in box))
    return field.doubted(f"the {what} is handwritten, read as {reading.text}: check it against the page",
                         min(CONFIDENCE, reading.confidence))


def unlabelled_number(read: Reader, row: Row, slash: int) -> tuple[Box, Reading | None]:
    """The blank before the symbol's slash at ``row.text[slash]`` on a number line whose "Số:" OCR
    lost with the pen's digits, and the number written in it. Nothing typed says where the blank
    starts, so it reaches as far left as the label and five pen digits would (the line stands
    alone, centred in the left column); the label's typed letters it takes in stand no higher
    than type and are left out."""
    right = _left_edge(row, slash)
    left = max(0.0, min(row.bbox[0], right - UNLABELLED * row.height))
    # Only the symbol may stand for the line's height: the pen rises further above it than above "Số:".
    box = (left, row.bbox[1] - row.height, right, row.bbox[3] + 0.35 * row.height)
    typed = TALL * _type_height(row, box)
    digits = read(row.page, box, row.height, True)
    while digits and digits[0].bbox[3] - digits[0].bbox[1] < typed:
        digits = digits[1:]  # "S", "ố", ":" of the label
    return box, _likeliest(row, box, digits, _plausible_number)


def _reading(read: Reader, row: Row, start: int, end: int, plausible: Callable[[str], bool],
             before_slash: bool = False) -> Reading | None:
    box = _blank(row, start, end)
    if box is None:
        return None
    return _likeliest(row, box, read(row.page, box, row.height, before_slash), plausible)


def _likeliest(row: Row, box: Box, digits: list[handwriting.Digit], plausible: Callable[[str], bool]) -> Reading | None:
    found = handwriting.likeliest(digits, plausible)
    if found is None:
        return None
    ink = (min(d.bbox[0] for d in digits), min(d.bbox[1] for d in digits),
           max(d.bbox[2] for d in digits), max(d.bbox[3] for d in digits))
    heights = sorted(d.bbox[3] - d.bbox[1] for d in digits)
    return Reading(found[0], round(found[1], 4), ink, heights[len(heights) // 2] >= TALL * _type_height(row, box))


def _blank(row: Row, start: int, end: int) -> Box | None:
    """The box from the typed character before ``start`` to the one at ``end``, tall enough for
    digits written larger than the type."""
    before = start - 1
    while before >= 0 and row.owner[before] < 0:
        before -= 1
    if before < 0 or end >= len(row.text) or row.owner[end] < 0:
        return None
    left, right = _right_edge(row, before), _left_edge(row, end)
    if right - left < 0.5 * row.height:
        return None
    top, bottom = row.bbox[1], row.bbox[3]
    return (left, top - 0.7 * row.height, right, bottom + 0.35 * row.height)


def _type_height(row: Row, blank: Box) -> float:
    """How high typed digits and capitals stand on the row: its words after the blank that hold
    them (the symbol "/QĐ-UBND", the year), else its words' usual height."""
    heights = [w.bbox[3] - w.bbox[1] for w in row.words
               if w.bbox[0] >= blank[2] - 1 and any(c.isdigit() or c.isupper() for c in w.text)]
    return min(heights) if heights else row.height


def _right_edge(row: Row, i: int) -> float:
    """Where character ``i`` ends: counted in typed characters from its word's left edge (a
    word may run on into the handwriting: "Số:4‡")."""
    first, (x0, _, x1, _) = row.owner.index(row.owner[i]), row.words[row.owner[i]].bbox
    if i + 1 == first + len(nfc(row.words[row.owner[i]].text)):
        return x1
    return min(x1, x0 + (i - first + 1) * _pitch(row))


def _left_edge(row: Row, i: int) -> float:
    """Where character ``i`` starts: counted in typed characters from its word's right edge (the
    handwriting may run into the symbol's word: "ƒ207/UBND-PC")."""
    w = row.owner[i]
    last = row.owner.index(w) + len(nfc(row.words[w].text))
    x0, _, x1, _ = row.words[w].bbox
    if i == row.owner.index(w):
        return x0
    return max(x0, x1 - (last - i) * _pitch(row))


def _pitch(row: Row) -> float:
    """The typed characters' usual width on the row: of its words of letters, else half its height."""
    widths = sorted((w.bbox[2] - w.bbox[0]) / len(nfc(w.text)) for w in row.words
                    if sum(c.isalpha() for c in w.text) >= 3 and w.text.isalpha())
    return widths[len(widths) // 2] if widths else row.height * 0.5
