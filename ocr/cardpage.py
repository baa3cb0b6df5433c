"""Reading an ID card found in a photo: flatten it, turn it upright, read what it states for
machines (QR code, MRZ), then its print.

The steps, each deciding once from the best evidence it has:
- flatten: the card's corners (ocr/card.py) map it to a fixed size, 20 pixels per millimetre;
- turn: a chip card's QR code stands top right on the front, the MRZ's long lines at the bottom
  of the back; failing both, the shape of the text lines guesses, and a card that then reads
  badly is read the other way up too (the better reading kept);
- QR code and MRZ: decoded and checked (ocr/_qr.py, ocr/mrz.py) into the page's ``codes``;
- print: Tesseract reads the card; the words that are mostly digits (numbers, dates) are read
  again, each cut out alone but all in one Tesseract run, with digits only, which a card's
  guilloche background otherwise spoils.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from pathlib import Path
from statistics import median

import cv2
import numpy as np
from PIL import Image

from . import _qr, _tesseract, capture, card, leaders, mrz, preprocess, syllable
from .errors import EngineFailed
from .model import Code, PageResult, Word
from .options import OcrOptions

DIGITS = "0123456789/.-"
GLARE_SPAN, GLARE_GAIN = 50.0, 2.5  # paper this much brighter than usual is glare; print there darkened
DOUBTFUL = 0.72  # mean word confidence under which a card not known to be upright is read both ways
SHARP = 8.0  # pixels per millimetre of the card in the photo under which its print is guessed at


@dataclass
class CardPage:
    result: PageResult  # the page read; its pdf is the text layer alone
    image: np.ndarray  # the flattened card, upright, in colour: the archival page
    dpi: int


def read(photo: np.ndarray, found: card.Found, number: int, options: OcrOptions, workdir: Path) -> CardPage:
    flat = card.warp(photo, found.corners)
    if flat.ndim == 2:
        flat = cv2.cvtColor(flat, cv2.COLOR_GRAY2RGB)
    dpi = card.DPI
    qr = _qr.decode(flat)
    gray = _gray(flat)
    turned, settled = _upside_down(gray, qr)
    if turned:
        flat, gray, qr = _turned(flat, gray, qr)
    zone = _zone(gray, qr, dpi, options)
    # Long lines at one end said "MRZ", but no zone reads there: an old card's dotted lines or
    # its address can look so, and then they settled nothing.
    settled = settled and (qr is not None or zone is not None)
    printed = _without_zone(_undotted(gray), zone)
    recognition = _recognise(printed, number, dpi, options, workdir)
    if not settled and _doubtful(recognition.words):
        # Nothing on the card said which way up it is: read it the other way up too.
        other_way = _undotted(np.ascontiguousarray(gray[::-1, ::-1]))
        other = _recognise(other_way, number, dpi, options, workdir, "r")
        if _score(other.words) > _score(recognition.words):
            recognition.text_layer_pdf.unlink(missing_ok=True)
            recognition, turned = other, not turned
            flat, gray, qr = _turned(flat, gray, qr)
            printed = other_way
            zone = _zone(gray, qr, dpi, options)
        else:
            other.text_layer_pdf.unlink(missing_ok=True)
    codes = []
    if qr is not None:
        codes.append(Code("qr", qr[0], bounds(qr[1])))
    if zone is not None:
        lines, parsed, box = zone
        codes.append(Code("mrz", "\n".join(lines), tuple(float(v) for v in box), parsed.valid,
                          tuple(parsed.problems)))
    words = _dates_again(printed, _digits_again(printed, recognition.words, dpi, options), dpi, options)
    words = _worded_dates_again(printed, words, dpi, options)
    if zone is not None:  # the zone's characters are in its code; read as Vietnamese they are noise
        words = [w for w in words if not _inside(w.bbox, zone[2])]
    # A card small in the photo (far away, or a photo a chat app shrank) was enlarged to be read:
    # its print's small marks and digits were guessed at, which the fields must say.
    taken = capture.assess(flat, found.corners)
    enlarged = taken.pixels_per_mm < SHARP
    result = PageResult(number, "ocr", gray.shape[1], gray.shape[0], dpi, words=words, text=_text(words),
                        steps=["card"] + (["turn"] if turned else []) + (["enlarged"] if enlarged else []),
                        pdf=recognition.text_layer_pdf,
                        codes=codes, capture=taken)
    return CardPage(result, flat, dpi)


def _undotted(gray: np.ndarray) -> np.ndarray:
    """The card as its print is read: an old card's dotted writing lines read as letters, and
    which dots are a letter's own marks depends on which way up the card is read."""
    return leaders.remove(gray, card.CARD_WIDTH / card.WIDTH_MM)


