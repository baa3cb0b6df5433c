"""Making a page image easy to read, without touching the archival image.

Each step looks at the page first and runs only when the page shows its problem: a clean
flatbed scan goes through untouched and as fast as before.

- page found in a photo: the page quadrilateral is cut out and its perspective corrected;
- uneven light and colour tint: the background is estimated (text removed by a grey
  dilation on a reduced copy) and divided out, per channel, which also white-balances;
- coloured ink (red seals, incoming-mail stamps, blue signatures): the recognised image takes,
  per pixel, the brightest channel, in which coloured ink is light and black text stays black,
  lightened by as much as the page's own ink needs to become paper;
- a table's vertical rules: long straight runs of ink down the page become paper (Tesseract
  reads them as "|" between the cells);
- dark border (a copier lid left open, a page smaller than the glass): dark rows and columns
  along the image's edges become paper;
- streaks (faxes): rows of scattered dots from margin to margin, a garbled scan line, become
  paper except where a letter's strokes cross them (ocr/streaks.py);
- specks (photocopies): small dark components go, except where the marks of Vietnamese text
  stand next to their letter (ocr/specks.py);
- show-through (bleed-through): mid-grey ink much lighter than the text becomes paper;
- low resolution: pages under 250 dpi are upscaled to 300 dpi.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from . import preprocess
from .specks import remove_specks
from .streaks import remove_streaks

TARGET_DPI = 300
MIN_DPI = 250
# The share of ink pixels far lighter than the strokes' core from which the lighter ones are
# taken for the other side of the sheet. Real 300-dpi agency scans have soft stroke edges and
# red seals in grey: 0.46-0.49 of their ink is that light (realworld-dev), and at 0.45 the step
# ran on them and erased the thin strokes of italics and tone marks ("tháng 01 năm 2025" read
# "tháng UI năm 21)35", "Nghị" read "Nsh†ị"); sheets with bleed-through are at 0.60-0.66
# (bench/degrade.py), clean prints at 0.18-0.44.
SHOW_THROUGH_MID = 0.55
BORDER_MAX = 0.06  # of the page's side: a dark band at the edge is never wider
_WHITE = (255, 255, 255)  # paper, for grey and colour images alike (OpenCV takes the first channels)


@dataclass
class Prepared:
    """The image to recognise (grey, at `dpi`), the steps that made it, and the colour page
    for the archival copy (`page`, at `page_dpi`): the scan itself, or the page cut out of a
    photo and flattened in perspective, so that the text layer lies on it."""

    gray: Image.Image
    dpi: int
    page: np.ndarray
    page_dpi: int
    steps: list[str] = field(default_factory=list)
    colour: bool = True  # whether the page holds colour worth keeping (else it is archived grey)


STEPS = ("page", "light", "ink", "rules", "border", "streaks", "specks", "show-through", "upscale")


def prepare(pixels: np.ndarray, dpi: int, skip: Collection[str] = ()) -> Prepared:
    """Run the steps (each only if the page needs it), except those named in `skip`, on a page
    of grey (rows × columns) or RGB pixels. A grey scan stays one channel throughout: three
    times less work, and it has no coloured ink."""
    page, page_dpi, steps = pixels, dpi, []
    small = _quarter(pixels)
    found = find_page(small, pixels.shape) if "page" not in skip else None
    if found is not None:
        homography, size = found
        pixels = cv2.warpPerspective(pixels, homography, size, flags=cv2.INTER_CUBIC, borderValue=_WHITE)
        small = _quarter(pixels)
        page, page_dpi = pixels, _a4_dpi(size)
        dpi = page_dpi
        steps.append("page")
    chroma = _chroma(pixels)
    colour = _colourful(chroma)  # of the page as archived, before any clean-up
    flat = flatten(pixels, small, dpi) if "light" not in skip else None
    if flat is not None:
        pixels = flat
        chroma = _chroma(pixels)
        steps.append("light")
    if chroma is None:
        gray = pixels
    elif "ink" not in skip and has_colour_ink(chroma):
        gray = drop_colour_ink(pixels)
        steps.append("ink")
    else:
        gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    ruled = remove_rules(gray, dpi) if "rules" not in skip else None
    if ruled is not None:
        gray = ruled
        steps.append("rules")
    cleared = clear_border(gray, dpi) if "border" not in skip else None
    if cleared is not None:
        gray = cleared
        steps.append("border")
    unstreaked = remove_streaks(gray, dpi) if "streaks" not in skip else None
    if unstreaked is not None:
        gray = unstreaked
        steps.append("streaks")
    specks = 0
    if "specks" not in skip:
        gray, specks = remove_specks(gray, dpi)
    if specks:
        steps.append("specks")
    # Below MIN_DPI a stroke is a pixel or two wide and most of its pixels are grey edges: the
    # grey that would show bleed-through is the text itself (a 576×960 letter read 15% of its
    # characters wrong with it removed, 9.7% without, bare Tesseract 11%).
    clear = remove_show_through(gray) if "show-through" not in skip and dpi >= MIN_DPI else None
    if clear is not None:
        gray = clear
        steps.append("show-through")
    if dpi < MIN_DPI and "upscale" not in skip:
        gray, dpi = upscale(gray, dpi)
        steps.append("upscale")
    return Prepared(Image.fromarray(gray), dpi, page, page_dpi, steps, colour)


def unprepared(pixels: np.ndarray, dpi: int) -> Prepared:
    """The page as it is, for recognition without clean-up."""
    gray = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    return Prepared(Image.fromarray(gray), dpi, pixels, dpi, colour=_colourful(_chroma(pixels)))


def _a4_dpi(size: tuple[int, int]) -> int:
    """A page cut from a photo has no resolution of its own: take it as A4."""
    return max(72, round(max(size) / 11.69))


def _quarter(pixels: np.ndarray) -> np.ndarray:
    """A copy a quarter the size each way (pixels averaged): the one reduced copy that whole-page
    decisions share, since reducing a full page costs more than any of them."""
    height, width = pixels.shape[:2]
    return cv2.resize(pixels, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)


def find_page(small: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, tuple[int, int]] | None:
    """The homography from a photo (of `shape`; `small` is its reduced copy) to the flat page,
    when the page's four edges are visible."""
    scale = 1000 / max(small.shape[:2])  # the sizes below are for a copy 1000 pixels long
    if not 0.7 < scale < 1.4:
        small = cv2.resize(small, (round(small.shape[1] * scale), round(small.shape[0] * scale)),
                           interpolation=cv2.INTER_AREA)
    gray = cv2.GaussianBlur(small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (5, 5), 0)
    _, bright = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour) / (small.shape[0] * small.shape[1])
    if not 0.2 < area < 0.93:
        return None  # no page edge in view, or the "page" is the whole frame
    quad = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
    if len(quad) != 4 or not cv2.isContourConvex(quad):
        return None
    corners = _order(quad.reshape(4, 2).astype(np.float32) * np.float32(
        [shape[1] / small.shape[1], shape[0] / small.shape[0]]))
    top, right, bottom, left = (np.linalg.norm(corners[i] - corners[(i + 1) % 4]) for i in range(4))
    size = (round(max(top, bottom)), round(max(left, right)))
    target = np.float32([[0, 0], [size[0] - 1, 0], [size[0] - 1, size[1] - 1], [0, size[1] - 1]])
    return cv2.getPerspectiveTransform(corners, target), size


