"""Fields read from a classified document: label-anchored reading on OCR word boxes.

``extract(doc_type, pages)`` returns the fields DESIGN.md names for the type, each with where
it was read, how surely, and — when a check fails — why the clerk should look at it.
"""

from __future__ import annotations

from datetime import date

from ocr.model import PageResult

from . import card, handwritten, layout, validate
from .admin import admin_document
from .model import REVIEW_BELOW, ExtractedField
from .personal import birth_certificate

__all__ = ["ExtractedField", "REVIEW_BELOW", "extract"]


def extract(doc_type: str, pages: list[PageResult], today: date | None = None) -> dict[str, ExtractedField]:
    """The fields of a document of ``doc_type`` found on ``pages``; a field not found is absent."""
    pages = [p for p in pages if p.words or p.codes]
    if not pages:
        return {}
    if doc_type == "citizen_id_card":
        fields = card.citizen_id_card(pages)
    elif doc_type == "birth_certificate":
        fields = birth_certificate(layout.rows(pages))
    elif doc_type == "admin_document":
        fields = admin_document(layout.segments(pages), pages[0].width, pages[0].height,
                                handwritten.page_reader(pages))
    else:
        return {}
    return validate.check(doc_type, validate.repair(doc_type, fields, today), today)
