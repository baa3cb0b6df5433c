"""Full-text and metadata search over dossiers, with Vietnamese diacritic folding.

The index is derived data: ``hoso reindex`` rebuilds it from the object store.  Callers use
``open_index(url)`` and the ``Index`` Protocol; the backends are private modules.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from .errors import BadQuery, IndexUnavailable, SearchError
from .index import CitizenFact, FacetCount, Fact, Hit, Index, IndexEntry, SearchQuery, SearchResults
from .stats import Activity, DocumentTally, Statistics, StatsQuery

__all__ = [
    "Activity",
    "DocumentTally",
    "Statistics",
    "StatsQuery",
    "BadQuery",
    "CitizenFact",
    "FacetCount",
    "Fact",
    "Hit",
    "Index",
    "IndexEntry",
    "IndexUnavailable",
    "SearchError",
    "SearchQuery",
    "SearchResults",
    "open_index",
]


def open_index(url: str) -> Index:
    """Open the index named by ``url``: ``sqlite:///absolute/path/index.sqlite`` (embedded) or
    ``http://host:9200?prefix=hoso`` (Elasticsearch 8).

    The parent directory is created, so a fresh data directory works on first start.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # SQLAlchemy habit writes four slashes for an absolute path; both mean the same file.
        path = "/" + unquote(parts.path).lstrip("/")
        if parts.netloc or not parts.path.startswith("/") or path == "/":
            raise SearchError(f"expected sqlite:///absolute/path/index.sqlite, got {url!r}")
        from ._sqlite import SqliteIndex

        file = Path(path)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise IndexUnavailable(f"cannot create {file.parent}: {e}") from e
        return SqliteIndex(file)
    if parts.scheme in ("http", "https"):
        from ._elastic import ElasticIndex

        options = dict(parse_qsl(parts.query))
        unknown = set(options) - {"prefix", "shards", "replicas", "timeout", "retries"}
        if unknown or not parts.netloc:
            raise SearchError("expected http://host:9200[?prefix=hoso&shards=1&replicas=0&timeout=30&retries=3], "
                              f"got {url!r}")
        try:
            return ElasticIndex(f"{parts.scheme}://{parts.netloc}{parts.path}", prefix=options.get("prefix", "hoso"),
                                shards=int(options.get("shards", 1)), replicas=int(options.get("replicas", 0)),
                                timeout=float(options.get("timeout", 30)), retries=int(options.get("retries", 3)))
        except ValueError as e:
            raise SearchError(f"bad Elasticsearch index URL {url!r}: {e}") from e
    raise SearchError(f"unknown search index URL scheme {parts.scheme!r} in {url!r}")
