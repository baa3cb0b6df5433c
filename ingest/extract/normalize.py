"""Values as the records keep them: ISO dates, `Nam`/`Nữ`, upper-case names, bare digits."""

from __future__ import annotations

import re
from datetime import date

from search.text import nfc

from . import lexicon
from .fuzzy import folded, key, similar

# "!", "|" and "I" (folded "i", "l") are how OCR often reads a "/" between digits: "04!03/1977",
# "25I02/2039".
_STROKES = r"/.\-!|il"
_SEP = f"[{_STROKES}]"
_SEP_OR_ONE = f"[{_STROKES}1]"  # a stroke read as a 1 too, in the loose forms below
_NUMERIC_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})\s*{_SEP}\s*(\d{{1,2}})\s*{_SEP}\s*(\d{{4}})(?!\d)")
_WORDED_DATE = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")
# A "/" read as two strokes ("28I04I11976"): tried only when the strict form finds nothing, and
# kept only when it gives a calendar date in a plausible century.
_LOOSE_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})\s*{_SEP_OR_ONE}{{1,2}}\s*(\d{{1,2}})\s*{_SEP_OR_ONE}{{1,2}}\s*((?:19|20)\d{{2}})(?!\d)")
# One "/" read as a space, the other as it is ("24 11-1938"): before the two-stroke form, which
# would take the "1" after the space for the "/" and give 24/1/1938.
_SPACED_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})\s+(\d{{1,2}})\s*{_SEP}\s*((?:19|20)\d{{2}})(?!\d)"
                          rf"|(?<!\d)(\d{{1,2}})\s*{_SEP}\s*(\d{{1,2}})\s+((?:19|20)\d{{2}})(?!\d)")
# A "/" lost between two-figure parts ("020512020" for 02/05/2020, the other "/" read as "1"):
# tried only after the two above, and kept as they are.
_RUN_DATE = re.compile(rf"(?<!\d)(\d{{2}}){_SEP_OR_ONE}?(\d{{2}}){_SEP_OR_ONE}?((?:19|20)\d{{2}})(?!\d)")
# A day's two figures read apart ("Sinh ngày 1 6-02-1993"): the strict form takes "6" alone
# (``split_day``).
_SPLIT_DAY = re.compile(rf"(?<!\d)(\d)\s+(\d)\s*{_SEP}\s*(\d{{1,2}})\s*{_SEP}\s*(\d{{4}})(?!\d)")
# A date in words one of whose three words is misread ("sày 20 tháng 06 năm 1998", "Ngày 14 Hàều 07
# năm 2003", "Ngày 06 tháng 10 1h 1995"): the other two and the figures in their places.
_LOOSE_WORDED = tuple(re.compile(p + r"\s*((?:19|20)\d{2})(?!\d)") for p in (
    r"(?<!\d)(\d{1,2})\s*thang\s*(\d{1,2})\s*nam", r"ngay\s*(\d{1,2})\s*\S{1,6}\s*(\d{1,2})\s*nam",
    r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*\S{1,4}"))


# Letters OCR reads for digits inside a date ("O4/O3/l977"); I, l, | and ! are left alone here
# because they also stand for the "/" between the parts.
_DATE_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "S": "5", "B": "8", "Z": "2"})
_DATE_TOKEN = re.compile(r"[0-9OoDSBZIl|!/.\-]{6,}")


def _date_digits(text: str) -> str:
    """``text`` with look-alike letters read as digits inside date-shaped tokens (four real
    digits at least), so a word is never touched."""
    return _DATE_TOKEN.sub(lambda m: m.group().translate(_DATE_LOOKALIKES)
                           if sum(c.isdigit() for c in m.group()) >= 4 else m.group(), text)


def dates(text: str, loose: bool = False) -> list[tuple[int, int, str, bool]]:
    """Every date in ``text`` (NFC) in figures or in words: (start, end, ISO, in words), the
    positions those of ``text``'s characters; the shape only, as ``iso_date``. ``loose``: where
    none is found, those of the first loose form that finds one, as ``date_parts`` reads them
    (_LOOSE_FORMS), or else the first in words with one of its three words misread ("Ngày 14
    Hàều 07 năm 2003")."""
    low = folded(_date_digits(nfc(text)))  # one character per character of text
    found = [(m, False) for m in _NUMERIC_DATE.finditer(low)] + [(m, True) for m in _WORDED_DATE.finditer(low)]
    if loose and not found:
        found = [(m, False) for m in _loose_numeric(low)]
    if loose and not found:
        found = [(m, False) for m in (p.search(low) for p in _LOOSE_WORDED) if m and _plausible(m)][:1]
    return sorted((m.start(), m.end(), "{2:04d}-{1:02d}-{0:02d}".format(*(int(g) for g in _groups(m))), worded)
                  for m, worded in found)


