"""The embedded object store: atomic writes, create-once, listing, fixity on read."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from repository.errors import FixityError, ObjectNotFound, RepositoryError
from repository.store import get_verified, open_store


@pytest.fixture()
def store(tmp_path):
    return open_store(f"file://{tmp_path / 'store'}")


def test_put_get_list_delete(store, tmp_path):
    stored = store.put("dossiers/A-1/manifest.json", b"{}")
    assert stored.sha256 == hashlib.sha256(b"{}").hexdigest() and stored.size == 2
    source = tmp_path / "scan.png"
    source.write_bytes(b"x" * 3_000_000)
    assert store.put_file("dossiers/A-1/documents/D/original.png", source).size == 3_000_000
    assert store.get("dossiers/A-1/manifest.json") == b"{}"
    assert list(store.list("dossiers/")) == ["dossiers/A-1/documents/D/original.png",
                                             "dossiers/A-1/manifest.json"]
    assert list(store.list("dossiers/A-")) == list(store.list("dossiers/"))
    assert list(store.list("dossiers/B")) == []
    store.delete("dossiers/A-1/documents/D/original.png")
    store.delete("dossiers/A-1/documents/D/original.png")  # deleting twice is fine
    assert not (tmp_path / "store" / "dossiers" / "A-1" / "documents").exists()
    with pytest.raises(ObjectNotFound):
        store.get("dossiers/A-1/documents/D/original.png")


def test_create_happens_once_among_concurrent_writers(store):
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda i: store.create("codes/X-260101-0001", str(i).encode()), range(32)))
    assert won.count(True) == 1
    assert list(store.list("store/.tmp")) == []


def test_fixity_is_checked_on_read(store, tmp_path):
    stored = store.put("a/b.bin", b"original bytes")
    assert get_verified(store, "a/b.bin", stored.sha256) == b"original bytes"
    (tmp_path / "store" / "a" / "b.bin").write_bytes(b"original bytez")
    with pytest.raises(FixityError):
        get_verified(store, "a/b.bin", stored.sha256)


@pytest.mark.parametrize("key", ["../escape", "a/../../b", "/abs", "a//b", ".tmp/x", ""])
def test_keys_cannot_leave_the_store(store, key):
    with pytest.raises(RepositoryError):
        store.put(key, b"x")
