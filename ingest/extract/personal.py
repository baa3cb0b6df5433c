"""Citizen ID cards (2016 CCCD, 2021 chip CCCD, 2024 Căn cước) and birth certificates."""

from __future__ import annotations

import re
from dataclasses import replace
from statistics import median

from . import gazetteer, lexicon, normalize, validate
from .fuzzy import folded, key
from .labels import Label, Reading, continuation, find_labels, read_fields
from .layout import Row, Span
from .model import ExtractedField
from .validate import CORROBORATED, REPAIRED

_NAME = ("Họ và tên", "Họ, chữ đệm và tên", "Họ, chữ đệm, tên", "Họ, chữ đệm và tên khai sinh", "Họ tên")
_BIRTH = ("Ngày sinh", "Ngày, tháng, năm sinh", "Ngày tháng năm sinh", "Sinh ngày")

# The 2016/2021 CCCD and 2024 Căn cước, and the older 9- or 12-digit CMND ("Sinh ngày",
# "Nguyên quán", "Nơi ĐKHK thường trú").
CARD_LABELS = [
    Label("citizen_id", ("Số định danh cá nhân",), ("Personal identification number",)),
    Label("full_name", _NAME, ("Full name",)),
    Label("date_of_birth", _BIRTH, ("Date of birth",)),
    Label("sex", ("Giới tính",), ("Sex",)),
    Label("nationality", ("Quốc tịch",), ("Nationality",)),
    Label("place_of_origin", ("Quê quán", "Nguyên quán"), ("Place of origin",)),
    Label("place_of_birth_registration", ("Nơi đăng ký khai sinh",), ("Place of birth registration", "Place of birth")),
    Label("place_of_residence", ("Nơi thường trú", "Nơi cư trú", "Nơi ĐKHK thường trú"),
          ("Place of residence",)),
    Label("date_of_expiry", ("Có giá trị đến", "Ngày hết hạn", "Ngày, tháng, năm hết hạn"), ("Date of expiry",)),
    # The back: "Ngày, tháng, năm / Date, month, year" of the 2021 card is the date of issue.
    Label("date_of_issue", ("Ngày, tháng, năm cấp", "Ngày cấp", "Ngày, tháng, năm"),
          ("Date of issue", "Date, month, year")),
    Label("identifying_features", ("Đặc điểm nhân dạng", "Dấu vết riêng và dị hình"),
          ("Personal identification",)),
    # Printed on the backs but not kept: they only end the value before them.
    Label(None, ("Ngón trỏ trái", "Ngón trỏ phải", "Dân tộc", "Tôn giáo"), ("Left index finger", "Right index finger")),
]

BIRTH_LABELS = [
    Label("full_name", _NAME),
    Label("date_of_birth", _BIRTH),
    Label("sex", ("Giới tính",)),
    Label("ethnicity", ("Dân tộc",)),
    Label("nationality", ("Quốc tịch",)),
    Label("place_of_birth", ("Nơi sinh",)),
    Label("place_of_origin", ("Quê quán",)),
    Label("citizen_id", ("Số định danh cá nhân",)),
    Label("father_name", ("Họ, chữ đệm, tên người cha", "Họ và tên cha", "Họ, chữ đệm và tên người cha",
                          "Họ tên cha")),
    Label("mother_name", ("Họ, chữ đệm, tên người mẹ", "Họ và tên mẹ", "Họ, chữ đệm và tên người mẹ",
                          "Họ tên mẹ")),
    # Printed on the form but not kept: they only end the value before them.
    Label(None, ("ghi bằng chữ", "Năm sinh", "Nơi cư trú", "Quyển số")),
]

_KIND = {
    "full_name": "name", "father_name": "name", "mother_name": "name",
    "date_of_birth": "date", "date_of_expiry": "date", "date_of_issue": "date", "identifying_features": "text", "sex": "sex", "citizen_id": "id",
    "nationality": "nationality", "place_of_origin": "place", "place_of_birth": "place",
    "place_of_birth_registration": "place", "place_of_residence": "place", "ethnicity": "ethnicity",
}
# On a chip card only the address runs on to the left edge, under the photo; a place of origin
# wraps under its own column, beside the expiry line printed under the photo.
WRAPS_LEFT = ("place_of_residence",)
UNSURE = 0.5  # the confidence, at most, of a value whose reading shows signs of a misread letter
WORDED = REPAIRED  # the confidence, at most, of a date of birth taken from its words alone


