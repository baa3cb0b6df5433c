"""Validation and normalisation of extracted fields, and classification from text; no OCR."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.classify import classify, classify_text
from ingest.extract import ExtractedField, validate
from ingest.extract.normalize import document_number, iso_date, name, sex
from ingest.extract.personal import citizen_id_card
from ingest.extract.layout import rows
from ocr.model import PageResult, Word

TODAY = date(2026, 1, 1)


def test_the_province_table_is_circular_07():
    assert len(validate.PROVINCES) == 63
    assert validate.PROVINCES["001"] == "Hà Nội" and validate.PROVINCES["096"] == "Cà Mau"
    assert "003" not in validate.PROVINCES


def test_a_valid_citizen_id():
    assert validate.citizen_id_problem("001090012345", "1990-03-15", "Nam") is None
    assert validate.citizen_id_problem("079303001234", "2003-11-20", "Nữ") is None
    assert validate.citizen_id_problem("001090012345") is None  # nothing to cross-check


@pytest.mark.parametrize(("value", "birth", "sex_", "words"), [
    ("003090012345", "1990-03-15", "Nam", "no province has the code 003"),
    ("001190012345", "1990-03-15", "Nam", "says female"),
    ("001090012345", "1990-03-15", "Nữ", "says male"),
    ("001290012345", "1990-03-15", "Nam", "born in the 2000s"),
    ("001091012345", "1990-03-15", "Nam", "do not match the year of birth 1990"),
    ("00109001234", None, None, "12 digits"),
])
def test_an_impossible_citizen_id(value, birth, sex_, words):
    assert words in validate.citizen_id_problem(value, birth, sex_)


def test_impossible_dates():
    assert validate.date_problem("1990-02-31") == "no such date: 1990-02-31"
    assert validate.date_problem("1990-13-01")
    assert validate.birth_date_problem("2030-01-01", TODAY) == "date of birth 2030-01-01 is in the future"
    assert validate.birth_date_problem("1990-03-15", TODAY) is None
    assert validate.expiry_problem("1980-01-01", "1990-03-15")
    assert validate.expiry_problem("2030-03-15", "1990-03-15") is None


def _field(value: str, confidence: float = 0.95) -> ExtractedField:
    return ExtractedField(value, confidence, 1, (0.0, 0.0, 10.0, 10.0))


def test_check_keeps_a_doubtful_value_but_sends_it_to_the_clerk():
    fields = {"citizen_id": _field("001190012345"), "date_of_birth": _field("1990-02-31"),
              "sex": _field("Nam"), "full_name": _field("NGUYỄN VĂN AN", 0.6),
              "nationality": _field("Việt Nam")}
    checked = validate.check("citizen_id_card", fields, TODAY)
    assert checked["date_of_birth"].value == "1990-02-31"
    assert checked["date_of_birth"].review and checked["date_of_birth"].confidence <= 0.3
    assert checked["date_of_birth"].problem == "no such date: 1990-02-31"
    assert checked["citizen_id"].review and "female" in checked["citizen_id"].problem
    assert checked["sex"].review and checked["sex"].problem.startswith("disagrees with the citizen ID")
    assert checked["full_name"].review and checked["full_name"].problem is None  # low confidence
    assert not checked["nationality"].review and checked["nationality"].confidence == 0.95


def test_a_future_birth_date_and_a_wrong_year_in_the_id():
    fields = {"citizen_id": _field("001391012345"), "date_of_birth": _field("2091-05-01"),
              "sex": _field("Nữ"), "date_of_expiry": _field("2030-01-01")}
    checked = validate.check("citizen_id_card", fields, TODAY)
    assert "in the future" in checked["date_of_birth"].problem
    assert not checked["citizen_id"].review  # the birth date is not trusted, so not compared
    fields["date_of_birth"] = _field("2001-05-01")
    checked = validate.check("citizen_id_card", fields, TODAY)
    assert "year of birth 2001" in checked["citizen_id"].problem
    assert checked["date_of_birth"].review


@pytest.mark.parametrize(("text", "expected"), [
    ("15/03/1990", "1990-03-15"), ("5-6-2021", "2021-06-05"), ("15.03.1990", "1990-03-15"),
    ("Hà Nội, ngày 16 tháng 4 năm 2020", "2020-04-16"), ("ngay 16 thang 04 nam 2020", "2020-04-16"),
    ("31/02/1990", "1990-02-31"), ("không có", None),
])
def test_dates_are_iso(text, expected):
    assert iso_date(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Nam", "Nam"), ("NAM", "Nam"), ("Male", "Nam"), ("Nam/Male", "Nam"),
    ("Nữ", "Nữ"), ("Nu", "Nữ"), ("Nừ", "Nữ"), ("Nũ", "Nữ"), ("Female", "Nữ"), ("Nữ/Female", "Nữ"),
    ("Kinh", None),
])
def test_sex_is_nam_or_nu(text, expected):
    assert sex(text) == expected


def test_names_and_numbers():
    assert name("Nguyễn  văn An,") == "NGUYỄN VĂN AN"
    assert name("NGUYÊN VĂN CƯỜNG") == "NGUYỄN VĂN CƯỜNG"  # the family name, marks misread
    assert name("TRÂN THỊ HOA") == "TRẦN THỊ HOA"
    assert name("VÕ NGUYÊN GIÁP") == "VÕ NGUYÊN GIÁP"  # Nguyên as a given name stays
    assert document_number("684/QĐÐ-BTTTT") == "684/QĐ-BTTTT"
    assert document_number("45/2020/ND-CP") == "45/2020/NĐ-CP"


def _page(lines: list[list[str]]) -> PageResult:
    words = []
    for i, line in enumerate(lines):
        x = 100.0
        for text in line:
            words.append(Word(text, 0.9, (x, 100.0 + 60 * i, x + 30 * len(text), 140.0 + 60 * i), i))
            x += 30 * len(text) + 20
    return PageResult(1, "ocr", 2480, 3508, 300, words=words, text="")


def test_labels_survive_merged_words_and_lost_marks():
    page = _page([
        ["CAN", "CUOC", "CONG", "DAN"],
        ["So", "/", "No:", "001090012345"],
        ["Ho", "va", "ten", "/Full", "name:", "nguyen", "van", "an"],
        ["Ngay", "sinh/Date", "of", "birth:15/03/1990"],
        ["Gioitinh", "/Sex:Nừ", "Quoc", "tich", "/", "Nationality:", "Viet", "Nam"],
    ])
    assert classify([page]) == "citizen_id_card"
    fields = citizen_id_card(rows([page]))
    assert {k: f.value for k, f in fields.items()} == {
        "citizen_id": "001090012345", "full_name": "NGUYỄN VAN AN", "date_of_birth": "1990-03-15",
        "sex": "Nữ", "nationality": "Việt Nam"}
    assert fields["sex"].bbox[0] > 400  # the value's part of "/Sex:Nừ", not the whole word


@pytest.mark.parametrize(("text", "expected"), [
    ("CONG HOA XA HOI CHU NGHIA VIET NAM\nCAN CUOC CONG DAN\nHo va ten: NGUYEN VAN AN", "citizen_id_card"),
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nGIAY KHAl SINH\nHọ, chữ đệm, tên: LÊ AN", "birth_certificate"),
    ("TRÍCH LỤC KHAI SINH\nSố: 12/TLKS-BS", "birth_certificate"),
    ("BO TU PHAP\nSo: 12/QD-BTP\nQUYET DINH\nVe viec cap can cuoc cong dan", "admin_document"),
    ("UBND XÃ AN BÌNH\nSố: 35/UBND-VP\nV/v cấp giấy khai sinh\nKính gửi: ông A", "admin_document"),
    ("Công dân đăng ký khai sinh cho con tại Ủy ban nhân dân xã.", "other"),
    ("", "other"),
])
def test_classify_text(text, expected):
    assert classify_text(text) == expected
    assert classify(text) == expected  # the worker still passes text