# In the order they are tried, each only where the ones before find nothing: one "/" read as a
# space ("24 11-1938"), a "/" read as two strokes ("13I03I12025"), one lost ("020512020").
_LOOSE_FORMS = (_SPACED_DATE, _LOOSE_DATE, _RUN_DATE)


def _loose_numeric(low: str) -> list[re.Match]:
    """The dates in figures of the first loose form that finds one with a day and a month."""
    for pattern in _LOOSE_FORMS:
        if found := [m for m in pattern.finditer(low) if _plausible(m)]:
            return found
    return []


def _plausible(m: re.Match) -> bool:
    day, month = (int(g) for g in _groups(m)[:2])
    return 1 <= day <= 31 and 1 <= month <= 12


def _groups(m: re.Match) -> tuple[str, ...]:
    """Day, month and year of a date pattern's match, of whichever of its alternatives matched."""
    return tuple(g for g in m.groups() if g is not None)


def date_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of the first date in ``text``: 16/04/2020, 16-4-2020, 16.04.2020 or
    "ngày 16 tháng 4 năm 2020", else of a loose form's (see ``dates``). The parts are not
    checked against the calendar here."""
    low = folded(_date_digits(nfc(text)))
    found = [m for m in (_NUMERIC_DATE.search(low), _WORDED_DATE.search(low)) if m]
    m = min(found, key=lambda m: m.start()) if found else next(iter(_loose_numeric(low)), None)
    if m is None:
        return None
    day, month, year = (int(g) for g in _groups(m))
    return year, month, day


_NUMBER_WORDS = {"khong": 0, "mot": 1, "mod": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5,
                 "sau": 6, "bay": 7, "tam": 8, "chin": 9}
_WORDED_PARTS = re.compile(r"ngay\W+(.+?)\W+thang\W+(.+?)\W+nam\W+(.+)")


def _number(words: list[str]) -> int | None:
    """"hai mươi sáu" → 26, "hai nghìn không trăm lẻ năm" → 2005 (folded words); None if a word
    is no number word."""
    total = current = 0
    for w in words:
        if w in _NUMBER_WORDS:
            current += _NUMBER_WORDS[w]
        elif w == "muoi":  # mười (10) and mươi (× 10) fold alike
            current = (current or 1) * 10
        elif w == "tram":
            total += current * 100
            current = 0
        elif w in ("nghin", "ngan"):
            total = (total + current) * 1000
            current = 0
        elif w not in ("le", "linh"):
            return None
    return total + current if words else None


def worded_date(text: str) -> str | None:
    """The ISO date written in words, as a birth certificate repeats the date of birth:
    "Ngày hai mươi sáu, tháng chín, năm hai nghìn không trăm hai mươi hai" → "2022-09-26".
    None unless every word is a number word and the parts make a calendar date."""
    m = _WORDED_PARTS.search(folded(text))
    if not m:
        return None
    parts = [_number(re.findall(r"[a-z]+", g)) for g in m.groups()]
    if None in parts:
        return None
    day, month, year = parts
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        date.fromisoformat(iso)
    except ValueError:
        return None
    return iso


def split_day(text: str) -> tuple[str, str | None] | None:
    """Where a date's day was read as two figures apart ("1 6-02-1993"): what was read, and the
    date with them joined (``"1993-02-16"``) when that is a day, else None; None when no day is
    split so."""
    if not (m := _SPLIT_DAY.search(folded(_date_digits(nfc(text))))):
        return None
    first, second, month, year = m.groups()
    day = int(first + second)
    return f"{first} {second}", (f"{int(year):04d}-{int(month):02d}-{day:02d}" if 1 <= day <= 31 else None)


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
    # "Nữ - Quốc ¡ch !": the next label misread ran into the value. A sex is one word (of two
    # letters or more: "m" may be anything), and one sex only is named.
    words = [key(w) for w in text.split()]
    first = words[0] if words else ""
    if len(first) >= 2 and first in _MALE | _FEMALE and not set(words) & (_FEMALE if first in _MALE else _MALE):
        return "Nam" if first in _MALE else "Nữ"
    return None


# The family names most Vietnamese carry; OCR often garbles the marks of the first word in
# capitals (NGUYỄN → NGUYÊN, KHỔNG → KHỐNG), and a family name is a closed list where a given
# name is not. Two pairs share their letters (ĐOÀN, DOÃN; LA, LÃ): those are not put right.
SURNAMES = ("NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "HUỲNH", "PHAN", "VŨ", "VÕ", "ĐẶNG", "BÙI",
            "ĐỖ", "HỒ", "NGÔ", "DƯƠNG", "LÝ", "ĐINH", "TRỊNH", "ĐÀO", "LƯƠNG", "TRƯƠNG", "MAI", "TÔ",
            "CAO", "TẠ", "LÂM", "HÀ", "KIỀU", "QUÁCH", "LỤC", "TĂNG", "KHỔNG", "ÔNG", "DIỆP", "ĐOÀN",
            "DOÃN", "LƯU", "TRIỆU", "VƯƠNG", "THÁI", "LA", "LÃ", "PHÙNG", "TÔN", "ĐÀM", "VI", "CHU",
            "MẠC", "KIM", "THÂN", "GIANG", "NÔNG", "ÂU", "LỮ", "NINH", "KHÚC", "TIÊU", "HẦU")
SURNAMES_BY_KEY = {k: tuple(s for s in SURNAMES if key(s) == k) for k in map(key, SURNAMES)}


def name(text: str) -> str:
    """A person's name upper-case as printed: marks kept, stray punctuation and spacing dropped.

    A first word that is a common family name with its marks misread (NGUYÊN, TRÂN) is written
    as the family name is spelled; Tesseract is often confidently wrong on marks in capitals."""
    words = _joined(name_words(text))
    if words and words[0] not in SURNAMES and len(listed := SURNAMES_BY_KEY.get(key(words[0]), ())) == 1:
        words[0] = listed[0]
    # The other syllables only where the list of name syllables leaves one spelling (HÀNG → HẰNG,
    # while THỦY/THÚY/THÙY stay as read).
    return " ".join(words[:1] + [lexicon.name_word(w) for w in words[1:]])


def _joined(words: list[str]) -> list[str]:
    """A syllable OCR split in two ("T UYẾT", "XUY ẾN": a gap in defocused print) joined where one
    half is no syllable of a name and the two together are one."""
    out: list[str] = []
    for word in words:
        if out and (out[-1] not in lexicon.NAME_SYLLABLES or word not in lexicon.NAME_SYLLABLES) \
                and out[-1] + word in lexicon.NAME_SYLLABLES:
            out[-1] += word
        else:
            out.append(word)
    return out


def name_words(text: str) -> list[str]:
    """A name's words as read, upper-case, without punctuation or figures, but for the apostrophe
    after a one-letter word that some names of the Central Highlands carry (H'HEN, KSOR H' BÍU)."""
    words = []
    for word in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]*)?", nfc(text)):
        head, apostrophe, tail = word.replace("’", "'").partition("'")
        if apostrophe and len(head) == 1:
            words.append(word.replace("’", "'").upper())
        else:
            words += [part.upper() for part in (head, tail) if part]
    return words


def signer(text: str) -> str:
    """A signer's name in the case it is printed in (title case under a signature), its family
    name's marks restored as ``name`` restores them: "Nguyên Hoàng Giang" → "Nguyễn Hoàng Giang"."""
    printed = " ".join(nfc(text).split())
    restored = name(printed).split()
    if len(restored) != len(printed.split()):
        return printed
    return " ".join(r if w.isupper() else r.capitalize() for w, r in zip(printed.split(), restored))


