"""The audit log: who did what to which record, as hash-chained JSON objects in the object store.

Each process that writes the log (a server, a CLI run) is one *writer* with its own chain, so
several HoSo processes sharing a store never contend for one head: entry ``n`` of writer ``w``
is ``audit/{yyyy-mm-dd}/{w}-{n:010d}.json`` and carries ``prev``, the SHA-256 of the stored bytes
of entry ``n - 1`` (64 zeros for the first). An entry is written (create-only) before the answer
goes out, so an access that happened is never missing.

A writer *seals* its chain in checkpoints ``audit/checkpoints/{w}-{k:010d}.json`` (the ``k``-th
of the writer), signed by the ``Sealer`` given: every ``CHECKPOINT_EVERY`` entries, at most
``seal_within`` seconds (60) after any entry, and when it closes (``final``). A checkpoint
names the hash of the writer's newest entry and of its own previous checkpoint (so none can
go from the middle), and the newest checkpoint of every other writer it finds in the register
``audit/writers/{w}.json`` (so a writer, or the tail of one, that another writer has seen
cannot go either). A running writer also seals when another writer's head has moved, so the
writers witness each other within ``seal_within`` seconds. ``verify`` finds a removed,
reordered or altered entry or checkpoint, a bad seal, and a writer or tail that a sealed
checkpoint saw and that is gone.

What the store alone cannot show: everything written in the last ``seal_within`` seconds
before a writer was killed, and the newest writer's whole record when no other writer has
sealed since (the log rolled back to an earlier moment as a whole). ``verify`` lists writers
that ended without a final seal.
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

from .errors import ObjectNotFound
from .store import ObjectStore

CHECKPOINT_EVERY = 100
SEAL_WITHIN = 60.0  # seconds: the longest an entry waits for its writer's seal
GENESIS = "0" * 64
MAX_TEXT = 500  # characters of one string an entry keeps (a path, a filter, a corrected value)
MAX_ITEMS = 1000  # items of one list or mapping an entry keeps
_ENTRY = re.compile(r"^audit/(\d{4}-\d{2}-\d{2})/([0-9A-Z]{26})-(\d{10})\.json$")
_CHECKPOINT = re.compile(r"^audit/checkpoints/([0-9A-Z]{26})-(\d{10})\.json$")
_WRITER = re.compile(r"^audit/writers/([0-9A-Z]{26})\.json$")


class Sealer(Protocol):
    """Signs checkpoints and checks those signatures (the archival signing identity)."""

    def seal(self, data: bytes) -> bytes:
        """A detached signature of ``data``."""

    def check(self, data: bytes, seal: bytes) -> str | None:
        """None when ``seal`` is a valid signature of ``data`` by a trusted signer, else why not."""


class AuditLog:
    """One writer's chain; thread-safe (entries of one process are numbered under a lock)."""

    def __init__(self, store: ObjectStore, sealer: Sealer | None = None,
                 seal_within: float = SEAL_WITHIN) -> None:
        self.store = store
        self.sealer = sealer
        self.seal_within = seal_within
        self.writer = str(ULID())
        self._seq = 0
        self._prev = GENESIS
        self._checkpointed = 0  # the entry the newest checkpoint seals
        self._checkpoints = 0  # how many this writer has made
        self._last_checkpoint = GENESIS  # the SHA-256 of the newest one's stored bytes
        self._known: dict[str, dict] = {}  # other writers' heads as the newest checkpoint saw them
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._sealer_thread: threading.Thread | None = None

    def record(self, actor: str, action: str, target: str, **details: Any) -> dict[str, Any]:
        """Append an entry; returns it as stored (its ``id`` and ``at`` are what a later reading sees)."""
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
            if self._sealer_thread is None and not self._closed.is_set():
                self._sealer_thread = threading.Thread(target=self._seal_on_time, daemon=True,
                                                       name=f"audit-seal-{self.writer}")
                self._sealer_thread.start()
            return entry

    def close(self) -> None:
        """Seal the end of the chain (a final checkpoint), so nothing after the last periodic
        checkpoint can go."""
        if self._closed.is_set():
            return
        self._closed.set()
        with self._lock:
            if self._seq:
                self._checkpoint(final=True)
        if self._sealer_thread is not None and self._sealer_thread is not threading.current_thread():
            self._sealer_thread.join(timeout=10)

    def _seal_on_time(self) -> None:
        """Every ``seal_within`` seconds: seal what is new, of this writer or of the others."""
        while not self._closed.wait(self.seal_within):
            try:
                with self._lock:
                    if self._closed.is_set():
                        return
                    if self._seq > self._checkpointed or self._moved(self._heads()):
                        self._checkpoint()
            except Exception:  # a store that is down now: the next round, or close, seals
                continue

    def _heads(self) -> dict[str, dict]:
        """Every other writer's newest checkpoint, as the register says; a writer known to have
        closed is not read again (its head no longer moves)."""
        heads = {}
        for key in self.store.list("audit/writers/"):
            m = _WRITER.match(key)
            if not m or m.group(1) == self.writer:
                continue
            if (known := self._known.get(m.group(1))) and known.get("final"):
                heads[m.group(1)] = known
                continue
            try:
                head = json.loads(self.store.get(key))
            except (ObjectNotFound, ValueError):
                continue
            heads[m.group(1)] = {k: head.get(k) for k in ("number", "sha256", "seq", "final")}
        return heads

    def _moved(self, heads: dict[str, dict]) -> bool:
        """Whether another writer has written or closed since this one last looked (a checkpoint
        that only witnesses others moves nothing, so two writers do not seal for each other for
        ever)."""
        return any((h.get("seq"), h.get("final")) != (self._known.get(w, {}).get("seq"),
                                                      self._known.get(w, {}).get("final"))
                   for w, h in heads.items())

    def _checkpoint(self, final: bool = False) -> None:
        heads = self._heads()
        seen = {w: {"number": h["number"], "sha256": h["sha256"]} for w, h in heads.items()
                if h != self._known.get(w)}  # what changed since the last checkpoint: the rest is sealed already
        number = self._checkpoints + 1
        body = json.dumps({"writer": self.writer, "number": number, "seq": self._seq, "sha256": self._prev,
                           "prev": self._last_checkpoint, "final": final, "seen": seen,
                           "at": datetime.now(timezone.utc).isoformat()}, sort_keys=True)
        seal = self.sealer.seal(body.encode()).hex() if self.sealer else None
        data = json.dumps({"body": body, "seal": seal}).encode()
        self.store.create(f"audit/checkpoints/{self.writer}-{number:010d}.json", data)
        self._checkpoints, self._checkpointed, self._known = number, self._seq, heads
        self._last_checkpoint = hashlib.sha256(data).hexdigest()
        self.store.put(f"audit/writers/{self.writer}.json", json.dumps(
            {"writer": self.writer, "number": number, "sha256": self._last_checkpoint, "seq": self._seq,
             "final": final}).encode())

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
    notes: list[str] = field(default_factory=list)  # writers still running, or killed: no problem found

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(store: ObjectStore, sealer: Sealer | None) -> AuditReport:
    """Check every writer's chain (numbering without gaps, each ``prev`` the hash of the entry
    before, each entry saying the writer and number its name says), every writer's checkpoints
    (sealed, numbered and linked without gaps, naming the hash their entry has), and that every
    checkpoint another writer saw, or the register names, is there. ``sealer`` None skips the
    seals."""
    report = AuditReport()
    chains: dict[str, dict[int, tuple[str, bytes]]] = {}
    checkpoints: dict[str, dict[int, tuple[str, bytes]]] = {}
    register: list[tuple[str, str]] = []
    for key in store.list("audit/"):
        if m := _ENTRY.match(key):
            chains.setdefault(m.group(2), {})[int(m.group(3))] = (key, store.get(key))
        elif m := _CHECKPOINT.match(key):
            checkpoints.setdefault(m.group(1), {})[int(m.group(2))] = (key, store.get(key))
        elif m := _WRITER.match(key):
            register.append((key, m.group(1)))
        else:
            report.problems.append(f"{key}: not an audit entry, checkpoint or writer")
    hashes = _check_chains(chains, report)
    sealed: dict[tuple[str, int], str] = {}  # (writer, checkpoint number) -> SHA-256 of its bytes
    witnessed: list[tuple[str, str, int, str]] = []  # (checkpoint key, writer seen, number, SHA-256)
    for writer in sorted(set(chains) | set(checkpoints)):
        last = _check_checkpoints(writer, checkpoints.get(writer, {}), hashes, sealer, sealed, witnessed, report)
        newest = max(chains.get(writer, {0: None}))
        if last is None:
            report.notes.append(f"writer {writer}: entries 1-{newest} not sealed (running, or killed within "
                                f"{SEAL_WITHIN:.0f} s)")
        elif newest > last.get("seq", 0) and last.get("final"):
            report.problems.append(f"writer {writer}: entries after its final seal ({last['seq']})")
        elif newest > last.get("seq", 0) or last.get("final") is False:  # (None: a checkpoint of before)
            report.notes.append(f"writer {writer}: not closed (running, or killed); sealed up to entry "
                                f"{last.get('seq')} of {newest}")
    registered = {writer for _, writer in register}
    for writer, found in sorted(checkpoints.items()):
        if writer in registered:
            continue
        if all("number" in _body(data) for _, data in found.values()):  # not one of before the register
            report.problems.append(f"writer {writer}: not in the register audit/writers/")
    for key, writer, number, sha256 in witnessed:
        if sealed.get((writer, number)) != sha256:
            report.problems.append(f"{key}: saw checkpoint {number} of writer {writer}, which is missing or altered")
    for key, writer in register:
        try:
            head = json.loads(store.get(key))
        except ValueError:
            report.problems.append(f"{key}: not JSON")
            continue
        if sealed.get((writer, head.get("number"))) != head.get("sha256"):
            report.problems.append(f"{key}: names checkpoint {head.get('number')} of writer {writer}, "
                                   "which is missing or altered")
    return report


