"""Values as the records keep them: ISO dates, `Nam`/`Nữ`, upper-case names, bare digits."""

from __future__ import annotations

import re

from search.text import nfc

from .fuzzy import folded, key, similar

# "!", "|" and "I" (folded "i", "l") are how OCR often reads a "/" between digits: "04!03/1977",
# "25I02/2039".
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-!|il]\s*(\d{1,2})\s*[/.\-!|il]\s*(\d{4})(?!\d)")
_WORDED_DATE = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")


def date_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of the first date in ``text``: 16/04/2020, 16-4-2020, 16.04.2020 or
    "ngày 16 tháng 4 năm 2020". The parts are not checked against the calendar here."""
    low = folded(text)
    found = [m for m in (_NUMERIC_DATE.search(low), _WORDED_DATE.search(low)) if m]
    if not found:
        return None
    m = min(found, key=lambda m: m.start())
    day, month, year = (int(g) for g in m.groups())
    return year, month, day


def iso_date(text: str) -> str | None:
    """``"15/03/1990"`` → ``"1990-03-15"``; the shape only, so "31/02" gives ``"…-02-31"``."""
    parts = date_parts(text)
    return None if parts is None else "{:04d}-{:02d}-{:02d}".format(*parts)


_MALE = {"nam", "male", "m"}
_FEMALE = {"nu", "female", "f", "nir", "nv", "nii"}


def sex(text: str) -> str | None:
    """``Nam`` or ``Nữ`` from what was read: "Nữ", "Nừ", "Nu", "Male", "Female", "Nam/Male"."""
    for part in re.split(r"[/|,:]", text):  # "/sSex:Nữ": the English label misread
        k = key(part)
        if k in _MALE or k.startswith("male") or (k.startswith("nam") and len(k) <= 4):
            return "Nam"
        if k in _FEMALE or k.startswith("female") or (k.startswith("nu") and len(k) <= 3):
            return "Nữ"
    return None


# The family names most Vietnamese carry; OCR often garbles the marks of the first word in
# capitals (NGUYỄN → NGUYÊN), and a family name is a closed list where a given name is not.
SURNAMES = ("NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "HUỲNH", "PHAN", "VŨ", "VÕ", "ĐẶNG", "BÙI",
            "ĐỖ", "HỒ", "NGÔ", "DƯƠNG", "LÝ", "ĐINH", "TRỊNH", "ĐÀO", "LƯƠNG", "TRƯƠNG", "MAI", "TÔ")
_SURNAME_BY_KEY = {key(s): s for s in SURNAMES}


def name(text: str) -> str:
    """A person's name upper-case as printed: marks kept, stray punctuation and spacing dropped.

    A first word that is a common family name with its marks misread (NGUYÊN, TRÂN) is written
    as the family name is spelled; Tesseract is often confidently wrong on marks in capitals."""
    words = [w.upper() for w in re.findall(r"[^\W\d_]+", nfc(text))]
    if words and words[0] not in SURNAMES:
        words[0] = _SURNAME_BY_KEY.get(key(words[0]), words[0])
    return " ".join(words)


_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1",
                                   "i": "1", "S": "5", "B": "8", "Z": "2"})


def digits(text: str) -> str:
    """The digits of an ID number, reading look-alike letters inside it as the digits they are."""
    return re.sub(r"\D", "", text.translate(_DIGIT_LOOKALIKES))


def nationality(text: str) -> str:
    return "Việt Nam" if similar("vietnam", key(text)) else " ".join(nfc(text).split())


EDGES = " _-.'\"“”‘’,;:"  # stray punctuation OCR leaves at the edges of a value


def place(text: str) -> str:
    """A place as printed, with the spacing and punctuation OCR scatters tidied."""
    text = re.sub(r"\s+", " ", nfc(text)).strip(EDGES)
    return re.sub(r"\s+([,;.])", r"\1", text)


_SYMBOL_FIXES = {"QD": "QĐ", "ND": "NĐ", "QYD": "QyĐ", "HD": "HD"}


def document_number(text: str) -> str:
    """``684/QĐ-BTTTT`` as printed, with OCR's look-alikes for Đ (Ð, a doubled ĐÐ) put right."""
    value = re.sub(r"\s+", "", nfc(text)).replace("Ð", "Đ").replace("đ", "Đ")
    value = re.sub("Đ{2,}", "Đ", value)
    parts = re.split(r"([/\-])", value)
    return "".join(_SYMBOL_FIXES.get(p.upper(), p) if i else p for i, p in enumerate(parts))
