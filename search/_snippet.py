"""Snippets: find the query's terms on a page, on its folded text, and cut a window of it with
the terms marked.

fold() is length-preserving, so an offset in the folded page is the same offset in the original
page; the marks need no re-alignment, and no backend's highlighter needs to run.
"""

from __future__ import annotations

import html
import re

from ._query import TOKEN as _TOKEN
from .text import fold

WINDOW_WORDS = 30
_BEFORE_WORDS = 8
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\S+")

Terms = list[tuple[tuple[str, ...], bool]]


def find_terms(text: str, terms: Terms) -> list[tuple[int, int]]:
    """The [start, end) of each occurrence of a term in ``text``, in order, overlaps merged. A
    term is its folded, lower-case words (several: a phrase, found where they are adjacent and in
    order, as one run) and whether its last word is a prefix."""
    folded = fold(text)  # same length as text; lower() might not be
    single = {words[0] for words, prefix in terms if len(words) == 1 and not prefix}
    runs = [(words, prefix) for words, prefix in terms if len(words) > 1 or prefix]
    if not runs:
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(folded) if m.group().lower() in single]
    else:
        words = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(folded)]
        spans = [(start, end) for start, end, word in words if word in single]
        for run, prefix in runs:
            last = len(run) - 1

            def at(i: int, j: int) -> bool:
                word = words[i + j][2]
                return word == run[j] or prefix and j == last and word.startswith(run[j])

            spans += [(words[i][0], words[i + last][1]) for i in range(len(words) - last)
                      if all(at(i, j) for j in range(last + 1))]
        spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _escape(s: str) -> str:
    return _SPACE.sub(" ", html.escape(s, quote=True))


def make_snippet(original: str, spans: list[tuple[int, int]]) -> str:
    """About WINDOW_WORDS words of ``original`` around the first of ``spans`` (see find_terms),
    HTML-escaped, the spans in ``<mark>``, and ``…`` where the page text was cut."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(original)]
    if not words:
        return ""
    first = next(
        (i for i, (_, end) in enumerate(words) if spans and end > spans[0][0]), 0
    )
    lo = max(0, first - _BEFORE_WORDS)
    hi = min(len(words), lo + WINDOW_WORDS)
    lo = max(0, hi - WINDOW_WORDS)
    cut_start, cut_end = words[lo][0], words[hi - 1][1]

    out: list[str] = ["…"] if lo > 0 else []
    pos = cut_start
    for s, e in spans:
        s, e = max(s, cut_start), min(e, cut_end)
        if s >= e or s < pos:
            continue
        out.append(_escape(original[pos:s]))
        out.append(f"<mark>{_escape(original[s:e])}</mark>")
        pos = e
    out.append(_escape(original[pos:cut_end]))
    if hi < len(words):
        out.append("…")
    return "".join(out)
