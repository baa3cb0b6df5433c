"""Tesseract adapter: the only place that builds a Tesseract command line (via pytesseract)."""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytesseract
from PIL import Image

from .errors import EngineFailed
from .model import Word

# One thread per process: the worker pool already uses every core, and OpenMP threads
# inside each Tesseract would only fight over them.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@dataclass(frozen=True)
class Recognition:
    words: list[Word]
    text: str
    text_layer_pdf: Path  # one page, invisible text only (textonly_pdf), sized by --dpi
    paragraphs: list[tuple[int, int]]  # Tesseract's (block, paragraph) of each line of `words`


def version() -> str:
    try:
        return str(pytesseract.get_tesseract_version())
    except (pytesseract.TesseractNotFoundError, OSError) as e:
        raise EngineFailed("tesseract is not installed (Debian: apt-get install tesseract-ocr)") from e


def recognise(image: Path, out_base: Path, *, language: str, dpi: int, timeout: float,
              psm: int = 3) -> Recognition:
    """One Tesseract run giving both the word table (TSV) and the text-layer PDF page; ``psm``
    11 (sparse text) for a card, whose print stands in scattered fields."""
    config = f"--dpi {dpi} --psm {psm} -c tessedit_create_tsv=1 -c textonly_pdf=1"
    try:
        pytesseract.pytesseract.run_tesseract(
            str(image), str(out_base), "pdf", language, config=config, timeout=timeout
        )
    except (pytesseract.TesseractError, pytesseract.TesseractNotFoundError, OSError) as e:
        raise EngineFailed(f"tesseract failed: {e}") from e
    except RuntimeError as e:  # pytesseract raises a bare RuntimeError on timeout (TesseractError is one too)
        raise EngineFailed(f"tesseract timed out after {timeout:.0f} s") from e
    tsv = Path(f"{out_base}.tsv").read_text(encoding="utf-8")
    words, text, paragraphs = _parse_tsv(tsv)
    return Recognition(words, text, Path(f"{out_base}.pdf"), paragraphs)


def read(image: Image.Image, *, language: str, dpi: int, timeout: float, psm: int = 7,
         charset: str | None = None) -> tuple[list[Word], str]:
    """Words and text of a small image (a line, a zone of a card) read in one page-segmentation
    mode, restricted to ``charset`` when given (digits for a number, the MRZ alphabet)."""
    words, text, _ = _parse_tsv(_small(pytesseract.image_to_data, image, language, dpi, timeout, psm, charset))
    return words, text


def read_symbols(image: Image.Image, *, language: str, dpi: int, timeout: float, psm: int = 7,
                 charset: str | None = None) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Each character of a small image as read, with its box (x0, y0, x1, y1, top-left origin),
    left to right: for print of a fixed pitch, where a character's place says what it is."""
    boxes = _small(pytesseract.image_to_boxes, image, language, dpi, timeout, psm, charset)
    height = image.height
    symbols = []
    for line in boxes.splitlines():
        parts = line.split(" ")
        if len(parts) == 6 and parts[0].strip():
            x0, y0, x1, y1 = (int(v) for v in parts[1:5])  # Tesseract counts y from the bottom
            symbols.append((parts[0], (x0, height - y1, x1, height - y0)))
    return sorted(symbols, key=lambda s: s[1][0])


def _small(run, image: Image.Image, language: str, dpi: int, timeout: float, psm: int,
           charset: str | None) -> str:
    """One pytesseract call on a small image, its failures as HoSo's."""
    config = f"--dpi {dpi} --psm {psm}"
    if charset:
        config += f" -c tessedit_char_whitelist={charset}"
    try:
        return run(image, lang=language, config=config, timeout=timeout)
    except (pytesseract.TesseractError, pytesseract.TesseractNotFoundError, OSError) as e:
        raise EngineFailed(f"tesseract failed: {e}") from e
    except RuntimeError as e:
        raise EngineFailed(f"tesseract timed out after {timeout:.0f} s") from e


def read_each(crops: list[np.ndarray], *, language: str, dpi: int, timeout: float,
              charset: str | None = None) -> list[tuple[str, float]]:
    """The text and the least word confidence of each grey crop (one line of print each), read
    in one Tesseract run: the crops are stacked with white between them, one line each, which
    costs one start-up instead of one per crop."""
    if not crops:
        return []
    gap = max(c.shape[0] for c in crops)
    width = max(c.shape[1] for c in crops) + 2 * gap
    sheet = np.full((sum(c.shape[0] + gap for c in crops) + gap, width), 255, np.uint8)
    spans = []
    y = gap
    for crop in crops:
        sheet[y:y + crop.shape[0], gap:gap + crop.shape[1]] = crop
        spans.append((y, y + crop.shape[0]))
        y += crop.shape[0] + gap
    words, _ = read(Image.fromarray(sheet), language=language, dpi=dpi, timeout=timeout, psm=6, charset=charset)
    result = []
    for top, bottom in spans:
        mine = sorted((w for w in words if top <= (w.bbox[1] + w.bbox[3]) / 2 <= bottom), key=lambda w: w.bbox[0])
        result.append((" ".join(w.text for w in mine), min((w.confidence for w in mine), default=0.0)))
    return result


def orientation(image: Image.Image, *, dpi: int, timeout: float) -> tuple[int, float]:
    """Degrees to turn the page clockwise to read it, and Tesseract's confidence."""
    try:
        osd = pytesseract.image_to_osd(image, config=f"--psm 0 --dpi {dpi}", timeout=timeout)
    except pytesseract.TesseractError:
        return 0, 0.0  # too few characters to tell: leave the page as it is
    except RuntimeError as e:
        raise EngineFailed(f"tesseract orientation detection timed out after {timeout:.0f} s") from e
    rotate = re.search(r"Rotate: (\d+)", osd)
    confidence = re.search(r"Orientation confidence: ([\d.]+)", osd)
    if not rotate or not confidence:
        return 0, 0.0
    return int(rotate.group(1)) % 360, float(confidence.group(1))


def _parse_tsv(tsv: str) -> tuple[list[Word], str, list[tuple[int, int]]]:
    """Words with boxes, the page text, and the (block, paragraph) of each line, as Tesseract
    found them."""
    words: list[Word] = []
    lines: dict[tuple[int, int, int], list[str]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row["level"] != "5" or not text:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        if key not in lines:
            lines[key] = []
        lines[key].append(text)
        left, top = int(row["left"]), int(row["top"])
        box = (left, top, left + int(row["width"]), top + int(row["height"]))
        words.append(Word(text, max(float(row["conf"]), 0.0) / 100, box, len(lines) - 1))
    return words, _join_lines(lines), [(block, par) for block, par, _ in lines]


def _join_lines(lines: dict[tuple[int, int, int], list[str]]) -> str:
    parts: list[str] = []
    previous: tuple[int, int] | None = None
    for (block, par, _), line in lines.items():
        if previous is not None and previous != (block, par):
            parts.append("\n")
        parts.append(" ".join(line) + "\n")
        previous = (block, par)
    return "".join(parts).strip()
