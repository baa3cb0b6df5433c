"""Reading an ID card found in a photo: flatten it, turn it upright, read what it states for
machines (QR code, MRZ), then its print.

The steps, each deciding once from the best evidence it has:
- flatten: the card's corners (ocr/card.py) map it to a fixed size, 20 pixels per millimetre;
- turn: a chip card's QR code stands top right on the front, the MRZ's long lines at the bottom
  of the back; failing both, the shape of the text lines decides, then Tesseract;
- QR code and MRZ: decoded and checked (ocr/_qr.py, ocr/mrz.py) into the page's ``codes``;
- print: Tesseract reads the card; a word that is mostly digits (a number, a date) is read again
  alone with digits only, which a card's guilloche background otherwise spoils.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from . import _qr, _tesseract, card, mrz, preprocess
from .model import Code, PageResult, Word
from .options import OcrOptions

DIGITS = "0123456789/.-"
OSD_MIN_CONFIDENCE = 1.0


@dataclass
class CardPage:
    result: PageResult  # the page read; its pdf is the text layer alone
    image: np.ndarray  # the flattened card, upright, in colour: the archival page
    dpi: int


def read(photo: np.ndarray, found: card.Found, number: int, options: OcrOptions, workdir: Path) -> CardPage:
    flat = card.warp(photo, found.corners)
    if flat.ndim == 2:
        flat = cv2.cvtColor(flat, cv2.COLOR_GRAY2RGB)
    dpi = card.dpi()
    steps = ["card"]
    qr = _qr.decode(flat)
    gray = _gray(flat)
    if _upside_down(gray, qr, dpi, options):
        flat, gray = np.ascontiguousarray(flat[::-1, ::-1]), np.ascontiguousarray(gray[::-1, ::-1])
        if qr is not None:
            qr = (qr[0], np.float32([flat.shape[1] - 1, flat.shape[0] - 1]) - qr[1])
        steps.append("turn")
    codes = []
    if qr is not None:
        codes.append(Code("qr", qr[0], _box(qr[1])))
    zone = mrz.read(gray, dpi=dpi, timeout=options.timeout)
    if zone is not None:
        lines, parsed, box = zone
        codes.append(Code("mrz", "\n".join(lines), tuple(float(v) for v in box), parsed.valid,
                          tuple(parsed.problems)))
    image_path = workdir / f"page-{number:04d}-card.pgm"
    Image.fromarray(gray).save(image_path)
    recognition = _tesseract.recognise(image_path, workdir / f"page-{number:04d}-text", language=options.language,
                                       dpi=dpi, timeout=options.timeout, psm=11)
    image_path.unlink()
    words = _digits_again(gray, recognition.words, dpi, options)
    if zone is not None:  # the zone's characters are in its code; read as Vietnamese they are noise
        words = [w for w in words if not _inside(w.bbox, zone[2])]
    result = PageResult(number, "ocr", gray.shape[1], gray.shape[0], dpi, words=words,
                        text=_text(words), steps=steps, pdf=recognition.text_layer_pdf, codes=codes)
    return CardPage(result, flat, dpi)


def _gray(flat: np.ndarray) -> np.ndarray:
    """Grey for reading: the darkest channel keeps black print black on any tint of guilloche,
    and the light and glare of the photo are divided out."""
    gray = flat.min(axis=2)
    background = cv2.dilate(gray, np.ones((15, 15), np.uint8))
    background = cv2.GaussianBlur(background, (0, 0), 9)
    flat_light = np.clip(gray.astype(np.float32) / np.maximum(background, 1).astype(np.float32) * 235, 0, 255)
    return flat_light.astype(np.uint8)


def _upside_down(gray: np.ndarray, qr: tuple[str, np.ndarray] | None, dpi: int, options: OcrOptions) -> bool:
    height, width = gray.shape
    if qr is not None:  # top right on the front of a chip card
        x, y = qr[1].mean(axis=0)
        return bool(x < width / 2 and y > height / 2)
    if len(mrz.lines_at_bottom(gray)) >= 3:
        return False
    if len(mrz.lines_at_bottom(np.ascontiguousarray(gray[::-1, ::-1]))) >= 3:
        return True
    geometry = preprocess.analyse(Image.fromarray(gray), 5.0)
    if geometry.upside_down is not None:
        return geometry.upside_down
    rotation, confidence = _tesseract.orientation(Image.fromarray(gray), dpi=dpi, timeout=options.timeout)
    return rotation == 180 and confidence >= OSD_MIN_CONFIDENCE


def _digits_again(gray: np.ndarray, words: list[Word], dpi: int, options: OcrOptions) -> list[Word]:
    """Words that are mostly digits read once more alone, with digits only; the new reading is
    kept when it is as long and surer."""
    out = []
    for word in words:
        text = word.text
        digits = sum(c.isdigit() for c in text)
        if digits < 4 or digits < 0.6 * len(text):
            out.append(word)
            continue
        x0, y0, x1, y1 = (round(v) for v in word.bbox)
        pad = max(4, (y1 - y0) // 3)
        crop = gray[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad]
        read, _ = _tesseract.read(Image.fromarray(crop), language="eng", dpi=dpi, timeout=options.timeout,
                                  psm=7, charset=DIGITS)
        again = "".join(w.text for w in read)
        confidence = min((w.confidence for w in read), default=0.0)
        kept_digits = sum(c.isdigit() for c in again)
        if again and kept_digits >= digits and confidence >= word.confidence:
            out.append(replace(word, text=again, confidence=confidence))
        else:
            out.append(word)
    return out


def _inside(box: tuple[float, float, float, float], zone: tuple[int, int, int, int]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return zone[0] <= cx <= zone[2] and zone[1] <= cy <= zone[3]


def _box(points: np.ndarray) -> tuple[float, float, float, float]:
    return (float(points[:, 0].min()), float(points[:, 1].min()), float(points[:, 0].max()), float(points[:, 1].max()))


def _text(words: list[Word]) -> str:
    lines: dict[int, list[str]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w.text)
    return "\n".join(" ".join(line) for line in lines.values())
