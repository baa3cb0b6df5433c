"""The audit log is a hash chain per writer: removing, reordering or altering an entry is found."""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from repository import audit
from repository.audit import AuditLog, verify
from repository.store import open_store


@pytest.fixture
def store(tmp_path):
    return open_store(f"file://{tmp_path}/store")


def _keys(store) -> list[str]:
    return sorted(k for k in store.list("audit/") if "/checkpoints/" not in k and "/writers/" not in k)


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


def _delete_writer_after(store, writer: str, seq: int, checkpoint: int | None = None) -> None:
    """What an attacker with write access to the store does: remove a writer's entries after
    `seq` and its checkpoints after `checkpoint` (None: none), and make the register agree."""
    for key in list(store.list("audit/")):
        name = key.rsplit("/", 1)[1]
        if not name.startswith(writer):
            continue
        number = int(name.removesuffix(".json").rsplit("-", 1)[1]) if "-" in name else 0
        checkpoint_file, entry_file = "/checkpoints/" in key, "/checkpoints/" not in key and "/writers/" not in key
        if (checkpoint_file and checkpoint is not None and number > checkpoint) or (entry_file and number > seq):
            store.delete(key)
    if checkpoint is None:
        return
    if checkpoint:
        kept = json.loads(json.loads(store.get(f"audit/checkpoints/{writer}-{checkpoint:010d}.json"))["body"])
        data = store.get(f"audit/checkpoints/{writer}-{checkpoint:010d}.json")
        store.put(f"audit/writers/{writer}.json", json.dumps(
            {"writer": writer, "number": checkpoint, "sha256": hashlib.sha256(data).hexdigest(),
             "seq": kept["seq"], "final": False}).encode())
    else:
        store.delete(f"audit/writers/{writer}.json")


def test_a_running_writer_seals_its_tail_within_the_bound(store) -> None:
    """Entries after the last 100-entry checkpoint of a writer that runs on (or was killed)
    could be deleted unnoticed: now they are sealed at most `seal_within` seconds later."""
    log = AuditLog(store, seal_within=0.2)
    for i in range(5):
        log.record("clerk", "dossier.read", f"d{i}")
    time.sleep(1.0)  # no close: the writer runs on, or was killed
    assert verify(store, None).ok
    _delete_writer_after(store, log.writer, seq=2)
    assert any("entry 5 of writer" in p for p in verify(store, None).problems)


def test_a_writers_tail_with_its_checkpoints_is_missed_by_another_writer(store, monkeypatch) -> None:
    monkeypatch.setattr(audit, "CHECKPOINT_EVERY", 3)
    server = AuditLog(store)
    for i in range(7):
        server.record("clerk", "dossier.read", f"d{i}")  # checkpoints after entries 3 and 6
    run = AuditLog(store)  # a one-off CLI run, which closes
    run.record("cli:admin", "citizen_data.read", "001090012345")
    run.close()
    assert verify(store, None).ok
    _delete_writer_after(store, server.writer, seq=3, checkpoint=1)  # entries 4-7 and checkpoint 2
    problems = verify(store, None).problems
    assert any(f"saw checkpoint 2 of writer {server.writer}" in p for p in problems), problems


def test_a_whole_writer_that_another_has_seen_cannot_vanish(store) -> None:
    server = AuditLog(store, seal_within=0.2)
    server.record("clerk", "search", "q")
    time.sleep(0.6)  # sealed; then idle
    run = AuditLog(store)
    run.record("cli:admin", "citizen_data.read", "001090012345")
    run.close()
    time.sleep(0.8)  # the idle server seals again: it has seen the run's final checkpoint
    server_checkpoints = [k for k in store.list("audit/checkpoints/") if server.writer in k]
    assert len(server_checkpoints) == 2
    _delete_writer_after(store, run.writer, seq=0, checkpoint=0)  # every trace of the run
    problems = verify(store, None).problems
    assert any(f"saw checkpoint 1 of writer {run.writer}" in p for p in problems), problems
    server.close()


def test_a_checkpoint_cannot_go_from_the_middle(store, monkeypatch) -> None:
    monkeypatch.setattr(audit, "CHECKPOINT_EVERY", 3)
    log = AuditLog(store)
    for i in range(7):
        log.record("clerk", "search", f"q{i}")
    log.close()
    store.delete(f"audit/checkpoints/{log.writer}-{2:010d}.json")
    problems = verify(store, None).problems
    assert any("checkpoint 2 is missing" in p for p in problems), problems


def test_writers_do_not_seal_for_each_other_for_ever(store) -> None:
    """A checkpoint that only witnesses others moves nothing worth sealing again."""
    logs = [AuditLog(store, seal_within=0.1) for _ in range(2)]
    for log in logs:
        log.record("clerk", "search", "q")
    time.sleep(1.5)
    assert len(list(store.list("audit/checkpoints/"))) <= 4
    for log in logs:
        log.close()
    report = verify(store, None)
    assert report.ok and not report.notes, (report.problems, report.notes)


def test_a_writer_that_never_closed_is_noted_not_failed(store) -> None:
    AuditLog(store).record("clerk", "search", "q")  # killed before its first seal
    report = verify(store, None)
    assert report.ok and any("not sealed" in n for n in report.notes), report.notes


def test_a_writer_taken_out_of_the_register_is_found(store) -> None:
    log = AuditLog(store)
    log.record("clerk", "search", "q")
    log.close()
    store.delete(f"audit/writers/{log.writer}.json")
    problems = verify(store, None).problems
    assert f"writer {log.writer}: not in the register audit/writers/" in problems, problems
