"""The records model: dossier, document, page, field, as kept in `manifest.json`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field as PydanticField


class DocumentStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"
    DISPOSED = "disposed"  # destroyed after its retention period; the manifest keeps a tombstone


class DossierKind(StrEnum):
    COMPONENT = "component"  # thành phần hồ sơ: papers the citizen hands in
    RESULT = "result"  # kết quả: the agency's result of the procedure


DocType = Literal["citizen_id_card", "birth_certificate", "admin_document", "other"]

# The field names e-form services and benchmarks rely on (DESIGN.md).
FIELDS: dict[str, tuple[str, ...]] = {
    "citizen_id_card": ("citizen_id", "full_name", "date_of_birth", "sex", "nationality", "place_of_origin",
                        "place_of_birth_registration", "place_of_residence", "date_of_expiry",
                        "date_of_issue", "identifying_features", "old_id_number"),
    "birth_certificate": ("full_name", "date_of_birth", "sex", "ethnicity", "nationality", "place_of_birth",
                          "place_of_origin", "citizen_id", "father_name", "mother_name"),
    "admin_document": ("issuing_agency", "document_number", "document_type", "issue_place", "issue_date",
                       "summary", "signer"),
    "other": (),
}


class ObjectRef(BaseModel):
    key: str
    sha256: str
    size: int


class Field(BaseModel):
    """A value read from a document: where it is, how sure the reading is, and whether a clerk
    confirmed or corrected it (the value read by OCR is kept beside a correction)."""

    value: Any
    confidence: float
    page: int
    bbox: list[float] | None = None
    review: bool = False  # the clerk should look: low confidence or failed validation
    problem: str | None = None  # why validation failed
    ocr_value: Any = None  # what OCR read, when a clerk corrected it
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None

    @property
    def typed(self) -> bool:
        """A value a clerk typed (``confirmed_by``, ``confirmed_at``), not the one read from the
        paper: the signed archival copy does not hold it."""
        return self.confirmed_at is not None and self.value != self.ocr_value


class Page(BaseModel):
    number: int
    width: float  # points (1/72 in) of the archival page
    height: float
    source: Literal["ocr", "text-layer"]
    rotation: int = 0  # degrees the scan was turned to read upright
    skew: float = 0.0  # degrees of skew corrected
    dpi: int | None = None
    confidence: float | None = None  # mean word confidence 0..1, OCR pages only
    review_words: int = 0  # words under the review threshold, for the clerk to check
    steps: list[str] = []  # clean-up and geometry steps applied before recognition
    text: str = ""


class CaptureProblem(BaseModel):
    """Something wrong with how an ID card was photographed, and what to do about it."""

    kind: Literal["card_not_found", "too_small", "blurred", "glare"]
    zones: list[str] = []  # under glare: "qr_code", "mrz", "portrait" or a field's name
    text: str  # for the clerk, saying what to do


class CaptureReport(BaseModel):
    """How well an ID card photo was taken, told while the citizen is still at the desk."""

    retake: bool  # a problem cost a code, a field or the holder's photo: take the photo again
    problems: list[CaptureProblem] = []


class SignatureSummary(BaseModel):
    level: str
    signer: str
    signed_at: datetime
    development: bool


class IncomingSignature(BaseModel):
    """A signature the original already carried (a result signed by another agency), as
    verified when HoSo received it; the original is kept byte for byte with it."""

    field: str
    signer: str
    signing_time: datetime | None
    indication: str | None = None  # TOTAL-PASSED, INDETERMINATE or TOTAL-FAILED (None: received before)
    sub_indication: str | None = None
    intact: bool
    valid: bool  # TOTAL-PASSED
    trusted: bool
    level: str
    summary: str


class Retention(BaseModel):
    """How long a document is kept, fixed when it is archived (repository/retention.py)."""

    period: str  # the schedule's ISO 8601 duration for its type (`P10Y`), or `permanent`
    permanent: bool = False  # vĩnh viễn: never disposed of by HoSo
    retain_until: datetime | None = None  # None when permanent
    mode: Literal["governance", "compliance"] = "governance"
    assigned_at: datetime


class LegalHold(BaseModel):
    """A hold that stops disposal whatever the retention says, until an admin releases it."""

    by: str
    at: datetime
    reason: str


class Disposal(BaseModel):
    """The tombstone of a disposed document: who destroyed what, when and why."""

    by: str
    at: datetime
    reason: str
    objects: list[ObjectRef]  # what was destroyed, with the SHA-256 it had
    versions_removed: int = 0


class Document(BaseModel):
    id: str
    filename: str
    media_type: str
    status: DocumentStatus = DocumentStatus.RECEIVED
    reason: str | None = None  # why it failed, for the clerk
    original: ObjectRef
    archival: ObjectRef | None = None
    ocr: ObjectRef | None = None
    doc_type: DocType | None = None
    fields: dict[str, Field] = PydanticField(default_factory=dict)
    pages: list[Page] = PydanticField(default_factory=list)
    signature: SignatureSummary | None = None
    started_at: datetime | None = None  # when a worker last started reading it
    processed_at: datetime | None = None
    # What the original carries besides its pages ("javascript", "embedded_files"): kept in it
    # byte for byte, never run, never copied into the archival copy.
    flags: list[str] = PydanticField(default_factory=list)
    incoming_signatures: list[IncomingSignature] = PydanticField(default_factory=list)
    # An ID card's front and back received as two documents of one dossier are one card: each
    # names the other, and the fields both state were checked against each other.
    other_side: str | None = None
    capture: CaptureReport | None = None  # of a photo of an ID card: how well it was taken
    retention: Retention | None = None  # set when the document is finished (done or failed)
    legal_hold: LegalHold | None = None
    disposal: Disposal | None = None  # the tombstone, once disposed

    @property
    def finished(self) -> bool:
        return self.status in (DocumentStatus.DONE, DocumentStatus.FAILED, DocumentStatus.DISPOSED)

    @property
    def objects(self) -> list[ObjectRef]:
        """Every object stored for the document."""
        return [ref for ref in (self.original, self.archival, self.ocr) if ref is not None]

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)


class Dossier(BaseModel):
    """One `dossiers/{code}/manifest.json`: the dossier and every object stored for it."""

    dossier_code: str
    procedure_code: str
    applicant_id: str | None
    agency_code: str
    kind: DossierKind
    received_at: datetime
    documents: list[Document]
    # The ids of the dossier's events (repository/events.py), in order: the outbox step of a
    # save publishes only events the saved manifest names.
    events: list[str] = PydanticField(default_factory=list)
    # Events recorded since the dossier was loaded, published by the next save; never stored here.
    unsaved_events: list[Any] = PydanticField(default_factory=list, exclude=True, repr=False)

    @property
    def status(self) -> DocumentStatus:
        return dossier_status({d.status for d in self.documents})

    def document(self, document_id: str) -> Document:
        for doc in self.documents:
            if doc.id == document_id:
                return doc
        raise KeyError(document_id)


def dossier_status(states: set[DocumentStatus]) -> DocumentStatus:
    """A dossier's status from its documents': done when every document is; failed when all
    finished but one failed; disposed documents count only when nothing else is left."""
    if states == {DocumentStatus.DISPOSED}:
        return DocumentStatus.DISPOSED
    states = states - {DocumentStatus.DISPOSED}
    if states <= {DocumentStatus.DONE}:
        return DocumentStatus.DONE
    if states <= {DocumentStatus.DONE, DocumentStatus.FAILED}:
        return DocumentStatus.FAILED
    if states == {DocumentStatus.RECEIVED}:
        return DocumentStatus.RECEIVED
    return DocumentStatus.PROCESSING


class DocumentState(BaseModel):
    """Of a document in a manifest, only how far its reading is."""

    id: str
    status: DocumentStatus = DocumentStatus.RECEIVED
    reason: str | None = None
    capture: CaptureReport | None = None


class DossierState(BaseModel):
    """A manifest read for how far its documents are, the rest left unread (what a status poll
    needs: a whole manifest's pages, fields and signatures cost far more to build)."""

    agency_code: str  # a reception key sees its own agency's dossiers only
    documents: list[DocumentState]

    @property
    def status(self) -> DocumentStatus:
        return dossier_status({d.status for d in self.documents})
