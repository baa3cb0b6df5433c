"""Synthetic Vietnamese citizen ID cards, front and back, and software "phone photos" of them,
for the tests and benchmarks of HoSo's ID-card reader.

Four kinds of card (KINDS): the chip card of 2021 ("CĂN CƯỚC CÔNG DÂN", QR and MRZ), the card of
2024 ("CĂN CƯỚC"), the 12-digit card without chip (2016-2021) and the old 9-digit paper "GIẤY
CHỨNG MINH NHÂN DÂN". The layout follows /work/shared/realworld-dev/ID-CARD-LAYOUT.md. Nobody's
real data is used: names, places and numbers come from seeded lists, and nothing binary is
committed: every card and photo is drawn from a seed, the same seed giving the same bytes.

    citizen(rng, kind) -> Citizen            the person and the card's dates and numbers
    render(c, kind, side, rng) -> CardImage  the flat card at 600 dpi with what a reader should get
    photograph(card, rng) -> Photo           the card on a desk as a phone (or chat app) stores it
    sample(seed)                             all of the above for one seeded person

    .venv/bin/python tests/vncards.py OUTDIR [--seeds 12]   # writes cards, photos, truths.json
"""

from __future__ import annotations

import io
import math
import random
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # before tests/: tests/ocr is not HoSo's `ocr`
from ingest.extract.validate import PROVINCES  # noqa: E402

KINDS = ("chip-2021", "card-2024", "cmnd-12", "cmnd-9")
CARD_MM = (85.60, 53.98)  # ISO/IEC 7810 ID-1
CORNER_MM = 3.18

# ---------------------------------------------------------------------------------------------
# Content: synthetic people from seeded lists (NFC, capitals with their tone marks)

SURNAMES = (["NGUYỄN"] * 8 + ["TRẦN"] * 3 + ["LÊ"] * 3 + ["PHẠM"] * 2 +
            ["HOÀNG", "HUỲNH", "PHAN", "VŨ", "VÕ", "ĐẶNG", "BÙI", "ĐỖ", "HỒ", "NGÔ", "DƯƠNG", "LÝ",
             "ĐINH", "TRỊNH", "ĐÀO", "LƯƠNG", "TRƯƠNG", "MAI", "CAO", "TẠ", "LÂM", "HÀ", "KIỀU", "TÔ",
             "QUÁCH", "LỤC", "TĂNG", "KHỔNG", "ÔNG", "DIỆP"])
MIDDLE = {"Nam": ["VĂN", "VĂN", "ĐỨC", "MINH", "QUANG", "HỮU", "THANH", "XUÂN", "CÔNG", "ĐÌNH",
                  "VIẾT", "TRỌNG", "QUỐC", "GIA", "TIẾN", "NGỌC", "HOÀNG", "ANH", "THẾ", "BÁ", "DUY", "MẠNH"],
          "Nữ": ["THỊ", "THỊ", "NGỌC", "THU", "THANH", "HOÀI", "MINH", "KIM", "BÍCH", "THÚY", "DIỆU",
                 "MỸ", "PHƯƠNG", "KHÁNH", "HỒNG", "THẢO", "BẢO", "TUYẾT", "QUỲNH", "HẢI", "CẨM"]}
GIVEN = {"Nam": ["AN", "BÌNH", "CƯỜNG", "DŨNG", "HÙNG", "HẢI", "LONG", "TUẤN", "KHOA", "PHONG", "THẮNG",
                 "NGHĨA", "TRUNG", "HIẾU", "ĐẠT", "KHẢI", "LỘC", "TOÀN", "ẤN", "HƯỞNG", "ĐỨC", "HUY",
                 "QUÂN", "SƠN", "THỊNH", "VỸ", "KIÊN", "TÙNG", "CHIẾN", "NGỌC", "VIỆT ANH", "ỨNG"],
         "Nữ": ["MAI", "HOA", "LAN", "HƯƠNG", "THẢO", "NGA", "TRANG", "LINH", "YẾN", "HẰNG", "HỒNG",
                "NHUNG", "THỦY", "NGUYỆT", "DIỄM", "XUYẾN", "LOAN", "PHƯỢNG", "HUỆ", "TUYẾT", "NGỌC",
                "MỸ", "ÁNH", "VY", "QUYÊN", "HIỀN", "HẠNH", "ĐIỆP", "NGÂN", "TRÂM", "OANH", "ÁNH TUYẾT"]}
# (commune or ward, district, province) as 2021 cards print a place of origin.
LOCALITIES = [
    ("Xã Tân Lập", "Đan Phượng", "Hà Nội"), ("Phường Điện Biên", "Ba Đình", "Hà Nội"),
    ("Xã Liên Châu", "Thanh Oai", "Hà Nội"), ("Xã Đức Thượng", "Hoài Đức", "Hà Nội"),
    ("Xã Nghĩa Trung", "Tư Nghĩa", "Quảng Ngãi"), ("Xã Hưng Lộc", "Hưng Nguyên", "Nghệ An"),
    ("Xã Diễn Kỷ", "Diễn Châu", "Nghệ An"), ("Xã Phước Hưng", "Long Điền", "Bà Rịa - Vũng Tàu"),
    ("Xã Cẩm Hà", "Hội An", "Quảng Nam"), ("Xã Mường Khương", "Mường Khương", "Lào Cai"),
    ("Xã Hòa Tiến", "Hòa Vang", "Đà Nẵng"), ("Xã Tân Phú Trung", "Củ Chi", "TP. Hồ Chí Minh"),
    ("Xã Quảng Phú", "Quảng Xương", "Thanh Hóa"), ("Xã Thụy Hải", "Thái Thụy", "Thái Bình"),
    ("Phường Vĩnh Ninh", "Huế", "Thừa Thiên Huế"), ("Xã Yên Đồng", "Ý Yên", "Nam Định"),
    ("Xã Gia Xuân", "Gia Viễn", "Ninh Bình"), ("Xã Nhơn Hậu", "An Nhơn", "Bình Định"),
    ("Xã Cư Huê", "Ea Kar", "Đắk Lắk"), ("Xã Mỹ Hội", "Cao Lãnh", "Đồng Tháp"),
    ("Xã Long Hựu Đông", "Cần Đước", "Long An"), ("Xã Lộc Thủy", "Phú Lộc", "Thừa Thiên Huế"),
    ("Phường Trần Phú", "Hà Giang", "Hà Giang"), ("Xã Tân Hưng", "Cái Nước", "Cà Mau"),
    ("Xã Quỳnh Hưng", "Quỳnh Phụ", "Thái Bình"), ("Xã Xuân Hòa", "Lập Thạch", "Vĩnh Phúc"),
    ("Xã Kỳ Tân", "Kỳ Anh", "Hà Tĩnh"), ("Xã Đồng Tiến", "Phổ Yên", "Thái Nguyên"),
]
# (ward, district, city, streets) for town addresses.
WARDS = [
    ("Phường Phúc Xá", "Ba Đình", "Hà Nội", ["Phúc Xá", "Nghĩa Dũng"]),
    ("Phường Dịch Vọng", "Cầu Giấy", "Hà Nội", ["Xuân Thủy", "Trần Thái Tông"]),
    ("Phường Bến Nghé", "Quận 1", "TP. Hồ Chí Minh", ["Lê Lợi", "Nguyễn Huệ"]),
    ("Phường 6", "Quận 3", "TP. Hồ Chí Minh", ["Võ Văn Tần", "Trần Quốc Thảo"]),
    ("Phường 12", "Gò Vấp", "TP. Hồ Chí Minh", ["Quang Trung", "Phan Huy Ích"]),
    ("Phường Hải Châu 1", "Hải Châu", "Đà Nẵng", ["Bạch Đằng", "Trần Phú"]),
    ("Phường Cái Khế", "Ninh Kiều", "Cần Thơ", ["Trần Phú", "Cách Mạng Tháng Tám"]),
    ("Phường Lê Lợi", "Vinh", "Nghệ An", ["Lê Lợi", "Phan Bội Châu"]),
    ("Phường Máy Tơ", "Ngô Quyền", "Hải Phòng", ["Lạch Tray", "Lê Lai"]),
    ("Phường Tân Phong", "Biên Hòa", "Đồng Nai", ["Đồng Khởi"]),
    ("Phường Quang Trung", "Quy Nhơn", "Bình Định", ["Hoàng Văn Thụ", "Lê Hồng Phong"]),
]
HAMLETS = ["Trung An", "Đông Thượng", "Yên Phú", "Phú Mỹ", "Tân Hòa", "Bắc Sơn", "Lạc Thị", "Cao Xá",
           "Đoài", "Hạ Hiệp", "Thượng Phúc", "Ngọc Động"]
MARKS = ["Nốt ruồi", "Nốt ruồi", "Sẹo chấm", "Sẹo", "Nốt ruồi son"]
WHERE = ["trên", "dưới", "trước", "sau", "dưới trước", "trên sau", "dưới sau", "trên trước"]
PARTS = ["đầu mày trái", "đầu mày phải", "đuôi mày trái", "đuôi mắt phải", "đuôi mắt trái",
         "cánh mũi phải", "cánh mũi trái", "mép trái", "mép phải", "cằm", "dái tai trái", "gò má phải", "trán",
         "môi trên"]
ISSUED = {"chip-2021": (date(2021, 1, 15), date(2024, 6, 30)),
          "card-2024": (date(2024, 7, 1), date(2025, 12, 31)),
          "cmnd-12": (date(2016, 1, 1), date(2020, 12, 31)), "cmnd-9": (date(1995, 1, 1), date(2015, 12, 31))}
_CODE = {name: code for code, name in PROVINCES.items()}


@dataclass(frozen=True)
class Citizen:
    citizen_id: str
    old_id_number: str
    full_name: str
    date_of_birth: date
    sex: str
    nationality: str
    place_of_origin: str
    place_of_birth_registration: str
    place_of_residence: str
    date_of_issue: date
    date_of_expiry: date | None
    identifying_features: str


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _birthday(born: date, age: int) -> date:
    if (born.month, born.day) == (2, 29):
        return date(born.year + age, 2, 28)
    return born.replace(year=born.year + age)


def _expiry(born: date, issued: date) -> date | None:
    """The law's rule: a card is renewed at 25, 40 and 60; one issued within the two years before
    such a birthday lasts to the next one; after 58 a card no longer expires."""
    for age in (25, 40, 60):
        if issued < _birthday(born, age - 2):
            return _birthday(born, age)
    return None


def _place(loc: tuple[str, str, str], long: bool = False) -> str:
    commune, district, province = loc
    if not long:
        return f"{commune}, {district}, {province}"
    district = district if district.startswith("Quận") else f"Huyện {district}"
    province = province if province.startswith("TP.") else f"Tỉnh {province}"
    return f"{commune}, {district}, {province}"


