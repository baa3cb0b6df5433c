"""The reception desk in a real browser: sign in, receive a scanned ID card, follow its reading,
correct and confirm fields with the keyboard, print and download the receipt."""

from __future__ import annotations

import json
import random
import re
import subprocess

from playwright.sync_api import expect

import vncards
import vndocs
from harness import png_bytes, read_qr_code


def test_sign_in_with_an_api_key(web, server):
    page = web.page
    page.goto("/tiep-nhan")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    key_box = page.get_by_label("Khóa API")
    expect(key_box).to_be_focused()
    assert web.unlabelled_controls() == []
    # Without single sign-on configured there is no SSO button (tests/web/test_web_sso.py has it on).
    expect(page.get_by_role("button", name="Đăng nhập một lần (SSO)")).to_have_count(0)
    expect(page.locator("#dang-nhap-sso")).to_be_hidden()
    key_box.fill("hoso_not-a-key-at-all")
    key_box.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Khóa API không hợp lệ")
    web.shot("khoa-sai")

    expect(key_box).to_be_focused()
    page.keyboard.type(server.key)
    page.keyboard.press("Enter")
    expect(page.locator("#nguoi-dung")).to_contain_text("quản trị")
    expect(page.get_by_label("Mã thủ tục hành chính")).to_be_focused()
    assert web.unlabelled_controls() == []
    web.shot("da-dang-nhap")

    # The key is kept for this tab only, never in localStorage.
    assert page.evaluate("() => sessionStorage.getItem('hoso.apiKey')") == server.key
    assert server.key not in json.dumps(page.evaluate("() => ({...localStorage})"))
    page.reload()
    expect(page.locator("#nguoi-dung")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('hoso.apiKey')") is None


def _citizen_id() -> str:
    # Hà Nội (001), a man born in the 1900s (0), in 1990 (90): what the card's other fields say.
    return f"001090{random.randrange(10**6):06d}"


def test_receive_review_confirm_and_receipt(web, server, client, tmp_path):
    page = web.page
    citizen_id = _citizen_id()
    card = tmp_path / "cccd.png"
    card.write_bytes(png_bytes(vndocs.render_id_card(citizen_id=citizen_id)))
    web.sign_in("/tiep-nhan")

    # The form, typed with the keyboard; a lower-case agency code is refused before sending.
    page.keyboard.type("1.001234")
    page.keyboard.press("Tab")
    page.keyboard.type(citizen_id)
    page.keyboard.press("Tab")
    page.keyboard.type("000.17.22.h56")
    page.locator("#chon-tep").set_input_files(card)
    # A page dropped on the drop zone joins the list, and can be taken out again.
    dropped = page.evaluate_handle("""() => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array([137, 80, 78, 71])], "keo-tha.png", {type: "image/png"}));
        return data; }""")
    page.locator("#vung-tha").dispatch_event("drop", {"dataTransfer": dropped})
    files = page.locator("#danh-sach-tep li")
    expect(files).to_have_count(2)
    web.shot("hai-tep")
    page.get_by_role("button", name="Bỏ tệp keo-tha.png").click()
    expect(files).to_have_count(1)
    expect(files).to_contain_text("cccd.png")

    status_reads = []  # the page follows the reading with status reads the server holds
    page.on("request", lambda request: "/status" in request.url and status_reads.append(request.url))
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    agency = page.get_by_label("Mã cơ quan tiếp nhận")
    expect(page.locator("#loi-nhan")).to_contain_text("13 ký tự")
    expect(agency).to_be_focused()
    expect(agency).to_have_attribute("aria-invalid", "true")
    agency.fill("000.17.22.H56")
    agency.press("Enter")  # submits the form

    code_box = page.locator("#ma-ho-so")
    expect(code_box).to_have_text(re.compile(r"^000\.17\.22\.H56-\d{6}-\d+$"))
    code = code_box.text_content()
    assert page.url.endswith(f"/tiep-nhan?ma={code}")
    web.shot("ma-ho-so")

    review_button = page.get_by_role("button", name="Kiểm tra tài liệu 1: cccd.png")
    expect(review_button).to_be_enabled(timeout=300_000)  # read by real Tesseract meanwhile
    expect(page.locator("#tai-lieu tr").first).to_contain_text("Xong")
    expect(page.locator("#tai-lieu tr").first).to_contain_text("Căn cước công dân")
    expect(page.locator("#trang-thai-ho-so")).to_contain_text("Đã đọc xong 1/1")
    web.shot("doc-xong")
    # One read at once, then one held until the document moves on (received, reading, done):
    # a page polling every second while Tesseract reads would send several more.
    assert 2 <= len(status_reads) <= 4, status_reads
    assert all("wait=" in url and "since=" in url for url in status_reads[1:]), status_reads

    # The review screen: the page picture, the words read, the fields.
    dossier = client.get(f"/v1/dossiers/{code}").json()
    document = dossier["documents"][0]
    reading = client.get(f"/v1/dossiers/{code}/documents/{document['id']}/pages").json()
    words = reading["pages"][0]["words"]
    low = [w for w in words if w["review"] or w["confidence"] < reading["review_confidence"]]
    review_button.click()
    section = page.locator("#kiem-tra")
    expect(section.get_by_role("heading", level=2)).to_have_text("Kiểm tra: cccd.png — Căn cước công dân")
    expect(section.locator(".khung.da-tai img")).to_be_visible()
    assert section.locator(".khung img").evaluate("img => img.naturalWidth") >= 600
    assert section.locator(".van-ban .chu").inner_text().split() == " ".join(w["text"] for w in words).split()
    expect(section.locator(".van-ban mark.tu-thap")).to_have_count(len(low))
    expect(section.locator("svg rect.tu-thap")).to_have_count(len(low))
    assert web.unlabelled_controls() == []
    web.shot("kiem-tra")

    fields = document["fields"]
    full_name = page.get_by_label("Họ, chữ đệm và tên", exact=True)
    expect(full_name).to_have_value(fields["full_name"]["value"])
    full_name.focus()
    expect(section.locator("svg rect.dang-chon")).to_have_count(1)  # the field's box on the page
    full_name.fill("NGUYỄN VĂN BÌNH")
    full_name.press("Enter")
    name_row = page.locator('#truong form[data-name="full_name"]')
    expect(name_row).to_have_class(re.compile(r"\bda-xac-nhan\b"))
    expect(name_row).to_contain_text("Đã xác nhận bởi admin")
    birth = page.get_by_label("Ngày sinh", exact=True)
    expect(birth).to_be_focused()  # Enter moved on to the next field
    expect(birth).to_have_value("15/03/1990")
    page.keyboard.press("Enter")  # confirmed as read
    expect(page.locator('#truong form[data-name="date_of_birth"]')).to_have_class(re.compile(r"\bda-xac-nhan\b"))
    expect(page.get_by_label("Giới tính", exact=True)).to_be_focused()

    expiry = page.get_by_label("Có giá trị đến", exact=True)
    read_expiry = expiry.input_value()
    expiry.fill("31/02/2030")
    expiry.press("Enter")
    expiry_row = page.locator('#truong form[data-name="date_of_expiry"]')
    expect(expiry_row).to_have_class(re.compile(r"\bloi\b"))
    expect(expiry_row).to_contain_text("Ngày phải có dạng")
    web.shot("ngay-sai")
    expiry.press("Escape")
    expect(expiry).to_have_value(read_expiry)
    expect(expiry_row).not_to_have_class(re.compile(r"\bloi\b"))
    web.shot("da-xac-nhan")

    stored = client.get(f"/v1/dossiers/{code}").json()["documents"][0]["fields"]
    assert stored["full_name"]["value"] == "NGUYỄN VĂN BÌNH"
    assert stored["full_name"]["ocr_value"] == fields["full_name"]["value"]
    assert stored["full_name"]["confirmed_by"].startswith("admin")
    assert stored["date_of_birth"]["value"] == fields["date_of_birth"]["value"]
    assert stored["date_of_birth"]["confirmed_at"] and stored["date_of_birth"]["confidence"] == 1
    assert stored["date_of_expiry"]["confirmed_at"] is None  # the bad date never left the page

    # The receipt: printed from a frame, and downloaded. Firefox prints it for real, silently into
    # a file; Chromium's print is stood in for (see below).
    if web.printer is None:
        stand_in_for_the_print_dialog(page)
    with page.expect_response(re.compile(r"/receipt\.pdf$")) as answer:
        page.get_by_role("button", name="In giấy biên nhận").click()
    assert answer.value.status == 200 and answer.value.headers["content-type"] == "application/pdf"
    expect(page.locator("#khung-in")).to_have_attribute("src", re.compile(r"^blob:"))
    if web.printer is None:
        expect(page.locator("#khung-in")).to_have_attribute("data-printed", "1")
    else:
        check_receipt(web.printed("in-bien-nhan.pdf"), code, citizen_id)
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải giấy biên nhận (PDF)").click()
    assert download.value.suggested_filename == f"bien-nhan-{code}.pdf"
    receipt = web.directory / download.value.suggested_filename
    download.value.save_as(receipt)
    qr = check_receipt(receipt, code, citizen_id)

    # The QR code's link opens the dossier; with the document named, its review too.
    page.goto(qr["url"])
    expect(page.locator("#ma-ho-so")).to_have_text(code)
    page.goto(f"/tiep-nhan?ma={code}&tai-lieu={document['id']}")
    expect(page.get_by_label("Họ, chữ đệm và tên", exact=True)).to_have_value("NGUYỄN VĂN BÌNH")
    web.shot("mo-lai")


def stand_in_for_the_print_dialog(page) -> None:
    """Printing a PDF frame works in Chromium (headless too: `chromium --headless --dump-dom` on
    the same page prints), but under Playwright's instrumentation touching the PDF viewer's
    window crashes the tab. No test can press the dialog's buttons anyway, so the print frame's
    window is replaced here by one that counts the calls; everything up to it is the real page.
    (Firefox prints the same frame for real: its Save to PDF printer without a dialog.)"""
    page.evaluate("""() => {
        const frame = document.getElementById("khung-in");
        const stub = {focus() {}, print() { frame.dataset.printed = String(Number(frame.dataset.printed || 0) + 1); }};
        Object.defineProperty(frame, "contentWindow", {get: () => stub});
    }""")


def check_receipt(pdf, code: str, citizen_id: str) -> dict:
    """The receipt's text and QR code, read from the file (downloaded or printed); the QR's data."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    for expected in ("GIẤY BIÊN NHẬN HỒ SƠ", code, citizen_id, "1.001234", "cccd.png", "Căn cước công dân"):
        assert expected in text, f"{expected!r} not in the receipt {pdf.name}:\n{text}"
    qr = read_qr_code(pdf)
    assert qr["dossier_code"] == code and qr["applicant_id"] == citizen_id
    assert qr["procedure_code"] == "1.001234" and qr["documents"] == ["cccd.png"] and qr["system"] == "HoSo"
    return qr


def test_the_clerk_is_told_to_take_a_card_photo_again(web, tmp_path):
    """A card photographed under glare over the name (tests/vncards.py's seed 0, an old card no
    code confirms): its row says, in Vietnamese, to take it again and why."""
    page = web.page
    _, photo = vncards.sample(0)[1][0]
    glared = tmp_path / "the-loa.jpg"
    glared.write_bytes(vncards.glare_at(photo, (50.0, 28.5), (8.0, 2.2)))
    web.sign_in("/tiep-nhan")
    page.keyboard.type("1.001234")
    page.keyboard.press("Tab")
    page.keyboard.type(_citizen_id())
    page.keyboard.press("Tab")
    page.keyboard.type("000.17.22.H56")
    page.locator("#chon-tep").set_input_files(glared)
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.get_by_role("button", name="Kiểm tra tài liệu 1: the-loa.jpg")).to_be_enabled(timeout=300_000)
    note = page.locator("#tai-lieu tr").first.locator(".chup-lai")
    expect(note).to_have_text("Chụp lại ảnh thẻ: lóa sáng trên họ, chữ đệm và tên: nghiêng thẻ tránh nguồn sáng.")
    expect(note).to_have_class(re.compile(r"\bloi\b"))
    web.shot("chup-lai")
