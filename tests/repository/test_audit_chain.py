"""The audit log is a hash chain per writer: removing, reordering or altering an entry is found."""

from __future__ import annotations

import json

import pytest

from repository import audit
from repository.audit import AuditLog, verify
from repository.store import open_store


@pytest.fixture
def store(tmp_path):
    return open_store(f"file://{tmp_path}/store")


def _keys(store) -> list[str]:
    return sorted(k for k in store.list("audit/") if "/checkpoints/" not in k)


def _written(store, n: int, writers: int = 1) -> list[str]:
    logs = [AuditLog(store) for _ in range(writers)]
    for i in range(n):
        logs[i % writers].record(f"clerk{i}", "dossier.read", f"000.17.22.H56-260101-{i:04d}", purpose="test")
    for log in logs:
        log.close()
    return _keys(store)


def test_an_untouched_log_verifies(store) -> None:
    keys = _written(store, 7, writers=2)
    report = verify(store, None)
    assert report.ok, report.problems
    assert (report.entries, report.writers, report.checkpoints) == (7, 2, 2)
    entry = json.loads(store.get(keys[0]))
    assert entry["seq"] == 1 and entry["prev"] == audit.GENESIS and entry["action"] == "dossier.read"


def test_entries_are_readable_by_day(store) -> None:
    _written(store, 3)
    entries = list(AuditLog(store).entries())
    assert sorted(e["actor"] for e in entries) == ["clerk0", "clerk1", "clerk2"]


def test_a_removed_entry_is_found(store) -> None:
    keys = _written(store, 5)
    store.delete(keys[2])
    report = verify(store, None)
    assert any("entry 3 is missing" in p for p in report.problems), report.problems


def test_an_altered_entry_is_found(store) -> None:
    keys = _written(store, 5)
    entry = json.loads(store.get(keys[1]))
    entry["actor"] = "somebody else"
    store.put(keys[1], json.dumps(entry, ensure_ascii=False, sort_keys=True).encode())
    report = verify(store, None)
    assert any(keys[2] in p and "does not follow" in p for p in report.problems), report.problems


def test_reordered_entries_are_found(store) -> None:
    keys = _written(store, 5)
    second, third = store.get(keys[1]), store.get(keys[2])
    store.put(keys[1], third)
    store.put(keys[2], second)
    report = verify(store, None)
    assert any(keys[1] in p and "holds entry" in p for p in report.problems), report.problems
    assert not report.ok


def test_the_tail_of_a_closed_chain_cannot_be_cut_off(store) -> None:
    keys = _written(store, 4)
    store.delete(keys[-1])  # the newest entry: no later entry points at it, the closing checkpoint does
    report = verify(store, None)
    assert any("entry 4 of writer" in p for p in report.problems), report.problems


def test_checkpoints_are_written_periodically(store, monkeypatch) -> None:
    monkeypatch.setattr(audit, "CHECKPOINT_EVERY", 3)
    log = AuditLog(store)
    for i in range(7):
        log.record("clerk", "search", f"q{i}")
    assert len(list(store.list("audit/checkpoints/"))) == 2  # after entries 3 and 6
    log.close()
    assert len(list(store.list("audit/checkpoints/"))) == 3
    assert verify(store, None).ok


def test_checkpoints_are_sealed_by_the_signing_key(store, tmp_path) -> None:
    from repository.signing import SigningOptions, load_signer

    signer = load_signer(SigningOptions(), tmp_path / "keys")
    log = AuditLog(store, signer)
    for i in range(3):
        log.record("clerk", "dossier.read", f"d{i}")
    log.close()
    assert verify(store, signer).ok

    stranger = load_signer(SigningOptions(), tmp_path / "other-keys")  # another root of trust
    assert any("does not chain to a trust root" in p for p in verify(store, stranger).problems)

    [key] = list(store.list("audit/checkpoints/"))
    checkpoint = json.loads(store.get(key))
    body = json.loads(checkpoint["body"])
    forged = {**checkpoint, "body": json.dumps({**body, "sha256": "0" * 64}, sort_keys=True)}
    store.put(key, json.dumps(forged).encode())
    assert any("seal not valid: the sealed data was changed" in p for p in verify(store, signer).problems)