def _without_zone(gray: np.ndarray, zone) -> np.ndarray:
    """The card's print with its MRZ painted over: the zone is read on its own, and its black
    OCR-B, the darkest print on a back, set Tesseract's one threshold for the whole card so high
    that grey labels and values (under glare above all) fell on the paper's side of it."""
    if zone is None:
        return gray
    x0, y0, x1, y1 = zone[2]
    margin = (y1 - y0) // 6
    out = gray.copy()
    out[max(0, y0 - margin):y1 + margin, max(0, x0 - margin):x1 + margin] = leaders.PAPER
    return out


def _zone(gray: np.ndarray, qr: tuple[str, np.ndarray] | None, dpi: int, options: OcrOptions):
    """The card's MRZ, on a back: a side with a QR code is a chip card's front, which has none."""
    return None if qr is not None else mrz.read(gray, dpi=dpi, timeout=options.timeout)


# What a Vietnamese ID card prints and other papers' seals and signatures do not: its titles and
# bilingual labels, front and back, as folded keys (letters only, no marks).
CARD_WORDS = ("cancuoc", "chungminh", "congdan", "identitycard", "identification", "fullname", "hovaten",
              "dateofbirth", "ngaysinh", "nationality", "quoctich", "placeoforigin", "quequan", "residence",
              "thuongtru", "dateofexpiry", "cogiatri", "dacdiem", "nhandang", "ngontro", "indexfinger",
              "dantoc", "tongiao", "dauvet", "birthregistration",
              # the old 9-digit card's labels, in Vietnamese only
              "hoten", "sinhngay", "nguyenquan", "dkhk")


# Five of the MRZ's fillers in a row: what glare over a back leaves of its zone, when the zone
# no longer reads as one and the labels are gone too. No other paper prints them.
FILLERS = "<<<<<"


# Words that no form asking for a card's fields prints: the titles, the fingerprints' labels and
# the issuing ministry ("Họ và tên", "Ngày sinh", "Quê quán" of CARD_WORDS head many forms).
CARD_ONLY_WORDS = ("cancuoc", "chungminh", "identitycard", "ngontro", "indexfinger", "dauvet", "bocongan")


def reads_as_card(words: list[Word], card_words: tuple[str, ...] = CARD_WORDS) -> bool:
    """Whether the print read off a cut-out card holds one of a card's titles or labels, or
    what is left of an MRZ."""
    text = " ".join(w.text for w in words)
    return any(k in _letters_of(text) for k in card_words) or FILLERS in text


def reads_as_card_only(words: list[Word]) -> bool:
    """Whether the print holds words that only a card prints, or what is left of an MRZ."""
    return reads_as_card(words, CARD_ONLY_WORDS)


def _recognise(gray: np.ndarray, number: int, dpi: int, options: OcrOptions, workdir: Path,
               variant: str = "") -> _tesseract.Recognition:
    image_path = workdir / f"page-{number:04d}-card{variant}.pgm"
    Image.fromarray(gray).save(image_path)
    try:
        # Sparse text: a card's print stands in scattered fields, not in paragraphs.
        return _tesseract.recognise(image_path, workdir / f"page-{number:04d}{variant}-text",
                                    language=options.language, dpi=dpi, timeout=options.timeout, psm=11)
    finally:
        image_path.unlink()


