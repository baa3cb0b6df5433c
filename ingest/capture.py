"""What the clerk is told about how an ID card was photographed, while the citizen is at the desk.

A card photo can fail the reading before any letter is read: no card found in it, the card too
small in the frame, its print smeared, glare over part of it. Each is a problem of the document
saying what it covers (glare: the QR code or MRZ read, the holder's photo, a field's print) and
what to do; the photo is to be taken again (``retake``) when a problem cost something no other
source made up for: the card not found and no code read off the photo, a card too small or
blurred (all its print guessed at), an MRZ under glare whose check digits fail, glare over a
tenth of a field's print and its surroundings (the field then is left for review).
"""

from __future__ import annotations

from collections.abc import Mapping

from ocr.model import Capture, PageResult
from repository.model import CaptureProblem, CaptureReport, Field

from .extract import ExtractedField
from .extract.card import CARD_PER_MM, under_glare

# Where a card's layout puts the holder's photo, in millimetres of the upright front (on every
# kind of card tests/vncards.py draws from the published layouts).
PORTRAIT_MM = (2.0, 13.0, 25.0, 43.0)
BACK = ("date_of_issue", "identifying_features", "place_of_birth_registration")  # printed on backs only
GLARE_ZONE = 0.1  # of the holder's photo under glare for it to be named
# Of a field's band (see extract.card.under_glare) under glare for the photo to be taken again:
# glare grazing it puts the field to review, glare over a tenth of it has taken print.
RETAKE_SHARE = 0.1
AROUND_MM = 3.0  # of the card around the holder's photo, as far as glare over it must reach (squared: how much)
ZONE_NAMES = {"qr_code": "the QR code", "mrz": "the MRZ", "portrait": "the holder's photo"}

NOT_FOUND = "no card found in the photo: lay it whole on a plain, darker surface and take it again"
TOO_SMALL = "the card is too small in the photo ({:.1f} pixels per mm): come closer and take it again"
BLURRED = "the photo is blurred: hold the phone still, let it focus and take it again"
GLARE_OVER = "glare over {}: tilt the card away from the light and take it again"


def report(doc_type: str, media_type: str, pages: list[PageResult],
           fields: Mapping[str, Field | ExtractedField]) -> CaptureReport | None:
    """The capture problems of a document read from a photo that is (or looks like) an ID card;
    None for any other document."""
    if doc_type != "citizen_id_card" or not media_type.startswith("image/"):
        return None
    taken = [p for p in pages if p.capture is not None]
    if not taken:  # read as a page: a QR code or an MRZ read off it still gives the card's fields
        coded = any(c.valid for p in pages for c in p.codes)
        return CaptureReport(retake=not coded, problems=[CaptureProblem(kind="card_not_found", text=NOT_FOUND)])
    problems, retake = [], False
    for page in taken:
        quality = page.capture
        if quality.too_small:
            problems.append(CaptureProblem(kind="too_small", text=TOO_SMALL.format(quality.pixels_per_mm)))
            retake = True
        elif quality.blurred:
            problems.append(CaptureProblem(kind="blurred", text=BLURRED))
            retake = True
        zones, costly = _glare_zones(page, quality, {n: f for n, f in fields.items() if f.page == page.number})
        if zones:
            named = [ZONE_NAMES.get(z, "the " + z.replace("_", " ")) for z in zones]
            listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
            problems.append(CaptureProblem(kind="glare", zones=zones, text=GLARE_OVER.format(listed)))
            retake = retake or costly
    return CaptureReport(retake=retake, problems=problems)


def _glare_zones(page: PageResult, quality: Capture,
                 fields: Mapping[str, Field | ExtractedField]) -> tuple[list[str], bool]:
    """The parts of the card glare covers, and whether it cost anything no other source made up
    for: a code read but not whole (an MRZ whose check digits fail), a field it left for review.
    A code not read at all is not named: a card without one (an older card) has the same corner
    or band, and its fields show what was lost; nor is one read whole: glare cost it nothing, and
    the white band a back's MRZ is printed on, in a photo cut to the card or a scan, is as white
    and bare at its edges as glare."""
    if not quality.glare:
        return [], False
    zones, costly = [], False
    for code in page.codes:
        if not code.valid and under_glare(quality, code.bbox):
            zones.append("qr_code" if code.kind == "qr" else "mrz")
            costly = True
    back = any(c.kind == "mrz" for c in page.codes) or any(n in fields for n in BACK)
    if not back and _over_portrait(quality):
        zones.append("portrait")  # no field is lost, but the clerk compares the face with the citizen's
    read_off_codes = {c.bbox for c in page.codes}  # a code's fields stand where it does: named above
    for name, f in sorted(fields.items()):
        if f.bbox is None or not f.review or tuple(f.bbox) in read_off_codes:
            continue
        if under_glare(quality, tuple(f.bbox)):
            zones.append(name)
            costly = costly or under_glare(quality, tuple(f.bbox), RETAKE_SHARE)
    return zones, costly


def _over_portrait(quality: Capture) -> bool:
    """Glare over the holder's photo: a photo's light background is as white and even as glare, so
    the glare must also reach past it onto the card around it."""
    inside = _pixels(PORTRAIT_MM)
    x0, y0, x1, y1 = _pixels(tuple(v + d for v, d in zip(PORTRAIT_MM, (-AROUND_MM, -AROUND_MM, AROUND_MM, AROUND_MM))))
    around = quality.glare_over((x0, y0, x1, y1)) * (x1 - x0) * (y1 - y0)
    within = quality.glare_over(inside) * (inside[2] - inside[0]) * (inside[3] - inside[1])
    return quality.glare_over(inside) >= GLARE_ZONE and around - within >= (AROUND_MM * CARD_PER_MM) ** 2


def _pixels(mm: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return tuple(v * CARD_PER_MM for v in mm)
