"""ID cards in phone photos, read by real Tesseract: the card found and flattened, turned upright,
its QR code and MRZ read and checked. Cards and photos come from tests/vncards.py, each drawn
from a seed (the seeds below were picked for photos that read well and were checked by hand)."""

from __future__ import annotations

import io
import random
import sys
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageOps

import ocr
import othercards
import vncards
import vndocs
import vnpages
import zxingcpp
from ingest.classify import classify
from ingest.extract import extract
from ocr import card, cardplace, engine, mrz
from ocr.sources import exif_orientation, load_page

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
import scans  # noqa: E402

OPTIONS = ocr.OcrOptions()
CLOSE = 0.015  # of the card's diagonal: how far a found corner may be from the true one


@lru_cache(maxsize=None)
def sample(seed: int):
    return vncards.sample(seed)


@lru_cache(maxsize=None)
def front(seed: int) -> tuple[vncards.Citizen, vncards.CardImage, vncards.Photo]:
    """The front of ``sample(seed)`` alone, at half the cost: the same draws, the back left out."""
    rng = random.Random(seed)
    kind = rng.choices(vncards.KINDS, weights=(45, 25, 15, 15))[0]
    c = vncards.citizen(rng, kind)
    side = vncards.render(c, kind, "front", rng)
    return c, side, vncards.photograph(side, rng)


def side(seed: int, which: str) -> tuple[vncards.CardImage, vncards.Photo]:
    if which == "front":
        return front(seed)[1:]
    return sample(seed)[1][1]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cards")


_read: dict[tuple[str, bytes], ocr.PageResult] = {}


def read(jpeg: bytes, workdir: Path, name: str) -> ocr.PageResult:
    """The photo read as HoSo's workers read a page (once per module for the same bytes)."""
    if (name, jpeg) not in _read:
        path = workdir / f"{name}.jpg"
        path.write_bytes(jpeg)
        folder = workdir / name
        folder.mkdir(exist_ok=True)
        _read[name, jpeg] = ocr.read_page(path, "image/jpeg", 0, True, OPTIONS, folder)
    return _read[name, jpeg]


def shown(jpeg: bytes) -> np.ndarray:
    """The photo's pixels as a viewer shows them (the EXIF turn applied, by Pillow)."""
    return np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(jpeg))).convert("RGB"))


def corner_error(found: np.ndarray, truth: list[tuple[float, float]]) -> tuple[int, float]:
    """(roll, error): the order of the true corners that ``found`` matches best (0, or 2 for a card
    whose way up is not decided yet) and the largest distance of a corner, in card diagonals."""
    truth = np.float32(truth)
    diagonal = float(np.linalg.norm(truth[0] - truth[2]))
    errors = {roll: float(np.linalg.norm(np.roll(truth, -roll, axis=0) - found, axis=1).max()) / diagonal
              for roll in (0, 2)}
    roll = min(errors, key=errors.get)
    return roll, errors[roll]


def fields_of(page: ocr.PageResult) -> dict[str, str]:
    return {name: f.value for name, f in extract("citizen_id_card", [page]).items()}


# --- Finding the card ------------------------------------------------------------------------------

@pytest.mark.parametrize("seed,which,what", [
    (25, "front", "wood, upright"),
    (25, "back", "cloth, upright"),
    (1, "back", "cloth, upside down, tilted 29°"),
    (0, "front", "wood, upside down, perspective"),
    (6, "back", "wood, sideways, stored sideways with EXIF orientation 8"),
    (22, "front", "white paper, sideways, shadow and glare"),
    (14, "back", "cloth, upright, tilted 35°, shadow, chat-app size"),
    (47, "front", "wood, in perspective, turned by its orientation tag"),
])
def test_the_card_is_found_where_it_lies(seed, which, what):
    side_, photo = side(seed, which)
    assert what.split(",")[0].split()[-1] in photo.notes  # the background: wood, cloth or paper
    if "EXIF" in what:
        assert photo.exif_orientation == 8
    if "upside down" in what:
        assert photo.rotation == 180
    pixels = shown(photo.jpeg)  # width and height are the stored pixels'; the corners are where they are shown
    assert pixels.shape[:2] == ((photo.height, photo.width) if photo.exif_orientation in (1, 3)
                                else (photo.width, photo.height))
    found = card.find(pixels)
    assert found is not None, what
    _, error = corner_error(found.corners, photo.corners)
    assert error <= CLOSE, f"{what}: a corner is {error:.2%} of the diagonal away"
    # The long side first, whichever way up: corners 0-1 and 2-3 are the long sides.
    long_side = np.linalg.norm(found.corners[1] - found.corners[0])
    assert long_side > 1.4 * np.linalg.norm(found.corners[2] - found.corners[1])


@pytest.mark.parametrize("seed,which", [(175, "back"), (131, "front")])
def test_a_pale_card_on_white_paper_in_uneven_light_is_outlined_by_its_edges(workdir, seed, which):
    """Tuning seeds 175 (a back) and 131 (a front a chat app shrank, in the phone's shadow): a
    pale chip card on white paper, whose light falls off across the frame by more than the card
    differs from the paper, so that every mask of colour or lightness joins a shaded corner of
    the frame to the card. Its own edges outline it, and it is read."""
    c, sides = sample(seed)
    side_, photo = sides[0 if which == "front" else 1]
    assert "paper" in photo.notes and side_.kind == "chip-2021"
    found = card.find(shown(photo.jpeg))
    assert found is not None
    assert corner_error(found.corners, photo.corners)[1] <= CLOSE
    page = read(photo.jpeg, workdir, f"paper-{which}-{seed}")
    assert page.steps[0] == "card" and classify([page]) == "citizen_id_card"
    fields = fields_of(page)
    assert fields["citizen_id"] == c.citizen_id  # from the front's QR code, from the back's MRZ
    printed = "full_name" if which == "front" else "date_of_issue"  # print only the side states
    assert fields[printed] == side_.truth[printed]


@pytest.mark.parametrize("seed,which", [(203, "front"), (38, "back")])
def test_a_quadrilateral_whose_sides_are_not_on_edges_gives_way_to_the_cards_outline(seed, which):
    """Tuning seeds 203 and 38: pale cards on white paper under glare, where a mask of the
    background's distance outlines the card with a shaded stretch of paper joined to it (a corner
    13% and 5% of the diagonal off). That quadrilateral fits a card's shape well, but a side of it
    lies on no edge; the card's own edges outline it exactly."""
    side_, photo = side(seed, which)
    assert "paper" in photo.notes and "glare" in photo.notes
    found = card.find(shown(photo.jpeg))
    assert found is not None
    assert corner_error(found.corners, photo.corners)[1] <= CLOSE


