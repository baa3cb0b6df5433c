"""One contract for every object store: the embedded directory and a real MinIO server."""

from __future__ import annotations

import hashlib
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from repository.errors import FixityError, ObjectNotFound, RepositoryError
from repository.options import StoreOptions
from repository.store import get_verified, open_store


def minio_store(server, **options):
    bucket = f"hoso-{uuid.uuid4().hex[:12]}"
    return open_store(f"s3://{server.endpoint}/{bucket}",
                      StoreOptions(access_key=server.access_key, secret_key=server.secret_key, **options))


@pytest.fixture(params=["local", "minio"])
def store(request, tmp_path):
    if request.param == "local":
        return open_store(f"file://{tmp_path / 'store'}")
    return minio_store(request.getfixturevalue("minio_server"))


def corrupt(store, key: str, data: bytes) -> None:
    """Change an object behind the store's back, as bit rot or an intruder would."""
    if hasattr(store, "root"):
        (store.root / key).write_bytes(data)
    else:
        import io

        store.client.put_object(store.bucket, key, io.BytesIO(data), len(data))


def test_put_get_list_delete(store, tmp_path):
    stored = store.put("dossiers/A-1/manifest.json", b"{}")
    assert stored.sha256 == hashlib.sha256(b"{}").hexdigest() and stored.size == 2
    source = tmp_path / "scan.png"
    source.write_bytes(os.urandom(3_000_000))
    put = store.put_file("dossiers/A-1/documents/D/original.png", source)
    assert put.size == 3_000_000 and put.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert store.get("dossiers/A-1/manifest.json") == b"{}"
    with store.open("dossiers/A-1/documents/D/original.png") as f:
        assert f.read(10) == source.read_bytes()[:10]
    assert list(store.list("dossiers/")) == ["dossiers/A-1/documents/D/original.png",
                                             "dossiers/A-1/manifest.json"]
    assert list(store.list("dossiers/A-")) == list(store.list("dossiers/"))
    assert list(store.list("dossiers/B")) == []
    assert store.exists("dossiers/A-1/manifest.json")
    store.delete("dossiers/A-1/documents/D/original.png")
    store.delete("dossiers/A-1/documents/D/original.png")  # deleting twice is fine
    assert not store.exists("dossiers/A-1/documents/D/original.png")
    assert list(store.list("dossiers/")) == ["dossiers/A-1/manifest.json"]
    with pytest.raises(ObjectNotFound):
        store.get("dossiers/A-1/documents/D/original.png")


def test_overwrite_replaces_whole_object(store):
    store.put("a/manifest.json", b"old")
    store.put("a/manifest.json", b"new and longer")
    assert store.get("a/manifest.json") == b"new and longer"


def test_large_object_round_trip(store, tmp_path):
    """Above the multipart threshold on S3; streamed, never read whole into memory."""
    source = tmp_path / "big.tiff"
    with open(source, "wb") as f:
        for _ in range(40):
            f.write(os.urandom(2**20))
    stored = store.put_file("big/original.tiff", source)
    assert stored.size == 40 * 2**20
    target = tmp_path / "back.tiff"
    from repository.store import copy_verified

    copy_verified(store, "big/original.tiff", stored.sha256, target)
    assert target.read_bytes() == source.read_bytes()


def test_create_happens_once_among_concurrent_writers(store):
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda i: store.create("codes/X-260101-0001", str(i).encode()), range(32)))
    assert won.count(True) == 1
    assert store.create("codes/X-260101-0002", b"") is True


def test_concurrent_writers_of_distinct_objects(store):
    def write(i: int) -> str:
        data = f"document {i}".encode() * 100
        return store.put(f"dossiers/C/documents/{i:03d}/ocr.json", data).sha256

    with ThreadPoolExecutor(8) as pool:
        shas = list(pool.map(write, range(40)))
    assert len(list(store.list("dossiers/C/"))) == 40
    for i, sha in enumerate(shas):
        assert get_verified(store, f"dossiers/C/documents/{i:03d}/ocr.json", sha)


def test_fixity_is_checked_on_read(store):
    stored = store.put("a/b.bin", b"original bytes")
    assert get_verified(store, "a/b.bin", stored.sha256) == b"original bytes"
    corrupt(store, "a/b.bin", b"original bytez")
    with pytest.raises(FixityError):
        get_verified(store, "a/b.bin", stored.sha256)


def test_missing_object(store):
    with pytest.raises(ObjectNotFound):
        store.get("no/such/object")
    assert store.exists("no/such/object") is False


@pytest.mark.parametrize("key", ["../escape", "a/../../b", "/abs", "a//b", ".tmp/x", ""])
def test_local_keys_cannot_leave_the_store(tmp_path, key):
    with pytest.raises(RepositoryError):
        open_store(f"file://{tmp_path}").put(key, b"x")


def test_put_file_may_take_a_file_given_up(store, tmp_path):
    """With move=True the store may take the file instead of copying; the content is the same."""
    source = tmp_path / "staged.png"
    data = os.urandom(200_000)
    source.write_bytes(data)
    stored = store.put_file("dossiers/M/documents/D/original.png", source, move=True)
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    assert store.get("dossiers/M/documents/D/original.png") == data


# -- retention: every store refuses to destroy a locked object ----------------------------------
def _soon(seconds: float):
    from datetime import datetime, timedelta, timezone

    return datetime.now(timezone.utc) + timedelta(seconds=seconds)


def test_a_retained_object_is_kept_until_its_date_then_purged_with_every_version(store):
    import time

    from repository.errors import RetentionLocked

    key = "dossiers/R/documents/D/archival.pdf"
    store.put(key, b"first signing")
    until = _soon(3)
    store.retain(key, until, "governance")
    time.sleep(0.05)  # MinIO orders versions by their millisecond timestamps
    store.put(key, b"signed again after a crash")  # a new version; the locked one is kept
    with pytest.raises(RetentionLocked):
        store.purge(key)
    with pytest.raises(RetentionLocked):
        store.retain(key, _soon(1), "governance")  # never shortened
    assert store.get(key) == b"signed again after a crash"
    assert "retained until" in store.locked(key)
    time.sleep(max(0.0, (until - _soon(0)).total_seconds()) + 0.5)
    assert store.locked(key) is None
    assert store.purge(key) >= 2  # both versions destroyed
    assert not store.exists(key) and list(store.list("dossiers/R/")) == []


def test_a_legal_hold_keeps_an_object_whose_retention_ended(store):
    from repository.errors import RetentionLocked

    key = "dossiers/H/documents/D/original.png"
    store.put(key, b"scan")
    store.retain(key, _soon(0.5), "governance")
    store.hold(key, True)
    import time

    time.sleep(1)
    with pytest.raises(RetentionLocked):
        store.purge(key)
    assert "legal hold" in store.locked(key)
    store.hold(key, False)
    assert store.purge(key) == 1 and not store.exists(key)


def test_purge_keeping_the_current_version(store):
    store.put("dossiers/P/manifest.json", b"v1")
    store.put("dossiers/P/manifest.json", b"v2")
    store.purge("dossiers/P/manifest.json", keep_current=True)
    assert store.get("dossiers/P/manifest.json") == b"v2"
    assert store.purge("dossiers/P/manifest.json") == 1


def test_retaining_a_missing_object_is_not_found(store):
    with pytest.raises(ObjectNotFound):
        store.retain("no/such/object", _soon(10), "governance")
