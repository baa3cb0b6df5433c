"""Snippets: mark the query's words on a page, found on its folded text, and cut a window of it.

fold() and canonical_tones() are length-preserving, so an offset in the folded page is the same
offset in the original page; only the marks need to be located, never re-aligned.
"""

from __future__ import annotations

import html
import re

from ._query import TOKEN as _TOKEN
from .text import canonical_tones, fold

# Private-use characters that never survive into stored page text (see clean_page).
OPEN = "\ue000"
CLOSE = "\ue001"
WINDOW_WORDS = 30
_BEFORE_WORDS = 8
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\S+")


def clean_page(text: str) -> str:
    """Replace the sentinels in page text (same length) so they can only come from mark_words()."""
    return text.replace(OPEN, "\ufffd").replace(CLOSE, "\ufffd")


def mark_words(text: str, folded_tokens: set[str]) -> str:
    """``text`` with OPEN/CLOSE around each word whose folded, lower-case form is one of
    ``folded_tokens``: the highlight a backend without offsets needs, found on our own folding."""
    folded = fold(canonical_tones(text))  # same length as text; lower() might not be
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(folded):
        if m.group().lower() in folded_tokens:
            out += [text[pos:m.start()], OPEN, text[m.start():m.end()], CLOSE]
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def mark_spans(highlighted: str) -> tuple[str, list[tuple[int, int]]]:
    """Strip the sentinels; return the plain text and the [start, end) of each marked run."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    start = -1
    for c in highlighted:
        if c == OPEN:
            start = pos
        elif c == CLOSE:
            if start >= 0 and pos > start:
                spans.append((start, pos))
            start = -1
        else:
            plain.append(c)
            pos += 1
    return "".join(plain), spans


def _escape(s: str) -> str:
    return _SPACE.sub(" ", html.escape(s, quote=True))


def make_snippet(original: str, highlighted_folded: str) -> str:
    """About WINDOW_WORDS words of ``original`` around the first match, HTML-escaped, matches in
    ``<mark>``, and ``…`` where the page text was cut."""
    plain, spans = mark_spans(highlighted_folded)
    if len(plain) != len(original):
        original = plain  # cannot happen for NFC pages; show folded text rather than misplace marks
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
        out.append(f"<mark>{html.escape(original[s:e], quote=True)}</mark>")
        pos = e
    out.append(_escape(original[pos:cut_end]))
    if hi < len(words):
        out.append("…")
    return "".join(out)
