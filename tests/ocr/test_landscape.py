"""A4 landscape pages (text along the long side), scanned and born-digital: read, archived upright
and their fields extracted (issue 15)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pikepdf
import pypdfium2
from fpdf import FPDF

import ocr
import vnpages
from ingest.classify import classify
from ingest.extract import extract
from repository import archival

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
import otherpages  # noqa: E402

OPTIONS = ocr.OcrOptions()
LETTER = ["ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "Số: 214/QĐ-UBND", "Quảng Ngãi, ngày 05 tháng 3 năm 2024",
          "QUYẾT ĐỊNH", "Về việc phê duyệt danh sách hộ gia đình được hỗ trợ nhà ở năm 2024",
          *vnpages.PROSE[2:6]]


def _shown_size(pdf: Path) -> tuple[float, float]:
    """The size of page 1 as a viewer shows it (its /Rotate applied)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].get_size()
    finally:
        document.close()


def _description() -> archival.Description:
    return archival.Description("landscape.pdf", "000.17.22.H56-240305-0001", "01HV0000000000000000000000",
                                "000.17.22.H56", "admin_document")


def test_a_landscape_page_scanned_short_edge_first_is_read_and_archived_upright(tmp_path):
    """The scan is portrait and its lines run up the page: HoSo turns it, reads it, and the
    archival page is landscape with the text layer on the lines."""
    page, lines, _ = otherpages.render_page(otherpages.TUNING[0], "tinos", landscape=True)
    scan = vnpages.save(page.convert("L").rotate(90, expand=True), tmp_path / "scan.png")
    info = ocr.inspect(scan, OPTIONS)
    result = ocr.read_page(scan, info.media_type, 0, True, OPTIONS, tmp_path)
    assert result.rotation in (90, 270) and result.width > result.height
    assert vnpages.cer("\n".join(lines), result.text) < 0.01
    width, height = _shown_size(result.pdf)
    assert width > height, "the archival page must stand as the text reads: landscape"
    shown = subprocess.run(["pdftotext", "-layout", str(result.pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert lines[2][:30] in shown  # the text layer lies along the lines


def test_a_born_digital_landscape_page_turned_by_rotate_is_read_extracted_and_kept_landscape(tmp_path):
    """Office software writes a landscape page as landscape content in a portrait box turned by
    /Rotate: its words come in reading order, its fields are extracted, the copy stays turned."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_page()
    pdf.add_font("DejaVu", fname=str(vnpages.FONTS["sans"]))
    pdf.set_font("DejaVu", size=12)
    for line in LETTER:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    flat = tmp_path / "flat.pdf"
    pdf.output(str(flat))
    turned = tmp_path / "turned.pdf"
    with pikepdf.open(flat) as document:
        page = document.pages[0]
        _, _, width, height = (float(v) for v in page.mediabox)
        page.contents_add(pikepdf.Stream(document, f"q 0 1 -1 0 {height} 0 cm\n".encode()), prepend=True)
        page.contents_add(pikepdf.Stream(document, b"Q\n"))
        page.mediabox = [0, 0, height, width]
        page.Rotate = 90
        document.save(turned)
    assert _shown_size(turned)[0] > _shown_size(turned)[1]

    info = ocr.inspect(turned, OPTIONS)
    assert info.born_digital
    pages = [ocr.read_page(turned, info.media_type, 0, False, OPTIONS, tmp_path)]
    assert vnpages.cer("\n".join(LETTER), pages[0].text) < 0.01
    fields = extract(classify(pages), pages)
    assert fields["document_number"].value == "214/QĐ-UBND"
    assert fields["issue_date"].value == "2024-03-05"
    copy = tmp_path / "archival.pdf"
    copy.write_bytes(archival.assemble([archival.PagePart(turned, 0)], _description()))
    width, height = _shown_size(copy)
    assert width > height
