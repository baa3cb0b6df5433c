"""The one search box: what a user typed, parsed into terms, and the terms as FTS5 MATCH text.

The syntax, the same on every backend:

- ``nghị định 2020``: words, all required. Diacritics are optional; pages with the words
  accented as typed rank first.
- ``"quyết định khen thưởng"``: a phrase, its words adjacent and in this order. Diacritics are
  optional inside it too; pages with the phrase exactly as typed rank first.
- ``-word``, ``-"a phrase"``, ``-684/QĐ``: pages containing it are left out. An exclusion is
  matched as typed: accented words with their accents (``-hòa`` leaves out hòa and hoà, not
  hoa), words typed without any in every spelling (``-hoa`` leaves out hoa, hòa, hóa…).
- Codes and numbers: a chunk (between spaces) containing a digit or ``/`` that punctuation
  splits into several parts (``684/QĐ``, ``000.17.22``, ``30/2020/NĐ-CP``) is a code: a phrase
  of its parts, which matches a longer code it begins (``684/QĐ`` and ``684/QD`` find
  ``684/QĐ-BTTTT``), and the document's dossier code too (``000.17.22`` finds the documents of
  dossier ``000.17.22.H56-210531-0001``). A last part with a digit may be cut short: it is a
  prefix (``000.17.22.H56-2105`` finds ``…-210531-…``). Letters are whole parts (``684/QĐ-BT``
  does not find ``684/QĐ-BTTTT``): a prefix of letters would stand for thousands of words
  (``kh``: khai, khoản, không…). A number on its own (``2020``) is a whole word.
- Everything else is punctuation between words: an unpaired ``"``, a ``-`` not at the start of a
  chunk, ``*``, ``(``, ``:``, ``NEAR``, ``AND``/``OR``/``NOT`` reach no backend's parser.

A query needs at least one word that is not excluded; at most MAX_TOKENS words in all.

Words are what the index tokenizers see (letters and digits, split at everything else: FTS5's
unicode61, Elasticsearch's ``pattern`` tokenizer in ``_elastic.py``), lower-case, in canonical
tone placement. In FTS5 each becomes a quoted string, so no user text reaches its parser either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import BadQuery
from .text import canonical_tones, fold, nfc

MAX_TOKENS = 32
TOKEN = re.compile(r"[^\W_]+")
# A quoted phrase (with the dashes before it), a chunk without quotes, or an unpaired quote.
_PART = re.compile(r'(-*)"([^"]*)"|([^\s"]+)|"')


@dataclass(frozen=True)
class Term:
    """One word, or several that must be adjacent and in order. A ``code`` also matches dossier
    codes; ``prefix``: its last word is a prefix."""

    words: tuple[str, ...]
    code: bool = False
    prefix: bool = False

    @property
    def folded(self) -> tuple[str, ...]:
        return tuple(fold(w) for w in self.words)

    @property
    def bare(self) -> bool:
        """Some word was typed without the diacritics it could carry: it matches any accents."""
        return any(fold(w) == w and any(c.isalpha() for c in w) for w in self.words)


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...]  # all required
    excluded: tuple[Term, ...] = ()


def parse_query(text: str) -> ParsedQuery:
    """The terms of what was typed (see the module docstring); BadQuery if nothing to find."""
    terms: list[Term] = []
    excluded: list[Term] = []
    for m in _PART.finditer(canonical_tones(nfc(text)).lower()):
        dashes, quoted_text, chunk = m.groups()
        if quoted_text is not None:
            words = TOKEN.findall(quoted_text)
            found, negative = ([Term(tuple(words))] if words else []), bool(dashes)
        elif chunk is not None:
            negative = chunk.startswith("-")
            body = chunk.lstrip("-")
            words = TOKEN.findall(body)
            if len(words) > 1 and any(c.isdigit() or c == "/" for c in body):  # 684/QĐ, 000.17.22
                found = [Term(tuple(words), code=True, prefix=any(c.isdigit() for c in words[-1]))]
            elif negative and words:
                found = [Term(tuple(words))]  # -NĐ-CP leaves out what was written as one
            else:
                found = [Term((w,)) for w in words]
        else:
            continue  # an unpaired quote
        (excluded if negative else terms).extend(found)
    terms, excluded = list(dict.fromkeys(terms)), list(dict.fromkeys(excluded))
    if not terms:
        raise BadQuery("the query has no words to search for" if not excluded
                       else "the query only excludes words; add a word to search for")
    if sum(len(t.words) for t in terms + excluded) > MAX_TOKENS:
        raise BadQuery(f"the query has more than {MAX_TOKENS} words")
    return ParsedQuery(tuple(terms), tuple(excluded))


#: Starts every word in the ``folded`` and ``codes`` columns: FTS5 keeps one list of postings
#: per term for all columns, so without it ``exact:"nghi"`` (typed without accents) would read
#: every folded nghị, nghĩ, nghi of the index to find the few pages with "nghi" as written. A
#: private-use character: FTS5's unicode61 keeps it inside the word; page text never holds it.
FOLDED_MARK = "\ue000"
_WORD_START = re.compile(r"(?<![^\W_])(?=[^\W_])")


def mark_folded(text: str) -> str:
    """Folded ``text`` as the ``folded`` and ``codes`` columns hold it (see FOLDED_MARK)."""
    return _WORD_START.sub(FOLDED_MARK, text)


def quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts_string(column: str, words: tuple[str, ...], prefix: bool = False) -> str:
    """``column:"words"``: one word, or a phrase of several; ``*`` makes the last a prefix."""
    if column != "exact":
        words = tuple(FOLDED_MARK + w for w in words)
    return f"{column}:{quoted(' '.join(words))}" + ("*" if prefix else "")


def _any(term: Term) -> str:
    """The term with any accents; the ``exact`` alternative matches nothing more (a word in
    ``exact`` is in ``folded`` too), it lets bm25 reward the term as typed."""
    return _either([fts_string("exact", term.words, term.prefix), fts_string("folded", term.folded, term.prefix),
                    *_codes(term)])


def _folded(term: Term) -> str:
    """The term with any accents, for matching only: half the postings of _any to read."""
    return _either([fts_string("folded", term.folded, term.prefix), *_codes(term)])


def _typed(term: Term, strict: bool = False) -> str:
    """The term as typed: accented words with their accents (canonical tone placement). A term
    with a word typed without diacritics matches any accents or, when ``strict``, only none."""
    if strict or not term.bare:
        return _either([fts_string("exact", term.words, term.prefix), *_codes(term)])
    return _either([fts_string("folded", term.folded, term.prefix), *_codes(term)])


def _codes(term: Term) -> list[str]:
    """A code also matches the dossier code (column ``codes``)."""
    return [fts_string("codes", term.folded, term.prefix)] if term.code else []


def _either(alternatives: list[str]) -> str:
    return f"({' OR '.join(alternatives)})"


def match_expression(query: ParsedQuery, level: str = "any") -> str:
    """Every term required, at ``level``: "any" (accents optional; for bm25 to rank), "matches"
    (the same pages, for counting and reading them), "typed" (each term as typed, see _typed)
    or "strict" (every word exactly as typed); exclusions as typed."""
    render = {"any": _any, "matches": _folded, "typed": _typed, "strict": lambda t: _typed(t, strict=True)}[level]
    expression = " AND ".join(render(t) for t in query.terms)
    if query.excluded:
        expression = f"({expression}) NOT ({' OR '.join(_typed(t) for t in query.excluded)})"
    return expression


def word_strings(query: ParsedQuery) -> list[str]:
    """Every word of the query (excluded ones too) as an FTS5 string in each column it is
    looked up in: what bm25 reads all the postings of."""
    out: list[str] = []
    for term in query.terms + query.excluded:
        for i, (word, folded) in enumerate(zip(term.words, term.folded)):
            prefix = term.prefix and i == len(term.words) - 1
            out += [fts_string("exact", (word,), prefix), fts_string("folded", (folded,), prefix)]
            if term.code:
                out.append(fts_string("codes", (folded,), prefix))
    return list(dict.fromkeys(out))


def marked_terms(query: ParsedQuery) -> list[tuple[tuple[str, ...], bool]]:
    """What a snippet marks: each required term's folded words and whether the last is a prefix."""
    return [(term.folded, term.prefix) for term in query.terms]
