"""`hoso fsck`: is what the store holds whole and consistent, and does the index agree with it?

Checked, dossier by dossier: the manifest reads and names its own code; every object it
references exists under the dossier's prefix with the SHA-256 recorded (fixity); a done document
has its archival copy, OCR result and signature; a failed one is reported, to be read again
(`hoso reprocess`); an unfinished one is queued (a pending marker) so it will be finished; a
disposed document's objects are gone (its tombstone keeps their SHA-256); no object under the dossier is unaccounted for. Then: no marker names a
dossier that does not exist, and the index holds as many documents as the store has done (less
those still waiting for the index). A store that is whole prints nothing but its counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from repository.errors import FixityError, ObjectNotFound, RepositoryError
from repository.model import DocumentStatus
from repository.records import Records, dossier_prefix, manifest_key
from search import Index


@dataclass
class FsckReport:
    dossiers: int = 0
    documents: int = 0
    done: int = 0
    failed: int = 0
    disposed: int = 0
    waiting_for_index: int = 0
    indexed: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def fsck(records: Records, index: Index | None, progress: Callable[[], None] | None = None) -> FsckReport:
    report = FsckReport()
    pending = set(records.pending())
    unindexed = records.unindexed()
    codes = set()
    for code in sorted(records.codes()):
        codes.add(code)
        report.dossiers += 1
        _check_dossier(records, code, code in pending, report)
        if progress is not None:
            progress()
    for code in sorted(pending - codes):
        report.problems.append(f"pending/{code}: marks a dossier the store does not hold")
    report.waiting_for_index = len(unindexed)
    for code, document_id in unindexed:
        if code not in codes:
            report.problems.append(f"unindexed/{code}/{document_id}: marks a dossier the store does not hold")
    if index is not None:
        report.indexed = index.count()
        expected = report.done - report.waiting_for_index
        if report.indexed != expected:
            report.problems.append(f"the index holds {report.indexed} documents, the store {expected} done and "
                                   "not waiting for the index: run `hoso reindex`")
    return report


def _check_dossier(records: Records, code: str, queued: bool, report: FsckReport) -> None:
    try:
        dossier = records.load(code)
    except RepositoryError as e:
        report.problems.append(f"{manifest_key(code)}: cannot be read: {e}")
        return
    if dossier.dossier_code != code:
        report.problems.append(f"{manifest_key(code)}: names dossier {dossier.dossier_code}")
    known = {manifest_key(code)}
    for document in dossier.documents:
        report.documents += 1
        where = f"dossier {code} document {document.id}"
        refs = {"original": document.original, "archival": document.archival, "ocr": document.ocr}
        if document.status == DocumentStatus.DISPOSED:
            report.disposed += 1
            for name, ref in refs.items():
                if ref is not None and records.store.exists(ref.key):
                    known.add(ref.key)
                    report.problems.append(f"{where}: disposed of, but its {name} {ref.key} is still stored: "
                                           "run `hoso retention dispose` for it again")
            continue
        for name, ref in refs.items():
            if ref is None:
                continue
            known.add(ref.key)
            if not ref.key.startswith(dossier_prefix(code)):
                report.problems.append(f"{where}: its {name} {ref.key} lies outside the dossier")
            try:
                records.read(ref)  # fixity: the SHA-256 recorded
            except ObjectNotFound:
                report.problems.append(f"{where}: its {name} {ref.key} is missing")
            except FixityError as e:
                report.problems.append(f"{where}: its {name} fails fixity: {e}")
        if document.status == DocumentStatus.DONE:
            report.done += 1
            missing = [n for n in ("archival", "ocr") if refs[n] is None] + (["signature"] if document.signature is None else [])
            if missing:
                report.problems.append(f"{where}: done without {', '.join(missing)}")
        elif document.status == DocumentStatus.FAILED:
            report.failed += 1
            report.problems.append(f"{where}: failed ({document.reason}): read it again with "
                                   f"`hoso reprocess {code}/{document.id}` once the cause is gone")
        elif not document.finished and not queued:
            report.problems.append(f"{where}: {document.status.value} but not queued: it would never be finished")
    for key in records.store.list(dossier_prefix(code)):
        if key not in known:
            report.problems.append(f"{key}: not referenced by the manifest")
