"""Reuse instead of re-asking: what HoSo holds about a citizen, with provenance, and forms
filled from it.

A value is offered only from a document whose archival signature verifies now (checked on
the stored bytes, with fixity, and remembered per archival copy). Where documents disagree,
every value is returned and the field is flagged as a conflict; the most recent confirmed
value comes first, then the most confident reading, then the most recent document.
"""

from __future__ import annotations

import json
import logging
import threading
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

from repository.errors import FixityError
from repository.model import Dossier
from repository.records import DossierNotFound, Records
from repository.verification import verify_pdf
from search import Fact, Index

log = logging.getLogger(__name__)
# Why citizen data is read, as the audit log keeps it: three characters that are not blanks at
# least (three spaces say nothing), 200 at most.
PURPOSE_PATTERN = r"^(?:\s*\S){3}"
PURPOSE_MAX = 200


@dataclass(frozen=True)
class FormTemplate:
    id: str
    title: str
    fields: list[dict[str, str]]  # name, label, source (a citizen data field)


def load_forms() -> dict[str, FormTemplate]:
    forms = {}
    for item in resources.files("api").joinpath("forms").iterdir():
        if item.name.endswith(".json"):
            data = json.loads(item.read_text(encoding="utf-8"))
            forms[data["id"]] = FormTemplate(data["id"], data["title"], data["fields"])
    return forms


class Reuse:
    def __init__(self, index: Index, records: Records, trust_roots: list) -> None:
        self.index = index
        self.records = records
        self.trust_roots = trust_roots
        self.forms = load_forms()
        self._verified: dict[str, bool] = {}  # archival SHA-256 -> does its signature verify
        self._lock = threading.Lock()

    def citizen_data(self, citizen_id: str, fields: list[str] | None) -> dict[str, Any]:
        facts = self.index.facts(citizen_id, fields or None)
        signed = self._signed_sources({(f.dossier_code, f.document_id) for f in facts})
        facts = [f for f in facts if (f.dossier_code, f.document_id) in signed]
        by_field: dict[str, list[Fact]] = {}
        for fact in facts:
            by_field.setdefault(fact.field, []).append(fact)
        answer = {name: _field(found) for name, found in sorted(by_field.items())}
        missing = [name for name in (fields or []) if name not in answer]
        return {"citizen_id": citizen_id, "fields": answer, "missing": missing}

    def autofill(self, form_id: str, citizen_id: str) -> dict[str, Any]:
        form = self.forms[form_id]
        data = self.citizen_data(citizen_id, sorted({f["source"] for f in form.fields}))["fields"]
        filled = {}
        for field in form.fields:
            known = data.get(field["source"])
            if known is None:
                filled[field["name"]] = {"label": field["label"], "source": field["source"], "missing": True}
            else:
                filled[field["name"]] = {"label": field["label"], "source": field["source"], "missing": False,
                                         "value": known["value"], "conflict": known["conflict"],
                                         "provenance": known["values"][0]["provenance"]}
        return {"form": form.id, "title": form.title, "citizen_id": citizen_id, "fields": filled}

    def _signed_sources(self, sources: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """The (dossier code, document id) pairs whose archival copy verifies now. A document
        states many facts: each manifest is loaded, and each archival copy read, once a call."""
        documents: dict[str, list[str]] = {}
        for code, document_id in sources:
            documents.setdefault(code, []).append(document_id)
        signed = set()
        for code, ids in documents.items():
            try:
                dossier = self.records.load(code)
            except DossierNotFound:  # an index entry the store does not back: not a source
                log.error("dossier %s is indexed but not in the store: not a source", code)
                continue
            signed.update((code, i) for i in ids if self._signed(dossier, i))
        return signed

    def _signed(self, dossier: Dossier, document_id: str) -> bool:
        """Whether the document has an archival copy whose signature verifies."""
        try:
            document = dossier.document(document_id)
        except KeyError:
            return False
        if document.archival is None:
            return False
        try:
            data = self.records.read(document.archival)  # fixity on every read: the bytes signed
        except FixityError:
            log.error("archival copy of %s/%s fails fixity: not a source", dossier.dossier_code, document_id)
            return False
        with self._lock:  # verifying is the costly part; its answer holds for the same bytes
            known = self._verified.get(document.archival.sha256)
        if known is None:
            known = verify_pdf(data, self.trust_roots).valid
            with self._lock:
                self._verified[document.archival.sha256] = known
        return known


def _field(facts: list[Fact]) -> dict[str, Any]:
    ordered = sorted(facts, key=lambda f: (
        f.confirmed_at is None,
        -(f.confirmed_at.timestamp() if f.confirmed_at else 0.0),
        -f.confidence,
        -f.received_at.timestamp(),
    ))
    values = [{"value": f.value, "provenance": {
        "dossier_code": f.dossier_code, "document_id": f.document_id, "doc_type": f.doc_type, "page": f.page,
        "bbox": f.bbox, "confidence": f.confidence, "signature_valid": True,
        "confirmed": f.confirmed_at is not None, "confirmed_at": f.confirmed_at, "confirmed_by": f.confirmed_by,
        "received_at": f.received_at}} for f in ordered]
    distinct = {_same(f.value) for f in ordered}
    return {"value": ordered[0].value, "conflict": len(distinct) > 1, "values": values}


def _same(value: str) -> str:
    """Values that differ only in case, spacing or Unicode form are the same value."""
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())
