"""Approximate matching on folded keys: lower-case, no diacritics, letters and digits only.

OCR drops or swaps Vietnamese marks ("Nừ" for "Nữ", "Dântộc" for "Dân tộc"), merges and splits
words; comparing keys with a small edit distance absorbs all of that.
"""

from __future__ import annotations

import re

from search.text import fold, nfc


def key(text: str) -> str:
    """The matching key of ``text``: ``"Họ và tên:"`` → ``"hovaten"``."""
    return re.sub(r"[^0-9a-z]", "", fold(nfc(text)).lower())


def folded(text: str) -> str:
    """Lower-case, unmarked text with spaces kept; one character per character of NFC ``text``."""
    return fold(nfc(text)).lower()


def allowed_errors(pattern: str) -> int:
    """Edit operations tolerated in a match: none for short words, one per six characters."""
    return 0 if len(pattern) < 5 else max(1, len(pattern) // 6)


def match_prefix(pattern: str, text: str, start: int = 0, limit: int | None = None) -> tuple[int, int] | None:
    """Best approximate match of ``pattern`` against ``text[start:start+n]`` for some n.

    Returns (length consumed, distance) or None if no prefix is within ``limit`` edits (by
    default the allowed errors for the pattern's length). Among equal distances the longer
    consumption wins, so a trailing dropped letter is eaten.
    """
    limit = allowed_errors(pattern) if limit is None else limit
    window = text[start:start + len(pattern) + limit]
    if not window:
        return None
    previous = list(range(len(window) + 1))
    for i, pc in enumerate(pattern, 1):
        current = [i]
        for j, tc in enumerate(window, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (pc != tc)))
        previous = current
    best: tuple[int, int] | None = None
    for n in range(max(1, len(pattern) - limit), len(window) + 1):
        d = previous[n]
        if d <= limit and (best is None or d <= best[1]):
            best = (n, d)
    return best


def similar(a: str, b: str, limit: int | None = None) -> bool:
    """Whether two keys are the same word or phrase up to ``limit`` edits (by default the allowed
    errors for ``a``'s length)."""
    m = match_prefix(a, b, limit=limit)
    return m is not None and m[0] == len(b)
