"""Idempotency keys: a client that sends a dossier again (its connection dropped before the
answer) with the same `Idempotency-Key` gets the dossier it already created, not a second one.

A key is reserved in the store before anything is received under it, with the dossier code the
reception is to use: `idempotency/{caller}/{sha256 of key}/{attempt}`, made with an atomic
create, so of two requests with one key (two processes, or a retry racing the original) exactly
one receives. The reservation names its owner (`host:pid:…`); when the reception dies before its
manifest is written, the next request with the key takes over with the next attempt and a new
code (what the dead one stored is removed by the pipeline's resume, as for any reception that
died). Once the dossier is stored the answer is kept in the reservation and given again, 200,
to every request with the same key and the same content until the key expires; other content
under the key is refused (409), and a reservation still being received answers 409 too.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from dataclasses import dataclass
from typing import Callable

from pydantic import BaseModel, Field

from repository.errors import ObjectNotFound
from repository.store import ObjectStore

from .errors import IngestError

PREFIX = "idempotency/"
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # printable ASCII without spaces, as the IETF draft and Stripe


class IdempotencyOptions(BaseModel):
    ttl_hours: float = Field(default=24.0, gt=0)  # how long a key answers with its dossier


class KeyReused(IngestError):
    """The key was used for a dossier with other content."""

    code = "idempotency_key_reused"


class KeyInProgress(IngestError):
    """A dossier is being received under the key right now."""

    code = "idempotency_key_in_progress"
    retry_after = 5


@dataclass(frozen=True)
class Reservation:
    key: str  # the store key of this attempt
    dossier_code: str
    received: bool = False  # the dossier exists already: this request repeats the one that made it
    body: dict | None = None  # the answer given when it was received, when kept


def fingerprint(fields: dict[str, str | None], sha256s: list[str]) -> str:
    """What "the same content" means: the form's fields and every file's bytes, in order."""
    return _digest(json.dumps([fields, sha256s], sort_keys=True))


class IdempotencyKeys:
    def __init__(self, store: ObjectStore, options: IdempotencyOptions,
                 alive: Callable[[str], bool], grace: float) -> None:
        self.store = store
        self.ttl = options.ttl_hours * 3600
        self.alive = alive
        self.grace = grace  # a reservation older than this without its dossier was left by a death

    def reserve(self, caller: str, key: str, fingerprint: str, claim_code: Callable[[], str],
                dossier_exists: Callable[[str], bool]) -> Reservation:
        """The dossier already received under the key (`body` set, or its code when the answer
        was not kept), or a new reservation with a freshly claimed code to receive under."""
        prefix = f"{PREFIX}{_digest(caller)[:24]}/{_digest(key)}/"
        while True:
            attempts = sorted(self.store.list(prefix))
            attempt = int(attempts[-1].rsplit("/", 1)[1]) if attempts else 0
            held = self._read(attempts[-1]) if attempts else None
            if attempts and held is None:
                continue  # replaced meanwhile: look again
            if held is not None and time.time() - held["at"] < self.ttl:
                if held["fingerprint"] != fingerprint:
                    raise KeyReused("this Idempotency-Key was used for a dossier with other content "
                                    f"({held['dossier_code']}); use a new key for a new dossier")
                if held.get("body") is not None or dossier_exists(held["dossier_code"]):
                    return Reservation(attempts[-1], held["dossier_code"], True, held.get("body"))
                if self.alive(held["owner"]) and time.time() - held["at"] < self.grace:
                    raise KeyInProgress(f"dossier {held['dossier_code']} is being received under this "
                                        "Idempotency-Key; ask again in a moment")
            code = claim_code()
            name = f"{prefix}{attempt + 1:04d}"
            record = {"fingerprint": fingerprint, "dossier_code": code, "owner": _owner(), "at": time.time()}
            if self.store.create(name, json.dumps(record).encode()):
                return Reservation(name, code)
            # Another request took the attempt first: what it holds decides (the code stays claimed).

    def received(self, reservation: Reservation, body: dict) -> None:
        """Keep the answer, for the requests that repeat this one."""
        held = self._read(reservation.key)
        if held is not None:
            self.store.put(reservation.key, json.dumps({**held, "body": body}).encode())

    def abandon(self, reservation: Reservation) -> None:
        """The dossier was refused: the key is free for a corrected request."""
        self.store.delete(reservation.key)

    def _read(self, name: str) -> dict | None:
        try:
            return json.loads(self.store.get(name))
        except ObjectNotFound:
            return None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:idempotency"
