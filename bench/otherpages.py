"""A second OCR evaluation set, made differently from bench/degrade.py (issue 15), so HoSo is not
judged only on pages it was tuned on.

What differs: the texts (tables of names, dates and ID numbers, numbered lists, long legal
articles with clauses and points, italic "Căn cứ" lines, bold capitals, 10-11 pt small print and
18-20 pt headings, none of HoSo's own administrative prose), the fonts (Tinos and Arimo from
fonts-croscore, FreeSerif and FreeSans from fonts-freefont-ttf, DejaVu Sans with its oblique from
fonts-dejavu-extra), the layouts (one column, two columns, a ruled table, indented clauses, A4
landscape) and the damage: seals of other shapes, sizes and reds over the signature and over body
text, rectangular incoming-mail stamps ("ĐẾN", number, date) in blue, red or violet over the text,
tea-stained paper, faded toner, a fax, low-quality JPEG. The ink of stamps and seals is not part of the truth: what is printed is.

Pages are a pure function of (kind, seed). `TUNING` and `HELD_OUT` are disjoint seed ranges:
tune on the first, report the second.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from degrade import _image, _multiply, _signature, _smooth_field, _wrap

DPI = 300
A4_MM = (210, 297)
FONT_ROOT = Path("/usr/share/fonts/truetype")
FONTS = {  # name: (regular, bold, italic)
    "tinos": ("croscore/Tinos-Regular.ttf", "croscore/Tinos-Bold.ttf", "croscore/Tinos-Italic.ttf"),
    "arimo": ("croscore/Arimo-Regular.ttf", "croscore/Arimo-Bold.ttf", "croscore/Arimo-Italic.ttf"),
    "freeserif": ("freefont/FreeSerif.ttf", "freefont/FreeSerifBold.ttf", "freefont/FreeSerifItalic.ttf"),
    "freesans": ("freefont/FreeSans.ttf", "freefont/FreeSansBold.ttf", "freefont/FreeSansOblique.ttf"),
    "dejavu-sans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf", "dejavu/DejaVuSans-Oblique.ttf"),
}
KINDS = ["clean", "seal-signature", "seal-text", "incoming-stamp", "tea-stained", "faded", "fax", "jpeg",
         "landscape", "landscape-turned", "small-print"]
TUNING = range(100, 200)
HELD_OUT = range(900, 1000)

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Đoàn", "Trịnh", "Lương", "Quách"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Xuân", "Quốc", "Thị Kim", "Bảo", "Gia"]
GIVEN = ["Anh", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hòa", "Khánh", "Lộc",
         "Mỹ", "Nghĩa", "Oanh", "Phúc", "Quyên", "Sơn", "Thắm", "Thủy", "Trọng", "Tuấn", "Uyên", "Việt",
         "Yến", "Đạt", "Ngân", "Luỹ", "Khuê", "Thịnh"]
PLACES = ["xã Tịnh Khê, huyện Sơn Tịnh", "phường Lê Hồng Phong", "thị trấn Châu Ổ", "xã Nghĩa Kỳ",
          "phường Trần Phú, TP. Quảng Ngãi", "xã Đức Lân, huyện Mộ Đức", "xã Phổ Khánh, thị xã Đức Phổ",
          "thị trấn Di Lăng, huyện Sơn Hà", "xã Bình Hải, huyện Bình Sơn", "xã Hành Thịnh, huyện Nghĩa Hành"]
LEGAL = [
    "Người sử dụng đất được Nhà nước giao đất có thu tiền sử dụng đất có quyền chuyển nhượng, tặng cho, "
    "thế chấp quyền sử dụng đất theo quy định của pháp luật.",
    "Học sinh tiểu học được miễn học phí; trẻ em mẫu giáo năm tuổi ở thôn, bản đặc biệt khó khăn được hỗ trợ "
    "tiền ăn trưa hằng tháng.",
    "Người điều khiển xe mô tô, xe gắn máy không đội mũ bảo hiểm hoặc đội mũ không cài quai đúng quy cách "
    "bị phạt tiền theo khung quy định.",
    "Cơ sở khám bệnh, chữa bệnh phải niêm yết công khai giá dịch vụ kỹ thuật, giá thuốc và vật tư y tế "
    "tại nơi dễ quan sát.",
    "Doanh nghiệp nhỏ và vừa được giảm thuế thu nhập doanh nghiệp trong thời hạn hai năm kể từ ngày có "
    "thu nhập chịu thuế.",
    "Chủ đầu tư có trách nhiệm bồi thường, hỗ trợ, tái định cư cho hộ gia đình, cá nhân có đất bị thu hồi "
    "trước khi triển khai dự án.",
    "Trường hợp người khiếu nại ốm đau, già yếu, có nhược điểm về thể chất thì được ủy quyền cho người "
    "thân thích thực hiện việc khiếu nại.",
    "Hộ kinh doanh nộp thuế theo phương pháp khoán được cơ quan thuế thông báo mức thuế phải nộp trước "
    "ngày hai mươi tháng Một hằng năm.",
    "Tàu cá có chiều dài từ mười lăm mét trở lên phải lắp đặt thiết bị giám sát hành trình và duy trì "
    "hoạt động suốt chuyến biển.",
    "Rừng phòng hộ đầu nguồn được khoanh nuôi, bảo vệ nghiêm ngặt; nghiêm cấm mọi hành vi khai thác, "
    "lấn chiếm, đốt phá rừng.",
    "Giáo viên công tác ở vùng có điều kiện kinh tế - xã hội đặc biệt khó khăn được hưởng phụ cấp thu hút "
    "bằng bảy mươi phần trăm mức lương hiện hưởng.",
    "Người lao động làm việc từ đủ mười hai tháng trở lên thì được nghỉ hằng năm, hưởng nguyên lương, "
    "mười hai ngày làm việc.",
    "Nghiêm cấm sản xuất, buôn bán thực phẩm giả, thực phẩm không rõ nguồn gốc, xuất xứ hoặc quá thời hạn "
    "sử dụng.",
    "Ủy ban nhân dân cấp xã tổ chức lấy ý kiến của cộng đồng dân cư về phương án quy hoạch trước khi "
    "trình cấp có thẩm quyền phê duyệt.",
    "Người nước ngoài thường trú tại Việt Nam được cấp thẻ thường trú có thời hạn mười năm và được gia hạn "
    "theo đề nghị.",
    "Chi phí kiểm định, hiệu chuẩn phương tiện đo được tính vào giá thành sản phẩm, hàng hóa, dịch vụ "
    "của tổ chức, cá nhân.",
    "Đê điều, công trình thủy lợi, hồ chứa nước phải được kiểm tra trước mùa mưa lũ; hư hỏng phát hiện "
    "phải sửa chữa kịp thời.",
    "Bảo tàng, di tích lịch sử - văn hóa mở cửa miễn phí cho khách tham quan vào các ngày lễ, Tết theo "
    "quy định.",
    "Quỹ hỗ trợ nông dân cho vay vốn với lãi suất ưu đãi để phát triển chăn nuôi, trồng trọt và ngành "
    "nghề nông thôn.",
    "Việc đặt tên, đổi tên đường, phố và công trình công cộng phải bảo đảm tính lịch sử, văn hóa, "
    "truyền thống của địa phương.",
]
BASES = [
    "Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;",
    "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019;",
    "Căn cứ Bộ luật Lao động ngày 20 tháng 11 năm 2019;",
    "Căn cứ Luật Khiếu nại ngày 11 tháng 11 năm 2011;",
    "Xét đề nghị của Trưởng phòng Tài chính - Kế hoạch huyện;",
    "Căn cứ Nghị quyết số 27/NQ-HĐND ngày 09 tháng 12 năm 2023 của Hội đồng nhân dân tỉnh;",
]
HEADINGS = ["DANH SÁCH HỘ GIA ĐÌNH ĐƯỢC HỖ TRỢ", "BIÊN BẢN KIỂM TRA HIỆN TRƯỜNG", "QUY CHẾ PHỐI HỢP",
            "TỜ TRÌNH", "BÁO CÁO TỔNG KẾT NĂM 2023", "PHƯƠNG ÁN BỒI THƯỜNG, HỖ TRỢ"]


@dataclass(frozen=True)
class Sample:
    path: Path
    kind: str
    truth: str  # the lines printed, in reading order, joined by "\n"
    font: str
    seed: int


@dataclass(frozen=True)
class Line:
    text: str
    style: str = "regular"  # regular, bold, italic
    size: float = 12.0  # points
    align: str = "left"  # left, centre, right
    indent: float = 0.0  # mm


# ---------------------------------------------------------------------------------------------
# Texts


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _date(rng: random.Random, start: int = 1950, end: int = 2005) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(start, end)}"


def _table_rows(rng: random.Random, count: int) -> list[list[str]]:
    header = ["STT", "Họ và tên", "Ngày sinh", "Số định danh", "Nơi cư trú"]
    rows = [header]
    for n in range(1, count + 1):
        rows.append([str(n), _person(rng), _date(rng), f"0{rng.randint(10, 96)}{rng.randint(0, 3)}"
                     f"{rng.randint(0, 99):02d}{rng.randint(0, 999999):06d}", rng.choice(PLACES)])
    return rows


def _article(rng: random.Random, number: int, small: float) -> list[Line]:
    """An article: its bold title, then clauses 1., 2. with points a), b) indented under them."""
    title = rng.choice(["Quyền của người sử dụng", "Đối tượng được hỗ trợ", "Mức phạt", "Trách nhiệm thi hành",
                        "Điều khoản chuyển tiếp", "Hồ sơ đề nghị"])
    lines = [Line(f"Điều {number}. {title}", "bold", small)]
    for clause in range(1, rng.randint(2, 3) + 1):
        lines.append(Line(f"{clause}. {rng.choice(LEGAL)}", "regular", small, indent=8))
        if rng.random() < 0.6:
            for point in "abc"[:rng.randint(1, 3)]:
                lines.append(Line(f"{point}) {rng.choice(LEGAL)}", "regular", small, indent=14))
    return lines


def _front(rng: random.Random, size: float) -> list[Line]:
    """The opening: agency and number in capitals, a large heading, italic bases."""
    place = rng.choice(["HUYỆN SƠN TỊNH", "XÃ NGHĨA KỲ", "THỊ XÃ ĐỨC PHỔ", "HUYỆN BA TƠ"])
    lines = [Line(f"ỦY BAN NHÂN DÂN {place}", "bold", size, "centre"),
             Line(f"Số: {rng.randint(5, 999)}/{rng.choice(['BC-UBND', 'TTr-PTNMT', 'BB-KT', 'DS-LĐTBXH'])}",
                  "regular", size, "centre"),
             Line(rng.choice(HEADINGS), "bold", rng.choice([16, 18, 20]), "centre")]
    lines += [Line(text, "italic", size, indent=8) for text in rng.sample(BASES, rng.randint(1, 3))]
    return lines


# ---------------------------------------------------------------------------------------------
# Printing


def _font(name: str, style: str, size_pt: float, dpi: int) -> ImageFont.FreeTypeFont:
    path = FONT_ROOT / FONTS[name][("regular", "bold", "italic").index(style)]
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: apt-get install -y fonts-croscore fonts-freefont-ttf "
                                "fonts-dejavu-extra")
    return ImageFont.truetype(str(path), round(size_pt * dpi / 72))


def _fit(text: str, face: ImageFont.FreeTypeFont, width: float) -> str:
    """`text` less its last words until it fits in `width` (a cell shows what fits)."""
    words = text.replace(",", "").split()
    while len(words) > 1 and face.getlength(" ".join(words)) > width:
        words.pop()
    return " ".join(words)


class _Printer:
    """Prints lines into a column, top down, until the column is full; records what it printed."""

    def __init__(self, page: Image.Image, font: str, box: tuple[int, int, int, int], dpi: int):
        self.draw, self.font, self.box, self.dpi = ImageDraw.Draw(page), font, box, dpi
        self.y = box[1]
        self.printed: list[str] = []

    def print(self, line: Line) -> bool:
        """Print `line` (wrapped); False when the column is full (only whole lines are printed)."""
        face = _font(self.font, line.style, line.size, self.dpi)
        mm = self.dpi / 25.4
        left, _, right, bottom = self.box
        indent = round(line.indent * mm)
        leading = round(line.size * self.dpi / 72 * 1.35)
        for i, text in enumerate(_wrap(line.text, face, right - left - indent, 0)):
            if self.y + leading > bottom:
                return False
            width = face.getlength(text)
            x = {"centre": (left + right - width) / 2, "right": right - width}.get(
                line.align, left + (indent if i == 0 else indent // 2))
            self.draw.text((round(x), self.y + leading), text, fill=0, font=face, anchor="ls")
            self.printed.append(text)
            self.y += leading
        return True

    def table(self, rows: list[list[str]], size: float) -> None:
        """A ruled table, one truth line per row (cells joined by spaces), as far as room allows."""
        left, _, right, bottom = self.box
        size -= 1
        regular, bold = _font(self.font, "regular", size, self.dpi), _font(self.font, "bold", size, self.dpi)
        shares = [0.06, 0.28, 0.16, 0.2, 0.30]
        edges = [left + round(sum(shares[:i]) * (right - left)) for i in range(len(shares) + 1)]
        height = round(size * self.dpi / 72 * 1.9)
        self.y += height // 3
        self.draw.line((left, self.y, right, self.y), fill=0, width=3)
        for r, row in enumerate(rows):
            face = bold if r == 0 else regular
            cells = [_fit(c, face, edges[i + 1] - edges[i] - 24) for i, c in enumerate(row)]
            if self.y + height > bottom:
                break
            for i, cell in enumerate(cells):
                self.draw.text((edges[i] + 12, self.y + height * 0.7), cell, fill=0, font=face, anchor="ls")
            self.y += height
            self.draw.line((left, self.y, right, self.y), fill=0, width=2)
            for x in edges:
                self.draw.line((x, self.y - height, x, self.y), fill=0, width=2)
            self.printed.append(" ".join(cells))
        self.y += height // 2


def render_page(seed: int, font: str, landscape: bool = False, small: bool = False,
                dpi: int = DPI) -> tuple[Image.Image, list[str], tuple[int, int]]:
    """A page, the lines printed on it in reading order, and where the signature goes."""
    rng = random.Random(seed)
    mm = dpi / 25.4
    width, height = (round(A4_MM[1] * mm), round(A4_MM[0] * mm)) if landscape else (round(A4_MM[0] * mm), round(A4_MM[1] * mm))
    page = Image.new("RGB", (width, height), "white")
    size = rng.choice([10, 10.5, 11]) if small else rng.choice([11.5, 12, 13])
    margin = round(20 * mm)
    box = (round(25 * mm), margin, width - margin, height - round(45 * mm))  # room for the signature
    printer = _Printer(page, font, box, dpi)
    for line in _front(rng, size):
        printer.print(line)
    layout = rng.choice(["articles", "table", "columns"]) if not landscape else rng.choice(["table", "articles"])
    if layout == "table":
        printer.table(_table_rows(rng, 30), size)
    if layout == "columns":
        gap = round(8 * mm)
        middle = (box[0] + box[2]) // 2
        for column in ((box[0], printer.y, middle - gap // 2, box[3]), (middle + gap // 2, printer.y, box[2], box[3])):
            sub = _Printer(page, font, column, dpi)
            for number in range(1, 30):
                if not all(sub.print(line) for line in _article(rng, number, size)):
                    break
            printer.printed += sub.printed
    else:
        for number in range(1, 30):
            if not all(printer.print(line) for line in _article(rng, number, size)):
                break
    # The signer's block: title in bold capitals, name in bold, under room for a signature.
    signer = [Line("TM. ỦY BAN NHÂN DÂN", "bold", size, "centre"), Line("CHỦ TỊCH", "bold", size, "centre")]
    block = _Printer(page, font, (width // 2, box[3] + round(2 * mm), width - margin, height), dpi)
    for line in signer:
        block.print(line)
    signature_at = (width // 2 + round(15 * mm), block.y)
    block.y += round(22 * mm)
    block.print(Line(_person(rng), "bold", size, "centre"))
    page.info["dpi"] = (dpi, dpi)
    return page, printer.printed + block.printed, signature_at


# ---------------------------------------------------------------------------------------------
# Damage: each takes the clean page and returns the capture and its file format.


def _seal(rng: np.random.Generator, dpi: int) -> np.ndarray:
    """Ink coverage (0..1) of a seal: round, oval or square, 30-45 mm, a ring of capitals."""
    shape = rng.choice(["round", "oval", "square"])
    size = round(float(rng.uniform(30, 45)) / 25.4 * dpi)
    w, h = (size, round(size * 0.72)) if shape == "oval" else (size, size)
    layer = Image.new("L", (w * 2, h * 2), 0)
    draw = ImageDraw.Draw(layer)
    pen = round(dpi / 300 * 2 * float(rng.uniform(3, 6)))
    if shape == "square":
        draw.rectangle((6, 6, 2 * w - 6, 2 * h - 6), outline=255, width=pen)
        draw.rectangle((w * 0.3, h * 0.3, w * 1.7, h * 1.7), outline=255, width=pen // 2)
    else:
        draw.ellipse((6, 6, 2 * w - 6, 2 * h - 6), outline=255, width=pen)
        draw.ellipse((w * 0.35, h * 0.35, w * 1.65, h * 1.65), outline=255, width=pen // 2)
    face = ImageFont.truetype(str(FONT_ROOT / FONTS["arimo"][1]), round(size * 0.16))
    for k, text in enumerate(["UBND", "HUYỆN", "SƠN TỊNH"][:int(rng.integers(2, 4))]):
        draw.text((w, h * (0.75 + 0.28 * k)), text, fill=255, font=face, anchor="mm")
    for i in range(24):  # the ring of text, as short strokes of capitals
        angle = 2 * math.pi * i / 24
        x, y = w + 0.82 * w * math.cos(angle), h + 0.82 * h * math.sin(angle)
        draw.text((x, y), "ẤNDỦYBAN"[i % 8], fill=255, font=face.font_variant(size=round(size * 0.1)), anchor="mm")
    layer = layer.rotate(float(rng.uniform(-30, 30)), resample=Image.Resampling.BICUBIC).resize((w, h), Image.Resampling.LANCZOS)
    inking = 0.55 + 0.45 * _smooth_field(rng, (h, w), (4, 4))
    return np.clip(np.asarray(layer, np.float32) / 255 * inking, 0, 1)


def _incoming(rng: np.random.Generator, dpi: int) -> np.ndarray:
    """Ink coverage of a rectangular incoming-mail stamp: ĐẾN, a number, a date, a handler line."""
    mm = dpi / 25.4
    w, h = round(float(rng.uniform(48, 62)) * mm), round(float(rng.uniform(24, 30)) * mm)
    layer = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(layer)
    draw.rectangle((3, 3, w - 4, h - 4), outline=255, width=round(0.6 * mm))
    face = ImageFont.truetype(str(FONT_ROOT / FONTS["tinos"][1]), round(3.6 * mm))
    big = face.font_variant(size=round(6 * mm))
    draw.text((round(3 * mm), round(2 * mm)), "SỞ NỘI VỤ", fill=255, font=face)
    draw.text((w * 0.35, round(7 * mm)), "ĐẾN", fill=255, font=big)
    draw.text((round(3 * mm), round(15 * mm)), f"Số: {int(rng.integers(100, 9999))}", fill=255, font=face)
    draw.text((round(3 * mm), round(20 * mm)), f"Ngày: {int(rng.integers(1, 29))}/{int(rng.integers(1, 13))}/2024",
              fill=255, font=face)
    layer = layer.rotate(float(rng.uniform(-8, 8)), resample=Image.Resampling.BICUBIC, expand=True)
    return np.asarray(layer, np.float32) / 255 * (0.7 + 0.3 * _smooth_field(rng, layer.size[::-1], (3, 3)))


SEAL_INKS = [(200, 25, 35), (225, 60, 40), (175, 20, 60), (235, 45, 70)]
STAMP_INKS = {"blue": (40, 70, 190), "red": (210, 40, 45), "violet": (115, 55, 170)}


def _over(page: Image.Image, rng: np.random.Generator, ink: np.ndarray, at: tuple[int, int],
          colour: tuple[int, int, int]) -> Image.Image:
    pixels = _multiply(np.asarray(page, np.float32) / 255, ink, at, colour, float(rng.uniform(0.8, 0.95)))
    return _image(pixels * 255)


def _scanned(image: Image.Image, rng: np.random.Generator, blur: float = 0.6) -> Image.Image:
    """A flatbed's soft focus and sensor noise."""
    pixels = np.asarray(image.filter(ImageFilter.GaussianBlur(blur)), np.float32)
    return _image(pixels + rng.normal(0, 3, pixels.shape).astype(np.float32))