def _turned(flat: np.ndarray, gray: np.ndarray, qr: tuple[str, np.ndarray] | None):
    flat, gray = np.ascontiguousarray(flat[::-1, ::-1]), np.ascontiguousarray(gray[::-1, ::-1])
    if qr is not None:
        qr = (qr[0], np.float32([flat.shape[1] - 1, flat.shape[0] - 1]) - qr[1])
    return flat, gray, qr


def _doubtful(words: list[Word]) -> bool:
    return len(words) < 8 or sum(w.confidence for w in words) / len(words) < DOUBTFUL


def _score(words: list[Word]) -> float:
    """How well a reading reads: its sure characters, in words spelt as Vietnamese or numbers
    (print read upside down, or a row of dots, reads as letters too, but seldom as syllables)."""
    return sum(w.confidence * len(w.text) for w in words
               if (core := w.text.strip(syllable.PUNCTUATION)) and (core.isdigit() or syllable.is_syllable(core)))



def _gray(flat: np.ndarray) -> np.ndarray:
    """Grey for reading: the darkest channel keeps black print black on any tint of guilloche,
    and the light of the photo is divided out (the local paper is a grey dilation). Under glare
    (paper much brighter than the card's usual paper) print keeps little contrast: there its
    darkness is stretched, up to GLARE_GAIN times. Stretching everywhere raised the guilloche
    with the print and read worse (bench/cards.py, tuning part)."""
    gray = flat.min(axis=2)
    paper = cv2.GaussianBlur(cv2.dilate(gray, np.ones((15, 15), np.uint8)), (0, 0), 9).astype(np.float32)
    darkness = 1 - gray.astype(np.float32) / np.maximum(paper, 1)
    glare = np.clip((paper - np.median(paper)) / GLARE_SPAN, 0, 1)
    darkness *= 1 + (GLARE_GAIN - 1) * cv2.GaussianBlur(glare, (0, 0), 15)
    return np.clip(235 * (1 - darkness), 0, 255).astype(np.uint8)


def _upside_down(gray: np.ndarray, qr: tuple[str, np.ndarray] | None) -> tuple[bool, bool]:
    """Whether the flattened card is upside down, and whether that is settled: a chip card's
    QR code stands top right, a card's MRZ at the bottom. Without either, the shape of the
    text lines guesses, and reading checks the guess."""
    height, width = gray.shape
    if qr is not None:
        x, y = qr[1].mean(axis=0)
        return bool(x < width / 2 and y > height / 2), True
    below = mrz.lines_at_bottom(gray)
    above = mrz.lines_at_bottom(np.ascontiguousarray(gray[::-1, ::-1]))
    if below and above:  # an MRZ at one end, three lines of print at the other: the MRZ's are alike
        return mrz.unevenness(above) < mrz.unevenness(below), True
    if below or above:
        return bool(above), True
    geometry = preprocess.analyse(Image.fromarray(gray), 5.0)
    return bool(geometry.above_below is not None and geometry.above_below < 1.0), False


