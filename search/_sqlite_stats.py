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

from .stats import (DIMENSIONS, Activity, DocumentTally, StatsQuery, Statistics, Tallied, summarise)

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
_LOWEST, _SPAN = -(1 << 15), 1 << 16  # time buckets (about ±1e300 s) packed beside a group number


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
    """One table as arrays (rows in any order), built from its rows when asked for."""

    names: tuple[str, ...]
    rows: dict[str, tuple]  # id -> the row's numbers
    arrays: dict[str, np.ndarray] | None = None

    def array(self) -> dict[str, np.ndarray]:
        if self.arrays is None:
            matrix = np.array(list(self.rows.values()), dtype=np.int64).reshape(len(self.rows), len(self.names))
            self.arrays = {name: matrix[:, n] for n, name in enumerate(self.names)}
        return self.arrays

    def put(self, key: str, row: tuple, keep_first: bool = False) -> None:
        if keep_first and key in self.rows:
            return
        self.rows[key] = row
        self.arrays = None


class Copy:
    """The statistics tables of one index file in memory, as numbers (see the module docstring)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.empty()

    def empty(self) -> None:
        self.generation: int | None = None  # what the copy reflects; None: load before answering
        self.words = Vocabulary()  # agencies, procedures, doc types, reasons, "doc_type/field" names
        self.tallies = _Columns(("day", "month", "agency", "procedure", "doc_type", "result", "first", "done",
                                 "failed", "pages", "fields_read", "confirmed", "corrected", "processing", "reason"),
                                {})
        self.outcomes: dict[str, list[tuple[int, int]]] = {}  # document -> (doc_type/field, corrected)
        self.activity = _Columns(("day", "month", "agency", "procedure", "citizen_data", "autofill", "receipt",
                                  "asked", "served", "desk"), {})

    # -- rows as numbers ---------------------------------------------------------------------
    def take_tally(self, row: tuple) -> None:
        (document_id, _, first, agency, procedure, kind, doc_type, status, reason, day, pages, fields_read,
         confirmed, corrected, processing) = row
        w = self.words.id
        confirmed, corrected = [f for f in confirmed.split(",") if f], [f for f in corrected.split(",") if f]
        self.tallies.put(document_id, (
            *_day(day), w(agency), w(procedure), w(doc_type), int(kind == "result"), first, int(status == "done"),
            int(status == "failed"), pages, fields_read, len(confirmed), len(corrected),
            _NONE if processing is None else processing, w(reason) if status == "failed" else -1))
        self.outcomes[document_id] = ([(w(f"{doc_type}/{f}"), 0) for f in confirmed]
                                      + [(w(f"{doc_type}/{f}"), 1) for f in corrected])

    def take_note(self, row: tuple) -> None:
        entry_id, action, day, agency, procedure, _, asked, served, desk = row
        w = self.words.id
        self.activity.put(entry_id, (
            *_day(day), w(agency) if agency else -1, w(procedure) if procedure else -1,
            int(action == "citizen_data"), int(action == "autofill"), int(action == "receipt"), asked, served,
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
        t, a = copy.tallies.array(), copy.activity.array()
        words = copy.words
        groups: dict[tuple[str, str], Tallied] = {}
        chosen = _chosen(t, query, first, last, words, ("agency_code", "procedure_code", "doc_type", "kind"))
        _group(groups, t, chosen, query, words, DIMENSIONS, _DOCUMENT_COUNTS, (
            t["first"], np.ones_like(t["first"]), t["done"], t["pages"], 1 - t["result"], t["result"], t["failed"],
            t["fields_read"], t["confirmed"], t["corrected"]), "processing", t["processing"])
        # Audit activity has no document type or kind; a filter on agency or procedure leaves out
        # what names none (citizen-data reads).
        picked = _chosen(a, query, first, last, words, ("agency_code", "procedure_code"))
        _group(groups, a, picked, query, words, DIMENSIONS[:-1], _ACTIVITY_COUNTS,
               (a["citizen_data"], a["autofill"], a["asked"], a["served"], a["receipt"]), "desk", a["desk"])
        fields: dict[tuple[str, str], list[int]] = {}
        ids = list(copy.tallies.rows)
        for n in np.flatnonzero(chosen & ((t["confirmed"] + t["corrected"]) > 0)):
            for field, corrected in copy.outcomes[ids[n]]:
                fields.setdefault(tuple(words.names[field].split("/", 1)), [0, 0])[corrected] += 1
        reasons = t["reason"][chosen & (t["failed"] == 1)]
        values, counts = np.unique(reasons, return_counts=True)
        failures = {words.names[v] or "": int(c) for v, c in zip(values, counts)}
    return summarise(query, groups, {k: (v[0], v[1]) for k, v in fields.items()}, failures)


def _chosen(arrays: dict[str, np.ndarray], query: StatsQuery, first: int, last: int, words: Vocabulary,
            filters: tuple[str, ...]) -> np.ndarray:
    columns = {"agency_code": "agency", "procedure_code": "procedure", "doc_type": "doc_type", "kind": "result"}
    chosen = (arrays["day"] >= first) & (arrays["day"] <= last)
    for name in filters:
        value = getattr(query, name)
        if value is None:
            continue
        wanted = int(value == "result") if name == "kind" else words.ids.get(value, -2)  # unknown: nothing
        chosen &= arrays[columns[name]] == wanted
    return chosen


def _group(groups: dict[tuple[str, str], Tallied], arrays: dict[str, np.ndarray], chosen: np.ndarray,
           query: StatsQuery, words: Vocabulary, dimensions: tuple[str, ...], names: tuple[str, ...],
           sums: tuple[np.ndarray, ...], histogram: str, buckets: np.ndarray) -> None:
    """Add, per group of each dimension (and the total), the sums and the time histogram."""
    if not chosen.any():
        return
    matrix = np.stack([s[chosen] for s in sums], axis=1)
    times = buckets[chosen]
    keys = {"total": (np.zeros(len(matrix), dtype=np.int64), lambda _: ""),
            "period": ((arrays["day"], _day_name) if query.period == "day" else (arrays["month"], _month_name)),
            "agency_code": (arrays["agency"], words.names.__getitem__),
            "procedure_code": (arrays["procedure"], words.names.__getitem__),
            "doc_type": (arrays.get("doc_type"), words.names.__getitem__)}
    for dimension in ("total", *dimensions):
        column, name = keys[dimension]
        if dimension != "total":
            column = column[chosen]
        values, inverse = np.unique(column, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(inverse[order]) != 0])
        totals = np.add.reduceat(matrix[order], starts, axis=0)
        timed = times != _NONE
        pairs, counts = np.unique(inverse[timed] * _SPAN + (times[timed] - _LOWEST), return_counts=True)
        for n, value in enumerate(values):
            if value < 0:  # activity that names no agency or procedure
                continue
            group = groups.setdefault((dimension, name(int(value))), Tallied())
            group.counts.update(dict(zip(names, totals[n].tolist())))
        for pair, count in zip(pairs.tolist(), counts.tolist()):
            n, b = divmod(pair, _SPAN)
            if values[n] >= 0:
                getattr(groups[(dimension, name(int(values[n])))], histogram)[b + _LOWEST] = count
