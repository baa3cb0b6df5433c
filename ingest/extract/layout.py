"""Rows of words as they stand on the page, and the character-level view that labels need.

A row is every OCR line whose vertical extent overlaps another's: a label and its value far to
the right can come back from Tesseract as separate lines, and merged words ("Giớitính:", "/Sex:Nữ")
are common, so matching works on characters, each remembering the word it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean, median

from ocr.model import PageResult, Word
from search.text import fold, nfc


@dataclass(frozen=True)
class Span:
    """A stretch of a row: its text as printed, where it is and how surely it was read."""

    text: str
    page: int
    bbox: tuple[float, float, float, float]
    confidence: float  # the mean of its words'
    least: float = 1.0  # its least sure word's: a handwritten part reads far below the print


@dataclass
class Row:
    page: int
    words: list[Word]
    text: str = ""  # NFC word texts joined by single spaces
    owner: list[int] = field(default_factory=list)  # word index of each character, -1 for spaces
    key: str = ""  # lower-case unmarked letters and digits of the text
    key_pos: list[int] = field(default_factory=list)  # index in ``text`` of each key character

    def __post_init__(self) -> None:
        self.words = sorted(self.words, key=lambda w: w.bbox[0])
        parts, owner = [], []
        for i, w in enumerate(self.words):
            if parts:
                parts.append(" ")
                owner.append(-1)
            t = nfc(w.text)
            parts.append(t)
            owner.extend([i] * len(t))
        self.text = "".join(parts)
        self.owner = owner
        low = fold(self.text).lower()
        self.key_pos = [i for i, c in enumerate(low) if c.isascii() and c.isalnum()]
        self.key = "".join(low[i] for i in self.key_pos)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return _union([w.bbox for w in self.words])

    @property
    def height(self) -> float:
        return median(w.bbox[3] - w.bbox[1] for w in self.words)

    def word_start(self, k: int) -> bool:
        """Whether key character ``k`` begins a word (or follows punctuation inside one)."""
        p = self.key_pos[k]
        return p == 0 or not self.text[p - 1].isalnum()

    def char_of_key(self, k: int) -> int:
        return self.key_pos[k] if k < len(self.key_pos) else len(self.text)

    def span(self, start: int, end: int, trim_end: bool = True) -> Span | None:
        """The characters ``text[start:end]`` trimmed of separators (not at the end when
        ``trim_end`` is false: a line a sentence goes on from), or None if nothing is left."""
        while start < end and self.text[start] in " :;/|-–—,.":
            start += 1
        while trim_end and end > start and self.text[end - 1] in " :;/|-–—,":
            end -= 1
        while end > start and self.text[end - 1] == " ":
            end -= 1
        if start >= end:
            return None
        boxes, confidences = [], []
        for i in sorted({self.owner[c] for c in range(start, end) if self.owner[c] >= 0}):
            w = self.words[i]
            first = self.owner.index(i)
            length = len(nfc(w.text))
            a, b = max(start, first) - first, min(end, first + length) - first
            x0, y0, x1, y1 = w.bbox
            boxes.append((x0 + (x1 - x0) * a / length, y0, x0 + (x1 - x0) * b / length, y1))
            confidences.append(w.confidence)
        return Span(self.text[start:end], self.page, _union(boxes), mean(confidences), min(confidences))


TALL = 3.5  # a "word" this many times taller than the page's usual word is a picture read as text
SURE = 0.5  # the confidence of the words whose height is text's usual height


def _lines(page: PageResult) -> dict[int, list[Word]]:
    """The page's words by the OCR line they were read in. A word far taller than text is left
    out: marks read in a photo or a fingerprint would join the rows it spans into one. Text's
    usual height is taken from words of two letters or digits at least, read with some
    confidence: a card's dotted lines and guilloche read as a crowd of dots and dashes, or of
    small unsure "words" ("NA", "(CC"), and their height is no measure of the print's."""
    words = [w for w in page.words if w.text.strip()]
    if not words:
        return {}
    wordlike = [w for w in words if sum(c.isalnum() for c in w.text) >= 2]
    wordlike = [w for w in wordlike if w.confidence >= SURE] or wordlike or words
    usual = median(w.bbox[3] - w.bbox[1] for w in wordlike)
    lines: dict[int, list[Word]] = {}
    for w in words:
        if w.bbox[3] - w.bbox[1] <= TALL * usual:
            lines.setdefault(w.line, []).append(w)
    return lines


def rows(pages: list[PageResult]) -> list[Row]:
    """Every page's words grouped into visual rows, top to bottom, pages in order."""
    result: list[Row] = []
    for page in pages:
        lines = _lines(page)
        # A line joins the row whose middle it shares: comparing with the row's growing box
        # instead would chain two close rows together through one tall word.
        bands: list[tuple[list[Word], float, float]] = []  # words, middle, height of the first line
        for line in sorted(lines.values(), key=lambda ws: _union([w.bbox for w in ws])[1]):
            box = _union([w.bbox for w in line])
            middle, height = (box[1] + box[3]) / 2, box[3] - box[1]
            for band, band_middle, band_height in bands:
                if abs(middle - band_middle) < 0.5 * min(height, band_height):
                    band.extend(line)
                    break
            else:
                bands.append((list(line), middle, height))
        result.extend(Row(page.number, band) for band, _, _ in bands)
    return result


def segments(pages: list[PageResult]) -> list[Row]:
    """OCR lines cut where a wide gap separates columns (agency | national heading)."""
    result: list[Row] = []
    for page in pages:
        lines = _lines(page)
        for line in lines.values():
            line.sort(key=lambda w: w.bbox[0])
            height = median(w.bbox[3] - w.bbox[1] for w in line)
            current = [line[0]]
            for w in line[1:]:
                if w.bbox[0] - current[-1].bbox[2] > 2.5 * height:
                    result.append(Row(page.number, current))
                    current = []
                current.append(w)
            result.append(Row(page.number, current))
    result.sort(key=lambda r: (r.page, r.bbox[1], r.bbox[0]))
    return result


def _union(boxes) -> tuple[float, float, float, float]:
    boxes = list(boxes)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))