def _residence(rng: random.Random) -> str:
    if rng.random() < 0.5:
        ward, district, city, streets = rng.choice(WARDS)
        street, n = rng.choice(streets), rng.randint(1, 240)
        head = rng.choice([f"Số {n} {street}", f"{n}/{rng.randint(2, 60)} {street}", f"Tổ {rng.randint(1, 30)}",
                           f"Số {n}, Ngõ {rng.randint(2, 180)} {street}"])
        return f"{head}, {ward}, {district}, {city}"
    loc = rng.choice(LOCALITIES)
    south = _CODE.get(loc[2].removeprefix("TP. "), "000") >= "070"
    if loc[0].startswith("Phường"):
        head = f"Tổ {rng.randint(1, 30)}"
    elif south:
        head = f"Ấp {rng.choice(HAMLETS)}"
    else:
        head = rng.choice([f"Thôn {rng.choice(HAMLETS)}", f"Xóm {rng.randint(1, 12)}", f"Thôn {rng.randint(1, 9)}"])
    return f"{head}, {_place(loc)}"


def _name(rng: random.Random, sex: str) -> str:
    middle = rng.choice(MIDDLE[sex])
    if rng.random() < 0.3:  # two middle names: NGUYỄN THỊ NGỌC ÁNH, the plain VĂN / THỊ first
        first = rng.choice([{"Nam": "VĂN", "Nữ": "THỊ"}[sex], middle])
        middle = f"{first} " + rng.choice([m for m in MIDDLE[sex] if m not in (first, "VĂN", "THỊ")])
    return _nfc(f"{rng.choice(SURNAMES)} {middle} {rng.choice(GIVEN[sex])}")


def citizen(rng: random.Random, kind: str) -> Citizen:
    """A synthetic holder of a card of `kind`, every number consistent with the dates and sex."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    sex = rng.choice(("Nam", "Nữ"))
    name = _name(rng, sex)
    issued = _between(rng, *ISSUED[kind])
    # Between 14 and 57 at issue, so cards with an expiry always print a date.
    born = _between(rng, _birthday(issued, -57) + timedelta(days=1), _birthday(issued, -14) - timedelta(days=1))
    origin = rng.choice(LOCALITIES)
    registered = origin if rng.random() < 0.6 else rng.choice(LOCALITIES)
    if kind == "cmnd-9":
        number, old, expiry = f"{rng.randint(1, 38):02d}{rng.randrange(10**7):07d}", "", None
    else:
        province = _CODE.get(registered[2].removeprefix("TP. "))
        if province is None or rng.random() < 0.25:
            province = rng.choice(sorted(PROVINCES))
        gene = 2 * ((born.year - 1900) // 100) + (sex == "Nữ")
        number = f"{province}{gene}{born.year % 100:02d}{rng.randrange(10**6):06d}"
        had_cmnd = born.year + 14 <= 2020 and rng.random() < 0.6
        old = f"{rng.randint(1, 38):02d}{rng.randrange(10**7):07d}" if had_cmnd else ""
        expiry = _expiry(born, issued)
    features = f"{rng.choice(MARKS)} C:{rng.choice(['0,5', '1', '1', '1,5', '2', '2,5', '3'])}cm " \
               f"{rng.choice(WHERE)} {rng.choice(PARTS)}"
    return Citizen(citizen_id=number, old_id_number=old, full_name=name, date_of_birth=born, sex=sex,
                   nationality="Việt Nam", place_of_origin=_nfc(_place(origin)),
                   place_of_birth_registration=_nfc(_place(registered, long=rng.random() < 0.5)),
                   place_of_residence=_nfc(_residence(rng)), date_of_issue=issued, date_of_expiry=expiry,
                   identifying_features=_nfc(features))


# ---------------------------------------------------------------------------------------------
# QR and MRZ


def _dmy(d: date, sep: str = "/") -> str:
    return f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}"


def _title(name: str) -> str:
    return " ".join(w.capitalize() for w in name.split())


def qr_payload(c: Citizen) -> str:
    return "|".join([c.citizen_id, c.old_id_number, _title(c.full_name), _dmy(c.date_of_birth, ""), c.sex,
                     c.place_of_residence, _dmy(c.date_of_issue, "")])


def check_digit(s: str) -> str:
    """ICAO 9303 check digit: weights 7, 3, 1; digits count as themselves, A-Z as 10-35, '<' as 0."""
    total = 0
    for i, ch in enumerate(s):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        elif ch == "<":
            value = 0
        else:
            raise ValueError(f"not an MRZ character: {ch!r}")
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


def _mrz_name(words: list[str]) -> str:
    plain = unicodedata.normalize("NFD", " ".join(words).replace("Đ", "D").replace("đ", "d"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).upper()
    return "".join(ch if "A" <= ch <= "Z" else "<" for ch in plain)


def mrz_lines(c: Citizen) -> list[str]:
    """The TD1 machine-readable zone of a 12-digit card (2021 chip card, 2024 card)."""
    if len(c.citizen_id) != 12 or c.date_of_expiry is None:
        raise ValueError("an MRZ needs a 12-digit citizen ID and an expiry date")
    cid = c.citizen_id
    line1 = f"IDVNM{cid[3:]}{check_digit(cid[3:])}{cid}<<{check_digit(cid)}"
    born, expires = c.date_of_birth.strftime("%y%m%d"), c.date_of_expiry.strftime("%y%m%d")
    head = f"{born}{check_digit(born)}{'F' if c.sex == 'Nữ' else 'M'}{expires}{check_digit(expires)}VNM" + "<" * 11
    line2 = head + check_digit(line1[5:30] + head[0:7] + head[8:15] + head[18:29])
    words = c.full_name.split()
    line3 = (_mrz_name(words[:1]) + "<<" + _mrz_name(words[1:]))[:30].ljust(30, "<")
    return [line1, line2, line3]


# ---------------------------------------------------------------------------------------------
# Drawing: fonts, text in millimetres


FONT_ROOT = Path("/usr/share/fonts/truetype")
OCRB = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
_FAMILIES = {  # regular, bold, italic; the Arial-like sans faces a card printer might use
    "liberation": ("liberation2/LiberationSans-Regular.ttf", "liberation2/LiberationSans-Bold.ttf",
                   "liberation2/LiberationSans-Italic.ttf"),
    "dejavu": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf", "dejavu/DejaVuSans-Oblique.ttf"),
    "dejavu-condensed": ("dejavu/DejaVuSansCondensed.ttf", "dejavu/DejaVuSansCondensed-Bold.ttf",
                         "dejavu/DejaVuSansCondensed-Oblique.ttf"),
    "noto": ("noto/NotoSans-Regular.ttf", "noto/NotoSans-Bold.ttf", "noto/NotoSans-Italic.ttf"),
}


def _resolve(rel: str) -> Path | None:
    for path in (FONT_ROOT / rel, FONT_ROOT / rel.replace("liberation2/", "liberation/")):
        if path.exists():
            return path
    return None


FAMILIES = {name: tuple(str(_resolve(f)) for f in files) for name, files in _FAMILIES.items()
            if all(_resolve(f) for f in files)}
if not FAMILIES:
    raise RuntimeError("no sans font found: apt-get install fonts-liberation2 fonts-dejavu-core")
INK, GREY, RED = (24, 24, 30), (48, 48, 56), (200, 32, 42)
LABEL, VALUE, NUMBER = 1.55, 1.95, 3.0  # cap heights in mm


@lru_cache(maxsize=512)
def _face(path: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, px)


@lru_cache(maxsize=16)
def _cap_ratio(path: str) -> float:
    return -_face(path, 1000).getbbox("H", anchor="ls")[1] / 1000


class Pen:
    """Text on a card, placed and sized in millimetres: y is a baseline, sizes are cap heights,
    scaled by the card's own size jitter."""

    def __init__(self, image: Image.Image, dpi: int, files: tuple[str, str, str], scale: float, italic_en: bool):
        self.draw, self.dpi, self.files, self.scale, self.italic_en = ImageDraw.Draw(image), dpi, files, scale, \
            italic_en

    def px(self, mm: float) -> float:
        return mm * self.dpi / 25.4

    def face(self, style: str, cap: float) -> ImageFont.FreeTypeFont:
        path = self.files["rbi".index(style)]
        return _face(path, max(6, round(self.px(cap * self.scale) / _cap_ratio(path))))

    def width(self, text: str, style: str, cap: float) -> float:
        return self.draw.textlength(text, font=self.face(style, cap)) * 25.4 / self.dpi

    def text(self, x: float, y: float, text: str, style: str = "r", cap: float = LABEL, fill=INK,
             anchor: str = "ls", max_w: float | None = None) -> float:
        """Draw `text` (shrunk to at most `max_w` mm, not under 70 %) and return its right end."""
        size = cap
        while max_w is not None and self.width(text, style, size) > max_w and size > 0.7 * cap:
            size *= 0.97
        self.draw.text((self.px(x), self.px(y)), text, fill=fill, font=self.face(style, size), anchor=anchor)
        width = self.width(text, style, size)
        return x + width * {"l": 1.0, "m": 0.5, "r": 0.0}[anchor[0]]

    def label(self, x: float, y: float, vi: str, en: str = "", cap: float = LABEL, max_w: float = 60) -> float:
        """A bilingual label, "Họ và tên / Full name:", the English part in italics on most cards."""
        if not en:
            return self.text(x, y, vi, "r", cap, GREY, max_w=max_w)
        while self.width(f"{vi} / {en}", "r", cap) > max_w and cap > 1.1:
            cap *= 0.97
        x = self.text(x, y, f"{vi} / ", "r", cap, GREY)
        return self.text(x, y, en, "i" if self.italic_en else "r", cap, GREY)

    def wrap(self, text: str, style: str, cap: float, limits: list[float]) -> list[str]:
        """Greedy word wrap, line i at most limits[i] (the last limit repeating) mm long; a first
        line too short for the first word stays empty."""
        lines, current = [], ""
        for word in text.split():
            limit = limits[min(len(lines), len(limits) - 1)]
            trial = f"{current} {word}" if current else word
            if self.width(trial, style, cap) <= limit or (not current and lines):
                current = trial
            else:
                lines.append(current)
                current = word
        return [*lines, current]

    def flow(self, text: str, x_first: float, y: float, pitch: float, bottom: float, style: str = "b",
             cap: float = VALUE, right: float = 83.6, x_rest: float | None = None,
             x_low: float | None = None, low_from: float = 99.0) -> float:
        """A value after its label, wrapping onto lines below at `x_rest` (or at `x_low` for lines
        at or under `low_from`, as a card's last address line starts under the photo column);
        shrinks the type until the lines end above `bottom`. Returns the last baseline."""
        x_rest = x_first if x_rest is None else x_rest
        starts = [x_first] + [x_low if x_low is not None and y + i * pitch >= low_from else x_rest
                              for i in range(1, 6)]
        for size in (cap, cap * 0.93, cap * 0.86, cap * 0.8, cap * 0.74):
            lines = self.wrap(text, style, size, [right - x for x in starts])
            if y + pitch * (len(lines) - 1) <= bottom:
                break
        for i, line in enumerate(lines):
            self.text(starts[min(i, 5)], y + i * pitch, line, style, size)
        return y + pitch * (len(lines) - 1)


