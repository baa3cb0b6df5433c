"""The embedded index: SQLite FTS5 in WAL mode, one file, no server.

Layout: ``documents`` holds the metadata used for filters and hits, ``pages`` one row per page
with the original NFC text (for snippets), and the FTS5 table ``page_text`` (rowid = pages.id)
two indexed columns: ``exact`` (canonical tone placement, accents kept) and ``folded`` (no
diacritics).  Every word must match in one or the other; bm25 weighs ``exact`` far higher so an
accented match ranks above a folded-only one.

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

from ._query import match_expression, query_tokens
from ._snippet import CLOSE, OPEN, clean_page, make_snippet
from .errors import BadQuery, IndexUnavailable, SearchError
from .index import MAX_LIMIT, Fact, Hit, IndexEntry, SearchQuery, SearchResults
from .text import canonical_tones, fold, nfc

SCHEMA_VERSION = 2  # 2: citizen facts
BUSY_TIMEOUT_S = 10.0
EXACT_WEIGHT = 10.0
FOLDED_WEIGHT = 1.0
_FILTERS = ("agency_code", "procedure_code", "doc_type", "dossier_code")

_SCHEMA = """
CREATE TABLE documents (
    document_id    TEXT PRIMARY KEY,
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
    id          INTEGER PRIMARY KEY,
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
    exact, folded, tokenize = 'unicode61 remove_diacritics 0'
);
"""


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
        conn.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        for page_no, raw in enumerate(entry.pages, start=1):
            text = clean_page(nfc(raw))
            exact = canonical_tones(text)
            cur = conn.execute(
                "INSERT INTO pages (document_id, page_no, text) VALUES (?, ?, ?)",
                (entry.document_id, page_no, text),
            )
            conn.execute(
                "INSERT INTO page_text (rowid, exact, folded) VALUES (?, ?, ?)",
                (cur.lastrowid, exact, fold(exact)),
            )

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
        if not 1 <= query.limit <= MAX_LIMIT:
            raise BadQuery(f"limit must be between 1 and {MAX_LIMIT}")
        if query.offset < 0:
            raise BadQuery("offset must not be negative")
        match = match_expression(query_tokens(query.text))
        where = ["page_text MATCH ?"]
        params: list[object] = [match]
        for name in _FILTERS:
            value = getattr(query, name)
            if value is not None:
                where.append(f"d.{name} = ?")
                params.append(value)
        matches = f"""
            SELECT p.document_id AS document_id, p.page_no AS page_no, page_text.rowid AS rid,
                   bm25(page_text, {EXACT_WEIGHT}, {FOLDED_WEIGHT}) AS rank
            FROM page_text
            JOIN pages p ON p.id = page_text.rowid
            JOIN documents d ON d.document_id = p.document_id
            WHERE {" AND ".join(where)}
        """
        # bm25() cannot be evaluated inside an aggregate, hence the MATERIALIZED CTE; SQLite
        # takes the bare columns of a MIN() aggregate from the row holding the minimum.
        sql = f"""
            WITH m AS MATERIALIZED ({matches}),
                 best AS (SELECT document_id, page_no, rid, MIN(rank) AS rank
                          FROM m GROUP BY document_id)
            SELECT best.page_no, best.rid, best.rank, count(*) OVER () AS total,
                   d.document_id, d.dossier_code, d.agency_code, d.procedure_code,
                   d.doc_type, d.filename, d.received_at
            FROM best JOIN documents d ON d.document_id = best.document_id
            ORDER BY best.rank, d.document_id
            LIMIT ? OFFSET ?
        """
        with self._transaction(immediate=False) as conn:
            rows = conn.execute(sql, [*params, query.limit, query.offset]).fetchall()
            if rows:
                total = rows[0][3]
            elif query.offset:  # past the last page: the window count is gone, count directly
                total = conn.execute(
                    f"SELECT count(DISTINCT document_id) FROM ({matches})", params
                ).fetchone()[0]
            else:
                total = 0
            hits = [self._hit(conn, match, row) for row in rows]
        return SearchResults(query=query.text, total=total, hits=hits)

    @staticmethod
    def _hit(conn: sqlite3.Connection, match: str, row: tuple) -> Hit:
        page_no, rid, rank, _total, document_id, dossier, agency, procedure, doc_type, filename, received = row
        highlighted, original = conn.execute(
            """SELECT highlight(page_text, 1, ?, ?), p.text
               FROM page_text JOIN pages p ON p.id = page_text.rowid
               WHERE page_text MATCH ? AND page_text.rowid = ?""",
            (OPEN, CLOSE, match, rid),
        ).fetchone()
        return Hit(
            dossier_code=dossier,
            document_id=document_id,
            doc_type=doc_type,
            filename=filename,
            agency_code=agency,
            procedure_code=procedure,
            received_at=datetime.fromisoformat(received),
            page=page_no,
            score=-rank,
            snippet=make_snippet(original, highlighted),
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
