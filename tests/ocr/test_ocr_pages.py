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
from ocr import _pdf as ocr_pdf
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


def test_a_text_layer_that_lost_its_diacritics_is_not_trusted(tmp_path):
    """Scanner software's hidden layer without marks ("SO GIAO DUC VA DAO TAO"): the page is read
    from its pixels instead; the same text with its marks is used as it is."""
    from search.text import fold
    plain = vnpages.born_digital_pdf(tmp_path / "plain.pdf", [fold(line) for line in LINES])
    assert [p.scanned for p in ocr.inspect(plain, OPTIONS).pages] == [True]
    marked = vnpages.born_digital_pdf(tmp_path / "marked.pdf", LINES)
    assert [p.scanned for p in ocr.inspect(marked, OPTIONS).pages] == [False]


def with_stamped_number(path: Path, number: str, at: tuple[float, float]) -> Path:
    """The PDF with a signature field whose appearance prints ``number`` at ``at`` (points from
    the top left), digit by digit and spaced, as Vietnamese e-office signing tools stamp the
    number and day into a letter when it is signed."""
    import pikepdf
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        height = float(page.mediabox[3])
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        shows = " ".join(f"[({d})] TJ 9 0 Td" for d in number)
        appearance = pikepdf.Stream(pdf, f"BT /F1 12 Tf 0 2 Td {shows} ET".encode(), Type=pikepdf.Name.XObject,
                                    Subtype=pikepdf.Name.Form, BBox=[0, 0, 60, 16],
                                    Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))
        x, y = at
        widget = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Sig, T=pikepdf.String("Signature1"),
            F=4, Rect=[x, height - y - 14, x + 60, height - y + 2], AP=pikepdf.Dictionary(N=appearance), P=page.obj))
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([widget]))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[widget], SigFlags=3)
        pdf.save(path)
    return path


def test_a_number_stamped_by_a_signature_is_part_of_the_born_digital_page(tmp_path):
    digital = vnpages.born_digital_pdf(tmp_path / "letter.pdf", ["Số:          /UBND-VP", *LINES[:4]])
    words, _, _, _ = ocr_pdf.page_words(digital, 0)
    first = [w for w in words if w.line == words[0].line]
    assert [w.text for w in first] == ["Số:", "/UBND-VP"]
    y = first[0].bbox[1]
    words, _, _, _ = ocr_pdf.page_words(with_stamped_number(digital, "507", (first[0].bbox[2] + 4, y)), 0)
    first = [w.text for w in words if w.line == words[0].line]
    assert first == ["Số:", "507", "/UBND-VP"]  # on the label's line, its digits one number


def test_a_pdf_locked_with_an_owner_password_only_is_read(tmp_path):
    import pikepdf
    digital = vnpages.born_digital_pdf(tmp_path / "open.pdf", LINES[:6])
    locked = tmp_path / "owner.pdf"
    with pikepdf.open(digital) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="", owner="chủ sở hữu", allow=pikepdf.Permissions(extract=False)))
    with pikepdf.open(locked) as pdf:
        assert pdf.is_encrypted
    info = ocr.inspect(locked, OPTIONS)
    assert [p.scanned for p in info.pages] == [False]
    page = ocr.read_page(locked, info.media_type, 0, False, OPTIONS, tmp_path)
    assert LINES[0].split()[0] in page.text and page.source == "text-layer"
    with pikepdf.open(digital) as pdf:  # one that needs a password to open is still refused
        pdf.save(tmp_path / "user.pdf", encryption=pikepdf.Encryption(user="mật khẩu", owner="chủ"))
    with pytest.raises(ocr.EncryptedPdf):
        ocr.inspect(tmp_path / "user.pdf", OPTIONS)


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