def _order(points: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    sums, diffs = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.float32([points[np.argmin(sums)], points[np.argmin(diffs)], points[np.argmax(sums)],
                       points[np.argmax(diffs)]])


def flatten(pixels: np.ndarray, quarter: np.ndarray, dpi: int) -> np.ndarray | None:
    """Divide out the paper's light and tint (per channel); None when the page is already even
    and white. `quarter` is the page reduced to a quarter each way."""
    height, width = pixels.shape[:2]
    factor = 8
    small = cv2.resize(quarter, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA)
    # Dilating the light paper over the dark text leaves the paper alone: its light.
    radius = max(3, round(dpi / factor * 0.12))  # wider than a stroke of 14-pt text
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    background = cv2.GaussianBlur(cv2.dilate(small, kernel), (0, 0), radius)
    paper = background.reshape(len(background) * background.shape[1], -1).astype(np.float32)
    level = np.percentile(paper, 50, axis=0)
    uneven = float(np.percentile(paper.mean(axis=1), 95) - np.percentile(paper.mean(axis=1), 5))
    tint = float(level.max() - level.min())
    if uneven < 12 and tint < 8 and level.min() > 230:
        return None
    background = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR)
    # Saturating 8-bit division, rounded: what the float arithmetic gave, many times faster.
    return cv2.divide(pixels, np.maximum(background, 1), scale=255)


