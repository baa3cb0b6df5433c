"""Object store on MinIO (or any S3) through the minio SDK.

The bucket is versioned, so an overwrite or a delete never destroys a version. A bucket HoSo
makes has object lock enabled (unless `object_lock` is off), so that each document's objects can
be locked until the end of their retention period and put under legal hold: MinIO then refuses
to destroy any version before that, whoever asks. With `retention_days` a default rule also
locks every object written (audit entries, manifests) for that many days. Every call
has explicit connect and read timeouts; idempotent calls are retried by urllib3. S3 errors
become HoSo's own exceptions here and nowhere else.
"""

from __future__ import annotations

import hashlib
import io
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Iterator

import urllib3
from minio import Minio
from minio.commonconfig import ENABLED, GOVERNANCE, COMPLIANCE
from minio.error import InvalidResponseError, S3Error, ServerError
from minio.objectlockconfig import DAYS, ObjectLockConfig
from minio.retention import Retention
from minio.sse import SseS3
from minio.versioningconfig import VersioningConfig

from .errors import ObjectNotFound, RepositoryError, RetentionLocked, StoreFull, StoreUnavailable
from .options import StoreOptions
from .store import StoredObject, sha256_file

NOT_FOUND = {"NoSuchKey", "NoSuchVersion", "NoSuchObject"}
UNAVAILABLE = (urllib3.exceptions.HTTPError, OSError, ServerError, InvalidResponseError)
log = logging.getLogger(__name__)


