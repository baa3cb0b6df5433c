"""A card on a patterned surface, for the card finder (ocr/card.py): a checked tablecloth, whose
light squares are as light and pale as the card and join its region in every mask of colour,
however its fine parts are opened away.

Seen at the scale of the pattern's repeat, a checked cloth is one even colour, and the card, a
surface of its own, still differs from it: in the photo blurred that much (`blurred`), the
distance from the background's colour (learnt along the frame's edge, as ocr/card.py does)
separates the card. The blur rounds the card's outline, so the quadrilateral fitted to it is
only near the card; each side is then moved onto the straight line beside it along which the
photo changes most across the side (`snapped`), and the quadrilateral is the card only if each
side so moved lies on such a change for most of its length. (The edges ocr/cardoutline.py keeps,
above the border's texture, miss a card's sides there: the border's strongest texture is the
cloth's own edges, stronger than a pale card's edge against its light squares.) A card on a
printed form is seldom found so: its white parts are as far from the paper as the form's print
is, even blurred, and its sides against the paper change the photo too little.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

BLURS = (1 / 12, 1 / 6)  # of the smallest card's short side: a checked cloth's repeat is at most a third of it
REACH = 0.02  # of the quadrilateral's diagonal: how far across itself each end of a side may move
# A card's side on a pattern changes the photo across it, by this much of Sobel's gradient (four
# times a step of 5 levels in the strongest L*a*b* channel) along this share of its middle at least:
# a line through a checked cloth crosses its squares, along which it does not.
STEP, ON_STEP = 20.0, 0.75
STEPS = np.linspace(0.1, 0.9, 60, dtype=np.float32)  # the points of a side (its middle 80%) measured
LEAST = round(len(STEPS) * (1 - ON_STEP))  # of those points, how many may change the photo less


def blurred(lab: np.ndarray, smallest: float) -> Iterator[np.ndarray]:
    """The photo (8-bit L*a*b*) blurred to the scales of a pattern's repeat, for ``smallest`` the
    short side of the smallest card looked for."""
    for blur in BLURS:
        yield cv2.GaussianBlur(lab, (0, 0), blur * smallest)


Gradients = list[tuple[np.ndarray, np.ndarray]]  # per L*a*b* channel, Sobel's x and y


def gradients(lab: np.ndarray) -> Gradients:
    return [(cv2.Sobel(channel, cv2.CV_32F, 1, 0), cv2.Sobel(channel, cv2.CV_32F, 0, 1)) for channel in cv2.split(lab)]


def snapped(corners: np.ndarray, gradients: Gradients) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """The quadrilateral's sides (a point and a direction each) each moved, each of its ends by
    up to REACH of the diagonal across it, onto the straight line along which the photo changes
    most across the side; None when a side so moved does not lie on such a change (STEP) for
    most of its length (ON_STEP)."""
    reach = REACH * float(np.linalg.norm(corners[0] - corners[2]))
    lines = []
    for i in range(4):
        if (line := moved(corners[i], corners[(i + 1) % 4], gradients, reach, steady=True)) is None:
            return None
        lines.append(line)
    return lines


def moved(a: np.ndarray, b: np.ndarray, gradients: Gradients, reach: float,
          steady: bool = False) -> tuple[np.ndarray, np.ndarray] | None:
    """The side from ``a`` to ``b`` (a point and a direction) moved, each of its ends by up to
    ``reach`` pixels across it, onto the straight line along which the photo changes most across
    it, on the mean or (``steady``) along most of its length (ON_STEP); None when no line there
    lies on such a change (STEP) for most of its length. A side near the card (the finder's) is
    moved steadily: a line of a form's print beside a pale card has steeper strokes than the
    card's edge, on a few points. Moved a long way (a card placed by its QR code), the mean keeps
    the card of a photocopy of both sides from settling on the paste-up's edges."""
    shifts = np.arange(-round(reach), round(reach) + 1, dtype=np.float32)[:, None]
    along = (b - a) / max(float(np.linalg.norm(b - a)), 1.0)
    normal = np.float32([-along[1], along[0]])
    starts, ends = a + shifts * normal, b + shifts * normal
    # Every line from a moved start to a moved end, sampled: start × end × point × (x, y).
    points = (starts[:, None, None] * (1 - STEPS[None, None, :, None])
              + ends[None, :, None] * STEPS[None, None, :, None])
    across = _across(gradients, points, normal)
    along_most = np.partition(across, LEAST, axis=2)[..., LEAST]  # the steepness along ON_STEP of each line
    start, end = np.unravel_index(int(np.argmax(along_most if steady else across.mean(axis=2))), along_most.shape)
    if along_most[start, end] < STEP:
        return None
    return starts[start], ends[end] - starts[start]


def _across(gradients: Gradients, points: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """At each point, how steeply the photo changes along ``normal``: the strongest channel's."""
    height, width = gradients[0][0].shape
    xs = np.clip(np.round(points[..., 0]).astype(np.int32), 0, width - 1)
    ys = np.clip(np.round(points[..., 1]).astype(np.int32), 0, height - 1)
    return np.max([np.abs(dx[ys, xs] * normal[0] + dy[ys, xs] * normal[1]) for dx, dy in gradients], axis=0)
