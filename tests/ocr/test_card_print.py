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


def test_a_hamlets_number_read_stuck_to_its_word_by_a_stop_is_parted_from_it(workdir):
    """Tuning seed 598: a 9-digit card's residence prints "Xóm 10" on its dotted line, and a dot
    of the line read as a stop between them ("Xóm.10"): no place is so spelt."""
    _, ((front, photo), _) = vncards.sample(598)
    assert front.kind == "cmnd-9" and front.side == "front"
    page = read(photo, workdir, "stuck-598")
    assert "Xóm.10" in page.text
    residence = extract("citizen_id_card", [page])["place_of_residence"]
    assert residence.value == front.truth["place_of_residence"] == "Xóm 10, Xã Xuân Hòa, Lập Thạch, Vĩnh Phúc"


def test_a_features_measure_whose_colon_was_read_as_a_dash_is_written_as_printed(workdir):
    """Tuning seed 603: a chip card's back, small in the photo, its features "Nốt ruồi C:1cm
    trên trước đầu mày phải" read with "C-1cm": the measure after the C is a distance, whatever
    its colon was read as."""
    _, (_, (back, photo)) = vncards.sample(603)
    assert back.side == "back"
    page = read(photo, workdir, "measure-603")
    assert "C-1cm" in page.text
    features = extract("citizen_id_card", [page])["identifying_features"]
    assert features.value == back.truth["identifying_features"] == "Nốt ruồi C:1cm trên trước đầu mày phải"



def test_a_place_of_origins_wrapped_line_is_found_under_its_label_whatever_stands_before_it(workdir):
    """Tuning seeds 603 and 601: a chip card's origin wraps to a second line under its label. On
    603 the photo's edge was read as a word of figures ("“48.0.") just before "Quê quán", and on
    601 glare took "e of or" from "Place of origin", leaving a wide gap inside the label: the
    label was taken to start at the mark, or at "igin:", and the second line ("Cần Đước, Long
    An", "Đình, Hà Nội") was cut off as another column's. A label starts at its first word with
    letters, and a word of it read whole stays its own across a gap."""
    for seed, name in ((603, "edge-603"), (601, "gap-601")):
        _, ((front, photo), _) = vncards.sample(seed)
        assert front.kind == "chip-2021" and front.side == "front"
        origin = extract("citizen_id_card", [read(photo, workdir, name)])["place_of_origin"]
        assert origin.value == front.truth["place_of_origin"], seed
