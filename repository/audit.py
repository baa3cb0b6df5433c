"""The audit log: who did what to which record, as hash-chained JSON objects in the object store.

Each process that writes the log (a server, a CLI run) is one *writer* with its own chain, so
several HoSo processes sharing a store never contend for one head: entry ``n`` of writer ``w``
is ``audit/{yyyy-mm-dd}/{w}-{n:010d}.json`` and carries ``prev``, the SHA-256 of the stored bytes
of entry ``n - 1`` (64 zeros for the first). An entry is written (create-only) before the answer
goes out, so an access that happened is never missing.

Every ``CHECKPOINT_EVERY`` entries, and when the writer closes, a *checkpoint*
``audit/checkpoints/{w}-{n:010d}.json`` records the hash of entry ``n`` and is sealed (signed)
by the ``Sealer`` given, so the newest entries of a chain cannot be cut off or rewritten
unnoticed either. ``verify`` finds a removed, reordered or altered entry and a bad seal.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Protocol

from ulid import ULID

from .store import ObjectStore

CHECKPOINT_EVERY = 100
GENESIS = "0" * 64
MAX_TEXT = 500  # characters of one string an entry keeps (a path, a filter, a corrected value)
MAX_ITEMS = 1000  # items of one list or mapping an entry keeps
_ENTRY = re.compile(r"^audit/(\d{4}-\d{2}-\d{2})/([0-9A-Z]{26})-(\d{10})\.json$")
_CHECKPOINT = re.compile(r"^audit/checkpoints/([0-9A-Z]{26})-(\d{10})\.json$")


class Sealer(Protocol):
    """Signs checkpoints and checks those signatures (the archival signing identity)."""

    def seal(self, data: bytes) -> bytes:
        """A detached signature of ``data``."""

    def check(self, data: bytes, seal: bytes) -> str | None:
        """None when ``seal`` is a valid signature of ``data`` by a trusted signer, else why not."""


class AuditLog:
    """One writer's chain; thread-safe (entries of one process are numbered under a lock)."""

    def __init__(self, store: ObjectStore, sealer: Sealer | None = None) -> None:
        self.store = store
        self.sealer = sealer
        self.writer = str(ULID())
        self._seq = 0
        self._prev = GENESIS
        self._checkpointed = 0
        self._lock = threading.Lock()

    def record(self, actor: str, action: str, target: str, **details: Any) -> str:
        with self._lock:
            now = datetime.now(timezone.utc)
            seq = self._seq + 1
            entry_id = f"{self.writer}-{seq:010d}"
            entry = {"id": entry_id, "writer": self.writer, "seq": seq, "prev": self._prev,
                     "at": now.isoformat(), **bounded({"actor": actor, "action": action, "target": target,
                                                       **details})}
            data = json.dumps(entry, ensure_ascii=False, default=str, sort_keys=True).encode()
            if not self.store.create(f"audit/{now:%Y-%m-%d}/{entry_id}.json", data):
                raise RuntimeError(f"audit entry {entry_id} exists already")  # a writer id is a fresh ULID
            self._seq, self._prev = seq, hashlib.sha256(data).hexdigest()
            if seq - self._checkpointed >= CHECKPOINT_EVERY:
                self._checkpoint()
            return entry_id

    def close(self) -> None:
        """Seal the end of the chain, so nothing after the last periodic checkpoint can go."""
        with self._lock:
            if self._seq > self._checkpointed:
                self._checkpoint()

    def _checkpoint(self) -> None:
        body = json.dumps({"writer": self.writer, "seq": self._seq, "sha256": self._prev,
                           "at": datetime.now(timezone.utc).isoformat()}, sort_keys=True)
        seal = self.sealer.seal(body.encode()).hex() if self.sealer else None
        self.store.create(f"audit/checkpoints/{self.writer}-{self._seq:010d}.json",
                          json.dumps({"body": body, "seal": seal}).encode())
        self._checkpointed = self._seq

    # -- reading ------------------------------------------------------------------------
    def entries(self, since: date | None = None, until: date | None = None) -> Iterator[dict]:
        """Entries written on the days from ``since`` to ``until`` (inclusive), oldest day first."""
        for key in sorted(self.store.list("audit/")):
            m = _ENTRY.match(key)
            if not m:
                continue
            day = date.fromisoformat(m.group(1))
            if (since and day < since) or (until and day > until):
                continue
            yield json.loads(self.store.get(key))


