"""Label-anchored reading: find a printed label, take the value to its right or on the line below.

A label is matched on the keys of a row (see ``fuzzy``), at the start of a word, longest label
first, so "Họ, chữ đệm, tên người mẹ" is never read as "Họ, chữ đệm, tên" followed by a name.
An English twin after it ("/ Full name:") is skipped. The value ends where the next label starts.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        best: tuple[int, int, Label, int] | None = None  # (score, length, label, distance)
        if row.word_start(k):
            for label in labels:
                for lk in label.keys:
                    m = match_prefix(lk, row.key, k)
                    if m and not _word_end(row, k + m[0]):
                        m = None
                    if m and (best is None or len(lk) - 2 * m[1] > best[0]):
                        best = (len(lk) - 2 * m[1], m[0], label, m[1])
        if best is None:
            k += 1
            continue
        _, length, label, distance = best
        end = k + length
        for english in label.english:
            m = match_prefix(key(english), row.key, end)
            if m:
                end += m[0]
                break
        found.append(Found(label, row.char_of_key(k), row.char_of_key(end),
                           1.0 - distance / max(len(lk) for lk in label.keys)))
        k = end
    return found


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
    label_row: int


def read_fields(rows: list[Row], labels: list[Label]) -> dict[str, Reading]:
    """The first value of every labelled field, in reading order."""
    found = [find_labels(r, labels) for r in rows]
    result: dict[str, Reading] = {}
    for i, (row, hits) in enumerate(zip(rows, found)):
        for j, hit in enumerate(hits):
            name = hit.label.field
            if name is None or name in result:
                continue
            end = hits[j + 1].start if j + 1 < len(hits) else len(row.text)
            span = row.span(hit.end, end)
            where = i
            if span is None and j + 1 == len(hits) and i + 1 < len(rows):
                below, below_hits = rows[i + 1], found[i + 1]
                if below.page == row.page and below.bbox[1] - row.bbox[3] < 2.5 * row.height:
                    where = i + 1
                    span = below.span(0, below_hits[0].start if below_hits else len(below.text))
            if span is not None:
                result[name] = Reading(span, hit.quality, where, i)
    return result


def continuation(rows: list[Row], reading: Reading, labels: list[Label]) -> Span:
    """A place that wraps: the value plus the next row, if that row is unlabelled and close."""
    span, i = reading.span, reading.row
    if i + 1 >= len(rows):
        return span
    row, below = rows[i], rows[i + 1]
    label_x = rows[reading.label_row].bbox[0]
    if (below.page != row.page or find_labels(below, labels) or below.bbox[0] < label_x - row.height
            or below.bbox[1] - row.bbox[3] > 1.2 * row.height):
        return span
    more = below.span(0, len(below.text))
    if more is None:
        return span
    box = (min(span.bbox[0], more.bbox[0]), span.bbox[1], max(span.bbox[2], more.bbox[2]), more.bbox[3])
    return Span(f"{span.text.rstrip(',')}, {more.text}", span.page, box,
                (span.confidence + more.confidence) / 2)
