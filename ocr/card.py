"""An ID card in a photo: found, cut out, flattened to its own geometry and turned upright.

A card on a desk is a rounded rectangle of ID-1 proportions (85.60 × 53.98 mm) that differs
from what lies around it: lighter than wood, paler than cloth, edged by its own shadow on a
white table. Several masks of "not the background" are tried (the background's colour is
learnt from the frame's border, where the card never is), and the region whose outline is
best fitted by a quadrilateral of a card's proportions wins, if its four sides lie on edges of
the photo (ocr/cardoutline.py): a mask that joined a shadow or a shaded corner of the paper to
the card gives a quadrilateral with a side on no edge. When none does, the card's own edges
outline it. Its sides are fitted as lines through the outline, so the rounded corners do not
pull them in, and the four intersections map the card to a flat image at a fixed resolution.
The hand holding the card, which joins its region from the frame's edge, is trimmed off; on a
checked cloth, granite or a printed form, whose light parts join the card's region, what is
finer than the smallest card is opened away; on a printed form, the form's print is closed over
so that the card's surface stands out from even paper; and when nothing else is outlined, the
photo is blurred until a checked cloth is one colour. Where a mask's outline is only near the
card (the form's print or the cloth joined to it), its sides are moved onto the card's edges
(ocr/cardpattern.py). A quadrilateral with more card than background just outside it (the
fingerprint boxes printed on a back) is not the card.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np

from . import cardoutline, cardpattern

WIDTH_MM, HEIGHT_MM = 85.60, 53.98
RATIO = WIDTH_MM / HEIGHT_MM
CARD_WIDTH = 1712  # pixels of the flattened card: 20 px/mm, capitals of 2-mm print about 28 px high
DPI = round(CARD_WIDTH / (WIDTH_MM / 25.4))
WORK = 1000  # long side of the reduced photo the card is looked for in
MIN_AREA, MAX_AREA = 0.02, 0.85  # of the frame
RATIO_RANGE = (1.42, 1.90)  # of the quadrilateral's mean sides: perspective bends the true ratio
# An A4 page (1.414) photographed at a slant can look as long as a card: a card that short must
# also be small in the frame, as a card photographed whole is and a page rarely is.
PAGE_LIKE_RATIO, PAGE_LIKE_AREA = 1.50, 0.30
MIN_FILL = 0.90  # of the fitted quadrilateral's area covered by the region
# Opposite sides' ratios multiplied: a card photographed with the phone held at 35-40 degrees
# has its near side some 1.4 times its far side.
PARALLEL = 0.6
LAST_RESORT = 4  # the masks of _masks from this one on are tried only when no card is outlined by edges
# A page of plain print is told from a photo that may hold a card on a sample of the frame about
# this many points long, its points some 2 mm apart on an A4 scan at 300 dpi.
PLAIN_SAMPLE = 500
PLAIN_TONE = 10  # levels of 255 by which paper, its print taken away, may differ from its border
PLAIN_SHARE = MIN_AREA / 4  # of the frame: less than this differing from paper is a plain page
STROKE = 15  # pixels of the reduced photo: a form's lines of print under a card are thinner than this


@dataclass(frozen=True)
class Found:
    corners: np.ndarray  # 4 × 2 float32, photo pixels: top-left, top-right, bottom-right, bottom-left
    score: float


def find(pixels: np.ndarray) -> Found | None:
    """The card's corners in the photo, the long sides horizontal (which way up is not known
    here), or None when the photo is a page of plain print or nothing in it has a card's shape."""
    if plain_page(pixels):
        return None  # a scanned page of text: the masks below would only outline its paragraphs
    return find_anywhere(pixels)


