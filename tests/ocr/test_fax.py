"""Faxes (issue 15): a garbled scan line, a row of scattered dots from edge to edge, is taken out
before Tesseract reads it as full stops; real Tesseract on a page faxed by bench/otherpages.py."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image

import ocr
import vnpages
from ocr.streaks import remove_streaks

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
import otherpages  # noqa: E402

DPI = 300
MM = DPI / 25.4


def _faxed(tmp_path: Path) -> tuple[Path, str]:
    """Five lines of a legal article faxed (204×98 dpi, read back at 200), with a streak drawn
    through the middle of the second and the fourth line."""
    rng = random.Random(3)
    page = Image.new("RGB", (round(170 * MM), round(45 * MM)), "white")
    box = (round(20 * MM), round(3 * MM), page.width - round(20 * MM), page.height)
    printer = otherpages._Printer(page, "freesans", box, DPI)
    for line in otherpages._article(rng, 1, 12)[1:]:
        printer.print(line)
    page.info["dpi"] = (DPI, DPI)
    fax = np.array(otherpages._fax(page, np.random.default_rng(0), None))
    dots = np.random.default_rng(1)
    leading = 12 * 1.35 * 200 / 72
    for n in (2, 4):
        row = round(3 * MM * 200 / DPI + (n - 0.3) * leading)
        fax[row:row + 2] = np.where(dots.random((2, fax.shape[1])) < 0.3, 0, fax[row:row + 2])
    image = Image.fromarray(fax)
    image.info["dpi"] = (200, 200)
    return vnpages.save(image, tmp_path / "fax.png"), "\n".join(printer.printed)


def test_a_streak_across_a_fax_is_taken_out(tmp_path):
    """Left in, the streaks' dots read as punctuation and spoil the letters they cross ("lôn-thì",
    "việc:"); taken out, the strokes that cross them stay and the lines read right."""
    scan, truth = _faxed(tmp_path)
    alone = ocr.read_page(scan, "image/png", 0, True, ocr.OcrOptions(skip_steps=["streaks"]), tmp_path)
    assert vnpages.cer(truth, alone.text) > 0.01, "the streaks no longer spoil the reading: make them worse"
    result = ocr.read_page(scan, "image/png", 0, True, ocr.OcrOptions(), tmp_path)
    assert "streaks" in result.steps
    assert vnpages.cer(truth, result.text) < 0.006


def test_a_table_rule_into_the_margins_is_not_a_streak():
    """A table's rule running into the margins inks part of them, as a streak does, but in one
    solid run: it stays (taken out, a table's rows were read column by column)."""
    page = np.full((600, 1700), 255, np.uint8)
    page[300:303, 50:1650] = 0
    assert remove_streaks(page, 200) is None
    page[400:402] = np.where(np.random.default_rng(0).random((2, 1700)) < 0.3, 0, 255)
    assert (remove_streaks(page, 200)[400:402] == 255).all()
