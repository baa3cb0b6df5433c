"""What the statistics count, derived from the records: a tally per document from its
manifest, and activity from the audit log (the one place that knows what was served to whom
and when a receipt was printed). `activity` is the one reader of audit entries for statistics:
the server calls it on each entry it writes, `hoso reindex` on the whole log.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from repository.model import Document, Dossier, Field
from search import Activity, DocumentTally


_COUNTED = ("citizen_data.read", "autofill.read", "receipt.read")


class Place(NamedTuple):
    """What an audit entry about a dossier needs of it."""

    received_at: datetime
    agency_code: str
    procedure_code: str

    @classmethod
    def of(cls, dossier: Dossier) -> "Place":
        return cls(dossier.received_at, dossier.agency_code, dossier.procedure_code)


def document_tallies(dossier: Dossier) -> list[DocumentTally]:
    return [_tally(dossier, document, n == 0) for n, document in enumerate(dossier.documents)]


def _tally(dossier: Dossier, document: Document, first: bool) -> DocumentTally:
    fields = document.fields.values()
    return DocumentTally(
        dossier_code=dossier.dossier_code, document_id=document.id, first=first, agency_code=dossier.agency_code,
        procedure_code=dossier.procedure_code, kind=dossier.kind.value, doc_type=document.doc_type or "unread",
        status=document.status.value, reason=document.reason, received_at=dossier.received_at,
        processed_at=document.processed_at, pages=len(document.pages),
        fields_read=sum(_read(f) for f in fields),
        confirmed=sorted(n for n, f in document.fields.items() if f.confirmed_at and _same(f.value, f.ocr_value)),
        corrected=sorted(n for n, f in document.fields.items() if f.confirmed_at and not _same(f.value, f.ocr_value)))


def _empty(value: Any) -> bool:
    return value is None or str(value).strip() == ""


def _read(field: Field) -> bool:
    """Read automatically: a value the reading gave (kept as ocr_value once a clerk confirmed)."""
    return not _empty(field.ocr_value if field.confirmed_at else field.value)


def _same(value: Any, read: Any) -> bool:
    """A clerk's value is the one read when it differs at most in Unicode form and outer spaces;
    a value the reading missed and the clerk filled in is a correction."""
    if _empty(read):
        return False
    return unicodedata.normalize("NFC", str(value)).strip() == unicodedata.normalize("NFC", str(read)).strip()


def activity(entry: Mapping[str, Any], places: Mapping[str, Place]) -> Activity | None:
    """What an audit entry counts for, or None. ``places``: the dossiers its target may name.

    A citizen-data read asks for the fields it names (all: what it got) and is served those
    returned; an auto-fill asks for its form's fields and is served those filled; a dossier's
    first receipt ends the clerk's time at the desk (later prints are not counted).
    """
    action, target = entry.get("action"), str(entry.get("target", ""))
    returned = entry.get("returned") or []
    if action == "citizen_data.read":
        requested = entry.get("requested")
        asked = len(requested) if isinstance(requested, list) else len(returned)
        return Activity(id=entry["id"], action="citizen_data", at=entry["at"], fields_asked=max(asked, len(returned)),
                        fields_served=len(returned))
    if action == "autofill.read":
        return Activity(id=entry["id"], action="autofill", at=entry["at"],
                        fields_asked=len(returned) + len(entry.get("missing") or []), fields_served=len(returned))
    if action == "receipt.read" and target in places:
        place = places[target]
        at = datetime.fromisoformat(entry["at"]) if isinstance(entry["at"], str) else entry["at"]
        return Activity(id=f"receipt:{target}", action="receipt", at=at, agency_code=place.agency_code,
                        procedure_code=place.procedure_code, dossier_code=target,
                        desk_seconds=max((at - place.received_at).total_seconds(), 0.0))
    return None


def activities(entries: Iterable[Mapping[str, Any]], places: Mapping[str, Place]) -> Iterator[Activity]:
    """The activity of a whole audit log, oldest entry first (so a dossier's first receipt counts)."""
    counted = (e for e in entries if e.get("action") in _COUNTED)
    for entry in sorted(counted, key=lambda e: str(e.get("at", ""))):
        found = activity(entry, places)
        if found is not None:
            yield found
