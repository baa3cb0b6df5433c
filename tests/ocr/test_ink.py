"""Coloured ink over print (issue 15): seals, incoming-mail stamps and signatures are taken out of
the image Tesseract reads, and the black text under them stays."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

import vnpages
from ocr import cleanup

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
import degrade  # noqa: E402
import otherpages  # noqa: E402


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return np.asarray(vnpages.render_page(vnpages.PROSE * 2, size_pt=11))


@pytest.mark.parametrize("colour", [(115, 55, 170), (40, 70, 190), (200, 25, 35)], ids=["violet", "blue", "red"])
def test_a_thin_stamp_over_text_goes_and_the_text_under_it_stays(page, colour):
    """A rectangular incoming-mail stamp is a thin frame and a few words: far less than 1% of
    the page, and its brightest channel is mid grey, not paper."""
    stamp = otherpages._incoming(np.random.default_rng(7), 300)
    at = (300, 250)
    stamped = degrade._multiply(page.astype(np.float32) / 255, stamp, at, colour, 0.9) * 255
    prepared = cleanup.prepare(np.clip(np.rint(stamped), 0, 255).astype(np.uint8), 300)
    assert "ink" in prepared.steps

    inked = np.zeros(page.shape[:2], bool)
    inked[at[1]:at[1] + stamp.shape[0], at[0]:at[0] + stamp.shape[1]] = stamp > 0.6
    text = cv2.cvtColor(page, cv2.COLOR_RGB2GRAY) < 100
    near_text = cv2.dilate(text.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    gray = np.asarray(prepared.gray)
    assert gray[inked & ~near_text].mean() > 235, "the stamp's own ink must become paper"
    assert gray[inked & text].mean() < 80, "the print under the stamp must stay black"
    assert gray[text & ~inked].mean() < 60
