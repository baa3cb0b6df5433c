"""Field extraction end to end on varied papers: citizen ID cards (2016/2021 CCCD and 2024 Căn
cước), birth certificates and administrative documents (a decision-style layout with a type name,
and the official letter with "V/v"), each with its own names, dates, numbers and places drawn
from seeded lists, printed in several fonts and spoiled the ways scans are (bench/degrade.py).
Every page is read by HoSo's page reader, then classified and its fields extracted; prints
doc_type accuracy and field accuracy per doc_type, per field, per degradation kind and per font,
and every mismatch.

    .venv/bin/python bench/extraction.py [--documents 66] [--jobs 2] [--part tuning|held-out|held-out-2] [--keep DIR]

Decisions and letters are made as provinces make them: in 40 % of them the number and the day are
written by hand with a pen into blanks of the typed lines (the expected values stay the true
number and date; a separate table counts these fields right, wrong with review and wrong without
review), and half of them have their headings in bold Times. The held-out part draws documents
from a disjoint seed range: report it, tune on the tuning part (the default).

A field counts as right when the extracted value equals the expected one after NFC, casefold and
whitespace collapse; a field not extracted counts as wrong. Fields are extracted with the type
`classify` chose, as the pipeline does. Everything is a pure function of the document index.
"""

from __future__ import annotations

import argparse
import difflib
import os
import random
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]  # HoSo first: tests/ocr is not `ocr`
os.environ["OMP_THREAD_LIMIT"] = "1"  # one core per reader; the pool gives the parallelism
import degrade  # noqa: E402
import handwriting  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

import ocr  # noqa: E402
from ingest.classify import classify  # noqa: E402
from ingest.extract import extract  # noqa: E402
from ingest.extract.layout import rows as layout_rows  # noqa: E402
from ingest.extract.validate import PROVINCES  # noqa: E402

DPI = 300
FONT_ROOT = Path("/usr/share/fonts/truetype")
FONTS = {  # name: (regular, bold, italic)
    "dejavu-sans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf", "dejavu/DejaVuSans-Oblique.ttf"),
    "dejavu-serif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf", "dejavu/DejaVuSerif-Italic.ttf"),
    "liberation-sans": ("liberation2/LiberationSans-Regular.ttf", "liberation2/LiberationSans-Bold.ttf",
                        "liberation2/LiberationSans-Italic.ttf"),
    "liberation-serif": ("liberation2/LiberationSerif-Regular.ttf", "liberation2/LiberationSerif-Bold.ttf",
                         "liberation2/LiberationSerif-Italic.ttf"),
    "noto-serif": ("noto/NotoSerif-Regular.ttf", "noto/NotoSerif-Bold.ttf", "noto/NotoSerif-Italic.ttf"),
}
# Where each part's document seeds start: the held-out part is never looked at while tuning.
# The sixth session read the mismatches of "held-out" and mended two summary faults they showed,
# so from then on the figure to report is "held-out-2", whose mismatches nobody has read.
PARTS = {"tuning": 7000, "held-out": 107000, "held-out-2": 207000}
HANDWRITTEN_SHARE = 0.4  # of decisions and letters, the number and day filled in by hand
TIMES_HEADINGS_SHARE = 0.5  # of decisions and letters, headings in bold Times whatever the body font
VARIANTS = ["id-old", "id-new", "birth", "decision", "letter"]
DOC_TYPE = {"id-old": "citizen_id_card", "id-new": "citizen_id_card", "birth": "birth_certificate",
            "decision": "admin_document", "letter": "admin_document"}

# ---------------------------------------------------------------------------------------------
# Content

SURNAMES = ["NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "HUỲNH", "PHAN", "VŨ", "VÕ", "ĐẶNG", "BÙI", "ĐỖ",
            "HỒ", "NGÔ", "DƯƠNG", "LÝ", "ĐINH", "TRỊNH", "ĐÀO", "LƯƠNG", "TRƯƠNG", "LÒ", "HÀ", "QUÁCH"]
MIDDLE = {"Nam": ["VĂN", "ĐỨC", "MINH", "QUANG", "HỮU", "THANH", "XUÂN", "CÔNG", "ĐÌNH", "VIẾT"],
          "Nữ": ["THỊ", "NGỌC", "THU", "THANH", "HOÀI", "MINH", "KIM", "BÍCH", "THÚY", "DIỆU"]}
GIVEN = {"Nam": ["AN", "BÌNH", "CƯỜNG", "DŨNG", "HÙNG", "HẢI", "LONG", "TUẤN", "KHOA", "PHONG", "THẮNG",
                 "QUỲNH", "NGHĨA", "TRUNG", "HIẾU", "ĐẠT", "KHẢI", "LỘC", "TOÀN", "VIỆT ANH"],
         "Nữ": ["MAI", "HOA", "LAN", "HƯƠNG", "THẢO", "NGA", "TRANG", "LINH", "YẾN", "HẰNG", "HỒNG",
                "NHUNG", "THỦY", "NGUYỆT", "DIỄM", "XUYẾN", "LOAN", "PHƯỢNG", "ÁNH TUYẾT", "KHÁNH LY"]}
