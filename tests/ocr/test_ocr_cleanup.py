"""Hard pages read like clean ones: phone photos, seals and signatures, photocopies,
show-through, low resolution. Pages come from bench/degrade.py, generated on the fly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import ocr
import vnpages

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
import degrade  # noqa: E402

OPTIONS = ocr.OcrOptions()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, degrade.Sample]:
    kinds = ["clean", "phone", "stamp", "photocopy", "bleed-through", "200dpi"]
    samples = degrade.evaluation_set(tmp_path_factory.mktemp("pages"), pages_per_kind=1, kinds=kinds)
    return {s.kind: s for s in samples}


def read(sample: degrade.Sample, workdir: Path, options: ocr.OcrOptions = OPTIONS) -> ocr.PageResult:
    info = ocr.inspect(sample.path, options)
    return ocr.read_page(sample.path, info.media_type, 0, True, options, workdir)


@pytest.mark.parametrize("kind,steps,limit", [
    ("phone", {"page", "light"}, 0.01),
    ("stamp", {"ink"}, 0.015),
    ("photocopy", {"specks"}, 0.04),
    ("bleed-through", {"show-through"}, 0.005),
    ("200dpi", {"upscale"}, 0.005),
])
def test_hard_page_is_cleaned_and_read(pages, tmp_path, kind, steps, limit):
    sample = pages[kind]
    result = read(sample, tmp_path)
    assert steps <= set(result.steps), result.steps
    assert vnpages.cer(sample.truth, result.text) < limit


@pytest.mark.parametrize("kind,step", [
    ("phone", "page"), ("phone", "light"), ("stamp", "ink"), ("photocopy", "specks"),
    ("bleed-through", "show-through"),
])
def test_each_step_earns_its_place(pages, tmp_path, kind, step):
    """Without the step, the page it is for reads worse."""
    sample = pages[kind]
    with_step = read(sample, tmp_path)
    without = read(sample, tmp_path, OPTIONS.model_copy(update={"skip_steps": [step]}))
    assert step in with_step.steps and step not in without.steps
    assert vnpages.cer(sample.truth, with_step.text) < vnpages.cer(sample.truth, without.text)


def test_upscaling_earns_its_place(tmp_path):
    path = vnpages.save(vnpages.render_page(dpi=100, size_pt=12, font="sans"), tmp_path / "fax.png")
    info = ocr.inspect(path, OPTIONS)
    with_step = ocr.read_page(path, info.media_type, 0, True, OPTIONS, tmp_path)
    without = ocr.read_page(path, info.media_type, 0, True, OPTIONS.model_copy(update={"skip_steps": ["upscale"]}),
                            tmp_path)
    assert "upscale" in with_step.steps and with_step.dpi == 300
    truth = vnpages.expected_text()
    assert vnpages.cer(truth, with_step.text) < vnpages.cer(truth, without.text)


def test_orientation_without_asking_tesseract(tmp_path):
    """Upside-down and sideways pages are told apart by their text lines: one recognition."""
    page = vnpages.render_page()
    for turn in (180, 90, 270):
        path = vnpages.save(page.rotate(turn, expand=True), tmp_path / f"turned-{turn}.png")
        result = ocr.read_page(path, "image/png", 0, True, OPTIONS, tmp_path)
        assert result.rotation == turn and "turn" in result.steps
        assert not list(tmp_path.glob("*r-text*"))  # no second reading of a flipped copy


def test_clean_page_is_left_alone(pages, tmp_path):
    result = read(pages["clean"], tmp_path)
    assert result.steps == []
    assert vnpages.cer(pages["clean"].truth, result.text) < 0.002


def test_seal_is_dropped_for_reading_but_kept_in_the_archival_page(pages, tmp_path):
    result = read(pages["stamp"], tmp_path)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(result.pdf), str(tmp_path / "shown")], check=True)
    shown = np.asarray(Image.open(next(tmp_path.glob("shown*.png"))).convert("RGB")).astype(int)
    red = (shown[..., 0] > 150) & (shown[..., 1] < 110) & (shown[..., 2] < 110)
    assert red.sum() > 50, "the red seal must stay in the archival copy"


def test_photo_page_is_cut_out_for_the_archival_copy(pages, tmp_path):
    result = read(pages["phone"], tmp_path)
    subprocess.run(["pdfinfo", str(result.pdf)], check=True, capture_output=True)
    width, height = result.width * 72 / result.dpi, result.height * 72 / result.dpi
    assert 0.6 < width / height < 0.8  # a portrait page, not the landscape-ish photo frame
    text = subprocess.run(["pdftotext", "-raw", str(result.pdf), "-"], capture_output=True, text=True).stdout
    assert vnpages.cer(pages["phone"].truth, text) < 0.01


def test_low_confidence_words_are_marked_for_review(pages, tmp_path):
    result = read(pages["photocopy"], tmp_path)
    marked = [w for w in result.words if w.review]
    assert marked and all(w.confidence < OPTIONS.review_confidence for w in marked)
    assert all(not w.review for w in result.words if w.confidence >= OPTIONS.review_confidence)