def _seal_signature(page, rng, signature_at):
    dpi = page.info["dpi"][0]
    signed = _over(page, rng, _signature(rng, dpi), signature_at, (30, 40, 150))
    seal = _seal(rng, dpi)
    centre = (signature_at[0] - seal.shape[1] // 2 + int(rng.integers(-60, 20)), signature_at[1] - seal.shape[0] // 3)
    return _scanned(_over(signed, rng, seal, centre, SEAL_INKS[int(rng.integers(len(SEAL_INKS)))]), rng)


def _seal_text(page, rng, signature_at):
    seal = _seal(rng, page.info["dpi"][0])
    at = (int(rng.uniform(0.1, 0.6) * page.width), int(rng.uniform(0.2, 0.6) * page.height))
    return _scanned(_over(page, rng, seal, at, SEAL_INKS[int(rng.integers(len(SEAL_INKS)))]), rng)


def _incoming_stamp(page, rng, signature_at):
    stamp = _incoming(rng, page.info["dpi"][0])
    colour = list(STAMP_INKS.values())[int(rng.integers(len(STAMP_INKS)))]
    at = (int(rng.uniform(0.08, 0.55) * page.width), int(rng.uniform(0.05, 0.45) * page.height))
    return _scanned(_over(page, rng, stamp, at, colour), rng)


def _tea_stained(page, rng, signature_at):
    """Old paper: a strong warm tint, darker rings and splashes of tea, toner a little faded."""
    pixels = np.asarray(page, np.float32) / 255
    h, w = pixels.shape[:2]
    stains = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(stains)
    for _ in range(int(rng.integers(2, 5))):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.05, 0.18) * w
        draw.ellipse((x - r, y - r, x + r, y + r), fill=int(rng.integers(40, 90)))
        draw.ellipse((x - r, y - r, x + r, y + r), outline=int(rng.integers(90, 140)), width=int(rng.integers(6, 16)))
    stain = np.asarray(stains.filter(ImageFilter.GaussianBlur(8)), np.float32) / 255
    paper = (np.float32(0.9) - np.float32(0.1) * _smooth_field(rng, (h, w), (5, 7)) - np.float32(0.35) * stain)
    tint = np.array([1.0, float(rng.uniform(0.82, 0.9)), float(rng.uniform(0.55, 0.7))], np.float32)
    ink = pixels * 0.85 + 0.15
    return _scanned(_image(ink * paper[..., None] * tint * 255), rng)