# Place of origin as a card prints it (short) and as a birth certificate prints it (long), and
# the province code of the ID when the person's birth was registered there.
ORIGINS = [
    ("Xã Tân Lập, Đan Phượng, Hà Nội", "Xã Tân Lập, huyện Đan Phượng, thành phố Hà Nội", "001"),
    ("Xã Nghĩa Trung, Tư Nghĩa, Quảng Ngãi", "Xã Nghĩa Trung, huyện Tư Nghĩa, tỉnh Quảng Ngãi", "051"),
    ("Xã Hưng Lộc, Hưng Nguyên, Nghệ An", "Xã Hưng Lộc, huyện Hưng Nguyên, tỉnh Nghệ An", "040"),
    ("Phường Điện Biên, Ba Đình, Hà Nội", "Phường Điện Biên, quận Ba Đình, thành phố Hà Nội", "001"),
    ("Xã Phước Hưng, Long Điền, Bà Rịa - Vũng Tàu", "Xã Phước Hưng, huyện Long Điền, tỉnh Bà Rịa - Vũng Tàu",
     "077"),
    ("Xã Cẩm Hà, Hội An, Quảng Nam", "Xã Cẩm Hà, thành phố Hội An, tỉnh Quảng Nam", "049"),
    ("Xã Mường Khương, Mường Khương, Lào Cai", "Xã Mường Khương, huyện Mường Khương, tỉnh Lào Cai", "010"),
    ("Xã Hòa Tiến, Hòa Vang, Đà Nẵng", "Xã Hòa Tiến, huyện Hòa Vang, thành phố Đà Nẵng", "048"),
    ("Xã Tân Phú Trung, Củ Chi, TP. Hồ Chí Minh", "Xã Tân Phú Trung, huyện Củ Chi, TP. Hồ Chí Minh", "079"),
    ("Xã Quảng Phú, Quảng Xương, Thanh Hóa", "Xã Quảng Phú, huyện Quảng Xương, tỉnh Thanh Hóa", "038"),
    ("Xã Thụy Hải, Thái Thụy, Thái Bình", "Xã Thụy Hải, huyện Thái Thụy, tỉnh Thái Bình", "034"),
    ("Phường Vĩnh Ninh, Huế, Thừa Thiên Huế", "Phường Vĩnh Ninh, thành phố Huế, tỉnh Thừa Thiên Huế", "046"),
]
STREETS = ["Phố Huế", "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hùng Vương", "Lý Thường Kiệt",
           "Điện Biên Phủ", "Quang Trung", "Bà Triệu", "Nguyễn Văn Cừ", "Lê Duẩn", "Phan Đình Phùng"]
TOWNS = [("Hai Bà Trưng", "Hà Nội"), ("Cầu Giấy", "Hà Nội"), ("Hải Châu", "Đà Nẵng"), ("Ninh Kiều", "Cần Thơ"),
         ("Bến Nghé, Quận 1", "TP. HCM"), ("Lê Chân", "Hải Phòng"), ("TP. Vinh", "Nghệ An"),
         ("Đống Đa", "Hà Nội"), ("TP. Huế", "Thừa Thiên Huế"), ("Phường 6, Quận 3", "TP. HCM")]
REGISTRATIONS = ["Phường 6, Quận 3, TP. Hồ Chí Minh", "Xã Hưng Lộc, Hưng Nguyên, Nghệ An",
                 "Phường Hải Châu 1, Hải Châu, Đà Nẵng", "Phường Dịch Vọng, Cầu Giấy, Hà Nội",
                 "Xã Nghĩa Trung, Tư Nghĩa, Quảng Ngãi", "Phường Cái Khế, Ninh Kiều, Cần Thơ",
                 "Xã Quảng Phú, Quảng Xương, Thanh Hóa", "Phường Trần Phú, Hà Giang, Hà Giang"]
BIRTHPLACES = ["Bệnh viện Phụ sản Hà Nội, thành phố Hà Nội", "Bệnh viện Từ Dũ, TP. Hồ Chí Minh",
               "Bệnh viện Sản Nhi tỉnh Quảng Ngãi", "Trạm Y tế xã Hưng Lộc, huyện Hưng Nguyên, tỉnh Nghệ An",
               "Bệnh viện Đa khoa tỉnh Thanh Hóa", "Bệnh viện Phụ sản - Nhi Đà Nẵng",
               "Bệnh viện Hùng Vương, TP. Hồ Chí Minh", "Trung tâm Y tế huyện Mường Khương, tỉnh Lào Cai"]
ETHNICITIES = ["Kinh", "Kinh", "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Ê Đê"]
RESIDENCES = ["Số 12 phố Huế, quận Hai Bà Trưng, thành phố Hà Nội", "Số 45 đường Lê Lợi, phường Bến Nghé, Quận 1",
              "Thôn Trung An, xã Nghĩa Trung, huyện Tư Nghĩa, tỉnh Quảng Ngãi", "Xóm 3, xã Hưng Lộc, huyện Hưng Nguyên"]

