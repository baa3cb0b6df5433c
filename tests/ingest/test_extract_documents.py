"""Field extraction end to end: synthetic papers rendered at 300 dpi, read by real Tesseract."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

import ocr
from ingest.classify import classify
from ingest.extract import extract
from vndocs import DPI, render_admin_document, render_birth_certificate, render_id_card, render_official_letter


def read(image: Image.Image, tmp_path: Path, name: str) -> ocr.PageResult:
    path = tmp_path / f"{name}.png"
    image.save(path, dpi=(DPI, DPI))
    return ocr.read_page(path, "image/png", 0, True, ocr.OcrOptions(), tmp_path)


def values(fields) -> dict[str, str]:
    return {name: f.value for name, f in fields.items()}


def assert_well_formed(fields, page: ocr.PageResult) -> None:
    for name, f in fields.items():
        assert 0.0 <= f.confidence <= 1.0, name
        assert f.page == page.number, name
        x0, y0, x1, y1 = f.bbox
        assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height, name
        assert f.review == (f.confidence < 0.7 or f.problem is not None), name


def test_citizen_id_card(tmp_path):
    page = read(render_id_card(), tmp_path, "cccd")
    assert classify([page]) == "citizen_id_card"
    fields = extract("citizen_id_card", [page])
    assert values(fields) == {
        "citizen_id": "001090012345",
        "full_name": "NGUYỄN VĂN AN",
        "date_of_birth": "1990-03-15",
        "sex": "Nam",
        "nationality": "Việt Nam",
        "place_of_origin": "Xã Tân Lập, Đan Phượng, Hà Nội",
        "place_of_residence": "12 Phố Huế, Hai Bà Trưng, Hà Nội",
        "date_of_expiry": "2030-03-15",
    }
    assert_well_formed(fields, page)
    assert not any(f.problem for f in fields.values())
    # The value's box is where the name is printed, under its label.
    assert 1100 < fields["full_name"].bbox[1] < 1160


def test_identity_card_2024(tmp_path):
    page = read(render_id_card(new_style=True), tmp_path, "cancuoc")
    assert classify([page]) == "citizen_id_card"
    fields = extract("citizen_id_card", [page])
    assert values(fields) == {
        "citizen_id": "079303001234",
        "full_name": "TRẦN THỊ MAI",
        "date_of_birth": "2003-11-20",
        "sex": "Nữ",
        "nationality": "Việt Nam",
        "place_of_residence": "45 Lê Lợi, Bến Nghé, Quận 1, TP. Hồ Chí Minh",
        "place_of_birth_registration": "Phường 6, Quận 3, TP. Hồ Chí Minh",
        "date_of_expiry": "2043-11-20",
    }
    assert_well_formed(fields, page)
    assert not any(f.problem for f in fields.values())


def test_birth_certificate(tmp_path):
    page = read(render_birth_certificate(), tmp_path, "khaisinh")
    assert classify([page]) == "birth_certificate"
    fields = extract("birth_certificate", [page])
    assert values(fields) == {
        "full_name": "NGUYỄN THỊ BÌNH",
        "date_of_birth": "2021-06-05",
        "sex": "Nữ",
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
        "place_of_birth": "Bệnh viện Phụ sản Hà Nội, thành phố Hà Nội",
        "place_of_origin": "Xã Tân Lập, huyện Đan Phượng, thành phố Hà Nội",
        "citizen_id": "001321012345",
        "mother_name": "TRẦN THỊ HOA",
        "father_name": "NGUYỄN VĂN CƯỜNG",
    }
    assert_well_formed(fields, page)
    assert not any(f.problem for f in fields.values())


def test_decision(tmp_path):
    page = read(render_admin_document(), tmp_path, "quyetdinh")
    assert classify([page]) == "admin_document"
    fields = extract("admin_document", [page])
    assert values(fields) == {
        "issuing_agency": "BỘ THÔNG TIN VÀ TRUYỀN THÔNG",
        "document_number": "684/QĐ-BTTTT",
        "document_type": "QUYẾT ĐỊNH",
        "issue_place": "Hà Nội",
        "issue_date": "2020-04-16",
        "summary": "Về việc ban hành Quy chế số hóa hồ sơ thủ tục hành chính",
        "signer": "Nguyễn Mạnh Hùng",
    }
    assert_well_formed(fields, page)


def test_official_letter(tmp_path):
    page = read(render_official_letter(), tmp_path, "congvan")
    assert classify([page]) == "admin_document"
    fields = extract("admin_document", [page])
    assert values(fields) == {
        "issuing_agency": "UBND TỈNH THANH HÓA SỞ TƯ PHÁP",
        "document_number": "1520/STP-HCTP",
        "document_type": "CÔNG VĂN",
        "issue_place": "Thanh Hóa",
        "issue_date": "2023-08-05",
        "summary": "triển khai số hóa hồ sơ thủ tục hành chính",
        "signer": "Lê Văn Bình",
    }
    assert_well_formed(fields, page)


def test_a_letters_subject_stops_where_a_note_pasted_beside_it_begins(tmp_path):
    """A typed routing note pasted over the top right, a word's space right of the subject:
    Tesseract reads each of their lines as one; the subject is what lies in the left column."""
    note = ("1. Phòng Hành chính gửi văn bản đến các đơn vị thuộc Sở",
            "2. Văn phòng phối hợp theo dõi, tổng hợp báo cáo Giám đốc")
    page = read(render_official_letter(note), tmp_path, "congvan-ghichu")
    summary = extract("admin_document", [page])["summary"]
    assert summary.value == "triển khai số hóa hồ sơ thủ tục hành chính"
    assert summary.bbox[2] < page.width / 2


def test_an_id_that_disagrees_with_the_card_is_flagged(tmp_path):
    """The same card with a female century digit: read, kept, but sent to the clerk."""
    page = read(render_id_card(citizen_id="001190012345"), tmp_path, "cccd-wrong")
    fields = extract("citizen_id_card", [page])
    cid = fields["citizen_id"]
    assert cid.value == "001190012345"
    assert cid.review and cid.confidence <= 0.3 and "female" in cid.problem
    assert fields["sex"].review and fields["sex"].value == "Nam"


def test_other_paper(tmp_path):
    from vnpages import render_page

    page = read(render_page(), tmp_path, "prose")
    assert classify([page]) == "other"
    assert extract("other", [page]) == {}
