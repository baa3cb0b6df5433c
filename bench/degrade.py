"""Vietnamese administrative pages and the ways real scans spoil them, for the OCR benchmark.

Everything here is a pure function of its arguments and a seed: the same call gives the same
pixels and the same file bytes on every run, and nothing is written outside the directory the
caller names. `render_page` prints a page and returns the exact lines it printed (the ground
truth), `degrade` spoils a page the way one kind of capture does, `encode` writes the file that
capture would write, and `evaluation_set` does all three for every kind.

Fonts come from Debian packages: fonts-liberation2 (Times/Arial metrics, the usual faces of
Vietnamese administrative documents), fonts-dejavu-core and fonts-noto-core.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

DPI = 300
A4_INCHES = (8.27, 11.69)
FONT_ROOT = Path("/usr/share/fonts/truetype")
FONTS = {  # name: (regular, bold, Debian package)
    "liberation-serif": ("liberation2/LiberationSerif-Regular.ttf", "liberation2/LiberationSerif-Bold.ttf",
                         "fonts-liberation2"),
    "liberation-sans": ("liberation2/LiberationSans-Regular.ttf", "liberation2/LiberationSans-Bold.ttf",
                        "fonts-liberation2"),
    "dejavu-serif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf", "fonts-dejavu-core"),
    "noto-serif": ("noto/NotoSerif-Regular.ttf", "noto/NotoSerif-Bold.ttf", "fonts-noto-core"),
}

KINDS = [
    "clean", "flatbed", "photocopy", "200dpi", "skew", "rotated-90", "rotated-180", "rotated-270",
    "phone", "stamp", "bleed-through", "yellowed",
]
# What the capturing device writes: (format, JPEG quality, whether the file states its dpi).
FILE_FORMATS = {"flatbed": ("JPEG", 75, True), "phone": ("JPEG", 80, False)}
PNG = ("PNG", None, True)

HEADING = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
AGENCIES = [
    ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "Quảng Ngãi", "QĐ-UBND"),
    ("SỞ TƯ PHÁP TỈNH NGHỆ AN", "Nghệ An", "TB-STP"),
    ("ỦY BAN NHÂN DÂN QUẬN BA ĐÌNH", "Hà Nội", "QĐ-UBND"),
    ("BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "Hà Nội", "TT-BTNMT"),
    ("ỦY BAN NHÂN DÂN HUYỆN ĐỒNG VĂN", "Hà Giang", "QĐ-UBND"),
    ("SỞ NỘI VỤ THÀNH PHỐ ĐÀ NẴNG", "Đà Nẵng", "KH-SNV"),
]
TITLES = [
    ("QUYẾT ĐỊNH", "Về việc phê duyệt danh mục thủ tục hành chính được số hóa"),
    ("THÔNG BÁO", "Kết quả giải quyết hồ sơ đăng ký hộ tịch trên địa bàn"),
    ("NGHỊ ĐỊNH", "Quy định chi tiết một số điều của Luật Lưu trữ"),
    ("KẾ HOẠCH", "Triển khai dịch vụ công trực tuyến toàn trình năm 2024"),
    ("THÔNG TƯ", "Hướng dẫn lưu trữ hồ sơ điện tử của cơ quan nhà nước"),
]
ARTICLES = [
    "Phạm vi điều chỉnh", "Đối tượng áp dụng", "Giải thích từ ngữ", "Nguyên tắc thực hiện",
    "Hồ sơ và thời hạn giải quyết", "Trách nhiệm của cơ quan tiếp nhận", "Tổ chức thực hiện",
    "Hiệu lực thi hành", "Quyền và nghĩa vụ của công dân", "Kinh phí thực hiện",
]
SENTENCES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015 và Luật sửa đổi, bổ sung năm 2019.",
    "Căn cứ Nghị định số 45/2020/NĐ-CP ngày 08 tháng 4 năm 2020 của Chính phủ về thực hiện thủ tục "
    "hành chính trên môi trường điện tử.",
    "Theo đề nghị của Giám đốc Sở Nội vụ, Ủy ban nhân dân tỉnh ban hành quy định chi tiết việc số hóa hồ sơ.",
    "Văn bản này quy định về việc tiếp nhận, số hóa và lưu trữ hồ sơ, kết quả giải quyết thủ tục hành chính.",
    "Cơ quan tiếp nhận hồ sơ có trách nhiệm kiểm tra tính đầy đủ, hợp lệ của giấy tờ trước khi số hóa.",
    "Công dân đăng ký khai sinh cho con tại Ủy ban nhân dân xã, phường, thị trấn nơi cư trú của cha hoặc mẹ.",
    "Người yêu cầu cấp bản sao trích lục hộ tịch xuất trình căn cước công dân hoặc hộ chiếu còn giá trị sử dụng.",
    "Kết quả giải quyết thủ tục hành chính được lưu trữ dưới dạng điện tử và có giá trị pháp lý như bản giấy.",
    "Người dân không phải nộp lại giấy tờ, tài liệu mà cơ quan nhà nước đã lưu giữ trong cơ sở dữ liệu.",
    "Bản sao điện tử được ký số bởi người có thẩm quyền hoặc bằng chữ ký số của cơ quan, tổ chức.",
    "Việc khai thác, sử dụng dữ liệu phải bảo đảm an toàn thông tin và bảo vệ dữ liệu cá nhân.",
    "Thời hạn giải quyết không quá mười lăm ngày làm việc, kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "Trường hợp hồ sơ chưa đầy đủ, cán bộ tiếp nhận hướng dẫn người nộp bổ sung, hoàn thiện theo quy định.",
    "Ông Nguyễn Văn Hùng, sinh ngày 12 tháng 3 năm 1978, thường trú tại phường Điện Biên, quận Ba Đình.",
    "Bà Trần Thị Thủy, số định danh cá nhân 001178004512, đề nghị cấp lại giấy chứng nhận quyền sử dụng đất.",
    "Thửa đất số 127, tờ bản đồ số 09, diện tích 156,8 mét vuông, tọa lạc tại xã Phước Hưng, huyện Long Điền.",
    "Sở Tài nguyên và Môi trường tỉnh Bà Rịa - Vũng Tàu chủ trì, phối hợp với các sở, ngành liên quan.",
    "Ủy ban nhân dân tỉnh giao Văn phòng Ủy ban theo dõi, đôn đốc việc thực hiện Quyết định này.",
    "Chánh Văn phòng, Giám đốc các sở, Thủ trưởng các ban, ngành và Chủ tịch Ủy ban nhân dân các huyện "
    "chịu trách nhiệm thi hành.",
    "Quyết định này có hiệu lực thi hành kể từ ngày ký và thay thế Quyết định số 1234/QĐ-UBND.",
    "Trung tâm Phục vụ hành chính công tỉnh tiếp nhận hồ sơ trực tuyến qua Cổng Dịch vụ công quốc gia.",
    "Lệ phí đăng ký kết hôn được miễn đối với công dân Việt Nam cư trú ở trong nước.",
    "Giấy xác nhận tình trạng hôn nhân có giá trị sử dụng trong thời hạn sáu tháng, kể từ ngày cấp.",
    "Hồ sơ đề nghị cấp giấy phép xây dựng gồm bản vẽ thiết kế, bản sao giấy tờ về quyền sử dụng đất và tờ khai.",
    "Thành phố Hồ Chí Minh, thành phố Đà Nẵng, tỉnh Thừa Thiên Huế và tỉnh Khánh Hòa triển khai thí điểm.",
    "Người đứng đầu cơ quan, đơn vị chịu trách nhiệm trước pháp luật về tính chính xác của bản sao điện tử.",
    "Cán bộ, công chức vi phạm quy định về lưu trữ thì tùy theo tính chất, mức độ sẽ bị xử lý kỷ luật.",
    "Tài liệu lưu trữ có giá trị vĩnh viễn được nộp vào Lưu trữ lịch sử theo danh mục đã được phê duyệt.",
    "Mỗi hồ sơ được gán một mã số duy nhất để tra cứu, theo dõi tình trạng giải quyết trên hệ thống.",
    "Việc chứng thực chữ ký trong giấy ủy quyền được thực hiện tại Phòng Tư pháp cấp huyện hoặc tổ chức "
    "hành nghề công chứng.",
    "Học sinh, sinh viên được hưởng chế độ ưu đãi theo quy định tại Điều 7 Thông tư số 14/2023/TT-BGDĐT.",
    "Hộ gia đình thuộc diện hộ nghèo, hộ cận nghèo được hỗ trợ một phần chi phí đóng bảo hiểm y tế.",
    "Chủ tịch Ủy ban nhân dân xã Mường Khương ký xác nhận vào đơn đề nghị của ông Lò Văn Quỳnh.",
    "Đoàn kiểm tra liên ngành làm việc tại huyện Đồng Văn, tỉnh Hà Giang từ ngày 05 đến ngày 09 tháng 11.",
    "Các khoản thu, chi ngân sách được công khai trên trang thông tin điện tử của đơn vị.",
    "Bản chính giấy tờ được trả lại ngay cho người nộp sau khi đối chiếu với bản sao.",
    "Mọi phản ánh, kiến nghị về quy định hành chính được gửi đến Cục Kiểm soát thủ tục hành chính.",
    "Tờ khai ghi rõ họ, chữ đệm, tên, ngày, tháng, năm sinh, giới tính, dân tộc, quốc tịch và nơi thường trú.",
    "Cơ sở dữ liệu quốc gia về dân cư được kết nối, chia sẻ với cơ sở dữ liệu chuyên ngành của các bộ.",
    "Văn bản điện tử gửi đến cơ quan phải bảo đảm định dạng, thể thức và kỹ thuật trình bày theo quy định.",
    "Ngày 25 tháng 12 năm 2023, Sở Tư pháp tỉnh Nghệ An đã tổ chức hội nghị tập huấn về nghiệp vụ hộ tịch.",
    "Giấy chứng nhận được in trên phôi do Bộ Tài nguyên và Môi trường phát hành, có số sê-ri và mã vạch.",
]


@dataclass(frozen=True)
class Sample:
    path: Path
    kind: str
    truth: str  # the lines printed on the page, joined by "\n"
    font: str


# ---------------------------------------------------------------------------------------------
# Printing


def font_file(name: str, bold: bool = False) -> Path:
    regular, heavy, package = FONTS[name]
    path = FONT_ROOT / (heavy if bold else regular)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: apt-get install -y {package}")
    return path


def render_page(seed: int, font: str = "liberation-serif", size_pt: float = 13.0,
                dpi: int = DPI) -> tuple[Image.Image, list[str]]:
    """An A4 administrative page printed black on white, and the exact lines printed on it.

    The layout follows Decree 30/2020 loosely: centred national heading, agency, number and
    date, a centred title, then articles of body text with a first-line indent, filled until
    the page is full (a paragraph may stop part-way; only whole lines are printed).
    """
    rng = random.Random(seed)
    px = size_pt * dpi / 72
    regular = ImageFont.truetype(str(font_file(font)), round(px))
    bold = ImageFont.truetype(str(font_file(font, bold=True)), round(px))
    width, height = round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)
    mm = dpi / 25.4
    left, right, top, bottom = round(30 * mm), round(width - 18 * mm), round(20 * mm), round(height - 22 * mm)
    leading = round(px * 1.45)

    agency, place, suffix = rng.choice(AGENCIES)
    title, subject = rng.choice(TITLES)
    blocks: list[tuple[str, str, int]] = [  # (text, style, space before in lines)
        (HEADING[0], "centre-bold", 0), (HEADING[1], "centre-bold", 0), (agency, "centre", 1),
        (f"Số: {rng.randint(12, 2999)}/{rng.randint(2019, 2024)}/{suffix}", "left", 0),
        (f"{place}, ngày {rng.randint(1, 28):02d} tháng {rng.randint(1, 12)} năm {rng.randint(2019, 2024)}",
         "right", 0),
        (title, "centre-bold", 1), (subject, "centre", 0),
    ]
    sentences = SENTENCES[:]
    rng.shuffle(sentences)
    articles = rng.sample(ARTICLES, len(ARTICLES))
    for number, article in enumerate(articles, 1):
        blocks.append((f"Điều {number}. {article}", "left-bold", 1 if number == 1 else 0.4))
        for _ in range(rng.randint(1, 2)):
            paragraph = " ".join(sentences.pop() for _ in range(rng.randint(1, 3)) if sentences)
            if paragraph:
                blocks.append((paragraph, "body", 0))

    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    printed: list[str] = []
    baseline = top + px
    for text, style, space in blocks:
        face = bold if style.endswith("bold") else regular
        indent = round(10 * mm) if style == "body" else 0
        baseline += space * leading
        for i, line in enumerate(_wrap(text, face, right - left, indent)):
            if baseline > bottom:
                page.info["dpi"] = (dpi, dpi)
                return page.convert("RGB"), printed
            line_width = face.getlength(line)
            x = {"centre": (width - line_width) / 2 + (left - (width - right)) / 2,
                 "right": right - line_width}.get(style.split("-")[0], left + (indent if i == 0 else 0))
            draw.text((round(x), round(baseline)), line, fill=0, font=face, anchor="ls")
            printed.append(line)
            baseline += leading
    raise ValueError("the text ran out before the page was full")


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: float, indent: float) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and face.getlength(candidate) > width - (indent if not lines else 0):
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


# ---------------------------------------------------------------------------------------------
# Degradations


def degrade(kind: str, page: Image.Image, seed: int) -> Image.Image:
    """`page` (a clean RGB page from render_page) as one kind of capture would see it.

    The JPEG step of the flatbed and phone kinds happens in `encode`, as in the device.
    """
    if kind not in _DEGRADATIONS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    dpi = page.info.get("dpi", (DPI, DPI))
    result = _DEGRADATIONS[kind](page, np.random.default_rng(seed), seed)
    if FILE_FORMATS.get(kind, PNG)[2]:
        result.info["dpi"] = result.info.get("dpi", dpi)
    else:
        result.info.pop("dpi", None)
    return result


def encode(kind: str, image: Image.Image) -> tuple[str, bytes]:
    """The file suffix and bytes the capture of `kind` writes."""
    fmt, quality, with_dpi = FILE_FORMATS.get(kind, PNG)
    options: dict = {"dpi": image.info["dpi"]} if with_dpi and "dpi" in image.info else {}
    if fmt == "JPEG":
        options |= {"quality": quality, "optimize": False, "progressive": False}
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return (".jpg" if fmt == "JPEG" else ".png"), buffer.getvalue()


def _clean(page: Image.Image, rng: np.random.Generator, seed: int) -> Image.Image:
    return page.copy()


def _flatbed(page: Image.Image, rng: np.random.Generator, seed: int) -> Image.Image:
    angle = float(rng.uniform(-1.0, 1.0))
    scan = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    scan = scan.filter(ImageFilter.GaussianBlur(0.7))
    pixels = np.asarray(scan, dtype=np.float32) * np.float32(0.96) + np.float32(6)  # paper is not white
    pixels += rng.normal(0, 5, pixels.shape).astype(np.float32)
    return _image(pixels)


def _photocopy(page: Image.Image, rng: np.random.Generator, seed: int) -> Image.Image:
    gray = page.convert("L").filter(ImageFilter.GaussianBlur(0.9))
    pixels = np.asarray(gray, dtype=np.float32)
    h, w = pixels.shape
    # A toner that varies across the drum: too much thickens strokes, too little breaks them.
    density = _smooth_field(rng, (h, w), (6, 8)) * 60 - 30
    ink = pixels < 150 + density + rng.normal(0, 12, (h, w))
    thick = _smooth_field(rng, (h, w), (5, 7)) > 0.7
    dilated = np.asarray(Image.fromarray(ink).filter(ImageFilter.MaxFilter(3)))
    ink = np.where(thick, dilated, ink)
    ink &= ~((rng.random((h, w)) < 0.08) & (_smooth_field(rng, (h, w), (7, 9)) < 0.35))  # broken strokes
    # Toner dust: grey haze, black specks (some clumped), and white drop-outs in the ink.
    background = 255 - np.clip(_smooth_field(rng, (h, w), (9, 12)) * 40 + rng.normal(0, 6, (h, w)), 0, 70)
    specks = rng.random((h, w)) < 0.0015
    clumps = np.asarray(Image.fromarray(rng.random((h, w)) < 0.00015).filter(ImageFilter.MaxFilter(5)))
    holes = rng.random((h, w)) < 0.02
    out = np.where((ink & ~holes) | specks | clumps, rng.normal(35, 10, (h, w)), background)
    edge = np.zeros((h, w), np.float32)  # the dark border of a lid left open
    band = int(rng.integers(15, 40))
    edge[:, :band] = 110
    edge[:band, :] = np.maximum(edge[:band, :], 90)
    return _image(out - edge, mode="L")


def _lower_resolution(page: Image.Image, rng: np.random.Generator, seed: int) -> Image.Image:
    dpi = page.info.get("dpi", (DPI, DPI))[0]
    size = (round(page.width * 200 / dpi), round(page.height * 200 / dpi))
    small = page.resize(size, Image.Resampling.BOX)  # a sensor averages its cells
    pixels = np.asarray(small, dtype=np.float32) + rng.normal(0, 3, (size[1], size[0], 1)).astype(np.float32)
    result = _image(pixels)
    result.info["dpi"] = (200, 200)
    return result


def _skew(page: Image.Image, rng: np.random.Generator, seed: int) -> Image.Image:
    angle = float(rng.uniform(3.0, 6.0)) * (1 if rng.random() < 0.5 else -1)
    return page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))


def _turned(degrees: int):
    def turn(page: Image.Image, rng: np.random.Generator, seed: int) -> Image.Image:
        return page.rotate(degrees, expand=True)  # counter-clockwise, exact
    return turn


def _phone(page: Image.Image, rng: np.random.Generator, seed: int) -> Image.Image:
    """A page photographed on a desk: a quadrilateral in a 12-megapixel frame, lit unevenly."""
    out_w, out_h = 3000, 4000
    desk = _desk(rng, (out_h, out_w))
    # Where the page corners land: a keystone (the phone is tilted) plus a hand's wobble.
    scale = out_h * rng.uniform(0.66, 0.80) / page.height  # about 230-270 dpi on the paper
    cx, cy = out_w / 2 + rng.uniform(-80, 80), out_h / 2 + rng.uniform(-80, 80)
    hw, hh = page.width * scale / 2, page.height * scale / 2
    keystone = rng.uniform(0.05, 0.12) * hw * (1 if rng.random() < 0.5 else -1)
    turn = math.radians(rng.uniform(-3, 3))
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        x = sx * (hw - keystone * sy) + rng.normal(0, 15)
        y = sy * hh + rng.normal(0, 15)
        corners.append((cx + x * math.cos(turn) - y * math.sin(turn), cy + x * math.sin(turn) + y * math.cos(turn)))
    source = [(0, 0), (page.width, 0), (page.width, page.height), (0, page.height)]
    coefficients = _perspective(corners, source)
    warped = page.transform((out_w, out_h), Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC)
    mask = Image.new("L", page.size, 255).transform((out_w, out_h), Image.Transform.PERSPECTIVE, coefficients,
                                                    Image.Resampling.BILINEAR)
    shadow = np.asarray(mask.filter(ImageFilter.GaussianBlur(25)), dtype=np.float32)[..., None] / 255
    alpha = np.asarray(mask, dtype=np.float32)[..., None] / 255
    scene = np.asarray(warped, dtype=np.float32) * alpha + desk * (1 - 0.45 * shadow) * (1 - alpha)
    # Light from one side, falling off to the corners, warm (a tungsten desk lamp).
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    lx, ly = rng.uniform(0, out_w), rng.uniform(0, out_h * 0.5)
    falloff = ((xx - lx) ** 2 + (yy - ly) ** 2) / np.float32(out_w ** 2 + out_h ** 2)
    vignette = ((xx / out_w - 0.5) ** 2 + (yy / out_h - 0.5) ** 2)
    light = np.float32(1.0) - np.float32(0.6) * falloff - np.float32(0.4) * vignette
    # The soft shadow of the phone and the hand holding it, across one side of the page.
    angle = rng.uniform(0, 2 * math.pi)
    reach = rng.uniform(0.15, 0.35) * min(out_w, out_h)
    distance = ((xx - out_w / 2) * np.float32(math.cos(angle)) + (yy - out_h / 2) * np.float32(math.sin(angle))
                - np.float32(reach))
    light *= np.float32(1) - np.float32(rng.uniform(0.3, 0.45)) / (np.float32(1) + np.exp(-distance / np.float32(70)))
    tint = np.array([1.0, 0.92, 0.74], np.float32)
    scene = scene * light[..., None] * tint
    image = _image(scene).filter(ImageFilter.GaussianBlur(1.3))
    pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, 5, (out_h, out_w, 3)).astype(np.float32)
    return _image(pixels)


def _stamp(page: Image.Image, rng: np.random.Generator, seed: int) -> Image.Image:
    """A blue signature and a red seal, as ink multiplies paper: where the page says it is signed
    (page.info["signature"], the top left of the room left for it), else over the body text."""
    dpi = page.info.get("dpi", (DPI, DPI))[0]
    w, h = page.size
    pixels = np.asarray(page, dtype=np.float32) / 255
    # Signature first, the seal over its left third, as Vietnamese offices do.
    sx, sy = int(rng.uniform(0.42, 0.62) * w), int(rng.uniform(0.45, 0.72) * h)
    if "signature" in page.info:
        sx, sy = page.info["signature"]
    signature = _signature(rng, dpi)
    pixels = _multiply(pixels, signature, (sx, sy), (25, 45, 165), 0.92)
    seal = _seal(rng, dpi)
    centre = (sx - seal.shape[1] // 5 + int(rng.integers(-40, 40)), sy + signature.shape[0] // 2 - seal.shape[0] // 2)
    pixels = _multiply(pixels, seal, centre, (205, 35, 45), 0.9)
    return _image(pixels * 255)


def _bleed_through(page: Image.Image, rng: np.random.Generator, seed: int) -> Image.Image:
    """The back of the sheet showing through: mirrored, faint, soft, under the front."""
    back, _ = render_page(seed + 7919, font=list(FONTS)[seed % len(FONTS)], size_pt=13.0 + seed % 2,
                          dpi=page.info.get("dpi", (DPI, DPI))[0])
    back = ImageOps.mirror(back.convert("L")).resize(page.size).filter(ImageFilter.GaussianBlur(2.2))
    strength = np.float32(rng.uniform(0.3, 0.45))
    veil = 1 - (1 - np.asarray(back, dtype=np.float32) / 255) * strength
    paper = np.float32(0.96) + _smooth_field(rng, veil.shape, (4, 5)) * np.float32(0.03)
    front = np.asarray(page, dtype=np.float32) / 255
    return _image(front * (veil * paper)[..., None] * 255)


def _yellowed(page: Image.Image, rng: np.random.Generator, seed: int) -> Image.Image:
    """Paper kept for decades: a warm tint, uneven (blotches, edges browner), ink faded a little,
    a few foxing spots, scanned on a flatbed."""
    pixels = np.asarray(page, dtype=np.float32) / 255
    h, w = pixels.shape[:2]
    fade = np.float32(rng.uniform(0.05, 0.18))
    ink = pixels * (1 - fade) + fade
    yy, xx = np.ogrid[0:h, 0:w]
    edge = np.minimum(np.minimum(xx, w - 1 - xx) / w, np.minimum(yy, h - 1 - yy) / h).astype(np.float32)
    brown = np.exp(-edge / np.float32(0.04)) * np.float32(0.10)
    tone = np.float32(0.95) - np.float32(0.08) * _smooth_field(rng, (h, w), (6, 8)) - brown - _foxing(rng, (h, w))
    tint = np.array([1.0, rng.uniform(0.90, 0.95), rng.uniform(0.70, 0.84)], np.float32)
    paper = tone[..., None] * tint
    noise = rng.normal(0, 3, (h, w, 1)).astype(np.float32)
    return _image(ink * paper * 255 + noise).filter(ImageFilter.GaussianBlur(0.5))


_DEGRADATIONS = {
    "clean": _clean, "flatbed": _flatbed, "photocopy": _photocopy, "200dpi": _lower_resolution,
    "skew": _skew, "rotated-90": _turned(90), "rotated-180": _turned(180), "rotated-270": _turned(270),
    "phone": _phone, "stamp": _stamp, "bleed-through": _bleed_through, "yellowed": _yellowed,
}
assert list(_DEGRADATIONS) == KINDS


# ---------------------------------------------------------------------------------------------
# Pieces


def _image(pixels: np.ndarray, mode: str | None = None) -> Image.Image:
    image = Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))
    return image.convert(mode) if mode else image


def _smooth_field(rng: np.random.Generator, shape: tuple[int, int], cells: tuple[int, int]) -> np.ndarray:
    """Low-frequency noise in [0, 1]: a coarse random grid, smoothly interpolated."""
    coarse = Image.fromarray((rng.random((cells[1], cells[0])) * 255).astype(np.uint8))
    return np.asarray(coarse.resize((shape[1], shape[0]), Image.Resampling.BICUBIC), dtype=np.float32) / 255


def _foxing(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """How much darker (0..0.25) a few soft brown spots of age make the paper."""
    h, w = shape
    spots = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(spots)
    for _ in range(int(rng.integers(4, 16))):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(4, 22)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=int(rng.integers(25, 65)))
    return np.asarray(spots.filter(ImageFilter.GaussianBlur(6)), dtype=np.float32) / 255


def _desk(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    grain = _smooth_field(rng, (h, w), (3, 40))  # long grain along the width
    base = np.array([96, 68, 46], np.float32) * rng.uniform(0.7, 1.0)
    return base * (0.75 + 0.45 * grain)[..., None] + rng.normal(0, 3, (h, w, 1)).astype(np.float32)


def _perspective(target: list[tuple[float, float]], source: list[tuple[float, float]]) -> tuple[float, ...]:
    """PIL's perspective coefficients: they map each output (target) point to its input point."""
    rows, values = [], []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    return tuple(float(c) for c in np.linalg.solve(np.array(rows), np.array(values)))


