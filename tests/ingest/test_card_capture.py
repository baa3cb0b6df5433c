"""How well an ID card was photographed, judged on real photos read by real Tesseract: glare over a
field puts it to review and names it, a clean photo is told nothing, a card far away is too small,
a smeared one is blurred, a photo with no card in it says so. Photos come from tests/vncards.py
(seed 0's front: an old 12-digit card with no code to confirm its print, on wood, whose holder's
photo has a white background as even as glare); glare and blur are laid on them here, where the
layout puts the name."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

import ocr
import vncards
from ingest import capture
from ingest.classify import classify
from ingest.extract import extract
from ingest.extract.card import GLARE

NAME_MM = (50.0, 28.5)  # the last words of the name on the front of a 12-digit card (vncards._front)
GLARE_MM = (8.0, 2.2)  # the glare's half axes: over the name's last word, short of the lines around it


@lru_cache(maxsize=None)
def clean_front() -> vncards.Photo:
    card, photo = vncards.sample(0)[1][0]
    assert card.kind == "cmnd-12" and card.side == "front" and "glare" not in photo.notes
    return photo


def _jpeg(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=90)
    return out.getvalue()


def _pixels(jpeg: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("capture")


def read(jpeg: bytes, workdir: Path, name: str):
    """The photo read as a worker reads it: the page, its type, its fields, the capture report."""
    path = workdir / f"{name}.jpg"
    path.write_bytes(jpeg)
    (workdir / name).mkdir(exist_ok=True)
    page = ocr.read_page(path, "image/jpeg", 0, True, ocr.OcrOptions(), workdir / name)
    doc_type = classify([page])
    fields = extract(doc_type, [page])
    return page, doc_type, fields, capture.report(doc_type, "image/jpeg", [page], fields)


def test_glare_over_the_name_puts_it_to_review_and_tells_the_clerk_to_retake(workdir):
    page, doc_type, fields, report = read(vncards.glare_at(clean_front(), NAME_MM, GLARE_MM), workdir, "glare")
    assert doc_type == "citizen_id_card" and page.capture.glare
    name = fields["full_name"]
    # The glare took the last letters of the name: what is left reads as a name, and nothing else
    # on this card (no QR code) can confirm it.
    assert name.value != "VŨ THỊ HỒNG OANH"
    assert name.review and name.problem == GLARE and name.confidence < 0.7
    assert report.retake
    [problem] = report.problems
    assert problem.kind == "glare" and problem.zones == ["full_name"]
    assert problem.text.startswith("glare over the full name")
    # What the glare did not reach is read and given as before.
    assert fields["citizen_id"].value == "040187792518" and not fields["citizen_id"].review


def test_a_clean_photo_is_told_nothing_though_the_holders_photo_is_as_white_as_glare(workdir):
    page, doc_type, fields, report = read(clean_front().jpeg, workdir, "clean")
    assert doc_type == "citizen_id_card"
    assert page.capture.pixels_per_mm > 20 and not page.capture.too_small and not page.capture.blurred
    assert report.problems == [] and not report.retake
    assert fields["full_name"].value == "VŨ THỊ HỒNG OANH" and not fields["full_name"].review


def test_a_chip_cards_qr_code_makes_up_for_glare_over_its_nationality(workdir):
    """Seed 25's front, a chip card: glare took the start of "Việt Nam" (read "ệt Nam"); the QR
    code, a Vietnamese citizen's, gives the nationality surely, and nothing is left to retake."""
    card, photo = vncards.sample(25)[1][0]
    assert card.kind == "chip-2021" and "glare" not in photo.notes
    page, _, fields, report = read(vncards.glare_at(photo, (66.0, 36.0), (6.0, 2.0)), workdir, "chip")
    assert page.capture.glare and any(c.kind == "qr" for c in page.codes)
    assert fields["nationality"].value == "Việt Nam" and not fields["nationality"].review
    assert fields["full_name"].value == card.truth["full_name"]
    assert not report.retake


def test_a_card_far_away_is_too_small_to_read(workdir):
    pixels = _pixels(clean_front().jpeg)
    small = cv2.resize(pixels, None, fx=0.2, fy=0.2, interpolation=cv2.INTER_AREA)  # about 4.8 px/mm
    page, _, _, report = read(_jpeg(small), workdir, "small")
    assert page.capture.too_small and page.capture.pixels_per_mm < 5.5
    assert report.retake and report.problems[0].kind == "too_small"
    assert "come closer" in report.problems[0].text


def test_a_smeared_photo_is_blurred(workdir):
    pixels = _pixels(clean_front().jpeg)
    smeared = cv2.GaussianBlur(pixels, (0, 0), 0.35 * 24)  # 0.35 mm of the card at its 24 px/mm
    page, _, _, report = read(_jpeg(smeared), workdir, "smeared")
    assert page.capture.blurred and not page.capture.too_small
    assert report.retake and [p.kind for p in report.problems] == ["blurred"]


def test_a_card_on_white_paper_not_found_is_said_and_its_qr_code_spares_a_retake(workdir):
    """Seed 181's front: a pale 2024 card on white paper under glare, in a photo a chat app shrank,
    which the finder does not cut out; the photo is read as a page and its QR code still gives
    the card's fields."""
    card, photo = vncards.sample(181)[1][0]
    page, doc_type, fields, report = read(photo.jpeg, workdir, "not-found")
    assert page.capture is None and "card" not in page.steps
    assert doc_type == "citizen_id_card" and fields["citizen_id"].value == card.truth["citizen_id"]
    assert [p.kind for p in report.problems] == ["card_not_found"] and not report.retake
    unread = ocr.PageResult(page.number, page.source, page.width, page.height, page.dpi, words=page.words)
    assert capture.report("citizen_id_card", "image/jpeg", [unread], fields).retake  # no code: take it again
    assert capture.report("citizen_id_card", "application/pdf", [page], fields) is None  # a scan: no photo
