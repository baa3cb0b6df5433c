"""Dossier codes (mã hồ sơ): `{agency}-{yymmdd}-{sequence}`, unique and never reused.

A code is claimed by creating `codes/{code}` in the object store, which only one writer can
do, and claims are never deleted, so even a dossier that was refused keeps its number.
"""

from __future__ import annotations

import re
import threading
from datetime import date

from repository.store import ObjectStore

AGENCY = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[0-9A-Z]{3}$")
# The agency part: letters and digits in dot-separated segments (never a leading, trailing or
# double dot: a code names an object key in the store).
DOSSIER_CODE = re.compile(
    r"^(?P<agency>[0-9A-Za-z]{1,13}(?:\.[0-9A-Za-z]{1,13}){0,7})-(?P<date>\d{6})-(?P<sequence>\d{1,9})$")
CLAIMS = "codes/"


def is_agency_code(value: str) -> bool:
    return bool(AGENCY.match(value))


def parse(code: str) -> tuple[str, str, int] | None:
    """(agency, yymmdd, sequence) of a code from any system; the sequence may have any width."""
    match = DOSSIER_CODE.match(code)
    if not match:
        return None
    return match["agency"], match["date"], int(match["sequence"])


class CodeAllocator:
    def __init__(self, store: ObjectStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._next: dict[str, int] = {}  # a hint only: the store decides who gets a number

    def allocate(self, agency_code: str, day: date) -> str:
        prefix = f"{agency_code}-{day:%y%m%d}-"
        with self._lock:
            sequence = self._next.get(prefix) or self._after_last(prefix)
            while True:
                code = f"{prefix}{sequence:04d}"
                if self._store.create(CLAIMS + code, b""):
                    self._next[prefix] = sequence + 1
                    return code
                sequence += 1

    def _after_last(self, prefix: str) -> int:
        taken = (parse(key.removeprefix(CLAIMS)) for key in self._store.list(CLAIMS + prefix))
        return 1 + max((p[2] for p in taken if p), default=0)
