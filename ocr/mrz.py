"""The machine-readable zone of an ID card (ICAO 9303 TD1: three lines of 30 characters), as
Tesseract reads it, put right by its check digits.

OCR-B is read with the MRZ alphabet only (A-Z, 0-9, `<`), each character put in the place of
the line its position gives (the pitch is fixed), so a character lost to glare leaves a gap
(``?``) rather than shifting the rest. What OCR still confuses is confused in known ways: a
letter for a digit where the format wants a digit (O for 0, B for 8), a filler `<` read as K.
Each field is read in the form the format fixes for it, and a field with a check digit is
accepted only when the digit agrees; one that does not is put right only when exactly one way
agrees (a gap filled, the card's other printing of the same digits, or one look-alike swap),
and then it says so.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from statistics import median

import cv2
import numpy as np
from PIL import Image

from . import _tesseract
from .errors import EngineFailed

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
LENGTH = 30
_WEIGHTS = (7, 3, 1)
# What OCR-B is read as by mistake: as a digit where a digit must be, as a letter where a letter must be.
_AS_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "T": "1", "Z": "2", "S": "5",
             "B": "8", "G": "6", "A": "4", "<": "0"}
_AS_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A"}
# Digits OCR confuses with each other: the candidates a failed check digit is repaired with.
_LOOKALIKE = {"0": "86", "1": "74", "2": "7", "3": "859", "4": "19", "5": "63", "6": "508", "7": "12",
              "8": "0369", "9": "38"}


def check_digit(text: str) -> str:
    """ICAO 9303 check digit: weights 7, 3, 1; digits as themselves, A-Z as 10-35, `<` as 0."""
    total = 0
    for i, c in enumerate(text):
        value = int(c) if c.isdigit() else (ord(c) - 55 if "A" <= c <= "Z" else 0)
        total += value * _WEIGHTS[i % 3]
    return str(total % 10)


@dataclass(frozen=True)
class Checked:
    """A field with a check digit: its value, and whether the digit agrees (as read, or after
    one repair)."""

    value: str
    valid: bool
    repaired: bool = False


@dataclass(frozen=True)
class TD1:
    """The fields of a TD1 zone, each as the format fixes it."""

    lines: tuple[str, str, str]
    document_code: str
    issuer: str
    document_number: Checked
    optional: str  # line 1 after the document number: the 12-digit ID on Vietnamese cards
    birth: Checked  # YYMMDD
    sex: str  # M, F or <
    expiry: Checked  # YYMMDD
    nationality: str
    composite: bool  # the check digit over all of the above agrees
    surname: str
    given_names: str
    problems: list[str] = field(default_factory=list)
    composite_repaired: bool = False  # it agrees only with a place read empty filled in by it

    @property
    def valid(self) -> bool:
        return self.document_number.valid and self.birth.valid and self.expiry.valid and self.composite

    @property
    def plausible(self) -> bool:
        """Whether this is a zone at all: three lines of other print (a card's address at the
        bottom of its front, an upside-down old card's print) parse too, but no check digit of
        theirs agrees as read. A check digit that agrees only once a place read empty was filled
        proves nothing alone (some digit always fills it so): it counts on a zone whose fixed
        parts read as a Vietnamese card's (issuer and nationality VNM)."""
        checks = (self.document_number, self.birth, self.expiry)
        if self.composite or any(c.valid and not c.repaired for c in checks):
            return True
        return self.issuer == "VNM" and self.nationality == "VNM" and any(c.valid for c in checks)


UNREAD = "?"  # a character place the reading left empty (glare, a dropped character)


def parse(lines: list[str]) -> TD1 | None:
    """The TD1 fields of three lines as read (spaces and case forgiven, ``?`` for a place read
    empty), or None when they do not have the shape of a TD1 zone at all.

    Every redundancy a Vietnamese card's zone has is used, each checked by a check digit: the
    document number is the 12-digit ID's last nine digits, printed twice on line 1; the ID
    holds the year of birth's last two digits; a card expires on a birthday, so the birth and
    expiry dates share their month and day; and a single place read empty in a checked field is
    the one digit the check digit allows."""
    if len(lines) != 3:
        return None
    raw = [re.sub(r"[^A-Z0-9<?]", "", line.upper()) for line in lines]
    one, two = _fixed_length(raw[0]), _fixed_length(raw[1])
    three = _fixed_length(raw[2]) if len(raw[2]) >= LENGTH else (raw[2] + "<" * LENGTH)[:LENGTH]
    if one is None or two is None or three is None or sum(c.isalpha() for c in three) < 2:
        return None
    problems: list[str] = []
    # Issuer and nationality are both VNM on a Vietnamese card: one of them read, the other
    # not contradicted (glare may have taken all of it), is enough.
    issuer_read, nationality_read = _fits(one[2:5], "VNM"), _fits(two[15:18], "VNM")
    vietnamese = (issuer_read or nationality_read) and _fits(one[2:5], "VNM", unread=True) \
        and _fits(two[15:18], "VNM", unread=True)
    if vietnamese:  # the format's fixed parts fill what was read empty there
        one = "ID" + "VNM" + one[5:27] + "<<" + one[29]
        two = two[:15] + "VNM" + "<" * 11 + two[29]
        two = two[:7] + (two[7] if two[7] != UNREAD else "<") + two[8:]
    code, issuer = _letters(one[0:2]), _letters(one[2:5])
    if vietnamese:
        number = _checked(_digits(one[5:14]), _digits(one[14]), digits=True, witness=_digits(one[18:27]))
        optional = _digits(one[15:18]) + number.value + one[27:29] + _digits(one[29:])
        # The ID's fifth and sixth digits are the year of birth's last two: the document number's
        # second and third; a card expires on a birthday, so the expiry's month and day are its.
        birth = _checked(_digits(two[0:6]), _digits(two[6]), digits=True,
                         witness=number.value[1:3] + _digits(two[10:14]))
        expiry = _checked(_digits(two[8:14]), _digits(two[14]), digits=True, witness="??" + birth.value[2:])
    else:
        number = _checked(one[5:14], one[14], digits=False)
        optional = one[15:30]
        birth = _checked(_digits(two[0:6]), _digits(two[6]), digits=True)
        expiry = _checked(_digits(two[8:14]), _digits(two[14]), digits=True)
    sex = {"M": "M", "F": "F", "P": "F", "H": "M", "N": "M"}.get(two[7], "<")
    nationality = _letters(two[15:18])
    line1 = f"{code}{issuer}{number.value}{_digit_of(number, one[14])}{optional}"
    line2 = f"{birth.value}{_digit_of(birth, two[6])}{sex}{expiry.value}{_digit_of(expiry, two[14])}{nationality}" \
        f"{two[18:29]}"
    # The composite is always a digit: a filler in its place is the lengthened filler run of a
    # line whose end glare took, not a digit read.
    composite_digit = UNREAD if two[29] == "<" else _digits(two[29])
    covered = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    filled = False
    if covered.count(UNREAD) == 1 and composite_digit != UNREAD:
        # One place left empty (a digit of the ID's province code, say): the composite fills it.
        at = covered.index(UNREAD)
        fits = [d for d in "0123456789" if check_digit(covered[:at] + d + covered[at + 1:]) == composite_digit]
        if len(fits) == 1:
            filled = True
            covered = covered.replace(UNREAD, fits[0])
            line1 = line1[:5] + covered[:25]
            line2 = covered[25:32] + line2[7] + covered[32:39] + line2[15:18] + covered[39:]
            optional = line1[15:30]
    composite = UNREAD not in covered and check_digit(covered) == composite_digit
    name = _name_line(_letters(three)) if issuer == "VNM" else _letters(three)
    surname, _, given = name.replace(UNREAD, "<").strip("<").partition("<<")
    for name, value in (("document number", number), ("birth date", birth), ("expiry date", expiry)):
        if value.repaired:
            problems.append(f"the {name}'s check digit agreed only after a character was corrected or filled in")
        elif not value.valid:
            problems.append(f"the {name}'s check digit does not agree")
    if composite_digit == UNREAD:
        problems.append("the composite check digit was not read")
    elif not composite:
        problems.append("the composite check digit does not agree")
    elif filled:
        problems.append("the composite check digit agreed only after a place read empty was filled in")
    return TD1((line1, line2 + composite_digit, three), code, issuer, number, optional, birth, sex, expiry,
               nationality, composite, surname.replace("<", " ").strip(), given.replace("<", " ").strip(), problems,
               composite and filled)


def _fits(read: str, fixed: str, unread: bool = False) -> bool:
    """Whether a fixed part, read with at most one place empty or misread, is ``fixed``; with
    ``unread``, any number of places read empty and at most one misread."""
    return sum(a != b and not (unread and a == UNREAD) for a, b in zip(_letters(read), fixed)) <= 1


def _name_line(line: str) -> str:
    """A filler read as K put back: in a Vietnamese name K stands only before H, I, E or Y."""
    return re.sub(r"K(?=[^HIEY]|$)", "<", line)


def _fixed_length(line: str) -> str | None:
    """A line brought to 30 characters: fillers dropped or doubled by OCR are the usual cause of
    a wrong length, so the longest filler run absorbs the difference."""
    if len(line) == LENGTH:
        return line
    if not 24 <= len(line) <= 36:
        return None
    runs = list(re.finditer(r"<{2,}|K{3,}", line))
    if not runs:
        return (line + "<" * LENGTH)[:LENGTH] if len(line) < LENGTH else None
    run = max(runs, key=lambda m: len(m.group()))
    length = max(1, len(run.group()) + LENGTH - len(line))
    return line[:run.start()] + "<" * length + line[run.end():]


def _digits(text: str) -> str:
    return "".join(_AS_DIGIT.get(c, c) for c in text)


def _letters(text: str) -> str:
    return "".join(_AS_LETTER.get(c, c) for c in text)


def _digit_of(value: Checked, read: str) -> str:
    """A field's check digit: the one its value gives when they agree, else the place as read
    (a digit that disagrees, or empty), which the composite must not be counted to agree with."""
    return check_digit(value.value) if value.valid else _digits(read)


def _checked(value: str, digit: str, *, digits: bool, witness: str = "") -> Checked:
    """A field and its check digit as read, put right only where exactly one way agrees: a place
    read empty takes the digit the check digit allows, or the witness's (the same digits printed
    elsewhere on the card); where the two readings differ, the check digit chooses; failing
    those, one look-alike swap. With the check digit itself read empty, only the witness fills
    the places read empty, and the value stays unchecked."""
    if digit == UNREAD:
        return Checked("".join(w if c == UNREAD and w != UNREAD else c for c, w in
                               zip(value, witness.ljust(len(value), UNREAD))), False)
    choices = []
    for i, c in enumerate(value):
        other = witness[i] if i < len(witness) and witness[i] not in (UNREAD, c) else ""
        if c == UNREAD:
            choices.append(other or ("0123456789" if digits else ""))
        else:
            choices.append(c + other)
    if all(choices) and math.prod(len(c) for c in choices) <= 1000:
        fitting = [t for t in map("".join, itertools.product(*choices)) if check_digit(t) == digit]
        if value in fitting:
            return Checked(value, True)
        if len(fitting) == 1:
            return Checked(fitting[0], True, repaired=True)
        if fitting:
            return Checked(value, False)
    if UNREAD in value:
        return Checked(value, False)
    # One character read as a look-alike: the repair must be the only one that agrees.
    candidates = set()
    for i, c in enumerate(value):
        for other in _LOOKALIKE.get(c, "") if digits or c.isdigit() else "":
            trial = value[:i] + other + value[i + 1:]
            if check_digit(trial) == digit:
                candidates.add(trial)
    for other in _LOOKALIKE.get(digit, ""):
        if check_digit(value) == other:
            candidates.add(value)
    if len(candidates) == 1:
        return Checked(candidates.pop(), True, repaired=True)
    return Checked(value, False)


# -- reading the zone from a flattened card ---------------------------------------------------

ZONE = 0.42  # the zone lies in the bottom part of the card's height
MIN_LINE_WIDTH = 0.6  # an MRZ line spans most of the card; no other line on a card does
WORN_LINE_WIDTH = 0.3  # what glare leaves of a line of the zone, its other end where the others' is


def lines_at_bottom(gray: np.ndarray, *, worn: bool = False) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1, in ``gray``) of the long lines of dense print in the bottom part of
    an upright card, top to bottom: the MRZ's lines, if the card has one. ``worn``: glare took
    one end of some lines, so they may be shorter, but one of them spans the card and all end
    where the others do at their other end."""
    height, width = gray.shape
    top = round(height * (1 - ZONE))
    zone = gray[top:]
    ink = cv2.adaptiveThreshold(zone, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                _odd(width // 40), 15)
    # Only what has a character's size: the card's edge, the zone's band and lines drawn on
    # the card would otherwise join the lines they touch.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink)
    sizes = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    glyph = (sizes[0] >= 0.012 * height) & (sizes[0] <= 0.08 * height) & (sizes[1] <= 0.05 * width)
    glyph[0] = False
    ink = np.where(glyph[labels], 255, 0).astype(np.uint8)
    # Characters of a line merge into blobs; lines stay apart. Blobs side by side are one line.
    merged = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (width // 30, 1)))
    merged = cv2.morphologyEx(merged, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (width // 80, 3)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(merged)
    blobs = sorted((int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, _ in stats[1:count]
                   if 0.015 * height <= h <= 0.09 * height and w >= width // 40)
    rows: list[list[int]] = []
    for x0, y0, x1, y1 in blobs:
        for row in rows:
            overlap = min(y1, row[3]) - max(y0, row[1])
            if overlap > 0.5 * min(y1 - y0, row[3] - row[1]):
                row[:] = [min(row[0], x0), min(row[1], y0), max(row[2], x1), max(row[3], y1)]
                break
        else:
            rows.append([x0, y0, x1, y1])
    shortest = (WORN_LINE_WIDTH if worn else MIN_LINE_WIDTH) * width
    boxes = sorted((x0, y0 + top, x1, y1 + top) for x0, y0, x1, y1 in rows
                   if x1 - x0 >= shortest and y1 - y0 <= 0.1 * height)
    boxes.sort(key=lambda b: b[1])
    # The zone: the lowest three rows alike in height and left edge (a heading above is neither).
    for i in range(len(boxes) - 3, -1, -1):
        three = boxes[i:i + 3]
        heights = [b[3] - b[1] for b in three]
        if max(heights) >= 1.4 * min(heights):
            continue
        lefts, rights = [b[0] for b in three], [b[2] for b in three]
        aligned = max(lefts) - min(lefts) < 0.05 * width or (worn and max(rights) - min(rights) < 0.05 * width)
        if aligned and max(b[2] - b[0] for b in three) >= MIN_LINE_WIDTH * width:
            return three
    return []


def unevenness(lines: list[tuple[int, int, int, int]]) -> float:
    """How unlike in length the lines are (1 for equal): thirty characters of a fixed pitch,
    fillers printed, make an MRZ's lines as long as each other, which three lines of a card's
    print (the top of an upside-down back) rarely are; glare can shorten one, though."""
    widths = [x1 - x0 for x0, _, x1, _ in lines]
    return max(widths) / max(min(widths), 1)


def read(gray: np.ndarray, *, dpi: int, timeout: float) -> tuple[list[str], TD1, tuple[int, int, int, int]] | None:
    """The lines of the TD1 zone of an upright card (grey pixels) as read, what they say, and
    their box; None when the card has no such zone.

    OCR-B has a fixed pitch and every place of a line is printed (fillers too), so each
    character read is put in the place its position says: a character glare hid or Tesseract
    dropped leaves its place empty (``?``) instead of pulling the rest of the line out of step."""
    boxes = lines_at_bottom(gray) or lines_at_bottom(gray, worn=True)
    if len(boxes) < 3:
        return None
    read_lines = []
    for x0, y0, x1, y1 in boxes:  # one line at a time: three lines read as one block read worse
        pad = (y1 - y0) // 2
        x_from = max(0, x0 - pad)
        crop = gray[max(0, y0 - pad):y1 + pad, x_from:x1 + pad]
        try:
            symbols = _tesseract.read_symbols(Image.fromarray(crop), language="eng", dpi=dpi, timeout=timeout,
                                              psm=7, charset=ALPHABET)
        except EngineFailed:  # Tesseract dies on some crops (a floating-point trap): that line reads nothing
            symbols = []
        read_lines.append((x_from, symbols))
    found = _best_grid(read_lines, min(b[0] for b in boxes), max(b[2] for b in boxes))
    if found is None:
        return None
    texts, parsed = found
    box = (min(b[0] for b in boxes), boxes[0][1], max(b[2] for b in boxes), boxes[-1][3])
    return texts, parsed, box


GLYPH = 0.72  # an OCR-B character's width, in pitches


def _best_grid(read_lines: list[tuple[int, list]], left: int, right: int) -> tuple[list[str], TD1] | None:
    """The lines placed on the zone's grid of places, and what they say. The grid runs from the
    zone's leftmost ink to its rightmost; a speck beside the zone in a small photo moves an end
    by a place, and every line then starts with a place read empty and loses a character where
    two crowd into one ("?IDVM1906…" for "IDVNM1906…"). So the grid with an end moved by a place
    is tried too, the grid at the pitch the characters stand at from either end (glare took the
    other), and the characters in the order read; another is kept only where more check digits agree as read, two at least (a digit that
    agrees once a place read empty is filled proves nothing: some digit always fills it so; and
    other print, placed five ways, could make one agree by chance)."""
    pitch = (right - left) / (LENGTH - 1 + GLYPH)
    grids = [(left + moved_left * pitch, (right + moved_right * pitch - left - moved_left * pitch) / (LENGTH - 1 + GLYPH))
             for moved_left, moved_right in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))]
    if (spacing := _spacing(read_lines)) is not None:
        # Glare that takes a line's first or last characters takes that end of the zone's ink
        # with it: the pitch the characters stand at, from the end that was read, places them.
        grids += [(left, spacing), (right - (LENGTH - 1 + GLYPH) * spacing, spacing)]
    readings = [[_placed(symbols, x_from - a, step) for x_from, symbols in read_lines] for a, step in grids]
    # A card flattened from corners glare misplaced keeps some perspective: its pitch changes
    # along the line, and no grid fits. The characters in the order read are tried too.
    readings.append(["".join(text for text, _ in symbols) for _, symbols in read_lines])
    best: tuple[int, list[str], TD1] | None = None
    for n, texts in enumerate(readings):
        parsed = parse(texts)
        if parsed is None or not parsed.plausible:
            continue
        agreeing = (parsed.composite and not parsed.composite_repaired) + sum(
            c.valid and not c.repaired for c in (parsed.document_number, parsed.birth, parsed.expiry))
        if n == 0 or agreeing > max(1, best[0] if best else 0):
            best = (agreeing, texts, parsed)
    return None if best is None else (best[1], best[2])


def _spacing(read_lines: list[tuple[int, list]]) -> float | None:
    """The pitch the characters read stand at: the median step between neighbours, nearly all of
    them a place apart, since every place of a line is printed; None with too few read."""
    steps = [(b[0] + b[2] - a[0] - a[2]) / 2 for _, symbols in read_lines
             for (_, a), (_, b) in zip(symbols, symbols[1:])]
    if len(steps) < LENGTH:
        return None
    typical = median(steps)
    return median(s for s in steps if 0.6 * typical < s < 1.4 * typical)


def _placed(symbols: list[tuple[str, tuple[int, int, int, int]]], offset: float, pitch: float) -> str:
    """A line of 30 places from the characters read and where they stand (``offset``: the
    crop's left from the zone's); of two read into one place the one nearer its centre stays."""
    places = [UNREAD] * LENGTH
    miss = [1.0] * LENGTH
    for text, (x0, _, x1, _) in symbols:
        at = (offset + (x0 + x1) / 2) / pitch - GLYPH / 2
        i = round(at)
        if 0 <= i < LENGTH and abs(at - i) < miss[i]:
            places[i], miss[i] = text, abs(at - i)
    return "".join(places)


def _odd(n: int) -> int:
    return max(3, n | 1)
