"""The embedded index answers statistics from a copy in memory: it must follow what another
process writes to the same file (`hoso ingest`, `hoso reindex` beside a running server)."""

from __future__ import annotations

from pathlib import Path

from search import StatsQuery, open_index

from test_stats_contract import expected, make_records


def test_a_copy_follows_writes_of_another_process(index_path: Path) -> None:
    tallies, activity = make_records(seed=3, dossiers=30)
    server, other = open_index(f"sqlite://{index_path}"), open_index(f"sqlite://{index_path}")
    try:
        server.replace_statistics(tallies[:10], activity)
        assert server.statistics(StatsQuery()).totals.documents == 10  # the copy is made
        other.tally(tallies[10:])  # another process writes
        assert server.statistics(StatsQuery()).totals.documents == len(tallies)
        server.tally(tallies[:1])  # and this one again: followed in memory, still whole
        found = server.statistics(StatsQuery())
        want = expected(tallies, activity, StatsQuery())
        assert (found.totals.documents, found.totals.pages, found.totals.receipts) == (
            want["documents"], want["pages"], want["receipts"])
        other.replace_statistics(tallies[:5], [])
        assert (server.statistics(StatsQuery()).totals.documents, server.statistics(StatsQuery()).totals.receipts) == (5, 0)
    finally:
        server.close()
        other.close()