def _faded(page, rng, signature_at):
    """A toner running out: grey strokes, lighter in vertical bands across the page."""
    gray = np.asarray(page.convert("L"), np.float32)
    h, w = gray.shape
    bands = 0.5 + 0.5 * _smooth_field(rng, (h, w), (12, 1))
    level = float(rng.uniform(0.35, 0.5)) + 0.2 * bands  # how much of the ink is left
    out = 255 - (255 - gray) * level
    return _scanned(_image(out, mode="L").convert("RGB"), rng, blur=0.8)


def _fax(page, rng, signature_at):
    """A fax: 204×98 dpi, black and white, a streak or two, read back at 200 dpi."""
    gray = page.convert("L")
    dpi = page.info["dpi"][0]
    fine = gray.resize((round(gray.width * 204 / dpi), round(gray.height * 98 / dpi)), Image.Resampling.BOX)
    bits = np.asarray(fine, np.float32) < 150 + rng.normal(0, 20, fine.size[::-1])
    for row in rng.integers(0, bits.shape[0], int(rng.integers(1, 4))):
        bits[row] = rng.random(bits.shape[1]) < 0.3
    image = Image.fromarray(np.where(bits, 0, 255).astype(np.uint8))
    image = image.resize((round(gray.width * 200 / dpi), round(gray.height * 200 / dpi)), Image.Resampling.NEAREST)
    image.info["dpi"] = (200, 200)
    return image


