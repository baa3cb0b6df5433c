"""Streaks across a fax (the fax clean-up step).

A fax machine builds the page one scan line at a time; a line it garbles arrives as a row of
scattered black dots from edge to edge. Tesseract reads the dots as full stops and commas
("trình.................", "nhân, ..."). Print never reaches into both margins of a page, nor
does it fill a row with dots a pixel or two tall; a table's rule that reaches into them is one
solid run of ink, not a scatter. Where a streak crosses a letter, the letter's strokes above and below it
keep their pixels in it.
"""

from __future__ import annotations

import numpy as np

MARGIN = 0.06  # of the width, each side: no text stands there
SCATTER = (0.08, 0.7)  # share of a margin a streak inks: more than specks, less than a rule
MAX_MM = 1.0  # a streak is a scan line or two tall
DOT_MM = 0.5  # longest mean run of ink along a streak: its dots, not a rule's stroke


def remove_streaks(gray: np.ndarray, dpi: int) -> np.ndarray | None:
    """White out rows of scattered dots that run from margin to margin; None when there are none."""
    height, width = gray.shape
    side = max(1, round(width * MARGIN))
    margins = np.concatenate([gray[:, :side], gray[:, width - side:]], axis=1) < 128
    share = margins.mean(axis=1)
    streak = (share >= SCATTER[0]) & (share <= SCATTER[1]) & margins[:, :side].any(axis=1)
    streak &= margins[:, side:].any(axis=1)
    if not streak.any():
        return None
    # Scattered: many short runs of ink. A table's rule reaching into the margins is one run.
    runs = np.count_nonzero(np.diff(margins[streak].astype(np.int8), axis=1) == 1, axis=1) + 1
    streak[streak] = margins[streak].sum(axis=1) / runs <= max(2.0, dpi * DOT_MM / 25.4)
    if not streak.any():
        return None
    tallest = max(1, round(MAX_MM * dpi / 25.4))
    out = gray.copy()
    edges = np.flatnonzero(np.diff(np.concatenate(([0], streak.astype(np.int8), [0]))))
    for top, bottom in zip(edges[::2], edges[1::2]):
        if bottom - top > tallest:
            continue  # a band this tall is not a scan line
        above = gray[max(top - 1, 0)] < 128
        below = gray[min(bottom, height - 1)] < 128
        band = out[top:bottom]
        band[:, ~(above | below)] = 255  # a stroke crossing the streak keeps its pixels
    return out if not np.array_equal(out, gray) else None
