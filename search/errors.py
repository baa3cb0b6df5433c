"""Errors raised by the search package; the API maps them to HTTP statuses by ``code``."""


class SearchError(Exception):
    """Root of every error the search package raises (also: unknown index URL)."""

    code = "search_error"


class IndexUnavailable(SearchError):
    """The index cannot be opened, read or written (locked too long, disk, closed index)."""

    code = "index_unavailable"


class BadQuery(SearchError):
    """The query cannot be run as given: no searchable words, limit or offset out of range."""

    code = "bad_query"
