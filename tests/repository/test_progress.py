"""How far a dossier's reading is, read from its manifest without the rest (what a status poll
asks, many times a second): the same answer as the whole manifest gives, on the embedded store
and on a real MinIO."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from repository.model import (Disposal, Document, DocumentStatus, Dossier, DossierKind, Field, ObjectRef, Page,
                              SignatureSummary)
from repository.records import DossierNotFound, Records

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=timezone.utc)


def document(number: int, status: DocumentStatus, **more) -> Document:
    return Document(id=f"01J000000000000000000000{number:02d}", filename=f"{number}.png", media_type="image/png",
                    original=ObjectRef(key=f"k{number}", sha256="0" * 64, size=1), status=status, **more)


def dossier(code: str, *documents: Document) -> Dossier:
    return Dossier(dossier_code=code, procedure_code="1.001234", applicant_id="001090012345",
                   agency_code="000.17.22.H56", kind=DossierKind.COMPONENT, received_at=NOW, documents=list(documents))


READ = dict(doc_type="citizen_id_card", processed_at=NOW,
            fields={"full_name": Field(value="NGUYỄN VĂN AN", confidence=0.9, page=1, bbox=[1, 2, 3, 4])},
            pages=[Page(number=1, width=595, height=842, source="ocr", text="Họ và tên: NGUYỄN VĂN AN")],
            signature=SignatureSummary(signed_at=NOW, signer="Clerk", level="B-B", development=True))


@pytest.mark.parametrize("documents,status", [
    ([document(1, DocumentStatus.RECEIVED), document(2, DocumentStatus.RECEIVED)], "received"),
    ([document(1, DocumentStatus.DONE, **READ), document(2, DocumentStatus.RECEIVED)], "processing"),
    ([document(1, DocumentStatus.DONE, **READ), document(2, DocumentStatus.FAILED, reason="tesseract: no vie")],
     "failed"),
    ([document(1, DocumentStatus.DONE, **READ), document(2, DocumentStatus.DISPOSED, disposal=Disposal(
        at=NOW, by="archivist", reason="retention period over", objects=[]))], "done"),
])
def test_progress_is_what_the_whole_manifest_says(any_store, documents, status):
    records = Records(any_store)
    code = "000.17.22.H56-261206-0007"
    records.save(dossier(code, *documents))
    whole, progress = records.load(code), records.progress(code)
    assert progress.status == whole.status == status
    assert progress.agency_code == whole.agency_code
    assert [(d.id, d.status, d.reason) for d in progress.documents] == [
        (d.id, d.status, d.reason) for d in whole.documents]
    with pytest.raises(DossierNotFound):
        records.progress("000.17.22.H56-261206-0008")
