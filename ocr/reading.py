"""The order in which a person reads the words Tesseract found on a page.

Tesseract's layout analysis reads the characters but not always their order: it joins two
columns of text across a narrow gutter into one line ("a) Tàu cá có … 2. Người sử dụng đất …"),
and it may put a block before the block above it (a centred heading read after the italic lines
under it). This step takes the words as read, with their boxes, and orders them again:

- columns: where, over several rows, every line leaves the same white gutter of a few
  millimetres and both sides are wrapped text (lines that run nearly to the gutter or to the
  column's right edge, one stretch of text per side and row), the left column is read to its
  end, then the right one. A table's rows also leave white between their cells, but hold
  several cells a side, many of them short: a table is read row by row, as Tesseract reads it;
- blocks: a block that lies wholly above another it overlaps across the page comes first;
  otherwise Tesseract's order stands (the agency and the motto of a letter's heading, side by
  side, stay left then right).

It costs a few milliseconds: it looks at word boxes, not at pixels.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from statistics import median

import numpy as np

from .model import Word

GUTTER_MM = 4.0  # white between two columns; word spaces and a justified line's stretch are far less
MIN_ROWS = 5  # rows with text on both sides of a gutter before it is taken for columns
WRAPPED_REACH = 0.75  # median share of its column a wrapped line runs across (0.85-0.95 in prose)
ONE_STRETCH = 0.8  # share of rows that hold one stretch of text a side: prose, not table cells


@dataclass
class _Stretch:
    """Words of one line with no gutter-wide gap between them."""

    words: list[Word]
    key: tuple[int, int]  # Tesseract's (block, paragraph)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return _union(w.bbox for w in self.words)


@dataclass
class _Unit:
    """Lines read together: one of Tesseract's blocks, or one column of a region of columns."""

    lines: list[_Stretch]
    rank: float  # Tesseract's order, for everything the page's geometry leaves open

    @property
    def box(self) -> tuple[float, float, float, float]:
        return _union(line.box for line in self.lines)


def in_order(words: list[Word], paragraphs: list[tuple[int, int]], dpi: int) -> tuple[list[Word], str]:
    """The words in reading order, their `line` numbered again in that order, and the page text:
    one line of text a line, a blank line between paragraphs. `paragraphs` gives Tesseract's
    (block, paragraph) of each line index."""
    if not words:
        return words, ""
    gutter = GUTTER_MM * dpi / 25.4
    rank = {id(w): i for i, w in enumerate(words)}
    stretches = _stretches(words, paragraphs, gutter)
    units: list[_Unit] = []
    taken: set[int] = set()
    for left, right in _columns(stretches, gutter):
        first = min(rank[id(s.words[0])] for s in left + right)
        units += [_Unit(sorted(left, key=_top), first), _Unit(sorted(right, key=_top), first + 0.5)]
        taken.update(id(s) for s in left + right)
    blocks: dict[int, list[_Stretch]] = {}
    for s in stretches:
        if id(s) not in taken:
            blocks.setdefault(s.key[0], []).append(s)
    units += [_Unit(_rejoined(lines), rank[id(lines[0].words[0])]) for lines in blocks.values()]
    return _text(_ordered(units))


