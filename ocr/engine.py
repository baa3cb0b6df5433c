"""Reading one page: a born-digital page gives its text; a scanned page is turned upright,
deskewed and recognised, and becomes a one-page PDF of its image under an invisible text layer.

Each function here is a step that takes paths and plain data, so the ingest pipeline can run
pages of one document in parallel worker processes.
"""

from __future__ import annotations

import io
import math
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pikepdf
from PIL import Image

from . import _pdf, _tesseract, card, cardpage, cardplace, cleanup, preprocess, reading
from .model import Code, PageResult, Word
from .options import OcrOptions
from .sources import exif_orientation, load_page

# Below this mean word confidence a page may have been read the wrong way up: text upside
# down still reads as lines of words, of low confidence (0.40-0.57 on bench/extraction.py's
# pages, against 0.86 and more the right way up). A page that was turned must read better
# for its turn to stand unchecked. See `_reconsider`.
DOUBTFUL_CONFIDENCE = 0.6
TURNED_DOUBTFUL_CONFIDENCE = 0.75
OSD_MIN_CONFIDENCE = 1.5
CARD_SHAPE = card.WIDTH_MM / card.HEIGHT_MM  # ID-1, 1.586
# How far from the card's shape a photo cut to its edges is: closely when cut by a phone's document
# mode or a scanner, roughly when by hand (a sliver of the desk on two sides, a side cut into).
CUT_CLOSELY, CUT_ROUGHLY = 0.04, 0.08  # (an A4 page is 0.11 off)
FILLS = 0.5  # of the photo, that a card found in it covers when the photo is more than the card


def read_page(source: Path, media_type: str, index: int, scanned: bool,
              options: OcrOptions, workdir: Path) -> PageResult:
    if not scanned:
        words, text, width, height = _pdf.page_words(source, index)
        return PageResult(index + 1, "text-layer", round(width), round(height), None,
                          words=words, text=text)
    image, dpi = load_page(source, media_type, index, options)
    photo = media_type != "application/pdf" and options.cleanup and "card" not in options.skip_steps
    stated = None
    if photo:
        found = card.find(image)  # a photo of an ID card: the card, flattened, is the page
        # A photo cut to the card's edges: the whole of it is read before a card found in it when
        # it has the card's shape closely, after one when only roughly (a 3:2 photo of a card).
        whole = _cut_to_card(image, found)
        closely = whole is not None and _shape_error(image) <= CUT_CLOSELY
        tries = ([(whole, True)] if closely else []) + [(found, False)] + ([] if closely else [(whole, True)])
        for candidate, is_whole in tries:
            if candidate is not None and (
                    page := _card_page(image, candidate, index + 1, options, workdir, whole=is_whole)) is not None:
                return page
        # No card cut out: what a card states for machines, read off the whole photo, places it.
        stated = cardplace.stated(image, timeout=options.timeout)
        if stated is not None and stated.card is not None and (page := _card_page(
                image, card.Found(stated.card, 0.0), index + 1, options, workdir, placed=True)) is not None:
            return page
    result = _recognise(image, dpi, index + 1, options, workdir, original_jpeg=_jpeg_bytes(source, media_type))
    if stated is not None:  # the code's fields, as on a card found
        result.codes.append(Code(stated.kind, stated.text, _on_page(stated.corners, image, result), stated.valid,
                                 stated.problems))
    return result


def _cut_to_card(image: np.ndarray, found: card.Found | None) -> card.Found | None:
    """The whole photo as the card, when it was cut to the card's edges (a phone's document mode,
    a scanner's crop, a clerk's): it has the card's shape, either way round, and no card found in
    it fills half of it (what the finder finds in such a photo is a box printed on the card).
    Its corners start where the card's long top side would, as the finder gives them."""
    if _shape_error(image) > CUT_ROUGHLY:
        return None
    height, width = image.shape[:2]
    if found is not None and cv2.contourArea(found.corners) >= FILLS * width * height:
        return None
    corners = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    return card.Found(corners if width >= height else np.roll(corners, 1, axis=0), 0.0)


def _shape_error(image: np.ndarray) -> float:
    """How far the photo's shape is from a card's, as a part of it (0 for ID-1, either way round)."""
    height, width = image.shape[:2]
    return abs(max(width, height) / min(width, height) / CARD_SHAPE - 1)


