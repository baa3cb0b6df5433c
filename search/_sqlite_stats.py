"""Statistics in the embedded index: two tables beside the search tables, and a columnar copy
of them in memory that answers (see search/stats.py for the figures).

`tallies` holds one row per document, `activity` one row per audit entry that counts; they are
what survives a restart and what another process (`hoso stats`, `hoso ingest`) sees. Scanning
100,000 rows once per figure and dimension costs SQLite about 100 ms each on a busy machine, so
answers come from numpy arrays of the same rows instead: grouped with one sort per dimension,
each figure a sum per group. The copy follows this process's own writes as they are made; a
write by another process bumps `stats_generation`, and the next answer reloads the copy first.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np

from .stats import DIMENSIONS, Activity, DocumentTally, StatsQuery, Statistics, Tallied, quantiles, summarise

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
    confirmed      TEXT NOT NULL,  -- field names, comma-separated
    corrected      TEXT NOT NULL,
    processing     INTEGER  -- time bucket from received to done, done documents only
);
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
CREATE TABLE stats_generation (n INTEGER NOT NULL);
INSERT INTO stats_generation VALUES (0);
"""

_TALLY_COLUMNS = ("document_id, dossier_code, first, agency_code, procedure_code, kind, doc_type, status, reason, "
                  "day, pages, fields_read, confirmed, corrected, processing")
_ACTIVITY_COLUMNS = "id, action, day, agency_code, procedure_code, dossier_code, asked, served, desk"
# Figures summed per group, and the columns of the arrays that hold them.
_DOCUMENT_COUNTS = ("dossiers", "documents", "digitised", "pages", "components", "results", "failed",
                    "fields_read", "fields_confirmed", "fields_corrected")
_ACTIVITY_COUNTS = ("citizen_requests", "autofills", "fields_asked", "fields_served", "receipts")
_NONE = -(1 << 30)  # no time bucket


def _tally_row(t: DocumentTally) -> tuple:
    return (t.document_id, t.dossier_code, int(t.first), t.agency_code, t.procedure_code, t.kind, t.doc_type,
            t.status, t.reason, t.day, t.pages, t.fields_read, ",".join(t.confirmed), ",".join(t.corrected),
            t.processing_bucket)


def _activity_row(a: Activity) -> tuple:
    return (a.id, a.action, a.day, a.agency_code, a.procedure_code, a.dossier_code, a.fields_asked,
            a.fields_served, a.desk_bucket)


class Vocabulary:
    """Strings as small integers, so that columns of codes are numpy arrays."""

    def __init__(self) -> None:
        self.ids: dict[str | None, int] = {None: -1}
        self.names: list[str] = []

    def id(self, name: str | None) -> int:
        found = self.ids.get(name)
        if found is None:
            found = self.ids[name] = len(self.names)
            self.names.append(name)
        return found


@dataclass
class _Columns:
    """One table as a matrix of numbers (rows in any order), built from its rows when asked for;
    the first columns are the figures summed per group."""

    names: tuple[str, ...]
    rows: dict[str, tuple]  # id -> the row's numbers
    matrix: np.ndarray | None = None

    def array(self) -> np.ndarray:
        if self.matrix is None:
            self.matrix = np.array(list(self.rows.values()), dtype=np.int64).reshape(len(self.rows), len(self.names))
        return self.matrix

    def column(self, name: str) -> int:
        return self.names.index(name)

    def put(self, key: str, row: tuple, keep_first: bool = False) -> None:
        if keep_first and key in self.rows:
            return
        self.rows[key] = row
        self.matrix = None


