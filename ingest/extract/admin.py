"""Administrative documents in the layout of Decree 30/2020/NĐ-CP, Annex I.

Top left: the issuing agency, then "Số: 684/QĐ-BTTTT" (or "V/v …" under it for an official
letter). Top right: the national heading, then "Hà Nội, ngày 16 tháng 4 năm 2020". Centred: the
type name in capitals and the summary under it. Bottom right: the signer's name.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ocr import syllable
from search.text import nfc

from . import handwritten, lexicon, normalize
from .fuzzy import folded, key, similar
from .layout import Row, Span
from .model import REVIEW_BELOW, ExtractedField

TYPE_NAMES = ("QUYẾT ĐỊNH", "CÔNG VĂN", "THÔNG BÁO", "KẾ HOẠCH", "TỜ TRÌNH", "BÁO CÁO", "NGHỊ ĐỊNH",
              "THÔNG TƯ", "NGHỊ QUYẾT", "CHỈ THỊ", "QUY CHẾ", "QUY ĐỊNH", "HƯỚNG DẪN", "CHƯƠNG TRÌNH",
              "PHƯƠNG ÁN", "ĐỀ ÁN", "BIÊN BẢN", "HỢP ĐỒNG", "CÔNG ĐIỆN", "GIẤY MỜI", "GIẤY GIỚI THIỆU",
              "GIẤY ỦY QUYỀN", "THÔNG CÁO", "DỰ ÁN", "PHIẾU GỬI", "THƯ CÔNG")
# The number ends at the first space not next to a separator: "Số: 1317/UBND-TCCB Thành phố …"
_NUMBER = re.compile(r"^so\s*[:.]?\s*(\d+\s*/\s*[\w\-/.]+(?:\s*[\-/.]\s*[\w\-/.]+)*)")
# The number alone when its "Số:" was misread ("§ð:1317/PTP-HCTP"): digits, a slash, then symbols
# in capitals joined by hyphens, optionally with the year: 12/2021/QĐ-UBND, 35/UBND-VP.
# Đ may come back as the look-alike Ð (U+00D0): "s: 116 /QÐ-BTTTT".
_BARE_NUMBER = re.compile(r"(?<![\w/])(\d{1,5}\s*/\s*(?:\d{4}\s*/\s*)?[A-ZĐÐ][A-Za-zĐđÐ]*(?:\s*-\s*[A-ZĐÐ][A-Za-zĐđÐ]*)+)"
                          r"(?![\w/])")
# The slash the typed part of a number starts at: before the year or the symbol ("4/35 /SGDĐT-CTrTT":
# a pen's 1535 read with a slash in it).
_SYMBOL_SLASH = re.compile(r"/(?=\s*(?:\d{4}\s*/\s*)?[^\W\d_])")
BARE = 0.8  # how much less sure a number is when its label could not be read
# A place of up to six words without digits before the date, anywhere in the row (OCR may run
# the number into it).
_PLACE = r"(?:^|(?<=\s))[^\w\s]*((?:[^\W\d_][^\s\d]*\s+){0,5}[^\W\d_][^\s\d]*?),?\s+"
_PLACE_DATE = re.compile(_PLACE + r"ngay\s*\d{1,2}\s*thang\s*\d{1,2}\s*nam\s*\d{4}")
# "V/v" as OCR reads it at the start of a line: V/v, V/V, V/ v, V/y, V/, VW, VWÑ, Wv, VÑ (folded).
SUBJECT = re.compile(r"^\s*(?:[vw]\s*/\s*[vyw]|v\s*/(?=\s)|vw\w?(?=\s|$)|wv\w?(?=\s|$)|vn(?=\s))\s*[:.]?\s*")
_EDGES = normalize.EDGES
_HEADING = ("conghoaxahoichunghia", "onghoaxahoi", "xahoichunghia", "doclaptudohanhphuc")
_TITLES = {"kt", "tm", "tl", "tuq", "q", "bo", "truong", "thu", "chu", "tich", "pho", "giam", "doc",
           "cuc", "vu", "chanh", "van", "phong", "ban", "nhan", "dan", "uy"}


def admin_document(segments: list[Row], width: float, height: float,
                   read: handwritten.Reader | None = None) -> dict[str, ExtractedField]:
    """The fields; ``read`` reads digits written by hand into the page image (none: not tried)."""
    read = read or _nothing
    fields: dict[str, ExtractedField] = {}
    first = [part for s in segments if s.page == segments[0].page for part in _split_heading(s)]
    top = [s for s in first if s.bbox[1] < 0.35 * height]

    number_row = None
    for s in top:
        if s.bbox[0] < 0.5 * width and (m := _NUMBER.match(folded(s.text))):
            number_row = s
            span = s.span(m.start(1), m.end(1))
            if span:
                found = _unsure_part(_field(normalize.document_number(span.text), span), span)
                if slash := _SYMBOL_SLASH.search(s.text, m.start(1)):  # digits written larger than type: a pen's
                    found = _written_number(read, s, m.start(1), slash.start(), found, tall=True) or found
                fields["document_number"] = found
            break
    if number_row is None:
        number_row = _bare_number(top, width, fields, read)
    if number_row is None:
        number_row = _handwritten_number(top, width, fields, read)
    if number_row is None:
        number_row = _unlabelled_number(top, width, fields, read)

    for s in top:
        if number_row and s.bbox[1] > number_row.bbox[3] + 2 * number_row.height:
            break  # the date stands on the number's line: below, a date is cited ("Căn cứ Luật … ngày …")
        if re.search(r"\bngay\s*$", folded(s.text)):
            s = _joined_beside(s, top, width)  # the handwritten day left a gap the line was cut at
        m = _PLACE_DATE.search(folded(s.text)) or _HANDWRITTEN_DATE.search(folded(s.text))
        # A place is a few words without digits: "Hà Nội", "TP. Hồ Chí Minh", "Thanh Hóa".
        if m and len(m.group(1).split()) <= 6 and not re.search(r"\d", m.group(1)):
            if place := s.span(m.start(1), m.end(1)):
                fields["issue_place"] = _field(_issue_place(place.text), place)
            date_span = s.span(m.end(1), len(s.text))
            if date_span and (iso := normalize.iso_date(date_span.text)):
                fields["issue_date"] = _unsure_part(_field(iso, date_span), date_span)
                fields["issue_date"] = _written_day(read, s, fields["issue_date"], tall=True) or fields["issue_date"]
            elif date_span and (typed := _typed_month(m)):
                day = normalize.digits(m.group(2).upper())
                whole = day.isdigit() and 1 <= int(day) <= 31 and normalize.iso_date(f"{day}/{typed[5:]}/{typed[:4]}")
                fields["issue_date"] = _written_day(read, s, _field(typed, date_span)) or _field(
                    whole or typed, date_span).doubted(
                    "the day is handwritten and may be misread: read it off the page" if whole
                    else "the day is handwritten and was not read: read it off the page", HANDWRITTEN)
            break

    limit = number_row.bbox[1] if number_row else 0.2 * height
    agency = [s for s in top if s.bbox[3] <= limit + 5 and (s.bbox[0] + s.bbox[2]) / 2 < 0.45 * width
              and not any(h in s.key for h in _HEADING) and _capitals(s.text)
              and ":" not in s.text]  # a misread "Số: …" is not part of the agency's name
    if agency:
        fields["issuing_agency"] = _field(lexicon.restore_agency(" ".join(_tidy(s.text) for s in agency)),
                                          *[_whole(s) for s in agency])

    below = number_row.bbox[3] if number_row else 0
    type_index = None
    for i, s in enumerate(first):
        if s.bbox[1] < below or s.bbox[1] > 0.5 * height or not _capitals(s.text):
            continue
        name = next((t for t in TYPE_NAMES if similar(key(t), s.key)), None)
        if name:
            fields["document_type"] = _field(name, _whole(s))
            type_index = i
            break

    if type_index is not None:
        summary = _summary_below(first, type_index, width)
    else:
        summary = _letter_subject(top, width, _column_centre(number_row, width))
        if summary and "document_type" not in fields:
            fields["document_type"] = ExtractedField("CÔNG VĂN", 0.75, summary[0].page, summary[0].bbox)
    if summary:
        fields["summary"] = _summary(summary)

    if signer := _signer(segments, width):
        span = _whole(signer)
        fields["signer"] = _field(normalize.signer(span.text), span)
    return fields


def _bare_number(top: list[Row], width: float, fields: dict[str, ExtractedField],
                 read: handwritten.Reader) -> Row | None:
    """The row of a number whose "Số:" label OCR garbled: the number's own shape, top left, at
    the start of its line after a label-sized smudge at most (never a number cited in the text)."""
    for s in top:
        if s.bbox[0] >= 0.5 * width or s.bbox[2] > 0.6 * width:
            continue
        m = _BARE_NUMBER.search(s.text)
        if m is None or len(s.text[:m.start(1)].split()) > 2 or len(s.text[:m.start(1)].strip()) > 6:
            continue
        if span := s.span(m.start(1), m.end(1)):
            value = normalize.document_number(span.text)
            found = _unsure_part(replace(_field(value, span), confidence=round(span.confidence * BARE, 4)), span)
            before = s.text[:m.start(1)].split()
            if re.search(r"\d", s.text[:m.start(1)]) and not found.review:
                # Digits before it ("Số: 3 39 /2020/KH-BYT"): handwriting read in pieces.
                found = found.doubted(HANDWRITTEN_NUMBER, HANDWRITTEN)
            if before:
                # After the label, handwriting read as pieces or marks ("Số: #5 /2019/CT-UBND"), or
                # as digits ("s: 116 /QÐ-BTTTT"): the image says whether a pen wrote them.
                slash = s.text.find("/", m.start(1))
                found = _written_number(read, s, len(before[0]) + s.text.find(before[0]), slash, found,
                                        tall=not found.review) or found
            fields["document_number"] = found
            return s
    return None


# The day and number are often written by hand into the typed line after signing; OCR reads them
# as noise. The typed words around them still say where the place, month and year are.
_HANDWRITTEN_DATE = re.compile(_PLACE + r"ngay\b(.{0,8}?)\bthang\b(.{0,8}?)\bnam\b\s*(\S{0,8})")
_SYMBOL = r"([a-z][\w.]*(?:\s*-\s*[\w.]+)+)"  # "QĐ-UBND", folded
# "Số: 26 3Ô /TB-PTP" (the handwriting read as anything before the symbol's slash), "Số: UBND-KTTH"
# or "Số: / 5 !UBND-VP" (the slash lost with it or misread), or "Số: ?724† /TBUBND" (the symbol's
# hyphen lost: its capitals must be all there is): the written part, then the typed symbol.
_HANDWRITTEN_NUMBER = (re.compile(r"^so\s*[:.]?\s*(.{0,14})/\W*" + _SYMBOL),
                       re.compile(r"^so\s*[:.]?\s*(.{0,8}?)\s*\W*" + _SYMBOL),
                       re.compile(r"^so\s*[:.]?\s*(.{0,14})/\W*([a-z]{3,}\w*)(?=\s|$)"))
# The slash before a symbol read as a letter glued to it, when the handwriting before it took the
# slash's place ("Số: fTB-PTP", "Số: IBC-PTP"): a symbol's capitals never follow a lower-case f
# or l, and hardly ever an I (few Vietnamese words start with I).
_SLASH_AS_LETTER = re.compile(r"^[fIl|](?=[A-ZĐ]{2})")
HANDWRITTEN = 0.3  # the confidence of a value whose handwritten part was not read
HANDWRITTEN_NUMBER = "the number is handwritten and may be misread: read it off the page"


def _typed_month(m: re.Match) -> str | None:
    """YYYY-MM (ISO 8601's month) from the typed month and year of a date whose day is handwritten."""
    month = normalize.digits(m.group(3).upper())
    year = normalize.digits(m.group(4).upper())
    if len(year) == 4 and 1945 <= int(year) <= 2100 and month.isdigit() and 1 <= int(month) <= 12:
        return f"{year}-{int(month):02d}"
    return None


def _handwritten_number(top: list[Row], width: float, fields: dict[str, ExtractedField],
                        read: handwritten.Reader) -> Row | None:
    """"Số: 4‡ /(QĐ-UBND": the typed symbol after the slash is read; the number written by hand
    before it is kept as far as it reads as digits, for the clerk to check on the page."""
    for s in top:
        if s.bbox[0] >= 0.5 * width:
            continue
        if re.fullmatch(r"so\s*[:.]?", folded(s.text).strip()):
            # The handwriting between "Số:" and the symbol left a gap the line was cut at.
            s = _joined_beside(s, top, 0.5 * width)
        if not (m := next(filter(None, (p.match(folded(s.text)) for p in _HANDWRITTEN_NUMBER)), None)):
            continue
        if "-" not in m.group(2) and not s.text[m.start(2):m.end(2)].isupper():
            continue  # a word after a slash, not a symbol
        if span := s.span(m.start(1), m.end(2)):
            symbol = _SLASH_AS_LETTER.sub("", s.text[m.start(2):m.end(2)])
            slash = _symbol_slash(s.text, m.start(1), m.start(2))
            if reading := handwritten.number(read, s, m.start(1), slash):
                typed = s.text[slash:m.end(2)] if s.text[slash] == "/" else f"/{symbol}"
                value = normalize.document_number(reading.text + typed)
                fields["document_number"] = handwritten.marked(_field(value, span), reading, "number")
                return s
            written = re.sub(r"\D", "", s.text[m.start(1):m.end(1)])
            value = normalize.document_number(f"{written}/{symbol}")
            fields["document_number"] = _field(value, span).doubted(HANDWRITTEN_NUMBER, HANDWRITTEN)
            return s
    return None


# The typed symbol after a number's slash at the end of a line, with at most two short marks
# before it: what OCR left of "Số:" and the pen's digits ("Sá ‡ /QĐ-UBND", "/UBND-KTTH").
_SYMBOL_AFTER_BLANK = re.compile(r"^(?:\S{1,6}\s+){0,2}?\S{0,6}?\s*(/)\s*((?:\d{4}\s*/\s*)?[A-ZĐÐ][A-Za-zĐđÐ]*"
                                 r"(?:\s*-\s*[A-ZĐÐ][A-Za-zĐđÐ]*)+)$")


def _unlabelled_number(top: list[Row], width: float, fields: dict[str, ExtractedField],
                       read: handwritten.Reader) -> Row | None:
    """A number line whose "Số:" OCR lost with the pen's digits: the typed symbol after the
    slash, alone on its line in the left column under the agency's name. The number written
    before it is read off the page; whatever is read, the clerk is shown the blank."""
    for s in top[1:]:  # the agency's name stands above it
        if s.bbox[0] >= 0.5 * width or s.bbox[2] > 0.6 * width or not (m := _SYMBOL_AFTER_BLANK.match(s.text)):
            continue
        if not (span := s.span(0, m.end(2))):
            continue
        box, reading = handwritten.unlabelled_number(read, s, m.start(1))
        typed = s.text[m.start(1):m.end(2)]
        if reading:
            field = _field(normalize.document_number(reading.text + typed), span)
            field = handwritten.marked(field, reading, "number")
            fields["document_number"] = replace(field, confidence=round(field.confidence * BARE, 4))
        else:
            written = re.sub(r"\D", "", s.text[:m.start(1)])
            field = _field(normalize.document_number(written + typed), span, Span("", s.page, box, 0.0))
            fields["document_number"] = field.doubted(HANDWRITTEN_NUMBER, HANDWRITTEN)
        return s
    return None


def _joined_beside(row: Row, rows: list[Row], right: float) -> Row:
    """``row`` and the nearest of ``rows`` beside it on its line, starting before ``right``."""
    beside = [t for t in rows if row.bbox[2] < t.bbox[0] < right and _same_line(row, t)]
    return Row(row.page, row.words + min(beside, key=lambda t: t.bbox[0]).words) if beside else row


def _symbol_slash(text: str, start: int, symbol: int) -> int:
    """Where the typed part after a handwritten number starts: the first slash from which only
    a year and the symbol follow ("† /2021/TB-STP"), else the marks glued before the symbol (the
    slash misread: "!UBND-VP"), else the symbol itself."""
    for i in range(start, symbol):
        if text[i] == "/" and re.fullmatch(r"/\s*(?:\d{4}\s*/)?\W*", text[i:symbol]):
            return i
    while symbol > start and not text[symbol - 1].isalnum() and not text[symbol - 1].isspace():
        symbol -= 1
    return symbol


def _written_number(read: handwritten.Reader, row: Row, start: int, slash: int,
                    found: ExtractedField, tall: bool = False) -> ExtractedField | None:
    """``found`` with the digits written between ``row.text[:start]`` and the slash at ``slash``
    read off the page, or None; ``tall``: only digits written larger than the type."""
    if slash <= start or not (reading := handwritten.number(read, row, start, slash)):
        return None
    if tall and not reading.tall:
        return None
    if not (typed := _SYMBOL_SLASH.search(found.value)):
        return None
    value = normalize.document_number(reading.text + found.value[typed.start():])
    return handwritten.marked(replace(found, value=value), reading, "number")


def _written_day(read: handwritten.Reader, row: Row, found: ExtractedField, tall: bool = False) -> ExtractedField | None:
    """``found`` (a date) with the day written by hand read off the page, or None; ``tall``:
    only digits written larger than the type."""
    m = _HANDWRITTEN_DATE.search(folded(row.text))
    if not m or not (typed := _typed_month(m)):
        return None
    year, month = int(typed[:4]), int(typed[5:])
    reading = handwritten.day(read, row, m.start(2), m.end(2), year, month)
    if not reading or (tall and not reading.tall):
        return None
    value = f"{year:04d}-{month:02d}-{int(reading.text):02d}"
    return handwritten.marked(replace(found, value=value), reading, "day")


def _nothing(page: int, box: tuple[float, float, float, float], line_height: float, before_slash: bool) -> list:
    return []


def _summary(spans: list[Span]) -> ExtractedField:
    """The summary as read and mended, for the clerk when a word is not Vietnamese, a stop was
    taken for a comma, or a word read far less surely than print does ("COVID-L9")."""
    read = normalize.prose(" ".join(s.text for s in spans))
    mended = normalize.stop_as_comma(read)
    field = _field(mended, *spans)
    if strange := syllable.strange_words(field.value):
        return field.doubted(f"not spelt as Vietnamese is ({' '.join(strange)}): misread")
    if mended != read:
        return field.doubted("a full stop read inside a sentence was taken for a comma: check it")
    if any(len(w) > 2 and w[:-1].isalpha() and w[:-1].islower() and w[-1] == "." for w in mended.split()[:-1]):
        # A summary is one phrase: a stop inside it ("thành lập. Tổ công tác") is a speck or a
        # comma misread; an abbreviation's ("TP. Hồ Chí Minh") follows capitals.
        return field.doubted("a full stop read inside the summary, which is one phrase: check it")
    if (least := min(s.least for s in spans)) < REVIEW_BELOW:
        return field.doubted("a word of it read unsurely: check it against the page", least)
    return field


def _unsure_part(field: ExtractedField, span: Span) -> ExtractedField:
    """A number or date one of whose words read far less surely than print does: the number and
    day written by hand into a typed line read so, even when Tesseract makes digits of them."""
    if span.least >= REVIEW_BELOW:
        return field
    return field.doubted("part of it read unsurely (written by hand?): read it off the page", span.least)


def _same_line(a: Row, b: Row) -> bool:
    return min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1]) > 0.5 * min(a.height, b.height)


