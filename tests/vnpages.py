"""Vietnamese test pages rendered on the fly, so no scanned binaries are committed."""

from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {
    "serif": FONT_DIR / "DejaVuSerif.ttf",
    "sans": FONT_DIR / "DejaVuSans.ttf",
}

PROSE = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Nghị định quy định về việc thực hiện thủ tục hành chính trên môi trường điện tử.",
    "Cơ quan tiếp nhận hồ sơ có trách nhiệm số hóa giấy tờ khi tiếp nhận.",
    "Công dân đăng ký khai sinh cho con tại Ủy ban nhân dân xã nơi cư trú.",
    "Kết quả giải quyết thủ tục hành chính được lưu trữ dưới dạng điện tử.",
    "Người dân không phải nộp lại giấy tờ mà cơ quan nhà nước đã lưu giữ.",
    "Thành phố Hà Nội, tỉnh Thanh Hóa, tỉnh Hòa Bình và tỉnh Quảng Ngãi.",
    "Việc khai thác dữ liệu phải bảo đảm an toàn thông tin cá nhân.",
    "Chữ ký số của người thực hiện số hóa được gắn vào bản sao điện tử.",
]


def render_page(
    lines: list[str] | None = None,
    *,
    font: str = "serif",
    size_pt: float = 13.0,
    dpi: int = 300,
    width_in: float = 8.27,
    height_in: float = 11.69,
) -> Image.Image:
    """An A4 page of black text on white at the given resolution, like a flatbed scan."""
    lines = PROSE if lines is None else lines
    width, height = round(width_in * dpi), round(height_in * dpi)
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(str(FONTS[font]), round(size_pt * dpi / 72))
    margin = round(0.9 * dpi)
    y = margin
    chars_per_line = int((width - 2 * margin) / (size_pt * dpi / 72 * 0.55))
    for paragraph in lines:
        for line in textwrap.wrap(paragraph, chars_per_line) or [""]:
            draw.text((margin, y), line, fill="black", font=face)
            y += round(size_pt * dpi / 72 * 1.6)
        y += round(size_pt * dpi / 72 * 0.6)
    if y > height - margin // 2:
        raise ValueError("the text does not fit on one page")
    page.info["dpi"] = (dpi, dpi)
    return page


def save(image: Image.Image, path: Path, **kwargs) -> Path:
    dpi = image.info.get("dpi", (300, 300))
    image.save(path, dpi=dpi, **kwargs)
    return path


def cer(expected: str, actual: str) -> float:
    """Character error rate: Levenshtein distance over NFC text with whitespace collapsed."""
    import unicodedata

    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).split())

    a, b = norm(expected), norm(actual)
    if not a:
        return float(bool(b))
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / len(a)


def expected_text(lines: list[str] | None = None) -> str:
    return "\n".join(PROSE if lines is None else lines)


def born_digital_pdf(path: Path, lines: list[str] | None = None) -> Path:
    """A PDF with a real text layer (no image), as an office application would write it."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.add_font("DejaVu", fname=str(FONTS["sans"]))
    pdf.set_font("DejaVu", size=12)
    for line in PROSE if lines is None else lines:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path
