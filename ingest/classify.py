"""Which kind of paper a document is, from its OCR text and layout; robust to lost diacritics.

Every comparison is on folded keys (lower-case, no marks, letters and digits only), with a small
edit distance, so "CAN CƯƠC" and "GIAY KHAl SINH" still count. Each kind of paper has several
independent cues and the kind with the most weight wins: a title printed on a line of its own
("CĂN CƯỚC CÔNG DÂN", "GIẤY KHAI SINH"), the labels only that paper prints (a card's bilingual
"Date of birth", a birth certificate's "ghi bằng chữ"), and for an administrative document the
Decree 30 layout ("Số: 684/QĐ-BTTTT", a type name or "V/v", "Nơi nhận:"). So a misread title
does not lose a card whose labels are legible, and a decision *about* citizen ID cards, whose
title words stand inside a sentence, stays an administrative document.
"""

from __future__ import annotations

import re

from ocr.cardpage import FILLERS, reads_as_card
from ocr.model import PageResult

from .extract import card
from .extract.admin import SUBJECT, TYPE_NAMES
from .extract.fuzzy import folded, key, match_prefix, similar
from .extract.layout import rows

TITLES: list[tuple[str, tuple[str, ...]]] = [
    ("citizen_id_card", ("CĂN CƯỚC CÔNG DÂN", "CĂN CƯỚC", "CITIZEN IDENTITY CARD", "IDENTITY CARD",
                         "CHỨNG MINH NHÂN DÂN", "GIẤY CHỨNG MINH NHÂN DÂN")),
    ("birth_certificate", ("GIẤY KHAI SINH", "TRÍCH LỤC KHAI SINH", "BIRTH CERTIFICATE",
                           "BẢN SAO GIẤY KHAI SINH")),
]
# Labels that one kind of paper prints and the others do not (the name, birth date and sex are
# on both cards and birth certificates, so they tell nothing).
LABELS: dict[str, tuple[str, ...]] = {
    "citizen_id_card": ("Personal identification number", "Full name", "Date of birth", "Nationality",
                        "Place of origin", "Place of residence", "Date of expiry", "Có giá trị đến",
                        "Ngày hết hạn", "Nơi thường trú", "Nơi ĐKHK thường trú", "Nguyên quán", "Sinh ngày",
                        # the backs
                        "Đặc điểm nhân dạng", "Personal identification", "Dấu vết riêng và dị hình",
                        "Ngón trỏ trái", "Ngón trỏ phải", "Left index finger", "Right index finger",
                        "Date, month, year", "Place of birth registration"),
    "birth_certificate": ("Ngày, tháng, năm sinh", "ghi bằng chữ", "Nơi sinh", "tên người mẹ",
                          "tên người cha", "Quyển số", "Người đi đăng ký khai sinh", "Dân tộc"),
    "admin_document": ("Nơi nhận", "Kính gửi", "Căn cứ", "QUYẾT ĐỊNH:", "Điều 1"),
}
TITLE, RUN_IN_TITLE, LABEL, NUMBER, TYPE_LINE = 3, 1, 1, 2, 2  # the weight of each cue
ENOUGH = 3  # the least weight that names a kind; below it the paper is "other"
# "Số: 684/QĐ-BTTTT", "Số: 2584/2020/NQ-UBND", folded
_NUMBER = re.compile(r"\bso\s*[:.]?\s*(?:\d+\s*/\s*)+[a-z]")
_SUBJECT = SUBJECT  # "V/v triển khai …", an official letter's subject, as OCR reads it
_PLACE_DATE = re.compile(r"ngay\s*\d{1,2}\s*thang\s*\d{1,2}\s*nam\s*\d{4}")
HEAD = 0.4  # the share of a page's lines, from the top, where titles and numbers are printed