def as_scanned(page: np.ndarray, colour: bool) -> Image.Image:
    """The page in the fewest channels that keep what was scanned: grey when an RGB scan
    holds no colour (a third of the bytes, and faster to encode), colour otherwise."""
    return Image.fromarray(page if colour or page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_RGB2GRAY))


def _chroma(pixels: np.ndarray) -> np.ndarray | None:
    """Per pixel of a sample (every 4th row and column), how far from grey it is; None for a
    grey image."""
    if pixels.ndim == 2:
        return None
    sample = cv2.resize(pixels, (max(1, pixels.shape[1] // 4), max(1, pixels.shape[0] // 4)),
                        interpolation=cv2.INTER_NEAREST)  # a pixel in 16, not averaged: ink stays as coloured
    r, g, b = cv2.split(sample)
    return cv2.subtract(cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b))


def _colourful(chroma: np.ndarray | None) -> bool:
    if chroma is None:
        return False
    return float(np.count_nonzero(chroma[::2, ::2] > 12)) / chroma[::2, ::2].size >= 0.0005


def has_colour_ink(chroma: np.ndarray) -> bool:
    """Enough strongly coloured pixels to be a seal, a stamp or a signature, not JPEG noise.
    A seal's rings and a stamp's frame are thin: one over a page's text is 0.1-0.2% of it."""
    return float(np.count_nonzero(chroma > 60)) / chroma.size > 0.0003


def drop_colour_ink(rgb: np.ndarray) -> np.ndarray:
    """Coloured ink taken out, the black text under it kept.

    Ink multiplies the paper and the print under it, channel by channel. The brightest channel
    alone leaves an ink a mid grey where it lets that channel through only in part (a red seal
    at 180-205, a violet stamp at 130-180), which Tesseract reads as marks and letters. For one
    ink over neutral print, the print's grey is the brightest channel V times 1 + κ·S (S the
    saturation, (V - min)/V; κ the ink's own ratio of darkness in its bright channel to its
    colour): the same for pale and dense ink and for ink over text, so κ is measured per hue
    on the page's saturated pixels, and black text (S near 0) keeps its grey."""
    hue, saturation, value = cv2.split(cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV))
    kappa = _ink_ratios(hue[::4, ::4], saturation[::4, ::4], value[::4, ::4])
    gain = 1 + kappa[hue >> 3] * (saturation.astype(np.float32) / 255)
    return cv2.convertScaleAbs(value.astype(np.float32) * gain)


INK_HUES = 23  # OpenCV's 180 hues, in bins of 8