# (agency lines, agency symbol, issue place, signer title)
AGENCIES = [
    (["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI"], "UBND", "Quảng Ngãi", "CHỦ TỊCH"),
    (["BỘ THÔNG TIN VÀ TRUYỀN THÔNG"], "BTTTT", "Hà Nội", "BỘ TRƯỞNG"),
    (["UBND TỈNH NGHỆ AN", "SỞ TƯ PHÁP"], "STP", "Nghệ An", "GIÁM ĐỐC"),
    (["ỦY BAN NHÂN DÂN", "QUẬN BA ĐÌNH"], "UBND", "Hà Nội", "CHỦ TỊCH"),
    (["BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG"], "BTNMT", "Hà Nội", "BỘ TRƯỞNG"),
    (["UBND THÀNH PHỐ ĐÀ NẴNG", "SỞ NỘI VỤ"], "SNV", "Đà Nẵng", "GIÁM ĐỐC"),
    (["UBND TỈNH THANH HÓA", "SỞ TƯ PHÁP"], "STP", "Thanh Hóa", "GIÁM ĐỐC"),
    (["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH"], "UBND", "Thành phố Hồ Chí Minh", "CHỦ TỊCH"),
    (["BỘ Y TẾ"], "BYT", "Hà Nội", "BỘ TRƯỞNG"),
    (["UBND HUYỆN ĐỒNG VĂN", "PHÒNG TƯ PHÁP"], "PTP", "Đồng Văn", "TRƯỞNG PHÒNG"),
    (["ỦY BAN NHÂN DÂN", "XÃ HƯNG LỘC"], "UBND", "Hưng Lộc", "CHỦ TỊCH"),
]
# (type name, its symbol in the number, summaries)
TYPES = [
    ("QUYẾT ĐỊNH", "QĐ", ["Về việc phê duyệt danh mục thủ tục hành chính được số hóa",
                          "Về việc ban hành Quy chế tiếp nhận hồ sơ trực tuyến",
                          "Về việc thành lập Tổ công tác chuyển đổi số",
                          "Về việc công bố danh mục thủ tục hành chính được tiếp nhận và trả kết quả "
                          "qua dịch vụ bưu chính công ích trên địa bàn"]),
    ("THÔNG BÁO", "TB", ["Kết quả giải quyết hồ sơ đăng ký hộ tịch trên địa bàn",
                         "Lịch tiếp công dân định kỳ tháng 9 năm 2023"]),
    ("KẾ HOẠCH", "KH", ["Triển khai dịch vụ công trực tuyến toàn trình năm 2024",
                        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính giai đoạn 2023 - 2025"]),
    ("BÁO CÁO", "BC", ["Tình hình thực hiện cải cách hành chính quý III năm 2023"]),
    ("TỜ TRÌNH", "TTr", ["Đề nghị phê duyệt kinh phí số hóa tài liệu lưu trữ"]),
    ("CHỈ THỊ", "CT", ["Về tăng cường kỷ luật, kỷ cương hành chính"]),
    ("NGHỊ QUYẾT", "NQ", ["Về việc thông qua Đề án chuyển đổi số tỉnh đến năm 2025"]),
]
SUBJECTS = ["triển khai số hóa hồ sơ thủ tục hành chính", "góp ý dự thảo Quy chế lưu trữ điện tử",
            "đề nghị cung cấp thông tin hộ tịch", "hướng dẫn cấp bản sao trích lục khai sinh",
            "báo cáo kết quả kiểm tra công tác chứng thực", "tăng cường công tác tiếp công dân"]
UNITS = ["HCTP", "VP", "TCCB", "KSTT", "PC", "HC"]
RECIPIENTS = ["Ủy ban nhân dân các huyện, thị xã, thành phố", "Các sở, ban, ngành thuộc tỉnh",
              "Phòng Tư pháp các quận, huyện"]
BODY = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Nghị định số 45/2020/NĐ-CP ngày 08 tháng 4 năm 2020 của Chính phủ về thực hiện "
    "thủ tục hành chính trên môi trường điện tử;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Theo đề nghị của Chánh Văn phòng và Giám đốc Sở Tư pháp,",
]
ARTICLES = [
    "Điều 1. Ban hành kèm theo văn bản này Quy chế số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.",
    "Điều 2. Văn bản này có hiệu lực kể từ ngày ký.",
    "Điều 3. Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị liên quan chịu trách nhiệm thi hành.",
]
LETTER_BODY = [
    "Thực hiện Nghị định số 45/2020/NĐ-CP của Chính phủ, cơ quan đề nghị các đơn vị chỉ đạo số hóa hồ sơ, "
    "kết quả giải quyết thủ tục hành chính và báo cáo kết quả trước ngày 30 tháng 11.",
    "Trong quá trình thực hiện, nếu có vướng mắc, đề nghị phản ánh về cơ quan để được hướng dẫn.",
    "Trân trọng./.",
]

_UNITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def say(n: int) -> str:
    """A number under 100 in Vietnamese words, as birth certificates spell dates."""
    if n < 10:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    head = "mười" if tens == 1 else _UNITS[tens] + " mươi"
    if unit == 0:
        return head
    return head + " " + ("lăm" if unit == 5 else "mốt" if unit == 1 and tens > 1 else _UNITS[unit])


def say_year(y: int) -> str:
    rest = y % 100
    tail = "" if rest == 0 else f" không trăm lẻ {_UNITS[rest]}" if rest < 10 else f" không trăm {say(rest)}"
    return f"hai nghìn{tail}"


def person(rng: random.Random, sex: str | None = None) -> tuple[str, str]:
    sex = sex or rng.choice(["Nam", "Nữ"])
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}", sex


def birthday(rng: random.Random, first: int, last: int) -> date:
    return date(first, 1, 1) + timedelta(days=rng.randrange((date(last, 12, 31) - date(first, 1, 1)).days))


