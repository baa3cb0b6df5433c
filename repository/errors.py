"""Errors raised by the repository package; the API maps them to HTTP statuses."""


class RepositoryError(Exception):
    code = "repository_error"


class ObjectNotFound(RepositoryError):
    code = "not_found"


class ObjectExists(RepositoryError):
    code = "already_exists"


class FixityError(RepositoryError):
    """A stored object no longer has the SHA-256 recorded for it."""

    code = "fixity_failed"


class StoreUnavailable(RepositoryError):
    code = "store_unavailable"


class SigningError(RepositoryError):
    code = "signing_failed"


class ArchivalCopyError(RepositoryError):
    code = "archival_copy_failed"
