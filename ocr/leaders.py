"""Dotted writing lines taken out before reading.

Old paper forms, the 9-digit ID card among them, print a dotted line after each label for the
value to be typed or written on. Tesseract reads a row of dots as a row of letters ("CN TS (CC
CỐ VU cố"), which runs into the values above and below it. A dotted line is a chain of tiny
blobs, alike in size, at a steady step along one horizontal line: no print is like that over
a run of several millimetres (a word's marks are neither evenly spaced nor all tiny), so such
chains are painted over with paper. Dots a value is typed over touch its letters and stay.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import cv2
import numpy as np

DOT_MM = 0.45  # a dot is at most this wide and high
STEP_MM = (0.35, 1.4)  # from one dot's centre to the next
LEVEL_MM = 0.2  # how far a dot may stand from the line of the one before it
RUN = 8  # dots in a chain, at least
INK = 180  # grey under which a pixel is ink (the card's paper is 235)
PAPER = 235
LETTER_MM = (0.8, 5.0)  # the height of a letter's stroke (and its width, at most)
MARK_MM = 0.8  # a mark under a letter stands at most this far below it
MARK_AREA = 1.6  # times the area of the line's usual dot, at least, of a mark printed on the dots


def remove(gray: np.ndarray, px_per_mm: float) -> np.ndarray:
    """The grey image with its dotted lines painted over with paper (a copy; the input stays).
    A dot under a letter that is off the line's step, or larger than the line's dots, is kept:
    it is the letter's own mark (the dot of "ạ", "ộ")."""
    count, _, stats, centres = cv2.connectedComponentsWithStats((gray < INK).astype(np.uint8), connectivity=8)
    largest = DOT_MM * px_per_mm
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    dots = [i for i in range(1, count) if widths[i] <= largest and heights[i] <= largest]
    chains = _chains([(float(centres[i][0]), float(centres[i][1])) for i in dots], px_per_mm)
    if not chains:
        return gray
    letters = stats[(heights >= LETTER_MM[0] * px_per_mm) & (heights <= LETTER_MM[1] * px_per_mm)
                    & (widths <= LETTER_MM[1] * px_per_mm)]
    out = gray.copy()
    for chain in chains:
        chain.sort(key=lambda k: centres[dots[k]][0])
        usual = float(np.median([stats[dots[k], cv2.CC_STAT_AREA] for k in chain]))
        for k, off in zip(chain, _off_step([float(centres[dots[k]][0]) for k in chain])):
            x, y, w, h, area = stats[dots[k]]
            # A letter's mark is off the line's step, or larger than its dots (or both).
            extra = off or area > MARK_AREA * usual
            if not (extra and _under_letter(x + w / 2, y, letters, MARK_MM * px_per_mm)):
                out[max(0, y - 1):y + h + 1, max(0, x - 1):x + w + 1] = PAPER
    return out


def _off_step(xs: list[float]) -> list[bool]:
    """Which dots of a line (by x, in order) fall off its steady step: beside a letter's mark
    (the dot of "ạ") the line has its own dot at the step, and the extra one is the mark."""
    step = float(np.median(np.diff(xs)))
    site, off = xs[0], [False]
    for x in xs[1:]:
        k = max(1, round((x - site) / step))
        if abs(x - site - k * step) <= 0.3 * step:
            site = x
            off.append(False)
        else:
            off.append(True)
    return off


def _under_letter(x: float, top: int, letters: np.ndarray, reach: float) -> bool:
    left, upper, width, height = letters[:, 0], letters[:, 1], letters[:, 2], letters[:, 3]
    bottom = upper + height
    return bool(np.any((left <= x) & (x <= left + width) & (bottom <= top + 1) & (bottom >= top - reach)))


def _chains(centres: list[tuple[float, float]], px_per_mm: float) -> list[list[int]]:
    """Runs of at least RUN dots, each linked to a neighbour a step to the right within STEP_MM
    on the same level within LEVEL_MM; a run is kept when it is a line (its dots on one straight
    line) and no denser than its step allows (a crowd of specks links up too, and is no line)."""
    level = LEVEL_MM * px_per_mm
    near, far = (s * px_per_mm for s in STEP_MM)
    bands: dict[int, list[tuple[float, int]]] = {}
    for k, (x, y) in enumerate(centres):
        bands.setdefault(int(y // level), []).append((x, k))
    xs = {b: [x for x, _ in sorted(m)] for b, m in bands.items()}
    ks = {b: [k for _, k in sorted(m)] for b, m in bands.items()}
    parent = list(range(len(centres)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for k, (x, y) in enumerate(centres):
        b = int(y // level)
        for nb in (b - 1, b, b + 1):
            if nb not in xs:
                continue
            for j in ks[nb][bisect_left(xs[nb], x + near):bisect_right(xs[nb], x + far)]:
                if abs(centres[j][1] - y) <= level:
                    parent[root(j)] = root(k)
    groups: dict[int, list[int]] = {}
    for k in range(len(centres)):
        groups.setdefault(root(k), []).append(k)
    return [line for g in groups.values() if len(g) >= RUN and (line := _line(g, centres, near, level))]


def _line(group: list[int], centres: list[tuple[float, float]], near: float, level: float) -> list[int]:
    """The dots of a run that stand on one straight line (none when it is a crowd of specks)."""
    points = np.array([centres[k] for k in group])
    extent = points[:, 0].max() - points[:, 0].min()
    if len(group) > extent / near + 1:
        return []
    on_line = np.ones(len(group), bool)
    for _ in range(2):  # fitted, then fitted again without the specks that linked up with the dots
        slope, offset = np.polyfit(points[on_line, 0], points[on_line, 1], 1)
        on_line = np.abs(points[:, 1] - (slope * points[:, 0] + offset)) <= level / 2
        if on_line.sum() < RUN:
            return []
    return [k for k, keep in zip(group, on_line) if keep]