def citizen_id(rng: random.Random, province: str, born: date, sex: str) -> str:
    gene = 2 * ((born.year - 1900) // 100) + (1 if sex == "Nữ" else 0)
    return f"{province}{gene}{born.year % 100:02d}{rng.randrange(10**6):06d}"


def dmy(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def expiry(born: date, issued: int) -> date:
    """Cards are renewed at 25, 40 and 60; after 60 they do not expire (we stay under it)."""
    for age in (25, 40, 60):
        if born.year + age > issued + 1:
            return born.replace(year=born.year + age) if not (born.month == 2 and born.day == 29) \
                else date(born.year + age, 3, 1)
    return born.replace(year=born.year + 60)


# ---------------------------------------------------------------------------------------------
# Printing


@dataclass
class Pen:
    font: str
    draw: ImageDraw.ImageDraw
    headings: str | None = None  # the font of bold lines when it is not the body's
    cache: dict = field(default_factory=dict)

    def face(self, size_pt: float, style: int = 0) -> ImageFont.FreeTypeFont:
        k = (size_pt, style)
        if k not in self.cache:
            font = self.headings if style == 1 and self.headings else self.font
            self.cache[k] = ImageFont.truetype(str(FONT_ROOT / FONTS[font][style]), round(size_pt * DPI / 72))
        return self.cache[k]

    def fit(self, text: str, size_pt: float, style: int, width: float) -> ImageFont.FreeTypeFont:
        """The face at ``size_pt`` or smaller (not under 70 %), so that ``text`` fits ``width``."""
        size = size_pt
        while self.draw.textlength(text, font=self.face(size, style)) > width and size > 0.7 * size_pt:
            size -= 0.5
        return self.face(size, style)

    def text(self, x: float, y: float, text: str, face) -> None:
        self.draw.text((x, y), text, fill="black", font=face)

    def centred(self, cx: float, y: float, text: str, face) -> None:
        self.text(cx - self.draw.textlength(text, font=face) / 2, y, text, face)

    def centred_with_blank(self, cx: float, y: float, typed: tuple[str, str], written: str, face,
                           hand: random.Random) -> None:
        """`typed[0]`, a blank, `typed[1]` centred on `cx`, and `written` by hand into the blank, as
        a clerk fills the number or the day into a typed line after signing."""
        height = face.size * hand.uniform(0.9, 1.25)
        space = self.draw.textlength(" ", font=face)
        blank = " " * max(6, round(handwriting.width(written, height) * 1.25 / space))
        line = typed[0] + blank + typed[1]
        x = cx - self.draw.textlength(line, font=face) / 2
        self.text(x, y, line, face)
        start = x + self.draw.textlength(typed[0], font=face)
        room = self.draw.textlength(blank, font=face) - handwriting.width(written, height)
        handwriting.write(self.draw, start + room * hand.uniform(0.2, 0.6), y + face.getmetrics()[0],
                          written, height, hand, hand.choice(list(handwriting.INKS)))

    def wrap(self, text: str, face, width: float, first: float | None = None) -> list[str]:
        lines, current = [], ""
        for word in text.split():
            trial = f"{current} {word}".strip()
            limit = first if (first is not None and not lines) else width
            if current and self.draw.textlength(trial, font=face) > limit:
                lines.append(current)
                current = word
            else:
                current = trial
        return [*lines, current] if current else lines


def _a4() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    page = Image.new("RGB", (round(8.27 * DPI), round(11.69 * DPI)), "white")
    return page, ImageDraw.Draw(page)


def render_card(rng: random.Random, font: str, new_style: bool) -> tuple[Image.Image, dict[str, str]]:
    """The front (and for the 2024 card the back) of a citizen ID card, enlarged on A4 as a photocopy."""
    page, draw = _a4()
    pen = Pen(font, draw)
    name, sex = person(rng)
    born = birthday(rng, 1995, 2008) if new_style else birthday(rng, 1965, 2004)
    origin_short, _, province = rng.choice(ORIGINS)
    cid = citizen_id(rng, province if rng.random() < 0.7 else rng.choice(sorted(PROVINCES)), born, sex)
    issued = rng.randint(max(2021 if not new_style else 2024, born.year + 14), 2024 if new_style else 2023)
    expires = expiry(born, issued)
    street, (district, city) = rng.choice(STREETS), rng.choice(TOWNS)
    residence = f"{rng.randint(1, 250)} {street}, {district}, {city}"
    expected = {"citizen_id": cid, "full_name": name, "date_of_birth": born.isoformat(), "sex": sex,
                "nationality": "Việt Nam", "place_of_residence": residence, "date_of_expiry": expires.isoformat()}

    x0, y0 = 120, 500
    x1, y1 = page.width - 120, y0 + 1450
    draw.rounded_rectangle((x0, y0, x1, y1), radius=60, outline="black", width=4)
    cx = (x0 + x1) / 2
    small, label, value, big = pen.face(9), pen.face(10), pen.face(11, 1), pen.face(18, 1)
    pen.centred(cx, y0 + 40, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", pen.face(10, 1))
    pen.centred(cx, y0 + 95, "SOCIALIST REPUBLIC OF VIET NAM", small)
    pen.centred(cx, y0 + 140, "Độc lập - Tự do - Hạnh phúc", small)
    pen.centred(cx, y0 + 185, "Independence - Freedom - Happiness", small)
    pen.centred(cx, y0 + 250, "CĂN CƯỚC" if new_style else "CĂN CƯỚC CÔNG DÂN", pen.face(16, 1))
    pen.centred(cx, y0 + 330, "IDENTITY CARD" if new_style else "Citizen Identity Card", label)
    lx = x0 + 480
    draw.rectangle((x0 + 60, y0 + 430, x0 + 400, y0 + 880), outline="black", width=3)  # the photo
    if new_style:
        pen.text(lx, y0 + 410, "Số định danh cá nhân / Personal identification number", pen.fit(
            "Số định danh cá nhân / Personal identification number", 10, 0, x1 - 40 - lx))
        pen.text(lx, y0 + 460, cid, big)
    else:
        pen.text(lx, y0 + 410, "Số / No.:", label)
        pen.text(lx + draw.textlength("Số / No.: ", font=label) + 60, y0 + 395, cid, big)
    rows: list[tuple[str, str | None]]
    if new_style:
        registration = rng.choice(REGISTRATIONS)
        expected["place_of_birth_registration"] = registration
        rows = [("Họ, chữ đệm và tên khai sinh / Full name:", None), ("", name),
                ("Ngày sinh / Date of birth: ", dmy(born)),
                ("Giới tính / Sex: ", f"{sex}      Quốc tịch / Nationality: Việt Nam"),
                ("", None), ("", None),  # the back of the card, photocopied under the front
                ("Nơi cư trú / Place of residence: ", residence),
                ("Nơi đăng ký khai sinh / Place of birth: ", registration),
                ("Ngày hết hạn / Date of expiry: ", dmy(expires))]
    else:
        expected["place_of_origin"] = origin_short
        rows = [("Họ và tên / Full name:", None), ("", name),
                ("Ngày sinh / Date of birth: ", dmy(born)),
                ("Giới tính / Sex: ", f"{sex}      Quốc tịch / Nationality: Việt Nam"),
                ("Quê quán / Place of origin:", None), ("", origin_short),
                ("Nơi thường trú / Place of residence: ", residence)]
    y = y0 + 560
    right = x1 - 40
    for text, val in rows:
        x = lx
        if text:
            pen.text(x, y, text, label)
            x += draw.textlength(text, font=label)
        if val:
            if x + draw.textlength(val, font=value) > right:  # a long place wraps at a comma, as cards do
                parts = val.split(", ")
                k = len(parts) - 1
                while k > 1 and x + draw.textlength(", ".join(parts[:k]) + ",", font=value) > right:
                    k -= 1
                pen.text(x, y - 4, ", ".join(parts[:k]) + ",", value)
                y += 75
                pen.text(lx, y - 4, ", ".join(parts[k:]), value)
            else:
                pen.text(x, y - 4, val, value)
        y += 75
    if not new_style:
        pen.text(x0 + 60, y1 - 200, f"Có giá trị đến: {dmy(expires)}", small)
        pen.text(x0 + 60, y1 - 150, "Date of expiry", small)
    return page, expected


def render_birth(rng: random.Random, font: str) -> tuple[Image.Image, dict[str, str]]:
    page, draw = _a4()
    pen = Pen(font, draw)
    name, sex = person(rng)
    born = birthday(rng, 2005, 2023)
    _, origin_long, province = rng.choice(ORIGINS)
    cid = citizen_id(rng, province, born, sex)
    surname = name.split()[0]
    father, _ = person(rng, "Nam")
    father = " ".join([surname, *father.split()[1:]])
    mother, _ = person(rng, "Nữ")
    ethnicity = rng.choice(ETHNICITIES)
    birthplace = rng.choice(BIRTHPLACES)
    residence = rng.choice(RESIDENCES)
    expected = {"full_name": name, "date_of_birth": born.isoformat(), "sex": sex, "ethnicity": ethnicity,
                "nationality": "Việt Nam", "place_of_birth": birthplace, "place_of_origin": origin_long,
                "citizen_id": cid, "mother_name": mother, "father_name": father}

    cx, left, width = page.width / 2, 260, page.width - 2 * 260
    body, bold = pen.face(13), pen.face(13, 1)
    pen.centred(cx, 240, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    pen.centred(cx, 310, "Độc lập - Tự do - Hạnh phúc", bold)
    pen.centred(cx, 480, "GIẤY KHAI SINH", pen.face(18, 1))
    pen.text(left, 620, f"Số: {rng.randint(1, 400)}", body)
    pen.text(cx + 300, 620, f"Quyển số: {rng.randint(1, 3):02d}/{born.year}", body)
    worded = f"Ngày {say(born.day)}, tháng {say(born.month)}, năm {say_year(born.year)}"
    gap = "      "
    lines = [
        f"Họ, chữ đệm, tên: {name}",
        *pen.wrap(f"Ngày, tháng, năm sinh: {dmy(born)}    ghi bằng chữ: {worded}", body, width),
        f"Giới tính: {sex}{gap}Dân tộc: {ethnicity}{gap}Quốc tịch: Việt Nam",
        *pen.wrap(f"Nơi sinh: {birthplace}", body, width),
        *pen.wrap(f"Quê quán: {origin_long}", body, width),
        f"Số định danh cá nhân: {cid}",
        f"Họ, chữ đệm, tên người mẹ: {mother}",
        f"Năm sinh: {rng.randint(born.year - 38, born.year - 19)}{gap}Dân tộc: {ethnicity}{gap}Quốc tịch: Việt Nam",
        *pen.wrap(f"Nơi cư trú: {residence}", body, width),
        f"Họ, chữ đệm, tên người cha: {father}",
        f"Năm sinh: {rng.randint(born.year - 42, born.year - 20)}{gap}Dân tộc: {ethnicity}{gap}Quốc tịch: Việt Nam",
        *pen.wrap(f"Nơi cư trú: {residence}", body, width),
    ]
    y = 760
    for line in lines:
        pen.text(left, y, line, body)
        y += 95
    pen.text(cx + 200 - (200 if font.startswith("dejavu") else 0), y + 120, "NGƯỜI ĐI ĐĂNG KÝ KHAI SINH", bold)
    return page, expected


@dataclass
class Paper:
    """How a decision or letter was made, drawn apart from its text (a seed's text stays the same)."""
    hand: random.Random | None = None  # the clerk's hand, when the number and day are written in
    headings: str | None = None  # the font of its bold headings, when not the body's

    @property
    def handwritten(self) -> frozenset[str]:
        return frozenset({"document_number", "issue_date"}) if self.hand else frozenset()


def paper(seed: int, variant: str) -> Paper:
    if variant not in ("decision", "letter"):
        return Paper()
    rng = random.Random(f"paper {seed}")
    hand = random.Random(rng.random()) if rng.random() < HANDWRITTEN_SHARE else None
    return Paper(hand, "liberation-serif" if rng.random() < TIMES_HEADINGS_SHARE else None)


def _issue_date(rng: random.Random, place: str) -> tuple[tuple[str, str, str], str]:
    """The date line in three parts (before the day, the day, after it) and the ISO date."""
    d = birthday(rng, 2019, 2024)
    day = f"{d.day:02d}" if rng.random() < 0.5 or d.day < 10 and rng.random() < 0.6 else str(d.day)
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return (f"{place}, ngày ", day, f" tháng {month} năm {d.year}"), d.isoformat()


def _number_and_date(pen: Pen, paper: Paper, y: float, cxs: tuple[float, float], number: tuple[str, str],
                     date_line: tuple[str, str, str]) -> None:
    """"Số: 47/QĐ-UBND" on the left, the italic place and date on the right; the number and the
    day typed, or written by hand into blanks when the paper says so."""
    typed_number, typed_date = f"Số: {''.join(number)}", "".join(date_line)
    number_face, date_face = pen.fit(typed_number, 13, 0, 1000), pen.fit(typed_date, 13, 2, 1350)
    if paper.hand is None:
        pen.centred(cxs[0], y, typed_number, number_face)
        pen.centred(cxs[1], y, typed_date, date_face)
        return
    pen.centred_with_blank(cxs[0], y, ("Số: ", number[1]), number[0], number_face, paper.hand)
    pen.centred_with_blank(cxs[1], y, (date_line[0], date_line[2]), date_line[1], date_face, paper.hand)


def _signer(rng: random.Random) -> str:
    name, _ = person(rng)
    return " ".join(w.capitalize() for w in name.split())


def _heading(pen: Pen, agency: list[str], left_cx: float, right_cx: float, top: float) -> float:
    """Agency top left (superior regular, issuer bold), national heading top right; the y under them."""
    col = 1000
    for i, line in enumerate(agency):
        style = 1 if i == len(agency) - 1 else 0
        pen.centred(left_cx, top + 62 * i, line, pen.fit(line, 12.5, style, col))
    pen.centred(right_cx, top, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                pen.fit("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12.5, 1, 1380))
    pen.centred(right_cx, top + 62, "Độc lập - Tự do - Hạnh phúc", pen.fit("Độc lập - Tự do - Hạnh phúc", 13, 1, 1300))
    return top + 62 * max(2, len(agency))


def render_decision(rng: random.Random, font: str, paper: Paper) -> tuple[Image.Image, dict[str, str]]:
    page, draw = _a4()
    pen = Pen(font, draw, paper.headings)
    w = page.width
    body, bold = pen.face(13), pen.face(13, 1)
    agency, symbol, place, title = rng.choice(AGENCIES)
    type_name, type_symbol, summaries = rng.choice(TYPES)
    summary = rng.choice(summaries)
    date_line, iso = _issue_date(rng, place)
    year = iso[:4]
    with_year = rng.random() < 0.4
    digits = str(rng.randint(1, 2999))
    number = digits + (f"/{year}/{type_symbol}-{symbol}" if with_year else f"/{type_symbol}-{symbol}")
    signer = _signer(rng)
    left_cx, right_cx = 620, w - 800
    y = _heading(pen, agency, left_cx, right_cx, 200) + 70
    _number_and_date(pen, paper, y, (left_cx, right_cx), (digits, number[len(digits):]), date_line)
    pen.centred(w / 2, y + 190, type_name, pen.face(14, 1))
    sy = y + 270
    summary_lines = pen.wrap(summary, bold, 1650)
    for line in summary_lines:
        pen.centred(w / 2, sy, line, bold)
        sy += 75
    expected = {"issuing_agency": " ".join(agency), "document_number": number, "document_type": type_name,
                "issue_place": place, "issue_date": iso, "summary": " ".join(summary_lines), "signer": signer}
    authority = f"{title} {' '.join(agency)}" if title == "CHỦ TỊCH" else title
    y = sy + 90
    pen.centred(w / 2, y, (authority if type_name not in ("BÁO CÁO", "TỜ TRÌNH", "THÔNG BÁO", "KẾ HOẠCH")
                           else "").upper() or " ", pen.fit(authority, 13, 1, 1900))
    y += 110
    for paragraph in BODY[:rng.randint(2, 4)]:
        for i, line in enumerate(pen.wrap(paragraph, body, 1900, first=1800)):
            pen.text(300 + (100 if i == 0 else 0), y, line, body)
            y += 72
    pen.centred(w / 2, y + 30, "QUYẾT ĐỊNH:" if type_name == "QUYẾT ĐỊNH" else "", bold)
    y += 140
    for paragraph in ARTICLES[:rng.randint(2, 3)]:
        for i, line in enumerate(pen.wrap(paragraph, body, 1900, first=1800)):
            pen.text(300 + (100 if i == 0 else 0), y, line, body)
            y += 72
    y += 120
    page.info["signature"] = _signature_block(pen, rng, y, right_cx, title, signer, ["- Như Điều 3;", "- Lưu: VT."])
    return page, expected


def render_letter(rng: random.Random, font: str, paper: Paper) -> tuple[Image.Image, dict[str, str]]:
    page, draw = _a4()
    pen = Pen(font, draw, paper.headings)
    w = page.width
    body = pen.face(13)
    agency, symbol, place, title = rng.choice([a for a in AGENCIES if len(a[0]) == 2])
    subject = rng.choice(SUBJECTS)
    date_line, iso = _issue_date(rng, place)
    digits = str(rng.randint(1, 2999))
    number = f"{digits}/{symbol}-{rng.choice(UNITS)}"
    signer = _signer(rng)
    left_cx, right_cx = 620, w - 800
    y = _heading(pen, agency, left_cx, right_cx, 200) + 70
    _number_and_date(pen, paper, y, (left_cx, right_cx), (digits, number[len(digits):]), date_line)
    small = pen.face(12)
    subject_lines = pen.wrap(f"V/v {subject}", small, 880)
    sy = y + 70
    for line in subject_lines:
        pen.centred(left_cx, sy, line, small)
        sy += 55
    expected = {"issuing_agency": " ".join(agency), "document_number": number, "document_type": "CÔNG VĂN",
                "issue_place": place, "issue_date": iso, "summary": subject, "signer": signer}
    y = max(sy, y + 250) + 130
    recipient = f"Kính gửi: {rng.choice(RECIPIENTS)}"
    pen.centred(w / 2, y, recipient, pen.fit(recipient, 13, 0, 1900))
    y += 120
    for paragraph in LETTER_BODY:
        for i, line in enumerate(pen.wrap(paragraph, body, 1900, first=1800)):
            pen.text(300 + (100 if i == 0 else 0), y, line, body)
            y += 72
    y += 120
    page.info["signature"] = _signature_block(pen, rng, y, right_cx, title, signer,
                                              ["- Như trên;", "- Lưu: VT, " + symbol + "."])
    return page, expected


def _signature_block(pen: Pen, rng: random.Random, y: float, right_cx: float, title: str, signer: str,
                     recipients: list[str]) -> tuple[int, int]:
    """Recipients on the left, the signing title and name on the right; where the signature goes
    (the top left of the room left for it), for a seal to be pressed over it."""
    pen.text(300, y, "Nơi nhận:", pen.face(12, 1))
    for i, line in enumerate(recipients):
        pen.text(300, y + 60 + 50 * i, line, pen.face(11))
    bold = pen.face(13, 1)
    if rng.random() < 0.4:  # signed on behalf: "KT. CHỦ TỊCH" over "PHÓ CHỦ TỊCH"
        pen.centred(right_cx, y, f"KT. {title}", bold)
        pen.centred(right_cx, y + 65, f"PHÓ {title}" if not title.startswith("BỘ") else "THỨ TRƯỞNG", bold)
    else:
        pen.centred(right_cx, y, title, bold)
    pen.centred(right_cx, y + 330, signer, bold)
    return round(right_cx - 350), round(y + 70)


RENDERERS = {"id-old": lambda rng, font, paper: render_card(rng, font, False),
             "id-new": lambda rng, font, paper: render_card(rng, font, True),
             "birth": lambda rng, font, paper: render_birth(rng, font),
             "decision": render_decision, "letter": render_letter}


# ---------------------------------------------------------------------------------------------
# Reading and scoring


@dataclass(frozen=True)
class Spec:
    index: int
    variant: str
    font: str
    kind: str
    seed: int


@dataclass
class Outcome:
    spec: Spec
    doc_type: str
    got_type: str
    expected: dict[str, str]
    got: dict[str, str]
    review: dict[str, bool]  # for each extracted field: whether it is flagged for the clerk
    handwritten: frozenset[str]  # the fields written by hand into the typed lines
    near: dict[str, str]  # for each wrong field: the OCR row most like the expected value
    seconds: float
    path: str


def specs(n: int, part: str = "tuning") -> list[Spec]:
    fonts = list(FONTS)
    return [Spec(i, VARIANTS[i % len(VARIANTS)], fonts[(i // len(VARIANTS)) % len(fonts)],
                 degrade.KINDS[i % len(degrade.KINDS)], PARTS[part] + i) for i in range(n)]


def same(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    return _canon(a) == _canon(b)


def _canon(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).casefold().split())


def run(spec: Spec, scratch: str) -> Outcome:
    rng = random.Random(spec.seed)
    made = paper(spec.seed, spec.variant)
    page, expected = RENDERERS[spec.variant](rng, spec.font, made)
    page.info["dpi"] = (DPI, DPI)
    expected = {k: unicodedata.normalize("NFC", v) for k, v in expected.items()}
    suffix, data = degrade.encode(spec.kind, degrade.degrade(spec.kind, page, spec.seed))
    path = Path(scratch) / f"{spec.index:03d}-{spec.variant}-{spec.kind}-{spec.font}{suffix}"
    path.write_bytes(data)
    workdir = Path(tempfile.mkdtemp(prefix=f"{spec.index:03d}-", dir=scratch))
    start = time.perf_counter()
    options = ocr.OcrOptions()
    info = ocr.inspect(path, options)
    result = ocr.read_page(path, info.media_type, 0, info.pages[0].scanned, options, workdir)
    got_type = classify([result])
    fields = extract(got_type, [result])
    seconds = time.perf_counter() - start
    got = {k: f.value for k, f in fields.items()}
    review = {k: f.review for k, f in fields.items()}
    texts = [r.text for r in layout_rows([result])] if result.words else result.text.splitlines()
    (Path(scratch) / (path.stem + ".txt")).write_text("\n".join(texts), encoding="utf-8")
    near = {}
    for name, value in expected.items():
        if not same(value, got.get(name)):
            want = _canon(value)
            near[name] = max(texts, key=lambda t: _overlap(want, _canon(t)), default="")
    return Outcome(spec, DOC_TYPE[spec.variant], got_type, expected, got, review, made.handwritten, near, seconds,
                   str(path))


def _overlap(want: str, text: str) -> float:
    m = difflib.SequenceMatcher(None, want, text, autojunk=False)
    return sum(b.size for b in m.get_matching_blocks()) / max(1, len(want))


def _pct(right: int, total: int) -> str:
    return f"{right / total:.1%}" if total else "–"


def field_table(outcomes: list[Outcome], key, label: str) -> list[str]:
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(key(o), []).append(o)
    groups["**all**"] = outcomes
    lines = [f"| {label} | documents | doc_type right | fields | fields right | field accuracy | perfect documents |",
             "|---|--:|--:|--:|--:|--:|--:|"]
    for name, group in groups.items():
        types = sum(o.got_type == o.doc_type for o in group)
        total = sum(len(o.expected) for o in group)
        right = sum(same(v, o.got.get(k)) for o in group for k, v in o.expected.items())
        perfect = sum(all(same(v, o.got.get(k)) for k, v in o.expected.items()) for o in group)
        lines.append(f"| {name} | {len(group)} | {types} ({_pct(types, len(group))}) | {total} | {right} "
                     f"| {_pct(right, total)} | {perfect} |")
    return lines


def per_field_table(outcomes: list[Outcome]) -> list[str]:
    stats: dict[tuple[str, str], list[int]] = {}
    for o in outcomes:
        for k, v in o.expected.items():
            s = stats.setdefault((o.doc_type, k), [0, 0, 0])
            s[0] += 1
            s[1] += same(v, o.got.get(k))
            s[2] += k not in o.got
    lines = ["| doc_type | field | expected | right | accuracy | missing |", "|---|---|--:|--:|--:|--:|"]
    for (doc_type, name), (total, right, missing) in sorted(stats.items()):
        lines.append(f"| {doc_type} | {name} | {total} | {right} | {_pct(right, total)} | {missing} |")
    return lines


def handwritten_table(outcomes: list[Outcome]) -> list[str]:
    """Handwritten fields: right, wrong but flagged for review, and wrong without review (the
    confident wrong values a clerk would never check; the target is none). Missing counts as
    wrong without review: the clerk is not shown the crop."""
    stats: dict[str, list[int]] = {}
    for o in outcomes:
        for k in sorted(o.handwritten):
            right = same(o.expected[k], o.got.get(k))
            flagged = not right and o.review.get(k, False)
            for key in (k, "**all**"):
                s = stats.setdefault(key, [0, 0, 0, 0, 0])
                s[0] += 1
                s[1] += right
                s[2] += flagged
                s[3] += not right and not flagged
                s[4] += k not in o.got
    lines = ["| handwritten field | fields | right | wrong, review | wrong, no review | of which missing |",
             "|---|--:|--:|--:|--:|--:|"]
    for name in sorted(stats, key=lambda k: k == "**all**"):
        total, right, flagged, silent, missing = stats[name]
        lines.append(f"| {name} | {total} | {right} ({_pct(right, total)}) | {flagged} | {silent} | {missing} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=66)
    parser.add_argument("--jobs", type=int, default=2, help="reader processes, one core each")
    parser.add_argument("--keep", type=Path, help="keep the page images and OCR rows in this directory")
    parser.add_argument("--part", choices=list(PARTS), default="tuning",
                        help="tuning: the documents HoSo is tuned on; held-out-2: seeds never looked at")
    parser.add_argument("--only", help="comma-separated document indices to run (for debugging)")
    args = parser.parse_args()
    todo = specs(args.documents, args.part)
    if args.only:
        wanted = {int(i) for i in args.only.split(",")}
        todo = [s for s in todo if s.index in wanted]

    with tempfile.TemporaryDirectory(prefix="hoso-extraction-") as tmp:
        scratch = args.keep or Path(tmp)
        scratch.mkdir(parents=True, exist_ok=True)
        print(f"{len(todo)} documents of the {args.part} part ({', '.join(VARIANTS)}; fonts {', '.join(FONTS)}; kinds "
              f"{', '.join(degrade.KINDS)}), reading with {args.jobs} processes, "
              f"tesseract {ocr.engine_version()}\n", flush=True)
        start = time.perf_counter()
        with ProcessPoolExecutor(args.jobs) as pool:
            outcomes = list(pool.map(run, todo, [str(scratch)] * len(todo)))
        elapsed = time.perf_counter() - start

    print("\n".join(field_table(outcomes, lambda o: o.doc_type, "doc_type")))
    print()
    print("\n".join(field_table(outcomes, lambda o: o.spec.variant, "layout")))
    print()
    print("\n".join(field_table(outcomes, lambda o: o.spec.kind, "kind")))
    print()
    print("\n".join(field_table(outcomes, lambda o: o.spec.font, "font")))
    print()
    print("\n".join(field_table(outcomes, lambda o: "handwritten" if o.handwritten else "typed", "number and day")))
    print()
    print("\n".join(handwritten_table(outcomes)))
    print()
    print("\n".join(per_field_table(outcomes)))
    print()
    wrong_types = [o for o in outcomes if o.got_type != o.doc_type]
    if wrong_types:
        print("Misclassified:")
        for o in wrong_types:
            print(f"- #{o.spec.index} {o.spec.variant} ({o.spec.kind}, {o.spec.font}): {o.doc_type} → {o.got_type}")
        print()
    print("Mismatches (expected → got; the OCR row most like the expected value):")
    for o in outcomes:
        for k, v in o.expected.items():
            if not same(v, o.got.get(k)):
                got = o.got.get(k)
                how = (", handwritten" if k in o.handwritten else "") + (", review" if o.review.get(k) else "")
                print(f"- #{o.spec.index} {o.spec.variant} {k} ({o.spec.kind}, {o.spec.font}{how}): "
                      f"`{v}` → {'`' + got + '`' if got is not None else '(missing)'}  ·  OCR: `{o.near.get(k, '')}`")
    total = sum(len(o.expected) for o in outcomes)
    right = sum(same(v, o.got.get(k)) for o in outcomes for k, v in o.expected.items())
    types = sum(o.got_type == o.doc_type for o in outcomes)
    print(f"\ndoc_type accuracy {_pct(types, len(outcomes))} (target 100%), field accuracy {_pct(right, total)} "
          f"(target ≥ 98%) over {total} fields. Reading took {elapsed:.0f} s of wall time on {args.jobs} "
          f"processes, {sum(o.seconds for o in outcomes) / max(1, len(outcomes)):.1f} s per document per core.")


if __name__ == "__main__":
    main()
