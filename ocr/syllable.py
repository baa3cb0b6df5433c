"""Whether a word can be a Vietnamese syllable: an initial consonant, a rhyme, at most one tone.

Vietnamese is written one syllable a word, and its syllables are built by a closed grammar:
an optional initial (b, ch, ngh, qu …), a rhyme (a vowel nucleus, possibly with glides, and an
optional final c, ch, m, n, ng, nh, p or t) and one tone mark at most; a syllable that ends in
c, ch, p or t takes only the acute or the dot below. OCR's misreadings break that grammar
often ("Nổốt" for "Nốt", "Thu ần" for "Thượng", "&/oa" anywhere), so a word outside it is a
sign the reading went wrong, and a text with few words inside it is not Vietnamese as read.
Names of the Central Highlands and the abbreviations of addresses keep their own spellings
(``KNOWN``).
"""

from __future__ import annotations

import re
import unicodedata

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
_STOPPED_TONES = "\u0301\u0323"  # the only tones a syllable ending in c, ch, p, t takes (one it must)
_INITIAL = "(?:ngh|ng|gh|gi|ch|kh|nh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
_OPEN = ("a e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iu oa oe oi ôi ơi ua uê ui uy ưa ưi ưu "
         "ươi ươu uơ oai oay oao oeo uây uôi uya uyu iêu yêu")
_NUCLEI = "a ă â e ê i o ô ơ u ư y iê yê oa oă oe oo uâ uê uô uy ươ uyê"
_FINALS = "ch|ng|nh|c|m|n|p|t"
_SYLLABLE = re.compile(
    f"^{_INITIAL}(?:(?P<open>{'|'.join(sorted(_OPEN.split(), key=len, reverse=True))})"
    f"|(?:{'|'.join(sorted(_NUCLEI.split(), key=len, reverse=True))})(?P<final>{_FINALS}))$")
# Spellings outside the grammar that addresses and names on Vietnamese papers do use.
KNOWN = frozenset("""
    ea kar krông kbang pak buk búk mil glong prông grai păh pleiku drắk đrắk r'lấp m'đrắk h'mông
    đắk đăk kon k'nia lắk kuin hra rlấp lây pơ jút yang ayun ia h tp tx q p tt
""".split())


def is_syllable(word: str) -> bool:
    """Whether ``word`` (letters only; any case) is spelt as a Vietnamese syllable can be."""
    lower = unicodedata.normalize("NFC", word).lower()
    if lower in KNOWN:
        return True
    marks = unicodedata.normalize("NFD", lower)
    tones = [c for c in marks if c in _TONES]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in marks if c not in _TONES))
    match = _SYLLABLE.match(base)
    if match is None:
        return False
    final = match.group("final")
    # A syllable ending in c, ch, p or t takes the rising or the heavy tone, never none: "Lâp",
    # "Thach" are "Lập", "Thạch" whose dot below was lost.
    return not (final in ("c", "ch", "p", "t") and (not tones or tones[0] not in _STOPPED_TONES))


_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
PUNCTUATION = ".,;:()/-\"'“”"  # what stands around a word, not in it


def strange_words(text: str, acronyms: bool = True) -> list[str]:
    """The words of ``text`` that no Vietnamese syllable is spelt like. Acronyms (capitals without
    marks: UBND, TTATGT) are not judged, unless ``acronyms`` is false (a person's name has none:
    "FULL NARAE" is a label misread, not a name); tokens with digits (a house number, ``C:1cm``,
    ``2269/QĐ-TTg``) only by their letters: a lower-case run of more than two is strange."""
    out = []
    for token in text.split():
        core = token.strip(PUNCTUATION)
        if any(not (c.isalnum() or c in PUNCTUATION) for c in token):
            out.append(token)
        elif any(c.isdigit() for c in token):
            if any(len(run) > 2 and run[0].islower() for run in re.findall(r"[^\W\d_]+", token)):
                out.append(token)
        elif core and core.isupper() and core.isascii() and acronyms:
            continue
        elif core and not (_WORD.fullmatch(core) and is_syllable(core)):
            out.append(token)
    return out


MIN_WORDS = 20  # fewer words than this say nothing about the language of a text
SYLLABLES, MARKED = 0.7, 0.15  # shares of a Vietnamese text's words: spelt as syllables, marked


def plausibly_vietnamese(text: str) -> bool:
    """Whether ``text`` reads as Vietnamese: most of its words spelt as syllables, and enough of
    them marked (a text layer that lost its diacritics, "SO GIAO DVC vA DA° TAO", is not). A
    text of fewer than MIN_WORDS words is given the benefit of the doubt."""
    words = [w for w in (t.strip(PUNCTUATION) for t in text.split()) if w and not any(c.isdigit() for c in w)]
    if len(words) < MIN_WORDS:
        return True
    spelt = sum(bool(_WORD.fullmatch(w)) and is_syllable(w) for w in words)
    marked = sum(any(not c.isascii() for c in w) for w in words)
    return spelt >= SYLLABLES * len(words) and marked >= MARKED * len(words)
