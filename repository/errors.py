"""Errors raised by the repository package; the API maps them to HTTP statuses."""

import errno

NO_SPACE = (errno.ENOSPC, errno.EDQUOT)  # an OSError of a full disk or quota


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


class StoreFull(StoreUnavailable):
    """No space left where the store (or its scratch space) writes: nothing new can be kept
    until an operator makes room. Reads still work."""

    code = "storage_full"
    retry_after = 300


class SigningError(RepositoryError):
    code = "signing_failed"


class ArchivalCopyError(RepositoryError):
    code = "archival_copy_failed"


class RetentionLocked(RepositoryError):
    """The store refuses to delete or shorten: the object is under retention or legal hold."""

    code = "retention_locked"


class DisposalRefused(RepositoryError):
    """A document may not be disposed of (yet): its retention runs, a legal hold holds it, it
    is kept permanently, or it is not finished. `code` says which."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


class DocumentDisposed(RepositoryError):
    """The document was disposed of after its retention period: only its tombstone remains."""

    code = "disposed"


class PackageRefused(RepositoryError):
    """A transfer package that cannot be imported as it is: a checksum or signature that does not
    hold, a file missing or extra, a layout HoSo does not write, or a dossier already held.
    Nothing of it is kept."""

    code = "package_refused"