def _on_page(points: np.ndarray, image: np.ndarray, result: PageResult) -> tuple[float, float, float, float]:
    """The box of points of the photo on its page as it was turned upright (quarter turns; the
    few degrees of a deskew are left out) and scaled."""
    height, width = image.shape[:2]
    for _ in range(result.rotation // 90 % 4):  # a quarter turn clockwise: (x, y) → (h - 1 - y, x)
        points = np.stack([height - 1 - points[:, 1], points[:, 0]], axis=1)
        height, width = width, height
    return cardpage.bounds(points * np.float32([result.width / width, result.height / height]))


def _recognise(image: np.ndarray, dpi: int, number: int, options: OcrOptions, workdir: Path,
               original_jpeg: bytes | None) -> PageResult:
    if options.cleanup:
        prepared = cleanup.prepare(image, dpi, skip=options.skip_steps)
    else:
        prepared = cleanup.unprepared(image, dpi)
    gray, dpi = prepared.gray, prepared.dpi
    rotation, checked = 0, False
    geometry = preprocess.analyse(gray, options.max_skew) if (options.orientation or options.deskew) else None
    if options.orientation and geometry is not None:
        rotation, geometry, checked = _orient(gray, dpi, geometry, options)
        gray = preprocess.turn(gray, rotation)
    skew = geometry.skew if (options.deskew and geometry is not None) else 0.0
    result = _run(gray, dpi, number, rotation, skew, options, workdir)
    if options.orientation:
        result = _reconsider(result, gray, dpi, checked, options, workdir)
    result.steps = (prepared.steps + (["turn"] if result.rotation else []) + (["deskew"] if result.skew else [])
                    + result.steps)
    result.words = _marked(result.words, options)

    # The archival page keeps the pixels as scanned (or as cut out of a photo): the turn and
    # the deskew are drawn by the PDF itself, under the text layer of the recognised page.
    if prepared.page is image and original_jpeg:
        jpeg, grey = original_jpeg, image.ndim == 2
    else:
        page = cleanup.as_scanned(prepared.page, prepared.colour)
        jpeg, grey = _encode_jpeg(page, options.jpeg_quality), page.mode == "L"
    height, width = prepared.page.shape[:2]
    result.pdf = _with_page_image(result.pdf, jpeg, (width, height, grey), prepared.page_dpi,
                                  -(result.rotation + result.skew), workdir / f"page-{number:04d}.pdf")
    return result


def _card_page(image: np.ndarray, found: card.Found, number: int, options: OcrOptions,
               workdir: Path, placed: bool = False, whole: bool = False) -> PageResult | None:
    """A card cut out of a photo and read; its archival page is the flattened card in colour.
    None when what was cut out does not read as a card (a seal and signature on a scanned page
    can have a card's outline): the photo is then read as a page. A card ``placed`` by its code
    must read its code again and a card's words too: placed wrong, its code, on which the
    placing rests, may still read, and a wrong card is worse than the whole photo. A ``whole``
    photo taken for the card must read a code or words only a card prints: a form that asks for a
    card's fields has its labels."""
    read = cardpage.read(image, found, number, options, workdir)
    result = read.result
    if whole:
        card_read = bool(result.codes) or cardpage.reads_as_card_only(result.words)
    else:
        reads = cardpage.reads_as_card(result.words)
        card_read = bool(result.codes and reads if placed else result.codes or reads)
    if not card_read:
        result.pdf.unlink(missing_ok=True)
        return None
    result.words = _marked(result.words, options)
    height, width = read.image.shape[:2]
    jpeg = _encode_jpeg(Image.fromarray(read.image), options.jpeg_quality)
    result.pdf = _with_page_image(result.pdf, jpeg, (width, height, False), read.dpi, 0.0,
                                  workdir / f"page-{number:04d}.pdf")
    return result


def _marked(words: list[Word], options: OcrOptions) -> list[Word]:
    """The words, those under the review threshold marked for the clerk."""
    return [replace(w, review=w.confidence < options.review_confidence) for w in words]


def _run(gray: Image.Image, dpi: int, number: int, rotation: int, skew: float,
         options: OcrOptions, workdir: Path, variant: str = "") -> PageResult:
    upright = preprocess.deskew(gray, skew)
    image_path = workdir / f"page-{number:04d}{variant}.pgm"  # fastest format to write and read
    upright.save(image_path)
    recognition = _tesseract.recognise(image_path, workdir / f"page-{number:04d}{variant}-text",
                                       language=options.language, dpi=dpi, timeout=options.timeout)
    image_path.unlink()
    words, text = recognition.words, recognition.text
    if "order" not in options.skip_steps:
        words, text = reading.in_order(words, recognition.paragraphs, dpi)
    return PageResult(number, "ocr", upright.width, upright.height, dpi, rotation, skew, words=words, text=text,
                      pdf=recognition.text_layer_pdf, steps=["order"] if text != recognition.text else [])


def _orient(gray: Image.Image, dpi: int, geometry: preprocess.Geometry,
            options: OcrOptions) -> tuple[int, preprocess.Geometry, bool]:
    """The clockwise turn that makes the page upright, the geometry once turned, and whether
    that is settled. The shape of the text lines decides; Tesseract's orientation detection
    is asked only when they cannot tell."""
    if not geometry.sideways:
        if geometry.upside_down:
            return 180, geometry, True
        return 0, geometry, geometry.upside_down is not None
    turned = preprocess.analyse(preprocess.turn(gray, 90), options.max_skew)
    if turned.upside_down is not None:
        # Turned a further 180°, the lines keep their slope and swap above for below.
        if not turned.upside_down:
            return 90, turned, True
        return 270, preprocess.Geometry(False, turned.skew, 1 / max(turned.above_below, 1e-9)), True
    # The lines run vertically but cannot tell which way: Tesseract decides, and may
    # find the page upright after all (a form with few lines and long rules).
    rotation = _ask_orientation(gray, dpi, options)
    return rotation, preprocess.analyse(preprocess.turn(gray, rotation), options.max_skew), False


def _reconsider(result: PageResult, gray: Image.Image, dpi: int, checked: bool, options: OcrOptions,
                workdir: Path) -> PageResult:
    """The page read the other way up too, if it read badly (`gray` is the page as read), and
    the better of the two readings. Lines whose shape says upright are trusted. A turn they
    chose is checked by reading: their shape is fooled by what is not text (the shadow round
    a photographed page, the frame of an ID card's photo), and so is Tesseract's orientation
    detection on pages of few lines. When the lines could not tell, Tesseract is asked."""
    if not _doubtful(result, TURNED_DOUBTFUL_CONFIDENCE if result.rotation else DOUBTFUL_CONFIDENCE):
        return result
    if checked and result.rotation == 0:
        return result
    if not checked and _ask_orientation(gray, dpi, options) != 180:
        return result
    flipped = _run(preprocess.turn(gray, 180), dpi, result.number, (result.rotation + 180) % 360, result.skew,
                   options, workdir, "r")
    better, worse = (flipped, result) if _score(flipped) > _score(result) else (result, flipped)
    if worse.pdf is not None:
        worse.pdf.unlink(missing_ok=True)
    return better


def _ask_orientation(gray: Image.Image, dpi: int, options: OcrOptions) -> int:
    small, small_dpi = preprocess.reduced(gray, dpi)
    rotation, confidence = _tesseract.orientation(small, dpi=small_dpi, timeout=options.timeout)
    return rotation if confidence >= OSD_MIN_CONFIDENCE else 0


def _doubtful(result: PageResult, below: float) -> bool:
    return len(result.words) < 5 or (result.confidence or 0.0) < below


def _score(result: PageResult) -> float:
    return sum(w.confidence for w in result.words)


def _jpeg_bytes(source: Path, media_type: str) -> bytes | None:
    """The scan's own JPEG, to archive without re-encoding, when a PDF can show it as it is."""
    if media_type != "image/jpeg":
        return None
    with Image.open(source) as image:
        if image.mode not in ("RGB", "L"):  # CMYK, for one, would need its own colour space
            return None
        if exif_orientation(image) != 1:  # a PDF shows a JPEG's pixels as stored, not as EXIF turns them
            return None
    return source.read_bytes()


def _encode_jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=False)
    return buffer.getvalue()