# ---------------------------------------------------------------------------------------------
# Drawing: background, emblem, portrait, QR, chip, fingerprints, signature, seal


def _smooth(g: np.random.Generator, shape: tuple[int, int], cells: tuple[int, int]) -> np.ndarray:
    """Low-frequency noise in [0, 1]: a coarse random grid (cells across, down) smoothly enlarged."""
    coarse = g.random((cells[1], cells[0])).astype(np.float32)
    return cv2.resize(coarse, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC).clip(0, 1)


PALETTES = {  # left colour, right colour, guilloche ink, drum ink
    "chip-2021": ((204, 230, 226), (247, 238, 198), (120, 165, 150), (190, 150, 90)),
    "card-2024": ((242, 222, 214), (212, 229, 243), (190, 140, 150), (150, 160, 200)),
    "cmnd-12": ((214, 234, 216), (241, 222, 228), (130, 170, 130), (185, 140, 150)),
    "cmnd-9": ((184, 220, 214), (214, 236, 226), (90, 150, 150), (120, 160, 150)),
}


def _guilloche(w: int, h: int, dpi: int, kind: str, g: np.random.Generator, drum: bool) -> np.ndarray:
    """The security print: a colour gradient crossed by fine wavy lines, and on fronts the faint
    rings and star of a Đông Sơn bronze drum. Float RGB (h, w, 3)."""
    left, right, ink, drum_ink = (np.array(c, np.float32) for c in PALETTES[kind])
    mm = 25.4 / dpi
    x = (np.arange(w, dtype=np.float32) * mm)[None, :]
    y = (np.arange(h, dtype=np.float32) * mm)[:, None]
    t = np.clip(x / CARD_MM[0] * 0.85 + y / CARD_MM[1] * 0.15 + float(g.uniform(-0.1, 0.1)), 0, 1)
    out = left * (1 - t[..., None]) + right * t[..., None]
    lines = np.zeros((h, w), np.float32)
    for k in range(4):  # two families of horizontal waves, two of vertical, crossing into a mesh
        amp, wave, gap, phase = g.uniform(0.5, 1.6), g.uniform(5, 14), g.uniform(0.55, 0.95), g.uniform(0, 6.3)
        if k < 2:
            f = np.cos(2 * np.pi * (y + amp * np.sin(2 * np.pi * x / wave + phase)) / gap)
        else:
            f = np.cos(2 * np.pi * (x + amp * np.sin(2 * np.pi * y / wave + phase)) / (gap * 1.6))
        f = (1 + f) * 0.5
        f *= f
        lines += f * f * f  # a thin crest: cos^12
    strength = np.float32(g.uniform(0.08, 0.16) if kind != "cmnd-9" else g.uniform(0.15, 0.25))
    out -= (lines * strength)[..., None] * (out - ink)
    if drum:
        cx, cy = g.uniform(48, 56), g.uniform(28, 34)
        r = np.sqrt((x - cx) ** 2 + (y - cy) ** 2)
        theta = np.arctan2(y - cy, x - cx)
        rings = ((1 + np.cos(2 * np.pi * r / 1.7)) * 0.5) ** 6 * (r > 9) * np.clip((27 - r) / 3, 0, 1)
        star = (r < 8.5 * (0.3 + 0.7 * np.abs(np.cos(7 * theta)) ** 4)).astype(np.float32)  # 14 points
        pattern = cv2.GaussianBlur(np.maximum(rings, star * 0.8).astype(np.float32), (0, 0), 1.0)
        out -= (pattern * np.float32(g.uniform(0.10, 0.18)))[..., None] * (out - drum_ink)
    return out


def _poly_ellipse(cx: float, cy: float, a: float, b: float, rot: float, n: int = 20) -> list[tuple[float, float]]:
    c, s = math.cos(rot), math.sin(rot)
    return [(cx + a * math.cos(t) * c - b * math.sin(t) * s, cy + a * math.cos(t) * s + b * math.sin(t) * c)
            for t in np.linspace(0, 2 * math.pi, n, endpoint=False)]


def _star(cx: float, cy: float, r: float, points: int = 5, inner: float = 0.382) -> list[tuple[float, float]]:
    return [(cx + r * (1 if k % 2 == 0 else inner) * math.cos(-math.pi / 2 + k * math.pi / points),
             cy + r * (1 if k % 2 == 0 else inner) * math.sin(-math.pi / 2 + k * math.pi / points))
            for k in range(2 * points)]


def _emblem(d: int) -> Image.Image:
    """The national emblem, RGBA: rice ears in a gold rim, a red disc with a yellow star, a
    cogwheel at the bottom and a red ribbon."""
    s = 3
    big = d * s
    im = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    dr = ImageDraw.Draw(im)
    c, R = big / 2, big / 2 * 0.97
    gold, deep, red, yellow = (222, 176, 60, 255), (176, 124, 34, 255), (206, 30, 36, 255), (255, 222, 20, 255)
    dr.ellipse((c - R, c - R, c + R, c + R), fill=gold)
    for side in (-1, 1):  # grains of the two rice ears along the rim
        for k in range(11):
            t = math.radians(100 + k * 14)
            gx, gy = c + side * R * 0.86 * math.cos(t - math.pi / 2), c - R * 0.86 * math.sin(t - math.pi / 2)
            dr.polygon(_poly_ellipse(gx, gy, R * 0.11, R * 0.05, side * (t - math.pi / 2) + 0.6), fill=deep)
    dr.ellipse((c - R * 0.74, c - R * 0.82, c + R * 0.74, c + R * 0.66), fill=red)
    for k in range(24):  # rays of light behind the star
        t = 2 * math.pi * k / 24
        dr.line((c + R * 0.3 * math.cos(t), c - R * 0.1 + R * 0.3 * math.sin(t),
                 c + R * 0.68 * math.cos(t), c - R * 0.1 + R * 0.68 * math.sin(t)), fill=(232, 90, 60, 255),
                width=max(1, round(R * 0.02)))
    dr.polygon(_star(c, c - R * 0.12, R * 0.48), fill=yellow)
    cog = [(c + R * (0.30 if k % 2 else 0.36) * math.cos(math.pi * k / 10),
            c + R * 0.60 + R * (0.30 if k % 2 else 0.36) * math.sin(math.pi * k / 10)) for k in range(20)]
    dr.polygon(cog, fill=gold, outline=deep)
    dr.ellipse((c - R * 0.12, c + R * 0.48, c + R * 0.12, c + R * 0.72), fill=deep)
    dr.rounded_rectangle((c - R * 0.55, c + R * 0.78, c + R * 0.55, c + R * 0.96), radius=R * 0.06, fill=red)
    return im.resize((d, d), Image.Resampling.LANCZOS)


def _portrait(w: int, h: int, sex: str, rng: random.Random) -> Image.Image:
    """A face-like ID photo: light backdrop, dark clothes, skin-toned head, hair, eyes, mouth."""
    s = 2
    W, H = w * s, h * s
    back = np.array(rng.choice([(214, 228, 244), (230, 238, 248), (242, 244, 246), (200, 220, 240)]), np.float32)
    grad = np.linspace(0.93, 1.03, H, dtype=np.float32)[:, None, None]
    im = Image.fromarray(np.clip(back * grad * np.ones((1, W, 1), np.float32), 0, 255).astype(np.uint8))
    dr = ImageDraw.Draw(im)
    skin = tuple(int(v + rng.uniform(-12, 12)) for v in rng.choice([(228, 188, 158), (210, 165, 130),
                                                                     (192, 148, 112), (236, 202, 174)]))
    shade = tuple(int(v * 0.85) for v in skin)
    hair = rng.choice([(22, 18, 16), (40, 30, 24), (58, 42, 32)])
    cloth = rng.choice([(30, 34, 48), (20, 20, 24), (62, 62, 72), (34, 46, 84), (238, 238, 236)])
    cx = W / 2 + rng.uniform(-0.04, 0.04) * W
    hy, ax, ay = H * rng.uniform(0.42, 0.47), W * rng.uniform(0.21, 0.25), H * rng.uniform(0.19, 0.22)
    if sex == "Nữ" and rng.random() < 0.8:  # long hair falling behind the shoulders
        dr.rounded_rectangle((cx - ax * 1.3, hy - ay * 1.05, cx + ax * 1.3, hy + ay * rng.uniform(1.6, 2.3)),
                             radius=ax * 0.8, fill=hair)
    dr.rectangle((cx - ax * 0.45, hy + ay * 0.5, cx + ax * 0.45, H * 0.85), fill=shade)
    dr.ellipse((cx - W * 0.62, hy + ay * rng.uniform(1.45, 1.65), cx + W * 0.62, H * 1.5), fill=cloth)
    if cloth == (238, 238, 236) or rng.random() < 0.3:  # a white collar opening to the neck
        top = hy + ay * 1.55
        dr.polygon([(cx - ax * 0.7, top), (cx, top + H * 0.12), (cx + ax * 0.7, top)], fill=(245, 245, 245))
        dr.polygon([(cx - ax * 0.42, top), (cx, top + H * 0.08), (cx + ax * 0.42, top)], fill=shade)
    for side in (-1, 1):
        dr.ellipse((cx + side * ax * 0.98 - ax * 0.14, hy - ay * 0.15, cx + side * ax * 0.98 + ax * 0.14,
                    hy + ay * 0.25), fill=shade)
    dr.ellipse((cx - ax, hy - ay, cx + ax, hy + ay), fill=skin)
    fringe = rng.uniform(0.35, 0.6)
    dr.chord((cx - ax * 1.07, hy - ay * 1.15, cx + ax * 1.07, hy + ay * fringe), 180, 360, fill=hair)
    for side in (-1, 1):
        ex, ey = cx + side * ax * 0.38, hy + ay * 0.02
        dr.line((ex - ax * 0.2, ey - ay * 0.2, ex + ax * 0.2, ey - ay * 0.22), fill=hair, width=max(2, round(ay * .05)))
        dr.ellipse((ex - ax * 0.13, ey - ay * 0.05, ex + ax * 0.13, ey + ay * 0.05), fill=(245, 240, 236))
        dr.ellipse((ex - ax * 0.06, ey - ay * 0.05, ex + ax * 0.06, ey + ay * 0.05), fill=(30, 22, 20))
    dr.line((cx, hy + ay * 0.1, cx - ax * 0.06, hy + ay * 0.36), fill=shade, width=max(2, round(ax * 0.04)))
    dr.ellipse((cx - ax * 0.15, hy + ay * 0.36, cx + ax * 0.15, hy + ay * 0.43), fill=shade)
    dr.chord((cx - ax * 0.3, hy + ay * 0.48, cx + ax * 0.3, hy + ay * 0.68), 0, 180, fill=(168, 84, 84))
    im = im.resize((w, h), Image.Resampling.LANCZOS)
    # Studio light from one side, and the softness of a small photo printed on plastic.
    side = np.linspace(1.06, 0.9, w, dtype=np.float32)[None, :, None]
    arr = cv2.GaussianBlur(np.asarray(im, np.float32) * (side if rng.random() < 0.5 else side[:, ::-1]), (0, 0),
                           w / 300)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _qr(payload: str, size_px: float, rng: random.Random) -> Image.Image:
    """The QR code as a crisp square: whole pixels per module, a quiet zone of 2-4 modules."""
    matrix = np.pad(np.array([list(row) for row in segno.make_qr(payload, error="m").matrix], bool),
                    rng.randint(2, 4))
    cell = max(1, round(size_px / matrix.shape[0]))
    big = np.kron(matrix, np.ones((cell, cell), bool))
    return Image.fromarray(np.where(big[..., None], np.uint8(28), np.uint8(250)).repeat(3, axis=2))


