"""Reading a transfer package back into a store: everything checked first, then written, or
nothing is.

Checked before a byte is written: the bag (RFC 8493: every file's SHA-256, nothing missing or
extra, Payload-Oxum), each dossier's manifest (its objects where its keys say, with the SHA-256
and size it records), each archival copy's signatures (valid under this HoSo's trust roots),
and each METS file list (the checksums it states are the files'). Then each dossier's objects
are stored under the same keys, its METS, audit entries and signature reports under
`transfers/{bag}/dossiers/{code}/` (provenance: the audit entries are another HoSo's chains,
kept as they were, not merged into this log), and its manifest last. A failure on the way
removes every dossier of the package again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from ..errors import PackageRefused, RepositoryError
from ..model import Dossier, DocumentStatus
from ..records import Records, dossier_prefix, manifest_key
from ..store import sha256_file
from ..verification import verify_pdf
from ._bag import unpack, validate
from .mets import METS, XLINK

PROVENANCE = "transfers/"
_PROVENANCE_FILES = ("mets.xml", "audit.jsonl")
_ID = re.compile(r"^[0-9A-Za-z]{1,64}$")  # a document id, as the API accepts it
_NAME = re.compile(r"^[0-9A-Za-z_-][0-9A-Za-z._-]*$")  # an object's name in its document's folder


@dataclass
class Incoming:
    """A checked dossier of an unpacked bag; its manifest is read again when it is stored, so a
    package of any size holds no more than its list of folders in memory."""

    code: str
    folder: Path  # data/dossiers/{code} in the unpacked bag
    provenance: list[Path]  # METS, audit entries, signature reports: kept, but not records

    def dossier(self) -> Dossier:
        return Dossier.model_validate_json((self.folder / "manifest.json").read_bytes())


@dataclass
class Package:
    name: str  # the bag's folder: `hoso-transfer-{ULID}`
    info: dict[str, str]  # bag-info.txt
    dossiers: list[Incoming]


def read_package(package: Path, work: Path, trust_roots: list) -> Package:
    """Unpack into `work` (a scratch folder the caller removes) and check everything."""
    bag = unpack(package, work)
    info = validate(bag)
    data = bag / "data"
    if sorted(p.name for p in data.iterdir()) != ["dossiers"]:
        raise PackageRefused("the payload holds more than data/dossiers/: not a HoSo transfer package")
    dossiers = [_check_dossier(folder, trust_roots) for folder in sorted((data / "dossiers").iterdir())]
    if not dossiers:
        raise PackageRefused("the package holds no dossier")
    return Package(bag.name, info, dossiers)


def _check_dossier(folder: Path, trust_roots: list) -> Incoming:
    code = folder.name
    try:
        dossier = Dossier.model_validate_json((folder / "manifest.json").read_bytes())
    except (OSError, ValueError) as e:
        raise PackageRefused(f"{code}: its manifest.json cannot be read: {e}") from e
    if dossier.dossier_code != code:
        raise PackageRefused(f"{code}: its manifest names dossier {dossier.dossier_code}")
    known = {folder / "manifest.json", *(folder / name for name in _PROVENANCE_FILES)}
    provenance = [folder / name for name in _PROVENANCE_FILES]
    for document in dossier.documents:
        if not _ID.match(document.id):
            raise PackageRefused(f"{code}: {document.id[:80]!r} is not a document id")
        if not document.finished:
            raise PackageRefused(f"{code}/{document.id}: {document.status.value}, not finished: HoSo transfers records")
        if document.status == DocumentStatus.DISPOSED:
            continue
        for ref in document.objects:
            prefix = f"{dossier_prefix(code)}documents/{document.id}/"
            if not ref.key.startswith(prefix) or not _NAME.match(ref.key.removeprefix(prefix)):
                raise PackageRefused(f"{code}/{document.id}: object {ref.key} lies outside the document")
            path = folder.parent.parent / ref.key
            if not path.is_file():
                raise PackageRefused(f"{ref.key}: named by the manifest but missing from the package")
            if sha256_file(path) != (ref.sha256, ref.size):
                raise PackageRefused(f"{ref.key}: not the SHA-256 and size its manifest records")
            known.add(path)
        if document.archival is not None:
            report = verify_pdf((folder.parent.parent / document.archival.key).read_bytes(), trust_roots)
            if not report.valid:
                raise PackageRefused(f"{document.archival.key}: its signature does not verify here: {report.error}")
            report_path = folder / "documents" / document.id / "signature-report.json"
            known.add(report_path)
            provenance.append(report_path)
    for path in provenance:
        if not path.is_file():
            raise PackageRefused(f"{path.relative_to(folder.parent)}: missing from the package")
    if extra := sorted(p for p in folder.rglob("*") if p.is_file() and p not in known):
        raise PackageRefused(f"{extra[0].relative_to(folder.parent)}: a file the manifest does not name")
    _check_mets(folder)
    return Incoming(code, folder, provenance)


def _check_mets(folder: Path) -> None:
    """The METS file list agrees with the files: each one there, with the SHA-256 it states."""
    try:
        root = ET.parse(folder / "mets.xml").getroot()
    except ET.ParseError as e:
        raise PackageRefused(f"{folder.name}/mets.xml: not XML: {e}") from e
    for entry in root.iter(f"{{{METS}}}file"):
        location = entry.find(f"{{{METS}}}FLocat")
        href = location.get(f"{{{XLINK}}}href", "") if location is not None else ""
        path = (folder / href).resolve()
        if not href or folder.resolve() not in path.parents or not path.is_file():
            raise PackageRefused(f"{folder.name}/mets.xml: names {href!r}, not a file of the dossier")
        if sha256_file(path)[0] != entry.get("CHECKSUM"):
            raise PackageRefused(f"{folder.name}/mets.xml: {href} has not the SHA-256 the METS states")


def store_package(records: Records, package: Package) -> None:
    """Write every dossier of a checked package: objects, provenance, manifest last. Refused
    (before writing) when the store holds any of its dossiers already."""
    for incoming in package.dossiers:
        code = incoming.code
        if records.store.exists(manifest_key(code)) or next(iter(records.store.list(dossier_prefix(code))), None):
            raise PackageRefused(f"{code}: this HoSo holds that dossier already")
    written: list[str] = []
    try:
        for incoming in package.dossiers:
            written.append(incoming.code)
            _store_dossier(records, package.name, incoming)
    except BaseException:
        for code in written:
            records.delete_dossier(code)
            for key in list(records.store.list(f"{PROVENANCE}{package.name}/dossiers/{code}/")):
                records.store.delete(key)
        raise


def _store_dossier(records: Records, name: str, incoming: Incoming) -> None:
    dossier, folder = incoming.dossier(), incoming.folder
    root = folder.parent.parent
    for document in dossier.documents:
        if document.status == DocumentStatus.DISPOSED:
            continue
        for ref in document.objects:
            stored = records.store.put_file(ref.key, root / ref.key, move=True)
            if stored.sha256 != ref.sha256:
                raise RepositoryError(f"{ref.key}: stored with another SHA-256 than the package's")
    for path in incoming.provenance:
        records.store.put_file(f"{PROVENANCE}{name}/dossiers/{path.relative_to(folder.parent).as_posix()}", path)
    records.store.put(manifest_key(dossier.dossier_code), (folder / "manifest.json").read_bytes())
