"""A card's machine-readable zone found in the whole photo, when no card could be cut out of it
(a pale card on a printed form, a card under fingers or a sheen): the back's MRZ still gives
its fields.

The zone is three lines of 30 OCR-B characters at a fixed pitch, one above the other, as long
as each other: easy to find by itself, whichever way the card lies. The photo's marks of a
character's size are linked to their nearest like neighbours; a line of print is a chain of
marks linked along one direction, and the card's lines run along its long side whatever way
the form under it or the photo is turned. Three long chains side by side, alike in length and
evenly spaced, are a zone; the lines place the card's bottom, which is flattened to the card's
own geometry (ocr/card.py), both ways up, and read there by ocr/mrz.py as on a card found.
A zone that places the card only roughly may read wrong: only one whose every check digit
agrees is taken. The zone read, where it stands and its pitch place the whole card in the photo,
upright (ocr/cardplace.py reads the card there).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from . import card, mrz

WORK = 1600  # long side of the reduced photo the zone is looked for in
GLYPH = (5, 60)  # pixels of the reduced photo: the sizes of a character of the zone there
FILL = 0.75  # of its box, at most, that a character's strokes cover
NEIGHBOURS = 4  # looked at per mark
REACH = 2.0  # a mark's neighbour in a line of print lies within this many of its sizes
LIKE = 1.8  # the larger of two neighbouring marks of a line is at most this many times the other
ALONG = math.radians(12)  # how far a link may turn from its line's direction
PEAKS = 4  # the directions most links run in that are looked along: the card's, the form's, the photo's
MIN_MARKS, MAX_MARKS = 18, 36  # of a line of the zone: 30 characters, some lost to glare or fingers, some split
PITCH_SPREAD, EVEN = 0.25, 0.7  # this share of a zone's steps at least are within this much of its pitch
VARIED = 0.18  # the spread of the ink the marks of a zone hold, in parts of its mean, at least
TRIED = 2  # zones read, at most, per threshold of ink: each reading costs a few Tesseract runs
INK = (12, 32)  # levels of 255 by which a mark is darker than the mean around it
ALIKE = 1.5  # how much longer one of the zone's lines may be found than another
SPACING = (1.2, 2.3)  # the lines' spacing, in pitches (4.23 / 2.54 = 1.67 on a card)
# Where the zone is placed on the flattened card: characters 2.54 mm apart and lines 4.23 mm
# apart (ICAO 9303 TD1), the first character's middle 6 mm from the card's left side, the last
# line's middle 7 mm above its bottom (3 mm on a card): a zone seen in perspective is placed by
# its first line's ends and its last line's start, and its last line's other end may fall lower.
PITCH_MM, LINE_MM = 2.54, 4.23
FIRST_MM, LAST_LINE_MM = 6.2, 47.0
# Where the zone stands on the card itself, which places the card in the photo: the last line's
# middle 3.3 mm above the bottom edge and the first character's middle 5.6 mm from the left side
# (tests/vncards.py's cards; tests/othercards.py moves the print by up to 1.5 mm, and a real card's
# zone too lies close above its bottom edge).
CARD_FIRST_MM, CARD_LAST_LINE_MM = 5.6, 50.7
MARGIN_MM = 2.5  # kept around the middles of the zone's outer characters: a character and a half


@dataclass(frozen=True)
class Zone:
    lines: list[str]  # as read
    parsed: mrz.TD1
    # Its box's corners in the photo (4 × 2, its lines' reading order: top-left, top-right,
    # bottom-right, bottom-left), and the card's as the zone places it, upright, in that order.
    corners: np.ndarray
    card: np.ndarray


def read(photo: np.ndarray, *, timeout: float) -> Zone | None:
    """The zone read off the photo, or None when no zone whose check digits all agree is found."""
    gray = photo if photo.ndim == 2 else photo.min(axis=2)  # black OCR-B on any tint
    for lines in _zones(gray):
        for placed in (lines, [line[::-1] for line in lines[::-1]]):  # which way up, nothing so far tells
            flat, to_flat = _flattened(gray, placed)
            zone = mrz.read(flat, dpi=card.DPI, timeout=timeout)
            if zone is not None and zone[1].valid:
                x0, y0, x1, y1 = zone[2]
                box = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
                from_flat = np.linalg.inv(to_flat)
                return Zone(zone[0], zone[1], cv2.perspectiveTransform(box[None], from_flat)[0],
                            cv2.perspectiveTransform(_card_on_flat()[None], from_flat)[0])
    return None


def _card_on_flat() -> np.ndarray:
    """The card's corners on the flattened bottom, whose zone stands higher than on the card."""
    per_mm = card.CARD_WIDTH / card.WIDTH_MM
    top, left = LAST_LINE_MM - CARD_LAST_LINE_MM, FIRST_MM - CARD_FIRST_MM
    return np.float32([[left, top], [left + card.WIDTH_MM, top], [left + card.WIDTH_MM, top + card.HEIGHT_MM],
                       [left, top + card.HEIGHT_MM]]) * per_mm