def find_anywhere(pixels: np.ndarray) -> Found | None:
    """`find` without first asking whether the photo is a page of plain print."""
    height, width = pixels.shape[:2]
    scale = WORK / max(height, width)
    small = cv2.resize(pixels, (max(1, round(width * scale)), max(1, round(height * scale))),
                       interpolation=cv2.INTER_AREA)
    if small.ndim == 2:
        small = cv2.cvtColor(small, cv2.COLOR_GRAY2RGB)
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_RGB2LAB)  # shared by the masks
    distance = _background_distance(lab)
    # The photo with a printed form's print closed over (by a square wider than its lines of
    # print): the form is even paper there, and the card's tinted surface and its photo stand out.
    unprinted = _background_distance(cv2.morphologyEx(lab, cv2.MORPH_CLOSE, np.ones((STROKE, STROKE), np.uint8)),
                                      smooth=True)
    edges = cardoutline.edges(lab)
    area = small.shape[0] * small.shape[1]
    candidates: list[tuple[Found, int, bool]] = []  # each with its mask's number, and whether edges support it
    for number, (mask, settle, held) in enumerate(_masks(small, lab, distance, unprinted, edges)):
        if number == LAST_RESORT and any(on_edges for _, _, on_edges in candidates):
            break  # shaded paper, patterned tables and the edges' outline only when no card is outlined by edges
        candidates += [(Found(corners, found.score), number, cardoutline.supported(edges, corners))
                       for contour, outline in _regions(mask, held)
                       if (found := _fit(contour, area, outline)) is not None
                       and (corners := settle(found.corners)) is not None and _alone(unprinted, corners)]
    if not candidates:
        return None
    # A quadrilateral whose sides lie on edges before one that a mask joined to a shaded corner
    # of the paper or cut short, however well it fits a card's shape.
    best, number, _ = max(candidates, key=lambda c: (c[2], c[0].score))
    if any(not _overlap(best.corners, other.corners) for other, n, _ in candidates if n == number):
        return None  # two cards in one picture (a photocopy of front and back): read it as a page
    return Found((best.corners / np.float32(scale)).astype(np.float32), best.score)