def citizen_id_card(rows: list[Row]) -> dict[str, ExtractedField]:
    readings = read_fields(rows, CARD_LABELS, columns=True)
    fields = _fields(rows, readings, CARD_LABELS, wraps=WRAPS_LEFT)
    # The number is the largest print on the card, often with its label misread; look for it.
    if "citizen_id" not in fields or len(fields["citizen_id"].value) != 12:
        if (number := _largest_id(rows)) is not None:
            fields["citizen_id"] = number
    if "citizen_id" not in fields or len(fields["citizen_id"].value) != 12:
        if (number := _restored_id(rows)) is not None:
            fields["citizen_id"] = number
    front = _front(rows)
    back = not front and "full_name" not in fields and "date_of_birth" not in fields
    if front and (issued := fields.pop("date_of_issue", None)) is not None and "date_of_birth" not in fields:
        # A front prints no date of issue: "Ngày, tháng, năm sinh" read without its last word.
        fields["date_of_birth"] = issued.doubted("its label read as the date of issue's", UNSURE)
    if front and "full_name" not in fields and (name := _unlabelled_name(rows)) is not None:
        fields["full_name"] = name
    if front and "date_of_birth" not in fields and (born := _unlabelled_birth(rows, fields)) is not None:
        fields["date_of_birth"] = born
    if front and "date_of_expiry" not in fields and (expires := _unlabelled_expiry(rows, fields)) is not None:
        fields["date_of_expiry"] = expires
    if back and "date_of_issue" not in fields and (issued := _unlabelled_issue(rows, fields)) is not None:
        fields["date_of_issue"] = issued
    labelled = fields.get("identifying_features")
    if back and (labelled is None or not _MARK.match(lexicon.feature_words(normalize.nfc(labelled.value)))) \
            and (features := _features_unlabelled(rows)) is not None:
        # No label read, or a speck read after it ("L") with the description on the line below
        fields["identifying_features"] = features
    if "place_of_origin" not in fields and (origin := _origin_unlabelled(rows, readings)) is not None:
        fields["place_of_origin"] = origin
    if "nationality" not in fields and (nation := _nationality_unlabelled(rows)) is not None:
        fields["nationality"] = nation
    return fields


# The national title and motto every card's front prints above its fields, and no back does.
_FRONT_TITLE = ("conghoa", "chunghia", "doclap", "hanhphuc", "socialistrepublic", "independence")


def _front(rows: list[Row]) -> bool:
    text = "".join(row.key for row in rows)
    return any(title in text for title in _FRONT_TITLE)


UNLABELLED_NAME_WORDS = 3  # of a name read without its label: two words may be a place in capitals ("HÀ GIANG")


def _unlabelled_name(rows: list[Row]) -> ExtractedField | None:
    """A front's full name whose label the guilloche or glare made unreadable ("ên VŨ HOÀNG
    DŨNG" on an old card): the first line that ends with three words in capitals or more, a
    family name of the list and then syllables of the list of names, for the clerk to check."""
    for row in rows:
        words = row.text.split()
        for start in range(max(0, len(words) - 6), len(words) - UNLABELLED_NAME_WORDS + 1):
            name = words[start:]
            if all(w.isalpha() and w.isupper() for w in name) and normalize.nfc(name[0]) in normalize.SURNAMES \
                    and all(normalize.nfc(w) in lexicon.NAME_SYLLABLES for w in name[1:]) \
                    and (span := row.span(len(row.text) - len(" ".join(name)), len(row.text))):
                return _unlabelled(normalize.name(" ".join(name)), span)
    return None


def _unlabelled_birth(rows: list[Row], fields: dict[str, ExtractedField]) -> ExtractedField | None:
    """A front's date of birth whose label glare or wear made unreadable ("Sini TY 22-03-1985"):
    a front prints its birth and its expiry, which is years later, so the earliest date no other
    field took is the birth, for the clerk to check."""
    found = _unclaimed_dates(rows, fields)
    if not found:
        return None
    value, span, _ = min(found, key=lambda f: f[0])
    return _unlabelled(value, span)


