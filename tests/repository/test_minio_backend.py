"""What only the MinIO backend promises: versions, object lock, encryption, multipart,
and S3 failures turned into HoSo's errors. Against a real MinIO server."""

from __future__ import annotations

import os
import socket

import pytest
from minio.commonconfig import GOVERNANCE
from minio.error import S3Error
from minio.retention import Retention

from repository.errors import RepositoryError, StoreUnavailable
from repository.options import StoreOptions
from repository.store import open_store
from test_store_contract import minio_store


def versions(store, key: str) -> list:
    return [o for o in store.client.list_objects(store.bucket, prefix=key, include_version=True)
            if o.object_name == key]


def test_bucket_is_versioned_and_nothing_is_destroyed(minio_server):
    store = minio_store(minio_server)
    assert store.client.get_bucket_versioning(store.bucket).status == "Enabled"
    store.put("dossiers/X/manifest.json", b"v1")
    store.put("dossiers/X/manifest.json", b"v2")
    store.delete("dossiers/X/manifest.json")
    kept = versions(store, "dossiers/X/manifest.json")
    assert len(kept) == 3 and sum(o.is_delete_marker for o in kept) == 1


def test_retention_locks_every_version(minio_server):
    store = minio_store(minio_server, retention_days=1)
    config = store.client.get_object_lock_config(store.bucket)
    assert config.mode == GOVERNANCE and config.duration == 1 and config.duration_unit == "Days"
    store.put("dossiers/X/documents/D/original.png", b"scan")
    [version] = versions(store, "dossiers/X/documents/D/original.png")
    retention = store.client.get_object_retention(store.bucket, version.object_name, version.version_id)
    assert isinstance(retention, Retention) and retention.mode == GOVERNANCE
    with pytest.raises(S3Error) as refused:
        store.client.remove_object(store.bucket, version.object_name, version_id=version.version_id)
    assert refused.value.code in ("AccessDenied", "InvalidRequest")  # MinIO: "Object is WORM protected"


def test_large_files_go_up_in_parts(minio_server, tmp_path):
    store = minio_store(minio_server, part_size=5 * 2**20)
    source = tmp_path / "scan.tiff"
    source.write_bytes(os.urandom(12 * 2**20))
    store.put_file("big.tiff", source)
    etag = store.client.stat_object(store.bucket, "big.tiff").etag
    assert etag.endswith("-3")  # a multipart ETag names its part count


def test_server_side_encryption(minio_server):
    store = minio_store(minio_server, server_side_encryption=True)
    store.put("secret.json", b'{"citizen_id": "001090012345"}')
    stat = store.client.stat_object(store.bucket, "secret.json")
    assert stat.metadata.get("x-amz-server-side-encryption") == "AES256"
    assert store.get("secret.json") == b'{"citizen_id": "001090012345"}'


def test_unreachable_store_is_store_unavailable(minio_server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here
    with pytest.raises(StoreUnavailable):
        open_store(f"s3://127.0.0.1:{port}/hoso", StoreOptions(access_key="a", secret_key="b", retries=0,
                                                                connect_timeout=1))


def test_wrong_credentials_are_refused_clearly(minio_server):
    with pytest.raises(RepositoryError, match="InvalidAccessKeyId|SignatureDoesNotMatch"):
        open_store(f"s3://{minio_server.endpoint}/hoso-x", StoreOptions(access_key="nobody", secret_key="wrong"))


def test_stopped_server_then_back(minio_server):
    store = minio_store(minio_server, retries=0, connect_timeout=1, read_timeout=5)
    store.put("a.json", b"1")
    minio_server.stop()
    try:
        with pytest.raises(StoreUnavailable):
            store.put("b.json", b"2")
    finally:
        minio_server.restart()
    assert store.get("a.json") == b"1"
    store.put("b.json", b"2")
    assert store.client.get_object(store.bucket, "b.json").read() == b"2"


def _soon(seconds: float):
    from datetime import datetime, timedelta, timezone

    return datetime.now(timezone.utc) + timedelta(seconds=seconds)


def _shorten(store, key: str, version_id: str, mode: str, until, bypass: bool) -> None:
    """PutObjectRetention by hand, as a store administrator would, optionally with
    `x-amz-bypass-governance-retention` (which the SDK does not offer)."""
    from minio.helpers import md5sum_hash
    from minio.xml import marshal

    body = marshal(Retention(mode, until))
    headers = {"Content-MD5": md5sum_hash(body)} | ({"x-amz-bypass-governance-retention": "true"} if bypass else {})
    store.client._execute("PUT", store.bucket, object_name=key, body=body, headers=headers,
                          query_params={"versionId": version_id, "retention": ""})


def test_buckets_are_made_with_object_lock_and_minio_refuses_early_deletes(minio_server):
    store = minio_store(minio_server)
    assert store.locking and store.client.get_object_lock_config(store.bucket).mode is None  # no default rule
    key = "dossiers/L/documents/D/original.png"
    store.put(key, b"scan")
    store.retain(key, _soon(60), "governance")
    store.hold(key, True)
    [version] = versions(store, key)
    assert store.client.is_object_legal_hold_enabled(store.bucket, key, version_id=version.version_id)
    with pytest.raises(S3Error) as refused:
        store.client.remove_object(store.bucket, key, version_id=version.version_id)
    assert refused.value.code in ("AccessDenied", "InvalidRequest")  # "Object is WORM protected"


def test_compliance_mode_cannot_be_shortened_even_by_the_store_administrator(minio_server):
    from minio.commonconfig import COMPLIANCE

    from repository.errors import RetentionLocked

    store = minio_store(minio_server)
    store.put("c.pdf", b"signed")
    store.put("g.pdf", b"signed")
    store.retain("c.pdf", _soon(60), "compliance")
    store.retain("g.pdf", _soon(60), "governance")
    with pytest.raises(RetentionLocked):
        store.retain("c.pdf", _soon(1), "compliance")  # HoSo itself never shortens
    [c], [g] = versions(store, "c.pdf"), versions(store, "g.pdf")
    for bypass in (False, True):
        with pytest.raises(S3Error):
            _shorten(store, "c.pdf", c.version_id, COMPLIANCE, _soon(1), bypass)
    rule = store.client.get_object_retention(store.bucket, "c.pdf", version_id=c.version_id)
    assert rule.mode == COMPLIANCE and rule.retain_until_date > _soon(50)
    with pytest.raises(S3Error):
        store.client.remove_object(store.bucket, "c.pdf", version_id=c.version_id)
    # Governance mode yields to an administrator who asks to bypass it, and only to that.
    with pytest.raises(S3Error):
        _shorten(store, "g.pdf", g.version_id, GOVERNANCE, _soon(1), bypass=False)
    _shorten(store, "g.pdf", g.version_id, GOVERNANCE, _soon(1), bypass=True)


def test_an_older_bucket_without_object_lock_still_opens(minio_server):
    store = minio_store(minio_server, object_lock=False)
    assert store.locking is False
    store.put("a.pdf", b"x")
    store.retain("a.pdf", _soon(60), "governance")  # HoSo's own checks remain; the store cannot lock
    assert store.purge("a.pdf") == 1