def _digits_again(gray: np.ndarray, words: list[Word], dpi: int, options: OcrOptions) -> list[Word]:
    """Words that are mostly digits (numbers, dates) read once more, alone and with digits only;
    the new reading is kept when it has as many digits and is surer."""
    numeric = [i for i, w in enumerate(words)
               if sum(c.isdigit() for c in w.text) >= max(4, 0.6 * len(w.text))]
    crops = []
    for i in numeric:
        x0, y0, x1, y1 = (round(v) for v in words[i].bbox)
        pad = max(4, (y1 - y0) // 3)
        crops.append(gray[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad])
    try:
        again = _tesseract.read_each(crops, language="eng", dpi=dpi, timeout=options.timeout, charset=DIGITS)
    except EngineFailed:  # Tesseract gives up on some crops: the first readings stand
        return words
    out = list(words)
    for i, (text, confidence) in zip(numeric, again):
        text = text.replace(" ", "")
        digits = sum(c.isdigit() for c in words[i].text)
        if text and sum(c.isdigit() for c in text) >= digits and confidence >= words[i].confidence:
            out[i] = replace(words[i], text=text, confidence=confidence)
    return out


# The labels a card prints a date after, on the same line, as folded keys (letters only).
DATE_LABELS = ("sinhngay", "ngaysinh", "dateofbirth", "cogiatriden", "dateofissue", "dateofexpiry",
               "datemonthyear")
_DATE = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}")
# A date read whole: no figure run into it ("232/02/2017", a colon read as a 3, is to be read again;
# a cut read again may still take in a speck beside the date, "05-11-19404").
_WHOLE_DATE = re.compile(rf"(?<!\d){_DATE.pattern}(?!\d)")
DATE_WORDS = 3  # after a date's label, the words a date read in pieces may stand in
DATE_REACH = 9  # line heights from a date's label within which its date is printed
TALLER = 1.5  # of its label's height, a word read after it that took in more than the date's print
LABEL_LIKENESS = 0.8  # difflib's ratio from which the end of a line's letters is a date's label
INK_SHARE = 0.5  # of the darkest print near a pixel (within a line height), the darkness from which it is ink
FADED_FLOOR = 0.45  # of a cut's darkest print, what the darkest print near a pixel is taken to be at least