@pytest.mark.parametrize("seed,which", [(189, "front"), (59, "back")])
def test_of_two_quadrilaterals_the_one_whose_sides_lie_on_edges_is_the_card(seed, which):
    """Tuning seeds 189 (cloth) and 59 (wood), in shadow and glare: one mask outlines the card,
    another the card with a shadow joined to it, 11% and 6% of the diagonal off, and that one
    fits a card's shape a little better. Its sides do not all lie on edges; the card's do."""
    side_, photo = side(seed, which)
    assert {"shadow", "glare"} <= set(photo.notes)
    found = card.find(shown(photo.jpeg))
    assert found is not None
    assert corner_error(found.corners, photo.corners)[1] <= CLOSE


def test_an_outline_cut_short_where_the_cards_edge_broke_is_no_card():
    """Tuning seed 64's back: a 2024 card on white paper, in shadow, glare across it. Its edges
    break apart, and the hull of the larger group is the card cut short, 3.6% of the diagonal
    off, with the rest of the card's print just outside one side: no card rather than a wrong one."""
    side_, photo = side(64, "back")
    assert "paper" in photo.notes and "glare" in photo.notes
    found = card.find(shown(photo.jpeg))
    assert found is None or corner_error(found.corners, photo.corners)[1] <= CLOSE


@pytest.mark.parametrize("seed,which,what", [
    (22, "front", "held in fingers over its edge on a dark desk: the hand joins the card's region"),
    (29, "back", "on a checked cloth, held in fingers: light checks join the card's region"),
    (39, "back", "on a dark desk, the phone held at a slant: the near side 1.3 times the far side"),
])
def test_a_card_printed_and_photographed_another_way_is_found(seed, which, what):
    """Photos of tests/othercards.py, which HoSo was not first built on: each needs one of the
    finder's later paths (trimming off the hand, the coarse masks, the slant allowed)."""
    _, pairs = othercards.sample(seed)
    _, photo = pairs[("front", "back").index(which)]
    found = card.find(shown(photo.jpeg))
    assert found is not None, what
    _, error = corner_error(found.corners, photo.corners)
    assert error <= 2 * CLOSE, f"{what}: a corner is {error:.2%} of the diagonal away"


@pytest.mark.parametrize("seed,which", [(6, "back"), (67, "back"), (24, "back")])
def test_a_card_on_a_checked_cloth_is_found_where_the_cloth_is_seen_as_one_colour(seed, which):
    """Tuning photos of tests/othercards.py on a checked cloth (24's held in fingers), whose light
    squares are as light and pale as the card and join its region in every mask of colour: the
    photo blurred to the checks' repeat separates the card, roughly (seed 6's quadrilateral is then
    2.4% of the diagonal off), and its sides moved onto the card's edges place it exactly."""
    _, pairs = othercards.sample(seed)
    _, photo = pairs[("front", "back").index(which)]
    assert "checks" in photo.notes
    found = card.find(shown(photo.jpeg))
    assert found is not None
    assert corner_error(found.corners, photo.corners)[1] <= CLOSE


def test_a_rough_outline_on_a_checked_cloth_whose_sides_lie_on_no_edge_is_no_card():
    """Tuning seed 25's back on a checked cloth under a sheen: the blurred photo outlines the card
    with the sheen's edge, 14% of the diagonal off, and no side moved a little lies on the card's
    edge all along: no card rather than a wrong one."""
    _, pairs = othercards.sample(25)
    photo = pairs[1][1]
    assert {"checks", "sheen"} <= set(photo.notes)
    found = card.find(shown(photo.jpeg))
    assert found is None or corner_error(found.corners, photo.corners)[1] <= 2 * CLOSE


def test_a_card_on_a_printed_form_is_found_with_the_forms_print_taken_away():
    """Tuning seed 6's front on the citizen's application form: the form's print differs from the
    paper more than the card's pale guilloche does, so every mask of colour joins the print to
    the card. Closed over, the print is gone and the card stands out from even paper; the print
    the closing joins to it beside its sides is left behind as the sides are moved onto its edges."""
    _, pairs = othercards.sample(6)
    photo = pairs[0][1]
    assert "form" in photo.notes
    found = card.find(shown(photo.jpeg))
    assert found is not None
    assert corner_error(found.corners, photo.corners)[1] <= CLOSE


def test_rectangles_printed_on_a_card_are_not_taken_for_it():
    """A card filling most of the frame on a printed form: the outlines of edges join its
    fingerprint boxes to the print beside it; trimmed, they would be a card of their own."""
    _, pairs = othercards.sample(17)
    photo = pairs[1][1]
    assert "form" in photo.notes
    found = card.find(shown(photo.jpeg))
    assert found is None or corner_error(found.corners, photo.corners)[1] <= 2 * CLOSE


def test_the_hand_holding_a_card_is_trimmed_off_its_region():
    """A card's region joined by a finger reaching in from the frame's edge: what is left is
    the card, clear of the edge, about its own area."""
    region = np.zeros((600, 800), np.uint8)
    region[150:400, 200:600] = 255  # the card, 400 × 250
    cv2.fillPoly(region, [np.int32([(0, 520), (0, 600), (90, 600), (280, 380), (240, 350)])], 255)  # the finger
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    assert card._touches(contours[0], region.shape)
    trimmed = card._trimmed(contours[0], region.shape)
    assert not card._touches(trimmed, region.shape)
    assert 0.93 * 400 * 250 <= cv2.contourArea(trimmed) <= 1.01 * 400 * 250


def test_a_card_drawn_on_a_page_and_a_blank_page_are_no_card():
    page = np.asarray(vndocs.render_id_card().convert("RGB"))  # the card's outline on white paper
    assert card.find(page) is None
    assert card.find(np.full((3000, 4000, 3), 255, np.uint8)) is None
    assert card.find(np.full((3000, 4000), 255, np.uint8)) is None  # grey pixels too


def test_a_typed_page_scanned_on_a_flatbed_is_plain_paper_to_the_finder():
    """A page of print is told from a photo that may hold a card before the finder's masks are
    made: on this one, a paragraph framed by a rule, they outline a quadrilateral of a card's
    proportions, which is no card."""
    page = vnpages.render_page(dpi=300, size_pt=11, font="sans").convert("RGB")
    ImageDraw.Draw(page).rectangle((250, 400, 1850, 400 + round(1600 / card.RATIO)), outline="black", width=6)
    scan = np.asarray(scans.flatbed(page, 3, angle=0.8))
    assert card.find_anywhere(scan) is not None
    assert card.plain_page(scan)
    assert card.find(scan) is None
    assert card.plain_page(np.asarray(ImageOps.grayscale(Image.fromarray(scan))))


