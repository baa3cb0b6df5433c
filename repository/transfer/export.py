"""Writing dossiers out as one transfer package (a BagIt bag), one dossier at a time.

Layout of the bag (one bag per export; the payload mirrors the object store's own keys, so a
dossier code is a folder name as it is a key prefix — codes hold only letters, digits, dots
and dashes):

    hoso-transfer-{ULID}/
      bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
      data/dossiers/{code}/manifest.json          the manifest as stored
      data/dossiers/{code}/documents/{id}/original.{ext}, archival.pdf, ocr.json
      data/dossiers/{code}/documents/{id}/signature-report.json   verify_pdf's report when packed
      data/dossiers/{code}/audit.jsonl            the audit entries naming the dossier, as stored
      data/dossiers/{code}/mets.xml               METS + PREMIS of all of the above
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import BinaryIO, Callable

from ulid import ULID

from ..audit import AuditLog
from ..errors import ObjectNotFound
from ..model import Dossier, DocumentStatus
from ..records import Records, manifest_key
from ..verification import verify_pdf
from ._bag import BagWriter
from .mets import Check, PackedFile, mets_xml

VIETNAM = timezone(timedelta(hours=7))  # received days are Vietnam calendar days, as in search
_AUDIT_KEY = re.compile(r"^audit/\d{4}-\d{2}-\d{2}/[0-9A-Z]{26}-\d{10}\.json$")


class NothingToExport(ObjectNotFound):
    code = "nothing_to_export"


@dataclass(frozen=True)
class Selection:
    """Which dossiers go into a package: every condition given must hold. A dossier goes whole
    (a document type selects the dossiers holding a document of that type)."""

    codes: tuple[str, ...] = ()
    agency_code: str | None = None
    received_from: date | None = None  # Vietnam calendar days, inclusive
    received_to: date | None = None
    doc_type: str | None = None

    def matches(self, dossier: Dossier) -> bool:
        day = dossier.received_at.astimezone(VIETNAM).date()
        return ((not self.codes or dossier.dossier_code in self.codes)
                and (self.agency_code is None or dossier.agency_code == self.agency_code)
                and (self.received_from is None or day >= self.received_from)
                and (self.received_to is None or day <= self.received_to)
                and (self.doc_type is None or any(d.doc_type == self.doc_type for d in dossier.documents)))

    def describe(self) -> str:
        given = {"codes": ",".join(self.codes), "agency": self.agency_code, "from": self.received_from,
                 "to": self.received_to, "doc_type": self.doc_type}
        return "; ".join(f"{k}={v}" for k, v in given.items() if v) or "all"


@dataclass(frozen=True)
class Chosen:
    """A dossier chosen for a package: its code and how many documents it holds."""

    code: str
    documents: int


def choose(records: Records, selection: Selection, progress: Callable[[], None] | None = None) -> list[Chosen]:
    """The dossiers a selection names, in code order; those still being read are left out (a
    transfer is of records, not of work in progress). NothingToExport when none is left."""
    codes = selection.codes or sorted(records.codes())
    chosen = []
    for code in codes:
        dossier = records.load(code)
        if selection.matches(dossier) and all(d.finished for d in dossier.documents):
            chosen.append(Chosen(code, len(dossier.documents)))
        if progress is not None:
            progress()
    if not chosen:
        raise NothingToExport(f"no finished dossier matches ({selection.describe()})")
    return chosen


def audit_keys(records: Records, codes: set[str]) -> dict[str, list[str]]:
    """The keys of the audit entries naming each dossier (in the target, as a code or a path
    segment), in one pass over the log; only keys are kept, the entries are read again when
    their dossier is packed."""
    found: dict[str, list[str]] = defaultdict(list)
    for key in records.store.list("audit/"):  # streamed: the log may hold millions of entries
        if not _AUDIT_KEY.match(key):
            continue
        target = str(json.loads(records.store.get(key)).get("target", ""))
        for part in set(target.split("/")) & codes:
            found[part].append(key)
    return found


def write_package(records: Records, audit: AuditLog, chosen: list[Chosen], out: BinaryIO, trust_roots: list, *,
                  selection: Selection, exported_by: str, spool_dir=None,
                  progress: Callable[[int], None] | None = None) -> str:
    """Write the chosen dossiers as one bag into `out` (a tar stream); returns the bag's name.
    Each dossier's export is audited before its first byte is written; `progress` is told how
    many documents each dossier added. A stored object that fails its fixity check stops the
    export (FixityError): a package never carries a damaged record."""
    name = f"hoso-transfer-{ULID()}"
    bag = BagWriter(out, name, spool_dir)
    keys = audit_keys(records, {c.code for c in chosen})
    try:
        for item in chosen:
            audit.record(exported_by, "dossier.export", item.code, package=name)
            _pack_dossier(records, bag, item.code, keys.get(item.code, []), trust_roots)
            if progress is not None:
                progress(item.documents)
        bag.close({"Source-Organization": "HoSo", "Bag-Software-Agent": "HoSo transfer 1",
                   "External-Identifier": name, "External-Description": f"HoSo dossiers ({selection.describe()})",
                   "HoSo-Dossiers": str(len(chosen)), "HoSo-Exported-By": exported_by,
                   "HoSo-Exported-At": datetime.now(timezone.utc).isoformat()})
    except BaseException:
        bag.abort()
        raise
    return name


def _pack_dossier(records: Records, bag: BagWriter, code: str, audit: list[str], trust_roots: list) -> None:
    stored = records.store.get(manifest_key(code))  # read once: the METS describes these very bytes
    dossier = Dossier.model_validate_json(stored)
    base = f"dossiers/{code}/"
    files: list[PackedFile] = []
    checks: dict[str, Check] = {}

    def add(path: str, data: bytes, media_type: str, use: str, document_id: str | None) -> None:
        digest = bag.add_bytes(base + path, data)
        files.append(PackedFile(path, digest, len(data), media_type, use, document_id))

    for document in dossier.documents:
        if document.status == DocumentStatus.DISPOSED:
            continue  # destroyed after its retention: only the manifest's tombstone goes
        for use, ref in (("original", document.original), ("ocr", document.ocr)):
            if ref is not None:  # streamed: an original may be large
                with records.store.open(ref.key) as stream:
                    bag.add(ref.key, stream, ref.size, ref.sha256)
                media = document.media_type if use == "original" else "application/json"
                files.append(PackedFile(ref.key.removeprefix(base), ref.sha256, ref.size, media, use, document.id))
        if document.archival is not None:  # read whole once: verification needs the bytes
            signed = records.read(document.archival)
            add(document.archival.key.removeprefix(base), signed, "application/pdf", "archival", document.id)
            report = verify_pdf(signed, trust_roots)
            indication = "TOTAL-PASSED" if report.valid else next(
                (s.indication for s in report.signatures if s.indication != "TOTAL-PASSED"), "TOTAL-FAILED")
            checks[document.id] = Check(indication, "; ".join(report.problems) or "every signature valid")
            add(f"documents/{document.id}/signature-report.json",
                report.model_dump_json(indent=2).encode(), "application/json", "signature-report", document.id)

    add("manifest.json", stored, "application/json", "manifest", None)
    entries = [records.store.get(key) for key in audit]
    add("audit.jsonl", b"".join(e.rstrip(b"\n") + b"\n" for e in entries), "application/x-ndjson", "audit", None)
    xml = mets_xml(dossier, files, checks, [json.loads(e) for e in entries], datetime.now(timezone.utc))
    bag.add(base + "mets.xml", io.BytesIO(xml), len(xml))