def _unlabelled_expiry(rows: list[Row], fields: dict[str, ExtractedField]) -> ExtractedField | None:
    """A front's date of expiry whose label was misread ("Có giá ' ' đến: 03/07/2028"): the one
    date no other field took that the law lets the card expire on, a renewal birthday of the
    date of birth read (``validate.card_expiry_problem``), for the clerk to check."""
    born = fields.get("date_of_birth")
    if born is None or validate.date_problem(born.value):
        return None
    lawful = [(value, span) for value, span, _ in _unclaimed_dates(rows, fields)
              if not validate.date_problem(value) and validate.card_expiry_problem(value, born.value) is None]
    return _unlabelled(*lawful[0]) if len({value for value, _ in lawful}) == 1 else None


def _unclaimed_dates(rows: list[Row], fields: dict[str, ExtractedField]) -> list[tuple[str, Span, bool]]:
    """(ISO, span, in words) of every date on the card, loosely read, that no field took."""
    taken = {f.value for f in fields.values()}
    return [(value, span, worded) for row in rows for start, end, value, worded in normalize.dates(row.text, loose=True)
            if value not in taken and (span := row.span(start, end))]


def _unlabelled_issue(rows: list[Row], fields: dict[str, ExtractedField]) -> ExtractedField | None:
    """The date of issue of a card's back printed without a label: an old card's "Ngày 10 tháng 08
    năm 2008" is one; otherwise, when glare or wear took the labels, the one date on the back that
    no other field took, or of two such dates the earlier (a 2024 card's back prints its date of
    issue and its expiry, which is years later), for the clerk to check."""
    found = []
    for value, span, worded in _unclaimed_dates(rows, fields):
        if worded:
            return ExtractedField(value, round(span.confidence, 4), span.page, span.bbox)
        found.append(_unlabelled(value, span))
    if len(found) == 2 and found[0].value != found[1].value:
        return min(found, key=lambda f: f.value)
    return found[0] if len(found) == 1 else None


_MARK = re.compile(rf"^(?:{'|'.join((*lexicon.FEATURE_MARKS, 'chấm'))})\b", re.IGNORECASE)


def _features_unlabelled(rows: list[Row]) -> ExtractedField | None:
    """Identifying features whose label is unreadable: a row that begins as they do ("Nốt ruồi
    C:1cm …", "Sẹo chấm …")."""
    for row in rows:
        text = lexicon.feature_words(normalize.nfc(row.text))
        if _MARK.match(text) and (span := row.span(0, len(row.text))):
            return _unlabelled(text, span)
    return None


def _origin_unlabelled(rows: list[Row], readings: dict[str, Reading]) -> ExtractedField | None:
    """A chip card's place of origin whose label glare took: the row above the residence's
    label, under the fields read above it, that begins as a commune does ("Xã …", "Phường …"),
    with its wrapped line."""
    residence = readings.get("place_of_residence")
    if residence is None:
        return None
    # Fields of the same column (not the expiry printed under the photo, beside the origin).
    above = [r.row for r in readings.values()
             if r.row < residence.row and r.label_left >= residence.label_left - 2 * rows[r.row].height]
    for i in range(max(above, default=-1) + 1, residence.row):
        at = next((k for k, word in enumerate(rows[i].words) if word.bbox[0] >= residence.label_left - rows[i].height),
                  None)
        if at is None:
            continue
        part = Row(rows[i].page, rows[i].words[at:])
        if gazetteer.COMMUNE_LEVEL.match(part.text) and (span := part.span(0, len(part.text))):
            start = Reading(span, 1.0, i, residence.label_left)
            return _unlabelled(normalize.place(continuation(rows, start, CARD_LABELS, mode="under").text), span)
    return None


_NATION = re.compile(r"(?:^|[\s:/])\S?iệt Nam$")


def _nationality_unlabelled(rows: list[Row]) -> ExtractedField | None:
    """A front's nationality whose label glare took: a row that ends in "Việt Nam" written as a
    value is (not the capitals of the national title, not the end of an address)."""
    for row in rows:
        if _NATION.search(row.text) and "," not in row.text and (span := row.span(len(row.text) - 8, len(row.text))):
            return _unlabelled("Việt Nam", span)
    return None