def _ink_ratios(hue: np.ndarray, saturation: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Per hue bin, κ for the ink of that hue (see drop_colour_ink): the median over the
    bin's clearly coloured pixels of what makes each of them paper-white; 0 (the brightest
    channel alone) where the page has too little ink of that hue to tell."""
    inked = (saturation > 90) & (value > 90)  # ink on paper, not ink over dark print
    bins, s, v = hue[inked] >> 3, saturation[inked].astype(np.float32) / 255, value[inked].astype(np.float32)
    needed = (255 / v - 1) / s
    kappa = np.zeros(INK_HUES, np.float32)
    for b in np.unique(bins):
        chosen = needed[bins == b]
        if len(chosen) >= 30:
            kappa[b] = min(1.5, float(np.median(chosen)))
    return kappa


RULE_INCHES = 0.5  # no letter is so tall; the vertical rules of a table run down many rows
RULE_MAX_WIDTH = 0.025  # inches: 0.6 mm, a heavy rule
MAX_SKEW = 10.0  # degrees, as the page's geometry is found later (OcrOptions.max_skew)


def remove_rules(gray: np.ndarray, dpi: int) -> np.ndarray | None:
    """Turn the vertical rules of a table into paper; None when there are none. Tesseract reads
    them as "|", "I" or "l" between the cells. The horizontal rules stay: they hold each row
    together (without them a table is read column by column, 65% of its characters out of
    place in bench/otherpages.py). "Vertical" is as the text reads: on a page lying sideways
    (turned upright only later) they run across the image. Found on a half-size copy, as
    thin runs of ink longer than any letter is tall."""
    even = gray[:gray.shape[0] // 2 * 2, :gray.shape[1] // 2 * 2]  # whole 2 × 2 blocks: OpenCV's fast path
    half = cv2.resize(even, (even.shape[1] // 2, even.shape[0] // 2), interpolation=cv2.INTER_AREA)
    ink = cv2.threshold(half, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    length, width = round(dpi / 2 * RULE_INCHES), max(3, round(dpi / 2 * RULE_MAX_WIDTH))
    down, across = _thin_runs(ink, (length, 1), (1, width)), _thin_runs(ink, (1, length), (width, 1))
    if not (down.any() or across.any()):
        return None
    rules = across if preprocess.analyse(Image.fromarray(gray), MAX_SKEW).sideways else down
    if not rules.any():
        return None
    rules = cv2.dilate(cv2.resize(rules, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST),
                       np.ones((5, 5), np.uint8))  # the rule's soft edges too
    out = gray.copy()
    out[rules > 0] = 255
    return out


def _thin_runs(ink: np.ndarray, run: tuple[int, int], thick: tuple[int, int]) -> np.ndarray:
    """The ink of `ink` in straight runs of shape `run` (rows, columns), less what is as thick
    as `thick` across them: a photo, a dark border or a logo is not a rule."""
    runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones(run, np.uint8))
    wide = cv2.morphologyEx(runs, cv2.MORPH_OPEN, np.ones(thick, np.uint8))
    return cv2.subtract(runs, cv2.dilate(wide, np.ones((3, 3), np.uint8)))


def clear_border(gray: np.ndarray, dpi: int) -> np.ndarray | None:
    """Turn dark bands along the image's edges into paper; None when every edge is paper.

    A row (or column) belongs to the band when it is mostly dark: its median is far below the
    paper. A line of text covers much less than half of its row, so the band stops at the text.
    """
    height, width = gray.shape
    dark = float(np.percentile(gray[::8, ::8], 75)) - 40  # the paper, less a margin
    rows = gray[:, width // 10:width - width // 10:2]  # the corners left out
    columns = gray[height // 10:height - height // 10:2, :].T
    reach_y, reach_x = round(height * BORDER_MAX), round(width * BORDER_MAX)
    top, bottom = _dark_depth(rows[:reach_y], dark), _dark_depth(rows[::-1][:reach_y], dark)
    left, right = _dark_depth(columns[:reach_x], dark), _dark_depth(columns[::-1][:reach_x], dark)
    if not (top or bottom or left or right):
        return None
    pad = max(1, round(dpi / 100))  # the band's soft inner edge
    top, bottom, left, right = (depth + pad if depth else 0 for depth in (top, bottom, left, right))
    out = gray.copy()
    out[:top] = out[height - bottom:] = 255
    out[:, :left] = out[:, width - right:] = 255
    return out


def _dark_depth(lines: np.ndarray, dark: float) -> int:
    """How many of `lines` (of pixels, from the image's edge inwards) are mostly dark."""
    if np.median(lines[0]) >= dark:
        return 0  # the cheap answer for nearly every page
    light = np.median(lines, axis=1) >= dark
    return int(np.argmax(light)) if light.any() else len(light)


def remove_show_through(gray: np.ndarray) -> np.ndarray | None:
    """Turn light-grey ink (the other side of the sheet) into paper, keeping the dark text."""
    histogram = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel().astype(np.float64)
    ink = histogram[:224].sum()
    if ink < gray.size * 0.01:
        return None
    dark = np.searchsorted(np.cumsum(histogram), ink * 0.3)  # the core of real strokes
    mid = histogram[dark + 60:224].sum() / ink
    if mid < SHOW_THROUGH_MID:
        return None  # ink is mostly dark: no show-through worth removing
    cut = min(220, int(dark) + 90)
    lut = np.clip((np.arange(256) - 0) * 255.0 / cut, 0, 255)
    lut[cut:] = 255
    return lut.astype(np.uint8)[gray]


def upscale(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, int]:
    factor = TARGET_DPI / dpi
    height, width = gray.shape
    return cv2.resize(gray, (round(width * factor), round(height * factor)), interpolation=cv2.INTER_CUBIC), TARGET_DPI
