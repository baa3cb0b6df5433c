"""Real Tesseract on rendered Vietnamese pages: upright, turned and skewed pages read the same."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import ocr
import vndocs
import vnpages
from ocr import preprocess

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
import degrade  # noqa: E402

OPTIONS = ocr.OcrOptions()
LINES = vnpages.PROSE


def read(path: Path, workdir: Path) -> ocr.PageResult:
    info = ocr.inspect(path, OPTIONS)
    return ocr.read_page(path, info.media_type, 0, True, OPTIONS, workdir)


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return vnpages.render_page(LINES, font="serif")


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_any_quarter_turn_is_read_upright(page, tmp_path, turn):
    path = vnpages.save(page.rotate(turn, expand=True), tmp_path / "page.png")
    result = read(path, tmp_path)
    assert result.rotation == turn  # scan turned counter-clockwise, read after turning it back
    assert vnpages.cer(vnpages.expected_text(LINES), result.text) < 0.01


def test_photographed_id_card_is_read_upright(tmp_path):
    """An upright card photographed on a desk, its page edge lost in the shadow round it: the
    shadow and the photo frame are not lines of text, and must not turn the card over."""
    card = vndocs.render_id_card(new_style=True)
    suffix, data = degrade.encode("phone", degrade.degrade("phone", card, seed=2))
    path = tmp_path / f"card{suffix}"
    path.write_bytes(data)
    result = read(path, tmp_path)
    assert result.rotation == 0 and result.confidence > 0.85
    assert "TRẦN THỊ MAI" in result.text and "Date of birth: 20/11/2003" in result.text


def test_a_wrong_turn_is_caught_by_reading(page, tmp_path, monkeypatch):
    """Lines that look upside down on an upright page: the turned page reads as nonsense, so it
    is read the other way too and the better reading is kept."""
    monkeypatch.setattr(preprocess, "UPRIGHT", math.inf)
    monkeypatch.setattr(preprocess, "UPSIDE_DOWN", math.inf)  # every page looks upside down
    result = read(vnpages.save(page, tmp_path / "page.png"), tmp_path)
    assert result.rotation == 0 and "turn" not in result.steps
    assert vnpages.cer(vnpages.expected_text(LINES), result.text) < 0.01


@pytest.mark.parametrize("angle", [-6.0, -3.0, 2.0, 4.5, 9.0])
def test_skew_is_corrected(page, tmp_path, angle):
    path = vnpages.save(page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white"),
                        tmp_path / "page.png")
    result = read(path, tmp_path)
    assert result.skew == pytest.approx(angle, abs=0.15)
    assert vnpages.cer(vnpages.expected_text(LINES), result.text) < 0.01


def test_words_have_boxes_and_confidences(page, tmp_path):
    result = read(vnpages.save(page, tmp_path / "page.png"), tmp_path)
    assert result.confidence > 0.85
    first = result.words[0]
    assert first.text == "CỘNG" and 0.5 < first.confidence <= 1
    x0, y0, x1, y1 = first.bbox
    assert 0 < x0 < x1 < page.width and 0 < y0 < y1 < page.height / 4
    assert result.pdf is not None and result.pdf.read_bytes().startswith(b"%PDF")


def test_blank_page_is_not_an_error(tmp_path):
    path = vnpages.save(Image.new("RGB", (2480, 3508), "white"), tmp_path / "blank.png")
    result = read(path, tmp_path)
    assert result.text == "" and result.words == []


def test_pdf_page_kinds(tmp_path):
    digital = vnpages.born_digital_pdf(tmp_path / "digital.pdf")
    assert ocr.inspect(digital, OPTIONS).born_digital
    scanned = tmp_path / "scanned.pdf"
    vnpages.render_page(LINES[:3]).save(scanned, "PDF", resolution=300)
    assert [p.scanned for p in ocr.inspect(scanned, OPTIONS).pages] == [True]


@pytest.mark.parametrize("head,media_type", [
    (b"\x89PNG\r\n\x1a\n....", "image/png"), (b"\xff\xd8\xff\xe0", "image/jpeg"),
    (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"), (b"%PDF-1.7", "application/pdf"),
])
def test_sniff_by_bytes(head, media_type):
    assert ocr.sniff(head) == media_type


@pytest.mark.parametrize("head", [b"GIF89a", b"PK\x03\x04", b"<html>", b""])
def test_sniff_refuses_other_types(head):
    with pytest.raises(ocr.UnsupportedMediaType):
        ocr.sniff(head)


@pytest.mark.parametrize("turn,angle", [(0, 0.0), (0, 5.0), (270, -3.0)])
def test_archival_page_shows_the_scan_upright_under_its_words(page, tmp_path, turn, angle):
    """The PDF page draws the scan turned and deskewed; every word's box covers ink."""
    scan = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white").rotate(turn, expand=True)
    result = read(vnpages.save(scan, tmp_path / "page.png"), tmp_path)
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(result.pdf), str(tmp_path / "shown")],
                   check=True)
    shown = Image.open(next(tmp_path.glob("shown*.png"))).convert("L")
    assert abs(shown.width - result.width) <= 2 and abs(shown.height - result.height) <= 2
    words = [w for w in result.words if len(w.text) >= 4][:20]
    for word in words:
        box = np.asarray(shown.crop(tuple(round(v) for v in word.bbox)))
        ink = float((box < 128).mean())
        assert ink > 0.08, f"no ink under {word.text!r} at {word.bbox}"
    text = subprocess.run(["pdftotext", str(result.pdf), "-"], capture_output=True, text=True).stdout
    assert vnpages.cer(vnpages.expected_text(LINES), text) < 0.01
