"""PDF adapter: structure checks (pikepdf), text of born-digital pages (pdfplumber),
rasterizing scanned pages (pypdfium2)."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2
from PIL import Image

from .errors import CorruptInput, EncryptedPdf, InputTooLarge
from .model import Word

ENCRYPTED = (
    "the PDF is encrypted: remove the password and send the unencrypted file "
    "(tệp PDF được mã hóa: hãy gỡ mật khẩu và gửi lại tệp không mã hóa)"
)


def inspect(path: Path, min_text_chars: int, max_pages: int) -> list[bool]:
    """For each page, whether it is scanned (needs OCR) rather than born digital."""
    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                raise EncryptedPdf(ENCRYPTED)
            count = len(pdf.pages)
    except pikepdf.PasswordError as e:
        raise EncryptedPdf(ENCRYPTED) from e
    except pikepdf.PdfError as e:
        raise CorruptInput(f"the PDF cannot be read: {e}") from e
    if count == 0:
        raise CorruptInput("the PDF has no pages")
    if count > max_pages:
        raise InputTooLarge(f"more than {max_pages} pages in one PDF")
    try:
        document = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as e:
        raise CorruptInput(f"the PDF cannot be read: {e}") from e
    try:
        scanned = []
        for page in document:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            scanned.append(sum(not c.isspace() for c in text) < min_text_chars)
        return scanned
    finally:
        document.close()


def render(path: Path, index: int, dpi: int) -> Image.Image:
    try:
        document = pypdfium2.PdfDocument(path)
        try:
            bitmap = document[index].render(scale=dpi / 72)
            return bitmap.to_pil().convert("RGB")
        finally:
            document.close()
    except pypdfium2.PdfiumError as e:
        raise CorruptInput(f"page {index + 1} of the PDF cannot be rendered: {e}") from e


def page_words(path: Path, index: int) -> tuple[list[Word], str, float, float]:
    """Words (boxes in points from the top left), text and page size of a born-digital page."""
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[index]
        words = [
            Word(w["text"], 1.0, (w["x0"], w["top"], w["x1"], w["bottom"]), line=round(w["top"]))
            for w in page.extract_words(keep_blank_chars=False, use_text_flow=True)
        ]
        return words, page.extract_text() or "", float(page.width), float(page.height)