def _chip(w: int, h: int, rng: random.Random) -> Image.Image:
    """A gold contact chip, RGBA: a gradient pad cut into eight contacts around a centre."""
    s = 3
    W, H = w * s, h * s
    t = (np.linspace(0, 1, W, dtype=np.float32)[None, :] * 0.6 + np.linspace(0, 1, H, dtype=np.float32)[:, None] * 0.4)
    shine = np.exp(-((t - rng.uniform(0.3, 0.7)) / 0.18) ** 2)[..., None]
    rgb = np.array([196, 152, 66], np.float32) * (1 - t[..., None] * 0.15) + shine * np.array([50, 50, 40], np.float32)
    im = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).convert("RGBA")
    dr = ImageDraw.Draw(im)
    line, edge = (126, 88, 30, 255), max(2, W // 60)
    dr.rounded_rectangle((W * 0.32, H * 0.2, W * 0.68, H * 0.8), radius=W * 0.06, outline=line, width=edge)
    dr.line((W * 0.5, 0, W * 0.5, H * 0.2), fill=line, width=edge)
    dr.line((W * 0.5, H * 0.8, W * 0.5, H), fill=line, width=edge)
    for y in (H / 3, 2 * H / 3):
        dr.line((0, y, W * 0.32, y), fill=line, width=edge)
        dr.line((W * 0.68, y, W, y), fill=line, width=edge)
    mask = Image.new("L", (W, H), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, W - 1, H - 1), radius=min(W, H) * 0.16, fill=255)
    im.putalpha(mask)
    return im.resize((w, h), Image.Resampling.LANCZOS)


def _fingerprint(w: int, h: int, dpi: int, g: np.random.Generator) -> np.ndarray:
    """Ink coverage of a fingerprint: ridges about 0.45 mm apart curling round a core, in a
    finger-pad outline, broken where the ink skipped."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = (x - w * g.uniform(0.42, 0.58)) / w, (y - h * g.uniform(0.35, 0.5)) / h
    r = np.sqrt((u * 1.0) ** 2 + (v * 1.25) ** 2)
    theta = np.arctan2(v, u)
    warp = 0.025 * np.sin(2 * theta + g.uniform(0, 6.3)) + 0.04 * (_smooth(g, (h, w), (4, 5)) - 0.5)
    loop = g.uniform(0.0, 0.12) * np.clip(v, 0, None) * np.tanh(u * 12)  # a loop's ridges open to one side
    phase = (r + warp + loop) * (w * 25.4 / dpi) / 0.45
    ridges = ((1 + np.cos(2 * np.pi * phase)) * 0.5) ** 1.5
    pad = np.clip((1 - np.sqrt((u / 0.42) ** 2 + (np.maximum(v, -0.6) / 0.5) ** 2)) * 8, 0, 1)
    skips = 0.4 + 0.6 * _smooth(g, (h, w), (9, 11))
    return (ridges * pad * skips).astype(np.float32)


def _signature(w: int, h: int, rng: random.Random) -> np.ndarray:
    """Ink coverage of a quick signature: chained Bézier loops and an underline flick."""
    s = 2
    layer = Image.new("L", (w * s, h * s), 0)
    dr = ImageDraw.Draw(layer)
    pen = max(2, round(h * s * 0.035))
    for stroke in range(rng.randint(1, 3)):
        x = rng.uniform(0.05, 0.3) + stroke * 0.15
        p = np.array([x, rng.uniform(0.3, 0.7)])
        for _ in range(rng.randint(2, 4)):
            q = np.array([min(0.95, p[0] + rng.uniform(0.12, 0.3)), rng.uniform(0.2, 0.8)])
            c1 = p + np.array([rng.uniform(-0.1, 0.25), rng.uniform(-0.6, 0.6)])
            c2 = q + np.array([rng.uniform(-0.25, 0.1), rng.uniform(-0.6, 0.6)])
            t = np.linspace(0, 1, 50)[:, None]
            pts = (1 - t) ** 3 * p + 3 * (1 - t) ** 2 * t * c1 + 3 * (1 - t) * t ** 2 * c2 + t ** 3 * q
            pts = np.clip(pts, 0.02, 0.98) * [w * s, h * s]
            for i in range(len(pts) - 1):
                dr.line((*pts[i], *pts[i + 1]), fill=255, width=max(1, round(pen * (0.6 + 0.5 * math.sin(i / 9) ** 2))))
            p = q
    y0 = h * s * rng.uniform(0.7, 0.9)
    dr.line((w * s * rng.uniform(0.05, 0.3), y0, w * s * rng.uniform(0.7, 0.98), y0 - h * s * rng.uniform(0, 0.3)),
            fill=255, width=pen)
    return np.asarray(layer.resize((w, h), Image.Resampling.LANCZOS), np.float32) / 255


def _seal(d: int, text: str, font: str, rng: random.Random, g: np.random.Generator) -> np.ndarray:
    """Ink coverage of a round red seal: two rings, the agency's name round them, a star inside."""
    s = 2
    big = d * s
    layer = Image.new("L", (big, big), 0)
    dr = ImageDraw.Draw(layer)
    c, r = big / 2, big / 2 - 2 * s
    dr.ellipse((c - r, c - r, c + r, c + r), outline=255, width=max(2, round(big * 0.03)))
    inner = r * 0.68
    dr.ellipse((c - inner, c - inner, c + inner, c + inner), outline=255, width=max(1, round(big * 0.012)))
    chars = list(f"{text} * ")
    face = _face(font, max(6, round(big * min(0.1, 2.9 / len(chars)))))  # short names in bigger letters
    for i, ch in enumerate(chars):  # the name runs clockwise from lower left over the top
        angle = math.pi * 0.62 + (i + 0.5) / len(chars) * math.pi * 1.76
        glyph = Image.new("L", (face.size * 2, face.size * 2), 0)
        ImageDraw.Draw(glyph).text((face.size, face.size), ch, fill=255, font=face, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        gx, gy = c + (r + inner) / 2 * math.cos(angle), c + (r + inner) / 2 * math.sin(angle)
        layer.paste(255, (round(gx - face.size), round(gy - face.size)), glyph)
    dr.polygon(_star(c, c, inner * 0.45), fill=255)
    layer = layer.rotate(rng.uniform(-30, 30), resample=Image.Resampling.BICUBIC)
    cover = np.asarray(layer.resize((d, d), Image.Resampling.LANCZOS), np.float32) / 255
    return cover * (0.6 + 0.4 * _smooth(g, (d, d), (5, 5))) * (g.random((d, d)) > 0.05)  # a seal never inks evenly


def _ink(arr: np.ndarray, cover: np.ndarray, x: float, y: float, colour: tuple[int, int, int], opacity: float) -> None:
    """Multiply ink of `cover` (0..1) into `arr` (float RGB 0..255) with its top left at (x, y) px."""
    x, y = round(x), round(y)
    h, w = arr.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + cover.shape[1], w), min(y + cover.shape[0], h)
    if x1 <= x0 or y1 <= y0:
        return
    c = cover[y0 - y:y1 - y, x0 - x:x1 - x, None] * np.float32(opacity)
    arr[y0:y1, x0:x1] *= 1 - c * (1 - np.array(colour, np.float32) / 255)


# ---------------------------------------------------------------------------------------------
# The card sides


@dataclass
class CardImage:
    kind: str
    side: str
    image: Image.Image
    dpi: int
    truth: dict[str, str]
    qr: str | None
    mrz: list[str] | None


@dataclass
class _Card:
    """One side being drawn: the image, its pen, the ink layers to lay over the text afterwards."""
    image: Image.Image
    pen: Pen
    rng: random.Random
    g: np.random.Generator
    inks: list = field(default_factory=list)

    def paste(self, part: Image.Image, x_mm: float, y_mm: float) -> None:
        mask = part if part.mode == "RGBA" else None
        self.image.paste(part.convert("RGB"), (round(self.pen.px(x_mm)), round(self.pen.px(y_mm))), mask)

    def mm(self, v: float) -> int:
        return round(self.pen.px(v))


def _box(card: _Card, x: float, y: float, w: float, h: float, labels: tuple[str, str]) -> None:
    """A fingerprint box: a thin frame, its label on top inside, the print below."""
    pen = card.pen
    pen.draw.rectangle((pen.px(x), pen.px(y), pen.px(x + w), pen.px(y + h)), outline=(110, 110, 118),
                       width=max(1, card.mm(0.15)))
    pen.text(x + w / 2, y + 1.9, labels[0], "r", 1.05, GREY, anchor="ms", max_w=w - 1)
    if labels[1]:
        pen.text(x + w / 2, y + 3.5, labels[1], "i", 0.95, GREY, anchor="ms", max_w=w - 1)
    top = y + (4.4 if labels[1] else 2.8)
    fw = card.mm(w * 0.72)
    fh = min(card.mm(h - (top - y) - 1.0), round(fw * 1.45))
    top += (h - (top - y) - 1.0 - fh * 25.4 / pen.dpi) / 2
    card.inks.append((_fingerprint(fw, fh, pen.dpi, card.g), pen.px(x + w * 0.14), pen.px(top), (70, 70, 78), 0.8))


def _authority(card: _Card, cx: float, y: float, lines: list[str], english: list[str], name: str,
               seal_text: str, width: float, seal_d: float = 13.5) -> None:
    """The issuer's title (centred at cx), signature, red seal over it, and the signer's name."""
    pen = card.pen
    for line in lines:
        pen.text(cx, y, line, "b", 1.3, INK, anchor="ms", max_w=width)
        y += 2.3
    for line in english:
        pen.text(cx, y - 0.2, line, "r", 0.95, GREY, anchor="ms", max_w=width)
        y += 1.8
    sig_w, sig_h = min(width * 0.75, 26), 8.5
    colour = card.rng.choice([(28, 46, 150), (30, 30, 40)])
    card.inks.append((_signature(card.mm(sig_w), card.mm(sig_h), card.rng), pen.px(cx - sig_w / 2 + 1),
                      pen.px(y + 0.2), colour, 0.9))
    d = card.mm(seal_d)
    seal = _seal(d, seal_text, pen.files[1], card.rng, card.g)
    card.inks.append((seal, pen.px(cx - sig_w / 2 - seal_d * 0.15), pen.px(y + 4.6) - d / 2, (206, 36, 48), 0.85))
    pen.text(cx, y + sig_h + 2.4, name, "b", 1.45, INK, anchor="ms", max_w=width)


