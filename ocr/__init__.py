"""Pixels to text: input checks, rasterizing, page geometry, Tesseract, text-layer pages.

Depends on nothing else in HoSo.
"""

from functools import lru_cache

from . import _tesseract
from .engine import read_page
from .errors import CorruptInput, EncryptedPdf, EngineFailed, InputTooLarge, OcrError, UnsupportedMediaType
from .model import PageResult, SourceInfo, SourcePage, Word
from .options import OcrOptions
from .sources import MEDIA_TYPES, inspect, sniff, sniff_file

__all__ = [
    "MEDIA_TYPES", "CorruptInput", "EncryptedPdf", "EngineFailed", "InputTooLarge", "OcrError",
    "OcrOptions", "PageResult", "SourceInfo", "SourcePage", "UnsupportedMediaType", "Word",
    "engine_version", "inspect", "read_page", "sniff", "sniff_file",
]


@lru_cache(maxsize=1)
def engine_version() -> str:
    """The Tesseract version, recorded in every ocr.json; raises EngineFailed if missing."""
    return _tesseract.version()
