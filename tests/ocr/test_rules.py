"""A table's vertical rules are taken out of the image Tesseract reads (it reads them as "|"
between the cells); its horizontal rules, which hold each row together, and its text stay."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

import vnpages
from ocr import cleanup


def _table() -> tuple[np.ndarray, list[int], int, int]:
    """A ruled table on an A4 page at 300 dpi: the page, its columns' x, its top and row height."""
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(str(vnpages.FONTS["serif"]), 46)
    columns, top, row = [200, 400, 1100, 1600, 2280], 400, 90
    for r in range(12):
        y = top + r * row
        draw.line((columns[0], y, columns[-1], y), fill=0, width=3)
        for c, text in enumerate([str(r + 1), "Nguyễn Thị Hồng", "12/03/1978", "xã Tịnh Khê"]):
            draw.text((columns[c] + 15, y + 65), text, fill=0, font=face, anchor="ls")
    for x in columns:
        draw.line((x, top, x, top + 12 * row), fill=0, width=3)
    return np.asarray(page), columns, top, row


def test_the_vertical_rules_of_a_table_go_and_its_rows_and_text_stay():
    pixels, columns, top, row = _table()
    prepared = cleanup.prepare(pixels, 300)
    assert "rules" in prepared.steps
    gray = np.asarray(prepared.gray)
    assert gray[top + 30:top + 12 * row - 30, 1099:1102].min() > 200, "a vertical rule is left"
    assert gray[top + 5 * row - 1:top + 5 * row + 2, 1200:1500].max() < 100, "a horizontal rule is gone"
    text = (pixels < 100)[top + 10:top + 12 * row - 10, 1120:1580]
    assert (gray[top + 10:top + 12 * row - 10, 1120:1580][text] < 100).mean() > 0.97, "the dates are damaged"


def test_a_page_without_a_table_has_no_rules_taken_out():
    prepared = cleanup.prepare(np.asarray(vnpages.render_page().convert("L")), 300)
    assert "rules" not in prepared.steps


def test_a_dark_picture_is_no_rule():
    page = np.asarray(vnpages.render_page().convert("L")).copy()
    page[1960:2640, 260:840] = 255
    page[2000:2600, 300:800] = 40  # a photo pasted on the page, a margin round it
    prepared = cleanup.prepare(page, 300)
    assert "rules" not in prepared.steps


def test_on_a_page_lying_sideways_the_rules_that_go_are_those_vertical_as_it_reads():
    """A landscape page fed short edge first: the table's row rules run down the image and
    must stay (without them its cells are read column by column); its column rules go."""
    pixels, columns, top, row = _table()
    sideways = np.ascontiguousarray(np.rot90(pixels))  # turned a quarter counter-clockwise
    prepared = cleanup.prepare(sideways, 300)
    assert "rules" in prepared.steps
    upright = np.rot90(np.asarray(prepared.gray), -1)
    assert upright[top + 30:top + 12 * row - 30, 1099:1102].min() > 200, "a column rule is left"
    assert upright[top + 5 * row - 1:top + 5 * row + 2, 1200:1500].max() < 100, "a row rule is gone"