class MinioStore:
    def __init__(self, endpoint: str, bucket: str, options: StoreOptions) -> None:
        self.bucket = bucket
        self.options = options
        retry = urllib3.Retry(total=options.retries, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504),
                              allowed_methods={"GET", "HEAD", "PUT", "DELETE"}, raise_on_status=False)
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=options.connect_timeout, read=options.read_timeout),
            retries=retry, maxsize=16)
        self.client = Minio(endpoint, access_key=options.access_key, secret_key=options.secret_key,
                            secure=options.secure, region=options.region, http_client=http)
        self._sse = SseS3() if options.server_side_encryption else None
        self.locking = False  # whether the bucket has object lock (found out below)
        self._call(self._ensure_bucket)

    # -- set-up ----------------------------------------------------------------------------
    def _ensure_bucket(self) -> None:
        if not self.client.bucket_exists(self.bucket):
            try:
                self.client.make_bucket(self.bucket,
                                        object_lock=self.options.object_lock or self.options.retention_days > 0)
            except S3Error as e:
                if e.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
        self.client.set_bucket_versioning(self.bucket, VersioningConfig(ENABLED))
        try:
            self.client.get_object_lock_config(self.bucket)
            self.locking = True
        except S3Error as e:
            if e.code != "ObjectLockConfigurationNotFoundError":
                raise
            self.locking = False  # an older bucket: object lock cannot be turned on afterwards
            log.warning("bucket %s has no object lock: retention and legal holds are enforced by HoSo only",
                        self.bucket)
        if self.options.retention_days > 0:
            mode = COMPLIANCE if self.options.retention_mode == "compliance" else GOVERNANCE
            self.client.set_object_lock_config(
                self.bucket, ObjectLockConfig(mode, self.options.retention_days, DAYS))

    def _call(self, operation, *args, key: str = "", **kwargs):
        try:
            return operation(*args, **kwargs)
        except S3Error as e:
            if e.code in NOT_FOUND:
                raise ObjectNotFound(key) from e
            if e.code == "ObjectLocked" or "WORM" in (e.message or ""):  # MinIO: "Object is WORM protected"
                raise RetentionLocked(f"the object store refuses: {key} is locked ({e.code}: {e.message})") from e
            if e.code in ("XMinioStorageFull", "XMinioAdminBucketQuotaExceeded"):
                raise StoreFull(f"the object store is full: {e.code}") from e
            if e.code in ("SlowDown", "ServiceUnavailable", "XMinioServerNotInitialized"):
                raise StoreUnavailable(f"object store busy: {e.code}") from e
            raise RepositoryError(f"object store refused {key or self.bucket}: {e.code}: {e.message}") from e
        except UNAVAILABLE as e:
            raise StoreUnavailable(f"object store unreachable: {e}") from e

    # -- the ObjectStore protocol ---------------------------------------------------------
    def put(self, key: str, data: bytes) -> StoredObject:
        self._call(self.client.put_object, self.bucket, key, io.BytesIO(data), len(data), sse=self._sse,
                   part_size=self.options.part_size, key=key)
        return StoredObject(key, hashlib.sha256(data).hexdigest(), len(data))

    def put_file(self, key: str, path: Path, *, move: bool = False) -> StoredObject:
        """Uploads the file (in parts above part_size); `move` changes nothing here."""
        sha, size = sha256_file(path)
        self._call(self.client.fput_object, self.bucket, key, str(path), sse=self._sse,
                   part_size=self.options.part_size, key=key)
        return StoredObject(key, sha, size)

    def create(self, key: str, data: bytes) -> bool:
        """Conditional write (`If-None-Match: *`): exactly one concurrent creator wins."""
        headers = {"If-None-Match": "*", "Content-Length": str(len(data))}
        headers |= self._sse.headers() if self._sse else {}
        try:
            # The SDK's put_object turns unknown headers into user metadata, so the
            # conditional PUT goes through its request layer directly.
            self._call(self.client._execute, "PUT", self.bucket, key, body=data, headers=headers, key=key)
        except RepositoryError as e:
            cause = e.__cause__
            if isinstance(cause, S3Error) and cause.code in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False
            raise
        return True

    def get(self, key: str) -> bytes:
        with self.open(key) as f:
            return f.read()

    def open(self, key: str) -> BinaryIO:
        response = self._call(self.client.get_object, self.bucket, key, key=key)
        return _Body(response)

    def exists(self, key: str) -> bool:
        try:
            self._call(self.client.stat_object, self.bucket, key, key=key)
        except ObjectNotFound:
            return False
        return True

    def list(self, prefix: str) -> Iterator[str]:
        objects = self._call(self.client.list_objects, self.bucket, prefix=prefix, recursive=True)
        try:
            for item in objects:
                yield item.object_name
        except S3Error as e:
            raise RepositoryError(f"cannot list {prefix}: {e.code}") from e
        except UNAVAILABLE as e:
            raise StoreUnavailable(f"object store unreachable: {e}") from e

    def delete(self, key: str) -> None:
        """Adds a delete marker: earlier versions stay (and stay locked under retention)."""
        self._call(self.client.remove_object, self.bucket, key, key=key)

    # -- retention: MinIO's object lock ----------------------------------------------------
    def _versions(self, key: str) -> list:
        """Every version and delete marker of one key, newest first."""
        listing = self._call(self.client.list_objects, self.bucket, prefix=key, include_version=True)
        try:
            return [v for v in listing if v.object_name == key]
        except S3Error as e:
            raise RepositoryError(f"cannot list the versions of {key}: {e.code}") from e
        except UNAVAILABLE as e:
            raise StoreUnavailable(f"object store unreachable: {e}") from e

    def _each_version(self, key: str, operation, *args) -> None:
        versions = [v for v in self._versions(key) if not v.is_delete_marker]
        if not versions:
            raise ObjectNotFound(key)
        if not self.locking:
            return
        for version in versions:
            self._call(operation, self.bucket, key, *args, version_id=version.version_id, key=key)

    def retain(self, key: str, until: datetime, mode: str) -> None:
        rule = Retention(COMPLIANCE if mode == "compliance" else GOVERNANCE, until)
        self._each_version(key, self.client.set_object_retention, rule)

    def hold(self, key: str, on: bool) -> None:
        operation = self.client.enable_object_legal_hold if on else self.client.disable_object_legal_hold
        self._each_version(key, operation)

    def purge(self, key: str, *, keep_current: bool = False) -> int:
        """Removes versions one by one, by version id (never with governance bypass), once none
        is locked: a newer version written after the lock must not go while an older one stays."""
        versions = [v for v in self._versions(key)
                    if not (keep_current and str(v.is_latest).lower() == "true")]
        if reason := self._locked(key, versions):
            raise RetentionLocked(f"the object store keeps {key}: {reason}")
        for version in versions:
            self._call(self.client.remove_object, self.bucket, key, version_id=version.version_id, key=key)
        return len(versions)

    def locked(self, key: str) -> str | None:
        return self._locked(key, self._versions(key))

    def _locked(self, key: str, versions: list) -> str | None:
        for version in versions if self.locking else []:
            if not version.is_delete_marker and (reason := self._lock_of(key, version.version_id)):
                return f"a version is {reason}"
        return None

    def _lock_of(self, key: str, version_id: str) -> str | None:
        if self._call(self.client.is_object_legal_hold_enabled, self.bucket, key, version_id=version_id, key=key):
            return "under legal hold"
        rule = self._call(self.client.get_object_retention, self.bucket, key, version_id=version_id, key=key)
        if rule is not None and rule.retain_until_date and rule.retain_until_date > datetime.now(timezone.utc):
            return f"retained until {rule.retain_until_date.isoformat()} ({rule.mode})"
        return None


class _Body(io.RawIOBase):
    """A streamed object body that returns its connection to the pool when closed."""

    def __init__(self, response) -> None:
        self._response = response

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._response.read(len(buffer))
        except UNAVAILABLE as e:
            raise StoreUnavailable(f"object store connection lost: {e}") from e
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            try:
                return self._response.read()
            except UNAVAILABLE as e:
                raise StoreUnavailable(f"object store connection lost: {e}") from e
        return super().read(size)

    def close(self) -> None:
        if not self.closed:
            self._response.close()
            self._response.release_conn()
        super().close()