def _stretches(words: list[Word], paragraphs: list[tuple[int, int]], gutter: float) -> list[_Stretch]:
    """Each of Tesseract's lines, cut where a gap between two words is as wide as a gutter."""
    lines: dict[int, list[Word]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    stretches = []
    for number, line in lines.items():
        key = paragraphs[number] if number < len(paragraphs) else (number, 0)
        current = [line[0]]
        for before, word in zip(line, line[1:]):
            if word.bbox[0] - before.bbox[2] >= gutter:
                stretches.append(_Stretch(current, key))
                current = []
            current.append(word)
        stretches.append(_Stretch(current, key))
    return stretches


def _rejoined(stretches: list[_Stretch]) -> list[_Stretch]:
    """A block's stretches back into its lines (a table row stays one line)."""
    lines: dict[int, _Stretch] = {}
    for s in stretches:
        line = s.words[0].line
        if line in lines:
            lines[line].words.extend(s.words)
        else:
            lines[line] = _Stretch(list(s.words), s.key)
    return list(lines.values())


def _columns(stretches: list[_Stretch], gutter: float) -> list[tuple[list[_Stretch], list[_Stretch]]]:
    """Regions of two columns of prose: the stretches left and right of each gutter."""
    found = []
    run: list[list[_Stretch]] = []
    white: tuple[float, float] | None = None
    for row in _rows(stretches):
        if white is not None and (narrowed := _narrowed(white, row, gutter)) is not None:
            run.append(row)
            white = narrowed
            continue
        if white is not None and (columns := _prose(run, white)) is not None:
            found.append(columns)
        run, white = [row], _widest_gap(row, gutter)
    if white is not None and (columns := _prose(run, white)) is not None:
        found.append(columns)
    return found


def _rows(stretches: list[_Stretch]) -> list[list[_Stretch]]:
    """Stretches that share a band of the page, top to bottom, each row left to right."""
    rows: list[tuple[list[_Stretch], float, float]] = []
    for s in sorted(stretches, key=_top):
        _, top, _, bottom = s.box
        middle = (top + bottom) / 2
        if rows and rows[-1][1] <= middle <= rows[-1][2]:
            rows[-1][0].append(s)
        else:
            rows.append(([s], top, bottom))
    return [sorted(row, key=lambda s: s.box[0]) for row, _, _ in rows]


def _widest_gap(row: list[_Stretch], gutter: float) -> tuple[float, float] | None:
    gaps = [(a.box[2], b.box[0]) for a, b in zip(row, row[1:]) if b.box[0] - a.box[2] >= gutter]
    return max(gaps, key=lambda g: g[1] - g[0], default=None)


def _narrowed(white: tuple[float, float], row: list[_Stretch], gutter: float) -> tuple[float, float] | None:
    """What stays white of `white` in `row`, if still a gutter; None when text crosses it."""
    left, right = white
    for s in row:
        x0, _, x1, _ = s.box
        if x1 <= left or x0 >= right:
            continue
        if x0 - left >= right - x1:  # the stretch eats into the white from the right
            right = x0
        else:
            left = x1
        if right - left < gutter:
            return None
    return left, right


def _prose(run: list[list[_Stretch]], white: tuple[float, float]) -> tuple[list[_Stretch], list[_Stretch]] | None:
    """The run's two columns, if both hold wrapped prose; None for a table or a short run."""
    middle = sum(white) / 2
    both = [row for row in run if row[0].box[2] <= middle <= row[-1].box[0]]
    if len(both) < MIN_ROWS:
        return None
    left = [s for row in run for s in row if s.box[2] <= middle]
    right = [s for row in run for s in row if s.box[0] >= middle]
    single = sum(1 for row in both if sum(s.box[2] <= middle for s in row) == 1 and len(row) == 2)
    if single < ONE_STRETCH * len(both):
        return None
    start, end = min(s.box[0] for s in left), max(s.box[2] for s in right)
    left_reach = median((s.box[2] - start) / max(white[0] - start, 1.0) for s in left)
    right_reach = median((s.box[2] - white[1]) / max(end - white[1], 1.0) for s in right)
    if min(left_reach, right_reach) < WRAPPED_REACH:
        return None
    return left, right


def _ordered(units: list[_Unit]) -> list[_Unit]:
    """Units in reading order: one wholly above another it overlaps across the page comes
    first; Tesseract's order decides the rest (a topological sort, smallest rank first)."""
    units = sorted(units, key=lambda u: u.rank)
    x0, y0, x1, y1 = np.array([u.box for u in units], dtype=np.float64).T[:, :, None]
    # above[i, j]: unit i ends above where j starts (by less than a third of the shorter one's
    # height: slanted lines overlap a little) and they share some width of the page.
    slack = 0.3 * np.minimum(y1 - y0, (y1 - y0).T)
    above = (y1 <= y0.T + slack) & (np.minimum(x1, x1.T) > np.maximum(x0, x0.T))
    np.fill_diagonal(above, False)
    waiting = above.sum(axis=0).tolist()
    after = [np.flatnonzero(row).tolist() for row in above]
    ready = [i for i, count in enumerate(waiting) if count == 0]
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(units[i])
        for j in after[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, j)
    return order


def _text(units: list[_Unit]) -> tuple[list[Word], str]:
    words: list[Word] = []
    parts: list[str] = []
    previous = None
    number = 0
    for u, unit in enumerate(units):
        for line in unit.lines:
            paragraph = (u, line.key)
            if previous is not None and paragraph != previous:
                parts.append("\n")
            words += [w if w.line == number else replace(w, line=number) for w in line.words]
            parts.append(" ".join(w.text for w in line.words) + "\n")
            previous, number = paragraph, number + 1
    return words, "".join(parts).strip()


def _top(s: _Stretch) -> float:
    return s.box[1]


def _union(boxes) -> tuple[float, float, float, float]:
    x0s, y0s, x1s, y1s = zip(*boxes)
    return min(x0s), min(y0s), max(x1s), max(y1s)
