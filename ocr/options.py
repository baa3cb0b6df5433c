"""How pages are read; built once by the settings object and passed to every worker."""

from pydantic import BaseModel


class OcrOptions(BaseModel):
    language: str = "vie"
    render_dpi: int = 300  # scanned PDF pages are rasterized at this resolution
    default_dpi: int = 300  # assumed for images that do not say
    orientation: bool = True
    deskew: bool = True
    cleanup: bool = True  # the steps of ocr/cleanup.py (page finding, light, ink, rules, … upscaling)
    skip_steps: list[str] = []  # steps not to run (ocr.cleanup.STEPS, "card", "order": ocr/reading.py)
    review_confidence: float = 0.7  # words below are marked for the clerk's review
    max_skew: float = 10.0  # degrees
    jpeg_quality: int = 85  # page images in the archival copy
    timeout: float = 120.0  # seconds per Tesseract call
    max_pages: int = 500
    max_pixels: int = 120_000_000  # per page; a 600-dpi A3 scan is about 70 Mpx
    min_text_chars: int = 20  # a PDF page with fewer characters is treated as scanned