def _with_page_image(text_layer: Path, jpeg: bytes, image: tuple[int, int, bool], dpi: int, angle: float,
                     target: Path) -> Path:
    """Put the page image under Tesseract's invisible text layer, turned `angle` degrees
    counter-clockwise about the page centre. `image` is the JPEG's width, height and whether
    it is grey."""
    width_px, height_px, grey = image
    with pikepdf.open(text_layer) as pdf:
        page = pdf.pages[0]
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        picture = pikepdf.Stream(pdf, jpeg)
        picture.Type = pikepdf.Name.XObject
        picture.Subtype = pikepdf.Name.Image
        picture.Width, picture.Height = width_px, height_px
        picture.ColorSpace = pikepdf.Name.DeviceGray if grey else pikepdf.Name.DeviceRGB
        picture.BitsPerComponent = 8
        picture.Filter = pikepdf.Name.DCTDecode
        name = page.add_resource(picture, pikepdf.Name.XObject, prefix="Im")
        width, height = width_px * 72 / dpi, height_px * 72 / dpi
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        # Last `cm` first: scale the unit square to the scan, centre it, turn it, move it to the page.
        draw = (f"q 1 0 0 1 {(x0 + x1) / 2:.4f} {(y0 + y1) / 2:.4f} cm "
                f"{cos:.6f} {sin:.6f} {-sin:.6f} {cos:.6f} 0 0 cm "
                f"1 0 0 1 {-width / 2:.4f} {-height / 2:.4f} cm "
                f"{width:.4f} 0 0 {height:.4f} 0 0 cm {name} Do Q\n")
        page.contents_add(pikepdf.Stream(pdf, draw.encode()), prepend=True)
        pdf.save(target)
    text_layer.unlink()
    return target
