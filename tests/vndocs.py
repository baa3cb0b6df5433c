"""Vietnamese identity and civil papers rendered on the fly: ID cards, a birth certificate,
administrative documents in the Decree 30/2020 layout. No scans are committed."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DPI = 300
FONTS = Path("/usr/share/fonts/truetype")
SANS = FONTS / "dejavu/DejaVuSans.ttf"
SANS_BOLD = FONTS / "dejavu/DejaVuSans-Bold.ttf"
TIMES = FONTS / "liberation2/LiberationSerif-Regular.ttf"
TIMES_BOLD = FONTS / "liberation2/LiberationSerif-Bold.ttf"
TIMES_ITALIC = FONTS / "liberation2/LiberationSerif-Italic.ttf"


def _face(path: Path, size_pt: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), round(size_pt * DPI / 72))


def _a4() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    page = Image.new("RGB", (round(8.27 * DPI), round(11.69 * DPI)), "white")
    return page, ImageDraw.Draw(page)


def _centred(draw: ImageDraw.ImageDraw, cx: float, y: float, text: str, face) -> None:
    width = draw.textlength(text, font=face)
    draw.text((cx - width / 2, y), text, fill="black", font=face)


def render_id_card(*, new_style: bool = False, citizen_id: str | None = None, full_name: str | None = None,
                   date_of_birth: str | None = None) -> Image.Image:
    """The front of a chip citizen ID card, enlarged and centred on an A4 page as a photocopy."""
    page, draw = _a4()
    x0, y0 = 120, 500
    x1, y1 = page.width - 120, y0 + 1450
    draw.rounded_rectangle((x0, y0, x1, y1), radius=60, outline="black", width=4)
    cx = (x0 + x1) / 2
    small, label, value, big = _face(SANS, 9), _face(SANS, 10), _face(SANS_BOLD, 11), _face(SANS_BOLD, 18)
    _centred(draw, cx, y0 + 40, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _face(SANS_BOLD, 10))
    _centred(draw, cx, y0 + 95, "SOCIALIST REPUBLIC OF VIET NAM", small)
    _centred(draw, cx, y0 + 140, "Độc lập - Tự do - Hạnh phúc", small)
    _centred(draw, cx, y0 + 185, "Independence - Freedom - Happiness", small)
    title = "CĂN CƯỚC" if new_style else "CĂN CƯỚC CÔNG DÂN"
    _centred(draw, cx, y0 + 250, title, _face(SANS_BOLD, 16))
    _centred(draw, cx, y0 + 330, "IDENTITY CARD" if new_style else "Citizen Identity Card", label)
    lx = x0 + 480
    draw.rectangle((x0 + 60, y0 + 430, x0 + 400, y0 + 880), outline="black", width=3)  # the photo
    draw.text((lx, y0 + 410), "Số định danh cá nhân / Personal identification number" if new_style
              else "Số / No.:", fill="black", font=label)
    draw.text((lx + (0 if new_style else 300), y0 + (460 if new_style else 395)),
              citizen_id or ("079303001234" if new_style else "001090012345"), fill="black", font=big)
    rows: list[tuple[str, str | None]]
    if new_style:
        rows = [("Họ, chữ đệm và tên khai sinh / Full name:", None), ("", "TRẦN THỊ MAI"),
                ("Ngày sinh / Date of birth: ", "20/11/2003"),
                ("Giới tính / Sex: ", "Nữ      Quốc tịch / Nationality: Việt Nam"),
                # The back of the card, photocopied under the front as counters often do.
                ("", None), ("", None),
                ("Nơi cư trú / Place of residence: ", "45 Lê Lợi, Bến Nghé, Quận 1, TP. Hồ Chí Minh"),
                ("Nơi đăng ký khai sinh / Place of birth: ", "Phường 6, Quận 3, TP. Hồ Chí Minh"),
                ("Ngày hết hạn / Date of expiry: ", "20/11/2043")]
    else:
        rows = [("Họ và tên / Full name:", None), ("", full_name or "NGUYỄN VĂN AN"),
                ("Ngày sinh / Date of birth: ", date_of_birth or "15/03/1990"),
                ("Giới tính / Sex: ", "Nam      Quốc tịch / Nationality: Việt Nam"),
                ("Quê quán / Place of origin:", None), ("", "Xã Tân Lập, Đan Phượng, Hà Nội"),
                ("Nơi thường trú / Place of residence: ", "12 Phố Huế, Hai Bà Trưng, Hà Nội")]
    y = y0 + 560
    for text, val in rows:
        x = lx
        if text:
            draw.text((x, y), text, fill="black", font=label)
            x += draw.textlength(text, font=label)
        if val:
            draw.text((x, y - 4), val, fill="black", font=value)
        y += 75
    if not new_style:
        draw.text((x0 + 60, y1 - 200), "Có giá trị đến: 15/03/2030", fill="black", font=small)
        draw.text((x0 + 60, y1 - 150), "Date of expiry", fill="black", font=small)
    page.info["dpi"] = (DPI, DPI)
    return page


def render_birth_certificate() -> Image.Image:
    page, draw = _a4()
    cx, left = page.width / 2, 260
    body, bold = _face(TIMES, 13), _face(TIMES_BOLD, 13)
    _centred(draw, cx, 240, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    _centred(draw, cx, 310, "Độc lập - Tự do - Hạnh phúc", bold)
    _centred(draw, cx, 480, "GIẤY KHAI SINH", _face(TIMES_BOLD, 18))
    draw.text((left, 620), "Số: 125", fill="black", font=body)
    draw.text((cx + 300, 620), "Quyển số: 01/2021", fill="black", font=body)
    lines = [
        "Họ, chữ đệm, tên: NGUYỄN THỊ BÌNH",
        "Ngày, tháng, năm sinh: 05/06/2021    ghi bằng chữ: Ngày năm, tháng sáu, năm hai nghìn",
        "không trăm hai mươi mốt",
        "Giới tính: Nữ      Dân tộc: Kinh      Quốc tịch: Việt Nam",
        "Nơi sinh: Bệnh viện Phụ sản Hà Nội, thành phố Hà Nội",
        "Quê quán: Xã Tân Lập, huyện Đan Phượng, thành phố Hà Nội",
        "Số định danh cá nhân: 001321012345",
        "Họ, chữ đệm, tên người mẹ: TRẦN THỊ HOA",
        "Năm sinh: 1995      Dân tộc: Kinh      Quốc tịch: Việt Nam",
        "Nơi cư trú: Số 12 phố Huế, quận Hai Bà Trưng, thành phố Hà Nội",
        "Họ, chữ đệm, tên người cha: NGUYỄN VĂN CƯỜNG",
        "Năm sinh: 1993      Dân tộc: Kinh      Quốc tịch: Việt Nam",
        "Nơi cư trú: Số 12 phố Huế, quận Hai Bà Trưng, thành phố Hà Nội",
    ]
    y = 760
    for line in lines:
        draw.text((left, y), line, fill="black", font=body)
        y += 95
    draw.text((cx + 200, y + 120), "NGƯỜI ĐI ĐĂNG KÝ KHAI SINH", fill="black", font=bold)
    page.info["dpi"] = (DPI, DPI)
    return page


def render_admin_document() -> Image.Image:
    """A decision in the layout of Decree 30/2020/NĐ-CP, Annex I."""
    page, draw = _a4()
    w = page.width
    body, bold, italic = _face(TIMES, 13), _face(TIMES_BOLD, 13), _face(TIMES_ITALIC, 13)
    left_cx, right_cx = 620, w - 800
    _centred(draw, left_cx, 200, "BỘ THÔNG TIN VÀ TRUYỀN THÔNG", _face(TIMES_BOLD, 12))
    _centred(draw, right_cx, 200, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _face(TIMES_BOLD, 12))
    _centred(draw, right_cx, 265, "Độc lập - Tự do - Hạnh phúc", bold)
    _centred(draw, left_cx, 370, "Số: 684/QĐ-BTTTT", body)
    _centred(draw, right_cx, 370, "Hà Nội, ngày 16 tháng 4 năm 2020", italic)
    _centred(draw, w / 2, 560, "QUYẾT ĐỊNH", _face(TIMES_BOLD, 14))
    _centred(draw, w / 2, 640, "Về việc ban hành Quy chế số hóa hồ sơ thủ tục hành chính", bold)
    _centred(draw, w / 2, 800, "BỘ TRƯỞNG BỘ THÔNG TIN VÀ TRUYỀN THÔNG", bold)
    y = 920
    for line in [
        "Căn cứ Nghị định số 45/2020/NĐ-CP ngày 08 tháng 4 năm 2020 của Chính phủ về thực hiện",
        "thủ tục hành chính trên môi trường điện tử;",
        "Theo đề nghị của Cục trưởng Cục Chuyển đổi số quốc gia,",
    ]:
        draw.text((300, y), line, fill="black", font=body)
        y += 80
    _centred(draw, w / 2, y + 40, "QUYẾT ĐỊNH:", bold)
    y += 160
    for line in [
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế số hóa hồ sơ.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
    ]:
        draw.text((300, y), line, fill="black", font=body)
        y += 80
    y += 120
    draw.text((300, y), "Nơi nhận:", fill="black", font=_face(TIMES_BOLD, 12))
    draw.text((300, y + 60), "- Như Điều 2;", fill="black", font=_face(TIMES, 11))
    draw.text((300, y + 110), "- Lưu: VT.", fill="black", font=_face(TIMES, 11))
    _centred(draw, right_cx, y, "BỘ TRƯỞNG", bold)
    _centred(draw, right_cx, y + 330, "Nguyễn Mạnh Hùng", bold)
    page.info["dpi"] = (DPI, DPI)
    return page


def render_official_letter(note: tuple[str, ...] = ()) -> Image.Image:
    """A công văn: no type name printed, its subject after "V/v" under the number; ``note``: the
    lines of a typed routing note pasted beside the subject, a word's space right of it."""
    page, draw = _a4()
    w = page.width
    body, bold, italic = _face(TIMES, 13), _face(TIMES_BOLD, 13), _face(TIMES_ITALIC, 13)
    left_cx, right_cx = 620, w - 800
    _centred(draw, left_cx, 200, "UBND TỈNH THANH HÓA", _face(TIMES, 12))
    _centred(draw, left_cx, 260, "SỞ TƯ PHÁP", _face(TIMES_BOLD, 12))
    _centred(draw, right_cx, 200, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _face(TIMES_BOLD, 12))
    _centred(draw, right_cx, 260, "Độc lập - Tự do - Hạnh phúc", bold)
    _centred(draw, left_cx, 370, "Số: 1520/STP-HCTP", body)
    _centred(draw, left_cx, 440, "V/v triển khai số hóa hồ sơ", _face(TIMES, 12))
    _centred(draw, left_cx, 495, "thủ tục hành chính", _face(TIMES, 12))
    subject_end = left_cx + draw.textlength("V/v triển khai số hóa hồ sơ", font=_face(TIMES, 12)) / 2
    for i, line in enumerate(note):
        draw.text((subject_end + 20, 440 + 55 * i), line, fill="black", font=_face(TIMES, 12))
    _centred(draw, right_cx, 370, "Thanh Hóa, ngày 05 tháng 8 năm 2023", italic)
    _centred(draw, w / 2, 680, "Kính gửi: Ủy ban nhân dân các huyện, thị xã, thành phố", body)
    y = 800
    for line in [
        "Thực hiện Nghị định số 45/2020/NĐ-CP của Chính phủ, Sở Tư pháp đề nghị Ủy ban",
        "nhân dân các huyện chỉ đạo số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.",
        "Trân trọng./.",
    ]:
        draw.text((300, y), line, fill="black", font=body)
        y += 80
    y += 120
    draw.text((300, y), "Nơi nhận:", fill="black", font=_face(TIMES_BOLD, 12))
    draw.text((300, y + 60), "- Như trên;", fill="black", font=_face(TIMES, 11))
    _centred(draw, right_cx, y, "GIÁM ĐỐC", bold)
    _centred(draw, right_cx, y + 330, "Lê Văn Bình", bold)
    page.info["dpi"] = (DPI, DPI)
    return page
