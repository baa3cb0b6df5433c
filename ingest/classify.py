"""Which kind of paper a document is, from its text; robust to lost diacritics.

A first, keyword-based reading; field extraction (a later issue) refines it with layout.
"""

from __future__ import annotations

import re

from search.text import fold, nfc

SIGNS: list[tuple[str, tuple[str, ...]]] = [
    ("citizen_id_card", ("can cuoc cong dan", "citizen identity card", "can cuoc", "identity card")),
    ("birth_certificate", ("giay khai sinh", "birth certificate", "trich luc khai sinh")),
    ("admin_document", ("quyet dinh", "cong van", "thong bao", "nghi dinh", "thong tu", "to trinh",
                        "ke hoach", "bao cao", "v/v")),
]


def classify(text: str) -> str:
    folded = _fold(text)
    head = folded[:1500]  # the kind of a paper is printed near its top
    for doc_type, phrases in SIGNS:
        if any(p in head for p in phrases):
            if doc_type != "admin_document" or re.search(r"\bso\s*:", head):
                return doc_type
    return "other"


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", fold(nfc(text)).lower())
