"""Label-anchored reading: find a printed label, take the value to its right or on the line below.

A label is matched on the keys of a row (see ``fuzzy``), at the start of a word, longest label
first, so "Họ, chữ đệm, tên người mẹ" is never read as "Họ, chữ đệm, tên" followed by a name.
An English twin after it ("/ Full name:") is skipped. The value ends where the next label starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ocr import syllable
from ocr.model import Word

from . import normalize
from .fuzzy import key, match_prefix
from .layout import Row, Span


@dataclass(frozen=True)
class Label:
    field: str | None  # None: a label that only ends the value before it
    texts: tuple[str, ...]  # Vietnamese wordings, as printed
    english: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key(t) for t in self.texts)


@dataclass(frozen=True)
class Found:
    label: Label
    start: int  # character index in the row text where the label starts
    end: int  # where its value may start (after any English twin)
    quality: float  # 1.0 for an exact match, less for each edit


def find_labels(row: Row, labels: list[Label]) -> list[Found]:
    found: list[Found] = []
    k = 0
    while k < len(row.key):
        if not row.word_start(k):
            k += 1
            continue
        best = _best_match(row, k, ((label, lk) for label in labels for lk in label.keys))
        if best is None:
            if (alone := _english_alone(row, k, labels, found)) is not None:
                found.append(alone[0])
                k = alone[1]
            else:
                k += 1
            continue
        length, label, distance = best
        end = k + length
        for english in _twins(label):
            m = match_prefix(english, row.key, end)
            if m:
                end += m[0]
                break
        else:
            end = _past_misread_twin(label, row, end)
        found.append(Found(label, row.char_of_key(k), row.char_of_key(end),
                           1.0 - distance / max(len(lk) for lk in label.keys)))
        k = end
    return found


def _best_match(row: Row, k: int, candidates) -> tuple[int, Label, int] | None:
    """Of ``candidates`` (label, key), the one whose key matches whole words of the row from key
    character ``k`` best (length against twice the edits): its length in the row, label, edits."""
    best: tuple[int, int, Label, int] | None = None  # (score, length, label, distance)
    for label, lk in candidates:
        m = match_prefix(lk, row.key, k)
        if m and _word_end(row, k + m[0]) and (best is None or len(lk) - 2 * m[1] > best[0]):
            best = (len(lk) - 2 * m[1], m[0], label, m[1])
    return None if best is None else best[1:]


ENGLISH_ALONE = 10  # the shortest English label taken without its Vietnamese one ("nationality")


def _english_alone(row: Row, k: int, labels: list[Label], found: list[Found]) -> tuple[Found, int] | None:
    """A bilingual card's label whose Vietnamese wording glare or a fold made unreadable ("Nơi
    đăng V sinh / Place of birth registration"): its English twin, read whole, is the label, or
    its last words and colon where they begin the line ("of origin: Xã …").
    Short twins ("Sex", "Full name") are words a value may hold, and are not taken so; nor is the
    twin of the label just found, misread beyond skipping. Returns the label and the key index
    past it."""
    previous = found[-1].label if found else None
    best = _best_match(row, k, ((label, key(e)) for label in labels if label is not previous
                                for e in label.english if len(key(e)) >= ENGLISH_ALONE))
    if best is None and not found:
        # What glare left of a line's label, its twin's last words and colon ("of origin: Xã …").
        best = _best_match(row, k, ((label, tail) for label in labels if label.field for tail in _tails(label)))
        if best is not None and not row.text[row.key_pos[k + best[0] - 1] + 1:].lstrip().startswith(":"):
            best = None
    if best is None:
        return None
    length, label, distance = best
    # A card's label begins its line: what stands before the twin there is its unreadable wording
    # (after another label on the line, it is that label's value).
    start = row.char_of_key(k) if found else 0
    return Found(label, start, row.char_of_key(k + length),
                 1.0 - distance / max(len(key(e)) for e in label.english)), k + length


def _twins(label: Label) -> list[str]:
    """Keys of the label's English twin, then of its last words alone."""
    return [key(e) for e in label.english] + _tails(label)