def bounded(value: Any) -> Any:
    """``value`` cut to what an entry keeps: a caller chooses paths, filters and field values,
    and must not be able to make one entry megabytes long (a flood of them fills the store)."""
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else f"{value[:MAX_TEXT]}… ({len(value) - MAX_TEXT} more)"
    if isinstance(value, dict):
        return {bounded(str(k)): bounded(v) for k, v in list(value.items())[:MAX_ITEMS]}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [bounded(v) for v in list(value)[:MAX_ITEMS]]
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    return bounded(str(value))  # dates, enums: as the log has always written them (default=str)


@dataclass
class AuditReport:
    entries: int = 0
    writers: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(store: ObjectStore, sealer: Sealer | None) -> AuditReport:
    """Check every writer's chain: numbering without gaps, each ``prev`` the hash of the entry
    before, each entry saying the writer and number its name says, and each checkpoint sealed and
    naming the hash its entry has. ``sealer`` None skips the seals (and says so)."""
    report = AuditReport()
    chains: dict[str, dict[int, tuple[str, bytes]]] = {}
    checkpoints: list[tuple[str, str, int]] = []
    for key in store.list("audit/"):
        if m := _ENTRY.match(key):
            chains.setdefault(m.group(2), {})[int(m.group(3))] = (key, store.get(key))
        elif m := _CHECKPOINT.match(key):
            checkpoints.append((key, m.group(1), int(m.group(2))))
        else:
            report.problems.append(f"{key}: not an audit entry or checkpoint")
    hashes: dict[tuple[str, int], str] = {}
    for writer, chain in sorted(chains.items()):
        report.writers += 1
        prev = GENESIS
        for seq in range(1, max(chain) + 1):
            if seq not in chain:
                report.problems.append(f"writer {writer}: entry {seq} is missing")
                prev = None
                continue
            key, data = chain[seq]
            report.entries += 1
            try:
                entry = json.loads(data)
            except ValueError:
                report.problems.append(f"{key}: not JSON")
                prev = None
                continue
            if (entry.get("writer"), entry.get("seq")) != (writer, seq):
                report.problems.append(f"{key}: holds entry {entry.get('writer')}-{entry.get('seq')}")
            if prev is not None and entry.get("prev") != prev:
                report.problems.append(f"{key}: does not follow entry {seq - 1} (altered, removed or reordered)")
            prev = hashlib.sha256(data).hexdigest()
            hashes[(writer, seq)] = prev
    for key, writer, seq in sorted(checkpoints):
        report.checkpoints += 1
        try:
            checkpoint = json.loads(store.get(key))
            body = json.loads(checkpoint["body"])
        except (ValueError, KeyError, TypeError):
            report.problems.append(f"{key}: not a checkpoint")
            continue
        if sealer is not None:
            seal = checkpoint.get("seal")
            problem = "not sealed" if not seal else sealer.check(checkpoint["body"].encode(), bytes.fromhex(seal))
            if problem:
                report.problems.append(f"{key}: seal not valid: {problem}")
                continue
        if (body.get("writer"), body.get("seq")) != (writer, seq):
            report.problems.append(f"{key}: names checkpoint {body.get('writer')}-{body.get('seq')}")
        elif hashes.get((writer, seq)) != body.get("sha256"):
            report.problems.append(f"{key}: entry {seq} of writer {writer} is missing or altered")
    return report