@pytest.mark.parametrize("seed,kind,which,grey", [
    (2, "chip-2021", "front", False), (3, "card-2024", "back", False),
    (4, "cmnd-12", "front", True), (5, "cmnd-9", "back", True),
])
def test_a_card_scanned_on_a_flatbed_among_typed_text_is_found(seed, kind, which, grey):
    """A card laid on an A4 page of typed text on a flatbed, its true size at 300 dpi (2% of the
    frame is the least the finder takes; this is 7%): not plain paper, and found where it lies."""
    rng = random.Random(seed)
    side_ = vncards.render(vncards.citizen(rng, kind), kind, which, rng, dpi=300).image
    sheet = vnpages.render_page(dpi=300, size_pt=12, font="serif").convert("RGB")
    x, y = 400 + 60 * seed, 900 + 100 * seed
    sheet.paste((255, 255, 255), (0, y - 80, sheet.width, y + side_.height + 80))
    sheet.paste(side_, (x, y))
    scan = np.asarray(scans.flatbed(ImageOps.grayscale(sheet).convert("RGB") if grey else sheet, seed, angle=0.0))
    scan = scan[..., 0] if grey else scan  # a grey scan: one channel
    assert not card.plain_page(scan)
    found = card.find(scan)
    assert found is not None
    # A card's white edge on white paper is found less exactly than on a desk (a back: 4% off).
    truth = [(x, y), (x + side_.width, y), (x + side_.width, y + side_.height), (x, y + side_.height)]
    assert corner_error(found.corners, truth)[1] <= 0.05


def test_two_cards_in_one_picture_are_read_as_a_page():
    noise = np.random.default_rng(7)

    def desk(*places: tuple[int, int]) -> np.ndarray:
        image = np.empty((1500, 2000, 3), np.float32)
        image[:] = (120, 78, 46)
        image += noise.normal(0, 4, image.shape)
        for x, y in places:  # a light card, 600 × 378 px: ID-1 proportions
            image[y:y + 378, x:x + 600] = (236, 238, 230)
        return np.clip(image, 0, 255).astype(np.uint8)

    one = card.find(desk((200, 300)))
    assert one is not None
    truth = [(200, 300), (801, 300), (801, 679), (200, 679)]  # pixel edges: the last column ends at 801
    assert corner_error(one.corners, truth)[1] <= 2 * CLOSE  # that card, whatever the precision
    assert card.find(desk((200, 300), (1100, 800))) is None


# --- EXIF orientation ------------------------------------------------------------------------------

# What each EXIF orientation (TIFF/EXIF tag 274) asks a viewer to do with the stored pixels.
SHOW = {1: lambda a: a, 2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
        5: lambda a: a.transpose(1, 0, 2), 6: lambda a: np.rot90(a, -1),  # 6: a quarter turn clockwise
        7: lambda a: a.transpose(1, 0, 2)[::-1, ::-1], 8: lambda a: np.rot90(a, 1)}
STORED = np.arange(5 * 3 * 3, dtype=np.uint8).reshape(5, 3, 3) * 5  # every pixel differs


def _tagged(path: Path, orientation: int, **save) -> Path:
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(STORED).save(path, exif=exif, **save)
    return path


@pytest.mark.parametrize("orientation", range(1, 9))
def test_load_page_turns_pixels_as_exif_says(tmp_path, orientation):
    path = _tagged(tmp_path / f"o{orientation}.png", orientation)
    with Image.open(path) as image:
        assert exif_orientation(image) == orientation
    with Image.open(path) as image:
        shown_by_pillow = np.asarray(ImageOps.exif_transpose(image))
    loaded, _ = load_page(path, "image/png", 0, OPTIONS)
    assert np.array_equal(shown_by_pillow, SHOW[orientation](STORED))
    assert loaded.shape == shown_by_pillow.shape and np.array_equal(loaded, shown_by_pillow)
    jpeg = _tagged(tmp_path / f"o{orientation}.jpg", orientation, quality=95)
    with Image.open(jpeg) as image:
        shown_by_pillow = np.asarray(ImageOps.exif_transpose(image))
    loaded, _ = load_page(jpeg, "image/jpeg", 0, OPTIONS)
    assert loaded.shape == shown_by_pillow.shape and np.array_equal(loaded, shown_by_pillow)


def test_a_tiff_with_an_orientation_tag_is_turned_once(tmp_path):
    wrong = []
    for orientation in range(2, 9):
        path = _tagged(tmp_path / f"o{orientation}.tif", orientation)
        loaded, _ = load_page(path, "image/tiff", 0, OPTIONS)
        if loaded.shape != SHOW[orientation](STORED).shape or not np.array_equal(loaded, SHOW[orientation](STORED)):
            wrong.append(orientation)
    assert wrong == []


def test_a_photo_stored_sideways_with_an_exif_tag_reads_as_shown(workdir):
    side_, photo = side(6, "back")
    assert photo.exif_orientation == 8 and side_.kind == "cmnd-12"
    path = workdir / "exif-8.jpg"
    path.write_bytes(photo.jpeg)
    loaded, _ = load_page(path, "image/jpeg", 0, OPTIONS)
    # Stored landscape, shown portrait: the corners the photo was drawn with are where a viewer sees the card.
    assert loaded.shape == (photo.width, photo.height, 3)
    assert np.array_equal(loaded, shown(photo.jpeg))
    found = card.find(loaded)
    assert found is not None and corner_error(found.corners, photo.corners)[1] <= CLOSE

    page = read(photo.jpeg, workdir, "exif-8")
    assert page.steps[0] == "card" and (page.width, page.height) == (1712, 1080)
    assert fields_of(page) == side_.truth == {"date_of_issue": "2016-10-25",
                                              "identifying_features": "Sẹo C:3cm sau gò má phải"}


# --- The QR code of a chip card's front ------------------------------------------------------------

def test_a_chip_cards_qr_code_is_read_exactly_and_the_page_is_the_flattened_card(workdir):
    c, side_, photo = front(25)
    assert side_.kind == "chip-2021" and photo.rotation == 0
    page = read(photo.jpeg, workdir, "front-25")
    assert page.steps == ["card"] and (page.width, page.height) == (1712, 1080)
    [code] = page.codes
    assert code.kind == "qr" and code.valid and code.text == side_.qr == vncards.qr_payload(c)
    assert c.full_name.split()[0] in code.text.upper() and any(ord(ch) > 127 for ch in code.text)
    x0, y0, x1, y1 = code.bbox  # top right on an upright card
    assert x0 > page.width / 2 and y1 < page.height / 2
    assert classify([page]) == "citizen_id_card"
    fields = extract("citizen_id_card", [page])
    # The print's fields, and the date of issue the QR code states besides (the front does not print it).
    assert {n: f.value for n, f in fields.items()} == side_.truth | {"date_of_issue": c.date_of_issue.isoformat()}
    for name in ("citizen_id", "full_name", "date_of_birth", "sex", "place_of_residence", "old_id_number"):
        assert fields[name].confidence == 1.0 and not fields[name].review, name
    assert fields["date_of_issue"].confidence == 1.0 and fields["date_of_issue"].bbox == code.bbox

    with pikepdf.open(page.pdf) as pdf:
        assert len(pdf.pages) == 1
        mediabox = [float(v) for v in pdf.pages[0].mediabox]
        assert mediabox[2] - mediabox[0] == pytest.approx(242.6, abs=3)  # 85.6 mm
        assert mediabox[3] - mediabox[1] == pytest.approx(153.0, abs=3)  # 54 mm
        [image] = pdf.pages[0].get_images().values()
        assert (int(image.Width), int(image.Height)) == (1712, 1080)
        assert image.ColorSpace == pikepdf.Name.DeviceRGB and image.Filter == pikepdf.Name.DCTDecode


