"""Toner specks told apart from the small marks of Vietnamese text (the photocopy clean-up step).

A photocopy strews thousands of specks over the page, many as big as the dot of ạ or ị, so size
alone cannot tell a speck from a mark. Where it lies can: Vietnamese text puts its small marks
in few places, all fixed by the letter they belong to.

- Tone marks, circumflexes, breves, horns and the dot of i stand above their letter, centred on
  it, or above another mark (ế, ề, ể); the dot of ạ, ị, ộ stands centred below its letter.
- A period sits on the baseline just after a letter, a colon adds a dot above it; commas and
  hyphens are strokes, not blobs.

A speck is a blob. So a small component drawn as a stroke (an acute, a tilde, a comma, a hook,
a piece of a broken letter) stays when it lies close to a letter, as it always did; a small
blob stays only in one of the places above. Distances are in x-heights of the page's text.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

LETTER_AREA = 80  # pixels at 300 dpi: a bigger component is a letter, or most of one
SPECK_AREA = 8  # pixels at 300 dpi: smaller than any mark at that resolution
ABOVE, BELOW = 0.5, 0.35  # farthest a mark stands above / below its letter, in x-heights
CENTRED = 0.25  # how far from a letter's middle its mark may stand, in letter widths
FLAT = 1.8  # width over height of a hyphen
BLOB = 0.75  # thickness over width of a dot or a speck


def remove_specks(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, int]:
    """White out specks; the number removed (0 and `gray` itself when the page has none)."""
    if not _speckled(gray, dpi):
        return gray, 0
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    small = area <= max(4, round(LETTER_AREA * (dpi / 300) ** 2))
    small[0] = False  # the background
    letter = ~small
    letter[0] = False
    if not letter.any():
        return gray, 0
    page = _Ink(labels, stats, letter, _x_height(stats[letter]))
    candidates = np.flatnonzero(small & (area > max(2, round(SPECK_AREA * (dpi / 300) ** 2))))
    specks = small & ~page.marks(candidates)
    if specks.sum() < 100:  # a clean page has a few stray marks; a photocopy has thousands
        return gray, 0
    out = gray.copy()
    out[specks[labels]] = 255
    return out, int(specks.sum())


def _speckled(gray: np.ndarray, dpi: int) -> bool:
    """Far more small marks than letters (a clean page has about one diacritic per letter);
    judged on a half-size copy, so a clean page pays a few milliseconds."""
    half = gray[::2, ::2]  # subsampled, not averaged: a speck stays as dark as it is
    _, ink = cv2.threshold(half, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    # The components' areas counted from their labels: the same as OpenCV's stats, for half the
    # CPU of the check (8 against 16 ms on a scanned A4 page).
    count, labels = cv2.connectedComponents(ink, connectivity=8)
    area = np.bincount(labels.ravel(), minlength=count)[1:]
    small = int((area <= max(2, round(20 * (dpi / 300) ** 2))).sum())
    return small >= 100 and small >= 1.5 * (count - 1 - small)


def _x_height(letters: np.ndarray) -> float:
    """Most letters are lower-case letters without ascenders: their median height."""
    return float(max(np.median(letters[:, cv2.CC_STAT_HEIGHT]), 4))


@dataclass
class _Ink:
    labels: np.ndarray  # connected components of the page's ink
    stats: np.ndarray
    letter: np.ndarray  # per component: big enough to be a letter
    x_height: float

    def __post_init__(self) -> None:
        self.letters = self.stats[self.letter, :4]  # boxes: x, y, width, height
        self._reach = round(0.3 * self.x_height), round(0.55 * self.x_height)  # a mark's zone: wide, tall
        self._zone = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * self._reach[0] + 1, 2 * self._reach[1] + 1))

    def marks(self, candidates: np.ndarray) -> np.ndarray:
        """Per component: whether it is a mark of the text (True for none but `candidates`)."""
        strokes, dots, periods = (np.zeros(len(self.stats), bool) for _ in range(3))
        undecided = []
        for c in candidates:
            if not self._blob(c):
                strokes[c] = self._near_letter(c) or self._hyphen(c)
            elif self._on_letter(c, above=True) or self._on_letter(c, above=False):
                dots[c] = True
            elif self._period(c):
                periods[c] = True
            else:
                undecided.append(c)
        for c in undecided:  # a mark on a mark (ế), the upper dot of a colon
            dots[c] = self._above(c, strokes, 0.3) or self._above(c, periods, 0.8)
        return self.letter | strokes | dots | periods

    def _box(self, c: int) -> tuple[int, int, int, int]:
        x, y, w, h = (int(v) for v in self.stats[c, :4])
        return x, y, w, h

    def _blob(self, c: int) -> bool:
        """As thick as it is wide, and about as wide as tall, like a speck or a dot; strokes
        (acute, tilde, comma, a piece of a letter) are thin or long."""
        x, y, w, h = self._box(c)
        # Its deepest pixel's distance to the paper, in a frame of paper round it: a distance
        # transform of the small box, not of the whole page.
        alone = np.zeros((h + 2, w + 2), np.uint8)
        alone[1:-1, 1:-1] = self.labels[y:y + h, x:x + w] == c
        thickness = 2 * float(cv2.distanceTransform(alone, cv2.DIST_L2, 3).max()) - 1
        return thickness >= BLOB * min(w, h) and max(w, h) <= 1.6 * min(w, h)

    def _near_letter(self, c: int) -> bool:
        """Whether any of `c` lies in the tall, narrow zone around a letter where its marks and
        punctuation are: `c`, grown by that zone's reach, meets a letter."""
        x, y, w, h = self._box(c)
        wide, tall = self._reach
        window = self.labels[max(0, y - tall):y + h + tall + 1, max(0, x - wide):x + w + wide + 1]
        grown = cv2.dilate((window == c).astype(np.uint8), self._zone)
        return bool(self.letter[window[grown > 0]].any())

    def _hyphen(self, c: int) -> bool:
        """Flat, with a letter at most a word space to its left."""
        x, y, w, h = self._box(c)
        return w >= FLAT * h and self._letter_left(c, 0.8) is not None

    def _letter_left(self, c: int, reach: float) -> int | None:
        x, y, w, h = self._box(c)
        window = self.labels[y:y + h, max(0, x - round(reach * self.x_height)):x][:, ::-1]
        hit = self.letter[window]
        columns = np.flatnonzero(hit.any(axis=0))
        if not len(columns):
            return None
        return int(window[:, columns[0]][hit[:, columns[0]]][0])

    def _period(self, c: int) -> bool:
        """Just after a letter, standing on the line's baseline."""
        letter = self._letter_left(c, 0.4)
        if letter is None:
            return False
        _, y, _, h = self._box(c)
        return abs(self._baseline(c, letter) - (y + h)) <= 0.25 * self.x_height

    def _baseline(self, c: int, letter: int) -> float:
        """The feet of the letters around `c` on the line of `letter`: most have no descender."""
        x, _, w, _ = self._box(c)
        _, ly, _, lh = self._box(letter)
        lx, top, width, height = (self.letters[:, i] for i in range(4))
        beside = (np.abs(lx + width / 2 - (x + w / 2)) <= 3 * self.x_height) & (top < ly + lh) & (top + height > ly)
        return float(np.median((top + height)[beside])) if beside.any() else float(ly + lh)

    def _on_letter(self, c: int, above: bool) -> bool:
        """Whether `c` stands centred above (or below) the letter nearest to it straight down
        (or up), close enough to be its mark."""
        x, y, w, h = self._box(c)
        limit = round((ABOVE if above else BELOW) * self.x_height)
        window = (self.labels[y + h:y + h + limit + 1, x:x + w] if above
                  else self.labels[max(0, y - limit - 1):y, x:x + w][::-1])  # rows from `c` outwards
        hit = self.letter[window]
        rows = np.flatnonzero(hit.any(axis=1))
        if not len(rows):
            return False
        gap = int(rows[0])
        letter = int(window[gap][hit[gap]][0])
        lx, _, lw, _ = self._box(letter)
        if lw <= 1.2 * self.x_height:
            return abs(x + w / 2 - (lx + lw / 2)) <= CENTRED * lw + 1
        # Letters that ran together in the copy make one wide component: the mark must then
        # stand over its ink, near its middle column.
        middle, depth = round(x + w / 2), round(0.3 * self.x_height)
        column = (self.labels[y + h + gap:y + h + gap + depth, middle - 1:middle + 2] if above
                  else self.labels[max(0, y - gap - depth):y - gap, middle - 1:middle + 2])
        return bool((column == letter).any(axis=0).all())

    def _above(self, c: int, support: np.ndarray, reach: float) -> bool:
        """Whether `c` stands straight above a component in `support`, at most `reach` x-heights."""
        x, y, w, h = self._box(c)
        window = self.labels[y + h:y + h + round(reach * self.x_height) + 1, x:x + w]
        return bool(support[window].any())