def _unlabelled(value: str, span: Span) -> ExtractedField:
    return ExtractedField(value, round(span.confidence, 4), span.page, span.bbox).doubted(
        "read where its label could not be", UNSURE)


def birth_certificate(rows: list[Row]) -> dict[str, ExtractedField]:
    fields = _fields(rows, read_fields(rows, BIRTH_LABELS), BIRTH_LABELS)
    if worded := _date_in_words(rows):
        fields["date_of_birth"] = _witnessed_birth(fields.get("date_of_birth"), *worded)
    return fields


def _date_in_words(rows: list[Row]) -> tuple[str, Span] | None:
    """The date of birth as the certificate spells it after "ghi bằng chữ", which may wrap."""
    for i, row in enumerate(rows):
        at = folded(row.text).find("ghi bang chu")
        if at < 0:
            continue
        span = row.span(at + len("ghi bang chu"), len(row.text))
        if span is None:
            return None
        # The words often wrap; the row alone would give "năm hai nghìn" for 2000.
        below = rows[i + 1] if i + 1 < len(rows) else None
        wrapped = below is not None and below.page == row.page and not find_labels(below, BIRTH_LABELS[:-1])
        iso = (wrapped and normalize.worded_date(f"{span.text} {below.text}")) or normalize.worded_date(span.text)
        return (iso, span) if iso else None
    return None


def _witnessed_birth(figures: ExtractedField | None, words: str, span: Span) -> ExtractedField:
    """The date of birth in figures checked against the same date in words: agreeing, it is
    sure; disagreeing, the words win (a misread letter breaks a number word, it does not make
    another one) and the clerk is told what the figures said."""
    if figures is None:
        return ExtractedField(words, min(round(span.confidence, 4), WORDED), span.page, span.bbox)
    if figures.value == words:
        return replace(figures, confidence=max(figures.confidence, CORROBORATED))
    return replace(figures, value=words).doubted(f"read as {figures.value} in figures; the date in words says {words}",
                                                 WORDED)


def _fields(rows: list[Row], readings: dict[str, Reading], labels: list[Label],
            wraps: tuple[str, ...] | None = None) -> dict[str, ExtractedField]:
    """Each reading made a field. ``wraps``: on a card (print in columns beside a photo), the
    fields whose lines may run on left of their label; None: a form, in paragraphs."""
    fields: dict[str, ExtractedField] = {}
    for name, reading in readings.items():
        kind = _KIND[name]
        mode = "strict" if wraps is None else "wrap" if name in wraps else "under"
        span = continuation(rows, reading, labels, mode=mode) if kind in ("place", "text") else reading.span
        value = _normalise(kind, span.text)
        if value:
            confidence = round(span.confidence * reading.quality, 4)
            if _doubtful(kind, span.text):
                confidence = min(confidence, UNSURE)
            field = ExtractedField(value, confidence, span.page, span.bbox)
            marks = unsettled_marks(span.text) if kind == "name" else None
            fields[name] = field.doubted(marks, UNSURE) if marks else field
            if kind == "date" and (split := normalize.split_day(span.text)):
                read, joined = split
                fields[name] = replace(field, value=joined or value).doubted(
                    f"the day read as {read}" + (": taken as one number" if joined else ""), UNSURE)
    return fields


def _doubtful(kind: str, text: str) -> bool:
    """A name with a stray mark inside, or an ethnic group that is none of the 54."""
    if kind == "name":
        return normalize.stray_marks(text)
    if kind == "ethnicity":
        return not normalize.ethnicity(text)[1]
    return False


def unsettled_marks(name: str) -> str | None:
    """What is wrong with a name whose given names' marks the list of names does not settle (see
    ``lexicon.unsettled_name_word``), or whose family name is none of two of the list that share
    its letters (normalize.SURNAMES: "DOAN" is ĐOÀN or DOÃN)."""
    words = normalize.name_words(name)
    if words and len(listed := normalize.SURNAMES_BY_KEY.get(key(words[0]), ())) > 1 and words[0] not in listed:
        return f"{words[0]} read, which the list of family names spells {' or '.join(listed)}: its marks may be misread"
    for word in words[1:]:
        if spellings := lexicon.unsettled_name_word(word):
            return f"{word} read, which the list of names spells {' or '.join(spellings)}: its marks may be misread"
    return None


