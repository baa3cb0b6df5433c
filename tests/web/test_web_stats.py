"""The statistics page in a real browser: the headline figures and tables are the API's, a chart
per figure drawn as inline SVG, filters kept in the address, the CSV export, and print."""

from __future__ import annotations

import re
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

import vnpages
from harness import post, unique_line, wait_done

AGENCY = "000.30.07.H71"  # this module's own agency, so its figures are its own


@pytest.fixture(scope="module")
def counted(server, tmp_path_factory):
    """Two dossiers of a result (born-digital: read without OCR, so quick), one receipt printed."""
    codes = []
    with server.client() as client:
        for n in range(2):
            _, line = unique_line()
            path = vnpages.born_digital_pdf(tmp_path_factory.mktemp("thong-ke") / f"kq{n}.pdf", vnpages.PROSE + [line])
            response = post(client, [(f"kết quả {n}.pdf", path.read_bytes(), "application/pdf")],
                            kind="result", agency_code=AGENCY)
            assert response.status_code == 202, response.text
            codes.append(wait_done(client, response.json()["dossier_code"])["dossier_code"])
        assert client.get(f"/v1/dossiers/{codes[0]}/receipt.pdf").status_code == 200
    return codes


def number(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # vi-VN groups thousands with dots


def test_statistics_page_shows_the_figures_of_the_records(web, counted, client):
    page = web.page
    web.sign_in("/thong-ke")
    expect(page.locator("#trang-thai")).to_contain_text("Số liệu của")
    everything = client.get("/v1/stats").json()
    figures = page.locator("#so-lieu .so")
    expect(figures).to_have_count(15)
    expect(page.locator('[data-figure="dossiers"] dd')).to_have_text(number(everything["totals"]["dossiers"]))
    expect(page.locator('[data-figure="pages"] dd')).to_have_text(number(everything["totals"]["pages"]))
    charts = page.locator("#bieu-do figure")
    expect(charts).to_have_count(15)
    bars = charts.first.locator("svg rect")
    expect(bars).to_have_count(len(everything["series"]))
    assert "Hồ sơ tiếp nhận" in charts.first.locator("svg").get_attribute("aria-label")
    agencies = page.locator("#theo-co-quan tbody tr")
    expect(agencies).to_have_count(len(everything["by_agency"]))
    expect(page.locator("#theo-co-quan tbody")).to_contain_text(AGENCY)
    assert web.unlabelled_controls() == []
    web.shot("tat-ca")

    # Filters go into the address, so the view survives a reload and can be sent to someone.
    page.get_by_label("Mã cơ quan").fill(AGENCY)
    page.get_by_label("Biểu đồ theo").select_option("month")
    with page.expect_response(re.compile(r"/v1/stats\?")) as answer:
        page.get_by_role("button", name="Xem thống kê").click()
    assert parse_qs(urlsplit(page.url).query) == {"agency_code": [AGENCY], "period": ["month"]}
    mine = answer.value.json()
    assert mine["totals"]["dossiers"] == 2 and mine["totals"]["results"] == 2 and mine["totals"]["receipts"] == 1
    expect(page.locator('[data-figure="dossiers"] dd')).to_have_text("2")
    expect(page.locator('[data-figure="receipts"] dd')).to_have_text("1")
    expect(page.locator("#theo-co-quan tbody tr")).to_have_count(1)
    expect(page.locator("#bieu-do figure").first.locator("svg rect")).to_have_count(len(mine["series"]))
    page.reload()
    expect(page.get_by_label("Mã cơ quan")).to_have_value(AGENCY)
    expect(page.get_by_label("Biểu đồ theo")).to_have_value("month")
    expect(page.locator('[data-figure="dossiers"] dd')).to_have_text("2")
    web.shot("mot-co-quan")

    with page.expect_download() as download:
        page.get_by_role("button", name="Tải CSV").click()
    saved = web.directory / "thong-ke.csv"
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("dimension,key,dossiers,documents")
    assert any(line.startswith(f"agency_code,{AGENCY},2,") for line in lines)

    # Print: the filters and the navigation stay off paper; figures and charts are on it.
    if web.printer is not None:  # Firefox prints for real, into a file
        page.get_by_role("button", name="In").click()
        printed = web.printed("thong-ke.pdf")
    else:  # Chromium renders the page for print the same way its dialog would
        printed = web.directory / "thong-ke.pdf"
        page.pdf(path=str(printed))
    text = subprocess.run(["pdftotext", "-layout", str(printed), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    assert "Hồ sơ tiếp nhận" in text and "Theo cơ quan" in text and AGENCY in text
    assert "Xem thống kê" not in text and "Tải CSV" not in text