def _dates_again(gray: np.ndarray, words: list[Word], dpi: int, options: OcrOptions) -> list[Word]:
    """A date that glare paled beside its label, read again: the line after the label is cut
    out and made black and white by its own darkest print. Read with the card's one threshold,
    such a date (at half the darkness of the card's title) was lost or half read ("1-1940" for
    05-11-1940); within the cut it is the darkest print, twice as dark as the guilloche. The new
    reading replaces what was read after the label only when it is a whole date and what was
    there is not."""
    todo = []  # (the line's words after the label, the cut, the line)
    for members in _by_line(words):
        label_end, folded = None, ""
        for n, i in enumerate(members):
            folded += _letters_of(words[i].text)
            if not any(c.isdigit() for c in words[i].text) and _ends_with_date_label(folded):
                label_end = n  # a label's word has no digit: "06/40/20ia" is the date misread
        if label_end is None:
            continue
        after = members[label_end + 1:]
        # Up to the next words (another field run into the line: a place's second line beside
        # the chip card's expiry): only what stands between is the date's. A word with a digit
        # in it is the date misread ("06/40/20ia"), not another field, and so are the letters
        # before one of the next three words ("bồi 10/2030": the day misread).
        digits = [n for n, i in enumerate(after[:DATE_WORDS]) if any(c.isdigit() for c in words[i].text)]
        other = next((n for n, i in enumerate(after) if n > max(digits, default=-1)
                      and sum(c.isalpha() for c in words[i].text) >= 2), len(after))
        after, end = after[:other], (words[after[other]].bbox[0] if other < len(after) else gray.shape[1])
        if _WHOLE_DATE.search(" ".join(words[i].text for i in after)):
            continue  # a whole date was read: the digits' own reading puts it right
        x0 = round(words[members[label_end]].bbox[2])
        # The label's and the date's own height: the bold place beside a 12-digit card's expiry
        # is twice as tall as its small italics, and a misread word may take in a guilloche's
        # stroke above it ("bồi").
        label = members[:label_end + 1]
        usual = median(words[i].bbox[3] - words[i].bbox[1] for i in label)
        own = label + [i for i in after if words[i].bbox[3] - words[i].bbox[1] <= TALLER * usual]
        y0 = round(min(words[i].bbox[1] for i in own))
        y1 = round(max(words[i].bbox[3] for i in own))
        pad = max(4, (y1 - y0) // 3)
        end = min(end, x0 + DATE_REACH * (y1 - y0))  # a date is no wider; what lies past it is other print
        box = (x0 + pad, max(0, y0 - pad), round(end) - pad, min(gray.shape[0], y1 + pad))
        if box[2] - box[0] > 4 * (y1 - y0):
            todo.append((after, box, words[members[label_end]].line))
    if not todo:
        return words
    crops = [_faded_ink(gray[b[1]:b[3], b[0]:b[2]]) for _, b, _ in todo]
    try:
        again = _tesseract.read_each(crops, language="eng", dpi=dpi, timeout=options.timeout, charset=DIGITS)
    except EngineFailed:
        return words
    out, dropped = list(words), set()
    for (after, box, line), (text, confidence) in zip(todo, again):
        if found := _DATE.search(text):
            dropped.update(after)
            out.append(Word(re.sub(r"\s", "", found.group()), confidence, tuple(float(v) for v in box), line))
    return [w for i, w in enumerate(out) if i not in dropped]


# A date in words and figures, as an old card's back dates its issue ("Ngày 09 tháng 06 năm
# 2005"), on folded text: its day, month and year parted by "tháng" and "năm", each of which may
# have a letter misread ("thông", "nứm"); the "Ngày" before them, often paled or cut, is not needed.
_WORDED = re.compile(r"(?<!\d)(\d{1,2})\W+th\w{1,3}ng\W*(\d{1,2})\W+n\w{1,2}m\W*((?:19|20)\d{2})(?!\d)")
_DATE_WORD = re.compile(r"^(?:ng\w{0,2}y|th\w{1,3}ng|n\w{1,2}m)$")  # "Ngày", "tháng", "năm", folded
_YEAR = re.compile(r"^\W*((?:19|20)\d{2})\W*$")
WORDED_REACH = 20  # line heights left of its year within which a date in words is printed
SURE_WORD = 0.9  # a word read this surely, without figures, is other print: a cut stops at it


def _worded_dates_again(gray: np.ndarray, words: list[Word], dpi: int, options: OcrOptions) -> list[Word]:
    """A date in words that glare paled, read again: an old card's back dates its issue "Ngày 09
    tháng 06 năm 2005", of which the card's one threshold kept "›ãm 2002". A line that ends with
    a year but holds no such date is cut out from its year back to the sure print before it,
    made black and white by its own darkest print (``_faded_ink``) and read as Vietnamese; the
    new reading replaces the cut's words only when it is a whole date in words."""
    todo = []  # (the cut's words, the cut, the line)
    for members in _by_line(words):
        if _worded_date(" ".join(words[i].text for i in members)):
            continue
        at = next((n for n in range(len(members) - 1, -1, -1) if _YEAR.match(words[members[n]].text)), None)
        if at is None:
            continue
        year = words[members[at]]
        height = year.bbox[3] - year.bbox[1]
        start = year.bbox[2] - WORDED_REACH * height
        for i in members[:at]:
            w = words[i]
            if w.confidence >= SURE_WORD and (letters := _letters_of(w.text)) and not _DATE_WORD.match(letters) \
                    and not any(c.isdigit() for c in w.text):
                start = max(start, w.bbox[2])  # other print ("Ngón trỏ phải")
        pad = max(4, round(height) // 2)
        box = (max(0, round(start) + pad // 2), max(0, round(year.bbox[1]) - pad),
               min(gray.shape[1], round(year.bbox[2]) + pad), min(gray.shape[0], round(year.bbox[3]) + pad))
        if box[2] - box[0] > 4 * height:
            todo.append(([i for i in members[:at + 1] if words[i].bbox[0] >= box[0] - pad], box, year.line))
    if not todo:
        return words
    crops = [_faded_ink(gray[b[1]:b[3], b[0]:b[2]]) for _, b, _ in todo]
    try:
        again = _tesseract.read_each(crops, language=options.language, dpi=dpi, timeout=options.timeout)
    except EngineFailed:
        return words
    out, dropped = list(words), set()
    for (cut, box, line), (text, confidence) in zip(todo, again):
        if (found := _worded_date(text)) is None:
            continue
        dropped.update(cut)
        day, month, year = found
        out.extend(_spread(["Ngày", day, "tháng", month, "năm", year], confidence, box, line))
    return [w for i, w in enumerate(out) if i not in dropped]


def _worded_date(text: str) -> tuple[str, str, str] | None:
    """The day, month and year of a date in words in ``text``, when they make a day of a month."""
    found = _WORDED.search(_folded(text))
    return found.groups() if found and 1 <= int(found[1]) <= 31 and 1 <= int(found[2]) <= 12 else None


def _spread(texts: list[str], confidence: float, box: tuple[int, int, int, int], line: int) -> list[Word]:
    """Words read as one line, each given its share of the line's box by its letters."""
    x0, y0, x1, y1 = box
    step = (x1 - x0) / sum(len(t) + 1 for t in texts)
    placed, x = [], float(x0)
    for t in texts:
        placed.append(Word(t, confidence, (x, float(y0), x + step * len(t), float(y1)), line))
        x += step * (len(t) + 1)
    return placed


def _folded(text: str) -> str:
    """Text in lower case without marks, đ as d."""
    folded = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(c for c in folded if not unicodedata.combining(c))


def _by_line(words: list[Word]) -> list[list[int]]:
    """The indices of the words of each line Tesseract read, left to right."""
    lines: dict[int, list[int]] = {}
    for i, w in enumerate(words):
        lines.setdefault(w.line, []).append(i)
    return [sorted(members, key=lambda i: words[i].bbox[0]) for members in lines.values()]


def _ends_with_date_label(folded: str) -> bool:
    """Whether a line's letters so far end with a date's label, up to about one misread letter in
    five ("Có giá tị đến", "Có gi trị đến": small italics), its end read as its end (not "Có giá
    trị đến: bồi", the date's day misread after it)."""
    for label in DATE_LABELS:
        for n in range(len(label) - 2, min(len(label) + 2, len(folded)) + 1):
            likeness = SequenceMatcher(None, folded[-n:], label)
            if likeness.ratio() >= LABEL_LIKENESS:
                last = likeness.get_matching_blocks()[-2]  # the last is a sentinel
                if last.a + last.size >= n - 1:
                    return True
    return False


def _letters_of(text: str) -> str:
    """A card's words as folded keys: letters only, without marks, đ as d."""
    return "".join(c for c in _folded(text) if "a" <= c <= "z")


def _faded_ink(crop: np.ndarray) -> np.ndarray:
    """A grey crop as black print on white: ink is what is at least INK_SHARE as dark as the
    darkest print within a line height of it (glare pales a date's end more than its start:
    "20/02/2022" whose last figure, at half the darkness of the first ones, fell on the paper's
    side of one threshold for the cut). That darkest print is taken to be at least FADED_FLOOR
    of the cut's darkest, so that guilloche, a quarter as dark as the print, stays paper where
    no print is near."""
    darkness = 1 - crop.astype(np.float32) / leaders.PAPER
    top = max(float(np.percentile(darkness, 99.5)), 0.05)
    height = crop.shape[0]
    near = cv2.dilate(darkness, np.ones((2 * height + 1, height | 1), np.uint8))
    return np.where(darkness >= INK_SHARE * np.maximum(near, FADED_FLOOR * top), 0, 255).astype(np.uint8)


def _inside(box: tuple[float, float, float, float], zone: tuple[int, int, int, int]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return zone[0] <= cx <= zone[2] and zone[1] <= cy <= zone[3]


def bounds(points: np.ndarray) -> tuple[float, float, float, float]:
    """The upright box around a code's corners."""
    return (float(points[:, 0].min()), float(points[:, 1].min()), float(points[:, 0].max()), float(points[:, 1].max()))


def _text(words: list[Word]) -> str:
    lines: dict[int, list[str]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w.text)
    return "\n".join(" ".join(line) for line in lines.values())