# --- The MRZ of a card's back, and turning --------------------------------------------------------

def test_a_chip_cards_mrz_is_read_and_checked_and_the_upside_down_card_turned(workdir):
    c, sides = sample(1)
    side_, photo = sides[1]
    assert side_.kind == "chip-2021" and side_.side == "back" and photo.rotation == 180
    page = read(photo.jpeg, workdir, "back-1")
    assert page.steps == ["card", "turn"]
    [code] = page.codes
    assert code.kind == "mrz" and code.valid and code.problems == ()
    zone = mrz.parse(code.text.split("\n"))
    assert zone is not None and zone.valid and zone.issuer == "VNM"
    assert zone.document_number.value == c.citizen_id[3:] and zone.optional[:12] == c.citizen_id
    assert zone.birth.value == c.date_of_birth.strftime("%y%m%d")
    assert zone.expiry.value == c.date_of_expiry.strftime("%y%m%d")
    assert zone.sex == {"Nam": "M", "Nữ": "F"}[c.sex]
    assert c.full_name == "LỤC CÔNG THẾ THỊNH"
    assert zone.surname == "LUC" and zone.given_names.startswith("CONG THE")  # a filler may be read as K
    assert code.bbox[1] > page.height / 2  # at the bottom of the card, once turned
    assert "IDVNM" not in page.text and "<<" not in page.text  # the zone is in its code, not in the print
    assert classify([page]) == "citizen_id_card"
    fields = extract("citizen_id_card", [page])
    assert {n: f.value for n, f in fields.items()} == {**side_.truth, "nationality": "Việt Nam"}  # the MRZ's VNM
    assert not any(f.review for f in fields.values())


def test_a_crop_tesseract_dies_on_leaves_the_zone_unread_and_the_card_read(workdir):
    """Tesseract 5 stops on a floating-point trap when the MRZ alphabet is asked of one crop of
    this photo (the second maker's 9-digit front, the title over the seal): the page must still
    be read, the zone left unread."""
    c, [(side_, photo), _] = othercards.sample(350)
    assert side_.kind == "cmnd-9" and side_.side == "front"
    page = read(photo.jpeg, workdir, "dies-350")
    assert page.codes == [] and "card" in page.steps
    assert classify([page]) == "citizen_id_card"
    fields = extract("citizen_id_card", [page])
    assert fields["citizen_id"].value == c.citizen_id


def test_an_upside_down_card_without_codes_is_turned_by_its_print(workdir):
    c, side_, photo = front(0)
    assert side_.kind == "cmnd-12" and photo.rotation == 180 and not side_.qr
    page = read(photo.jpeg, workdir, "front-0")
    assert page.steps == ["card", "turn"] and page.codes == []
    assert c.full_name in page.text
    fields = extract("citizen_id_card", [page])
    assert {n: f.value for n, f in fields.items()} == side_.truth


@pytest.mark.parametrize("turn", [0, 180])
def test_a_flat_back_on_a_plain_desk_either_way_up(workdir, turn):
    """No photo's noise, glare or perspective: the card's back as printed, laid on a dark desk."""
    rng = random.Random(0)
    c = vncards.citizen(rng, "chip-2021")
    back = vncards.render(c, "chip-2021", "back", rng)
    desk = Image.new("RGB", (2400, 1800), (70, 52, 40))
    desk.paste(back.image.resize((1712, 1080), Image.Resampling.LANCZOS).rotate(turn), (344, 360))
    buffer = io.BytesIO()
    desk.save(buffer, "JPEG", quality=92)
    page = read(buffer.getvalue(), workdir, f"flat-back-{turn}")
    assert page.steps == ["card"] + (["turn"] if turn else [])
    assert [(code.kind, code.valid) for code in page.codes] == [("mrz", True)]
    assert mrz.parse(page.codes[0].text.split("\n")).optional[:12] == c.citizen_id


# --- ocr.mrz: the TD1 zone put right by its check digits ------------------------------------------

ICAO = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]


def test_check_digits():
    assert mrz.check_digit("L898902C3") == "6" and mrz.check_digit("740812") == "2"
    assert mrz.check_digit("120415") == "9" and mrz.check_digit("D23145890") == "7"
    assert mrz.check_digit("<<<") == "0"
    for text in ("001090012345", "AB<12", "090012345"):
        assert mrz.check_digit(text) == vncards.check_digit(text)


