"""What reading a page produces. Plain data, so it crosses process boundaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0..1
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the upright page
    line: int  # index of the line on the page, for rebuilding the text
    review: bool = False  # confidence under the threshold: the clerk should check it


@dataclass(frozen=True)
class Code:
    """What a paper states for machines, read before its print: the QR code of a chip ID card,
    the machine-readable zone of its back (its lines as OCR read them, joined by newlines;
    ``ocr.mrz.parse`` puts them right by their check digits, and ``valid`` says whether it could)."""

    kind: Literal["qr", "mrz"]
    text: str
    bbox: tuple[float, float, float, float]  # on the upright page, in pixels
    valid: bool = True  # QR: decoded (error-corrected by the code itself); MRZ: every check digit agrees
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Capture:
    """How well an ID card was photographed (ocr/capture.py): what the clerk is told while the
    citizen can still take the photo again."""

    pixels_per_mm: float  # of the photo, along the card
    sharpness: float  # variance of the Laplacian per unit of the print's contrast
    too_small: bool  # too few pixels per millimetre for the QR code and the MRZ to be read
    blurred: bool
    glare: tuple[tuple[float, float, float, float], ...] = ()  # washed-out boxes on the upright page, pixels

    def glare_over(self, box: tuple[float, float, float, float]) -> float:
        """The share of ``box`` (page pixels) under glare."""
        x0, y0, x1, y1 = box
        area = max((x1 - x0) * (y1 - y0), 1.0)
        return sum(max(0.0, min(x1, g[2]) - max(x0, g[0])) * max(0.0, min(y1, g[3]) - max(y0, g[1]))
                   for g in self.glare) / area


@dataclass(frozen=True)
class SourcePage:
    index: int  # 0-based
    scanned: bool  # False for a born-digital PDF page whose text is read directly


@dataclass(frozen=True)
class SourceInfo:
    media_type: str
    pages: tuple[SourcePage, ...]

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def born_digital(self) -> bool:
        return not any(p.scanned for p in self.pages)


@dataclass
class PageResult:
    number: int  # 1-based
    source: Literal["ocr", "text-layer"]
    width: int  # pixels for OCR pages, points for text-layer pages
    height: int
    dpi: int | None
    rotation: int = 0
    skew: float = 0.0
    words: list[Word] = field(default_factory=list)
    text: str = ""
    steps: list[str] = field(default_factory=list)  # the clean-up and geometry steps applied
    pdf: Path | None = None  # one-page PDF: page image + invisible text layer (OCR pages)
    codes: list[Code] = field(default_factory=list)  # machine-readable parts found on the page
    seconds: float = 0.0  # how long reading the page took in its worker
    capture: Capture | None = None  # how well the card was photographed, on a card cut out of a photo

    @property
    def confidence(self) -> float | None:
        if self.source != "ocr" or not self.words:
            return None
        return round(sum(w.confidence for w in self.words) / len(self.words), 4)

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("pdf")
        data["confidence"] = self.confidence
        return data
