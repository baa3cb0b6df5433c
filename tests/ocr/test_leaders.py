"""Dotted writing lines of old forms (ocr/leaders.py), taken out before a card's print is read."""

from __future__ import annotations

import numpy as np
import pytesseract
from PIL import Image, ImageDraw, ImageFont

from ocr import leaders

PX_PER_MM = 20
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
VALUE = "Xã Phú Lộc, Lập Thạch, Vĩnh Phúc"


def _form() -> tuple[np.ndarray, int, int]:
    """A label, a value typed on a dotted line, and an empty dotted line under it, as an old
    9-digit ID card prints them (step 0.7 mm, dots 0.16 mm), on the card's grey paper."""
    image = Image.new("L", (70 * PX_PER_MM, 12 * PX_PER_MM), 235)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, round(1.75 * PX_PER_MM * 1.35))
    baseline, empty = 4 * PX_PER_MM, round(7.55 * PX_PER_MM)
    for y in (baseline + 7, empty + 7):
        for x in np.arange(2 * PX_PER_MM, 68 * PX_PER_MM, 0.7 * PX_PER_MM):
            draw.ellipse((x - 1.6, y - 1.6, x + 1.6, y + 1.6), fill=85)
    draw.text((3 * PX_PER_MM, baseline), VALUE, font=font, fill=30, anchor="ls")
    return np.asarray(image), baseline, empty


def test_an_empty_dotted_line_is_painted_over_and_the_value_on_one_keeps_its_marks():
    gray, _, empty = _form()
    clean = leaders.remove(gray, PX_PER_MM)
    band = slice(empty, empty + 14)
    assert (gray[band] < leaders.INK).sum() > 100  # the dots are there
    assert (clean[band] < leaders.INK).sum() == 0  # and gone
    text = pytesseract.image_to_string(Image.fromarray(clean), lang="vie", config="--psm 6")
    assert [line for line in text.splitlines() if line.strip()] == [VALUE]


def test_print_without_dotted_lines_is_left_as_it_is():
    image = Image.new("L", (60 * PX_PER_MM, 6 * PX_PER_MM), 235)
    ImageDraw.Draw(image).text((20, 30), "Ngày 05 tháng 11 năm 1940 ... Hải Châu", font=ImageFont.truetype(FONT, 47),
                               fill=30)
    gray = np.asarray(image)
    assert np.array_equal(leaders.remove(gray, PX_PER_MM), gray)