def stray_marks(text: str) -> bool:
    """Whether a name as read has something inside it that no name has ("NGUYỄN “HUY"): a sign
    that a letter was misread, so the value needs a clerk's eye."""
    inner = nfc(text).strip(EDGES + " ")
    return bool(re.search(r"[^\w\s'’]|\d", inner))  # an apostrophe is part of some names: H'Hen


_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1",
                                   "!": "1", "i": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2",
                                   "b": "6", "G": "6", "g": "9", "q": "9"})
DIGIT_LIKE = "0-9OoDQIl|!iSsBZzbGgq"  # the digits and what OCR reads them as, for a regex class


def digits(text: str) -> str:
    """The digits of an ID number, reading look-alike letters inside it as the digits they are."""
    return re.sub(r"\D", "", text.translate(_DIGIT_LOOKALIKES))


def nationality(text: str) -> str:
    k = key(text)
    # The English twin of the label misread before it ("Nafionaliy: Việt Nam") is no nationality.
    return "Việt Nam" if similar("vietnam", k) or similar("vietnam", k[-7:]) else " ".join(nfc(text).split())


EDGES = " _-.'\"“”‘’,;:"  # stray punctuation OCR leaves at the edges of a value


# Abbreviations a place may carry a full stop after: TP., TX., TT., Q., P., H., X., Tp.
_ABBREVIATION = re.compile(r"(?:[A-ZĐ]{1,3}|Tp|Tx|Tt)")