def _header(card: _Card, c: Citizen, kind: str, gx: float, gy: float, has_qr: bool) -> None:
    pen, rng = card.pen, card.rng
    card.paste(_emblem(card.mm(11.5)), 7.5 + gx, 2.2 + gy)
    hx = (46.5 if has_qr else 52) + gx + rng.uniform(-0.5, 0.5)
    for text, style, cap, dy in (("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "b", 1.25, 3.9),
                                 ("Độc lập - Tự do - Hạnh phúc", "b", 1.25, 6.4),
                                 ("SOCIALIST REPUBLIC OF VIET NAM", "r", 1.1, 8.9),
                                 ("Independence - Freedom - Happiness", "r", 1.1, 11.2)):
        pen.text(hx, dy + gy, text, style, cap, INK, anchor="ms", max_w=41)
    title, sub = (("CĂN CƯỚC", "IDENTITY CARD") if kind == "card-2024"
                  else ("CĂN CƯỚC CÔNG DÂN", "Citizen Identity Card"))
    pen.text(hx, 15.3 + gy, title, "b", 2.5 if kind == "card-2024" else 2.35, RED, anchor="ms", max_w=43)
    pen.text(hx, 18.1 + gy, sub, "b" if kind == "card-2024" else "r", 1.35, RED, anchor="ms", max_w=40)
    if has_qr:
        size = rng.uniform(12.5, 13.5)
        qr = _qr(qr_payload(c), pen.px(size), rng)
        card.paste(qr, 84.2 - qr.width * 25.4 / pen.dpi + gx * 0.3, 2.0 + gy * 0.5)
        if kind == "chip-2021":  # the little chip mark beside the title
            card.paste(_chip(card.mm(5.2), card.mm(4.2), rng), 74.5 + gx * 0.3, 17.0 + gy * 0.5)


def _photo(card: _Card, c: Citizen, x: float, y: float, w: float, h: float) -> None:
    card.paste(_portrait(card.mm(w), card.mm(h), c.sex, card.rng), x, y)


def _front(card: _Card, c: Citizen, kind: str) -> None:
    """Front of the chip-2021, 12-digit and 2024 cards."""
    pen, rng = card.pen, card.rng
    gx, gy = rng.uniform(-0.6, 0.6), rng.uniform(-0.5, 0.5)
    _header(card, c, kind, gx, gy, kind != "cmnd-12")
    left = 3.4 + gx
    _photo(card, c, left, 14.6 + gy, 20, 27)
    x0 = 26.0 + gx + rng.uniform(-0.4, 0.4)
    dx = pen.width("Số / No.: ", "r", LABEL) if kind != "card-2024" else 0
    right = 84.0
    if kind == "card-2024":
        b = 22.4 + gy
        pen.label(x0, b, "Số định danh cá nhân", "Personal identification number:", max_w=right - x0)
        b += 4.0
        pen.text(x0 + rng.uniform(4, 10), b, c.citizen_id, "b", NUMBER, INK, max_w=right - x0 - 4)
        b += 3.8
        pen.label(x0, b, "Họ, chữ đệm và tên khai sinh", "Full name:", max_w=right - x0)
        b += 3.6
        pen.text(x0 + rng.uniform(0, 4), b, c.full_name, "b", VALUE, max_w=right - x0 - 4)
        b += 3.9
        end = pen.label(x0, b, "Ngày, tháng, năm sinh", "Date of birth:", max_w=40)
        pen.text(end + 1.2, b, _dmy(c.date_of_birth), "b", VALUE, max_w=right - end - 1.5)
        b += 3.8
        end = pen.label(x0, b, "Giới tính", "Sex:")
        pen.text(end + 1.2, b, c.sex, "b", VALUE)
        if rng.random() < 0.5:
            end = pen.label(x0 + 26, b, "Quốc tịch", "Nationality:", max_w=right - x0 - 38)
        else:
            b += 3.8
            end = pen.label(x0, b, "Quốc tịch", "Nationality:")
        pen.text(end + 1.2, b, c.nationality, "b", VALUE, max_w=right - end - 1.5)
        return
    b = 23.4 + gy
    pen.label(x0, b, "Số", "No.:")
    pen.text(x0 + dx + rng.uniform(0.5, 3), b, c.citizen_id, "b", NUMBER, max_w=right - x0 - dx - 1)
    b += 3.3
    pen.label(x0, b, "Họ và tên", "Full name:")
    b += 3.5
    pen.text(x0 + rng.uniform(0, 5), b, c.full_name, "b", VALUE, max_w=right - x0 - 5)
    b += 3.4
    end = pen.label(x0, b, "Ngày sinh", "Date of birth:")
    pen.text(end + 1.2, b, _dmy(c.date_of_birth), "b", VALUE, max_w=right - end - 1.5)
    b += 3.4
    # Sex and nationality share a line, in slightly smaller type to fit as on real cards.
    end = pen.label(x0, b, "Giới tính", "Sex:", cap=LABEL * 0.92)
    end = pen.text(end + 1.2, b, c.sex, "b", VALUE * 0.94)
    end = pen.label(end + rng.uniform(2.2, 3.5), b, "Quốc tịch", "Nationality:", cap=LABEL * 0.9)
    pen.text(end + 1.0, b, c.nationality, "b", VALUE * 0.92, max_w=right - end - 1)
    b += 3.4
    end = pen.label(x0, b, "Quê quán", "Place of origin:")
    b = pen.flow(c.place_of_origin, end + 1.2, b, 3.4, 44.5 + gy, x_rest=x0) + 3.4
    end = pen.label(x0, b, "Nơi thường trú", "Place of residence:")
    # The last address line may start at the left edge, under the photo column, below the expiry.
    pen.flow(c.place_of_residence, end + 1.2, b, 3.4, 52.0, x_rest=x0,
             x_low=left if rng.random() < 0.6 else None, low_from=49.0)
    end = pen.text(left, 44.2 + gy, "Có giá trị đến: ", "i", 1.2, GREY)
    pen.text(end, 44.2 + gy, _dmy(c.date_of_expiry) if c.date_of_expiry else "Không thời hạn", "i", 1.35, INK,
             max_w=x0 - end - 0.8)
    pen.text(left, 46.4 + gy, "Date of expiry", "i", 1.1, GREY)


def _mrz(card: _Card, lines: list[str], top: float) -> None:
    """The TD1 zone on a plain light band: OCR-B, 30 characters over about 76 mm."""
    pen, rng = card.pen, card.rng
    arr = np.asarray(card.image, np.float32).copy()
    band = card.mm(top)
    arr[band:] = arr[band:] * 0.15 + np.array([244, 244, 238], np.float32) * 0.85
    card.image.paste(Image.fromarray(arr.astype(np.uint8)))
    span = rng.uniform(75, 79)
    face = _face(str(OCRB), round(pen.px(span) / (_face(str(OCRB), 1000).getlength("<" * 30) / 1000)))
    x = (CARD_MM[0] - span) / 2 + rng.uniform(-0.8, 0.8)
    pitch = rng.uniform(4.0, 4.4)
    y = 53.98 - 2.2 - 2 * pitch + rng.uniform(-0.3, 0.3)
    for i, line in enumerate(lines):
        pen.draw.text((pen.px(x), pen.px(y + i * pitch)), line, fill=(18, 18, 20), font=face, anchor="ls")


def _back(card: _Card, c: Citizen, kind: str) -> None:
    """Back of the chip-2021, 12-digit and 2024 cards."""
    pen, rng = card.pen, card.rng
    gx, gy = rng.uniform(-0.6, 0.6), rng.uniform(-0.5, 0.5)
    director = _title(_name(rng, rng.choice(("Nam", "Nữ"))))
    if kind == "card-2024":
        card.paste(_chip(card.mm(11.5), card.mm(9.5), rng), 4.0 + gx, 3.6 + gy)
        _authority(card, 10.2 + gx, 16.6 + gy, ["BỘ CÔNG AN"], ["MINISTRY OF", "PUBLIC SECURITY"], "",
                   "CỤC CẢNH SÁT QLHC VỀ TTXH - BỘ CÔNG AN", 14, seal_d=12)
        x0, right = 19.5 + gx, 84.0
        b = 4.6 + gy
        pen.label(x0, b, "Nơi cư trú", "Place of residence:")
        b = pen.flow(c.place_of_residence, x0 + 1, b + 3.3, 3.2, 11.5 + gy, cap=1.8) + 3.4
        pen.label(x0, b, "Nơi đăng ký khai sinh", "Place of birth registration:")
        b = pen.flow(c.place_of_birth_registration, x0 + 1, b + 3.3, 3.2, 18.5 + gy, cap=1.8) + 3.5
        end = pen.label(x0, b, "Ngày, tháng, năm cấp", "Date of issue:", max_w=44)
        pen.text(end + 1.2, b, _dmy(c.date_of_issue), "b", 1.8)
        b += 3.4
        end = pen.label(x0, b, "Ngày, tháng, năm hết hạn", "Date of expiry:", max_w=44)
        pen.text(end + 1.2, b, _dmy(c.date_of_expiry), "b", 1.8)
        _mrz(card, mrz_lines(c), 38.0)
        return
    if kind == "chip-2021":
        fx, fy, text_x, text_w, cx = 48.6, 13.0, 3.4, 44.0, 25.0
        card.paste(_chip(card.mm(11.5), card.mm(9.2), rng), 71.0 + gx * 0.3, 2.4 + gy * 0.5)
        feat_right = 68.0
    else:  # cmnd-12: prints on the left, text on the right, no chip, no MRZ
        fx, fy, text_x, text_w, cx = 3.4, 6.0, 41.5, 42.0, 62.5
        feat_right = 84.0
    fh = 23.5 if kind == "chip-2021" else 28.0
    _box(card, fx + gx, fy + gy, 17.2, fh, ("Ngón trỏ trái", "Left index finger"))
    _box(card, fx + 17.9 + gx, fy + gy, 17.2, fh, ("Ngón trỏ phải", "Right index finger"))
    x0 = text_x + gx
    b = (4.4 if kind == "chip-2021" else 6.8) + gy
    pen.label(x0, b, "Đặc điểm nhân dạng", "Personal identification:", cap=1.4, max_w=feat_right - x0)
    b = pen.flow(c.identifying_features, x0 + 0.5, b + 3.2, 3.0, b + 6.2, "r", 1.7, feat_right) + 3.3
    end = pen.label(x0, b, "Ngày, tháng, năm", "Date, month, year:", cap=1.35, max_w=text_w - 13)
    issued = _dmy(c.date_of_issue)
    if end + 1.0 + pen.width(issued, "b", 1.6) > feat_right:  # it would run off the card: under its label
        end, b = x0 - 1.0, b + 2.6
    pen.text(end + 1.0, b, issued, "b", 1.6)
    if kind == "chip-2021":
        _authority(card, cx + gx, b + 3.3,
                   ["CỤC TRƯỞNG CỤC CẢNH SÁT", "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI"],
                   ["DIRECTOR GENERAL OF THE POLICE DEPARTMENT", "FOR ADMINISTRATIVE MANAGEMENT OF SOCIAL ORDER"],
                   director, "CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", text_w)
        _mrz(card, mrz_lines(c), 38.3 + gy * 0.3)
    else:
        _authority(card, cx + gx, b + 3.5, ["CỤC TRƯỞNG CỤC CẢNH SÁT", "ĐKQL CƯ TRÚ VÀ DLQG VỀ DÂN CƯ"],
                   [],
                   director, "CỤC CẢNH SÁT ĐKQL CƯ TRÚ VÀ DLQG VỀ DÂN CƯ", text_w)


def _dotted(pen: Pen, x0: float, x1: float, y: float) -> None:
    """The dotted writing line of an old paper form."""
    step, r = 0.7, max(1.0, pen.px(0.08))
    for x in np.arange(x0, x1, step):
        pen.draw.ellipse((pen.px(x) - r, pen.px(y + 0.35) - r, pen.px(x) + r, pen.px(y + 0.35) + r), fill=(80, 90, 96))


def _cmnd9(card: _Card, c: Citizen, side: str) -> None:
    """The old 9-digit 'GIẤY CHỨNG MINH NHÂN DÂN', front or back; labels in Vietnamese only."""
    pen, rng = card.pen, card.rng
    gx, gy = rng.uniform(-0.6, 0.6), rng.uniform(-0.5, 0.5)
    right = 83.8
    if side == "front":
        card.paste(_emblem(card.mm(13)), 4.5 + gx, 2.4 + gy)
        hx = 53 + gx
        pen.text(hx, 4.4 + gy, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "b", 1.2, INK, anchor="ms", max_w=50)
        pen.text(hx, 6.9 + gy, "Độc lập - Tự do - Hạnh phúc", "b", 1.2, INK, anchor="ms")
        pen.text(hx, 12.0 + gy, "GIẤY CHỨNG MINH NHÂN DÂN", "b", 2.3, RED, anchor="ms", max_w=56)
        w_no = pen.width(c.citizen_id, "b", 2.8)
        end = pen.text(hx - w_no / 2 - 2.5, 17.3 + gy, "SỐ ", "b", 2.1, RED)
        pen.text(end + 0.5, 17.3 + gy, c.citizen_id, "b", 2.8, RED)
        _photo(card, c, 3.6 + gx, 19.4 + gy, 17, 23)
        x0 = 23.2 + gx
        rows = [(21.8, "Họ tên", c.full_name, 2), (28.9, "Sinh ngày", _dmy(c.date_of_birth, "-"), 1),
                (32.5, "Nguyên quán", c.place_of_origin, 2),
                (39.6, "Nơi ĐKHK thường trú", c.place_of_residence, 3)]
        for base, label, value, lines in rows:
            b = base + gy
            end = pen.text(x0, b, label, "r", 1.5, INK) + 1.0
            for i in range(lines):
                _dotted(pen, end if i == 0 else x0, right, b + i * 3.55)
            pen.flow(value, end + 0.6, b, 3.55, b + 3.55 * (lines - 1), "b" if label == "Họ tên" else "r",
                     1.75, right, x_rest=x0 + 0.5)
        return
    ethnicity = rng.choice(["Kinh"] * 6 + ["Tày", "Thái", "Mường", "Nùng"])
    pen.text(3.6 + gx, 5.0 + gy, f"Dân tộc: {ethnicity}", "r", 1.5)
    pen.text(33 + gx, 5.0 + gy, "Tôn giáo: " + rng.choice(["Không"] * 5 + ["Phật giáo", "Công giáo"]), "r", 1.5)
    pen.text(3.6 + gx, 9.0 + gy, "DẤU VẾT RIÊNG VÀ DỊ HÌNH", "b", 1.5)
    pen.flow(c.identifying_features, 3.6 + gx, 12.4 + gy, 3.2, 15.8 + gy, "r", 1.7, right)
    _box(card, 3.6 + gx, 19.0 + gy, 17.5, 31.5, ("Ngón trỏ trái", ""))
    _box(card, 21.9 + gx, 19.0 + gy, 17.5, 31.5, ("Ngón trỏ phải", ""))
    d = c.date_of_issue
    pen.text(62 + gx, 22.0 + gy, f"Ngày {d.day:02d} tháng {d.month:02d} năm {d.year}", "i", 1.45, INK,
             anchor="ms", max_w=40)
    province = rng.choice(sorted(PROVINCES.values())).upper()
    _authority(card, 62 + gx, 25.8 + gy, ["GIÁM ĐỐC CA " + province], [], _title(_name(rng, "Nam")),
               f"CÔNG AN {province} - PHÒNG CẢNH SÁT QLHC VỀ TTXH", 40, seal_d=15)


# The fields of a side that only its code holds: a chip front prints no old ID (its QR has it),
# a chip back prints neither the ID nor the birth, sex and expiry its MRZ holds, a 2024 back
# prints its expiry but not the rest of its MRZ. Read from print alone they cannot be had.
CODE_ONLY = {("chip-2021", "front"): {"old_id_number"}, ("card-2024", "front"): {"old_id_number"},
             ("chip-2021", "back"): {"citizen_id", "date_of_birth", "sex", "date_of_expiry"},
             ("card-2024", "back"): {"citizen_id", "date_of_birth", "sex"}}


def _truth(c: Citizen, kind: str, side: str) -> dict[str, str]:
    """The fields a reader should get from one side, by HoSo's names, dates ISO."""
    iso = lambda d: d.isoformat() if d else ""  # noqa: E731
    every = {"citizen_id": c.citizen_id, "full_name": c.full_name, "date_of_birth": iso(c.date_of_birth),
             "sex": c.sex, "nationality": c.nationality, "place_of_origin": c.place_of_origin,
             "place_of_residence": c.place_of_residence, "date_of_expiry": iso(c.date_of_expiry),
             "date_of_issue": iso(c.date_of_issue), "identifying_features": c.identifying_features,
             "place_of_birth_registration": c.place_of_birth_registration, "old_id_number": c.old_id_number}
    names = {
        ("chip-2021", "front"): "citizen_id full_name date_of_birth sex nationality place_of_origin place_of_residence "
                                "date_of_expiry old_id_number",
        ("chip-2021", "back"): "date_of_issue identifying_features citizen_id date_of_birth sex date_of_expiry",
        ("card-2024", "front"): "citizen_id full_name date_of_birth sex nationality old_id_number",
        ("card-2024", "back"): "place_of_residence place_of_birth_registration date_of_issue date_of_expiry "
                               "citizen_id date_of_birth sex",
        ("cmnd-12", "front"): "citizen_id full_name date_of_birth sex nationality place_of_origin place_of_residence "
                              "date_of_expiry",
        ("cmnd-12", "back"): "date_of_issue identifying_features",
        ("cmnd-9", "front"): "citizen_id full_name date_of_birth place_of_origin place_of_residence",
        ("cmnd-9", "back"): "date_of_issue identifying_features",
    }[kind, side].split()
    return {n: every[n] for n in names if every[n]}  # an empty old ID is not printed in the QR either


def rounded(w: int, h: int, radius: float) -> np.ndarray:
    """uint8 mask of the card's outline with its rounded corners, anti-aliased."""
    x, y = np.arange(w, dtype=np.float32) + 0.5, np.arange(h, dtype=np.float32) + 0.5
    dx = np.maximum(np.maximum(radius - x, x - (w - radius)), 0)[None, :]  # how far into a corner's square
    dy = np.maximum(np.maximum(radius - y, y - (h - radius)), 0)[:, None]
    return (np.clip(radius - np.sqrt(dx * dx + dy * dy) + 0.5, 0, 1) * 255).astype(np.uint8)


def render(c: Citizen, kind: str, side: str, rng: random.Random, dpi: int = 600,
           families: dict[str, tuple[str, str, str]] = FAMILIES) -> CardImage:
    """One side of the card, flat, RGB, ID-1 at `dpi` (white outside the rounded corners), its
    print in one of `families` (regular, bold, italic font files)."""
    if kind not in KINDS or side not in ("front", "back"):
        raise ValueError(f"unknown card {kind!r} {side!r}")
    g = np.random.default_rng(rng.getrandbits(64))
    w, h = round(CARD_MM[0] / 25.4 * dpi), round(CARD_MM[1] / 25.4 * dpi)
    image = Image.fromarray(np.clip(_guilloche(w, h, dpi, kind, g, side == "front"), 0, 255).astype(np.uint8))
    pen = Pen(image, dpi, families[rng.choice(sorted(families))], rng.uniform(0.92, 1.08), rng.random() < 0.7)
    card = _Card(image, pen, rng, g)
    if kind == "cmnd-9":
        _cmnd9(card, c, side)
    elif side == "front":
        _front(card, c, kind)
    else:
        _back(card, c, kind)
    arr = np.asarray(image, np.float32).copy()
    for cover, x, y, colour, opacity in card.inks:  # ink over print: signatures, then seals over them
        _ink(arr, cover, x, y, colour, opacity)
    mask = rounded(w, h, CORNER_MM / 25.4 * dpi)[..., None].astype(np.float32) / 255
    arr = arr * mask + 255 * (1 - mask)
    qr = qr_payload(c) if side == "front" and kind in ("chip-2021", "card-2024") else None
    mrz = mrz_lines(c) if side == "back" and kind in ("chip-2021", "card-2024") else None
    return CardImage(kind, side, Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8)), dpi,
                     _truth(c, kind, side), qr, mrz)


