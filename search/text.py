"""Vietnamese text normalisation for indexing and querying.

Every function here is length-preserving on NFC input: one character in, one character out.
That is what lets the index compute highlight offsets on folded text and put the ``<mark>``
tags back on the original, accented text without any alignment step.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["nfc", "fold", "canonical_tones"]

# The five tone marks as combining characters: grave, acute, tilde, hook above, dot below.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Vowels that carry a quality mark; the tone goes on these first (ươ → ơ, the later one).
_QUALITY_VOWELS = frozenset("ăâêôơư")
_VOWELS = frozenset("aăâeêioôơuưy")
_CONSONANTS = frozenset("bcdđghklmnpqrstvx")

# Initials are listed longest first so the regex prefers "ngh" over "ng", "gi" over "g";
# "gi" and "qu" count as consonants (giữa, quả), and backtracking lets "gìn" fall back to g + i.
_SYLLABLE = re.compile(
    r"(ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdđghklmnprstvx])?"
    r"([aăâeêioôơuưy]{1,3})"
    r"(ch|ng|nh|[cmnpt])?"
)
_WORD = re.compile(r"[^\W\d_]+")


def nfc(s: str) -> str:
    """Compose ``s``: the index, the store and every comparison work on NFC text."""
    return unicodedata.normalize("NFC", s)


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c == "đ":
        return "d"
    if c == "Đ":
        return "D"
    if c.isascii():
        return c
    d = unicodedata.normalize("NFD", c)
    if len(d) > 1 and all(unicodedata.combining(m) for m in d[1:]):
        return d[0]
    return c


class _FoldTable(dict):
    """A str.translate table filled as characters are met: folding then runs in C."""

    def __missing__(self, code: int) -> int:
        self[code] = folded = ord(_fold_char(chr(code)))
        return folded


_FOLD = _FoldTable()


def fold(s: str) -> str:
    """Drop diacritics (tone and quality marks) and map đ→d, keeping case.

    One output character per input character, so offsets found on the folded text are valid on
    the original.  Characters without a decomposition (CJK, symbols, ``ﬁ``) pass through.
    """
    return s.translate(_FOLD)


def _split_tone(c: str) -> tuple[str, str] | None:
    """Return (letter without tone, tone mark or "") for a Vietnamese letter, else None."""
    d = unicodedata.normalize("NFD", c)
    tones = [m for m in d[1:] if m in _TONES]
    if len(tones) > 1:
        return None
    letter = unicodedata.normalize("NFC", d[0] + "".join(m for m in d[1:] if m not in _TONES))
    if len(letter) != 1:
        return None
    low = letter.lower()
    if low not in _VOWELS and low not in _CONSONANTS:
        return None
    return letter, tones[0] if tones else ""


def _tone_position(initial: str, vowels: str, final: str) -> int:
    """Index within ``vowels`` of the vowel that carries the tone (old-style placement).

    Quality-marked vowel first (the last one, so ươ → ơ); a lone vowel; the last vowel before a
    final consonant (hoàng, huỳnh); in open syllables the middle of three vowels (ngoài, khuỷu)
    and otherwise the first (hòa, khỏe, thủy, mùa, túi).
    """
    quality = [i for i, v in enumerate(vowels) if v in _QUALITY_VOWELS]
    if quality:
        return quality[-1]
    if len(vowels) == 1:
        return 0
    if final:
        return len(vowels) - 1
    if len(vowels) == 3:
        return 1
    return 0


@lru_cache(maxsize=65536)  # Vietnamese has about 7,000 syllables: indexing reuses them all the time
def _canonical_word(word: str) -> str:
    parts = [_split_tone(c) for c in word]
    if any(p is None for p in parts):
        return word
    letters = [p[0] for p in parts]  # type: ignore[index]
    tones = [p[1] for p in parts if p[1]]  # type: ignore[index]
    if len(tones) != 1:
        return word  # no tone to move, or not a Vietnamese syllable
    base = "".join(letters).lower()
    m = _SYLLABLE.fullmatch(base)
    if m is None:
        return word
    # A tone on a consonant (e.g. ǹ) cannot be moved meaningfully: leave the word alone.
    tone_index = next(i for i, p in enumerate(parts) if p[1])  # type: ignore[index]
    if base[tone_index] not in _VOWELS:
        return word
    target = m.start(2) + _tone_position(m.group(1) or "", m.group(2), m.group(3) or "")
    if target == tone_index:
        return word
    out = list(letters)
    out[target] = unicodedata.normalize("NFC", letters[target] + tones[0])
    return "".join(out)


def canonical_tones(s: str) -> str:
    """Put every syllable's tone mark on one canonical vowel, so ``hoà`` and ``hòa`` are equal.

    Documents mix old and new placement (``thuỷ``/``thủy``, ``khoẻ``/``khỏe``) and users type
    either; the index stores and queries the canonical form.  Only the tone mark moves, so the
    result is length-preserving and idempotent; words that are not Vietnamese syllables with
    exactly one tone mark are returned unchanged.
    """
    return _WORD.sub(lambda m: _canonical_word(m.group(0)), s)