def _tails(label: Label) -> list[str]:
    """Keys of the English twin's last words, six letters at least: glare or a fold that takes
    "/ Place" leaves "of origin:" before the value."""
    keys = []
    for english in label.english:
        words = english.split()
        keys += [k for n in range(len(words) - 1, 0, -1) if len(k := key(" ".join(words[-n:]))) >= 6]
    return keys


def _past_misread_twin(label: Label, row: Row, end: int) -> int:
    """Past the English twin when OCR misread it beyond matching ("PIøce oƒ origin:"): its last
    word, found near where the twin should stand, ends it; failing that, the colon that ends a
    bilingual label ("Quê quán / Price 0 ø0gin: Xã …"), no further than the twin is long, or the
    line's end when no more follows the slash than the twin's length."""
    for english in label.english:
        twin, last = key(english), key(english.split()[-1])
        if len(last) < 5:
            continue
        for start in range(end, min(end + len(twin), len(row.key))):
            m = match_prefix(last, row.key, start)
            if m and _word_end(row, start + m[0]):
                return start + m[0]
    if label.english and end > 0:
        after = row.key_pos[end - 1] + 1  # the text right after the Vietnamese wording
        longest = max(len(e) for e in label.english) + 4
        # The twin's italics misread may hold a slash of their own ("/ Ø/œce øƒor/zn: Xã …").
        if m := re.match(rf"\s*/([^:;]{{1,{longest}}}?)[:;]", row.text[after:]):
            colon = after + m.end()
            return next((k for k, p in enumerate(row.key_pos) if p >= colon), len(row.key))
        # No colon: the twin misread by a quarter of its letters at most, whole words ("/ Place
        # oƒ reSidertce", print beside the card after it: the second maker's seed 264).
        if m := re.match(r"\s*/", row.text[after:]):
            begin = next((k for k, p in enumerate(row.key_pos) if p >= after + m.end()), len(row.key))
            for english in label.english:
                twin = key(english)
                if (read := match_prefix(twin, row.key, begin, limit=len(twin) // 4)) \
                        and _word_end(row, begin + read[0]):
                    return begin + read[0]
        # No colon, and no more after the slash than the twin is long: the twin alone, its
        # value on the line below ("Họ, chữ đệm và tên khai sinh / fuíÍ nome").
        if re.fullmatch(rf"\s*/[^:;]{{1,{longest - 2}}}", row.text[after:]):
            return len(row.key)
    return end


def _word_end(row: Row, k: int) -> bool:
    """Whether key character ``k`` (exclusive end) closes a word in the row text."""
    if k >= len(row.key):
        return True
    p = row.key_pos[k - 1] + 1
    return p >= len(row.text) or not row.text[p].isalnum()


@dataclass(frozen=True)
class Reading:
    span: Span
    quality: float
    row: int  # index of the row the value came from
    label_left: float  # where the label starts: a wrapped value's lines start under it


def read_fields(rows: list[Row], labels: list[Label], *, columns: bool = False) -> dict[str, Reading]:
    """The first value of every labelled field, in reading order.

    With ``columns`` (an ID card: a photo, fingerprints or a seal beside the print) a value
    ends at a wide gap, and a value printed under its label is looked for in the column under
    the label, one or two rows down."""
    found = [find_labels(r, labels) for r in rows]
    result: dict[str, Reading] = {}
    for i, (row, hits) in enumerate(zip(rows, found)):
        for j, hit in enumerate(hits):
            name = hit.label.field
            if name is None or name in result:
                continue
            end = hits[j + 1].start if j + 1 < len(hits) else len(row.text)
            if columns:
                end = min(end, _column_end(row, hit.end))
            span = None if columns and _apart(row, hit) else row.span(hit.end, end)
            where = i
            if span is None and (columns or j + 1 == len(hits)):
                where, span = _below(rows, found, i, hit, labels, columns)
            if span is not None:
                result[name] = Reading(span, hit.quality, where, _label_left(row, hit))
    return result


COLUMN_GAP = 2.5  # line heights: a wider gap between two words of a row parts two columns
LABEL_WORD = 3  # letters of a word before a gap from which it is the label's own, read (not a mark's)


def _label_left(row: Row, hit: Found) -> float:
    """Where a label starts: its first word, unless a wide gap parts that word from the rest (a
    mark beside the photo matched in place of a letter glare took: "y (ơi thường trú"). A word
    of the label read whole stays its own across such a gap: glare took the words between
    ("Quê quán / Plac      igin:"). A word with no letter is none of a label's (the photo's
    edge read as "“48.0." before "Quê quán")."""
    owners = sorted({row.owner[c] for c in range(hit.start, hit.end) if row.owner[c] >= 0
                     and any(ch.isalpha() for ch in row.words[row.owner[c]].text)})
    if not owners:
        return row.bbox[0]
    first = owners[-1]
    while first > owners[0] and (row.words[first].bbox[0] - row.words[first - 1].bbox[2] < COLUMN_GAP * row.height
                                 or _letters(row.words[first - 1].text) >= LABEL_WORD):
        first -= 1
    return row.words[first].bbox[0]


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in key(text))


def _below(rows: list[Row], found: list[list[Found]], i: int, hit: Found, labels: list[Label],
           columns: bool) -> tuple[int, Span | None]:
    """The value printed on the row under its label (or, with columns, the first of the next two
    rows with print under the label)."""
    row = rows[i]
    if not columns:
        if i + 1 < len(rows):
            below, below_hits = rows[i + 1], found[i + 1]
            if below.page == row.page and below.bbox[1] - row.bbox[3] < 2.5 * row.height:
                return i + 1, below.span(0, below_hits[0].start if below_hits else len(below.text))
        return i, None
    label = row.span(hit.start, hit.end)
    left = (label.bbox[0] if label else row.bbox[0]) - row.height
    for k in range(i + 1, min(i + 3, len(rows))):
        below = rows[k]
        if below.page != row.page or below.bbox[1] - row.bbox[3] > 3.5 * row.height:
            break
        part = _under_value(below, left, labels, "under")
        if part is _LABELLED:
            break
        if part is not None:
            return k, part.span(0, len(part.text))
    return i, None


def _apart(row: Row, hit: Found) -> bool:
    """Whether the print after a label on its line stands beyond a column's gap (COLUMN_GAP):
    another column's (the guilloche or the card's edge read beside "Nơi cư trú / Place oƒ
    reSidertce"), the label's value being under it."""
    label = [row.owner[c] for c in range(hit.start, hit.end) if row.owner[c] >= 0]
    after = next((row.owner[c] for c in range(hit.end, len(row.text)) if row.owner[c] >= 0), None)
    return bool(label) and after is not None and after > label[-1] \
        and row.words[after].bbox[0] - row.words[label[-1]].bbox[2] > COLUMN_GAP * row.height


def _column_end(row: Row, start: int) -> int:
    """Where the column that ``start`` (a character of ``row.text``) is in ends: at the first gap
    between words wider than COLUMN_GAP line heights."""
    owner = next((row.owner[c] for c in range(start, len(row.text)) if row.owner[c] >= 0), None)
    if owner is None:
        return len(row.text)
    for w in range(owner, len(row.words) - 1):
        if row.words[w + 1].bbox[0] - row.words[w].bbox[2] > COLUMN_GAP * row.height:
            return row.owner.index(w + 1)
    return len(row.text)


def continuation(rows: list[Row], reading: Reading, labels: list[Label], *, mode: str = "strict",
                 most: int = 2) -> Span:
    """A value that wraps: the value plus up to ``most`` rows below, while they are close and
    the part of them under the value is unlabelled. ``mode`` says what stands left of the label
    on those rows (see ``_under_value``): ``strict``, another paragraph, so the value has ended
    (forms); ``under``, another column, cut off (a card's expiry line under its photo beside a
    wrapped place of origin); ``wrap``, the value's own line when it runs on into it, as a chip
    card's address wraps to the left edge under the photo column."""
    span, i = reading.span, reading.row
    label_x = reading.label_left
    text = rows[i].text
    ends_with_comma = text[text.find(span.text) + len(span.text):].lstrip().startswith(",")
    for _ in range(most):
        j = i + 1
        while j < len(rows) and (_speck(rows[j], rows[i]) or (_noise(rows[j]) and not find_labels(rows[j], labels))):
            j += 1
        if j >= len(rows):
            break
        row, below = rows[i], rows[j]
        if below.page != row.page or below.bbox[1] - row.bbox[3] > 1.2 * row.height:
            break
        part = _under_value(below, label_x - row.height, labels, mode)
        if part is None or part is _LABELLED or normalize.dates(part.text):
            break  # the next field (a date is never part of a place, and its label may be unreadable)
        more = part.span(0, len(part.text))
        if more is None:
            break
        box = (min(span.bbox[0], more.bbox[0]), span.bbox[1], max(span.bbox[2], more.bbox[2]), more.bbox[3])
        # A wrap falls where the line was full, inside a phrase as often as after a comma.
        joined = f"{span.text}{',' if ends_with_comma else ''} {more.text}"
        span = Span(joined, span.page, box, (span.confidence + more.confidence) / 2)
        ends_with_comma = part.text.rstrip().endswith(",")
        i = j
    return span


def _speck(row: Row, value: Row) -> bool:
    """A row of one small mark between a value's lines (a speck of the background read as a
    letter), which is no line of text."""
    return len(row.key) <= 1 and row.height < 0.5 * value.height


# Below this share of its characters in words spelt as Vietnamese syllables, a row is no line of
# print: an old card's dotted line or its guilloche read as ".ƯƯG cốt co «s vw/7Ế «2 6 x02 3".
LEAST_SPELT = 0.5


_FIGURES = re.compile(r"\d+(?:[/.-]\d+)*")  # a house number, "12/34"


def _noise(row: Row) -> bool:
    """A row between a value's lines that is no text (see LEAST_SPELT); figures count as spelt."""
    tokens = row.text.split()
    spelt = sum(len(t) for t in tokens if (w := t.strip(syllable.PUNCTUATION)) and
                (_FIGURES.fullmatch(w) or (w.isalpha() and syllable.is_syllable(w))))
    return spelt < LEAST_SPELT * sum(len(t) for t in tokens)


_LABELLED = Row(0, [Word("", 0.0, (0, 0, 0, 0), 0)])  # a column that holds a label: the next field


def _under_value(row: Row, left: float, labels: list[Label], mode: str) -> Row | None:
    """The part of ``row`` that continues (or is) a value whose label starts at ``left``, None
    when there is none, or _LABELLED when it holds a label (the next field).

    The row is cut at ``left``; what stands left of it is another column (a card's photo side,
    its expiry line, "BỘ CÔNG AN" beside a 2024 card's address) unless, in ``wrap`` mode, it is
    unlabelled and runs on into the value without a gap: an address wrapped to the card's left
    edge. In ``strict`` mode (forms) a row that starts left of the label is another paragraph."""
    before = [w for w in row.words if (w.bbox[0] + w.bbox[2]) / 2 < left]
    after = [w for w in row.words if (w.bbox[0] + w.bbox[2]) / 2 >= left]
    if not after:
        return None
    part = Row(row.page, after)
    if find_labels(part, labels):
        return _LABELLED
    if not before:
        return part
    if mode == "strict":
        return None
    whole = Row(row.page, row.words)
    if mode == "wrap" and not find_labels(Row(row.page, before), labels) \
            and after[0].bbox[0] - before[-1].bbox[2] < COLUMN_GAP * row.height:
        return whole
    return part
