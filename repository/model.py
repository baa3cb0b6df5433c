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


class DossierKind(StrEnum):
    COMPONENT = "component"  # thành phần hồ sơ: papers the citizen hands in
    RESULT = "result"  # kết quả: the agency's result of the procedure


DocType = Literal["citizen_id_card", "birth_certificate", "admin_document", "other"]


class ObjectRef(BaseModel):
    key: str
    sha256: str
    size: int


class Field(BaseModel):
    value: Any
    confidence: float
    page: int
    bbox: list[float] | None = None


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


class SignatureSummary(BaseModel):
    level: str
    signer: str
    signed_at: datetime
    development: bool


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
    processed_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in (DocumentStatus.DONE, DocumentStatus.FAILED)

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

    @property
    def status(self) -> DocumentStatus:
        """Done when every document is; failed when all finished but one failed."""
        states = {d.status for d in self.documents}
        if states <= {DocumentStatus.DONE}:
            return DocumentStatus.DONE
        if states <= {DocumentStatus.DONE, DocumentStatus.FAILED}:
            return DocumentStatus.FAILED
        if states == {DocumentStatus.RECEIVED}:
            return DocumentStatus.RECEIVED
        return DocumentStatus.PROCESSING

    def document(self, document_id: str) -> Document:
        for doc in self.documents:
            if doc.id == document_id:
                return doc
        raise KeyError(document_id)
