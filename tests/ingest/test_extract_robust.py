"""Extraction from pages as OCR really misreads them: the rows below are Tesseract's readings of
spoiled scans (phone photos, photocopies, flatbed JPEGs) from bench/extraction.py, and one card
is printed and read by real Tesseract."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

import ocr
from ingest.classify import classify, classify_text
from ingest.extract import ExtractedField, extract, lexicon, validate
from ingest.extract.layout import rows
from ingest.extract.normalize import dates, ethnicity, iso_date, name, place, prose, worded_date
from ingest.extract.personal import birth_certificate, id_number
from ocr.model import PageResult
from wordrows import page_of_lines, page_of_rows

TODAY = date(2026, 1, 1)






def _field(value: str, confidence: float = 0.95) -> ExtractedField:
    return ExtractedField(value, confidence, 1, (0.0, 0.0, 10.0, 10.0))


# --- Marks restored only where a closed list leaves one spelling ------------------------------

@pytest.mark.parametrize(("read", "expected"), [
    ("PHẠM THANH HÀNG", "PHẠM THANH HẰNG"),  # HÀNG is no name syllable, HẰNG the only one
    ("HOÀNG NGỌC HÃNG", "HOÀNG NGỌC HẰNG"),
    ("LE NGOC DIEM", "LÊ NGỌC DIỄM"),
    ("LÒ THỦY NGA", "LÒ THỦY NGA"),  # THỦY, THÚY, THÙY are all names: kept as read
    ("NGUYEN VAN AN", "NGUYỄN VAN AN"),  # VĂN or VÂN: kept
    ("NGUYỄN VĂN HOÀ", "NGUYỄN VĂN HOÀ"),  # old tone placement is a spelling, not a misread
])
def test_name_marks_restored_only_when_the_name_list_is_sure(read, expected):
    assert name(read) == expected


@pytest.mark.parametrize(("read", "expected"), [
    ("ỦY BẠN NHÂN DÂN THÀNH PHỔ HỒ CHÍ MINH", "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH"),
    ("UBND TỈNH NGHỆAN SƠ TƯ PHÁP", "UBND TỈNH NGHỆ AN SỞ TƯ PHÁP"),
    ("UBND HUYỆN ĐỒNG VĂN PHONG TƯ PHÁP", "UBND HUYỆN ĐỒNG VĂN PHÒNG TƯ PHÁP"),
    ("BỘ THÔNG TIN VÀ TRUYỀN THÔN", "BỘ THÔNG TIN VÀ TRUYỀN THÔNG"),  # cut off the national heading
    ("UBND TỈNH THANH HOÁ", "UBND TỈNH THANH HOÁ"),
    ("UBND HUYỆN ĐÔNG ANH", "UBND HUYỆN ĐÔNG ANH"),  # a district the lists do not know: as read
    ("CÔNG TY CỔ PHẦN AN BÌNH", "CÔNG TY CỔ PHẦN AN BÌNH"),
])
def test_agency_names_from_the_list_of_bodies_and_provinces(read, expected):
    assert lexicon.restore_agency(read) == expected


def test_ethnicity_and_province_lists():
    assert ethnicity("ÊĐê") == ("Ê Đê", True) and ethnicity("EĐê") == ("Ê Đê", True)
    assert ethnicity("Tay") == ("Tày", True) and ethnicity("Hmông") == ("Mông", True)
    assert ethnicity("Xyz") == ("Xyz", False)
    assert len(lexicon.ETHNICITIES) == 54
    assert lexicon.province("Quảng-Ngãi") == "Quảng Ngãi" and lexicon.province("Đồng Văn") is None


@pytest.mark.parametrize(("read", "expected"), [
    ("Bệnh viện Hùng Vương, TP: Hồ. Chí Minh", "Bệnh viện Hùng Vương, TP. Hồ Chí Minh"),
    ("Xã Thụy Hải, huyện Thái:Thụy, tỉnh Thái Bình", "Xã Thụy Hải, huyện Thái Thụy, tỉnh Thái Bình"),
    ("Trạm Y tế xã Hưng Lộc, huyện Hưng Nguyên, tỉnh. Nghệ An",
     "Trạm Y tế xã Hưng Lộc, huyện Hưng Nguyên, tỉnh Nghệ An"),
    ("Phường 6, Quận 3, TP. HCM", "Phường 6, Quận 3, TP. HCM"),  # abbreviations keep their stop
    ("P. Bến Nghé, Q.1", "P. Bến Nghé, Q.1"),
    ("Xã Cư Huê; Ea Kar, Đắk Lắk", "Xã Cư Huê, Ea Kar, Đắk Lắk"),  # a comma read with a speck above it
    ("Số 167,Ngõ 95 Quang Trung, Phường 12", "Số 167, Ngõ 95 Quang Trung, Phường 12"),  # its space lost
    ("Thôn 1,5 Km", "Thôn 1,5 Km"),  # a comma between figures is no part's end
])
def test_punctuation_specks_in_places(read, expected):
    assert place(read) == expected


@pytest.mark.parametrize(("read", "expected"), [
    ("Về việc thông qua Đề án chuyến đối số tỉnh", "Về việc thông qua Đề án chuyển đổi số tỉnh"),
    ("đề nghị cung cấp thông tỉn hộ tịch", "đề nghị cung cấp thông tin hộ tịch"),
    ("Về việc ban.hành Quy chế", "Về việc ban hành Quy chế"),
    ("số hoá hồ sơ, v.v.", "số hoá hồ sơ, v.v."),
    ("V/v khân trương thực hiện các biện pháp phòng, chông dịch", "V/v khẩn trương thực hiện các biện pháp phòng, chống dịch"),
    ("an toan giao thông trong dịp nghỉ hè", "an toàn giao thông trong dịp nghỉ hè"),
    ("việc làm đi đôi với học tập", "việc làm đi đôi với học tập"),  # "đối với" is no phrase of the list
    # An education department's wording: the exam is "kỳ thi" where discrimination, "kỳ thị", is never
    # followed by the school level; alone, either may be meant.
    ("trong dịp nghỉ hè và kỳ thị THPT quốc gia", "trong dịp nghỉ hè và kỳ thi THPT quốc gia"),
    ("Kỳ thị tuyển sinh lớp 10 và hoc sinh", "Kỳ thi tuyển sinh lớp 10 và học sinh"),
    ("phòng, chống kỳ thị và phân biệt đối xử", "phòng, chống kỳ thị và phân biệt đối xử"),
    # A year's cycle name, its marks put right by the year beside it; another year's name is kept.
    ("quà Tết Nguyên đán Át Ty - năm 2025", "quà Tết Nguyên đán Ất Tỵ - năm 2025"),
    ("Tết GIÁP THIN năm 2024", "Tết GIÁP THÌN năm 2024"),
    ("Tết Át Ty năm 2024", "Tết Át Ty năm 2024"),
    # Specks between the words of a bleed-through page read as colons.
    ("hướng dẫn cấp:bản:sao trích lục khai sinh", "hướng dẫn cấp bản sao trích lục khai sinh"),
    # The disease of 2020-2022 letters, its 1 read as a letter.
    ("phòng, chống dịch COVID-L9", "phòng, chống dịch COVID-19"),
    ("phòng chống dịch Covid - l9 trên địa bàn", "phòng chống dịch Covid-19 trên địa bàn"),
])
def test_summary_wording(read, expected):
    assert prose(read) == expected


# --- Digits and dates -------------------------------------------------------------------------

@pytest.mark.parametrize(("read", "expected"), [
    ("O01090012345", "001090012345"), ("0O1O9OO12345", "001090012345"), ("00109 001 2345", "001090012345"),
    ("S01090012345", "501090012345"), ("123456789", "123456789"), ("Hà Nội", None), ("Sinh ngày", None),
])
def test_id_numbers_with_look_alike_letters(read, expected):
    assert id_number(read) == expected


@pytest.mark.parametrize(("read", "expected"), [
    ("Ngày sinh / Date of birth: 28I04I11976", "1976-04-28"),  # a "/" read as two strokes
    ("28/04/1976", "1976-04-28"), ("Số 12 11 2020", None),
])
def test_a_slash_read_as_two_strokes(read, expected):
    assert iso_date(read) == expected


@pytest.mark.parametrize(("read", "expected"), [
    ("Ngày, tháng, năm / Date, month, year: 020512020", "2020-05-02"),  # one "/" lost, the other read as 1
    ("25052020", "2020-05-25"), ("02/05I2020", "2020-05-02"),
    ("079203001234", None), ("125052020", None), ("0205 2020", None),  # an ID; nine figures; a part missing
    # One "/" read as a space: not 24/1/1938, which the two-stroke form makes of the "1" after it.
    ("Sinh ngày 24 11-1938", "1938-11-24"), ("24/11 1938", "1938-11-24"), ("Số 12 11 2020", None),
])
def test_a_slash_lost_between_two_figure_parts(read, expected):
    assert iso_date(read) == expected
    assert [iso for _, _, iso, _ in dates(read, loose=True)] == ([expected] if expected else [])


@pytest.mark.parametrize(("read", "expected"), [
    ("O4/O3/1977", "1977-03-04"), ("15/O3/199O", "1990-03-15"), ("Date of birth: 04!03/1977", "1977-03-04"),
    ("25I02/2039", "2039-02-25"),  # the I is the slash, not a 1
])
def test_letters_read_for_digits_in_dates(read, expected):
    assert iso_date(read) == expected


@pytest.mark.parametrize(("words", "expected"), [
    ("Ngày hai mươi sáu, tháng chín, năm hai nghìn không trăm hai mươi hai", "2022-09-26"),
    ("Ngày hai mươi ba, tháng một, năm hai nghìn không.trăm mười lăm", "2015-01-23"),
    ("Ngày năm, tháng năm, năm hai nghìn không trăm lẻ năm", "2005-05-05"),
    ("Ngày ba mươi mốt, tháng mười hai, năm một nghìn chín trăm chín mươi", "1990-12-31"),
    ("Ngày ba mươi, tháng hai, năm hai nghìn", None),  # no 30 February
    ("Ngày hai mươi sáu, tháng chíx, năm hai nghìn", None),  # a word that is no number
])
def test_dates_in_words(words, expected):
    assert worded_date(words) == expected


def test_the_date_in_words_witnesses_and_repairs_the_date_of_birth():
    lines = [["Họ,", "chữ", "đệm,", "tên:", "NGUYỄN", "THỊ", "BÌNH"],
             ["Ngày,", "tháng,", "năm", "sinh:", "05/06/2021", "ghi", "bằng", "chữ:", "Ngày", "năm,", "tháng",
              "sáu,", "năm", "hai", "nghìn"],
             ["không", "trăm", "hai", "mươi", "mốt"],
             ["Giới", "tính:", "Nữ"]]
    agreeing = birth_certificate(rows([page_of_rows(lines)]))["date_of_birth"]
    assert agreeing.value == "2021-06-05" and agreeing.confidence >= validate.CORROBORATED
    lines[1][4] = "05/08/2021"  # 6 read as 8
    fields = validate.check("birth_certificate", birth_certificate(rows([page_of_rows(lines)])), TODAY)
    repaired = fields["date_of_birth"]
    assert repaired.value == "2021-06-05" and repaired.review and "05/08" not in repaired.problem
    assert "2021-08-05" in repaired.problem


# --- Cross-checks between the ID, the dates and the sex ---------------------------------------

def test_card_expiry_is_a_birthday_at_14_25_40_or_60():
    assert validate.card_expiry_problem("2037-03-04", "1977-03-04") is None
    assert validate.card_expiry_problem("2043-11-20", "2003-11-20") is None
    assert "age 110" in validate.card_expiry_problem("2087-03-04", "1977-03-04")
    assert "birthday" in validate.card_expiry_problem("2030-03-21", "2005-03-24")
    assert validate.card_expiry_problem("2029-02-28", "2004-02-29") is None  # no 29 February in 2029
    assert validate.card_expiry_problem("2029-03-01", "2004-02-29") is None


def test_an_expiry_year_misread_is_repaired_and_sent_for_review():
    """The photocopy read 2037 as 2087; only 3 for 8 makes the card expire on a 60th birthday."""
    page = page_of_rows([["CĂN", "CƯỚC", "CÔNG", "DÂN"],
                  ["søino.", "049177272724"],
                  ["Ngày", "sinh", "/", "Date", "of", "birth:", "04!03/1977"],
                  ["Giớitính", "/", "Sex:", "Nữ"],
                  ["Có", "giá", "tri", "đến:.04/03/2087"]])
    fields = extract("citizen_id_card", [page], TODAY)
    expiry = fields["date_of_expiry"]
    assert expiry.value == "2037-03-04" and expiry.review and expiry.confidence <= validate.REPAIRED
    assert expiry.problem.startswith("read as 2087-03-04")
    assert fields["date_of_birth"].value == "1977-03-04" and not fields["date_of_birth"].review


def test_an_id_year_digit_misread_is_repaired_when_both_dates_agree():
    fields = {"citizen_id": _field("001098012345"), "date_of_birth": _field("1990-03-15"),
              "sex": _field("Nam"), "date_of_expiry": _field("2030-03-15")}
    fixed = validate.check("citizen_id_card", validate.repair("citizen_id_card", fields, TODAY), TODAY)
    assert fixed["citizen_id"].value == "001090012345" and fixed["citizen_id"].review


def test_two_equally_good_repairs_are_not_chosen_between():
    """Birth 24/03, expiry 21/03: either could be the misread one; both go to the clerk."""
    fields = {"citizen_id": _field("040305667321"), "date_of_birth": _field("2005-03-24"),
              "sex": _field("Nữ"), "date_of_expiry": _field("2030-03-21")}
    checked = validate.check("citizen_id_card", validate.repair("citizen_id_card", fields, TODAY), TODAY)
    assert checked["date_of_birth"].value == "2005-03-24" and checked["date_of_expiry"].value == "2030-03-21"
    assert checked["date_of_birth"].review and checked["date_of_expiry"].review
    assert checked["date_of_birth"].confidence <= validate.DOUBTFUL


def test_an_id_with_a_digit_too_many_is_flagged_not_guessed():
    fields = {"citizen_id": _field("0463041410320"), "date_of_birth": _field("2004-06-22"),
              "sex": _field("Nữ"), "date_of_expiry": _field("2029-06-22")}
    checked = validate.check("citizen_id_card", validate.repair("citizen_id_card", fields, TODAY), TODAY)
    assert checked["citizen_id"].value == "0463041410320" and checked["citizen_id"].review
    assert "12 digits" in checked["citizen_id"].problem


def test_values_that_agree_across_fields_need_no_review():
    """OCR scores merged words ("Giớitính /Sex:Nữ") near zero; the ID's digits vouch for them."""
    fields = {"citizen_id": _field("049177272724"), "date_of_birth": _field("1977-03-04", 0.12),
              "sex": _field("Nữ", 0.05), "date_of_expiry": _field("2037-03-04", 0.5)}
    checked = validate.check("citizen_id_card", fields, TODAY)
    for name_ in ("date_of_birth", "sex", "date_of_expiry"):
        assert not checked[name_].review and checked[name_].confidence >= validate.CORROBORATED, name_
    fields["sex"] = _field("Nam", 0.05)  # now the ID's female digit disagrees
    checked = validate.check("citizen_id_card", fields, TODAY)
    assert checked["sex"].review and checked["citizen_id"].review


