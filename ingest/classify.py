"""Which kind of paper a document is, from its OCR text and layout; robust to lost diacritics.

Every comparison is on folded keys (lower-case, no marks, letters and digits only) with a small
edit distance, so "CAN CƯƠC" and "GIAY KHAl SINH" still count. A title printed on a line of its
own ("CĂN CƯỚC CÔNG DÂN", "GIẤY KHAI SINH") outweighs the same words inside a sentence, which
is how a decision *about* citizen ID cards stays an administrative document.
"""

from __future__ import annotations

import re

from ocr.model import PageResult

from .extract.admin import SUBJECT, TYPE_NAMES
from .extract.fuzzy import folded, key, similar
from .extract.layout import rows

TITLES: list[tuple[str, tuple[str, ...]]] = [
    ("citizen_id_card", ("CĂN CƯỚC CÔNG DÂN", "CĂN CƯỚC", "CITIZEN IDENTITY CARD", "IDENTITY CARD",
                         "CHỨNG MINH NHÂN DÂN")),
    ("birth_certificate", ("GIẤY KHAI SINH", "TRÍCH LỤC KHAI SINH", "BIRTH CERTIFICATE",
                           "BẢN SAO GIẤY KHAI SINH")),
]
# "Số: 684/QĐ-BTTTT", "Số: 2584/2020/NQ-UBND", folded
_NUMBER = re.compile(r"\bso\s*[:.]?\s*(?:\d+\s*/\s*)+[a-z]")
_SUBJECT = SUBJECT  # "V/v triển khai …", an official letter's subject, as OCR reads it
HEAD = 0.4  # the share of a page's lines, from the top, where titles and numbers are printed


def classify(pages: list[PageResult] | str) -> str:
    """``citizen_id_card``, ``birth_certificate``, ``admin_document`` or ``other``.

    Takes the pages as read; a plain string is accepted for callers that only have text.
    """
    if isinstance(pages, str):
        return classify_text(pages)
    lines = [r.text for r in rows([p for p in pages[:2] if p.words])]
    if not lines:
        return classify_text("\n\n".join(p.text for p in pages))
    return _classify_lines(lines)


def classify_text(text: str) -> str:
    """The same decision from text alone, one printed line per text line."""
    return _classify_lines([line for line in text.splitlines() if line.strip()])


def _classify_lines(lines: list[str]) -> str:
    head = lines[:max(8, round(len(lines) * HEAD))]
    keys = [key(line) for line in head]
    # 1. A title on a line of its own.
    for doc_type, titles in TITLES:
        for title in map(key, titles):
            if any(k and similar(title, k) for k in keys):
                return doc_type
    # 2. The Decree 30 layout: a number "Số: n/ABC" near the top and a type name or "V/v".
    low = [folded(line) for line in head]
    if any(_NUMBER.search(line) for line in low):
        if any(_SUBJECT.match(line) for line in low):
            return "admin_document"
        if any(similar(key(t), k) for t in TYPE_NAMES for k in keys if k):
            return "admin_document"
    # 3. A title run into other text (a badly segmented scan): whole words, marks ignored.
    joined = " " + " ".join(" ".join(re.findall(r"[a-z0-9]+", line)) for line in low) + " "
    for doc_type, titles in TITLES:
        if any(f" {folded(t)} " in joined for t in titles[:2]):
            return doc_type
    return "other"
