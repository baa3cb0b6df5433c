"""What the clerk is told about how an ID card was photographed, while the citizen is at the desk.

A card photo can fail the reading before any letter is read: no card found in it, the card too
small in the frame, its print smeared, glare over part of it. Each is a problem of the document
saying what it cost (which parts of the card glare covers: the QR code, the MRZ, the holder's
photo, a field's print) and what to do; the photo is to be taken again (``retake``) when a
problem cost something no other source made up for: a code not read, a field left for review,
the holder's photo.
"""

from __future__ import annotations

from collections.abc import Mapping

from ocr.model import Capture, PageResult
from repository.model import CaptureProblem, CaptureReport, Field

from .extract import ExtractedField
from .extract.card import CARD_PER_MM, under_glare

# Where a card's layout puts what glare may cover, in millimetres of the upright card: the QR code
# in the top right corner of a chip card's front, the holder's photo on its left, the MRZ along
# the bottom of its back (tests/vncards.py draws the cards from the published layouts).
QR_CORNER_MM = (66.0, 0.0, 85.6, 19.0)
PORTRAIT_MM = (2.0, 13.0, 25.0, 43.0)
MRZ_BAND_MM = (0.0, 37.0, 85.6, 53.98)
FRONT = ("full_name",)  # only a front prints the holder's name
GLARE_ZONE = 0.1  # of a zone under glare for it to be named
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
    if not taken:
        return CaptureReport(retake=True, problems=[CaptureProblem(kind="card_not_found", text=NOT_FOUND)])
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


def _glare_zones(page: PageResult, quality: Capture, fields: Mapping[str, Field | ExtractedField]) -> tuple[list[str], bool]:
    """The parts of the card glare covers, and whether it cost anything: a code left unread, the
    holder's photo, a field left for the clerk because of it."""
    if not quality.glare:
        return [], False
    codes = {c.kind: c for c in page.codes}
    front = "qr" in codes or ("mrz" not in codes and any(n in fields for n in FRONT))
    zones, costly = [], False
    for zone, code, layout in (("qr_code", "qr", QR_CORNER_MM), ("mrz", "mrz", MRZ_BAND_MM)):
        if (code == "qr") != front:
            continue
        box = codes[code].bbox if code in codes else _pixels(layout)
        if under_glare(quality, box):
            zones.append(zone)
            costly = costly or code not in codes or not codes[code].valid
    if front and _over_portrait(quality):
        zones.append("portrait")
        costly = True
    read_off_codes = {c.bbox for c in page.codes}  # a code's fields stand where it does: named above
    for name, f in sorted(fields.items()):
        if f.bbox is not None and f.review and tuple(f.bbox) not in read_off_codes and under_glare(quality, tuple(f.bbox)):
            zones.append(name)
            costly = True
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
