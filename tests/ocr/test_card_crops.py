"""A photo cut to the card's edges (a phone's document mode, a scanner's crop, a clerk's) is the
card: the finder sees no card in it, or a box printed on it, and it used to be read as a page.
A page of a form that has the card's shape and asks for a card's fields is not taken for one.
Real Tesseract; cards from tests/vncards.py."""

from __future__ import annotations

import io
import random
import tempfile
from pathlib import Path

import pytest
from PIL import Image

import ocr
import vncards
import vnpages
from ingest import capture
from ingest.classify import classify
from ingest.extract import extract


def cut(seed: int, side: int, turn: int = 0) -> tuple[vncards.CardImage, Image.Image]:
    """The card alone, 150 pixels to the inch, as a crop of a phone photo would be."""
    card = vncards.sample(seed)[1][side][0]
    image = card.image.convert("RGB")
    image = image.resize((image.width // 4, image.height // 4), Image.LANCZOS)
    return card, image.rotate(turn, expand=True) if turn else image


def read(image: Image.Image) -> ocr.PageResult:
    work = Path(tempfile.mkdtemp())
    image.save(work / "photo.jpg", quality=85)
    return ocr.read_page(work / "photo.jpg", "image/jpeg", 0, True, ocr.OcrOptions(), work)


@pytest.mark.parametrize("seed,side,turn,code", [
    (3, 0, 0, "qr"),  # a chip card's front: no card found in it
    (4, 1, 90, "mrz"),  # its back, standing: the finder took the fingerprints' box for the card
    (2, 0, 0, None),  # a 9-digit card's front, no code to read
    (2, 1, 180, None),  # and its back, upside down
])
def test_a_photo_cut_to_the_cards_edges_is_read_as_the_card(seed, side, turn, code):
    card, image = cut(seed, side, turn)
    page = read(image)
    assert "card" in page.steps and [c.kind for c in page.codes] == ([code] if code else [])
    assert classify([page]) == "citizen_id_card"
    fields = extract("citizen_id_card", [page])
    assert {name: fields[name].value for name in card.truth if name in fields} == card.truth


def test_a_form_of_the_cards_shape_asking_for_its_fields_is_read_as_a_page():
    lines = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ",
             "Họ và tên: Nguyễn Văn Bình", "Ngày sinh: 12/03/1990", "Quê quán: Xã Tân Lập, Đan Phượng, Hà Nội",
             "Nơi thường trú: Số 8 Trần Thái Tông, Cầu Giấy, Hà Nội"]
    form = vnpages.render_page(lines, dpi=200, width_in=8.27, height_in=8.27 / 1.586)
    page = read(form)
    assert "card" not in page.steps
    assert "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ" in page.text and "Nguyễn Văn Bình" in page.text


def test_the_white_band_of_a_backs_mrz_cut_to_the_card_is_not_told_as_glare():
    """A 2024 card's back cut to its edges (bench/cards.py --cut, tuning seed 29): the band its MRZ
    is printed on is as white and bare at its edges as glare; the MRZ read whole, nothing is lost
    and the clerk is not told to take the photo again for it."""
    card = vncards.sample(29)[1][1][0]
    photo = vncards.cut(card, random.Random(2 * 29 + 1))
    page = read(Image.open(io.BytesIO(photo.jpeg)))
    [code] = page.codes
    assert code.kind == "mrz" and code.valid and page.capture.glare  # the band's edges look like glare
    fields = extract("citizen_id_card", [page])
    told = capture.report("citizen_id_card", "image/jpeg", [page], fields)
    assert not any(p.kind == "glare" for p in told.problems), told
