"""The object store: the system of record. Everything else is derived from what is here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterator, Protocol

from .errors import FixityError, RepositoryError

if TYPE_CHECKING:
    from .options import StoreOptions

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredObject:
    key: str
    sha256: str
    size: int


class ObjectStore(Protocol):
    """Keys are `/`-separated paths such as `dossiers/{code}/manifest.json`.

    Every write is atomic and durable before it returns: a reader sees the old object or
    the whole new one, and a crash after return loses nothing.
    """

    def put(self, key: str, data: bytes) -> StoredObject: ...

    def put_file(self, key: str, path: Path, *, move: bool = False) -> StoredObject:
        """Store a file's content; with `move` the caller gives the file up, and a store on
        the same file system may take it without copying."""
        ...

    def create(self, key: str, data: bytes) -> bool:
        """Write only if the key does not exist yet; False when it already did."""
        ...

    def get(self, key: str) -> bytes: ...

    def open(self, key: str) -> BinaryIO: ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str) -> Iterator[str]: ...

    def delete(self, key: str) -> None: ...

    # -- retention: what the store itself enforces, below HoSo's own checks ----------------
    def retain(self, key: str, until: datetime, mode: str) -> None:
        """Lock every version of the object until `until` (mode `governance` or `compliance`):
        until then the store refuses to destroy a version or to shorten the lock
        (RetentionLocked); extending it is allowed. ObjectNotFound for a missing object."""
        ...

    def hold(self, key: str, on: bool) -> None:
        """Set or lift a legal hold on every version of the object: while it is set no version
        can be destroyed, whatever the retention date."""
        ...

    def locked(self, key: str) -> str | None:
        """Why the store would refuse to destroy the object now (a version retained or held),
        or None."""
        ...

    def purge(self, key: str, *, keep_current: bool = False) -> int:
        """Destroy every version of the object (with `keep_current`, every version but the
        current one), for lawful disposal; RetentionLocked while a version is locked. Returns
        how many versions (and delete markers) were removed."""
        ...


def sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def get_verified(store: ObjectStore, key: str, sha256: str) -> bytes:
    """Read an object and check it against the SHA-256 recorded when it was stored."""
    data = store.get(key)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise FixityError(f"{key}: content no longer matches its recorded SHA-256")
    return data


def copy_verified(store: ObjectStore, key: str, sha256: str, target: Path) -> None:
    """Stream an object to a local file, checking fixity on the way."""
    digest = hashlib.sha256()
    with store.open(key) as src, open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
    if digest.hexdigest() != sha256:
        target.unlink(missing_ok=True)
        raise FixityError(f"{key}: content no longer matches its recorded SHA-256")


def open_store(url: str, options: "StoreOptions | None" = None) -> ObjectStore:
    """Choose the backend by URL: `file:///abs/dir` (the embedded default) or
    `s3://host:port/bucket` (MinIO or another S3; credentials and the rest in `options`)."""
    if url.startswith("file://"):
        from ._localfs import LocalStore

        return LocalStore(Path(url.removeprefix("file://")))
    if url.startswith("s3://"):
        from ._minio import MinioStore
        from .options import StoreOptions

        endpoint, _, bucket = url.removeprefix("s3://").partition("/")
        if not endpoint or not bucket or "/" in bucket:
            raise RepositoryError(f"object store URL {url!r} must be s3://host:port/bucket")
        return MinioStore(endpoint, bucket, options or StoreOptions())
    raise RepositoryError(f"unsupported object store URL: {url!r} (expected file:///… or s3://…)")