def test_the_icao_td1_specimen():
    zone = mrz.parse(ICAO)
    assert zone.valid and zone.composite and zone.problems == []
    assert (zone.document_code, zone.issuer, zone.nationality) == ("I<", "UTO", "UTO")
    assert zone.document_number == mrz.Checked("D23145890", True)
    assert zone.birth == mrz.Checked("740812", True) and zone.expiry == mrz.Checked("120415", True)
    assert zone.sex == "F" and (zone.surname, zone.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert mrz.parse([line.lower().replace("<", " <", 3) for line in ICAO]).valid  # case and spaces forgiven


@pytest.mark.parametrize("seed", [0, 5, 18])
def test_a_generated_cards_mrz(seed):
    c = vncards.citizen(random.Random(seed), "chip-2021")
    zone = mrz.parse(vncards.mrz_lines(c))
    assert zone.valid and zone.problems == [] and zone.issuer == "VNM" and zone.document_code == "ID"
    assert zone.document_number.value == c.citizen_id[3:] and zone.optional[:12] == c.citizen_id
    assert zone.birth.value == c.date_of_birth.strftime("%y%m%d")
    assert zone.expiry.value == c.date_of_expiry.strftime("%y%m%d")
    assert zone.sex == ("F" if c.sex == "Nữ" else "M")


def test_a_zone_whose_grid_a_speck_widened_is_read_on_the_grid_its_check_digits_agree_with():
    """Characters placed by where they stand: with the zone's left end taken a place too far (a
    speck beside it), every line would start with a place read empty and lose a character where
    two crowd into one; the grid moved by a place is the one the check digits agree with."""
    c = vncards.citizen(random.Random(5), "chip-2021")
    lines, pitch = vncards.mrz_lines(c), 20.0
    read_lines = [(0, [(ch, (round(i * pitch + 100), 0, round(i * pitch + 100 + mrz.GLYPH * pitch), 30))
                       for i, ch in enumerate(line)]) for line in lines]
    right = round(29 * pitch + 100 + mrz.GLYPH * pitch)
    texts, zone = mrz._best_grid(read_lines, 100 - round(pitch), right)  # the speck a place to the left
    assert texts == lines and zone.valid
    assert mrz._best_grid(read_lines, 100, right)[0] == lines  # the true grid stays the true grid


def _symbols_at(line: str, x: list[float], width: float) -> list[tuple[str, tuple[int, int, int, int]]]:
    return [(ch, (round(x[i]), 0, round(x[i] + width), 30)) for i, ch in enumerate(line) if ch != "?"]


def test_a_zone_whose_first_characters_glare_took_is_placed_from_its_other_end():
    """Glare over the left of a back takes each line's first places (tuning seed 60): the zone's
    ink then begins places late, and a grid from ink to ink puts nothing where it belongs; at the
    pitch the characters stand at, from the end that was read, every one is in its place."""
    c = vncards.citizen(random.Random(5), "chip-2021")
    lines, pitch = vncards.mrz_lines(c), 20.0
    lost = ["????" + lines[0][4:], "??" + lines[1][2:], "???" + lines[2][3:]]
    read_lines = [(0, _symbols_at(line, [100 + i * pitch for i in range(30)], mrz.GLYPH * pitch)) for line in lost]
    left, right = 100 + round(2 * pitch), round(100 + 29 * pitch + mrz.GLYPH * pitch)  # line 2's first ink
    texts, zone = mrz._best_grid(read_lines, left, right)
    assert texts == lost and zone.valid
    assert zone.document_number.value == c.citizen_id[3:] and zone.birth.value == c.date_of_birth.strftime("%y%m%d")


def test_a_zone_whose_pitch_changes_along_its_lines_is_read_in_the_order_of_its_characters():
    """A card flattened from corners glare misplaced keeps some perspective (tuning seed 59): its
    characters stand ever closer along a line, no grid fits them, and the line's end was lost to
    glare too; read in order, every check digit the lines hold agrees."""
    c = vncards.citizen(random.Random(5), "chip-2021")
    lines = vncards.mrz_lines(c)
    x = [100 + 60 * i - 0.25 * i * i for i in range(30)]  # 60 px apart at the left, 45 at the right
    read_lines = [(0, _symbols_at(lines[0], x, 30)), (0, _symbols_at(lines[1][:24], x, 30)),
                  (0, _symbols_at(lines[2], x, 30))]
    texts, zone = mrz._best_grid(read_lines, 100, round(x[29] + 30))
    assert texts[0] == lines[0]
    assert zone.document_number.valid and zone.birth.valid and zone.expiry.valid
    assert not zone.composite and "the composite check digit was not read" in zone.problems


def test_a_composite_check_digit_lost_with_the_end_of_its_line_is_unread_not_a_filler():
    """The fillers of a line glare shortened are lengthened to thirty places; the place of the
    composite check digit is then a filler, which as a digit (0) agrees one time in ten."""
    one, two, three = VN
    zone = mrz.parse([one, two[:25], three])
    assert not zone.composite and zone.problems == ["the composite check digit was not read"]
    assert zone.plausible and zone.document_number.valid and zone.birth.valid


def test_the_year_of_birth_lost_from_the_zone_is_the_one_the_id_holds():
    """The 12-digit ID holds the year of birth's last two digits (its fifth and sixth; the
    document number's second and third): with the expiry's month and day, the birth date's
    check digit confirms them when glare took the start of line 2."""
    one, two, three = VN
    zone = mrz.parse([one, "???" + two[3:], three])
    assert zone.birth == mrz.Checked(two[:6], True, repaired=True) and zone.valid


def test_the_zone_of_a_back_whose_left_end_glare_took_is_read(workdir):
    """Tuning seed 60: glare over a chip card's back takes the first characters of each line of
    its zone, a different number on each, so the lines neither start alike nor span the card; the
    zone is found by their common right end, and what its check digits confirm is read."""
    side_, photo = side(60, "back")
    assert "glare" in photo.notes
    page = read(photo.jpeg, workdir, "worn-back-60")
    [zone] = [code for code in page.codes if code.kind == "mrz"]
    assert zone.text.split("\n")[0].endswith(side_.mrz[0][5:]) and zone.valid
    fields = extract("citizen_id_card", [page])
    names = ("citizen_id", "date_of_birth", "sex", "date_of_expiry")
    assert {name: fields[name].value for name in names} == {name: side_.truth[name] for name in names}


def test_one_digit_misread_as_its_look_alike_is_repaired_and_said():
    misread = ICAO[1][:3] + "6" + ICAO[1][4:]  # birth 740812 read 740612
    zone = mrz.parse([ICAO[0], misread, ICAO[2]])
    assert zone.birth == mrz.Checked("740812", True, repaired=True)
    assert zone.valid and zone.composite and zone.lines[1] == ICAO[1]
    assert zone.problems == ["the birth date's check digit agreed only after a character was corrected or filled in"]
    # On a Vietnamese card's zone too: 861205 read 861206.
    lines = vncards.mrz_lines(vncards.citizen(random.Random(1), "chip-2021"))
    assert lines[1].startswith("861205")
    zone = mrz.parse([lines[0], "861206" + lines[1][6:], lines[2]])
    assert zone.birth == mrz.Checked("861205", True, repaired=True) and zone.valid


def test_a_misread_with_more_than_one_repair_is_left_alone():
    # 8 read as 3: 740812 agrees, but so do 240312, 790312, 740317 and 740312 with its digit read 7 for 2.
    zone = mrz.parse([ICAO[0], "740312" + ICAO[1][6:], ICAO[2]])
    assert not zone.birth.valid and zone.birth.value == "740312" and not zone.valid


def test_two_digits_changed_stay_invalid():
    zone = mrz.parse([ICAO[0], "730312" + ICAO[1][6:], ICAO[2]])
    assert zone.birth == mrz.Checked("730312", False) and not zone.valid and not zone.composite
    assert "the birth date's check digit does not agree" in zone.problems
    assert "the composite check digit does not agree" in zone.problems


def test_letters_read_for_digits_are_put_right():
    line2 = "74O8122F12O4I59UTO<<<<<<<<<<<6"  # O for 0, I for 1
    zone = mrz.parse([ICAO[0], line2, ICAO[2]])
    assert zone.birth == mrz.Checked("740812", True) and zone.expiry == mrz.Checked("120415", True)
    assert zone.valid and zone.problems == []
    c = vncards.citizen(random.Random(0), "chip-2021")
    one, two, three = vncards.mrz_lines(c)
    assert one == "IDVNM1927925180040192792518<<2"
    zone = mrz.parse(["IDVNM192792518OO4O192792518<<2", two.replace("0", "O"), three])
    assert zone.valid and zone.document_number.value == "192792518" and zone.optional[:12] == c.citizen_id


def test_a_dropped_or_doubled_filler_is_brought_back_to_thirty():
    dropped = [ICAO[0][:-1], ICAO[1], ICAO[2][:-1]]
    assert [len(line) for line in dropped] == [29, 30, 29]
    zone = mrz.parse(dropped)
    assert zone.valid and [len(line) for line in zone.lines] == [30, 30, 30] and zone.lines[0] == ICAO[0]
    doubled = mrz.parse([ICAO[0] + "<", ICAO[1].replace("UTO<", "UTO<<"), ICAO[2]])
    assert doubled.valid and doubled.lines[1] == ICAO[1]
    # On a Vietnamese card the two fillers after the 12-digit ID are often read as K.
    one, two, three = vncards.mrz_lines(vncards.citizen(random.Random(0), "chip-2021"))
    assert one[27:29] == "<<"
    zone = mrz.parse([one[:27] + "K<" + one[29:], two, three])
    assert zone.valid and zone.lines[0] == one
    assert mrz.parse(["I<UTOD2314589", ICAO[1], ICAO[2]]) is None  # too short to be a line


# --- places read empty, and the zone's own redundancy ---------------------------------------------

VN = vncards.mrz_lines(vncards.citizen(random.Random(0), "chip-2021"))  # ID 040192792518, born 00-01-04


def test_a_place_read_empty_in_a_checked_field_is_the_digit_its_check_digit_allows():
    two = "74?8122" + ICAO[1][7:]
    zone = mrz.parse([ICAO[0], two, ICAO[2]])
    assert zone.birth == mrz.Checked("740812", True, repaired=True) and zone.valid
    # Two places empty: ten ways agree, none is chosen.
    zone = mrz.parse([ICAO[0], "7??8122" + ICAO[1][7:], ICAO[2]])
    assert not zone.birth.valid and not zone.valid


def test_a_vietnamese_document_number_is_completed_from_its_twin_in_the_id():
    one, two, three = VN
    hidden = one[:7] + "???" + one[10:]  # glare over three digits of the document number
    zone = mrz.parse([hidden, two, three])
    assert zone.document_number == mrz.Checked(one[5:14], True, repaired=True)
    assert zone.optional[:12] == "040192792518" and zone.valid
    # Both readings whole but different in one digit: the check digit says which is right.
    misread = one[:20] + ("3" if one[20] != "3" else "4") + one[21:]
    assert mrz.parse([misread, two, three]).document_number == mrz.Checked(one[5:14], True)


def test_a_digit_of_the_ids_province_code_is_filled_in_by_the_composite_check_digit():
    one, two, three = VN
    zone = mrz.parse([one[:16] + "?" + one[17:], two, three])
    assert zone.optional[:12] == "040192792518" and zone.composite and zone.lines[0] == one
    # Some digit always fills one place so: the check agreed only by filling it, and says so.
    assert zone.composite_repaired and not mrz.parse(VN).composite_repaired
    assert zone.problems == ["the composite check digit agreed only after a place read empty was filled in"]


def test_a_card_expires_on_a_birthday_so_its_dates_share_month_and_day():
    one, two, three = VN
    assert two[2:6] == two[10:14]
    zone = mrz.parse([one, two[:10] + "??" + two[12:], three])
    assert zone.expiry.value == two[8:14] and zone.expiry.valid and zone.valid
    # Not on other countries' documents: the ICAO specimen's dates share nothing.
    assert not mrz.parse([ICAO[0], ICAO[1][:10] + "??" + ICAO[1][12:], ICAO[2]]).expiry.valid


def test_a_check_digit_read_empty_is_no_digit_the_composite_can_agree_with():
    # Glare over the document number's check digit and the expiry's last digit and check digit
    # (seed 57 of the tuning photos). Counting the empty check digit as a filler once let the
    # composite "fill" the expiry with a wrong digit and vouch for the whole zone.
    one, two, three = VN
    zone = mrz.parse([one[:14] + "?" + one[15:], two[:13] + "??" + two[15:], three])
    assert not zone.composite and not zone.document_number.valid and not zone.expiry.valid
    # What the card prints twice still fills the places: the expiry's month and day are the birth's.
    assert zone.document_number.value == one[5:14] and zone.expiry.value == two[8:14]


def test_a_vietnamese_zone_whose_nationality_glare_took_is_still_read_as_one():
    one, two, three = VN
    zone = mrz.parse([one.replace("O", "0"), two[:15] + "??M" + two[18:], three])
    assert zone.nationality == "VNM" and zone.valid and zone.composite
    zone = mrz.parse([one, two[:15] + "???" + two[18:], three])
    assert zone.nationality == "VNM" and zone.valid
    assert mrz.parse([one, two[:15] + "UTO" + two[18:], three]).nationality != "VNM"  # contradicted, not unread


def test_characters_are_placed_by_their_position_in_a_fixed_pitch_line():
    pitch = 50.0
    at = lambda i: (round(i * pitch), 0, round(i * pitch + mrz.GLYPH * pitch), 40)  # noqa: E731
    symbols = [(c, at(i)) for i, c in enumerate(ICAO[0]) if not 8 <= i <= 10]  # three dropped
    assert mrz._placed(symbols, 0, pitch) == ICAO[0][:8] + "???" + ICAO[0][11:]


def test_glare_over_the_zone_of_a_photographed_back(workdir):
    """Tuning seed 3: a glare spot washes out part of the zone's first two lines on an upside-down
    back; what is left, each character in its place, still gives the ID, birth date and sex."""
    c, sides = sample(3)
    back, photo = sides[1]
    assert back.side == "back" and "glare" in photo.notes
    page = read(photo.jpeg, workdir, "glare-back-3")
    [code] = [code for code in page.codes if code.kind == "mrz"]
    assert "?" in code.text  # places the glare hid
    fields = extract("citizen_id_card", [page])
    for name in ("citizen_id", "date_of_birth", "sex"):
        assert fields[name].value == back.truth[name]


def test_the_grey_print_of_a_back_under_glare_is_read_with_the_zone_set_aside(workdir):
    """Tuning seed 8: glare pales a chip card's back. Read with its black MRZ, the print fell
    under Tesseract's one threshold for the card ("lồ) nan J/ 3ñ to"); with the zone painted
    over (it is read on its own) the label and the date of issue are read."""
    back, photo = sample(8)[1][1]
    assert back.side == "back" and "glare" in photo.notes
    page = read(photo.jpeg, workdir, "glare-back-8")
    assert [code.kind for code in page.codes] == ["mrz"]
    assert "18/11/2023" in page.text and "nhân dạng" in page.text
    assert "IDVNM" not in page.text
    assert extract("citizen_id_card", [page])["date_of_issue"].value == back.truth["date_of_issue"] == "2023-11-18"


def test_a_back_whose_zone_and_labels_glare_took_is_still_a_card_by_its_fillers(workdir):
    """Tuning seed 94: glare over nearly all of a 2024 card's back leaves no label and no zone
    that reads as one, only runs of the MRZ's fillers ("c<<<<<<<<<<"): no other paper prints
    them, so the cut-out is kept as the card it is, whose type is known even though no field is."""
    back, photo = sample(94)[1][1]
    assert back.kind == "card-2024" and "glare" in photo.notes
    page = read(photo.jpeg, workdir, "glare-back-94")
    assert page.steps[0] == "card" and not page.codes and "<<<<<" in page.text
    assert classify([page]) == "citizen_id_card"


def test_an_old_cards_dotted_lines_read_as_small_unsure_words_do_not_hide_its_print(workdir):
    """Tuning seed 119: a 9-digit card's dotted lines and guilloche read as some 90 small words
    of letters ("NA", "(CC", "VU", 4-7 px high, of confidence 0-0.5), more than its print: taken
    as text's usual height, they made every real word "too tall" to be a row, and the card
    `other`. Only words read with some confidence set that height."""
    front_, photo = sample(119)[1][0]
    assert front_.kind == "cmnd-9" and front_.side == "front"
    page = read(photo.jpeg, workdir, "front-119")
    assert page.steps[0] == "card"
    assert sum(len(w.text) >= 2 and w.confidence < 0.5 and w.bbox[3] - w.bbox[1] < 10 for w in page.words) > 50
    assert classify([page]) == "citizen_id_card"
    assert fields_of(page)["full_name"] == front_.truth["full_name"]


def test_a_date_glare_paled_beside_its_label_is_read_again_on_its_own(workdir):
    """Tuning seed 15: on a 9-digit card under glare the birth date prints at half the title's
    darkness, and the card's one threshold read "1-1940"; cut out after "Sinh ngày" and made
    black and white by its own darkest print, it reads whole."""
    c, side_, photo = front(15)
    assert side_.kind == "cmnd-9" and "glare" in photo.notes
    page = read(photo.jpeg, workdir, "faded-front-15")
    assert "05-11-1940" in page.text
    born = extract("citizen_id_card", [page])["date_of_birth"]
    assert born.value == side_.truth["date_of_birth"] == "1940-11-05" and born.review  # an old card's print


def test_a_date_whose_end_glare_paled_more_than_its_start_is_read_whole(workdir):
    """Tuning seed 422: glare over a chip card's back pales the date of issue's last figure to
    half the darkness of its first ones; made black and white by the cut's one darkest print,
    "20/02/2022" read "20/02/26." and the date was lost. Each pixel judged against the darkest
    print within a line height of it, the date reads whole."""
    back, photo = sample(422)[1][1]
    assert back.side == "back" and "glare" in photo.notes
    page = read(photo.jpeg, workdir, "faded-back-422")
    assert "20/02/2022" in page.text
    issued = extract("citizen_id_card", [page])["date_of_issue"]
    assert issued.value == back.truth["date_of_issue"] == "2022-02-20"


def test_an_expiry_in_small_italics_beside_a_bold_place_is_read_again_after_its_misread_label(workdir):
    """Tuning seed 363: a 12-digit card's expiry, "Có giá trị đến: 06/10/2018" in small italics,
    stands on the line of its origin's second line in bold capitals twice as tall; its label read
    "Có giá tị đến" and its date "06/40/20ia". The label is known up to a letter in five, the
    misread date is the date's (a word with digits is no other field), and the cut is the
    italics' height: read again, the date is whole."""
    c, side_, photo = front(363)
    assert side_.kind == "cmnd-12" and "glare" not in photo.notes
    page = read(photo.jpeg, workdir, "expiry-front-363")
    assert "06/10/2018" in page.text
    assert fields_of(page)["date_of_expiry"] == side_.truth["date_of_expiry"] == "2018-10-06"
    # The second maker's seed 191: the day read "bồi" (a guilloche stroke above it taken in) before
    # "10/2030", and the place's second line read as a line of its own. The letters before the
    # date's digits are the date's too, the tall misread word does not set the cut's height, and
    # the cut ends where a date would.
    card_, photo = next((c, p) for c, p in othercards.sample(191)[1] if c.side == "front")
    page = read(photo.jpeg, workdir, "expiry-front-other-191")
    assert fields_of(page)["date_of_expiry"] == card_.truth["date_of_expiry"] == "2030-10-25"


def test_a_card_small_in_a_shrunk_photo_is_read_enlarged_and_said_so(workdir):
    """Tuning seed 24: a 12-digit ID card in a photo a chat app shrank; what its print gives is
    never sure, however confident Tesseract is (a tone mark lost at this size reads as another name)."""
    c, side_, photo = front(24)
    assert "low-res" in photo.notes and side_.kind == "cmnd-12"
    page = read(photo.jpeg, workdir, "small-front-24")
    assert "enlarged" in page.steps
    fields = extract("citizen_id_card", [page])
    assert fields and all(f.review for f in fields.values())
    big = read(side(1, "back")[1].jpeg, workdir, "back-1")
    assert "enlarged" not in big.steps


def test_a_seal_and_signature_on_a_scanned_page_are_not_a_card(tmp_path):
    """A scanned decision whose red seal over the signature has a card's outline (a page of
    bench/extraction.py's held-out part, document 33): the scan is paper and thin print, so no
    card is looked for in it; and the outline, cut out as it would be from a photo, reads as no
    card at all. The scan is read as the page it is."""
    import extraction
    spec = next(s for s in extraction.specs(34, "held-out") if s.index == 33)
    assert spec.kind == "stamp"
    outcome = extraction.run(spec, str(tmp_path))
    assert outcome.got_type == "admin_document"
    scan = next(tmp_path.glob("033-*.png"))
    pixels = np.asarray(Image.open(scan).convert("RGB"))
    assert card.plain_page(pixels)  # the seal's rings and the signature are thin print on paper
    found = card.find_anywhere(pixels)
    assert found is not None  # the outline fools the finder's masks
    assert engine._card_page(pixels, found, 1, OPTIONS, tmp_path) is None
    page = ocr.read_page(scan, "image/png", 0, True, OPTIONS, tmp_path)
    assert "card" not in page.steps and "Điều 1" in page.text


@pytest.mark.parametrize("turn", [0, 90])
def test_a_photocopy_of_a_chip_cards_two_sides_gives_its_qr_codes_fields(workdir, turn):
    """Counters photocopy the front and the back of a card onto one sheet: no one card can be cut
    out of that, so the sheet is read as a page, and the front's QR code still gives the card's
    fields, exactly; its box is where the code is on the page as read, upright."""
    c, sides = sample(1)
    (front_, _), (back, _) = sides
    assert front_.kind == "chip-2021" and front_.qr
    # A4 at 300 dpi, the card at 1.6 times its size, a typed page's text under it (the certified
    # copy's wording, by which the sheet's way up is told).
    sheet = vnpages.render_page(dpi=300, size_pt=12, font="serif").convert("RGB")
    sheet.paste((255, 255, 255), (0, 0, sheet.width, 2450))
    size = (1620, round(1620 / card.RATIO))
    sheet.paste(front_.image.resize(size), (430, 200))
    sheet.paste(back.image.resize(size), (430, 1300))
    sheet = ImageOps.grayscale(sheet).rotate(-turn, expand=True)  # the sheet photographed sideways
    buffer = io.BytesIO()
    sheet.save(buffer, "JPEG", quality=85)
    page = read(buffer.getvalue(), workdir, f"photocopy-{turn}")
    assert "card" not in page.steps
    [code] = [code for code in page.codes if code.kind == "qr"]
    assert code.text == front_.qr
    # The box is where the code is on the page as read: the sheet turned as the page was, scaled.
    upright = np.ascontiguousarray(np.rot90(np.asarray(sheet), k=-(page.rotation // 90)))
    scale = page.width / upright.shape[1]
    [qr_box] = [np.float32([[p.x, p.y] for p in (r.position.top_left, r.position.bottom_right)]) * scale
                for r in zxingcpp.read_barcodes(upright)]
    assert np.allclose(sorted(code.bbox[::2]), sorted(qr_box[:, 0]), atol=8)
    assert np.allclose(sorted(code.bbox[1::2]), sorted(qr_box[:, 1]), atol=8)
    assert classify([page]) == "citizen_id_card"
    fields = extract("citizen_id_card", [page])
    for name in ("citizen_id", "full_name", "date_of_birth", "sex"):
        assert fields[name].value == front_.truth[name] and fields[name].confidence == 1.0, name


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_photos_qr_code_box_is_carried_onto_the_page_as_it_was_turned(rotation):
    """The page a photo became may be turned upright by quarter turns and scaled: the code's box
    is given on that page, where the same code is found in the photo turned and scaled so."""
    _, side_, _ = front(25)
    photo = np.asarray(side_.image.convert("L").resize((1200, 757)))
    upright = np.rot90(photo, k=-(rotation // 90))  # turned clockwise as the page was
    page = ocr.PageResult(1, "ocr", upright.shape[1] * 2, upright.shape[0] * 2, 300, rotation=rotation)
    stated = cardplace.stated(photo, timeout=30)
    [found] = zxingcpp.read_barcodes(np.ascontiguousarray(upright))
    corners = np.float32([[p.x, p.y] for p in (found.position.top_left, found.position.bottom_right)]) * 2
    bbox = engine._on_page(stated.corners, photo, page)
    assert np.allclose(sorted(bbox[::2]), sorted(corners[:, 0]), atol=6)
    assert np.allclose(sorted(bbox[1::2]), sorted(corners[:, 1]), atol=6)


def test_print_that_parses_as_a_zone_only_by_filling_its_gaps_is_no_zone():
    # An upside-down 9-digit card's print, read as three lines: the expiry's one empty place
    # can be filled so that its check digit agrees, which any digit place can.
    lines = ["FR?E???????I??????????????????", "?????690E0ESZOS???????????????", "??NVNVHNHNWONNHDAI9???????????"]
    zone = mrz.parse(lines)
    assert zone is not None and zone.expiry.repaired and not zone.plausible
    # On a Vietnamese card's zone a filled place does count: its fixed parts say what it is.
    one, two, three = VN
    filled = mrz.parse([one, two[:9] + "?" + two[10:], three])
    assert filled.expiry.repaired and filled.plausible


def test_a_district_whose_mark_tesseract_misread_is_spelt_as_the_list_of_units_has_it(workdir):
    """Tuning seed 79: Tesseract reads the wrapped end of the place of origin "Chầu, Nghệ An", a real
    syllable no spelling rule doubts; Nghệ An has one district of those letters, Diễn Châu."""
    c, side_, photo = front(79)
    page = read(photo.jpeg, workdir, "district-front-79")
    assert "Chầu" in page.text and "Châu" not in page.text  # what the print alone gives
    origin = extract("citizen_id_card", [page])["place_of_origin"]
    assert origin.value == side_.truth["place_of_origin"] == "Xã Diễn Kỷ, Diễn Châu, Nghệ An"


def test_the_zone_of_a_small_back_is_read_on_the_grid_its_check_digits_agree_with(workdir):
    """Tuning seed 92: a chip card's back small in the photo; the zone's ends as its ink gives them
    put every line a place out of step ("?IDVM1906…"), and nothing of the zone checked."""
    side_, photo = side(92, "back")
    assert "low-res" in photo.notes
    page = read(photo.jpeg, workdir, "small-back-92")
    [zone] = [code for code in page.codes if code.kind == "mrz"]
    assert zone.valid and zone.text.startswith("IDVNM")
    fields = extract("citizen_id_card", [page])
    assert {name: fields[name].value for name in ("citizen_id", "date_of_birth", "sex", "date_of_expiry")} == \
        {name: side_.truth[name] for name in ("citizen_id", "date_of_birth", "sex", "date_of_expiry")}


def _other(seed: int, which: str):
    _, pairs = othercards.sample(seed)
    return pairs[("front", "back").index(which)][1]


@pytest.mark.parametrize("seed,what", [
    (402, "large print in dense lines, which a 9-pixel closing leaves as grey blocks joined to the card"),
    (385, "lines of print meeting the card's sides, whose strokes change the photo more than its pale edge"),
])
def test_a_card_on_a_form_of_dense_print_is_found(seed, what):
    """Tuning fronts of tests/othercards.py on the citizen's application form: the form's lines of
    print closed over by a square wider than they are, the form is even paper; each side is then
    moved onto the line that changes the photo steeply along most of its length."""
    photo = _other(seed, "front")
    assert "form" in photo.notes
    found = card.find(shown(photo.jpeg))
    assert found is not None, what
    assert corner_error(found.corners, photo.corners)[1] <= CLOSE, what


@pytest.mark.parametrize("seed", [388, 397])
def test_a_backs_fingerprint_boxes_are_not_taken_for_the_card(seed):
    """Tuning backs of tests/othercards.py on a form: the box round the two fingerprints has a
    card's proportions and edges all round, but the card's own surface lies all around it."""
    photo = _other(seed, "back")
    found = card.find(shown(photo.jpeg))
    assert found is None or corner_error(found.corners, photo.corners)[1] <= 2 * CLOSE