def _jpeg(page, rng, signature_at):
    """A colour scan at 200 dpi saved as a small JPEG (the encoding is in `encode`)."""
    dpi = page.info["dpi"][0]
    small = page.resize((round(page.width * 200 / dpi), round(page.height * 200 / dpi)), Image.Resampling.BOX)
    small = _scanned(small, rng, blur=0.4)
    small.info["dpi"] = (200, 200)
    return small


def _landscape_turned(page, rng, signature_at):
    """A landscape page fed the short edge first: the scan is portrait, the text runs up it."""
    return _scanned(page.rotate(90 if rng.random() < 0.5 else 270, expand=True), rng)


DAMAGE = {
    "clean": lambda page, rng, at: page.copy(), "seal-signature": _seal_signature, "seal-text": _seal_text,
    "incoming-stamp": _incoming_stamp, "tea-stained": _tea_stained, "faded": _faded, "fax": _fax, "jpeg": _jpeg,
    "landscape": lambda page, rng, at: _scanned(page, rng), "landscape-turned": _landscape_turned,
    "small-print": lambda page, rng, at: _scanned(page, rng),
}
JPEG_QUALITY = {"jpeg": 45}
assert list(DAMAGE) == KINDS


def make(kind: str, seed: int, directory: Path) -> Sample:
    """Print, damage and write the page of `kind` for `seed`."""
    font = list(FONTS)[seed % len(FONTS)]
    page, lines, signature_at = render_page(seed, font, landscape=kind.startswith("landscape"),
                                            small=kind == "small-print")
    damaged = DAMAGE[kind](page, np.random.default_rng(seed), signature_at)
    dpi = damaged.info.get("dpi", page.info["dpi"])
    buffer = io.BytesIO()
    if kind in JPEG_QUALITY:
        damaged.save(buffer, "JPEG", quality=JPEG_QUALITY[kind], dpi=dpi)
    else:
        damaged.save(buffer, "PNG", dpi=dpi, compress_level=1)
    path = directory / f"{kind}-{seed}{'.jpg' if kind in JPEG_QUALITY else '.png'}"
    path.write_bytes(buffer.getvalue())
    return Sample(path, kind, "\n".join(lines), font, seed)


def plan(seeds: range, pages_per_kind: int, kinds: list[str]) -> list[tuple[str, int]]:
    """(kind, seed) of `pages_per_kind` pages of every kind, from `seeds` (TUNING or HELD_OUT);
    each kind takes its own seeds, so kinds do not share texts, and a kind's pages are the same
    whichever other kinds are asked for."""
    return [(kind, seeds[(KINDS.index(kind) * pages_per_kind + i) % len(seeds)])
            for kind in kinds for i in range(pages_per_kind)]