def _multiply(pixels: np.ndarray, ink: np.ndarray, top_left: tuple[int, int], colour: tuple[int, int, int],
              opacity: float) -> np.ndarray:
    """Coloured ink of coverage `ink` (0..1) multiplied into `pixels` (0..1 RGB) at `top_left`."""
    h, w = pixels.shape[:2]
    x0, y0 = max(top_left[0], 0), max(top_left[1], 0)
    x1, y1 = min(top_left[0] + ink.shape[1], w), min(top_left[1] + ink.shape[0], h)
    cover = ink[y0 - top_left[1]:y1 - top_left[1], x0 - top_left[0]:x1 - top_left[0], None] * np.float32(opacity)
    filt = 1 - cover * (1 - np.array(colour, np.float32) / 255)
    out = pixels.copy()
    out[y0:y1, x0:x1] *= filt
    return out


def _seal(rng: np.random.Generator, dpi: int) -> np.ndarray:
    """Ink coverage (0..1) of a round seal 40 mm across: two rings, a ring of text, a star."""
    size = round(40 / 25.4 * dpi)
    scale = 3  # draw big, shrink: smooth edges
    big = size * scale
    layer = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(layer)
    c, r = big / 2, big / 2 - 4 * scale
    draw.ellipse((c - r, c - r, c + r, c + r), outline=255, width=7 * scale)
    inner = r * 0.70
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=255, width=3 * scale)
    font = ImageFont.truetype(str(font_file("liberation-sans", bold=True)), round(size * 0.085 * scale))
    agency = AGENCIES[int(rng.integers(len(AGENCIES)))][0]
    text = f"{agency} ★ ".replace("★", "*")
    radius = (r + inner) / 2
    step = 2 * math.pi / len(text)
    for i, char in enumerate(text):
        angle = -math.pi / 2 + i * step
        glyph = Image.new("L", (font.size * 2, font.size * 2), 0)
        ImageDraw.Draw(glyph).text((font.size, font.size), char, fill=255, font=font, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        x, y = c + radius * math.cos(angle), c + radius * math.sin(angle)
        layer.paste(255, (round(x - font.size), round(y - font.size)), glyph)
    star = [(c + (inner * (0.42 if k % 2 == 0 else 0.17)) * math.cos(-math.pi / 2 + k * math.pi / 5),
             c + (inner * (0.42 if k % 2 == 0 else 0.17)) * math.sin(-math.pi / 2 + k * math.pi / 5))
            for k in range(10)]
    draw.polygon(star, fill=255)
    layer = layer.rotate(float(rng.uniform(-25, 25)), resample=Image.Resampling.BICUBIC)
    layer = layer.resize((size, size), Image.Resampling.LANCZOS)
    coverage = np.asarray(layer, dtype=np.float32) / 255
    inking = 0.65 + 0.35 * _smooth_field(rng, (size, size), (5, 5))  # a seal never inks evenly
    return np.clip(coverage * inking * (rng.random((size, size)) > 0.04), 0, 1).astype(np.float32)


def _signature(rng: np.random.Generator, dpi: int) -> np.ndarray:
    """Ink coverage (0..1) of a quick handwritten flourish about 60 × 25 mm, crossing lines."""
    w, h = round(60 / 25.4 * dpi), round(25 / 25.4 * dpi)
    scale = 2
    layer = Image.new("L", (w * scale, h * scale), 0)
    draw = ImageDraw.Draw(layer)
    t = np.linspace(0, 1, 700)
    loops = rng.integers(3, 6)
    x = 0.08 + 0.80 * t + 0.05 * np.sin(2 * math.pi * loops * t + rng.uniform(0, 6))
    y = (0.5 + 0.30 * np.sin(2 * math.pi * loops * t * 1.02 + rng.uniform(0, 6)) * np.exp(-1.2 * t)
         + 0.15 * np.sin(2 * math.pi * rng.uniform(0.5, 1.2) * t))
    points = [(float(px) * w * scale, float(py) * h * scale) for px, py in zip(x, y, strict=True)]
    pen = 5.0 * dpi / 300 * scale
    for i in range(len(points) - 1):
        width = max(1, round(pen * (0.6 + 0.6 * math.sin(i / 37.0) ** 2)))
        draw.line((points[i], points[i + 1]), fill=255, width=width)
    # An underline flick, the last gesture of a Vietnamese signature.
    y0 = h * scale * rng.uniform(0.75, 0.9)
    draw.line(((w * scale * 0.15, y0), (w * scale * 0.95, y0 - h * scale * 0.2)), fill=255, width=round(pen))
    layer = layer.resize((w, h), Image.Resampling.LANCZOS)
    return np.asarray(layer, dtype=np.float32) / 255


# ---------------------------------------------------------------------------------------------
# The evaluation set


def evaluation_set(directory: Path, pages_per_kind: int = 3, kinds: list[str] | None = None) -> list[Sample]:
    """Write `pages_per_kind` pages of every kind into `directory` and return them with their
    truth. Fonts and sizes rotate so every kind meets several faces; the same arguments write
    the same bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    samples = []
    names = list(FONTS)
    for k, kind in enumerate(KINDS):
        if kinds is not None and kind not in kinds:
            continue
        for i in range(pages_per_kind):
            seed = 1000 * k + i
            font = names[(k + i) % len(names)]
            page, lines = render_page(seed, font=font, size_pt=(13.0, 14.0)[(k + i) // 2 % 2])
            suffix, data = encode(kind, degrade(kind, page, seed))
            path = directory / f"{kind}-{i + 1:02d}{suffix}"
            path.write_bytes(data)
            samples.append(Sample(path, kind, "\n".join(lines), font))
    return samples