# ---------------------------------------------------------------------------------------------
# Photographs


@dataclass
class Photo:
    jpeg: bytes
    width: int
    height: int
    exif_orientation: int
    corners: list[tuple[float, float]]
    rotation: int
    tilt: float
    notes: list[str]


SENSORS = ((4032, 3024), (3264, 2448), (4000, 3000))
CHAT = ((1280, 960), (1000, 750))


def _noise1d(g: np.random.Generator, n: int, scale: float) -> np.ndarray:
    """Smooth 1-D noise in about [0, 1] with features `scale` samples long."""
    coarse = g.random((int(n / scale) + 4, 1)).astype(np.float32)
    return cv2.resize(coarse, (1, int(len(coarse) * scale)), interpolation=cv2.INTER_CUBIC)[:n, 0]


def _wood(w: int, h: int, rng: random.Random, g: np.random.Generator) -> np.ndarray:
    """A wooden desk: bands of irregular width and fine fibres, all bent along the grain,
    and the seams between planks."""
    across = rng.random() < 0.5
    gw, gh = (h, w) if across else (w, h)  # drawn with the grain along x, turned afterwards
    bend = _smooth(g, (gh, gw), (3, 5)) * rng.uniform(30, 140) + _smooth(g, (gh, gw), (14, 8)) * rng.uniform(4, 16)
    t = np.arange(gh, dtype=np.float32)[:, None] + bend  # the coordinate across the grain
    n = int(t.max()) + 2
    scale = rng.uniform(0.6, 1.6)
    profile = (0.5 * _noise1d(g, n, 60 * scale) + 0.3 * _noise1d(g, n, 14 * scale) + 0.2 * _noise1d(g, n, 2.5))
    late = np.clip((_noise1d(g, n, 9 * scale) - 0.62) * 5, 0, 1)  # thin dark late-wood lines
    line = (0.72 + 0.5 * (profile - 0.5)) * (1 - 0.22 * late)
    tone = np.interp(t.ravel(), np.arange(len(line)), line).reshape(gh, gw).astype(np.float32)
    tone *= 0.9 + 0.2 * _smooth(g, (gh, gw), (8, 2))
    for _ in range(rng.randint(0, 2)):  # a seam between two planks
        y0 = rng.randrange(gh)
        tone[max(0, y0 - 2):y0 + 2] *= 0.55
    base = np.array(rng.choice([(176, 128, 82), (120, 78, 46), (88, 56, 36), (150, 92, 58), (196, 160, 118)]),
                    np.float32) * rng.uniform(0.85, 1.1)
    out = tone[..., None] * base
    return out.transpose(1, 0, 2) if across else out


