"""Statistics in the embedded index: three tables beside the search tables, aggregated with
GROUP BY, one query per dimension (see search/stats.py for the figures).

`tallies` holds one row per document, `tally_fields` one row per field a clerk confirmed or
corrected, `activity` one row per audit entry that counts. Days are ISO strings in Vietnam time,
so a range of days is a string range and a month is the first seven characters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from .stats import Activity, DocumentTally, StatsQuery, Statistics, Tallied, summarise

SCHEMA = """
CREATE TABLE tallies (
    document_id    TEXT PRIMARY KEY,
    dossier_code   TEXT NOT NULL,
    first          INTEGER NOT NULL,
    agency_code    TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    kind           TEXT NOT NULL,
    doc_type       TEXT NOT NULL,
    status         TEXT NOT NULL,
    reason         TEXT,
    day            TEXT NOT NULL,
    pages          INTEGER NOT NULL,
    fields_read    INTEGER NOT NULL,
    confirmed      INTEGER NOT NULL,
    corrected      INTEGER NOT NULL,
    processing     INTEGER  -- time bucket from received to done, done documents only
);
CREATE INDEX tallies_day ON tallies(day);
CREATE TABLE tally_fields (
    document_id TEXT NOT NULL,
    doc_type    TEXT NOT NULL,
    field       TEXT NOT NULL,
    corrected   INTEGER NOT NULL
);
CREATE INDEX tally_fields_document ON tally_fields(document_id);
CREATE TABLE activity (
    id             TEXT PRIMARY KEY,
    action         TEXT NOT NULL,
    day            TEXT NOT NULL,
    agency_code    TEXT,
    procedure_code TEXT,
    dossier_code   TEXT,
    asked          INTEGER NOT NULL,
    served         INTEGER NOT NULL,
    desk           INTEGER  -- time bucket from received to the first receipt
);
CREATE INDEX activity_day ON activity(day);
"""

_DOCUMENT_SUMS = """sum(first), count(*), sum(status = 'done'), sum(pages), sum(kind = 'component'),
    sum(kind = 'result'), sum(status = 'failed'), sum(fields_read), sum(confirmed), sum(corrected)"""
_DOCUMENT_COUNTS = ("dossiers", "documents", "digitised", "pages", "components", "results", "failed",
                    "fields_read", "fields_confirmed", "fields_corrected")
_ACTIVITY_SUMS = """sum(action = 'citizen_data'), sum(action = 'autofill'), sum(asked), sum(served),
    sum(action = 'receipt')"""
_ACTIVITY_COUNTS = ("citizen_requests", "autofills", "fields_asked", "fields_served", "receipts")


def tally(conn: sqlite3.Connection, tallies: Iterable[DocumentTally]) -> None:
    for t in tallies:
        conn.execute("DELETE FROM tally_fields WHERE document_id = ?", (t.document_id,))
        conn.execute("INSERT OR REPLACE INTO tallies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            t.document_id, t.dossier_code, int(t.first), t.agency_code, t.procedure_code, t.kind, t.doc_type,
            t.status, t.reason, t.day, t.pages, t.fields_read, len(t.confirmed), len(t.corrected),
            t.processing_bucket))
        conn.executemany("INSERT INTO tally_fields VALUES (?, ?, ?, ?)",
                         [(t.document_id, t.doc_type, name, 0) for name in t.confirmed]
                         + [(t.document_id, t.doc_type, name, 1) for name in t.corrected])


def note(conn: sqlite3.Connection, activity: Iterable[Activity]) -> None:
    conn.executemany("INSERT OR IGNORE INTO activity VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        (a.id, a.action, a.day, a.agency_code, a.procedure_code, a.dossier_code, a.fields_asked,
         a.fields_served, a.desk_bucket) for a in activity])


def replace(conn: sqlite3.Connection, tallies: Iterable[DocumentTally], activity: Iterable[Activity]) -> None:
    for table in ("tallies", "tally_fields", "activity"):
        conn.execute(f"DELETE FROM {table}")
    tally(conn, tallies)
    note(conn, activity)


def _where(query: StatsQuery, names: tuple[str, ...]) -> tuple[str, list]:
    first, last = query.days()
    clauses, params = ["day BETWEEN ? AND ?"], [first, last]
    for name in names:
        if getattr(query, name) is not None:
            clauses.append(f"{name} = ?")
            params.append(getattr(query, name))
    return " AND ".join(clauses), params


def statistics(conn: sqlite3.Connection, query: StatsQuery) -> Statistics:
    keys = {"total": "''", "period": "day" if query.period == "day" else "substr(day, 1, 7)",
            "agency_code": "agency_code", "procedure_code": "procedure_code", "doc_type": "doc_type"}
    groups: dict[tuple[str, str], Tallied] = {}

    def group(dimension: str, key: str) -> Tallied:
        return groups.setdefault((dimension, key), Tallied())

    where, params = _where(query, ("agency_code", "procedure_code", "doc_type", "kind"))
    for dimension, key in keys.items():
        for k, *sums in conn.execute(f"SELECT {key}, {_DOCUMENT_SUMS} FROM tallies WHERE {where} GROUP BY 1",
                                     params):
            group(dimension, k).counts.update(dict(zip(_DOCUMENT_COUNTS, sums)))
        for k, b, n in conn.execute(f"SELECT {key}, processing, count(*) FROM tallies "
                                    f"WHERE {where} AND processing IS NOT NULL GROUP BY 1, 2", params):
            group(dimension, k).processing[b] = n
    # Audit activity has no document type or kind; a filter on agency or procedure leaves out
    # what names none (citizen-data reads).
    where, params = _where(query, ("agency_code", "procedure_code"))
    for dimension, key in keys.items():
        if dimension == "doc_type":
            continue
        for k, *sums in conn.execute(f"SELECT {key}, {_ACTIVITY_SUMS} FROM activity WHERE {where} GROUP BY 1",
                                     params):
            if dimension in ("agency_code", "procedure_code") and k is None:
                continue
            group(dimension, k).counts.update(dict(zip(_ACTIVITY_COUNTS, sums)))
        for k, b, n in conn.execute(f"SELECT {key}, desk, count(*) FROM activity "
                                    f"WHERE {where} AND desk IS NOT NULL GROUP BY 1, 2", params):
            group(dimension, k).desk[b] = n
    where, params = _where(query, ("agency_code", "procedure_code", "doc_type", "kind"))
    fields = {(t, f): (ok, bad) for t, f, ok, bad in conn.execute(
        f"""SELECT f.doc_type, f.field, sum(1 - f.corrected), sum(f.corrected) FROM tally_fields f
            WHERE f.document_id IN (SELECT document_id FROM tallies WHERE {where}) GROUP BY 1, 2""", params)}
    failures = dict(conn.execute(f"SELECT coalesce(reason, ''), count(*) FROM tallies WHERE {where} "
                                 "AND status = 'failed' GROUP BY 1", params).fetchall())
    return summarise(query, groups, fields, failures)