def _issue_place(text: str) -> str:
    """The place before the date: a province as the list spells it ("Quảng-Ngãi" → "Quảng Ngãi"),
    any other place (a district, a commune) as read."""
    value = normalize.place(text)
    return lexicon.province(value) or value


def _split_heading(row: Row) -> list[Row]:
    """The agency and the national heading when OCR ran them into one line, even into one word:
    "MÔI TRƯỜNGCỘNG HÒA XÃ HỘI …", "MÔI TRƯỜNtỘNG HÒA XÃ HỘI …" (the C misread)."""
    keys = [key(w.text) for w in row.words]
    for i in range(1, len(keys) - 1):
        if keys[i] == "cong" and keys[i + 1] == "hoa":
            return [Row(row.page, row.words[:i]), Row(row.page, row.words[i:])]
    k = row.key.find("onghoaxahoi")
    if k < 2:
        return [row]
    if row.key[k - 1] != "c" and row.key[k - 2] == "c":
        k -= 1  # "CCỘNG": keep the C of CỘNG; otherwise the character before "ỘNG" stands for it
    at = row.key_pos[k - 1]  # where CỘNG begins in ``row.text``
    i = row.owner[at]
    if i < 0:
        return [row]
    first = row.owner.index(i)
    if at == first:  # CỘNG is a word of its own, just misread
        return [Row(row.page, row.words[:i]), Row(row.page, row.words[i:])] if i else [row]
    w = row.words[i]
    text = nfc(w.text)
    cut = at - first
    x0, y0, x1, y1 = w.bbox
    x = x0 + (x1 - x0) * cut / len(text)
    left = replace(w, text=text[:cut], bbox=(x0, y0, x, y1))
    right = replace(w, text=text[cut:], bbox=(x, y0, x1, y1))
    return [Row(row.page, row.words[:i] + [left]), Row(row.page, [right] + row.words[i + 1:])]