def _cloth(w: int, h: int, rng: random.Random, g: np.random.Generator) -> np.ndarray:
    """A plain-weave fabric: threads over and under each other at a slant, with soft creases."""
    period, angle = rng.uniform(2.5, 6.0), rng.uniform(0, math.pi)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    u = (x * math.cos(angle) + y * math.sin(angle)) / period
    v = (y * math.cos(angle) - x * math.sin(angle)) / period
    over = (np.floor(u) + np.floor(v)) % 2
    thread = np.where(over > 0, np.sin(np.pi * (u % 1)), np.sin(np.pi * (v % 1)))
    colour = np.array(rng.choice([(36, 52, 96), (98, 100, 108), (52, 56, 64), (186, 170, 146), (54, 86, 66),
                                  (142, 40, 48), (30, 30, 36), (70, 96, 140), (160, 120, 150)]), np.float32)
    tone = (0.72 + 0.28 * thread) * (0.82 + 0.3 * _smooth(g, (h, w), (6, 5))) * (0.95 + 0.1 * over)
    return tone[..., None] * colour * rng.uniform(0.85, 1.15)


def _paper(w: int, h: int, rng: random.Random, g: np.random.Generator) -> np.ndarray:
    """A white table or a sheet of paper: little contrast with the card."""
    base = np.array(rng.choice([(236, 234, 228), (226, 228, 230), (242, 240, 236), (220, 222, 214)]), np.float32)
    tone = 0.96 + 0.06 * _smooth(g, (h, w), (4, 3)) + g.normal(0, 0.006, (h, w)).astype(np.float32)
    return tone[..., None] * base


def _land(size: tuple[int, int], frame: tuple[int, int], rotation: int, tilt: float,
           rng: random.Random) -> tuple[list[tuple[float, float]], float]:
    """Where the card's corners land: turned, keystoned by the phone's angle, whole in the frame."""
    cw, ch = size
    W, H = frame
    length = rng.uniform(0.30, 0.60) * max(W, H)  # near and far
    a = math.radians(rotation + tilt)
    keystone, phi = rng.uniform(0.0, 0.12), rng.uniform(0, 2 * math.pi)
    jitter = [(rng.gauss(0, 0.004), rng.gauss(0, 0.004)) for _ in range(4)]
    margin = 0.035 * min(W, H)
    while True:
        pts = []
        for (sx, sy), (jx, jy) in zip(((-1, -1), (1, -1), (1, 1), (-1, 1)), jitter):
            x, y = sx * length / 2, sy * length * ch / cw / 2
            x, y = x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)  # clockwise, y down
            grow = 1 / (1 - keystone * (x * math.cos(phi) + y * math.sin(phi)) / (length / 2))  # near side larger
            pts.append((x * grow + jx * length, y * grow + jy * length))
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        if max(xs) - min(xs) <= W - 2 * margin and max(ys) - min(ys) <= H - 2 * margin:
            break
        length *= 0.96
    lo_x, hi_x = margin - min(xs), W - margin - max(xs)
    lo_y, hi_y = margin - min(ys), H - margin - max(ys)
    cx, cy = rng.triangular(lo_x, hi_x), rng.triangular(lo_y, hi_y)
    return [(x + cx, y + cy) for x, y in pts], keystone


def lay(scene: np.ndarray, card: Image.Image, corners: list[tuple[float, float]], rng: random.Random,
         shadow: bool) -> tuple[tuple[int, int, int, int], np.ndarray]:
    """Warp the card onto the scene (and its soft contact shadow); returns the box and the card's alpha in it."""
    H, W = scene.shape[:2]
    src = np.asarray(card)
    dst = np.float32(corners)
    edge = max(np.linalg.norm(dst[1] - dst[0]), np.linalg.norm(dst[2] - dst[3]))
    if edge < 0.8 * card.width:  # shrink first: a bilinear warp alone would alias the guilloche
        f = 1.25 * edge / card.width
        src = cv2.resize(src, (round(card.width * f), round(card.height * f)), interpolation=cv2.INTER_AREA)
    sh, sw = src.shape[:2]
    mask = rounded(sw, sh, CORNER_MM / CARD_MM[0] * sw)
    pad = round(0.02 * edge) + 4
    x0, y0 = max(0, int(dst[:, 0].min()) - pad), max(0, int(dst[:, 1].min()) - pad)
    x1, y1 = min(W, int(dst[:, 0].max()) + pad + 1), min(H, int(dst[:, 1].max()) + pad + 1)
    # Corners are continuous coordinates (pixel i spans [i, i+1)); OpenCV puts pixel centres on integers.
    edges = np.float32([(-0.5, -0.5), (sw - 0.5, -0.5), (sw - 0.5, sh - 0.5), (-0.5, sh - 0.5)])
    m = cv2.getPerspectiveTransform(edges, dst - 0.5 - np.float32([x0, y0]))
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpPerspective(src, m, size, flags=cv2.INTER_LINEAR).astype(np.float32)
    alpha = cv2.warpPerspective(mask, m, size, flags=cv2.INTER_LINEAR).astype(np.float32)[..., None] / 255
    region = scene[y0:y1, x0:x1]
    if shadow:  # the card's thickness casts a thin soft shadow on the desk
        off = np.float32([[1, 0, rng.uniform(-1, 1) * 0.006 * edge], [0, 1, rng.uniform(-1, 1) * 0.006 * edge]])
        soft = cv2.GaussianBlur(cv2.warpAffine(alpha[..., 0], off, size), (0, 0), 0.006 * edge + 1)
        region *= 1 - rng.uniform(0.2, 0.45) * soft[..., None]
    region[:] = warped * alpha + region * (1 - alpha)
    return (x0, y0, x1, y1), alpha[..., 0]