def classify(pages: list[PageResult] | str) -> str:
    """``citizen_id_card``, ``birth_certificate``, ``admin_document`` or ``other``.

    Takes the pages as read; a plain string is accepted for callers that only have text.
    """
    if isinstance(pages, str):
        return classify_text(pages)
    if card.is_card(pages[:2]):  # a chip card's QR code or a card's MRZ says so for machines
        return "citizen_id_card"
    lines = [r.text for r in rows([p for p in pages[:2] if p.words])]
    if not lines:
        return classify_text("\n\n".join(p.text for p in pages))
    if cut := [p for p in pages[:2] if "card" in p.steps]:
        # Cut out of a photo as a card: one card cue is enough (glare and low resolution leave
        # few), unless another kind of paper has more. The reader kept the cut-out only because
        # its print holds a card's words (ocr.cardpage.reads_as_card: "ĐKHK" of "Nơi ĐKHK thường
        # trú" where glare took the rest of every label): that is a cue too, unless another kind
        # of paper is named by enough of its own.
        weights = scores(lines, head=1.0)  # a card's titles stand anywhere on it, under noise read off the photo
        if weights["citizen_id_card"] >= LABEL and weights["citizen_id_card"] == max(weights.values()):
            return "citizen_id_card"
        if max(weights.values()) < ENOUGH and any(reads_as_card(p.words) for p in cut):
            return "citizen_id_card"
    return _classify_lines(lines)


def classify_text(text: str) -> str:
    """The same decision from text alone, one printed line per text line."""
    return _classify_lines([line for line in text.splitlines() if line.strip()])


def scores(lines: list[str], head: float = HEAD) -> dict[str, int]:
    """The weight of the cues found for each kind of paper; titles and numbers are looked for in
    the ``head`` share of the lines, from the top."""
    head = lines[:max(8, round(len(lines) * head))]
    head_keys = [k for k in map(key, head) if k]
    words = [_words(line) for line in lines]
    low = [folded(line) for line in head]
    joined = " " + " ".join(" ".join(re.findall(r"[a-z0-9]+", line)) for line in low) + " "
    result = {"citizen_id_card": 0, "birth_certificate": 0, "admin_document": 0}
    for doc_type, titles in TITLES:
        if any(similar(key(t), k) for t in titles for k in head_keys):
            result[doc_type] += TITLE
        elif any(f" {folded(t)} " in joined for t in titles[:2]):  # run into other text
            result[doc_type] += RUN_IN_TITLE
    for doc_type, labels in LABELS.items():
        result[doc_type] += LABEL * sum(any(_contains(key(label), w) for w in words) for label in labels)
    if any(_NUMBER.search(line) for line in low):
        result["admin_document"] += NUMBER
    if any(_SUBJECT.match(line) for line in low) or \
            any(similar(key(t), k) for t in TYPE_NAMES for k in head_keys):
        result["admin_document"] += TYPE_LINE
    if any(_PLACE_DATE.search(line) for line in low):
        result["admin_document"] += LABEL
    if any(FILLERS in line for line in lines):  # a card's MRZ that did not read as one
        result["citizen_id_card"] += LABEL
    return result


def _classify_lines(lines: list[str]) -> str:
    weights = scores(lines)
    best = max(weights.values())
    if best < ENOUGH:
        return "other"
    # On a tie the order of ``weights`` decides: a card, then a birth certificate.
    return next(doc_type for doc_type, w in weights.items() if w == best)


def _words(line: str) -> tuple[str, set[int], set[int]]:
    """The key of ``line`` and which key positions begin and end a word in it."""
    low = folded(line)
    pos = [i for i, c in enumerate(low) if c.isascii() and c.isalnum()]
    starts = {j for j, p in enumerate(pos) if p == 0 or not low[p - 1].isalnum()}
    ends = {j + 1 for j, p in enumerate(pos) if p + 1 >= len(low) or not low[p + 1].isalnum()}
    return "".join(low[p] for p in pos), starts, ends


def _contains(label: str, line: tuple[str, set[int], set[int]]) -> bool:
    """Whether ``line`` (see ``_words``) holds the label key ``label`` as whole words, up to the
    errors its length allows.

    A match with one error keeps one half of the label intact, which finds the few places worth
    an edit-distance comparison."""
    text, starts, ends = line
    half = len(label) // 2
    candidates = set()
    for part, offset in ((label[:half], 0), (label[half:], half)):
        at = text.find(part)
        while at >= 0:
            candidates.update(s for s in (at - offset - 1, at - offset, at - offset + 1) if s in starts)
            at = text.find(part, at + 1)
    for s in candidates:
        m = match_prefix(label, text, s)
        if m is not None and s + m[0] in ends:
            return True
    return False