# A number of 9 (CMND) to 13 digits as OCR reads it: digits, look-alike letters, single spaces;
# at least two thirds real digits, so a word is never read as a number.
_NUMBER_RUN = re.compile(rf"[{normalize.DIGIT_LIKE}](?:\s?[{normalize.DIGIT_LIKE}]){{8,13}}")


def id_number(text: str) -> str | None:
    """The digits of the ID number in ``text``, look-alike letters read as digits."""
    for m in _NUMBER_RUN.finditer(text):
        run = m.group()
        real = sum(c.isdigit() for c in run)
        if real >= 2 / 3 * len(run.replace(" ", "")):
            return normalize.digits(run)
    return None


def _normalise(kind: str, text: str) -> str | None:
    if kind == "name":
        return normalize.name(text) or None
    if kind == "date":
        return normalize.iso_date(text)
    if kind == "sex":
        return normalize.sex(text)
    if kind == "id":
        return id_number(text)
    if kind == "nationality":
        return normalize.nationality(text)
    if kind == "ethnicity":
        return normalize.ethnicity(text)[0] or None
    if kind == "text":
        return lexicon.feature_words(" ".join(normalize.nfc(text).split()).strip(normalize.EDGES)) or None
    return normalize.place(text) or None


_ID_RUN = re.compile(rf"(?<!\w)[{normalize.DIGIT_LIKE}](?:\s?[{normalize.DIGIT_LIKE}]){{8,13}}(?!\w)")
LARGE = 1.2  # a 9-digit CMND number is printed larger than the rows around it
AS_LARGE = 0.8  # of an old card's large 9-digit number's height, what twelve digits must be to be the ID


def _numbers(row: Row):
    """(digits, span) of every 9- or 12-digit number in the row, look-alike letters read as
    digits; a run that is mostly letters is a word, not a number."""
    pos = 0
    while m := _ID_RUN.search(row.text, pos):
        run = m.group()
        value = normalize.digits(run)
        if sum(c.isdigit() for c in run) >= 2 / 3 * len(run.replace(" ", "")) and len(value) in (9, 12):
            if span := row.span(m.start(), m.end()):
                yield value, span
            pos = m.end()
        else:
            pos = m.start() + 1


def _largest_id(rows: list[Row]) -> ExtractedField | None:
    """The 12-digit number printed largest, digits possibly split by OCR into groups; failing
    that, or when it is printed smaller than it, a 9-digit number printed larger than the text
    around it (the old CMND: "246112212201" read off its guilloche under "Số 271034946")."""
    best: dict[int, tuple[float, str, Span]] = {}
    for row in rows:
        for value, span in _numbers(row):
            height = span.bbox[3] - span.bbox[1]
            if len(value) not in best or height > best[len(value)][0]:
                best[len(value)] = (height, value, span)
    usual = median(r.height for r in rows) if rows else 0
    old = best[9] if 9 in best and best[9][0] > LARGE * usual else None
    found = best.get(12) or old
    if old is not None and found[0] < AS_LARGE * old[0]:
        found = old  # twelve digits read off an old card's guilloche, smaller than its number
    if found is None:
        return None
    _, value, span = found
    return ExtractedField(value, round(span.confidence, 4), span.page, span.bbox)


# "Số / No.: 001090012345" with the leading 0 lost, or read as "(" or "_"; the label as OCR
# reads it ("sø:wo:", "ssNo:"), its last word is enough.
_SHORT_ID = re.compile(r"(?:s[oø]|[nw]o)\s*[:.]*\s*[(_]?\s*(\d(?:\s?\d){10})(?![\d\w])")


def _restored_id(rows: list[Row]) -> ExtractedField | None:
    """Eleven digits after the "Số / No." label: the number with its leading 0 lost.

    Every province code begins with 0, so the 0 is put back; the usual checks still apply, so a
    wrong restoration is flagged for the clerk."""
    for row in rows:
        if m := _SHORT_ID.search(folded(row.text)):
            span = row.span(m.start(1), m.end(1))
            if span:
                return ExtractedField("0" + re.sub(r"\D", "", span.text), round(span.confidence, 4),
                                      span.page, span.bbox)
    return None
