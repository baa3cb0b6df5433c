"""Object store on a local directory: temp file, fsync, rename, fsync the directory.

Retention is enforced here by HoSo, not by the file system: a lock is a small JSON file under
`.retention/{key}/lock.json` (retain-until, mode, legal hold), and this store refuses to delete
a locked object, to purge it or to shorten its lock. Writing over a locked object keeps the
version it replaces beside the lock (`.retention/{key}/v-{ns}`), as a versioned bucket does.
Anyone who can write the directory can still remove the files: only MinIO's object lock is
stronger than the machine's administrator.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Iterator

from .errors import NO_SPACE, ObjectNotFound, RepositoryError, RetentionLocked, StoreFull, StoreUnavailable
from .store import CHUNK, StoredObject, sha256_file


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / ".tmp"
        try:
            self._tmp.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreUnavailable(f"cannot create store directory {root}: {e}") from e

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            raise RepositoryError(f"invalid object key: {key!r}")
        return self.root.joinpath(*parts)

    def _write_temp(self, write) -> tuple[Path, str, int]:
        fd, name = tempfile.mkstemp(dir=self._tmp)
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in write():
                    digest.update(chunk)
                    size += len(chunk)
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
        except BaseException as e:
            os.unlink(name)
            if isinstance(e, OSError) and e.errno in NO_SPACE:
                raise StoreFull(f"no space left in the store {self.root}: {e}") from e
            raise
        return Path(name), digest.hexdigest(), size

    def _commit(self, temp: Path, target: Path, *, exclusive: bool) -> bool:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if exclusive:
                try:
                    os.link(temp, target)  # fails if the target exists: atomic create
                except FileExistsError:
                    return False
                finally:
                    temp.unlink()
            else:
                os.replace(temp, target)
            _fsync_dir(target.parent)
            return True
        except OSError as e:
            temp.unlink(missing_ok=True)
            raise (StoreFull if e.errno in NO_SPACE else StoreUnavailable)(f"cannot write {target}: {e}") from e

    def put(self, key: str, data: bytes) -> StoredObject:
        target = self._path(key)
        self._keep_locked_version(key)
        temp, sha, size = self._write_temp(lambda: [data])
        self._commit(temp, target, exclusive=False)
        return StoredObject(key, sha, size)

    def put_file(self, key: str, path: Path, *, move: bool = False) -> StoredObject:
        target = self._path(key)
        self._keep_locked_version(key)
        if move:
            taken = self._take(path)
            if taken is not None:
                temp, sha, size = taken
                self._commit(temp, target, exclusive=False)
                return StoredObject(key, sha, size)

        def chunks():
            with open(path, "rb") as f:
                while chunk := f.read(CHUNK):
                    yield chunk

        temp, sha, size = self._write_temp(chunks)
        self._commit(temp, target, exclusive=False)
        return StoredObject(key, sha, size)

    def _take(self, path: Path) -> tuple[Path, str, int] | None:
        """Move a file the caller gives up into the store's scratch space without copying it
        (same file system), made durable; None when it lives on another file system."""
        fd, name = tempfile.mkstemp(dir=self._tmp)
        os.close(fd)
        try:
            os.replace(path, name)
        except OSError:
            os.unlink(name)
            return None
        with open(name, "rb") as f:
            os.fsync(f.fileno())
        sha, size = sha256_file(Path(name))
        return Path(name), sha, size

    def create(self, key: str, data: bytes) -> bool:
        target = self._path(key)
        if target.exists():
            return False
        temp, _, _ = self._write_temp(lambda: [data])
        return self._commit(temp, target, exclusive=True)

    def get(self, key: str) -> bytes:
        with self.open(key) as f:
            return f.read()

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError as e:
            raise ObjectNotFound(key) from e
        except OSError as e:
            raise StoreUnavailable(f"cannot read {key}: {e}") from e

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str) -> Iterator[str]:
        """Keys under a prefix, in sorted order; the prefix may end inside a name."""
        directory, _, start = prefix.rpartition("/")
        base = self._path(directory) if directory else self.root
        if not base.is_dir():
            return
        for entry in sorted(base.iterdir()):
            if entry.name.startswith(".") or not entry.name.startswith(start):
                continue
            key = f"{directory}/{entry.name}" if directory else entry.name
            if entry.is_dir():
                yield from self.list(key + "/")
            else:
                yield key

    def delete(self, key: str) -> None:
        """Destroys the object (a directory keeps no versions); refused while it is locked."""
        self.purge(key)

    # -- retention ---------------------------------------------------------------------
    def _retention_dir(self, key: str) -> Path:
        self._path(key)  # the same checks on the key
        return self.root.joinpath(".retention", *key.split("/"))

    def _lock(self, key: str) -> dict:
        try:
            return json.loads((self._retention_dir(key) / "lock.json").read_bytes())
        except FileNotFoundError:
            return {}

    def locked(self, key: str) -> str | None:
        lock = self._lock(key)
        if lock.get("hold"):
            return f"{key} is under a legal hold"
        if lock.get("until") and datetime.now(timezone.utc) < datetime.fromisoformat(lock["until"]):
            return f"{key} is retained until {lock['until']} ({lock.get('mode')} mode)"
        return None

    def _set_lock(self, key: str, **changes) -> None:
        if not self.exists(key):
            raise ObjectNotFound(key)
        directory = self._retention_dir(key)
        temp, _, _ = self._write_temp(lambda: [json.dumps({**self._lock(key), **changes}).encode()])
        self._commit(temp, directory / "lock.json", exclusive=False)

    def _keep_locked_version(self, key: str) -> None:
        """Before a locked object is written over, keep the version it was (as S3 would)."""
        target = self._path(key)
        if self.locked(key) and target.is_file():
            kept = self._retention_dir(key) / f"v-{time.time_ns()}"
            os.link(target, kept)
            _fsync_dir(kept.parent)

    def retain(self, key: str, until: datetime, mode: str) -> None:
        current = self._lock(key).get("until")
        if current and datetime.now(timezone.utc) < datetime.fromisoformat(current) \
                and until < datetime.fromisoformat(current):
            raise RetentionLocked(f"{key} is retained until {current}: a lock is never shortened")
        self._set_lock(key, until=until.isoformat(), mode=mode)

    def hold(self, key: str, on: bool) -> None:
        self._set_lock(key, hold=on)

    def purge(self, key: str, *, keep_current: bool = False) -> int:
        path, directory = self._path(key), self._retention_dir(key)
        if refusal := self.locked(key):
            raise RetentionLocked(f"refused: {refusal}")
        versions = sorted(directory.glob("v-*")) if directory.is_dir() else []
        for version in versions:
            version.unlink()
        if keep_current:
            return len(versions)
        if directory.is_dir():
            shutil.rmtree(directory, ignore_errors=True)
            self._remove_empty_parents(directory)
        try:
            path.unlink()
        except FileNotFoundError:
            return len(versions)
        self._remove_empty_parents(path)
        return len(versions) + 1

    def _remove_empty_parents(self, path: Path) -> None:
        """Remove directories a delete left empty, up to the store root."""
        for parent in path.parents:
            if parent == self.root or not parent.is_relative_to(self.root):
                break
            try:
                parent.rmdir()
            except OSError:
                break


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
