"""The embedded index: SQLite FTS5 in WAL mode, one file, no server.

Layout: ``documents`` holds the metadata used for filters and hits, ``pages`` one row per page
with the original NFC text (for snippets), and the FTS5 table ``page_text`` (rowid = pages.id)
four indexed columns: ``exact`` (canonical tone placement, accents kept), ``folded`` (no
diacritics, each word marked so that it is not the same term as an unaccented word of
``exact``), ``codes`` (the dossier code, which code terms also match) and ``meta`` (one opaque
token per filterable value, so filters are intersected inside the full-text index).  Every term
must match in ``exact`` or ``folded`` (see _query.py for the syntax and the expressions).

A page's rowid is its document's key << PAGE_BITS | page number, and a document's key is the
second it was received << SEQ_BITS | a sequence number within that second.  So rowids run in
received order: counting and grouping documents needs no join, "newest first" is reading the
index backwards, and a range of days received is a range of rowids, which FTS5 seeks to.
FTS5 writes a new segment whenever a rowid is lower than the last one written, so pages go into
``page_text`` in rowid order after their documents are stored (see _fill).

Ranking has two regimes, because FTS5's bm25() reads every posting of every query word (its
IDF) before it scores a row: a word on 100,000 pages costs some 40 ms whatever else the query
says.  When each word (excluded ones too) is on at most RANK_BUDGET pages, matches are ranked by
bm25 with ``exact`` weighing far more than ``folded``.  A broader query is answered without
bm25: pages where every term matches as typed come first, then (when the query mixes words
typed with and without accents) pages where the accented terms do, then the other matches, each
newest first; each tier is read backwards from the index, only as far as the page of results
asked for, or, when the count found at most FEW matching pages, sorted out of those.  Sorting
by newest reads the matches the same way.  Totals and facets count the newest TOTAL_CAP matching
pages (beyond them ``total_exact`` is false), as on Elasticsearch.

Threads: each thread gets its own connection (WAL lets readers run alongside a writer), and
writers in this process take one lock so they queue instead of spinning on SQLITE_BUSY; writers
in other processes (ingest workers) wait on SQLite's busy timeout.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from . import _sqlite_stats
from ._query import (FOLDED_MARK, ParsedQuery, mark_folded, marked_terms, match_expression, parse_query,
                     word_strings)
from ._snippet import find_terms, make_snippet
from .errors import IndexUnavailable, SearchError
from .index import (FACET_SIZE, FACETS, TOTAL_CAP, FacetCount, Fact, Hit, IndexEntry, SearchQuery,
                    SearchResults, check_query, received_range)
from .stats import Activity, DocumentTally, Statistics, StatsQuery
from .text import canonical_tones, fold, nfc

SCHEMA_VERSION = 5  # 2: citizen facts; 3: metadata tokens in the full-text index;
#                    4: keys in received order, dossier codes, marked folded words; 5: statistics
BUSY_TIMEOUT_S = 10.0
EXACT_WEIGHT = 10.0
FOLDED_WEIGHT = 1.0
PAGE_BITS = 16  # a page's rowid names its document: count and group documents without a join
SEQ_BITS = 15  # documents received within one second; with 32 bits of seconds (1970-2106), 63 bits
_SECONDS_MAX = (1 << 32) - 1
_ROWID_MAX = (1 << 63) - 1
RANK_BUDGET = 10_000  # pages per query word up to which bm25 ranks within the latency target
FEW = 1_000  # matching pages whose rowids the count hands on, so that no tier reads them all again
# Filterable metadata, each value indexed as one token: prefix + "x" + hex of its UTF-8 bytes.
_META = {"agency_code": "ag", "procedure_code": "pr", "doc_type": "dt", "dossier_code": "dc"}

_SCHEMA = """
CREATE TABLE documents (
    id             INTEGER PRIMARY KEY,  -- received second << SEQ_BITS | sequence
    document_id    TEXT NOT NULL UNIQUE,
    dossier_code   TEXT NOT NULL,
    agency_code    TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    applicant_id   TEXT,
    kind           TEXT NOT NULL,
    doc_type       TEXT NOT NULL,
    filename       TEXT NOT NULL,
    received_at    TEXT NOT NULL
);
CREATE TABLE pages (
    id          INTEGER PRIMARY KEY,  -- documents.id << PAGE_BITS | page_no
    document_id TEXT NOT NULL,
    page_no     INTEGER NOT NULL,
    text        TEXT NOT NULL
);
CREATE TABLE facts (
    document_id  TEXT NOT NULL,
    citizen_id   TEXT NOT NULL,
    field        TEXT NOT NULL,
    value        TEXT NOT NULL,
    confidence   REAL NOT NULL,
    page_no      INTEGER NOT NULL,
    bbox         TEXT,
    confirmed_at TEXT,
    confirmed_by TEXT
);
CREATE INDEX facts_citizen ON facts(citizen_id, field);
CREATE INDEX facts_document ON facts(document_id);
CREATE VIRTUAL TABLE page_text USING fts5(
    exact, folded, codes, meta, tokenize = 'unicode61 remove_diacritics 0'
);
"""


_DOCUMENT_COLUMNS = ("d.document_id, d.dossier_code, d.agency_code, d.procedure_code, d.doc_type, "
                     "d.filename, d.received_at")


def _meta_token(name: str, value: str) -> str:
    """One FTS5 token for a metadata value: letters and hex digits only, so no tokenizer splits it."""
    return f"{_META[name]}x{value.encode().hex()}"


def _first_key(moment: datetime) -> int:
    """The lowest document key of the second ``moment`` falls in (clamped to 1970-2106)."""
    return min(max(math.floor(moment.timestamp()), 0), _SECONDS_MAX) << SEQ_BITS


def _rowid_range(start: datetime | None, end: datetime | None) -> tuple[int, int]:
    """First and last page rowid of the documents received in [start, end)."""
    return ((_first_key(start) << PAGE_BITS) if start else 0,
            ((_first_key(end) << PAGE_BITS) - 1) if end else _ROWID_MAX)


def _pages_of(key: int) -> tuple[int, int]:
    return key << PAGE_BITS, (key << PAGE_BITS) | ((1 << PAGE_BITS) - 1)


class SqliteIndex:
    """Index backed by one SQLite file; see the module docstring for the threading model."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._registry_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._closed = False
        self._statistics = _sqlite_stats.Copy()  # the statistics tables in memory, as numbers
        #: True when this open found an older schema and dropped it: the caller should reindex.
        self.schema_reset = False
        try:
            with self._write_lock, self._transaction(immediate=True) as conn:
                self._ensure_schema(conn)
        except BaseException:
            self.close()
            raise

    # -- connections and transactions -------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # only so close() can close it from another thread
            )
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # derived data: durability of last txn is enough
        except sqlite3.Error as e:
            raise IndexUnavailable(f"cannot open search index {self.path}: {e}") from e
        return conn

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise IndexUnavailable("the search index is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            with self._registry_lock:
                self._connections.append(conn)
            self._local.conn = conn
        return conn

    @contextmanager
    def _transaction(self, immediate: bool) -> Iterator[sqlite3.Connection]:
        """BEGIN (IMMEDIATE for writers, so the write lock is taken up front) … COMMIT.

        Readers also run in a transaction, so a count and a page of hits see one snapshot.
        sqlite errors become IndexUnavailable; other errors (e.g. from the caller's entry
        iterator) roll back and propagate unchanged.
        """
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        except sqlite3.Error as e:
            raise IndexUnavailable(f"search index busy or unreadable: {e}") from e
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as e:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if isinstance(e, sqlite3.Error):
                raise IndexUnavailable(f"search index error: {e}") from e
            raise

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        tables = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        if version == 0 and tables:
            raise SearchError(f"{self.path} is not a HoSo search index; refusing to overwrite it")
        if tables:
            self.schema_reset = True
            virtual = [n for n, sql in tables if (sql or "").upper().startswith("CREATE VIRTUAL")]
            for name in virtual:  # dropping a virtual table drops its shadow tables too
                conn.execute(f'DROP TABLE IF EXISTS "{name}"')
            for name, _ in tables:
                conn.execute(f'DROP TABLE IF EXISTS "{name}"')
        for statement in (_SCHEMA + _sqlite_stats.SCHEMA).split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- writing ----------------------------------------------------------------------------

    @staticmethod
    def _delete(conn: sqlite3.Connection, document_id: str) -> int | None:
        """Remove a document; return the key it had, if it was there."""
        row = conn.execute("SELECT id FROM documents WHERE document_id = ?", (document_id,)).fetchone()
        if row is None:
            return None
        first, last = _pages_of(row[0])
        conn.execute("DELETE FROM page_text WHERE rowid BETWEEN ? AND ?", (first, last))
        conn.execute("DELETE FROM pages WHERE id BETWEEN ? AND ?", (first, last))
        conn.execute("DELETE FROM facts WHERE document_id = ?", (document_id,))
        conn.execute("DELETE FROM documents WHERE id = ?", (row[0],))
        return row[0]

    @staticmethod
    def _new_key(conn: sqlite3.Connection, received: datetime, old: int | None) -> int:
        """A free key in the second ``received`` falls in: the document's old one if it is in
        that second (a re-read keeps its place), else the next after the last one used."""
        first = _first_key(received)
        last = first | ((1 << SEQ_BITS) - 1)
        if old is not None and first <= old <= last:
            return old
        (top,) = conn.execute("SELECT max(id) FROM documents WHERE id BETWEEN ? AND ?", (first, last)).fetchone()
        if top is None or top < last:
            return first if top is None else top + 1
        used = {k for (k,) in conn.execute("SELECT id FROM documents WHERE id BETWEEN ? AND ?", (first, last))}
        free = next((k for k in range(first, last + 1) if k not in used), None)
        if free is None:
            raise SearchError(f"more than {1 << SEQ_BITS} documents received in the second of {received}")
        return free

    def _store(self, conn: sqlite3.Connection, entry: IndexEntry) -> int:
        """Replace the document's rows (not yet its full text, see _fill); return its key."""
        if len(entry.pages) >= 1 << PAGE_BITS:
            raise SearchError(f"document {entry.document_id} has more than {(1 << PAGE_BITS) - 1} pages")
        key = self._new_key(conn, entry.received_at, self._delete(conn, entry.document_id))
        conn.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key, entry.document_id, entry.dossier_code, entry.agency_code, entry.procedure_code,
                entry.applicant_id, entry.kind, entry.doc_type, entry.filename,
                entry.received_at.isoformat(),
            ),
        )
        conn.executemany(
            "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(entry.document_id, f.citizen_id, f.field, f.value, f.confidence, f.page,
              json.dumps(f.bbox) if f.bbox is not None else None,
              f.confirmed_at.isoformat() if f.confirmed_at else None, f.confirmed_by)
             for f in entry.facts],
        )
        conn.executemany("INSERT INTO pages (id, document_id, page_no, text) VALUES (?, ?, ?, ?)",
                         [(key << PAGE_BITS | page_no, entry.document_id, page_no,
                           nfc(raw).replace(FOLDED_MARK, "\ufffd"))  # the mark is only ever ours
                          for page_no, raw in enumerate(entry.pages, start=1)])
        return key

    @staticmethod
    def _fill(conn: sqlite3.Connection, first: int, last: int) -> None:
        """Index the stored pages with rowids in [first, last], in rowid order, so FTS5 appends
        to one segment instead of starting a new one at every page that goes back in time."""
        names = list(_META)
        rows = conn.execute(f"""SELECT p.id, p.text, d.dossier_code, {", ".join(f"d.{n}" for n in names)}
                                FROM pages p JOIN documents d ON d.id = p.id >> {PAGE_BITS}
                                WHERE p.id BETWEEN ? AND ? ORDER BY p.id""", (first, last))

        def indexed() -> Iterator[tuple[int, str, str, str, str]]:
            for rowid, text, dossier_code, *values in rows:
                exact = canonical_tones(text)
                yield (rowid, exact, mark_folded(fold(exact)), mark_folded(fold(dossier_code)),
                       " ".join(map(_meta_token, names, values)))

        conn.executemany("INSERT INTO page_text (rowid, exact, folded, codes, meta) VALUES (?, ?, ?, ?, ?)",
                         indexed())

    def upsert(self, entries: Iterable[IndexEntry]) -> None:
        with self._write_lock, self._transaction(immediate=True) as conn:
            keys = {self._store(conn, entry) for entry in entries}
            for key in sorted(keys):
                self._fill(conn, *_pages_of(key))

    def delete_document(self, document_id: str) -> None:
        with self._write_lock, self._transaction(immediate=True) as conn:
            self._delete(conn, document_id)

    def replace_all(self, entries: Iterable[IndexEntry]) -> int:
        """One write transaction: WAL readers keep the old snapshot until COMMIT, and a failure
        while iterating ``entries`` rolls back to the old index."""
        with self._write_lock, self._transaction(immediate=True) as conn:
            conn.execute("DELETE FROM page_text")
            conn.execute("DELETE FROM pages")
            conn.execute("DELETE FROM facts")
            conn.execute("DELETE FROM documents")
            for entry in entries:
                self._store(conn, entry)  # a repeated id replaces, as in upsert
            self._fill(conn, 0, _ROWID_MAX)
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def tally(self, tallies: Iterable[DocumentTally]) -> None:
        with self._write_lock, self._transaction(immediate=True) as conn:
            follow = _sqlite_stats.tally(conn, self._statistics, tallies)
        follow()

    def note(self, activity: Iterable[Activity]) -> None:
        with self._write_lock, self._transaction(immediate=True) as conn:
            follow = _sqlite_stats.note(conn, self._statistics, activity)
        follow()

    def replace_statistics(self, tallies: Iterable[DocumentTally], activity: Iterable[Activity]) -> None:
        with self._write_lock, self._transaction(immediate=True) as conn:
            follow = _sqlite_stats.replace(conn, self._statistics, tallies, activity)
        follow()

    # -- reading ----------------------------------------------------------------------------
    def statistics(self, query: StatsQuery) -> Statistics:
        with self._transaction(immediate=False) as conn:
            return _sqlite_stats.statistics(conn, self._statistics, query)


    def facts(self, citizen_id: str, fields: list[str] | None = None) -> list[Fact]:
        where, params = "f.citizen_id = ?", [citizen_id]
        if fields:
            where += f" AND f.field IN ({', '.join('?' * len(fields))})"
            params += fields
        with self._transaction(immediate=False) as conn:
            rows = conn.execute(
                f"""SELECT f.citizen_id, f.field, f.value, f.confidence, f.page_no, f.bbox,
                           f.confirmed_at, f.confirmed_by, d.dossier_code, d.document_id,
                           d.doc_type, d.received_at
                    FROM facts f JOIN documents d ON d.document_id = f.document_id
                    WHERE {where}""", params).fetchall()
        return [Fact(citizen_id=r[0], field=r[1], value=r[2], confidence=r[3], page=r[4],
                     bbox=json.loads(r[5]) if r[5] else None, confirmed_at=r[6], confirmed_by=r[7],
                     dossier_code=r[8], document_id=r[9], doc_type=r[10], received_at=r[11])
                for r in rows]

    def count(self) -> int:
        with self._transaction(immediate=False) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def search(self, query: SearchQuery) -> SearchResults:
        check_query(query)
        parsed = parse_query(query.text)
        first, last = _rowid_range(*received_range(query))
        meta = [f'meta:"{_meta_token(name, getattr(query, name))}"' for name in _META
                if getattr(query, name) is not None]
        full = self._expression(parsed, "matches", meta)
        with self._transaction(immediate=False) as conn:
            pages, documents, facets, few = self._count(conn, full, first, last)
            if not documents or query.offset >= documents and pages <= TOTAL_CAP:
                rows = []
            elif query.sort == "newest":
                rows = self._newest(conn, [few or self._matches(conn, full, first, last)], query)
            elif self._narrow(conn, parsed):
                rows = self._ranked(conn, parsed, first, last, query)
            elif few:
                rows = self._newest(conn, self._sorted_into_tiers(conn, parsed, few), query)
            else:
                rows = self._newest(conn, (self._matches(conn, tier, first, last)
                                           for tier in self._tiers(parsed, meta)), query)
        marked = marked_terms(parsed)
        return SearchResults(query=query.text, total=documents, total_exact=pages <= TOTAL_CAP,
                             hits=[self._hit(row, marked) for row in rows], facets=facets)

    @staticmethod
    def _expression(parsed: ParsedQuery, level: str, meta: list[str]) -> str:
        return " AND ".join(f"({part})" for part in [match_expression(parsed, level), *meta])

    @staticmethod
    def _count(conn: sqlite3.Connection, expression: str, first: int,
               last: int) -> tuple[int, int, dict[str, list[FacetCount]], list[int]]:
        """Matching pages and documents among the newest TOTAL_CAP + 1 matching pages; among
        those documents, how many have each value of each facet; and when there are at most
        FEW matching pages, their rowids, newest first, so nothing has to read them again."""
        grouped = "".join(f" UNION ALL SELECT '{name}', {name}, count(*) FROM f GROUP BY {name}"
                          for name in FACETS)
        rows = conn.execute(f"""
            WITH m AS MATERIALIZED (
                     SELECT rowid AS id FROM page_text WHERE page_text MATCH ? AND rowid BETWEEN ? AND ?
                     ORDER BY rowid DESC LIMIT {TOTAL_CAP + 1}),
                 f AS MATERIALIZED (
                     SELECT {", ".join(FACETS)} FROM (SELECT DISTINCT id >> {PAGE_BITS} AS key FROM m)
                     CROSS JOIN documents d ON d.id = key)
            SELECT '', 'pages', count(*) FROM m UNION ALL SELECT '', 'documents', count(*) FROM f{grouped}
            UNION ALL SELECT '.', '', id FROM m WHERE (SELECT count(*) FROM m) <= {min(FEW, TOTAL_CAP)}""",
            (expression, first, last)).fetchall()
        counts = {value: n for name, value, n in rows if not name}
        facets: dict[str, list[FacetCount]] = {name: [] for name in FACETS}
        for name, value, n in sorted((row for row in rows if row[0] in facets),
                                     key=lambda row: (-row[2], row[1])):
            if len(facets[name]) < FACET_SIZE:
                facets[name].append(FacetCount(value=value, count=n))
        few = sorted((rowid for name, _, rowid in rows if name == "."), reverse=True)
        return counts["pages"], counts["documents"], facets, few

    @staticmethod
    def _matches(conn: sqlite3.Connection, expression: str, first: int, last: int) -> Iterator[int]:
        """Rowids of the matching pages, newest first, read only as far as the caller reads."""
        for (rowid,) in conn.execute("SELECT rowid FROM page_text WHERE page_text MATCH ? "
                                     "AND rowid BETWEEN ? AND ? ORDER BY rowid DESC", (expression, first, last)):
            yield rowid

    @staticmethod
    def _narrow(conn: sqlite3.Connection, parsed: ParsedQuery) -> bool:
        """True when no query word is on more than RANK_BUDGET pages, in any column it is looked
        up in, and no word is a prefix (bm25 would read every word it stands for)."""
        if any(term.prefix for term in parsed.terms + parsed.excluded):
            return False
        return not any(conn.execute("SELECT 1 FROM page_text WHERE page_text MATCH ? LIMIT 1 OFFSET ?",
                                    (word, RANK_BUDGET)).fetchone() for word in word_strings(parsed))

    @staticmethod
    def _ranked(conn: sqlite3.Connection, parsed: ParsedQuery, first: int, last: int,
                query: SearchQuery) -> list[tuple]:
        """Every match scored by bm25; each document named by its best page."""
        where = ["page_text MATCH ?", "page_text.rowid BETWEEN ? AND ?"]
        params: list[object] = [match_expression(parsed), first, last]
        for name in _META:
            if getattr(query, name) is not None:
                where.append(f"d.{name} = ?")
                params.append(getattr(query, name))
        join = f"CROSS JOIN documents d ON d.id = page_text.rowid >> {PAGE_BITS}" if len(where) > 2 else ""
        # bm25() cannot be evaluated inside an aggregate, hence the MATERIALIZED CTE; SQLite
        # takes the bare columns of a MIN() aggregate from the row holding the minimum.
        return conn.execute(f"""
            WITH m AS MATERIALIZED (
                SELECT page_text.rowid AS id,
                       bm25(page_text, {EXACT_WEIGHT}, {FOLDED_WEIGHT}, {EXACT_WEIGHT}, 0) AS rank
                FROM page_text {join} WHERE {" AND ".join(where)}),
            best AS (SELECT id >> {PAGE_BITS} AS key, id, MIN(rank) AS rank FROM m GROUP BY id >> {PAGE_BITS})
            SELECT p.page_no, -best.rank, p.text, {_DOCUMENT_COLUMNS}
            FROM best JOIN documents d ON d.id = best.key JOIN pages p ON p.id = best.id
            ORDER BY best.rank, d.document_id LIMIT ? OFFSET ?""",
            [*params, query.limit, query.offset]).fetchall()

    @staticmethod
    def _levels(parsed: ParsedQuery) -> list[str]:
        """The levels (see match_expression) that rank a broad query, best first: every term as
        typed; each term as typed, where the query mixes terms typed with and without accents
        (otherwise the same set as one of the others); any accents."""
        bare = {term.bare for term in parsed.terms}
        return ["strict", "typed", "matches"] if len(bare) > 1 else ["strict", "matches"]

    @classmethod
    def _tiers(cls, parsed: ParsedQuery, meta: list[str]) -> list[str]:
        """MATCH expressions of the ranking tiers of a broad query (see _levels), disjoint."""
        levels = [cls._expression(parsed, level, meta) for level in cls._levels(parsed)]
        return [levels[0], *(f"({level}) NOT ({before})" for before, level in zip(levels, levels[1:]))]

    @classmethod
    def _sorted_into_tiers(cls, conn: sqlite3.Connection, parsed: ParsedQuery,
                           rowids: list[int]) -> list[list[int]]:
        """The tiers of a few matching pages (rowids newest first): each level but the last read
        once, over the span of rowids only; whatever is left is the last tier."""
        tiers: list[list[int]] = []
        left = rowids
        for level in cls._levels(parsed)[:-1]:
            found = {rowid for (rowid,) in conn.execute(
                "SELECT rowid FROM page_text WHERE page_text MATCH ? AND rowid BETWEEN ? AND ?",
                (match_expression(parsed, level), left[-1], left[0]))} if left else set()
            tiers.append([rowid for rowid in left if rowid in found])
            left = [rowid for rowid in left if rowid not in found]
        return [*tiers, left]

    @staticmethod
    def _newest(conn: sqlite3.Connection, tiers: Iterable[Iterable[int]], query: SearchQuery) -> list[tuple]:
        """Documents by tier (see _tiers; each tier's page rowids newest first), newest first
        within a tier, read only until the asked page of results is full; a document is named
        by its first matching page in its best tier."""
        wanted = query.offset + query.limit
        best: dict[int, tuple[int, float]] = {}  # document key -> (page rowid, score), in order
        for tier, rowids in enumerate(tiers):
            score = 1.0 / (1 + tier)
            for rid in rowids:
                key = rid >> PAGE_BITS
                if key not in best:
                    if len(best) == wanted:  # a document's pages are adjacent: the last one is whole
                        break
                    best[key] = (rid, score)
                elif best[key][1] == score:
                    best[key] = (rid, score)  # rowids descend: an earlier page of the same document
            if len(best) == wanted:
                break
        return [conn.execute(f"""SELECT p.page_no, ?, p.text, {_DOCUMENT_COLUMNS} FROM pages p
                                 JOIN documents d ON d.id = p.id >> {PAGE_BITS} WHERE p.id = ?""",
                             (score, rid)).fetchone()
                for rid, score in list(best.values())[query.offset:]]

    @staticmethod
    def _hit(row: tuple, marked: list[tuple[tuple[str, ...], bool]]) -> Hit:
        page_no, score, text, document_id, dossier, agency, procedure, doc_type, filename, received = row
        return Hit(
            dossier_code=dossier,
            document_id=document_id,
            doc_type=doc_type,
            filename=filename,
            agency_code=agency,
            procedure_code=procedure,
            received_at=datetime.fromisoformat(received),
            page=page_no,
            score=score,
            snippet=make_snippet(text, find_terms(text, marked)),
        )

    def close(self) -> None:
        with self._registry_lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            try:
                conn.close()
            except sqlite3.Error:
                pass
