"""An ID card's print read where no QR code or MRZ states its fields (the older 9- and 12-digit
cards always): generated photos from tests/vncards.py, read by real Tesseract. The seeds are
tuning seeds whose photos showed each miss."""

from __future__ import annotations

from pathlib import Path

import pytest

import ocr
import vncards
from ingest.extract import extract

OPTIONS = ocr.OcrOptions()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("card-print")


def read(photo: vncards.Photo, workdir: Path, name: str) -> ocr.PageResult:
    path = workdir / f"{name}.jpg"
    path.write_bytes(photo.jpeg)
    folder = workdir / name
    folder.mkdir(exist_ok=True)
    return ocr.read_page(path, "image/jpeg", 0, True, OPTIONS, folder)


def test_an_old_cards_date_of_issue_in_words_paled_by_glare_is_read_again_on_its_own(workdir):
    """Tuning seed 598: glare over a 9-digit card's back pales "Ngày 09 tháng 06 năm 2005" to
    the guilloche's grey; the card's one threshold kept only "›ãm 2002". The line cut out back
    from its year and made black and white by its own darkest print reads whole."""
    _, ((_, _), (back, photo)) = vncards.sample(598)
    assert back.kind == "cmnd-9" and back.side == "back" and "glare" in photo.notes
    page = read(photo, workdir, "worded-598")
    assert "09 tháng 06 năm 2005" in page.text
    issued = extract("citizen_id_card", [page])["date_of_issue"]
    assert issued.value == back.truth["date_of_issue"] == "2005-06-09" and issued.review  # an old card's print


def test_a_date_with_a_figure_run_into_it_is_read_again_after_its_label(workdir):
    """Tuning seed 586: a 12-digit card's back, "Date, month, year: 22/02/2017" read
    "232/02/2017" (the colon taken for a figure): nine figures, but no date. Read again, cut out
    after its label, it is the date."""
    _, ((_, _), (back, photo)) = vncards.sample(586)
    assert back.kind == "cmnd-12" and back.side == "back"
    page = read(photo, workdir, "run-into-586")
    assert "22/02/2017" in page.text.split()
    assert extract("citizen_id_card", [page])["date_of_issue"].value == back.truth["date_of_issue"] == "2017-02-22"

