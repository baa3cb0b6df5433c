"""A card the finder could not cut out of a photo (a pale card on a printed form or a checked
cloth, under fingers or a sheen), placed by what it states for machines, so that it is read as a
card found: its print off the flattened card, not off the whole photo with the form's words.

A back's MRZ runs along the card's bottom, nearly as long as the card is wide: its lines and
pitch (ocr/cardzone.py) place the card closely enough, and moving its sides onto the photo's
straight changes beside them more often took a form's rules or a cloth's squares for its edges
than it helped. A chip card's QR code stands in the front's top-right corner, small beside the
card: it places the card's way up and its top and right sides, its far sides only roughly (a code
a little smaller or off its place on the card moves them most). Each side of a card its QR code
places is then moved onto the straight line beside it along which the photo changes most
(ocr/cardpattern.py), a long way for the far sides; a card one of whose sides lies on no such
line is not placed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from . import _qr, card, cardpattern, cardzone

# Where a chip card's QR code stands on its front, 2021 and 2024 cards alike: the symbol's
# top-right corner 83.4 mm from the card's left side and 2.8 mm below its top, 11.4 mm a side
# (tests/vncards.py's cards: 83.4 ± 0.2, 2.8 ± 0.2, 11.5 ± 0.8; tests/othercards.py's, whose print
# moves: 83.4 ± 1.0, 2.8 ± 0.9, 11.3 ± 0.8; real cards: about 13 mm with its quiet zone, in the
# top-right corner).
QR_RIGHT_MM, QR_TOP_MM, QR_SIDE_MM = 83.4, 2.8, 11.4
CARD_QR = re.compile(r"\d{12}\|")  # a chip card's code starts with the 12-digit ID
# How far each end of the placed card's sides (top, right, bottom, left) may move onto an edge,
# in parts of its short side: the sides beside the code are placed well, the far ones roughly
# (a code off its place or smaller on the card moves them most).
QR_REACH = (0.05, 0.05, 0.15, 0.3)


@dataclass(frozen=True)
class Stated:
    """A card's code read off a whole photo: what it says, its corners in the photo, and the
    card's corners as the code places it (upright: top-left, top-right, bottom-right,
    bottom-left), or None when the photo is not to be read as that one card."""
    kind: str  # "qr" or "mrz"
    text: str
    corners: np.ndarray
    card: np.ndarray | None
    valid: bool = True  # as in ocr.model.Code
    problems: tuple[str, ...] = ()


def stated(photo: np.ndarray, *, timeout: float) -> Stated | None:
    """A chip card's QR code, or failing one, a back's MRZ whose check digits all agree, read
    off the whole photo. A scanned page of print (`card.plain_page`) is asked for a QR code only,
    with the fast reader, and places no card; nor does a photo that holds a front's code and a
    back's zone (a photocopy of both sides)."""
    qr = _qr.decode(photo, thorough=False)  # every scanned page passes here: the fast reader only
    if card.plain_page(photo):
        return None if qr is None else Stated("qr", qr[0], qr[1], None)
    if qr is not None and CARD_QR.match(qr[0]) is None:  # some other paper's code
        return Stated("qr", qr[0], qr[1], None)
    zone = cardzone.read(photo, timeout=timeout)
    if qr is not None:
        return Stated("qr", qr[0], qr[1], _settled(photo, _by_qr(qr[1]), QR_REACH) if zone is None else None)
    if zone is None:
        return None
    return Stated("mrz", "\n".join(zone.lines), zone.corners, zone.card,
                  zone.parsed.valid, tuple(zone.parsed.problems))


def _by_qr(corners: np.ndarray) -> np.ndarray:
    """The card's corners in the photo as its QR code's corners place it: the affine map of
    the code's square on the card onto them (the code is too small for its perspective to tell)."""
    left, bottom = QR_RIGHT_MM - QR_SIDE_MM, QR_TOP_MM + QR_SIDE_MM
    square = np.float32([[left, QR_TOP_MM], [QR_RIGHT_MM, QR_TOP_MM], [QR_RIGHT_MM, bottom], [left, bottom]])
    affine, *_ = np.linalg.lstsq(np.hstack([square, np.ones((4, 1), np.float32)]), corners, rcond=None)
    outline = np.float32([[0, 0], [card.WIDTH_MM, 0], [card.WIDTH_MM, card.HEIGHT_MM], [0, card.HEIGHT_MM]])
    return (np.hstack([outline, np.ones((4, 1), np.float32)]) @ affine).astype(np.float32)


def _settled(photo: np.ndarray, corners: np.ndarray, reach: tuple[float, ...]) -> np.ndarray | None:
    """The card's corners with each side moved onto the card's edge beside it; None when a side
    lies on no edge there or the sides so moved have no card's shape."""
    height, width = photo.shape[:2]
    scale = card.WORK / max(height, width)
    small = cv2.resize(photo, (max(1, round(width * scale)), max(1, round(height * scale))),
                       interpolation=cv2.INTER_AREA)
    if small.ndim == 2:
        small = cv2.cvtColor(small, cv2.COLOR_GRAY2RGB)
    gradients = cardpattern.gradients(cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_RGB2LAB))
    placed = corners * np.float32(scale)
    short = min(card.side_lengths(placed))
    sides = [cardpattern.moved(placed[i], placed[(i + 1) % 4], gradients, part * short) for i, part in enumerate(reach)]
    if any(side is None for side in sides) or (moved := card.meeting(sides)) is None or not card.shaped(moved):
        return None
    return moved / np.float32(scale)
