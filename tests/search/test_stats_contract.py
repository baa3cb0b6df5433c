"""The statistics contract, on SQLite and on a real Elasticsearch: the figures an index answers
are the ones counted by hand from the same tallies and activity (search/stats.py)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

import pytest

from search import Activity, DocumentTally, Index, Statistics, StatsQuery
from search.stats import GROWTH, VIETNAM

pytestmark = pytest.mark.parametrize("index", ["sqlite", "elastic"], indirect=True)

AGENCIES = ["000.17.22.H56", "000.00.01.H26", "000.30.05.H29"]
PROCEDURES = ["1.001234", "2.000987", "1.004567"]
FIELDS = {"citizen_id_card": ["citizen_id", "full_name", "date_of_birth"],
          "admin_document": ["document_number", "signer"], "birth_certificate": ["full_name"], "other": []}
START = datetime(2026, 10, 30, 9, 0, tzinfo=VIETNAM)


def make_records(seed: int = 7, dossiers: int = 120) -> tuple[list[DocumentTally], list[Activity]]:
    rng = random.Random(seed)
    tallies, activity = [], []
    for n in range(dossiers):
        # across a month boundary, at every hour of the day (Vietnam days, not UTC days)
        received = START + timedelta(hours=rng.randrange(0, 24 * 10), minutes=rng.randrange(60))
        code, agency, procedure = f"{rng.choice(AGENCIES)}-{n:04d}", rng.choice(AGENCIES), rng.choice(PROCEDURES)
        kind = rng.choice(["component", "component", "result"])
        for d in range(rng.randint(1, 3)):
            status = rng.choice(["done"] * 6 + ["failed", "received", "processing"])
            doc_type = rng.choice(list(FIELDS)) if status == "done" else "unread"
            names = FIELDS.get(doc_type, [])
            reviewed = rng.sample(names, rng.randint(0, len(names)))
            corrected = [f for f in reviewed if rng.random() < 0.3]
            tallies.append(DocumentTally(
                dossier_code=code, document_id=f"D{n:04d}{d}", first=d == 0, agency_code=agency,
                procedure_code=procedure, kind=kind, doc_type=doc_type, status=status,
                reason=rng.choice(["bad scan", "engine timeout"]) if status == "failed" else None,
                received_at=received,
                processed_at=received + timedelta(seconds=rng.uniform(2, 600)) if status == "done" else None,
                pages=rng.randint(1, 5) if status == "done" else 0,
                fields_read=len(names) if status == "done" else 0,
                confirmed=sorted(set(reviewed) - set(corrected)), corrected=sorted(corrected)))
        if rng.random() < 0.7:
            activity.append(Activity(id=f"receipt:{code}", action="receipt", at=received + timedelta(minutes=3),
                                     agency_code=agency, procedure_code=procedure, dossier_code=code,
                                     desk_seconds=rng.uniform(30, 900)))
        if rng.random() < 0.5:
            asked = rng.randint(1, 8)
            activity.append(Activity(id=f"A{n:04d}", action=rng.choice(["citizen_data", "autofill"]),
                                     at=received + timedelta(hours=1), fields_asked=asked,
                                     fields_served=rng.randint(0, asked)))
    return tallies, activity


def selected(tallies: list[DocumentTally], activity: list[Activity], query: StatsQuery,
             dimension: str | None = None, key: str | None = None) -> tuple[list, list]:
    """The tallies and activity a query (and a group) covers, picked one record at a time."""
    first, last = query.days()

    def chosen(record, names) -> bool:
        return (first <= record.day <= last and all(getattr(query, n) in (None, getattr(record, n)) for n in names)
                and (dimension is None or _key(record, dimension, query) == key))

    docs = [t for t in tallies if chosen(t, ("agency_code", "procedure_code", "doc_type", "kind"))]
    acts = [a for a in activity if chosen(a, ("agency_code", "procedure_code"))] if dimension != "doc_type" else []
    return docs, acts


def expected(tallies: list[DocumentTally], activity: list[Activity], query: StatsQuery,
             dimension: str | None = None, key: str | None = None) -> dict:
    """Every count of one group, counted one record at a time, and the exact times."""
    docs, acts = selected(tallies, activity, query, dimension, key)
    done = [t for t in docs if t.status == "done"]
    return {
        "dossiers": sum(t.first for t in docs), "documents": len(docs), "digitised": len(done),
        "pages": sum(t.pages for t in docs), "components": sum(t.kind == "component" for t in docs),
        "results": sum(t.kind == "result" for t in docs), "failed": sum(t.status == "failed" for t in docs),
        "fields_read": sum(t.fields_read for t in docs), "fields_confirmed": sum(len(t.confirmed) for t in docs),
        "fields_corrected": sum(len(t.corrected) for t in docs),
        "citizen_requests": sum(a.action == "citizen_data" for a in acts),
        "autofills": sum(a.action == "autofill" for a in acts),
        "fields_asked": sum(a.fields_asked for a in acts), "fields_served": sum(a.fields_served for a in acts),
        "receipts": sum(a.action == "receipt" for a in acts),
        "processing": sorted((t.processed_at - t.received_at).total_seconds() for t in done),
        "desk": sorted(a.desk_seconds for a in acts if a.desk_seconds is not None),
    }


def _key(record, dimension: str, query: StatsQuery) -> str | None:
    return query.period_of(record.day) if dimension == "period" else getattr(record, dimension, None)


def near(found: float | None, times: list[float], q: float) -> bool:
    """Within half a bucket of the exact value at the rank the histogram reads."""
    if not times:
        return found is None
    exact = times[int(q * (len(times) - 1))]
    return found is not None and abs(found / exact - 1) <= GROWTH ** 0.5 - 1 + 1e-9


def check_group(figures, want: dict) -> None:
    for name, value in want.items():
        if name not in ("processing", "desk"):
            assert getattr(figures, name) == value, name
    assert near(figures.processing_median_s, want["processing"], 0.5)
    assert near(figures.processing_p95_s, want["processing"], 0.95)
    assert near(figures.desk_median_s, want["desk"], 0.5)
    assert near(figures.desk_p95_s, want["desk"], 0.95)
    ratio = want["fields_confirmed"] / max(want["fields_confirmed"] + want["fields_corrected"], 1)
    assert figures.accuracy == (round(ratio, 4) if want["fields_confirmed"] + want["fields_corrected"] else None)


QUERIES = [
    StatsQuery(),
    StatsQuery(period="month"),
    StatsQuery(agency_code=AGENCIES[0]),
    StatsQuery(doc_type="citizen_id_card", kind="component"),
    StatsQuery(procedure_code=PROCEDURES[1], received_from=date(2026, 11, 1), received_to=date(2026, 11, 4)),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.model_dump_json(exclude_defaults=True))
def test_figures_are_the_records_counted(index: Index, query: StatsQuery) -> None:
    tallies, activity = make_records()
    index.replace_statistics(tallies, activity)
    found = index.statistics(query)
    check_group(found.totals, expected(tallies, activity, query))
    assert found.totals.documents > 0
    for dimension, groups in (("period", found.series), ("agency_code", found.by_agency),
                              ("procedure_code", found.by_procedure), ("doc_type", found.by_doc_type)):
        docs, acts = selected(tallies, activity, query)
        records = docs + (acts if dimension != "doc_type" else [])
        keys = sorted({k for r in records if (k := _key(r, dimension, query)) is not None})
        assert [g.key for g in groups] == keys, dimension
        for group in groups:
            check_group(group.figures, expected(tallies, activity, query, dimension, group.key))
    docs, _ = selected(tallies, activity, query)
    fields = {(f.doc_type, f.field): (f.confirmed, f.corrected) for f in found.fields}
    assert fields == {(t, f): (sum(d.doc_type == t and f in d.confirmed for d in docs),
                               sum(d.doc_type == t and f in d.corrected for d in docs))
                      for t, names in FIELDS.items() for f in names
                      if any(d.doc_type == t and f in d.confirmed + d.corrected for d in docs)}
    failures = {f.reason: f.documents for f in found.failures}
    assert failures == {r: sum(d.reason == r for d in docs if d.status == "failed")
                        for r in {d.reason for d in docs if d.status == "failed"}}


def settled(index: Index, check: Callable[[Statistics], bool], query: StatsQuery = StatsQuery()) -> Statistics:
    """The statistics once `check` holds (Elasticsearch shows writes within its refresh interval)."""
    deadline = time.monotonic() + 10
    while not check(found := index.statistics(query)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def test_a_document_counted_again_replaces_its_count(index: Index) -> None:
    tallies, _ = make_records(dossiers=3)
    received = [t.model_copy(update={"status": "received", "doc_type": "unread", "pages": 0, "processed_at": None,
                                     "fields_read": 0, "confirmed": [], "corrected": []}) for t in tallies]
    index.tally(received)
    found = settled(index, lambda s: s.totals.documents == len(tallies))
    assert (found.totals.digitised, found.totals.pages) == (0, 0)
    index.tally(tallies)
    want = expected(tallies, [], StatsQuery())
    found = settled(index, lambda s: s.totals.digitised == want["digitised"])
    check_group(found.totals, want)


def test_a_receipt_counts_once_with_the_first_time_at_the_desk(index: Index) -> None:
    first = Activity(id="receipt:X-1", action="receipt", at=START, agency_code=AGENCIES[0],
                     procedure_code=PROCEDURES[0], dossier_code="X-1", desk_seconds=240.0)
    index.note([first])
    settled(index, lambda s: s.totals.receipts == 1)
    index.note([first.model_copy(update={"at": START + timedelta(hours=2), "desk_seconds": 7440.0})])
    read = Activity(id="A-1", action="citizen_data", at=START, fields_asked=4, fields_served=3)
    index.note([read])
    found = settled(index, lambda s: s.totals.citizen_requests == 1)
    assert found.totals.receipts == 1 and near(found.totals.desk_median_s, [240.0], 0.5)
    assert (found.totals.fields_asked, found.totals.fields_served, found.totals.reuse_rate) == (4, 3, 0.75)
    # A citizen-data read names no agency: an agency's figures leave it out.
    mine = index.statistics(StatsQuery(agency_code=AGENCIES[0]))
    assert (mine.totals.receipts, mine.totals.citizen_requests) == (1, 0)
    assert [g.key for g in mine.by_agency] == [AGENCIES[0]]


def test_statistics_are_replaced_whole(index: Index) -> None:
    tallies, activity = make_records(seed=1, dossiers=20)
    index.replace_statistics(tallies, activity)
    fewer, _ = make_records(seed=2, dossiers=5)
    index.replace_statistics(fewer, [])
    found = index.statistics(StatsQuery())
    check_group(found.totals, expected(fewer, [], StatsQuery()))
    assert found.totals.receipts == 0


def test_an_empty_index_answers_nothing_counted(index: Index) -> None:
    found = index.statistics(StatsQuery(received_from=date(2020, 1, 1), received_to=date(2020, 1, 2)))
    assert found.totals.documents == 0 and found.series == [] and found.totals.processing_median_s is None
    assert found.totals.accuracy is None and found.totals.reuse_rate is None


def test_a_day_is_a_day_in_vietnam(index: Index) -> None:
    late = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)  # 06:30 on 1 December in Vietnam
    tally = DocumentTally(dossier_code="X", document_id="late", first=True, agency_code=AGENCIES[0],
                          procedure_code=PROCEDURES[0], kind="component", status="received", received_at=late)
    index.replace_statistics([tally], [])
    assert [g.key for g in index.statistics(StatsQuery()).series] == ["2026-12-01"]
    assert [g.key for g in index.statistics(StatsQuery(period="month")).series] == ["2026-12"]
