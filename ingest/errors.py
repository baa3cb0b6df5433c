"""Errors raised while receiving a dossier; the API maps them to HTTP statuses."""


class IngestError(Exception):
    code = "ingest_error"


class EmptyFile(IngestError):
    code = "empty_file"


class FileTooLarge(IngestError):
    code = "file_too_large"


class InvalidDossier(IngestError):
    """The dossier's own data (codes, kind, file list) is not acceptable."""

    code = "invalid_dossier"


class NotFailed(IngestError):
    """Only a failed document is read again."""

    code = "not_failed"


class DossierCodeTaken(IngestError):
    """A dossier is already held (or being received) under the code another system gave."""

    code = "dossier_code_taken"


class QueueUnavailable(IngestError):
    """The broker of scale-out mode did not answer (the dossier stays pending in the store)."""

    code = "queue_unavailable"
