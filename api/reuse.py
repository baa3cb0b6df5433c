"""Reuse instead of re-asking: what HoSo holds about a citizen, with provenance, and forms
filled from it.

A value is offered only from a document whose archival signature verifies now (checked on
the stored bytes, with fixity, and remembered per archival copy). A value a clerk typed over
the one read is not in that signed copy: its provenance says so (`typed`, by whom and when,
`signature_valid: false`), and it comes after every value read from a signed copy. Where
documents disagree, every value is returned and the field is flagged as a conflict; values
read come first (the most recent confirmed, then the most confident, then the most recent
document), then typed ones.
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
from repository.model import Document, Dossier, Field
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
        by_field: dict[str, list[tuple[Fact, Field | None]]] = {}
        for fact in facts:
            if (document := signed.get((fact.dossier_code, fact.document_id))) is not None:
                by_field.setdefault(fact.field, []).append((fact, document.fields.get(fact.field)))
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

    def _signed_sources(self, sources: set[tuple[str, str]]) -> dict[tuple[str, str], Document]:
        """The documents, by (dossier code, document id), whose archival copy verifies now. A
        document states many facts: each manifest is loaded, and each archival copy read, once
        a call."""
        documents: dict[str, list[str]] = {}
        for code, document_id in sources:
            documents.setdefault(code, []).append(document_id)
        signed = {}
        for code, ids in documents.items():
            try:
                dossier = self.records.load(code)
            except DossierNotFound:  # an index entry the store does not back: not a source
                log.error("dossier %s is indexed but not in the store: not a source", code)
                continue
            for document in dossier.documents:
                if document.id in ids and self._signed(dossier, document):
                    signed[(code, document.id)] = document
        return signed

    def _signed(self, dossier: Dossier, document: Document) -> bool:
        """Whether the document has an archival copy whose signature verifies."""
        if document.archival is None:
            return False
        try:
            data = self.records.read(document.archival)  # fixity on every read: the bytes signed
        except FixityError:
            log.error("archival copy of %s/%s fails fixity: not a source", dossier.dossier_code, document.id)
            return False
        with self._lock:  # verifying is the costly part; its answer holds for the same bytes
            known = self._verified.get(document.archival.sha256)
        if known is None:
            known = verify_pdf(data, self.trust_roots).valid
            with self._lock:
                self._verified[document.archival.sha256] = known
        return known


def _field(found: list[tuple[Fact, Field | None]]) -> dict[str, Any]:
    """One field's answer from its sources: each fact with the manifest's field it came from."""
    ordered = sorted(found, key=lambda pair: (
        _typed(pair[1]),
        pair[0].confirmed_at is None,
        -(pair[0].confirmed_at.timestamp() if pair[0].confirmed_at else 0.0),
        -pair[0].confidence,
        -pair[0].received_at.timestamp(),
    ))
    values = [{"value": f.value, "provenance": _provenance(f, field)} for f, field in ordered]
    distinct = {_same(f.value) for f, _ in ordered}
    return {"value": ordered[0][0].value, "typed": _typed(ordered[0][1]), "conflict": len(distinct) > 1,
            "values": values}


def _provenance(f: Fact, field: Field | None) -> dict[str, Any]:
    typed = _typed(field)
    return {"dossier_code": f.dossier_code, "document_id": f.document_id, "doc_type": f.doc_type, "page": f.page,
            "bbox": f.bbox, "confidence": f.confidence, "signature_valid": not typed,
            "confirmed": f.confirmed_at is not None, "confirmed_at": f.confirmed_at, "confirmed_by": f.confirmed_by,
            "received_at": f.received_at,
            # Typed by a clerk over what was read: not in the signed copy, whose reading is kept.
            "typed": typed, "typed_by": field.confirmed_by if typed else None,
            "typed_at": field.confirmed_at if typed else None, "read_value": field.ocr_value if typed else None}


def _typed(field: Field | None) -> bool:
    return field is not None and field.typed


def _same(value: str) -> str:
    """Values that differ only in case, spacing or Unicode form are the same value."""
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())
