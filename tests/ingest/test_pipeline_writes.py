"""The pipeline tells who waits on a dossier of its next manifest write (what the status route's
`wait` answers on), on a real local store and SQLite index."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from ingest.pipeline import Pipeline
from repository.model import Document, DossierKind, Dossier, ObjectRef
from repository.records import Records
from repository.store import open_store
from search import open_index

CODE = "000.17.22.H56-261207-0001"


def test_a_manifest_write_wakes_who_waits_for_it(tmp_path):
    records = Records(open_store(f"file://{tmp_path / 'store'}"))
    index = open_index(f"sqlite:///{tmp_path / 'index.sqlite'}")
    document = Document(id="01JEXAMPLE0000000000000000", filename="a.png", media_type="image/png",
                        original=ObjectRef(key="originals/a.png", sha256="0" * 64, size=1))
    records.save(Dossier(dossier_code=CODE, procedure_code="1.001234", applicant_id=None, agency_code="000.17.22.H56",
                         kind=DossierKind.COMPONENT, received_at=datetime.now(timezone.utc), documents=[document]))
    pipeline = Pipeline(records, index, config=None, workers=1)

    async def run() -> None:
        written = pipeline.next_write(CODE)
        assert pipeline.next_write(CODE) is written  # all who wait share one event
        await asyncio.sleep(0.05)
        assert not written.is_set()
        await pipeline.amend(CODE, document.id, lambda d: setattr(d, "reason", "read again"))
        await asyncio.wait_for(written.wait(), 5)
        assert pipeline.next_write(CODE) is not written  # the next write is another's

    try:
        asyncio.run(run())
    finally:
        index.close()
    assert records.load(CODE).documents[0].reason == "read again"