# A unit's level, capitalised as a place prints it, after a word or number with no comma between:
# the parts of a place are separated by commas. Not the "xã" of "Thị xã", nor "Thành phố" after
# "Quận" or "TP." (a district of a city), nor a level inside a street's name.
_LEVEL_AFTER = re.compile(r"(?<=[^\W_])(?<!\bThị)(?<!\bTHỊ)(?=\s+(?:Xã|XÃ|Phường|PHƯỜNG|Thị trấn|THỊ TRẤN|Huyện|HUYỆN"
                          r"|Quận|QUẬN|Tỉnh|TỈNH)\s)")


def place(text: str) -> str:
    """A place as printed, with the spacing and punctuation OCR scatters tidied.

    A colon is never part of a place, nor a semicolon, and a full stop only after an abbreviation
    ("TP. Hồ Chí Minh"): "TP: Hồ. Chí Minh", "Thái:Thụy" and "Cư Huê; Ea Kar" are specks read as
    punctuation; a comma is followed by a space."""
    text = re.sub(r"\s+", " ", nfc(text)).strip(EDGES)
    text = re.sub(r"\.{2,}", ".", text)  # "TP... Hồ Chí Minh": specks read as stops
    text = re.sub(r"(?<=[^\W\d_]):(?=[^\W\d_])", " ", text)  # "Thái:Thụy"
    text = re.sub(r"(?<=[^\W\d_]):", ".", text)  # "TP:" → "TP."

    def stop(m: re.Match) -> str:
        return m.group(0) if _ABBREVIATION.fullmatch(m.group(1)) else m.group(1) + " "

    text = re.sub(r"(?<![^\s,])([^\W\d_]+)\.\s*(?=[^\W\d_])", stop, text)
    text = re.sub(r"\s*;\s*", ", ", text)  # "Xã Cư Huê; Ea Kar": a comma read with a speck above it
    text = re.sub(r",(?=[^\W\d_])", ", ", text)  # "Số 167,Ngõ 95": the space after a comma lost
    text = _LEVEL_AFTER.sub(",", text)  # "Thôn 3 Xã Nghĩa Trung": a comma lost before a unit's level
    text = re.sub(r",\s*[.·•'`]+\s+", ", ", text)  # "Nguyễn Huệ, . Phường Bến Nghé": a speck after a comma
    text = re.sub(r"\s+", " ", text).strip(EDGES)
    return re.sub(r"\s+([,.])", r"\1", text)


def ethnicity(text: str) -> tuple[str, bool]:
    """The ethnic group as the official list spells it ("ÊĐê" → "Ê Đê"), and whether it is one of
    the 54; a value that is none is kept as read, for the clerk."""
    found = lexicon.ethnicity(text)
    return (found, True) if found else (place(text), False)


def prose(text: str) -> str:
    """A summary or subject: a full stop or colon OCR put between two words ("ban.hành", "cấp:bản:sao",
    specks where the spaces are) dropped, COVID-19
    whose 1 was read as a letter put right, and the marks of common administrative phrases and of a year's cycle name put right ("chuyến đối số" →
    "chuyển đổi số", "Át Ty - năm 2025" → "Ất Tỵ - năm 2025")."""
    text = re.sub(r"(?<=[^\W\d_A-ZĐ]{2})[.:](?=[^\W\d_A-ZĐ]{2})", " ", nfc(text))
    text = _COVID.sub(r"\1-19", text)
    return lexicon.restore_year_names(lexicon.restore_prose(text))


# COVID-19, named in a great many letters of 2020-2022, its 1 misread as a letter ("COVID-L9").
_COVID = re.compile(r"\b(covid)\s?-\s?[1lLI|]9\b", re.IGNORECASE)


_STOP_BEFORE_WORD = re.compile(r"(?<=[^\W\d_])\. (?=[^\W\d_])")


def stop_as_comma(text: str) -> str:
    """A full stop between two words of one sentence, the next in lower case ("hộ nghèo. cận
    nghèo"): a comma OCR read as a stop, since a new sentence would begin with a capital."""
    return _STOP_BEFORE_WORD.sub(lambda m: ", " if text[m.end()].islower() else m.group(), text)


_SYMBOL_FIXES = {"QD": "QĐ", "ND": "NĐ", "QYD": "QyĐ", "HD": "HD"}


def document_number(text: str) -> str:
    """``684/QĐ-BTTTT`` as printed, with OCR's look-alikes for Đ (Ð, a doubled ĐÐ) put right, an
    Ñ (no Vietnamese letter) taken for the N it is, and a slash read twice ("7//STP-TCCB") once."""
    value = re.sub(r"\s+", "", nfc(text)).replace("Ð", "Đ").replace("đ", "Đ").replace("Ñ", "N")
    value = re.sub("/{2,}", "/", re.sub("Đ{2,}", "Đ", value))
    parts = re.split(r"([/\-])", value)
    return "".join(_SYMBOL_FIXES.get(p.upper(), p) if i else p for i, p in enumerate(parts))
