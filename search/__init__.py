"""Full-text and metadata search over dossiers, with Vietnamese diacritic folding.

The index is derived data: ``hoso reindex`` rebuilds it from the object store.  Callers use
``open_index(url)`` and the ``Index`` Protocol; the backends are private modules.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import BadQuery, IndexUnavailable, SearchError
from .index import Hit, Index, IndexEntry, SearchQuery, SearchResults

__all__ = [
    "BadQuery",
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
    """Open the index named by ``url``; only ``sqlite:///absolute/path/index.sqlite`` for now.

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
        raise SearchError(
            f"Elasticsearch indexes ({url!r}) are not supported yet; use sqlite:///absolute/path"
        )
    raise SearchError(f"unknown search index URL scheme {parts.scheme!r} in {url!r}")
