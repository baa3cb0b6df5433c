"""Errors raised by the ocr package: what was wrong with the input, or with the engine."""


class OcrError(Exception):
    code = "ocr_failed"


class UnsupportedMediaType(OcrError):
    code = "unsupported_media_type"


class CorruptInput(OcrError):
    code = "corrupt_input"


class EncryptedPdf(CorruptInput):
    code = "encrypted_pdf"


class InputTooLarge(OcrError):
    """More pixels or pages than a real scan has: a decompression bomb or a mistake."""

    code = "input_too_large"


class EngineFailed(OcrError):
    """Tesseract (or a renderer) failed, timed out, or is missing."""

    code = "ocr_engine_failed"
