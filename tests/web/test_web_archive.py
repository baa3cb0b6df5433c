"""The archive in a real browser: search without diacritics, open the hit, read its pages,
verify its signature, download the original and the archival copy; filters, facets, pages."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

import vnpages
from harness import post, unique_line, wait_done

DOC_TYPES = {"citizen_id_card": "Căn cước công dân", "birth_certificate": "Giấy khai sinh",
             "admin_document": "Văn bản hành chính", "other": "Giấy tờ khác"}


@pytest.fixture(scope="module")
def archived(server, tmp_path_factory):
    """One signed result document (a born-digital decision: read without OCR, so quick)."""
    token, line = unique_line()
    path = vnpages.born_digital_pdf(tmp_path_factory.mktemp("luu-tru") / "quyet-dinh.pdf", vnpages.PROSE + [line])
    data = path.read_bytes()
    with server.client() as client:
        response = post(client, [("quyết định số 12.pdf", data, "application/pdf")], kind="result")
        assert response.status_code == 202, response.text
        dossier = wait_done(client, response.json()["dossier_code"])
    document = dossier["documents"][0]
    assert document["status"] == "done", document
    return {"token": token, "dossier": dossier, "document": document, "original": data}


def fold(text: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D").lower()


def test_search_without_diacritics_open_and_verify(web, archived, client):
    page = web.page
    token, document = archived["token"], archived["document"]
    web.sign_in("/luu-tru")
    search_box = page.get_by_label("Từ khóa")
    expect(search_box).to_be_focused()
    search_box.fill(f"nghi dinh {token}")  # typed without diacritics: the text says "Nghị định"
    with page.expect_response(re.compile(r"/v1/search\?")) as answer:
        search_box.press("Enter")
    results = answer.value.json()
    assert parse_qs(urlsplit(page.url).query)["q"] == [f"nghi dinh {token}"]
    hits = page.locator("#danh-sach-kq > li")
    expect(hits).to_have_count(1)
    expect(page.locator("#tom-tat")).to_contain_text("Tìm thấy 1 tài liệu")
    marks = hits.first.locator(".trich mark")
    expect(marks.first).to_be_visible()  # the snippet's highlights, kept as <mark> and nothing else
    assert {fold(m) for m in marks.all_inner_texts()} <= {"nghi", "dinh", token}
    assert hits.first.locator(".trich *:not(mark)").count() == 0
    expect(hits.first.locator(".meta")).to_contain_text(DOC_TYPES[document["doc_type"]])
    facets = results.get("facets") or {}
    if any(facets.values()):
        expect(page.locator("#nhom-loc")).to_be_visible()
    else:  # a server without facets: the page does without them
        expect(page.locator("#nhom-loc")).to_be_hidden()
    web.shot("ket-qua")

    # Keyboard: the results heading has the focus; the hit is the next stop.
    expect(page.locator("#tieu-de-ket-qua")).to_be_focused()
    page.keyboard.press("Tab")
    link = hits.first.get_by_role("link", name="quyết định số 12.pdf")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("quyết định số 12.pdf")
    assert parse_qs(urlsplit(page.url).query)["id"] == [document["id"]]
    expect(page.locator("#thong-tin")).to_contain_text(archived["dossier"]["dossier_code"])
    kept = "Vĩnh viễn" if document["retention"]["permanent"] else "Đến "  # its retention, from the schedule
    expect(page.locator("#thong-tin dd", has_text=kept)).to_have_count(1)
    expect(page.locator(".khung.da-tai img")).to_be_visible()
    assert page.locator(".khung img").evaluate("img => img.naturalWidth") >= 600
    text = page.locator(".van-ban .chu")
    expect(text).to_contain_text("Nghị định")
    expect(text.locator("mark.tu-tim")).to_contain_text([token])  # the words searched for, marked
    expect(page.locator("svg rect.tu-tim").first).to_be_attached()  # and boxed on the page picture

    page.get_by_role("button", name="Kiểm tra chữ ký số").click()
    report = page.locator(".chu-ky")
    expect(report.get_by_role("heading")).to_have_text("✓ Chữ ký số hợp lệ")
    expect(report.get_by_role("heading")).to_be_focused()
    expect(report).to_contain_text("chứng thư thử nghiệm")  # the development signer says so
    expect(report).to_contain_text("B-B")
    web.shot("chu-ky")

    with page.expect_download() as download:
        page.get_by_role("button", name="Tải bản gốc").click()
    assert download.value.suggested_filename == "quyết định số 12.pdf"
    original = web.directory / "ban-goc.pdf"
    download.value.save_as(original)
    assert hashlib.sha256(original.read_bytes()).digest() == hashlib.sha256(archived["original"]).digest()
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải bản lưu trữ (PDF có chữ ký)").click()
    copy = web.directory / "ban-luu-tru.pdf"
    download.value.save_as(copy)
    assert copy.read_bytes() == client.get(document["links"]["archival"]).content

    page.get_by_role("link", name="‹ Về kết quả tìm kiếm").click()
    expect(page.get_by_label("Từ khóa")).to_have_value(f"nghi dinh {token}")
    expect(hits).to_have_count(1)


def test_filters_facets_and_pages(web, archived):
    """The page sends every filter the API takes and draws facets and pages from the answer.
    Facets and a large total are added to the real answer when the server has none yet
    (the page must show them as they come), never replacing what the server sent."""
    page = web.page
    token, document, dossier = archived["token"], archived["document"], archived["dossier"]
    asked: list[dict] = []

    def widen(route):
        asked.append({k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()})
        response = route.fetch()
        body = response.json()
        if not body.get("facets"):
            body["facets"] = {"agency_code": [{"value": dossier["agency_code"], "count": 45}],
                              "procedure_code": [{"value": dossier["procedure_code"], "count": 45}],
                              "doc_type": [{"value": document["doc_type"], "count": 45}]}
        body["total"], body["total_exact"] = max(body["total"], 45), False
        route.fulfill(response=response, body=json.dumps(body), content_type="application/json")

    page.route(re.compile(r"/v1/search\?"), widen)
    web.sign_in(f"/luu-tru?q={token}")
    expect(page.locator("#danh-sach-kq > li")).to_have_count(1)
    expect(page.locator("#tom-tat")).to_contain_text("Tìm thấy hơn 45 tài liệu")

    page.locator("summary", has_text="Bộ lọc").click()
    today = date.today()
    page.get_by_label("Nhận từ ngày").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Đến ngày").fill((today + timedelta(days=1)).isoformat())
    page.get_by_label("Loại giấy tờ").select_option(document["doc_type"])
    page.get_by_label("Sắp xếp").select_option("newest")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.locator("#danh-sach-kq > li")).to_have_count(1)
    assert asked[-1] == {"q": token, "doc_type": document["doc_type"], "sort": "newest", "limit": "20", "offset": "0",
                         "received_from": (today - timedelta(days=1)).isoformat(),
                         "received_to": (today + timedelta(days=1)).isoformat()}
    expect(page.get_by_label("Loại giấy tờ")).to_have_value(document["doc_type"])  # kept in the address
    web.shot("bo-loc")

    facets = page.locator("#nhom-loc")
    expect(facets).to_be_visible()
    agency = facets.get_by_role("button", name=re.compile(re.escape(dossier["agency_code"])))
    expect(agency).to_have_attribute("aria-pressed", "false")
    agency.click()
    expect(agency).to_have_attribute("aria-pressed", "true")
    assert asked[-1]["agency_code"] == dossier["agency_code"]
    expect(page.get_by_label("Mã cơ quan")).to_have_value(dossier["agency_code"])
    web.shot("nhom")

    pages = page.get_by_role("navigation", name="Phân trang kết quả")
    expect(pages.locator("[aria-current=page]")).to_have_text("1")
    pages.get_by_role("link", name="Trang sau").click()
    expect(pages.locator("[aria-current=page]")).to_have_text("2")
    assert asked[-1]["offset"] == "20"
    web.shot("trang-2")