def _summary_below(rows: list[Row], index: int, width: float) -> list[Span]:
    """Centred lines under the type name, up to the first gap or line in capitals."""
    out: list[Span] = []
    last = rows[index]
    for s in rows[index + 1:]:
        centre = (s.bbox[0] + s.bbox[2]) / 2
        if s.bbox[1] - last.bbox[3] > 1.5 * last.height or abs(centre - width / 2) > 0.12 * width:
            break
        if _capitals(s.text):
            break
        out.append(_whole(s, trim_end=False))  # "giai đoạn 2023 -" goes on "2025"
        last = s
    return out


def _letter_subject(rows: list[Row], width: float, column: float | None) -> list[Span]:
    """The subject of an official letter: "V/v …" under the number, and its wrapped lines.

    The subject is centred in the left column, so a short wrapped line starts right of "V/v";
    a line belongs to it when it lies within the left column and overlaps the first line. A
    line that runs past the page's middle ran into a block beside it (a typed note pasted over
    the top right): it is cut where a line centred on the number (at ``column``) would end."""
    rows = [_in_column(s, width, column) for s in rows]
    for i, s in enumerate(rows):
        m = SUBJECT.match(folded(s.text)) if s.bbox[0] < 0.5 * width else None
        if not m:
            continue
        out = [span] if (span := s.span(m.end(), len(s.text), trim_end=False)) else []
        last = s
        for t in rows[i + 1:]:
            centre = (t.bbox[0] + t.bbox[2]) / 2
            if centre > 0.5 * width or t.bbox[0] > s.bbox[2] or t.bbox[2] < s.bbox[0]:
                continue  # the other column, at the same height
            if t.height < 0.5 * s.height:
                continue  # specks read as tiny words
            if t.bbox[1] - last.bbox[3] > 1.0 * last.height:
                break
            out.append(_whole(t, trim_end=False))
            last = t
        return out
    return []