class Copy:
    """The statistics tables of one index file in memory, as numbers (see the module docstring)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.empty()

    def empty(self) -> None:
        self.generation: int | None = None  # what the copy reflects; None: load before answering
        self.words = Vocabulary()  # agencies, procedures, doc types, reasons, "doc_type/field" names
        self.tallies = _Columns(("first", "one", "done", "pages", "component", "result", "failed", "fields_read",
                                 "confirmed", "corrected",  # _DOCUMENT_COUNTS, in order
                                 "day", "month", "agency", "procedure", "doc_type", "processing", "reason"), {})
        self.outcomes: dict[str, list[tuple[int, int]]] = {}  # document -> (doc_type/field id, corrected)
        self._outcomes: tuple[np.ndarray, np.ndarray] | None = None  # (document row, field id * 2 + corrected)
        self.activity = _Columns(("citizen_data", "autofill", "asked", "served", "receipt",  # _ACTIVITY_COUNTS
                                  "day", "month", "agency", "procedure", "desk"), {})

    # -- rows as numbers ---------------------------------------------------------------------
    def take_tally(self, row: tuple) -> None:
        (document_id, _, first, agency, procedure, kind, doc_type, status, reason, day, pages, fields_read,
         confirmed, corrected, processing) = row
        w = self.words.id
        confirmed, corrected = [f for f in confirmed.split(",") if f], [f for f in corrected.split(",") if f]
        result = int(kind == "result")
        self.tallies.put(document_id, (
            first, 1, int(status == "done"), pages, 1 - result, result, int(status == "failed"), fields_read,
            len(confirmed), len(corrected), *_day(day), w(agency), w(procedure), w(doc_type),
            _NONE if processing is None else processing, w(reason) if status == "failed" else -1))
        self.outcomes[document_id] = ([(w(f"{doc_type}/{f}"), 0) for f in confirmed]
                                      + [(w(f"{doc_type}/{f}"), 1) for f in corrected])
        self._outcomes = None

    def outcome_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Every field a clerk confirmed or corrected: the row of its document in the tally
        arrays, and its field id * 2 + 1 if corrected."""
        if self._outcomes is None:
            rows, keys = [], []
            for row, document_id in enumerate(self.tallies.rows):
                for field, corrected in self.outcomes[document_id]:
                    rows.append(row)
                    keys.append(field * 2 + corrected)
            self._outcomes = np.array(rows, dtype=np.int64), np.array(keys, dtype=np.int64)
        return self._outcomes

    def take_note(self, row: tuple) -> None:
        entry_id, action, day, agency, procedure, _, asked, served, desk = row
        w = self.words.id
        self.activity.put(entry_id, (
            int(action == "citizen_data"), int(action == "autofill"), asked, served, int(action == "receipt"),
            *_day(day), w(agency) if agency else -1, w(procedure) if procedure else -1,
            _NONE if desk is None else desk), keep_first=True)

    # -- keeping up with the file ----------------------------------------------------------------
    def load(self, conn: sqlite3.Connection, generation: int) -> None:
        self.empty()
        for row in conn.execute(f"SELECT {_TALLY_COLUMNS} FROM tallies"):
            self.take_tally(row)
        for row in conn.execute(f"SELECT {_ACTIVITY_COLUMNS} FROM activity"):
            self.take_note(row)
        self.generation = generation

    def written(self, before: int, after: int, apply: Callable[[], None]) -> None:
        """This process wrote (generation before -> after): follow it, or reload if another
        process wrote since the copy was made."""
        with self.lock:
            if self.generation == before:
                apply()
                self.generation = after
            else:
                self.generation = None


def _day(day: str) -> tuple[int, int]:
    d = date.fromisoformat(day)
    return d.toordinal(), d.year * 12 + d.month - 1


