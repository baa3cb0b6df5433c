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
