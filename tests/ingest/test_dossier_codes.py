"""Dossier codes: the agency's identifier, the date, a sequence; unique and never reused."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from ingest.codes import CodeAllocator, parse
from repository.store import open_store


def test_codes_are_unique_under_concurrency_and_across_restarts(tmp_path):
    store = open_store(f"file://{tmp_path}")
    allocators = [CodeAllocator(store) for _ in range(3)]  # three processes sharing one store
    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(lambda i: allocators[i % 3].allocate("000.17.22.H56", date(2021, 5, 31)),
                              range(60)))
    assert len(set(codes)) == 60
    assert sorted(codes)[0] == "000.17.22.H56-210531-0001"
    assert CodeAllocator(store).allocate("000.17.22.H56", date(2021, 5, 31)) == "000.17.22.H56-210531-0061"
    assert CodeAllocator(store).allocate("000.17.22.H56", date(2021, 6, 1)) == "000.17.22.H56-210601-0001"


def test_parse_codes_from_other_systems():
    assert parse("000.17.22.H56-210531-0001") == ("000.17.22.H56", "210531", 1)
    assert parse("000.00.12.H29-230101-123456") == ("000.00.12.H29", "230101", 123456)
    assert parse("H56-210531") is None