def _day_name(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def _month_name(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


# -- writing ----------------------------------------------------------------------------------
def _bump(conn: sqlite3.Connection) -> tuple[int, int]:
    (before,) = conn.execute("SELECT n FROM stats_generation").fetchone()
    conn.execute("UPDATE stats_generation SET n = n + 1")
    return before, before + 1


def tally(conn: sqlite3.Connection, copy: Copy, tallies: Iterable[DocumentTally]) -> Callable[[], None]:
    """Write the rows; the returned call makes the copy follow once the transaction commits."""
    rows = [_tally_row(t) for t in tallies]
    conn.executemany(f"INSERT OR REPLACE INTO tallies ({_TALLY_COLUMNS}) VALUES ({', '.join('?' * 15)})", rows)
    before, after = _bump(conn)
    return lambda: copy.written(before, after, lambda: [copy.take_tally(row) for row in rows])


def note(conn: sqlite3.Connection, copy: Copy, activity: Iterable[Activity]) -> Callable[[], None]:
    rows = [_activity_row(a) for a in activity]
    conn.executemany(f"INSERT OR IGNORE INTO activity ({_ACTIVITY_COLUMNS}) VALUES ({', '.join('?' * 9)})", rows)
    before, after = _bump(conn)
    return lambda: copy.written(before, after, lambda: [copy.take_note(row) for row in rows])


def replace(conn: sqlite3.Connection, copy: Copy, tallies: Iterable[DocumentTally],
            activity: Iterable[Activity]) -> Callable[[], None]:
    conn.execute("DELETE FROM tallies")
    conn.execute("DELETE FROM activity")
    tally(conn, copy, tallies)
    note(conn, copy, activity)
    _bump(conn)

    def forget() -> None:
        with copy.lock:
            copy.generation = None  # reloaded from the file at the next answer

    return forget


# -- reading ----------------------------------------------------------------------------------
def statistics(conn: sqlite3.Connection, copy: Copy, query: StatsQuery) -> Statistics:
    first, last = (date.fromisoformat(d).toordinal() for d in query.days())
    (generation,) = conn.execute("SELECT n FROM stats_generation").fetchone()
    with copy.lock:
        if copy.generation != generation:
            copy.load(conn, generation)
        words = copy.words
        groups: dict[tuple[str, str], Tallied] = {}
        tallies = copy.tallies
        chosen = _chosen(tallies, query, first, last, words, ("agency_code", "procedure_code", "doc_type", "kind"))
        _group(groups, tallies, chosen, query, words, DIMENSIONS, _DOCUMENT_COUNTS, "processing")
        # Audit activity has no document type or kind; a filter on agency or procedure leaves out
        # what names none (citizen-data reads).
        picked = _chosen(copy.activity, query, first, last, words, ("agency_code", "procedure_code"))
        _group(groups, copy.activity, picked, query, words, DIMENSIONS[:-1], _ACTIVITY_COUNTS, "desk")
        rows, keys = copy.outcome_arrays()
        counted = np.bincount(keys[chosen[rows]], minlength=2 * len(words.names)).reshape(-1, 2)
        fields = {tuple(words.names[n].split("/", 1)): (int(ok), int(bad))
                  for n, (ok, bad) in enumerate(counted.tolist()) if ok or bad}
        matrix = tallies.array()
        reasons = matrix[chosen & (matrix[:, tallies.column("failed")] == 1), tallies.column("reason")]
        values, counts = np.unique(reasons, return_counts=True)
        failures = {words.names[v] or "": int(c) for v, c in zip(values, counts)}
    return summarise(query, groups, fields, failures)


def _chosen(table: _Columns, query: StatsQuery, first: int, last: int, words: Vocabulary,
            filters: tuple[str, ...]) -> np.ndarray:
    columns = {"agency_code": "agency", "procedure_code": "procedure", "doc_type": "doc_type", "kind": "result"}
    matrix = table.array()
    day = matrix[:, table.column("day")]
    chosen = (day >= first) & (day <= last)
    for name in filters:
        value = getattr(query, name)
        if value is None:
            continue
        wanted = int(value == "result") if name == "kind" else words.ids.get(value, -2)  # unknown: nothing
        chosen &= matrix[:, table.column(columns[name])] == wanted
    return chosen


def _group(groups: dict[tuple[str, str], Tallied], table: _Columns, chosen: np.ndarray, query: StatsQuery,
           words: Vocabulary, dimensions: tuple[str, ...], names: tuple[str, ...], histogram: str) -> None:
    """Add, per group of each dimension (and the total), the sums (the first columns of the
    table, one per name) and the median and p95 of the time column ``histogram``."""
    if not chosen.any():
        return
    matrix = table.array()[chosen]
    sums, times = matrix[:, :len(names)], matrix[:, table.column(histogram)]
    timed = times != _NONE
    lowest = int(times[timed].min()) if timed.any() else 0
    span = int(times[timed].max()) - lowest + 1 if timed.any() else 1
    label = words.names.__getitem__
    keys = {"total": (None, lambda _: ""),
            "period": ("day", _day_name) if query.period == "day" else ("month", _month_name),
            "agency_code": ("agency", label), "procedure_code": ("procedure", label), "doc_type": ("doc_type", label)}
    for dimension in ("total", *dimensions):
        column, name = keys[dimension]
        if column is None:
            values, inverse, totals = np.zeros(1, np.int64), np.zeros(len(matrix), np.int64), sums.sum(axis=0)[None]
        else:  # one sort: the groups, each one's sums, and which group each row is in
            key = matrix[:, table.column(column)]
            order = np.argsort(key, kind="stable")
            ordered = key[order]
            new = np.r_[True, ordered[1:] != ordered[:-1]]
            starts = np.flatnonzero(new)
            values, totals = ordered[starts], np.add.reduceat(sums[order], starts, axis=0)
            inverse = np.empty(len(key), np.int64)
            inverse[order] = np.cumsum(new) - 1
        dense = np.bincount(inverse[timed] * span + (times[timed] - lowest),
                            minlength=len(values) * span).reshape(len(values), span)
        for value, counts, times_of in zip(values.tolist(), totals.tolist(), quantiles(dense, lowest)):
            if value >= 0 or column is None:  # < 0: activity that names no agency or procedure
                group = groups.setdefault((dimension, name(value)), Tallied())
                group.counts.update(dict(zip(names, counts)))
                setattr(group, histogram, times_of)
