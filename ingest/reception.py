"""The reception desk: accept a dossier only once every original is durably stored.

Files are first staged (streamed to a temporary file with a size limit), then checked as
images or PDFs, and only when all are good is a dossier code claimed and the originals moved
into the store. If anything fails after that, what was written is removed again, so a refused
dossier leaves nothing behind but its claimed (never reused) code. A code another system gave
(the one-stop-shop's) is not HoSo's to keep: a refused dossier gives it up again, and a claim
whose reception died is taken over by the next one to receive the dossier under that code.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from ulid import ULID

import ocr
from ocr.sources import Inspected
from repository import events
from repository.errors import ObjectNotFound
from repository.model import Document, DocumentStatus, Dossier, DossierKind, ObjectRef
from repository.records import Records, document_key

from .codes import CLAIMS, CodeAllocator, external_code_problem, is_agency_code
from .errors import DossierCodeTaken, EmptyFile, FileTooLarge, InvalidDossier
from .pipeline import RECEPTION_GRACE, _alive

CHUNK = 1 << 20
IDENTIFIER = re.compile(r"^[0-9A-Za-z.\-_/]{1,64}$")


@dataclass(frozen=True)
class DossierForm:
    procedure_code: str
    agency_code: str
    applicant_id: str | None = None
    kind: str = DossierKind.COMPONENT.value
    dossier_code: str | None = None  # the code another system (the one-stop-shop) already gave it

    def validated(self) -> "DossierForm":
        if not is_agency_code(self.agency_code):
            raise InvalidDossier(f"agency_code {self.agency_code!r} is not a 13-character agency "
                                 "identifier such as 000.17.22.H56")
        if not IDENTIFIER.match(self.procedure_code):
            raise InvalidDossier("procedure_code must be 1–64 letters, digits or . - _ /")
        if self.applicant_id is not None and not IDENTIFIER.match(self.applicant_id):
            raise InvalidDossier("applicant_id must be 1–64 letters, digits or . - _ /")
        if self.kind not in {k.value for k in DossierKind}:
            raise InvalidDossier("kind must be 'component' or 'result'")
        if self.dossier_code is not None:
            if problem := external_code_problem(self.dossier_code, datetime.now(timezone.utc).date()):
                raise InvalidDossier(f"dossier_code {self.dossier_code!r} {problem}")
        return self


@dataclass(frozen=True)
class StagedFile:
    filename: str
    path: Path
    sha256: str
    size: int


class Reception:
    def __init__(self, records: Records, ocr_options: ocr.OcrOptions, max_file_bytes: int,
                 staging_dir: Path) -> None:
        self.records = records
        self.ocr_options = ocr_options
        self.max_file_bytes = max_file_bytes
        self.staging_dir = staging_dir
        self.codes = CodeAllocator(records.store)
        staging_dir.mkdir(parents=True, exist_ok=True)

    def stage(self, filename: str | None, stream: BinaryIO) -> StagedFile:
        """Copy an upload to a temporary file, cut off at the size limit."""
        fd, name = tempfile.mkstemp(dir=self.staging_dir, prefix="upload-")
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_file_bytes:
                        raise FileTooLarge(f"{clean_filename(filename)} is larger than "
                                           f"{self.max_file_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise EmptyFile(f"{clean_filename(filename)} is empty (tệp rỗng)")
        except BaseException:
            os.unlink(name)
            raise
        return StagedFile(clean_filename(filename), Path(name), digest.hexdigest(), size)

    def claim_code(self, form: DossierForm, now: datetime) -> str:
        """The dossier's code: the one another system gave it, claimed here (DossierCodeTaken
        when HoSo already holds a dossier under it), or HoSo's next own."""
        if form.dossier_code is None:
            return self.codes.allocate(form.agency_code, now.date())
        code = form.dossier_code
        owner = json.dumps({"owner": _owner(), "at": time.time()}).encode()
        if self.codes.claim(code, owner):
            return code
        if self.records.exists(code) or not self._stale_claim(code):
            raise DossierCodeTaken(f"a dossier under code {code} is already held (or being received) by HoSo")
        self.records.delete_dossier(code)  # what the reception that died left of it
        self.records.store.delete(CLAIMS + code)
        if not self.codes.claim(code, owner):  # another reception took it over first
            raise DossierCodeTaken(f"a dossier under code {code} is being received")
        return code

    def _stale_claim(self, code: str) -> bool:
        """Whether the claim on another system's code is left by a reception that died."""
        try:
            claim = json.loads(self.records.store.get(CLAIMS + code) or b"{}")
        except (ObjectNotFound, ValueError):
            return False
        if not claim.get("owner"):
            return False
        return not _alive(claim["owner"]) or time.time() - claim["at"] > RECEPTION_GRACE

    def receive(self, form: DossierForm, files: list[StagedFile], now: datetime | None = None,
                code: str | None = None) -> Dossier:
        """Check, store and register a dossier; returns it with every document `received`.
        `code`: one already claimed for it (claim_code), else it is claimed here."""
        form = form.validated()
        if not files:
            raise InvalidDossier("a dossier needs at least one file")
        files = _distinct(files)
        checked = [self._check(f) for f in files]
        received_at = now or datetime.now(timezone.utc)
        code = code or self.claim_code(form, received_at)
        try:
            documents = [self._store_original(code, f, info) for f, info in zip(files, checked)]
            dossier = Dossier(dossier_code=code, procedure_code=form.procedure_code,
                              applicant_id=form.applicant_id, agency_code=form.agency_code,
                              kind=DossierKind(form.kind), received_at=received_at, documents=documents)
            events.record(dossier, "dossier.received", external_code=form.dossier_code is not None)
            self.records.mark_pending(code, owner=_owner())
            self.records.save(dossier)
        except BaseException:
            self.records.delete_dossier(code)
            if form.dossier_code is not None:  # another system's code: free for its next attempt
                self.records.store.delete(CLAIMS + code)
            raise
        return dossier

    def _check(self, staged: StagedFile) -> Inspected:
        try:
            return ocr.inspect(staged.path, self.ocr_options)
        except ocr.OcrError as e:
            e.args = (f"{staged.filename}: {e}",)
            raise

    def _store_original(self, code: str, staged: StagedFile, info: Inspected) -> Document:
        document_id = str(ULID())
        name = f"original.{ocr.MEDIA_TYPES[info.media_type]}"
        stored = self.records.store.put_file(document_key(code, document_id, name), staged.path, move=True)
        if stored.sha256 != staged.sha256:
            raise InvalidDossier(f"{staged.filename} changed while it was being stored")
        return Document(id=document_id, filename=staged.filename, media_type=info.media_type,
                        status=DocumentStatus.RECEIVED, flags=list(info.flags),
                        original=ObjectRef(key=stored.key, sha256=stored.sha256, size=stored.size))


def _owner() -> str:
    """This process as the owner of a reception under way (`host:pid:…`)."""
    return f"{socket.gethostname()}:{os.getpid()}:reception"


def _distinct(files: list[StagedFile]) -> list[StagedFile]:
    """The same bytes twice in one dossier are one document (processing is keyed by content)."""
    seen: dict[str, StagedFile] = {}
    for f in files:
        seen.setdefault(f.sha256, f)
    return list(seen.values())


def clean_filename(name: str | None) -> str:
    """The base name only, without control characters, for display; never used as a path."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C")
    base = base.strip().lstrip(".")
    return base[:200] or "document"