def test_a_nine_digit_cmnd_number_is_kept_for_review():
    assert validate.citizen_id_problem("123456789") == validate.OLD_CARD
    checked = validate.check("citizen_id_card", {"citizen_id": _field("123456789")}, TODAY)
    assert checked["citizen_id"].value == "123456789" and checked["citizen_id"].review


def test_a_name_with_a_stray_mark_inside_goes_to_the_clerk():
    page = page_of_rows([["Họ,", "chữ", "đệm,", "tên", "người", "mẹ:", "NGUYỄN", "“HUY", "KHÁNH", "LY"]])
    mother = birth_certificate(rows([page]))["mother_name"]
    assert mother.value == "NGUYỄN HUY KHÁNH LY" and mother.confidence <= 0.5


# --- Administrative documents -----------------------------------------------------------------

def test_a_number_whose_label_was_misread_and_an_agency_run_into_the_heading():
    page = page_of_lines([
        (294, 204, ".UBND HUYỆN ĐỒNG VĂN"), (1129, 202, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (395, 277, "PHONG TƯ PHÁP"), (1307, 278, "Độc lập Tự do Hạnh phúc"),
        (1214, 398, "Đồng Văn, ngày 01 tháng 3 năm 2020"), (261, 401, "_— §ð:1317/PTP-HCTP"),
        (219, 476, "V/v góp ý dự thảo Quy chế lưu trữ"), (526, 532, ".điện tử"),
        (401, 903, "Thực hiện Nghị định số 45/2020/NĐ-CP của Chính phủ, cơ quan đề"),
    ])
    fields = extract("admin_document", [page], TODAY)
    assert fields["document_number"].value == "1317/PTP-HCTP"
    assert fields["issuing_agency"].value == "UBND HUYỆN ĐỒNG VĂN PHÒNG TƯ PHÁP"
    assert fields["summary"].value == "góp ý dự thảo Quy chế lưu trữ điện tử"
    assert fields["issue_place"].value == "Đồng Văn"


def test_a_number_cited_in_the_text_is_not_the_documents_number():
    page = page_of_lines([
        (262, 194, "UBND HUYỆN ĐỒNG VĂN"), (1400, 194, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (364, 269, "PHÒNG TƯ PHÁP"), (390, 401, "BƠ: Đì/EIEKOoIL"),
        (1143, 400, "Đồng Văn, ngày 13 tháng 10 năm 2019"), (208, 468, "V/v hướng dẫn cấp bản sao"),
        (399, 898, "Thực hiện Nghị định số 45/2020/NĐ-CP của Chính phủ, cơ quan"),
    ])
    assert "document_number" not in extract("admin_document", [page], TODAY)


def test_an_issue_place_that_is_a_province_is_spelled_as_the_province():
    page = page_of_lines([(200, 200, "ỦY BAN NHÂN DÂN"), (1300, 200, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                    (200, 260, "TỈNH QUẢNG NGÃI"), (200, 340, "Số: 12/QĐ-UBND"),
                    (1300, 340, "Quảng-Ngãi, ngày 5 tháng 6 năm 2021"), (1000, 500, "QUYẾT ĐỊNH")])
    assert extract("admin_document", [page], TODAY)["issue_place"].value == "Quảng Ngãi"


def test_a_handwritten_number_and_day_leave_the_typed_parts_extracted_and_the_rest_for_review():
    """Scans of signed decisions: the number and day written by hand into the typed line, read by
    OCR as noise (rows as Tesseract read such a scan; the agency and values made up)."""
    page = page_of_lines([(200, 200, "ỦY BAN NHÂN DÂN"), (1300, 200, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                          (200, 260, "TỈNH HÀ TĨNH"), (200, 340, "Số: 8‡ /(QD-UBND"),
                          (1200, 340, "Ha Tĩnh, ngày ‡† tháng UI năm 2025"), (1000, 500, "QUYẾT ĐỊNH")])
    fields = extract("admin_document", [page], TODAY)
    number = fields["document_number"]
    assert (number.value, number.review) == ("8/QĐ-UBND", True) and "handwritten" in number.problem
    issued = fields["issue_date"]
    assert (issued.value, issued.review) == ("2025-01", True)  # ISO 8601's month: the day was not read
    assert issued.problem == "the day is handwritten and was not read: read it off the page"
    assert fields["issue_place"].value == "Hà Tĩnh"


def test_a_number_whose_handwriting_cut_the_line_keeps_its_symbol_and_a_day_read_is_offered():
    page = page_of_lines([(200, 200, "ỦY BAN NHÂN DÂN"), (1300, 200, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                          (200, 260, "TỈNH HÀ TĨNH"), (200, 340, "Số:"), (560, 342, "UBND-KTTH"),
                          (1200, 340, "Hà Tĩnh, ngày 9+tháng 02 năm 2025"), (220, 420, "V/v góp ý dự thảo")])
    fields = extract("admin_document", [page], TODAY)
    assert (fields["document_number"].value, fields["document_number"].review) == ("/UBND-KTTH", True)
    issued = fields["issue_date"]
    assert (issued.value, issued.review, issued.confidence) == ("2025-02-09", True, 0.3)


def _decision_citing_a_law(date_line: list[tuple[float, float, str]]):
    return page_of_lines([(200, 200, "BỘ THÔNG TIN VÀ TRUYỀN THÔNG"), (1300, 200, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                          (314, 403, "Số:"), (652, 407, "/QĐ-BTTTT"), *date_line, (1058, 584, "QUYẾT ĐỊNH"),
                          (631, 674, "Về việc ban hành Quy chế tiếp nhận hồ sơ trực tuyến"), (1100, 760, "BỘ TRƯỞNG"),
                          (300, 840, "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;")])


def test_a_date_line_cut_at_its_handwritten_day_is_joined_back():
    """The pen's day left a gap Tesseract cut the line at ("Hà Nội, ngày" | "tháng 8 năm 2024"): the
    two halves are one date, not the law cited below it."""
    page = _decision_citing_a_law([(1272, 406, "Hà Nội, ngày"), (1700, 406, "tháng 8 năm 2024")])
    fields = extract("admin_document", [page], TODAY)
    assert fields["issue_place"].value == "Hà Nội"
    assert (fields["issue_date"].value, fields["issue_date"].review) == ("2024-08", True)


def test_a_date_cited_below_the_number_is_not_the_issue_date():
    """The place and date line lost (a seal over it): the date of a law cited in the preamble is
    no issue date, so the fields are left for the clerk rather than filled with it."""
    fields = extract("admin_document", [_decision_citing_a_law([])], TODAY)
    assert "issue_date" not in fields and "issue_place" not in fields


def test_a_handwritten_number_read_as_digits_but_unsurely_goes_to_the_clerk():
    """Tesseract makes digits of a handwritten "935" ("39"), sure of the typed symbol, unsure of
    the handwriting: the field goes to the clerk though it has the shape of a number."""
    from dataclasses import replace as with_
    page = page_of_lines([(200, 200, "BỘ Y TẾ"), (1300, 200, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                          (200, 340, "Số: 39/2020/KH-BYT"), (1200, 340, "Hà Nội, ngày 05 tháng 02 năm 2020"),
                          (1000, 500, "KẾ HOẠCH")])
    page.words = [with_(w, confidence=0.35) if w.text in ("39/2020/KH-BYT", "05") else w for w in page.words]
    fields = extract("admin_document", [page], TODAY)
    for name, value in (("document_number", "39/2020/KH-BYT"), ("issue_date", "2020-02-05")):
        assert (fields[name].value, fields[name].review) == (value, True)
        assert fields[name].problem == "part of it read unsurely (written by hand?): read it off the page"
    assert not fields["issue_place"].review


@pytest.mark.parametrize("printed,value", [
    ("Số: 3 39 /2020/KH-BYT", "39/2020/KH-BYT"),  # handwriting read in pieces, the last like a number
    ("Số: / 2?6/UBND-PC", "26/UBND-PC"),  # a slash of the handwriting read before the symbol's
])
def test_handwriting_read_in_pieces_before_the_symbol_goes_to_the_clerk(printed, value):
    page = page_of_lines([(200, 200, "BỘ Y TẾ"), (1300, 200, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                          (200, 340, printed), (1200, 340, "Hà Nội, ngày 15 tháng 02 năm 2020")])
    number = extract("admin_document", [page], TODAY)["document_number"]
    assert (number.value, number.review) == (value, True) and "handwritten" in number.problem


def test_a_summary_with_a_word_no_syllable_is_spelt_like_goes_to_the_clerk():
    page = page_of_lines([(200, 200, "ỦY BAN NHÂN DÂN"), (1300, 200, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                          (200, 260, "TỈNH HÀ TĨNH"), (200, 340, "Số: 75/UBND-KTTH"),
                          (1200, 340, "Hà Tĩnh, ngày 9 tháng 02 năm 2025"),
                          (220, 420, "V/v tham gia ý kiến các dự thảo Nsh†ị định")])
    summary = extract("admin_document", [page], TODAY)["summary"]
    assert summary.review and summary.problem == "not spelt as Vietnamese is (Nsh†ị): misread"
    # Acronyms and a decree's symbol are no misreading.
    page = page_of_lines([(200, 340, "Số: 75/UBND-KTTH"), (220, 420, "V/v bảo đảm TTATGT theo Quyết định số 2269/QĐ-TTg")])
    assert not extract("admin_document", [page], TODAY)["summary"].review


# --- Classification from several cues ---------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    # The title lost to a stamp; the card's own bilingual labels are enough.
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nC#N C@ỚC C0NG D4N\nSố / No.: 001090012345\n"
     "Họ và tên / Full name:\nNGUYỄN VĂN AN\nNgày sinh / Date of birth: 15/03/1990\n"
     "Giới tính / Sex: Nam Quốc tịch / Nationality: Việt Nam\nNơi thường trú / Place of residence: Hà Nội\n"
     "Có giá trị đến: 15/03/2030", "citizen_id_card"),
    # A birth certificate whose title is unreadable.
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nGI#Y KH@I S1NH\nSố: 125 Quyển số: 01/2021\n"
     "Họ, chữ đệm, tên: NGUYỄN THỊ BÌNH\nNgày, tháng, năm sinh: 05/06/2021 ghi bằng chữ: Ngày năm\n"
     "Giới tính: Nữ Dân tộc: Kinh\nNơi sinh: Bệnh viện Phụ sản Hà Nội\n"
     "Họ, chữ đệm, tên người mẹ: TRẦN THỊ HOA", "birth_certificate"),
    # A decision about citizen ID cards: the card's title words stand inside sentences.
    ("BỘ CÔNG AN\nSố: 12/QĐ-BCA\nHà Nội, ngày 5 tháng 6 năm 2021\nQUYẾT ĐỊNH\n"
     "Về việc cấp căn cước công dân\nCăn cứ Luật Căn cước công dân;\nĐiều 1. Cấp thẻ căn cước công dân\n"
     "Nơi nhận:", "admin_document"),
    # Words like the card's labels in prose do not make a card.
    ("Công dân ghi ngày sinh và quốc tịch vào tờ khai.", "other"),
])
def test_classification_weighs_several_cues(text, expected):
    assert classify_text(text) == expected


# --- A card printed and read by Tesseract -----------------------------------------------------

def _cmnd() -> Image.Image:
    """The front of an old 9-digit identity card (CMND), enlarged on A4."""
    root = Path("/usr/share/fonts/truetype/dejavu")
    face = lambda pt, bold=False: ImageFont.truetype(  # noqa: E731
        str(root / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), round(pt * 300 / 72))
    page = Image.new("RGB", (2481, 3508), "white")
    draw = ImageDraw.Draw(page)
    draw.rounded_rectangle((120, 500, 2361, 1700), radius=60, outline="black", width=4)
    draw.text((700, 560), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fill="black", font=face(10, True))
    draw.text((800, 680), "GIẤY CHỨNG MINH NHÂN DÂN", fill="black", font=face(14, True))
    draw.text((800, 800), "SỐ 171234567", fill="black", font=face(18, True))
    y = 960
    for line in ["Họ tên: LÊ VĂN HÙNG", "Sinh ngày: 07/09/1978", "Nguyên quán: Xã Quảng Phú, Quảng Xương",
                 "Nơi ĐKHK thường trú: Thanh Hóa"]:
        draw.text((700, y), line, fill="black", font=face(11))
        y += 100
    return page


def test_an_old_identity_card_read_by_tesseract(tmp_path):
    path = tmp_path / "cmnd.png"
    _cmnd().save(path, dpi=(300, 300))
    page = ocr.read_page(path, "image/png", 0, True, ocr.OcrOptions(), tmp_path)
    assert classify([page]) == "citizen_id_card"
    fields = extract("citizen_id_card", [page], TODAY)
    assert fields["citizen_id"].value == "171234567"
    assert fields["citizen_id"].review and fields["citizen_id"].problem == validate.OLD_CARD
    assert fields["full_name"].value == "LÊ VĂN HÙNG"
    assert fields["date_of_birth"].value == "1978-09-07"
    assert fields["place_of_origin"].value == "Xã Quảng Phú, Quảng Xương"


def _letter_with_summary(summary: str) -> PageResult:
    return page_of_lines([(200, 200, "ỦY BAN NHÂN DÂN"), (1300, 200, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                          (200, 260, "TỈNH HÀ TĨNH"), (200, 340, "Số: 75/UBND-KTTH"),
                          (1200, 340, "Hà Tĩnh, ngày 9 tháng 02 năm 2025"), (220, 420, summary)])


def test_a_stop_inside_a_summary_is_taken_for_a_comma_and_shown_to_the_clerk():
    summary = extract("admin_document", [_letter_with_summary("V/v hỗ trợ hộ nghèo. cận nghèo. Năm 2025")],
                      TODAY)["summary"]
    assert summary.value == "hỗ trợ hộ nghèo, cận nghèo. Năm 2025" and summary.review
    assert "comma" in summary.problem


def test_specks_read_as_tiny_words_between_a_summarys_lines_are_not_part_of_it():
    """Dots of a scan between the subject's lines, read as words a fifth of the type's height
    ("›", "+;" at 0.03-0.07 confidence on a real letter): not the summary's."""
    from ocr.model import Word
    page = page_of_lines([(200, 200, "SỞ GIÁO DỤC VÀ ĐÀO TẠO"), (1300, 200, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                          (200, 340, "Số: 75/SGDĐT-CTrTT"), (1200, 340, "Đà Nẵng, ngày 9 tháng 02 năm 2025"),
                          (220, 420, "V/v bảo đảm trật tự an toàn giao thông"), (300, 490, "trong dịp nghỉ hè")])
    page.words += [Word("›", 0.07, (400, 472, 407, 479), 90), Word("+;", 0.03, (520, 473, 526, 480), 91)]
    summary = extract("admin_document", [page], TODAY)["summary"]
    assert summary.value == "bảo đảm trật tự an toàn giao thông trong dịp nghỉ hè"


def test_a_stop_before_a_capital_inside_a_summary_goes_to_the_clerk():
    """A photocopy's speck read as a stop ("thành lập. Tổ công tác"): a summary is one phrase, so
    the stop is a misreading; one after an abbreviation ("TP. Hồ Chí Minh") is not."""
    summary = extract("admin_document", [_letter_with_summary("V/v thành lập. Tổ công tác chuyển đổi số")],
                      TODAY)["summary"]
    assert summary.value == "thành lập. Tổ công tác chuyển đổi số" and summary.review
    assert summary.problem == "a full stop read inside the summary, which is one phrase: check it"
    summary = extract("admin_document", [_letter_with_summary("V/v hội nghị tại TP. Hồ Chí Minh")], TODAY)["summary"]
    assert summary.value == "hội nghị tại TP. Hồ Chí Minh" and not summary.review


def test_a_summary_with_a_word_read_unsurely_goes_to_the_clerk():
    """A real letter's "COVID-19" read "COVID-L9": spelt as nothing is wrong with, but read at a
    third of print's confidence."""
    from dataclasses import replace as with_
    page = _letter_with_summary("V/v phòng, chống dịch COVID-L9")
    assert not extract("admin_document", [page], TODAY)["summary"].review
    page.words = [with_(w, confidence=0.37) if w.text == "COVID-L9" else w for w in page.words]
    summary = extract("admin_document", [page], TODAY)["summary"]
    assert summary.review and summary.confidence == 0.37 and "unsurely" in summary.problem


def test_a_summary_wrapped_after_a_dash_keeps_it_and_a_misread_subject_mark_is_still_one():
    page = page_of_lines([(200, 200, "BỘ Y TẾ"), (1300, 200, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                          (200, 340, "Số: 39/2020/QĐ-BYT"), (1200, 340, "Hà Nội, ngày 05 tháng 02 năm 2020"),
                          (1100, 500, "QUYẾT ĐỊNH"), (700, 560, "Số hóa hồ sơ giai đoạn 2023 -"), (1000, 610, "2025")])
    assert extract("admin_document", [page], TODAY)["summary"].value == "Số hóa hồ sơ giai đoạn 2023 - 2025"
    for mark in ("V/w", "VÑ"):
        summary = extract("admin_document", [_letter_with_summary(f"{mark} báo cáo kết quả kiểm tra")], TODAY)["summary"]
        assert summary.value == "báo cáo kết quả kiểm tra"
