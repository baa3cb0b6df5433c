"""The embedded index: SQLite FTS5 in WAL mode, one file, no server.

Layout: ``documents`` holds the metadata used for filters and hits, ``pages`` one row per page
with the original NFC text (for snippets), and the FTS5 table ``page_text`` (rowid = pages.id)
three indexed columns: ``exact`` (canonical tone placement, accents kept), ``folded`` (no
diacritics) and ``meta`` (one opaque token per filterable value, so filters are intersected
inside the full-text index).  Every word must match in ``exact`` or ``folded``.

Ranking has two regimes, because FTS5's bm25() reads every posting of every query word (its
IDF) before it scores a row: a word on 100,000 pages costs some 40 ms whatever else the query
says.  When each word is on at most RANK_BUDGET pages, matches are ranked by bm25 with
``exact`` weighing far more than ``folded``.  A broader query is answered without bm25: pages
where every accented word matches as typed come first, then the other matches, each newest
first; both are read backwards from the index, only as far as the page of results asked for.
Totals count up to TOTAL_CAP matching pages (then ``total_exact`` is false), as on Elasticsearch.

Threads: each thread gets its own connection (WAL lets readers run alongside a writer), and
writers in this process take one lock so they queue instead of spinning on SQLITE_BUSY; writers
in other processes (ingest workers) wait on SQLite's busy timeout.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ._query import exact_expression, match_expression, query_tokens, quoted
from ._snippet import clean_page, make_snippet, mark_words
from .errors import IndexUnavailable, SearchError
from .index import TOTAL_CAP, Fact, Hit, IndexEntry, SearchQuery, SearchResults, check_page
from .text import canonical_tones, fold, nfc

SCHEMA_VERSION = 3  # 2: citizen facts; 3: metadata tokens in the full-text index
BUSY_TIMEOUT_S = 10.0
EXACT_WEIGHT = 10.0
FOLDED_WEIGHT = 1.0
PAGE_BITS = 16  # a page's rowid names its document: count and group documents without a join
RANK_BUDGET = 10_000  # pages per query word up to which bm25 ranks within the latency target
# Filterable metadata, each value indexed as one token: prefix + "x" + hex of its UTF-8 bytes.
_META = {"agency_code": "ag", "procedure_code": "pr", "doc_type": "dt", "dossier_code": "dc"}

_SCHEMA = """
CREATE TABLE documents (
    id             INTEGER PRIMARY KEY,
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
CREATE INDEX documents_dossier ON documents(dossier_code);
CREATE INDEX documents_agency ON documents(agency_code);
CREATE INDEX documents_procedure ON documents(procedure_code);
CREATE INDEX documents_doc_type ON documents(doc_type);
CREATE TABLE pages (
    id          INTEGER PRIMARY KEY,  -- documents.id << PAGE_BITS | page_no
    document_id TEXT NOT NULL,
    page_no     INTEGER NOT NULL,
    text        TEXT NOT NULL
);
CREATE INDEX pages_document ON pages(document_id);
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
    exact, folded, meta, tokenize = 'unicode61 remove_diacritics 0'
);
"""


_DOCUMENT_COLUMNS = ("d.document_id, d.dossier_code, d.agency_code, d.procedure_code, d.doc_type, "
                     "d.filename, d.received_at")


def _meta_token(name: str, value: str) -> str:
    """One FTS5 token for a metadata value: letters and hex digits only, so no tokenizer splits it."""
    return f"{_META[name]}x{value.encode().hex()}"


class SqliteIndex:
    """Index backed by one SQLite file; see the module docstring for the threading model."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._registry_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._closed = False
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
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- writing ----------------------------------------------------------------------------

    @staticmethod
    def _delete(conn: sqlite3.Connection, document_id: str) -> None:
        conn.execute(
            "DELETE FROM page_text WHERE rowid IN (SELECT id FROM pages WHERE document_id = ?)",
            (document_id,),
        )
        conn.execute("DELETE FROM pages WHERE document_id = ?", (document_id,))
        conn.execute("DELETE FROM facts WHERE document_id = ?", (document_id,))
        conn.execute("DELETE FROM documents WHERE document_id = ?", (document_id,))

    @staticmethod
    def _insert(conn: sqlite3.Connection, entry: IndexEntry) -> None:
        if len(entry.pages) >= 1 << PAGE_BITS:
            raise SearchError(f"document {entry.document_id} has more than {(1 << PAGE_BITS) - 1} pages")
        cur = conn.execute(
            "INSERT INTO documents VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.document_id, entry.dossier_code, entry.agency_code, entry.procedure_code,
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
        key = cur.lastrowid << PAGE_BITS
        meta = " ".join(_meta_token(name, getattr(entry, name)) for name in _META)
        for page_no, raw in enumerate(entry.pages, start=1):
            text = clean_page(nfc(raw))
            exact = canonical_tones(text)
            conn.execute("INSERT INTO pages (id, document_id, page_no, text) VALUES (?, ?, ?, ?)",
                         (key | page_no, entry.document_id, page_no, text))
            conn.execute("INSERT INTO page_text (rowid, exact, folded, meta) VALUES (?, ?, ?, ?)",
                         (key | page_no, exact, fold(exact), meta))

    def upsert(self, entries: Iterable[IndexEntry]) -> None:
        with self._write_lock, self._transaction(immediate=True) as conn:
            for entry in entries:
                self._delete(conn, entry.document_id)
                self._insert(conn, entry)

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
                self._delete(conn, entry.document_id)  # a repeated id replaces, as in upsert
                self._insert(conn, entry)
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    # -- reading ----------------------------------------------------------------------------

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
        check_page(query)
        tokens = query_tokens(query.text)
        meta = [f'meta:"{_meta_token(name, getattr(query, name))}"' for name in _META
                if getattr(query, name) is not None]
        full = " AND ".join([match_expression(tokens), *meta])
        with self._transaction(immediate=False) as conn:
            pages, documents = conn.execute(
                f"""SELECT count(*), count(DISTINCT rowid >> {PAGE_BITS}) FROM (
                        SELECT rowid FROM page_text WHERE page_text MATCH ? LIMIT {TOTAL_CAP + 1})""",
                (full,)).fetchone()
            if not documents or query.offset >= documents and pages <= TOTAL_CAP:
                rows = []
            elif self._narrow(conn, tokens):
                rows = self._ranked(conn, tokens, query)
            else:
                rows = self._newest(conn, self._tiers(tokens, meta), query)
        marked = {fold(t) for t in tokens}
        return SearchResults(query=query.text, total=documents, total_exact=pages <= TOTAL_CAP,
                             hits=[self._hit(row, marked) for row in rows])

    @staticmethod
    def _narrow(conn: sqlite3.Connection, tokens: list[str]) -> bool:
        """True when no query word is on more than RANK_BUDGET pages, in either column."""
        phrases = [f'{column}:{quoted(word)}' for t in tokens for column, word in (("exact", t), ("folded", fold(t)))]
        return not any(conn.execute("SELECT 1 FROM page_text WHERE page_text MATCH ? LIMIT 1 OFFSET ?",
                                    (phrase, RANK_BUDGET)).fetchone() for phrase in dict.fromkeys(phrases))

    @staticmethod
    def _ranked(conn: sqlite3.Connection, tokens: list[str], query: SearchQuery) -> list[tuple]:
        """Every match scored by bm25; each document named by its best page."""
        where, params = ["page_text MATCH ?"], [match_expression(tokens)]
        for name in _META:
            if getattr(query, name) is not None:
                where.append(f"d.{name} = ?")
                params.append(getattr(query, name))
        # bm25() cannot be evaluated inside an aggregate, hence the MATERIALIZED CTE; SQLite
        # takes the bare columns of a MIN() aggregate from the row holding the minimum.
        return conn.execute(f"""
            WITH m AS MATERIALIZED (
                SELECT p.document_id AS document_id, p.page_no AS page_no,
                       bm25(page_text, {EXACT_WEIGHT}, {FOLDED_WEIGHT}, 0) AS rank
                FROM page_text JOIN pages p ON p.id = page_text.rowid
                JOIN documents d ON d.document_id = p.document_id
                WHERE {" AND ".join(where)}),
            best AS (SELECT document_id, page_no, MIN(rank) AS rank FROM m GROUP BY document_id)
            SELECT best.page_no, -best.rank, p.text, {_DOCUMENT_COLUMNS}
            FROM best JOIN documents d ON d.document_id = best.document_id
            JOIN pages p ON p.document_id = best.document_id AND p.page_no = best.page_no
            ORDER BY best.rank, d.document_id LIMIT ? OFFSET ?""",
            [*params, query.limit, query.offset]).fetchall()

    @staticmethod
    def _tiers(tokens: list[str], meta: list[str]) -> list[str]:
        """MATCH expressions of the ranking tiers of a broad query, best first, disjoint: every
        word as typed; then the accented words as typed and the others with any accents; then
        any accents. Tiers that would repeat the one before are left out."""
        levels = [" AND ".join([expression, *meta]) for expression in
                  (exact_expression(tokens, strict=True), exact_expression(tokens), match_expression(tokens))]
        tiers = [levels[0]]
        for before, level in zip(levels, levels[1:]):
            if level != before:
                tiers.append(f"({level}) NOT ({before})")
        return tiers

    @staticmethod
    def _newest(conn: sqlite3.Connection, tiers: list[str], query: SearchQuery) -> list[tuple]:
        """Documents by tier (see _tiers), newest first within a tier, read backwards
        from the index only until the asked page of results is full; a document is named by
        its first matching page in its best tier."""
        wanted = query.offset + query.limit
        best: dict[int, tuple[int, float]] = {}  # document key -> (page rowid, score), in order
        for tier, expression in enumerate(tiers):
            score = 1.0 / (1 + tier)
            rows = conn.execute("SELECT rowid FROM page_text WHERE page_text MATCH ? ORDER BY rowid DESC",
                                (expression,))
            for (rid,) in rows:
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
                                 JOIN documents d ON d.document_id = p.document_id WHERE p.id = ?""",
                             (score, rid)).fetchone()
                for rid, score in list(best.values())[query.offset:]]

    @staticmethod
    def _hit(row: tuple, marked: set[str]) -> Hit:
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
            snippet=make_snippet(text, mark_words(text, marked)),
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
