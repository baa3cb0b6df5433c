"""Fixtures for the search tests: a real SQLite index file in tmp_path, and entry builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
import uuid
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
def sqlite_index(index_path: Path) -> Iterator[Index]:
    ix = open_index(f"sqlite://{index_path}")
    yield ix
    ix.close()


@pytest.fixture(params=["sqlite", "sqlite-broad", "sqlite-broad-few", "elastic"])
def index(request, index_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Index]:
    """The contract: every test written against `index` runs on each backend, the same way;
    "sqlite-broad" is SQLite answering every query the way it answers one whose words are on
    too many pages to rank with bm25 (exact accents first, newest first), reading each tier from
    the index; "sqlite-broad-few" the same with few enough matching pages to sort them into
    tiers from the count."""
    if request.param.startswith("sqlite"):
        if request.param.startswith("sqlite-broad"):
            if request.node.get_closest_marker("bm25"):
                pytest.skip("about bm25 ranking, which a broad query does without")
            monkeypatch.setattr("search._sqlite.RANK_BUDGET", 0)
            if request.param == "sqlite-broad":
                monkeypatch.setattr("search._sqlite.FEW", 0)
        yield request.getfixturevalue("sqlite_index")
        return
    server = request.getfixturevalue("elastic_server")
    ix = open_index(f"{server.url}?prefix=t{uuid.uuid4().hex[:12]}")
    yield ix
    ix.drop()
    ix.close()