def _light(W: int, H: int, corners: list[tuple[float, float]], rng: random.Random, notes: list[str]) -> np.ndarray:
    """Illumination over the scene, (H, W, 3): a lamp's falloff, vignetting, a warm or cool cast,
    and often the soft shadow of the phone and hand across part of the card. Built small, enlarged."""
    lw, lh = max(8, W // 16), max(8, H // 16)
    y, x = np.mgrid[0:lh, 0:lw].astype(np.float32)
    x, y = x / lw * W, y / lh * H
    diag = math.hypot(W, H)
    lx, ly = rng.uniform(-0.2, 1.2) * W, rng.uniform(-0.2, 1.2) * H
    light = 1 - rng.uniform(0.1, 0.4) * ((x - lx) ** 2 + (y - ly) ** 2) / diag ** 2
    light *= 1 - rng.uniform(0.1, 0.35) * (((x - W / 2) ** 2 + (y - H / 2) ** 2) / (diag / 2) ** 2)
    light *= rng.uniform(0.85, 1.1)
    if rng.random() < 0.55:
        k = rng.random()
        px = sum(c[0] for c in corners) / 4 * (1 - k) + corners[rng.randrange(4)][0] * k
        py = sum(c[1] for c in corners) / 4 * (1 - k) + corners[rng.randrange(4)][1] * k
        t = rng.uniform(0, 2 * math.pi)
        n = (x - px) * math.cos(t) + (y - py) * math.sin(t)
        along = (-(x - px) * math.sin(t) + (y - py) * math.cos(t)) / (rng.uniform(0.2, 0.5) * diag)
        soft = rng.uniform(0.01, 0.04) * diag
        light *= 1 - rng.uniform(0.2, 0.45) / (1 + np.exp(-n / soft)) * np.exp(-along ** 2)
        notes.append("shadow")
    warm = np.array(rng.choice([(1.0, 0.94, 0.80), (1.0, 0.97, 0.9), (0.92, 0.97, 1.04), (1.0, 1.0, 1.0)]), np.float32)
    cool = warm * np.array([rng.uniform(0.94, 1.0), 1.0, rng.uniform(1.0, 1.06)], np.float32)
    mix = np.clip((x - lx) * math.cos(rng.uniform(0, 6.3)) / W * 0.5 + 0.5, 0, 1)[..., None]
    field3 = light[..., None] * (warm * (1 - mix) + cool * mix)
    return cv2.resize(field3.astype(np.float32), (W, H), interpolation=cv2.INTER_LINEAR)


def _glare(scene: np.ndarray, box: tuple[int, int, int, int], alpha: np.ndarray,
           corners: list[tuple[float, float]], rng: random.Random) -> None:
    """One or two soft bright spots or streaks of the ceiling light on the laminate, their cores burnt white."""
    x0, y0, x1, y1 = box
    h, w = y1 - y0, x1 - x0
    s = 4
    y, x = np.mgrid[0:h // s + 1, 0:w // s + 1].astype(np.float32) * s
    edge = math.dist(corners[0], corners[1])
    total = np.zeros_like(x)
    for _ in range(rng.choice((1, 1, 2))):
        wts = [rng.random() for _ in range(4)]
        gx = sum(wt * c[0] for wt, c in zip(wts, corners)) / sum(wts) - x0
        gy = sum(wt * c[1] for wt, c in zip(wts, corners)) / sum(wts) - y0
        long = rng.uniform(0.06, 0.3) * edge
        short, t = long * rng.uniform(0.15, 0.7), rng.uniform(0, math.pi)
        u = ((x - gx) * math.cos(t) + (y - gy) * math.sin(t)) / long
        v = (-(x - gx) * math.sin(t) + (y - gy) * math.cos(t)) / short
        q = u * u + v * v
        total += rng.uniform(0.7, 1.6) * np.exp(-q / 2) + rng.uniform(0.1, 0.3) * np.exp(-q / 12)
    g = cv2.resize(np.clip(total, 0, 1), (w, h), interpolation=cv2.INTER_LINEAR) * alpha
    region = scene[y0:y1, x0:x1]
    np.minimum(region, 255, out=region)
    region += (255 - region) * g[..., None]


def glare_at(photo: Photo, centre_mm: tuple[float, float], axes_mm: tuple[float, float]) -> bytes:
    """The photo (JPEG, no EXIF turn) with the ceiling light's glare burnt into the card at
    ``centre_mm`` of its upright face: an ellipse of ``axes_mm``, white at its core, as `_glare`
    lays it where the dice fall; here, for a test, where the layout prints a field."""
    pixels = np.asarray(Image.open(io.BytesIO(photo.jpeg)).convert("RGB")).astype(np.float32)
    face = np.float32([[0, 0], [CARD_MM[0], 0], [CARD_MM[0], CARD_MM[1]], [0, CARD_MM[1]]])
    to_card = cv2.getPerspectiveTransform(np.float32(photo.corners), face)
    height, width = pixels.shape[:2]
    ys, xs = np.mgrid[0:height:4, 0:width:4].astype(np.float32)
    on_card = cv2.perspectiveTransform(np.stack([xs, ys], -1).reshape(-1, 1, 2), to_card)
    u = (on_card[:, 0, 0] - centre_mm[0]) / axes_mm[0]
    v = (on_card[:, 0, 1] - centre_mm[1]) / axes_mm[1]
    burnt = np.clip(1.3 * np.exp(-(u * u + v * v) / 2), 0, 1).reshape(ys.shape)
    pixels += (255 - pixels) * cv2.resize(burnt, (width, height))[..., None]
    out = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=90)
    return out.getvalue()


def photograph(card: CardImage, rng: random.Random, *, small: bool | None = None) -> Photo:
    """The card lying on a desk, photographed from above by a phone (or resized by a chat app)."""
    g = np.random.default_rng(rng.getrandbits(64))
    small = rng.random() < 0.2 if small is None else small
    sensor = rng.choice(SENSORS)
    orientation = rng.choice((6, 3, 8)) if rng.random() < 0.25 else 1
    if orientation in (6, 8):  # the sensor is landscape; the viewer turns the photo upright
        W, H = sensor[1], sensor[0]
    elif orientation == 3:
        W, H = sensor
    else:
        W, H = sensor if rng.random() < 0.5 else (sensor[1], sensor[0])
    rotation, tilt = rng.choice((0, 90, 180, 270)), round(rng.uniform(-35, 35), 2)
    corners, keystone = _land(card.image.size, (W, H), rotation, tilt, rng)
    notes = []
    pick = rng.random()
    ground, name = (_wood, "wood") if pick < 0.5 else (_cloth, "cloth") if pick < 0.9 else (_paper, "paper")
    scene = cv2.resize(ground(W // 2, H // 2, rng, g).astype(np.float32), (W, H), interpolation=cv2.INTER_LINEAR)
    notes.append(name)
    box, alpha = lay(scene, card.image, corners, rng, shadow=name != "paper" or rng.random() < 0.5)
    if keystone > 0.03:
        notes.append("perspective")
    cv2.multiply(scene, _light(W, H, corners, rng, notes), dst=scene)
    if rng.random() < 0.5:
        _glare(scene, box, alpha, corners, rng)
        notes.append("glare")
    scene = cv2.GaussianBlur(scene, (0, 0), rng.uniform(0.5, 1.5))
    # Sensor noise, mostly luminance with some coarser colour speckle. OpenCV's generator, seeded
    # here, is four times faster than NumPy's at 12 Mpx and as deterministic.
    sigma = rng.uniform(1.5, 5.0)
    cv2.setRNGSeed(rng.getrandbits(31))
    luma, chroma = np.empty((H, W), np.float32), np.empty((H // 2, W // 2, 3), np.float32)
    cv2.randn(luma, 0, sigma)
    cv2.randn(chroma, (0, 0, 0), (sigma * 0.5,) * 3)
    scene += luma[..., None]
    scene += cv2.resize(chroma, (W, H), interpolation=cv2.INTER_LINEAR)
    pixels = cv2.convertScaleAbs(np.maximum(scene, 0, out=scene))  # rounds and saturates at 255
    del scene, luma
    if orientation != 1:  # keep the sensor's pixels, let the EXIF tag turn them
        turn = {6: cv2.ROTATE_90_COUNTERCLOCKWISE, 3: cv2.ROTATE_180, 8: cv2.ROTATE_90_CLOCKWISE}
        pixels = cv2.rotate(pixels, turn[orientation])
        notes.append("exif")
    quality = rng.randint(80, 92)
    if small:
        f = rng.choice(CHAT)[0] / max(pixels.shape[:2])
        pixels = cv2.resize(pixels, (round(pixels.shape[1] * f), round(pixels.shape[0] * f)),
                            interpolation=cv2.INTER_AREA)
        corners = [(x * f, y * f) for x, y in corners]
        quality = rng.randint(70, 85)
        notes.append("low-res")
    image = Image.fromarray(pixels)
    buf = io.BytesIO()
    if orientation != 1:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(buf, "JPEG", quality=quality, exif=exif)
    else:
        image.save(buf, "JPEG", quality=quality)
    return Photo(buf.getvalue(), image.width, image.height, orientation,
                 [(round(x, 2), round(y, 2)) for x, y in corners], rotation, tilt, notes)


def cut(card: CardImage, rng: random.Random) -> Photo:
    """The card alone, as a photo cut to its edges leaves it (a phone's document mode, a scanner's
    crop, a clerk's): 120-250 dpi, turned a quarter any way, its edges up to 2% of the card inside
    or outside the card's (then a sliver of the desk shows), a little blur and noise, JPEG 60-92."""
    desk = tuple(rng.randint(40, 200) for _ in range(3))
    whole = Image.new("RGB", card.image.size, desk)
    whole.paste(card.image, mask=card.image.getchannel("A") if card.image.mode == "RGBA" else None)
    mx, my = (round(rng.uniform(-0.02, 0.02) * side) for side in whole.size)
    framed = Image.new("RGB", (whole.width + 2 * mx, whole.height + 2 * my), desk) if mx > 0 or my > 0 else None
    if framed is not None:
        framed.paste(whole, (max(mx, 0), max(my, 0)))
        whole = framed.crop((max(mx, 0) - mx, max(my, 0) - my, framed.width - max(mx, 0) + mx,
                             framed.height - max(my, 0) + my))
    else:
        whole = whole.crop((-mx, -my, whole.width + mx, whole.height + my))
    f = rng.uniform(120, 250) / card.dpi
    pixels = np.asarray(whole.resize((round(whole.width * f), round(whole.height * f)), Image.LANCZOS), np.float32)
    pixels = cv2.GaussianBlur(pixels, (0, 0), rng.uniform(0.3, 1.0))
    pixels += np.random.default_rng(rng.getrandbits(64)).normal(0, rng.uniform(1.0, 3.0), pixels.shape[:2])[..., None]
    rotation = rng.choice((0, 90, 180, 270))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).rotate(rotation, expand=True)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=rng.randint(60, 92))
    return Photo(buf.getvalue(), image.width, image.height, 1, [], rotation, 0.0, ["cut"])


def sample(seed: int) -> tuple[Citizen, list[tuple[CardImage, Photo]]]:
    """One seeded person: the kind of card, its front and back, and a photo of each."""
    rng = random.Random(seed)
    kind = rng.choices(KINDS, weights=(45, 25, 15, 15))[0]
    c = citizen(rng, kind)
    pairs = []
    for side in ("front", "back"):
        card = render(c, kind, side, rng)
        pairs.append((card, photograph(card, rng)))
    return c, pairs


# ---------------------------------------------------------------------------------------------
# Self-check and samples: python tests/vncards.py OUTDIR


def _verify_mrz(lines: list[str], c: Citizen) -> None:
    """Recompute every check digit another way (a lookup table) and read the fields back."""
    values = {ch: i for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")} | {"<": 0}

    def cd(s: str) -> str:
        return str(sum(values[ch] * w for ch, w in zip(s, [7, 3, 1] * 20)) % 10)

    assert cd("L898902C3") == "6" and cd("740812") == "2" and cd("120415") == "9"  # ICAO 9303 part 5 example
    l1, l2, l3 = lines
    assert all(len(x) == 30 and set(x) <= set(values) for x in lines), lines
    assert l1[:5] == "IDVNM" and l1[5:14] == c.citizen_id[3:] and l1[14] == cd(l1[5:14])
    assert l1[15:27] == c.citizen_id and l1[27:29] == "<<" and l1[29] == cd(l1[15:29])
    assert l2[0:6] == c.date_of_birth.strftime("%y%m%d") and l2[6] == cd(l2[0:6])
    assert l2[7] == ("F" if c.sex == "Nữ" else "M") and l2[8:14] == c.date_of_expiry.strftime("%y%m%d")
    assert l2[14] == cd(l2[8:14]) and l2[15:18] == "VNM"
    assert l2[29] == cd(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    assert l3.split("<<")[0] == _mrz_name(c.full_name.split()[:1])


def main(argv: list[str]) -> None:
    import argparse
    import json
    import time

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seeds", type=int, default=12)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    report = []
    for seed in range(args.seeds):
        started = time.perf_counter()
        c, pairs = sample(seed)
        took = time.perf_counter() - started
        entry = {"seed": seed, "kind": pairs[0][0].kind, "seconds": round(took, 2),
                 "citizen": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(c).items()},
                 "sides": []}
        for card, photo in pairs:
            stem = f"{seed:02d}-{card.kind}-{card.side}"
            card.image.save(args.out / f"{stem}.png")
            (args.out / f"{stem}-photo.jpg").write_bytes(photo.jpeg)
            if card.mrz:
                _verify_mrz(card.mrz, c)
            if card.qr:
                assert card.qr == qr_payload(c) and card.qr.split("|")[0] == c.citizen_id
            entry["sides"].append({"side": card.side, "truth": card.truth, "qr": card.qr, "mrz": card.mrz,
                                   "photo": {k: v for k, v in vars(photo).items() if k != "jpeg"}})
        assert sample(seed)[1][0][1].jpeg == pairs[0][1].jpeg, "not deterministic"
        report.append(entry)
        print(f"seed {seed:2d} {entry['kind']:9s} {took:5.2f} s  {c.full_name}")
    (args.out / "truths.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
