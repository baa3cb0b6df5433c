"""The receipt (giấy biên nhận) a citizen takes home: a printable PDF with a QR code.

The QR code holds what DESIGN.md asks of a receipt (dossier code, procedure, applicant,
document names, system name, time) as compact JSON, with a link to the dossier's page. Text is
set in DejaVu (Debian's fonts-dejavu-core, which `make run` installs), embedded as a subset so
the Vietnamese text stays selectable and searchable.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from repository.model import Dossier, DocumentStatus

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {("Sans", ""): "DejaVuSans.ttf", ("Sans", "B"): "DejaVuSans-Bold.ttf",
         ("Mono", "B"): "DejaVuSansMono-Bold.ttf"}
VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving
SYSTEM = "HoSo"
DOC_TYPES = {"citizen_id_card": "Căn cước công dân", "birth_certificate": "Giấy khai sinh",
             "admin_document": "Văn bản hành chính", "other": "Giấy tờ khác"}
STATUS = {DocumentStatus.RECEIVED: "Đã nhận", DocumentStatus.PROCESSING: "Đang xử lý",
          DocumentStatus.DONE: "Đã số hóa", DocumentStatus.FAILED: "Lỗi",
          DocumentStatus.DISPOSED: "Đã tiêu hủy"}
KIND = {"component": "Thành phần hồ sơ", "result": "Kết quả giải quyết"}
QR_NAMES = 20  # document names carried by the QR code; a dossier of hundreds keeps it scannable
QR_NAME_CHARS = 60


class FontMissing(Exception):
    """The receipt's font is not installed."""


def qr_payload(dossier: Dossier, lookup_url: str) -> str:
    names = [d.filename[:QR_NAME_CHARS] for d in dossier.documents[:QR_NAMES]]
    if len(dossier.documents) > QR_NAMES:
        names.append(f"+{len(dossier.documents) - QR_NAMES}")
    return json.dumps({
        "system": SYSTEM, "dossier_code": dossier.dossier_code, "procedure_code": dossier.procedure_code,
        "applicant_id": dossier.applicant_id, "agency_code": dossier.agency_code,
        "received_at": dossier.received_at.isoformat(), "documents": names, "url": lookup_url,
    }, ensure_ascii=False, separators=(",", ":"))


def local_time(moment: datetime) -> str:
    t = moment.astimezone(VIETNAM)
    return f"{t:%H} giờ {t:%M} phút, ngày {t:%d} tháng {t:%m} năm {t:%Y}"


def receipt_pdf(dossier: Dossier, lookup_url: str, printed_at: datetime | None = None) -> bytes:
    pdf = _Receipt()
    pdf.set_title(f"Giấy biên nhận hồ sơ {dossier.dossier_code}")
    pdf.set_creator(SYSTEM)
    pdf.set_lang("vi")
    pdf.add_page()
    pdf.header_block(dossier.agency_code)
    pdf.code_block(dossier.dossier_code, segno.make(qr_payload(dossier, lookup_url), error="m", micro=False))
    pdf.rows([("Thời gian tiếp nhận", local_time(dossier.received_at)),
              ("Người nộp (số định danh)", dossier.applicant_id or "—"),
              ("Thủ tục hành chính", dossier.procedure_code),
              ("Cơ quan tiếp nhận", dossier.agency_code),
              ("Loại hồ sơ", KIND.get(dossier.kind.value, dossier.kind.value))])
    pdf.documents(dossier)
    pdf.closing(printed_at or datetime.now(timezone.utc))
    return bytes(pdf.output())


class _Receipt(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.set_margins(18, 15, 18)
        self.set_auto_page_break(True, 18)
        for (family, style), name in FONTS.items():
            path = FONT_DIR / name
            if not path.exists():
                raise FontMissing(f"{path} is missing: install the Debian package fonts-dejavu-core")
            self.add_font(family, style, str(path))

    def header_block(self, agency_code: str) -> None:
        half = self.epw / 2
        top = self.get_y()
        self.set_font("Sans", "B", 10)
        self.multi_cell(half - 4, 5, f"HỆ THỐNG {SYSTEM.upper()}\nCơ quan: {agency_code}", align="C")
        self.set_xy(self.l_margin + half, top)
        self.multi_cell(half, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", align="C")
        self.ln(10)
        self.set_font("Sans", "B", 16)
        self.cell(0, 9, "GIẤY BIÊN NHẬN HỒ SƠ", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)

    def code_block(self, code: str, qr: segno.QRCode) -> None:
        size = 42  # mm: a phone reads it from arm's length
        top = self.get_y()
        self._qr(qr, self.w - self.r_margin - size, top, size)
        self.set_font("Sans", "", 11)
        self.cell(self.epw - size - 6, 7, "Mã hồ sơ:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Mono", "B", 20)
        self.cell(self.epw - size - 6, 12, code, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Sans", "", 9)
        self.multi_cell(self.epw - size - 6, 4.5, "Dùng mã hồ sơ hoặc quét mã QR để tra cứu tình trạng hồ sơ.",
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(max(self.get_y(), top + size) + 4)

    def _qr(self, qr: segno.QRCode, x: float, y: float, size: float) -> None:
        matrix = [list(row) for row in qr.matrix]
        border = 2
        module = size / (len(matrix) + 2 * border)
        self.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            c = 0
            while c < len(row):  # one rectangle per run of dark modules
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                self.rect(x + (start + border) * module, y + (r + border) * module,
                          (c - start) * module, module, style="F")

    def rows(self, rows: list[tuple[str, str]]) -> None:
        for label, value in rows:
            self.set_font("Sans", "", 11)
            self.cell(60, 7, f"{label}:")
            self.set_font("Sans", "B", 11)
            self.multi_cell(0, 7, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def documents(self, dossier: Dossier) -> None:
        self.set_font("Sans", "B", 11)
        self.cell(0, 8, f"Giấy tờ đã nhận ({len(dossier.documents)}):", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Sans", "", 10)
        with self.table(col_widths=(10, 80, 45, 15, 24), text_align=("CENTER", "LEFT", "LEFT", "CENTER", "LEFT"),
                        line_height=6, first_row_as_headings=True) as table:
            table.row(("STT", "Tên tệp", "Loại giấy tờ", "Số trang", "Tình trạng"))
            for n, doc in enumerate(dossier.documents, 1):
                kind = DOC_TYPES.get(doc.doc_type or "", "Chưa xác định")
                table.row((str(n), doc.filename, kind, str(len(doc.pages) or "—"), STATUS[doc.status]))
        self.ln(6)

    def closing(self, printed_at: datetime) -> None:
        half = self.epw / 2
        top = self.get_y()
        self.set_font("Sans", "B", 10)
        self.cell(half, 6, "NGƯỜI NỘP HỒ SƠ", align="C")
        self.cell(half, 6, "NGƯỜI TIẾP NHẬN", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Sans", "", 9)
        self.cell(half, 5, "(ký, ghi rõ họ tên)", align="C")
        self.cell(half, 5, "(ký, ghi rõ họ tên)", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(max(self.get_y(), top) + 28)
        self.set_font("Sans", "", 8)
        self.cell(0, 5, f"In từ {SYSTEM} lúc {local_time(printed_at)}.", align="C")