def _zones(gray: np.ndarray) -> Iterator[list[np.ndarray]]:
    """Each zone found: its three lines, top to bottom as found (which way up is not known here),
    each the middles of its marks in the photo in order along it. Marks are the photo's print a
    little darker than around it, then, if no zone was read, much darker: a sheen over a card
    lightens its guilloche to the zone's grey, which joins its characters into blots."""
    scale = min(1.0, WORK / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    for darker in INK:
        ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                    _odd(max(small.shape) // 40), darker)
        _, _, stats, middles = cv2.connectedComponentsWithStats(ink)
        x, y, width, height, area = (stats[1:, i].astype(np.float32) for i in range(5))
        size = np.maximum(width, height)
        # A character's strokes fill part of its box; a check of a tablecloth or a speck fills all of it.
        keep = (size >= GLYPH[0]) & (size <= GLYPH[1]) & (area <= FILL * width * height)
        points, size, area = middles[1:][keep].astype(np.float32), size[keep], area[keep]
        if len(points) < 3 * MIN_MARKS:
            continue
        # Letters, digits and fillers differ in how much ink they hold; a pattern's marks do not:
        # the zones whose marks differ most are read first.
        zones = [(float(ink.std() / ink.mean()), lines) for lines in _stacked(_chains(points, size), points)
                 if len(ink := area[np.concatenate(lines)])]
        zones.sort(key=lambda zone: zone[0], reverse=True)
        yield from ([points[chain] / np.float32(scale) for chain in lines]
                    for varied, lines in zones[:TRIED] if varied >= VARIED)


def _chains(points: np.ndarray, size: np.ndarray) -> list[np.ndarray]:
    """Lines of print: marks linked to like neighbours nearly along one of the directions most
    links run in, each line the indices of its marks in order along it."""
    distances, neighbours = cKDTree(points).query(points, NEIGHBOURS + 1)
    links = []
    for k in range(1, NEIGHBOURS + 1):
        j = np.minimum(neighbours[:, k], len(points) - 1)  # past the last: fewer marks than neighbours asked
        near = np.nonzero(distances[:, k] <= REACH * np.maximum(size, size[j]))[0]
        like = np.maximum(size[near], size[j[near]]) <= LIKE * np.minimum(size[near], size[j[near]])
        links.append(np.stack([near[like], j[near][like]], axis=1))
    pairs = np.concatenate(links)
    if not len(pairs):
        return []
    step = points[pairs[:, 1]] - points[pairs[:, 0]]
    angle = np.arctan2(step[:, 1], step[:, 0]) % math.pi
    degrees = np.bincount(np.round(np.degrees(angle)).astype(int) % 180, minlength=180).astype(np.float32)
    smooth = np.convolve(np.concatenate([degrees[-3:], degrees, degrees[:3]]), np.ones(7, np.float32), "valid")
    peaks = [a for a in np.argsort(smooth)[::-1]
             if smooth[a] > 0 and smooth[a] >= max(smooth[(a - 1) % 180], smooth[(a + 1) % 180])][:PEAKS]
    chains, seen = [], set()
    for peak in peaks:
        direction = math.radians(float(peak))
        turn = np.abs((angle - direction + math.pi / 2) % math.pi - math.pi / 2)
        count, labels = connected_components(
            coo_matrix((np.ones(int((turn <= ALONG).sum())), tuple(pairs[turn <= ALONG].T)),
                       shape=(len(points), len(points))), directed=False)
        unit = np.float32([math.cos(direction), math.sin(direction)])
        for label in np.nonzero(np.bincount(labels, minlength=count) >= MIN_MARKS)[0]:
            members = np.nonzero(labels == label)[0]
            members = members[np.argsort(points[members] @ unit)]
            if (key := (int(members[0]), int(members[-1]))) not in seen \
                    and (line := _evenly_pitched(members, points)) is not None:
                seen.add(key)
                chains.append(line)
    return chains


def _evenly_pitched(members: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """The line without the marks at its ends that stand off its pitch (a fingertip's edge, the
    form's print beside the card), if its marks stand a pitch apart as a zone's fixed-pitch
    characters and fillers do (a place lost to glare is two pitches); None for a line of
    ordinary print, of letters of many widths and gaps between words."""
    steps = np.linalg.norm(np.diff(points[members], axis=0), axis=1)
    pitch = float(np.median(steps))
    on_pitch = np.abs(steps - pitch) <= PITCH_SPREAD * pitch
    if len(members) > MAX_MARKS or on_pitch.mean() < EVEN:
        return None
    first, last = int(np.argmax(on_pitch)), len(on_pitch) - int(np.argmax(on_pitch[::-1]))
    return members[first:last + 1] if last + 1 - first >= MIN_MARKS else None


def _stacked(chains: list[np.ndarray], points: np.ndarray) -> list[list[np.ndarray]]:
    """Three chains that are a zone, top to bottom: parallel, alike in length, one above the
    other at an even spacing of about 1.7 of their pitch, their starts or their ends aligned."""
    lines = []
    for chain in chains:
        marks = points[chain]
        vx, vy, x0, y0 = cv2.fitLine(marks, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        unit = np.float32([vx, vy]) if (marks[-1] - marks[0]) @ np.float32([vx, vy]) > 0 else -np.float32([vx, vy])
        along = (marks - np.float32([x0, y0])) @ unit
        pitch = float(np.median(np.diff(along)))
        lines.append((chain, marks, unit, (float(along[0]), float(along[-1])), pitch))
    found = []
    for chain, marks, unit, (start, stop), pitch in lines:
        normal = np.float32([-unit[1], unit[0]])  # "down", with `unit` pointing along the line
        beside = []
        for other, other_marks, other_unit, _, _ in lines:
            if other is chain or abs(float(unit @ other_unit)) < math.cos(ALONG):
                continue
            if other_unit @ unit < 0:
                other, other_marks = other[::-1], other_marks[::-1]
            offset = float(np.median((other_marks - marks[0]) @ normal))
            along = (other_marks[[0, -1]] - marks[0]) @ unit
            if not 1 / ALIKE <= (along[1] - along[0]) / (stop - start) <= ALIKE:
                continue
            aligned = min(abs(along[0]), abs(along[1] - (stop - start))) <= 2 * pitch
            if aligned and SPACING[0] * pitch <= abs(offset) <= SPACING[1] * pitch:
                beside.append((offset, other))
        for up, above in (b for b in beside if b[0] < 0):
            for down, below in (b for b in beside if b[0] > 0):
                if abs(up + down) <= 0.25 * (down - up) / 2:  # as far above as below
                    found.append([above, chain, below])
    return found


def _flattened(gray: np.ndarray, lines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The card's bottom as the zone's lines place it, flattened to the card's own geometry, and
    the homography from the photo to it. The first and last lines, each fitted as a straight
    line, from the first character's middle to the last's found on any line, map to where those
    characters stand on a card; when fewer than a line's 30 were found on every line (glare or a
    finger over one end), those found are placed in the middle, and as many places as are
    missing are kept on either side."""
    ends = [line[-1] - line[0] for line in lines]
    unit = sum(e / max(float(np.linalg.norm(e)), 1.0) for e in ends)
    unit = unit / max(float(np.linalg.norm(unit)), 1e-6)
    along = np.concatenate(lines) @ unit
    first, last = float(along.min()), float(along.max())
    pitch = float(np.median(np.concatenate([np.diff(line @ unit) for line in lines])))
    places = min(mrz.LENGTH, round((last - first) / pitch) + 1)
    corners = []
    for line, at in ((lines[0], first), (lines[0], last), (lines[-1], last), (lines[-1], first)):
        vx, vy, x0, y0 = cv2.fitLine(line, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        point, direction = np.float32([x0, y0]), np.float32([vx, vy])
        corners.append(point + direction * (at - float(point @ unit)) / float(direction @ unit))
    per_mm = card.CARD_WIDTH / card.WIDTH_MM
    missing = (mrz.LENGTH - places) * PITCH_MM
    left, right = FIRST_MM + missing / 2, FIRST_MM + missing / 2 + (places - 1) * PITCH_MM
    top = LAST_LINE_MM - 2 * LINE_MM
    target = np.float32([[left, top], [right, top], [right, LAST_LINE_MM], [left, LAST_LINE_MM]]) * per_mm
    to_flat = cv2.getPerspectiveTransform(np.float32(corners), target)
    size = (card.CARD_WIDTH, round(card.CARD_WIDTH / card.RATIO))
    flat = cv2.warpPerspective(gray, to_flat, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    # Only the zone is kept: what lies beside it here is not the card's edge but whatever the card
    # lies on (a checked cloth's squares, a form's print), which would join its lines.
    reach = np.float32([MARGIN_MM + missing, MARGIN_MM]) * per_mm
    (x0, y0), (x1, y1) = np.round((target[0] - reach, target[2] + reach)).astype(int)
    kept = flat[max(0, y0):y1, max(0, x0):x1]
    out = np.full_like(flat, int(np.percentile(kept, 90)))  # the zone's paper
    out[max(0, y0):y1, max(0, x0):x1] = kept
    return out, to_flat


def _odd(n: int) -> int:
    return max(3, n | 1)