def plain_page(pixels: np.ndarray) -> bool:
    """Whether the frame is paper and thin print only, as a flatbed scan of a typed page is: with
    the print taken away (each point of a sparse sample the lightest of its neighbours), all but
    less than a quarter of the smallest card the finder takes is the colour of the frame's border.
    A card is a surface of its own, tinted or greyer than paper, and a photo's desk, shade and
    light are never that even, so both go on to the finder."""
    height, width = pixels.shape[:2]
    step = max(1, -(-max(height, width) // PLAIN_SAMPLE))
    sample = np.ascontiguousarray(pixels[::step, ::step])
    paper = cv2.dilate(sample, np.ones((3, 3), np.uint8)).reshape(*sample.shape[:2], -1).astype(np.int16)
    border = np.concatenate([edge.reshape(-1, paper.shape[2])
                             for edge in (paper[:4], paper[-4:], paper[:, :4], paper[:, -4:])])
    colour = np.median(border, axis=0).astype(np.int16)
    differs = (np.abs(paper - colour) > PLAIN_TONE).any(axis=2)
    return float(differs.mean()) < PLAIN_SHARE


def warp(pixels: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The card flattened to CARD_WIDTH × its height, as the corners give it."""
    size = (CARD_WIDTH, round(CARD_WIDTH / RATIO))
    target = np.float32([[0, 0], [size[0] - 1, 0], [size[0] - 1, size[1] - 1], [0, size[1] - 1]])
    homography = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(pixels, homography, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _background_distance(lab: np.ndarray, smooth: bool = False) -> np.ndarray:
    """How far each pixel's colour is from the background's, in units of the background's own
    spread. The background is learnt along the frame's edge, where the card never is: as one
    colour, or (``smooth``) as a surface, a quadratic in x and y per colour channel, for white
    paper in the shade of the phone, which changes across the frame more than a pale card
    differs from it. ``lab`` is the reduced photo, blurred, in 8-bit L*a*b*."""
    height, width = lab.shape[:2]
    ring = np.zeros((height, width), bool)
    ring[:8], ring[-8:], ring[:, :8], ring[:, -8:] = True, True, True, True
    ys, xs = np.nonzero(ring)
    pick = slice(None, None, max(1, len(ys) // 4000))
    ys, xs = ys[pick], xs[pick]

    def terms(y: np.ndarray, x: np.ndarray) -> np.ndarray:
        y, x = y / height - 0.5, x / width - 0.5
        return np.stack([np.ones_like(x), x, y, x * x, y * y, x * y], axis=-1)

    samples = lab[ys, xs].astype(np.float32)
    if not smooth:
        centre = np.median(samples, axis=0)
        spread = np.maximum(np.percentile(np.abs(samples - centre), 90, axis=0), 4.0)
        return cv2.GaussianBlur(_norm(lab, centre, spread), (0, 0), 3)
    coefficients, *_ = np.linalg.lstsq(terms(ys.astype(np.float32), xs.astype(np.float32)), samples, rcond=None)
    residual = samples - terms(ys.astype(np.float32), xs.astype(np.float32)) @ coefficients
    spread = np.maximum(np.percentile(np.abs(residual), 90, axis=0), 3.0)
    # The surface a + b·x + c·y + d·x² + e·y² + f·x·y, per channel, summed from a column of its
    # y terms and a row of its x terms: a fraction of the work of six whole-frame arrays.
    y = (np.arange(height, dtype=np.float32) / height - 0.5)[:, None]
    x = (np.arange(width, dtype=np.float32) / width - 0.5)[None, :]
    surface = np.stack([(a + c * y + e * y * y) + (b * x + d * x * x) + f * (y * x)
                        for a, b, c, d, e, f in coefficients.T.astype(np.float32)], axis=-1)
    return cv2.GaussianBlur(_norm(lab, surface, spread), (0, 0), 3)


def _norm(lab: np.ndarray, centre: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Per pixel, the length of (lab - centre) / spread, one channel at a time: numpy's sum
    over the last axis of a whole frame costs several times more."""
    total = np.zeros(lab.shape[:2], np.float32)
    for channel in range(3):
        level = centre[..., channel] if np.ndim(centre) == 3 else centre[channel]  # a surface, or one colour
        part = (lab[..., channel].astype(np.float32) - level) * np.float32(1 / spread[channel])
        total += part * part
    return np.sqrt(total)


STANDS_OUT = 1.5  # median distance from the background inside a card: a card is not the paper it lies on


def _stands_out(distance: np.ndarray, corners: np.ndarray) -> bool:
    """Whether the inside of the quadrilateral differs from the background: a card drawn or
    photocopied on a page is the page's own paper inside its outline, and is read as a page."""
    mask = np.zeros(distance.shape, np.uint8)
    centre = corners.mean(axis=0)
    inner = centre + (corners - centre) * 0.8
    cv2.fillConvexPoly(mask, np.round(inner).astype(np.int32), 1)
    return float(np.median(distance[mask > 0])) >= STANDS_OUT


AROUND = 2.0  # median distance from the background, at most, just outside a card


def _alone(unprinted: np.ndarray, corners: np.ndarray) -> bool:
    """Whether what lies just outside the quadrilateral (a band of a seventh of its size; the
    print of a form closed over) is mostly background: a rectangle printed on a card, its
    fingerprint boxes, has the card's own surface all around it."""
    centre = corners.mean(axis=0)
    band = np.zeros(unprinted.shape, np.uint8)
    cv2.fillConvexPoly(band, np.round(centre + (corners - centre) * 1.2).astype(np.int32), 1)
    cv2.fillConvexPoly(band, np.round(centre + (corners - centre) * 1.06).astype(np.int32), 0)
    return not band.any() or float(np.median(unprinted[band > 0])) <= AROUND


def _overlap(a: np.ndarray, b: np.ndarray) -> bool:
    return cv2.pointPolygonTest(a.reshape(-1, 1, 2), tuple(float(v) for v in b.mean(axis=0)), False) >= 0


def _masks(small: np.ndarray, lab: np.ndarray, distance: np.ndarray, unprinted: np.ndarray, edges: np.ndarray):
    """Binary images in which the card may stand out as one region, each with what becomes of a
    quadrilateral found in it (the card's corners, or None: its inside must stand out from the
    background; on a pattern its sides are moved onto the card's edges first), and
    whether the hand holding the card may join it there (`lab`: `small` blurred, in L*a*b*;
    `unprinted`: its distance from the background with a form's print closed over; `edges`: its
    edges, from cardoutline). In the outlines of edges, what joins the card is print
    beside it, and trimming it leaves rectangles printed on the card."""
    stands_out = partial(_kept, partial(_stands_out, distance))
    lightness = np.ascontiguousarray(lab[..., 0])
    saturation = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)[..., 1]
    plain = (_otsu(np.clip(distance * 32, 0, 255).astype(np.uint8)),
             _otsu(lightness),  # a light card on a dark desk
             _otsu(255 - cv2.GaussianBlur(saturation, (9, 9), 0)))  # a pale card on coloured cloth
    for mask in plain:
        yield mask, stands_out, True
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    grey_edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 30, 90)
    closed = cv2.morphologyEx(grey_edges, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    filled = np.zeros_like(closed)
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(filled, contours, -1, 255, thickness=cv2.FILLED)
    yield filled, stands_out, False  # a card on a table of its own colour: only its outline tells
    shaded = _background_distance(lab, smooth=True)
    yield _otsu(np.clip(shaded * 32, 0, 255).astype(np.uint8)), partial(_kept, partial(_stands_out, shaded)), True
    # A card on a printed form, whose print differs from the paper more than the card does: in
    # `unprinted` the form is even paper. The closing also joins to the card the print just
    # beside it, so its sides are moved onto the card's edges.
    gradients = cardpattern.gradients(lab)
    # Otsu's threshold of the distance up to 4 spreads: the card's photo, far from the paper, would
    # otherwise set it above the card's pale parts.
    yield (_otsu(np.clip(unprinted * 64, 0, 255).astype(np.uint8)),
           partial(_on_pattern, gradients, partial(_stands_out, unprinted)), True)
    for mask in plain:  # a card on a checked cloth, granite or a printed page
        yield _coarse(mask), stands_out, True
    # A pale card on paper in uneven light, which Otsu's threshold joins to the frame's shaded
    # corner: its own edges outline it, and nothing may be drawn just outside its sides.
    yield cardoutline.hulls(edges), partial(_kept, lambda corners: (_stands_out(shaded, corners)
                                                                    and cardoutline.clear_around(edges, corners))), False
    # A card on a checked cloth that no mask above outlines: the cloth seen as one colour, and the
    # sides of what stands out from it moved onto the card's edges.
    for blurred in cardpattern.blurred(lab, _smallest(lab.shape)):
        far = _background_distance(blurred)
        yield (_otsu(np.clip(far * 32, 0, 255).astype(np.uint8)),
               partial(_on_pattern, gradients, partial(_stands_out, far)), True)


def _kept(test, corners: np.ndarray) -> np.ndarray | None:
    return corners if test(corners) else None


def _on_pattern(gradients: cardpattern.Gradients, stands_out, corners: np.ndarray) -> np.ndarray | None:
    """A quadrilateral of a blurred mask moved onto the card's sides (ocr/cardpattern.py), if its
    inside stands out and its sides so moved lie on steep changes of the photo."""
    if not stands_out(corners) or (sides := cardpattern.snapped(corners, gradients)) is None:
        return None
    return meeting(sides)


def _coarse(mask: np.ndarray) -> np.ndarray:
    """The mask without what is narrower than the smallest card the finder takes, a third of its
    short side: the squares of a checked cloth, the specks of granite, the lines of a printed
    page, which join the card's region where they are as light, pale or far from the border's
    colour as it is."""
    return _opened(mask, cv2.distanceTransform(mask, cv2.DIST_L2, 5), _smallest(mask.shape) / 6)


def _smallest(shape: tuple[int, ...]) -> float:
    """The short side of the smallest card looked for in a frame of ``shape``."""
    return float(np.sqrt(MIN_AREA * shape[0] * shape[1] / RATIO))


def _opened(mask: np.ndarray, inside: np.ndarray, reach: float) -> np.ndarray:
    """``mask`` without what is narrower than twice ``reach``: an opening by a disc, from the
    distance of each point of the mask to its outside (``inside``) and a second distance
    transform, far cheaper than a morphological opening by a disc that large."""
    core = np.where(inside > reach, 0, 1).astype(np.uint8)
    return np.where(cv2.distanceTransform(core, cv2.DIST_L2, 5) <= reach, mask, 0).astype(np.uint8)


def _otsu(channel: np.ndarray) -> np.ndarray:
    _, mask = cv2.threshold(channel, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))


def _regions(mask: np.ndarray, held: bool):
    """Outlines of the mask's regions of a card's possible size, holes filled (the card's own
    dark print and photo make holes), each with the outline its sides are fitted to: itself, or
    for a card held in the hand, the outline before the hand was trimmed off, whose corners are
    the card's."""
    area = mask.shape[0] * mask.shape[1]
    for candidate in (mask, 255 - mask):
        contours, _ = cv2.findContours(candidate, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        for contour in contours:
            if not MIN_AREA * area <= cv2.contourArea(contour) <= MAX_AREA * area:
                continue
            if not _touches(contour, mask.shape):
                yield contour, contour
            elif held:  # the hand holding the card reaches in from the frame's edge and joins it
                card = _trimmed(contour, mask.shape)
                if not _touches(card, mask.shape) and cv2.contourArea(card) >= MIN_AREA * area:
                    yield card, contour


FINGER = 0.6  # of the card's half-width: a finger or thumb over its edge is narrower than this


def _trimmed(contour: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The region without what sticks out of it narrower than a finger: the hand holding the
    card, the same colour as the card against the table, joins it in the masks. The card is the
    region's widest part (its half-width the farthest any point lies inside); an opening takes
    away what is narrower than 0.6 of its width and leaves it, its
    corners rounder, which the fit of its sides' middles ignores. Of what is left, the largest
    part clear of the frame's edge, where the hand comes from."""
    region = np.zeros(shape[:2], np.uint8)
    cv2.drawContours(region, [contour], -1, 1, thickness=cv2.FILLED)
    inside = cv2.distanceTransform(region, cv2.DIST_L2, 5)
    opened = _opened(region, inside, FINGER * float(inside.max()))
    contours, _ = cv2.findContours(opened, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    clear = [c for c in contours if not _touches(c, shape)]
    return max(clear or contours, key=cv2.contourArea) if contours else contour


def _touches(contour: np.ndarray, shape: tuple[int, ...]) -> bool:
    x, y, w, h = cv2.boundingRect(contour)
    return x <= 1 or y <= 1 or x + w >= shape[1] - 1 or y + h >= shape[0] - 1


def _fit(contour: np.ndarray, frame_area: float, outline: np.ndarray) -> Found | None:
    """The card's quadrilateral fitted to a region, or None when the region has no card's shape.
    A region trimmed of the hand holding the card has corners rounded by the trimming: the
    rectangle that holds it least wastefully starts the fit instead of its polygon, and the fit
    of the sides to the outline before trimming, first from afar, then closely, brings it to the
    card's sides."""
    trimmed = contour is not outline
    quad = cv2.boxPoints(cv2.minAreaRect(contour)).astype(np.float32) if trimmed else _polygon(contour)
    if quad is None:
        return None
    corners = _order(quad)
    for band in (0.1, 0.03) if trimmed else (0.03,):
        corners = _refine(corners, outline.reshape(-1, 2).astype(np.float32), band)
        if corners is None:
            return None
    sides = side_lengths(corners)
    if (sides[1] + sides[3]) > (sides[0] + sides[2]):  # the card stands on its short side: start at its long side
        corners = np.roll(corners, -1, axis=0)
    ratio, parallel = proportions(corners)
    if not RATIO_RANGE[0] <= ratio <= RATIO_RANGE[1]:
        return None
    if ratio < PAGE_LIKE_RATIO and cv2.contourArea(corners) > PAGE_LIKE_AREA * frame_area:
        return None
    fill = cv2.contourArea(contour) / max(cv2.contourArea(corners), 1.0)
    if not MIN_FILL <= fill <= 1.05:
        return None
    if parallel < PARALLEL:
        return None
    score = parallel * (1 - abs(np.log(ratio / RATIO))) * min(fill, 1.0) + 0.001 * np.sqrt(cv2.contourArea(corners))
    return Found(corners, float(score))


def proportions(corners: np.ndarray) -> tuple[float, float]:
    """The quadrilateral's mean first and third sides over its mean second and fourth, and how
    alike its opposite sides are (their ratios, each at most 1, multiplied): a card seen from
    above has its opposite sides nearly parallel and alike in length."""
    sides = side_lengths(corners)
    ratio = (sides[0] + sides[2]) / max(sides[1] + sides[3], 2.0)
    return ratio, min(sides[0], sides[2]) / max(sides[0], sides[2]) * min(sides[1], sides[3]) / max(sides[1], sides[3])


def shaped(corners: np.ndarray) -> bool:
    """Whether the quadrilateral, its first side a long one, has a card's proportions."""
    ratio, parallel = proportions(corners)
    return RATIO_RANGE[0] <= ratio <= RATIO_RANGE[1] and parallel >= PARALLEL


def _polygon(contour: np.ndarray) -> np.ndarray | None:
    """The four corners of the region's hull, simplified as little as gives four, if any does."""
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for epsilon in (0.02, 0.03, 0.04, 0.06, 0.08):
        approx = cv2.approxPolyDP(hull, epsilon * perimeter, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
        if len(approx) < 4:
            return None
    return None


def side_lengths(corners: np.ndarray) -> list[float]:
    """The four sides of a quadrilateral, from the first corner on."""
    return [float(np.linalg.norm(corners[i] - corners[(i + 1) % 4])) for i in range(4)]


def _refine(corners: np.ndarray, outline: np.ndarray, band: float = 0.03) -> np.ndarray | None:
    """Corners as the intersections of lines fitted to the middle of each side of the outline:
    a rounded corner would otherwise cut the rectangle short."""
    lines = []
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        direction = b - a
        length = float(np.linalg.norm(direction))
        if length < 10:
            return None
        unit = direction / length
        normal = np.float32([-unit[1], unit[0]])
        relative = outline - a
        along = relative @ unit
        across = np.abs(relative @ normal)
        near = outline[(along > 0.15 * length) & (along < 0.85 * length) & (across < max(3.0, band * length))]
        if len(near) < 5:
            lines.append((a, unit))
            continue
        vx, vy, x0, y0 = cv2.fitLine(near, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.float32([x0, y0]), np.float32([vx, vy])))
    result = meeting(lines)
    if result is None:
        return None
    if np.abs(result - corners).max() > 0.1 * np.linalg.norm(corners[0] - corners[2]):
        return corners  # the fit went astray (glare cut the outline): keep the polygon's corners
    return result


def meeting(lines: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray | None:
    """The corners where each of four lines (a point and a direction each) meets the one before
    it, or None when two of them are parallel."""
    corners = []
    for i in range(4):
        (p, u), (q, v) = lines[(i - 1) % 4], lines[i]
        matrix = np.array([[u[0], -v[0]], [u[1], -v[1]]], dtype=np.float64)
        if abs(np.linalg.det(matrix)) < 1e-6:
            return None
        t = np.linalg.solve(matrix, (q - p).astype(np.float64))[0]
        corners.append(p + u * t)
    return np.float32(corners)


def _order(points: np.ndarray) -> np.ndarray:
    """Clockwise from the point nearest the top-left, in image coordinates."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    ordered = points[np.argsort(angles)]  # clockwise on screen (y points down)
    start = int(np.argmin(ordered.sum(axis=1)))
    return np.roll(ordered, -start, axis=0)
