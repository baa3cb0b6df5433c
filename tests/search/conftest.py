"""Fixtures for the search tests: a real SQLite index file in tmp_path, and entry builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from search import Index, IndexEntry, open_index


def make_entry(document_id: str, *pages: str, **fields: object) -> IndexEntry:
    values: dict[str, object] = {
        "dossier_code": "000.17.22.H56-210531-0001",
        "document_id": document_id,
        "agency_code": "000.17.22.H56",
        "procedure_code": "1.001234",
        "applicant_id": "001090012345",
        "kind": "original",
        "doc_type": "admin_document",
        "filename": f"{document_id}.pdf",
        "received_at": datetime(2021, 5, 31, 8, 30, tzinfo=timezone.utc),
        "pages": list(pages),
    }
    values.update(fields)
    return IndexEntry.model_validate(values)


@pytest.fixture
def entry() -> Callable[..., IndexEntry]:
    return make_entry


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "index.sqlite"


@pytest.fixture
def index(index_path: Path) -> Iterator[Index]:
    ix = open_index(f"sqlite://{index_path}")
    yield ix
    ix.close()
