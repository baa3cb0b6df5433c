"""The benchmark's paper and pen (bench/degrade.py, bench/handwriting.py): yellowed paper is warm,
uneven and the same on every run; digits written by hand stay in the blank left for them."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
import degrade  # noqa: E402
import handwriting  # noqa: E402


def test_yellowed_paper_is_warm_uneven_and_repeatable():
    page, _ = degrade.render_page(3)
    aged = degrade.degrade("yellowed", page, 3)
    paper = np.asarray(aged, dtype=np.float32)[-300:-150, 300:-300]  # below the text, inside the edges
    red, blue = paper[..., 0], paper[..., 2]
    assert red.mean() - blue.mean() > 25
    assert np.percentile(blue, 95) - np.percentile(blue, 5) > 8  # blotches, not a flat tint
    assert degrade.encode("yellowed", aged) == degrade.encode("yellowed", degrade.degrade("yellowed", page, 3))


def test_handwritten_digits_stay_in_their_blank():
    sheet = Image.new("RGB", (800, 300), "white")
    height = 60
    handwriting.write(ImageDraw.Draw(sheet), 100, 200, "2838", height, random.Random(5))
    ink = np.argwhere(np.asarray(sheet.convert("L")) < 200)
    (top, left), (bottom, right) = ink.min(axis=0), ink.max(axis=0)
    assert 100 - 0.3 * height < left and right < 100 + 1.3 * handwriting.width("2838", height)
    assert 200 - 1.4 * height < top and bottom < 200 + 0.3 * height
    assert handwriting.width("2838", height) * 0.6 < right - left
