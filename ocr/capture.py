"""How well an ID card was photographed, judged on the flattened card while the citizen is still
at the desk: how many pixels of the photo each millimetre of the card had, how sharp its print
is, and where glare (the ceiling light on the laminate) washed the print out.

Glare is paper burnt white and grey-free with no dark print left near it: the card's own paper is
tinted (guilloche), its white bands hold black print, and the darkest print within a few
millimetres of a point tells whether anything there can still be read. It is looked for on the
card reduced to SCALE pixels per millimetre and reported as the cells of a 2-mm grid it
covers, joined into boxes along each row of cells, on the upright card page: what lies under
them (a field's print, the QR code, the MRZ, the holder's photo) is the reader's to say.

Thresholds are calibrated on bench/cards.py's tuning part (README, "ID cards in photos": how the photo was taken).
"""

from __future__ import annotations

import cv2
import numpy as np

from . import card
from .model import Capture

# Under this many pixels of the photo per millimetre of the card, a chip card's QR code (modules of
# about 0.3 mm) is read on fewer than half the photos (bench/cards.py's generator, tuning seeds:
# 1 of 15 under 4.5, 10 of 26 from 4.5 to 5.5, 17 of 18 from 5.5 to 6.5), and print is guessed at.
TOO_SMALL = 5.5
SCALE = 5  # pixels per millimetre of the reduced card both are judged on (a quarter of the flattened card)
BLOWN = 230  # of 255, the darkest channel of paper burnt white by the light
GREYNESS = 40  # most difference between channels of burnt paper (the card's paper is tinted)
NO_PRINT = 170  # darkest channel, near a point, above which no print is left there to read
NEAR_MM = 2.4  # how near: about a line of a card's print
CELL_MM = 2.0
CELL_SHARE = 0.5  # of a cell under glare for the cell to be
SMALLEST_GLARE = 3  # cells (12 mm²): a blown speck on a white band reads through
BLURRED = 60.0  # variance of the Laplacian per unit of contrast: under it print is smeared (tuning photos: 79 and up)


def assess(flat: np.ndarray, corners: np.ndarray) -> Capture:
    """The capture of the upright flattened card (RGB, card.CARD_WIDTH wide) cut out of the photo
    at ``corners``."""
    per_mm = card.CARD_WIDTH / card.WIDTH_MM
    small = cv2.resize(flat, (round(card.WIDTH_MM * SCALE), round(flat.shape[0] * SCALE / per_mm)),
                       interpolation=cv2.INTER_AREA)
    channels = cv2.split(small)  # OpenCV's per-pixel min and max: numpy's over the colour axis cost 10 times more
    darkest = cv2.min(cv2.min(channels[0], channels[1]), channels[2])
    lightest = cv2.max(cv2.max(channels[0], channels[1]), channels[2])
    resolution, sharpness = pixels_per_mm(corners), _sharpness(darkest)
    return Capture(round(resolution, 2), round(sharpness, 1), resolution < TOO_SMALL, sharpness < BLURRED,
                   _boxes(_glare(darkest, lightest), per_mm / SCALE))


def pixels_per_mm(corners: np.ndarray) -> float:
    """Pixels of the photo per millimetre of the card, along its longer pair of sides."""
    sides = card.side_lengths(corners)
    return max(sides[0] + sides[2], sides[1] + sides[3]) / 2 / card.WIDTH_MM


def _glare(darkest: np.ndarray, lightest: np.ndarray) -> np.ndarray:
    """Where the reduced card (its darkest and lightest channel) is burnt white with no print near."""
    burnt = (darkest >= BLOWN) & (cv2.subtract(lightest, darkest) <= GREYNESS)
    near = 2 * round(NEAR_MM * SCALE / 2) + 1
    unprinted = cv2.erode(darkest, np.ones((near, near), np.uint8)) >= NO_PRINT
    return burnt & unprinted


def _boxes(mask: np.ndarray, scale: float) -> tuple[tuple[float, float, float, float], ...]:
    """The glare's cells of CELL_MM, those of glare patches big enough to matter, as boxes of
    runs along each row of cells, in pixels of the page (``scale`` of them per mask pixel)."""
    cell = round(CELL_MM * SCALE)
    rows, cols = mask.shape[0] // cell, mask.shape[1] // cell
    share = mask[:rows * cell, :cols * cell].reshape(rows, cell, cols, cell).mean(axis=(1, 3))
    cells = (share >= CELL_SHARE).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(cells, connectivity=8)
    cells = np.isin(labels, [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= SMALLEST_GLARE])
    boxes = []
    size = cell * scale
    for r in range(rows):
        c = 0
        while c < cols:
            if cells[r, c]:
                start = c
                while c < cols and cells[r, c]:
                    c += 1
                boxes.append((start * size, r * size, c * size, (r + 1) * size))
            c += 1
    return tuple(tuple(round(v, 1) for v in b) for b in boxes)


def _sharpness(darkest: np.ndarray) -> float:
    """Variance of the Laplacian of the reduced card's darkest channel, over the variance of that
    channel itself: sharp print has strong second derivatives for its contrast, a smeared one not."""
    gray = darkest.astype(np.float32)
    contrast = float(gray.var())
    return float(cv2.Laplacian(gray, cv2.CV_32F).var()) / max(contrast, 1.0) * 1000
