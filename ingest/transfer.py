"""Importing a transfer package from another HoSo: checked and stored by repository.transfer,
then its dossier codes claimed here (never allocated again), its documents indexed and counted,
and each dossier's arrival audited."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from repository.audit import AuditLog
from repository.errors import PackageRefused
from repository.model import DocumentStatus
from repository.records import Records
from repository.transfer import read_package, store_package
from search import Index, SearchError

from .codes import CLAIMS
from .indexing import index_entries
from .tallies import document_tallies

TRANSFERRED = b'{"claimed_by": "transfer"}'  # a code claimed for an imported dossier


def import_package(records: Records, index: Index, audit: AuditLog, package: Path, trust_roots: list,
                   scratch: Path, who: str) -> list[str]:
    """Import every dossier of `package`, or none (PackageRefused says why); their codes."""
    scratch.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="transfer-", dir=scratch))
    try:
        checked = read_package(package, work, trust_roots)
        for incoming in checked.dossiers:
            _claim(records, incoming.code)
        store_package(records, checked)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    codes = [incoming.code for incoming in checked.dossiers]
    for code in codes:
        dossier = records.load(code)  # as stored
        audit.record(who, "dossier.import", dossier.dossier_code, package=checked.name,
                     source=checked.info.get("External-Identifier"), documents=len(dossier.documents))
        for document in dossier.documents:
            if document.status != DocumentStatus.DISPOSED and document.retention is not None:
                records.retain_document(document)  # locked in this store as in the one it left
            if document.legal_hold is not None:
                records.hold_document(document, True)
        try:
            index.upsert(index_entries(dossier))
            index.tally(document_tallies(dossier))
        except SearchError:  # the index is derived: the rescan indexes what is marked
            for document in dossier.documents:
                if document.status == DocumentStatus.DONE:
                    records.mark_unindexed(dossier.dossier_code, document.id)
    return codes


def _claim(records: Records, code: str) -> None:
    """Reserve the code, so this HoSo never gives it to a dossier of its own. A claim left by an
    earlier try of an import that failed is taken over; any other claim means the code is used."""
    if records.store.create(CLAIMS + code, TRANSFERRED):
        return
    if records.store.get(CLAIMS + code) != TRANSFERRED:
        raise PackageRefused(f"{code}: this HoSo has given that dossier code to a dossier of its own")