def _column_centre(number_row: Row | None, width: float) -> float | None:
    """The middle of the left column: the number is centred in it (Decree 30/2020, Annex I)."""
    if number_row is None or (centre := (number_row.bbox[0] + number_row.bbox[2]) / 2) >= 0.5 * width:
        return None
    return centre


def _in_column(row: Row, width: float, centre: float | None) -> Row:
    """``row`` without the words of a block beside the left column it ran into: cut at the gap
    nearest where the row would end if it were centred on ``centre``."""
    if centre is None or row.bbox[2] <= 0.5 * width or row.bbox[0] >= centre or len(row.words) < 2:
        return row
    end = 2 * centre - row.bbox[0]
    gaps = [(abs((a.bbox[2] + b.bbox[0]) / 2 - end), k) for k, (a, b) in enumerate(zip(row.words, row.words[1:]), 1)]
    return Row(row.page, row.words[:min(gaps)[1]])


def _signer(segments: list[Row], width: float) -> Row | None:
    """The last name-shaped line in the right half of the last page: 2-6 capitalised words."""
    last_page = segments[-1].page if segments else None
    for s in reversed(segments):
        if s.page != last_page or s.bbox[0] < 0.4 * width:
            continue
        words = re.findall(r"[^\W\d_]+", nfc(s.text))
        if not 2 <= len(words) <= 6 or len(words) != len(s.text.split()):
            continue
        if all(w[0].isupper() for w in words) and not set(key(w) for w in words) <= _TITLES:
            return s
    return None


def _capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _whole(row: Row, trim_end: bool = True) -> Span:
    return row.span(0, len(row.text), trim_end) or Span(row.text, row.page, row.bbox, 0.0)


def _tidy(value: str) -> str:
    """``value`` without stray punctuation at its edges, nor a bracket left open or never opened."""
    text = nfc(value)
    while True:
        before = text
        text = text.strip(_EDGES)
        if text.endswith("(") or (text.endswith(")") and "(" not in text):
            text = text[:-1]
        if text.startswith(")") or (text.startswith("(") and ")" not in text):
            text = text[1:]
        if text == before:
            return text or nfc(value)


def _field(value: str, *spans: Span) -> ExtractedField:
    """The value with the punctuation OCR strays at its edges dropped: "_Bộ Y tế.", "“Hà Nội"."""
    value = _tidy(value)
    box = (min(s.bbox[0] for s in spans), min(s.bbox[1] for s in spans),
           max(s.bbox[2] for s in spans), max(s.bbox[3] for s in spans))
    confidence = sum(s.confidence for s in spans) / len(spans)
    return ExtractedField(nfc(value), round(confidence, 4), spans[0].page, box)