def _check_chains(chains: dict[str, dict[int, tuple[str, bytes]]], report: AuditReport) -> dict[tuple[str, int], str]:
    """Each writer's entries in order; the SHA-256 of each entry's stored bytes."""
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
    return hashes


def _check_checkpoints(writer: str, found: dict[int, tuple[str, bytes]], hashes: dict[tuple[str, int], str],
                       sealer: Sealer | None, sealed: dict[tuple[str, int], str],
                       witnessed: list[tuple[str, str, int, str]], report: AuditReport) -> dict | None:
    """One writer's checkpoints: sealed, numbered from 1 and linked without a gap, each naming
    the hash of the entry it seals. Records their hashes and what they saw of other writers;
    returns the body of the newest (None without any)."""
    prev, last = GENESIS, None
    # Checkpoints written before they were numbered and linked are named by their entry's number.
    legacy = any("number" not in _body(data) for _, data in found.values())
    for number in sorted(found) if legacy else range(1, max(found, default=0) + 1):
        if number not in found:
            report.problems.append(f"writer {writer}: checkpoint {number} is missing")
            prev = None
            continue
        key, data = found[number]
        report.checkpoints += 1
        body = _body(data)
        if not body:
            report.problems.append(f"{key}: not a checkpoint")
            prev = None
            continue
        if sealer is not None:
            seal = json.loads(data).get("seal")
            problem = "not sealed" if not seal else sealer.check(json.loads(data)["body"].encode(), bytes.fromhex(seal))
            if problem:
                report.problems.append(f"{key}: seal not valid: {problem}")
                prev = None
                continue
        if (body.get("writer"), body.get("seq" if legacy else "number")) != (writer, number):
            report.problems.append(f"{key}: names checkpoint {body.get('writer')}-{body.get('number')}")
            continue
        if not legacy and prev is not None and body.get("prev") != prev:
            report.problems.append(f"{key}: does not follow checkpoint {number - 1} (removed or altered)")
        prev = sealed[(writer, number)] = hashlib.sha256(data).hexdigest()
        seq = body.get("seq", 0)
        if seq and hashes.get((writer, seq)) != body.get("sha256"):
            report.problems.append(f"{key}: entry {seq} of writer {writer} is missing or altered")
        for other, head in (body.get("seen") or {}).items():
            witnessed.append((key, other, head.get("number"), head.get("sha256")))
        last = body
    return last


def _body(data: bytes) -> dict:
    try:
        body = json.loads(json.loads(data)["body"])
    except (ValueError, KeyError, TypeError):
        return {}
    return body if isinstance(body, dict) else {}
