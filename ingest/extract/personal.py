"""Citizen ID cards (2016 CCCD, 2021 chip CCCD, 2024 Căn cước) and birth certificates."""

from __future__ import annotations

import re

from . import normalize
from .fuzzy import folded
from .labels import Label, Reading, continuation, read_fields
from .layout import Row, Span
from .model import ExtractedField

_NAME = ("Họ và tên", "Họ, chữ đệm và tên", "Họ, chữ đệm, tên", "Họ, chữ đệm và tên khai sinh", "Họ tên")
_BIRTH = ("Ngày sinh", "Ngày, tháng, năm sinh", "Ngày tháng năm sinh")

CARD_LABELS = [
    Label("citizen_id", ("Số định danh cá nhân",), ("Personal identification number",)),
    Label("full_name", _NAME, ("Full name",)),
    Label("date_of_birth", _BIRTH, ("Date of birth",)),
    Label("sex", ("Giới tính",), ("Sex",)),
    Label("nationality", ("Quốc tịch",), ("Nationality",)),
    Label("place_of_origin", ("Quê quán",), ("Place of origin",)),
    Label("place_of_birth_registration", ("Nơi đăng ký khai sinh",), ("Place of birth",)),
    Label("place_of_residence", ("Nơi thường trú", "Nơi cư trú"), ("Place of residence",)),
    Label("date_of_expiry", ("Có giá trị đến", "Ngày hết hạn"), ("Date of expiry",)),
]

BIRTH_LABELS = [
    Label("full_name", _NAME),
    Label("date_of_birth", _BIRTH),
    Label("sex", ("Giới tính",)),
    Label("ethnicity", ("Dân tộc",)),
    Label("nationality", ("Quốc tịch",)),
    Label("place_of_birth", ("Nơi sinh",)),
    Label("place_of_origin", ("Quê quán",)),
    Label("citizen_id", ("Số định danh cá nhân",)),
    Label("father_name", ("Họ, chữ đệm, tên người cha", "Họ và tên cha", "Họ, chữ đệm và tên người cha",
                          "Họ tên cha")),
    Label("mother_name", ("Họ, chữ đệm, tên người mẹ", "Họ và tên mẹ", "Họ, chữ đệm và tên người mẹ",
                          "Họ tên mẹ")),
    # Printed on the form but not kept: they only end the value before them.
    Label(None, ("ghi bằng chữ", "Năm sinh", "Nơi cư trú", "Quyển số")),
]

_KIND = {
    "full_name": "name", "father_name": "name", "mother_name": "name",
    "date_of_birth": "date", "date_of_expiry": "date", "sex": "sex", "citizen_id": "id",
    "nationality": "nationality", "place_of_origin": "place", "place_of_birth": "place",
    "place_of_birth_registration": "place", "place_of_residence": "place", "ethnicity": "place",
}


def citizen_id_card(rows: list[Row]) -> dict[str, ExtractedField]:
    readings = read_fields(rows, CARD_LABELS)
    fields = _fields(rows, readings, CARD_LABELS)
    # The number is the largest print on the card, often with its label misread; look for it.
    if "citizen_id" not in fields or len(fields["citizen_id"].value) != 12:
        if (number := _largest_id(rows)) is not None:
            fields["citizen_id"] = number
    if "citizen_id" not in fields or len(fields["citizen_id"].value) != 12:
        if (number := _restored_id(rows)) is not None:
            fields["citizen_id"] = number
    return fields


def birth_certificate(rows: list[Row]) -> dict[str, ExtractedField]:
    return _fields(rows, read_fields(rows, BIRTH_LABELS), BIRTH_LABELS)


def _fields(rows: list[Row], readings: dict[str, Reading], labels: list[Label]) -> dict[str, ExtractedField]:
    fields: dict[str, ExtractedField] = {}
    for name, reading in readings.items():
        kind = _KIND[name]
        wraps = kind == "place" and name != "ethnicity"
        span = continuation(rows, reading, labels) if wraps else reading.span
        value = _normalise(kind, span.text)
        if value:
            fields[name] = ExtractedField(value, round(span.confidence * reading.quality, 4),
                                          span.page, span.bbox)
    return fields


def _normalise(kind: str, text: str) -> str | None:
    if kind == "name":
        return normalize.name(text) or None
    if kind == "date":
        return normalize.iso_date(text)
    if kind == "sex":
        return normalize.sex(text)
    if kind == "id":
        m = re.search(r"[\dOoIl|]{9,}(?:\s[\dOoIl|]+)*", text)
        return normalize.digits(m.group()) if m and any(c.isdigit() for c in m.group()) else None
    if kind == "nationality":
        return normalize.nationality(text)
    return normalize.place(text) or None


_ID_RUN = re.compile(r"(?<![\w])\d[\d ]{10,16}\d(?![\w])")


def _largest_id(rows: list[Row]) -> ExtractedField | None:
    """The 12-digit number printed largest, digits possibly split by OCR into groups."""
    best: tuple[float, Span] | None = None
    for row in rows:
        for m in _ID_RUN.finditer(row.text):
            if len(re.sub(r"\D", "", m.group())) != 12:
                continue
            span = row.span(m.start(), m.end())
            if span and (best is None or span.bbox[3] - span.bbox[1] > best[0]):
                best = (span.bbox[3] - span.bbox[1], span)
    if best is None:
        return None
    span = best[1]
    return ExtractedField(re.sub(r"\D", "", span.text), round(span.confidence, 4), span.page, span.bbox)


# "Số / No.: 001090012345" with the leading 0 lost, or read as "(" or "_"; the label as OCR
# reads it ("sø:wo:", "ssNo:"), its last word is enough.
_SHORT_ID = re.compile(r"(?:s[oø]|[nw]o)\s*[:.]*\s*[(_]?\s*(\d(?:\s?\d){10})(?![\d\w])")


def _restored_id(rows: list[Row]) -> ExtractedField | None:
    """Eleven digits after the "Số / No." label: the number with its leading 0 lost.

    Every province code begins with 0, so the 0 is put back; the usual checks still apply, so a
    wrong restoration is flagged for the clerk."""
    for row in rows:
        if m := _SHORT_ID.search(folded(row.text)):
            span = row.span(m.start(1), m.end(1))
            if span:
                return ExtractedField("0" + re.sub(r"\D", "", span.text), round(span.confidence, 4),
                                      span.page, span.bbox)
    return None
