"""Turn what a user typed into a safe FTS5 MATCH expression.

Every word becomes a quoted string, so FTS5 operators typed by the user (``"``, ``*``, ``-``,
``NEAR(``, ``col:``) are just punctuation: the tokenizer drops them, they never reach the parser.
"""

from __future__ import annotations

import re

from .errors import BadQuery
from .text import canonical_tones, fold, nfc

MAX_TOKENS = 32
TOKEN = re.compile(r"[^\W_]+")


def query_tokens(text: str) -> list[str]:
    """Words of the query in canonical tone placement, lower-cased, without duplicates."""
    words = TOKEN.findall(canonical_tones(nfc(text)).lower())
    tokens = list(dict.fromkeys(words))
    if not tokens:
        raise BadQuery("the query has no words to search for")
    if len(tokens) > MAX_TOKENS:
        raise BadQuery(f"the query has more than {MAX_TOKENS} words")
    return tokens


def quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def match_expression(tokens: list[str]) -> str:
    """All words required; each may match accented in ``exact`` or folded in ``folded``.

    Matching per word (rather than all-exact OR all-folded) lets bm25 reward each word that
    matches with its accents, so "Nghị dinh" still ranks the exact "Nghị" higher.
    """
    return " AND ".join(
        f"(exact:{quoted(t)} OR folded:{quoted(fold(t))})" for t in tokens
    )


def exact_expression(tokens: list[str], strict: bool = False) -> str:
    """All words required, each accented word with exactly its accents (canonical tone
    placement); a word typed without diacritics matches any accents, or, when ``strict``,
    only without them."""
    return " AND ".join(
        f"exact:{quoted(t)}" if strict or fold(t) != t else f"folded:{quoted(t)}" for t in tokens
    )
