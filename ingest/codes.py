"""Dossier codes (mã hồ sơ): `{agency}-{yymmdd}-{sequence}`, unique and never reused.

A code is claimed by creating `codes/{code}` in the object store, which only one writer can
do, and claims are never deleted, so even a dossier that was refused keeps its number.

A dossier may also arrive under the code the one-stop-shop (một cửa điện tử) already gave it,
in the scheme of Decree 61/2018/NĐ-CP as Circular 01/2018/TT-VPCP spells it out: the receiving
agency's 13-character identifier (QCVN 102:2016/BTTTT), the receipt date `yymmdd`, and the
agency's own sequence (four digits in that circular; other systems use more, so any width up to
nine is accepted). Such a code is claimed the same way, so it is unique among HoSo's own.
"""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, timedelta

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


def external_code_problem(code: str, today: date) -> str | None:
    """Why `code` is not a dossier code another system may have given under Decree 61/2018
    (None when it is one): the agency part must be a 13-character agency identifier, the date a
    real day not after today (a day of grace for another system's clock and time zone)."""
    parsed = parse(code)
    if parsed is None:
        return "is not agency-yymmdd-sequence (e.g. 000.17.22.H56-210531-0001)"
    agency, day, sequence = parsed
    if not is_agency_code(agency):
        return f"does not begin with a 13-character agency identifier such as 000.17.22.H56 (got {agency!r})"
    try:
        received = datetime.strptime(day, "%y%m%d").date()
    except ValueError:
        return f"has no real date in the middle (yymmdd: {day!r})"
    if received > today + timedelta(days=1):
        return f"is dated {received:%Y-%m-%d}, after today"
    if sequence == 0:
        return "has sequence 0; sequences start at 1"
    return None


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

    def claim(self, code: str, owner: bytes = b"") -> bool:
        """Claim a code given by another system; False when HoSo already holds it."""
        return self._store.create(CLAIMS + code, owner)

    def _after_last(self, prefix: str) -> int:
        taken = (parse(key.removeprefix(CLAIMS)) for key in self._store.list(CLAIMS + prefix))
        return 1 + max((p[2] for p in taken if p), default=0)
