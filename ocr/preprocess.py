"""Page geometry before recognition: is the text sideways, and how much is it skewed?

Both come from projection profiles of the dark pixels on a reduced copy: text lines make the
profile across them spiky, so the angle whose profile is spikiest is the angle of the lines.
It costs a few tens of milliseconds, much less than asking Tesseract.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

WORK_WIDTH = 1000  # pixels of the reduced copy: enough to resolve 13-pt lines at 0.05°
MAX_POINTS = 150_000
COARSE_POINTS = 40_000


UPRIGHT, UPSIDE_DOWN = 2.0, 0.5  # ink above / below the x-height band: only clear cases decide
MIN_LINES = 3  # fewer lines of text than this cannot tell up from down
MARGIN = 0.04  # of each side, left out of the analysis: scanner lids and page edges are not text


@dataclass(frozen=True)
class Geometry:
    sideways: bool  # text lines run vertically: the page is turned 90° or 270°
    skew: float  # degrees, counter-clockwise, of the text lines on the (upright) page
    # Ink above the lines' x-height band over ink below it. Ascenders, capitals and most
    # Vietnamese diacritics stand above the band, few letters reach below: far above 1 when
    # the page is upright, far below 1 when it is upside down. None without lines to judge.
    above_below: float | None = None

    @property
    def upside_down(self) -> bool | None:
        if self.above_below is None or UPSIDE_DOWN < self.above_below < UPRIGHT:
            return None  # cannot tell: ask Tesseract
        return self.above_below <= UPSIDE_DOWN


def analyse(gray: Image.Image, max_skew: float) -> Geometry:
    points = _dark_points(gray)
    if points is None:
        return Geometry(False, 0.0)
    ys, xs = points
    across, angle = _best_angle(ys, xs, max_skew)
    along, _ = _best_angle(xs, ys, max_skew, fine=False)  # only how spiky, not the exact angle
    if along > across * 1.3:
        return Geometry(True, 0.0)
    return Geometry(False, angle, _above_below(ys, xs, angle))


def _above_below(ys: np.ndarray, xs: np.ndarray, angle: float) -> float | None:
    theta = np.deg2rad(angle)
    rows = ys * np.cos(theta) + xs * np.sin(theta)
    profile = np.bincount((rows - rows.min()).astype(np.int64)).astype(np.float64)
    in_line = profile > profile.max() * 0.05
    edges = np.flatnonzero(np.diff(np.concatenate(([0], in_line.astype(np.int8), [0]))))
    bands = [profile[start:end] for start, end in zip(edges[::2], edges[1::2]) if end - start >= 4]
    typical = float(np.median([len(band) for band in bands])) if bands else 0.0
    above = below = 0.0
    lines = 0
    for band in bands:
        core = np.flatnonzero(band >= band.max() * 0.5)
        # Not a line of text, and its ink would vote at random: a band many lines tall (the
        # shadow round a photographed page, a photo), or a rule whose few dark rows make the
        # "core" and put the text beside it above or below (the photo frame on an ID card).
        if len(band) > 3 * typical or core[-1] - core[0] + 1 < len(band) / 4:
            continue
        lines += 1
        above += band[: core[0]].sum()
        below += band[core[-1] + 1:].sum()
    if lines < MIN_LINES or above + below < 50:
        return None
    return float(above / max(below, 1.0))


def deskew(image: Image.Image, skew: float) -> Image.Image:
    if abs(skew) < 0.1:
        return image
    # Bilinear: as good as bicubic for recognition at 300 dpi, and three times faster; OpenCV's
    # is several times faster again than Pillow's rotate, for the same turn about the centre.
    pixels = np.asarray(image)
    turn = cv2.getRotationMatrix2D((image.width / 2, image.height / 2), -skew, 1.0)
    upright = cv2.warpAffine(pixels, turn, (image.width, image.height), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))
    return Image.fromarray(upright)


def turn(image: Image.Image, degrees_clockwise: int) -> Image.Image:
    """Lossless quarter turns (Tesseract's OSD reports the clockwise turn to make upright)."""
    transpose = {
        90: Image.Transpose.ROTATE_270,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_90,
    }.get(degrees_clockwise % 360)
    return image.transpose(transpose) if transpose is not None else image


def reduced(gray: Image.Image, dpi: int, target_dpi: int = 150) -> tuple[Image.Image, int]:
    """A smaller copy for cheap whole-page decisions such as orientation detection."""
    if dpi <= target_dpi:
        return gray, dpi
    factor = target_dpi / dpi
    size = (max(1, round(gray.width * factor)), max(1, round(gray.height * factor)))
    return gray.resize(size, Image.Resampling.BOX), target_dpi


def _dark_points(gray: Image.Image) -> tuple[np.ndarray, np.ndarray] | None:
    pixels = np.asarray(gray if gray.mode == "L" else gray.convert("L"))
    height, width = pixels.shape
    dy, dx = round(height * MARGIN), round(width * MARGIN)
    pixels = pixels[dy:height - dy, dx:width - dx]
    factor = min(1.0, WORK_WIDTH / pixels.shape[1])
    if factor < 1:
        size = (max(1, round(pixels.shape[1] * factor)), max(1, round(pixels.shape[0] * factor)))
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
    threshold, _ = cv2.threshold(pixels, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ys, xs = np.nonzero(pixels < threshold)
    if len(ys) < 200 or len(ys) > pixels.size * 0.5:
        return None  # blank page, or a page so dark that lines cannot be told apart
    if len(ys) > MAX_POINTS:
        pick = np.random.default_rng(0).choice(len(ys), MAX_POINTS, replace=False)
        ys, xs = ys[pick], xs[pick]
    return ys.astype(np.float32), xs.astype(np.float32)


def _best_angle(ys: np.ndarray, xs: np.ndarray, max_skew: float, fine: bool = True) -> tuple[float, float]:
    """The spikiest row profile over angles: coarse 0.5° steps, then (if `fine`) 0.05° around
    the best."""

    def spikiness(angle: float, ys: np.ndarray = ys, xs: np.ndarray = xs) -> float:
        theta = np.deg2rad(angle)
        rows = ys * np.float32(np.cos(theta)) + xs * np.float32(np.sin(theta))
        counts = np.bincount((rows - rows.min()).astype(np.int64))
        return float(np.dot(counts, counts)) / len(ys) ** 2

    coarse = np.arange(-max_skew, max_skew + 0.25, 0.5)
    every = max(1, len(ys) // COARSE_POINTS)  # the coarse steps need far fewer points to tell
    best = max(coarse, key=lambda angle: spikiness(angle, ys[::every], xs[::every]))
    if fine:
        best = max(np.arange(best - 0.5, best + 0.5001, 0.05), key=spikiness)
    return spikiness(best), round(float(best), 2)
