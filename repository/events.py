"""Events: the changes of a dossier that the systems around HoSo care about, and the feed that
publishes them in one order for every reader (webhook deliveries, `GET /v1/events`).

An event is recorded on the dossier (`record`) before its manifest is saved, and the save is the
outbox step: `Records.save` writes the new events to `events/outbox/{code}/{sequence}` first,
then the manifest, which lists the ids of every event of the dossier, then publishes them in the
feed and removes the outbox entry. A crash between leaves the entry, and `Outbox.flush` publishes
it later, but only the events the saved manifest names: a change that was never saved is never
announced, and a change that was saved is always announced (at least once; a crash after
publishing and before removing the entry publishes it again, under the same id).

The feed is `events/feed/{block}/{position}`: positions 1, 2, 3… each taken with an atomic
create, so two processes never take the same one and none is skipped: a reader that has seen
position n has seen every position before it. Within a dossier events are published in the
order they were recorded (`sequence`); a dossier's older outbox entries go out before newer ones.

Events carry codes and ids, never personal values (no applicant id, no field value): what a
neighbour needs to know that something changed, and to ask HoSo for it with its own rights.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from pydantic import BaseModel, Field as PydanticField
from ulid import ULID

from .errors import ObjectNotFound
from .model import Document, DocumentStatus, Dossier
from .store import ObjectStore

log = logging.getLogger(__name__)

TYPES = ("dossier.received", "document.digitised", "document.failed", "field.confirmed", "field.corrected",
         "document.legal_hold", "document.legal_hold_released", "document.disposed")
OUTBOX = "events/outbox/"
FEED = "events/feed/"
BLOCK = 10_000  # feed positions per listing prefix
STALE_OUTBOX = 10 * 60.0  # seconds after which an outbox entry the manifest never named is dropped
SETTLE = 5.0  # seconds a sweep leaves an outbox entry to the save that wrote it (and publishes it)


class Event(BaseModel):
    id: str  # ULID; a delivery repeated after a failure carries the same id
    type: str
    dossier_code: str
    agency_code: str
    procedure_code: str
    sequence: int  # 1, 2, 3… within the dossier: the order its events happened in
    at: datetime
    document_id: str | None = None
    data: dict[str, Any] = PydanticField(default_factory=dict)  # codes and names, never personal values


def record(dossier: Dossier, type: str, document_id: str | None = None, **data: Any) -> Event:
    """Note a change on the dossier; it is published when the dossier is next saved."""
    if type not in TYPES:
        raise ValueError(f"unknown event type {type!r}")
    event = Event(id=str(ULID()), type=type, dossier_code=dossier.dossier_code, agency_code=dossier.agency_code,
                  procedure_code=dossier.procedure_code, sequence=len(dossier.events) + 1,
                  at=datetime.now(timezone.utc), document_id=document_id, data=data)
    dossier.events.append(event.id)
    dossier.unsaved_events.append(event)
    return event


def record_change(dossier: Dossier, before: Document, after: Document) -> None:
    """The events of one document's change: read (or failed), fields confirmed or corrected."""
    if after.status != before.status:
        if after.status == DocumentStatus.DONE:
            record(dossier, "document.digitised", after.id, doc_type=after.doc_type, pages=len(after.pages),
                   review=sorted(n for n, f in after.fields.items() if f.review and not f.confirmed_at))
        elif after.status == DocumentStatus.FAILED:
            record(dossier, "document.failed", after.id)
    for name, field in after.fields.items():
        old = before.fields.get(name)
        if field.confirmed_at is None or (old is not None and old.confirmed_at == field.confirmed_at):
            continue
        corrected = old is None or old.value != field.value
        record(dossier, "field.corrected" if corrected else "field.confirmed", after.id, field=name)


def _feed_key(position: int) -> str:
    return f"{FEED}{position // BLOCK:08d}/{position:012d}"


def _outbox_key(code: str, sequence: int) -> str:
    return f"{OUTBOX}{code}/{sequence:08d}"


class Feed:
    """Every published event, at increasing positions shared by all HoSo processes."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._next = 0  # a hint only: the atomic create decides who gets a position

    def publish(self, events: list[Event]) -> None:
        with self._lock:
            position = self._next or self.last() + 1
            for event in events:
                body = event.model_dump_json().encode()
                while not self.store.create(_feed_key(position), body):
                    position += 1
                position += 1
            self._next = position

    def last(self) -> int:
        """The last position taken (0 for an empty feed): the last block found by doubling
        and halving on each block's first position, then that block listed."""
        def taken(block: int) -> bool:
            return self.store.exists(_feed_key(max(block * BLOCK, 1)))

        if not taken(0):
            return 0
        low, high = 0, 1
        while taken(high):
            low, high = high, high * 2
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if taken(middle) else (low, middle)
        return max(int(key.rsplit("/", 1)[1]) for key in self.store.list(f"{FEED}{low:08d}/"))

    def read(self, after: int, limit: int) -> Iterator[tuple[int, Event]]:
        """Up to `limit` events after position `after`, in order, with their positions."""
        block, given = (after + 1) // BLOCK, 0
        while given < limit:
            keys = sorted(self.store.list(f"{FEED}{block:08d}/"))
            if not keys:
                return
            for key in keys:
                position = int(key.rsplit("/", 1)[1])
                if position <= after:
                    continue
                try:
                    yield position, Event.model_validate_json(self.store.get(key))
                except ObjectNotFound:  # pruned meanwhile
                    continue
                given += 1
                if given == limit:
                    return
            block += 1


class Outbox:
    """Events saved with a manifest, until they are published in the feed."""

    def __init__(self, store: ObjectStore, feed: Feed) -> None:
        self.store = store
        self.feed = feed

    def stage(self, code: str, events: list[Event]) -> None:
        """Written before the manifest that names them."""
        body = json.dumps({"at": time.time(), "events": [e.model_dump(mode="json") for e in events]})
        self.store.put(_outbox_key(code, events[0].sequence), body.encode())

    def flush(self, code: str, saved: Callable[[], list[str]], settle: float = 0.0) -> int:
        """Publish the dossier's waiting events that its saved manifest names (`saved`: the ids
        it lists), oldest first; drop entries of changes never saved once they are stale.
        A sweep (`settle` > 0) leaves entries younger than that to the save under way, which
        would publish them a second time. Returns how many events were published."""
        published = 0
        named: set[str] | None = None
        for key in sorted(self.store.list(f"{OUTBOX}{code}/")):
            try:
                entry = json.loads(self.store.get(key))
            except ObjectNotFound:  # flushed by another process meanwhile
                continue
            age = time.time() - entry["at"]
            if age < settle:
                break
            named = named if named is not None else set(saved())
            events = [Event.model_validate(e) for e in entry["events"]]
            if all(e.id in named for e in events):
                self.feed.publish(events)
                published += len(events)
            elif age < STALE_OUTBOX:
                break  # being saved now: it and what follows wait for the next flush
            else:
                log.warning("dossier %s: dropping %d events of a change that was never saved", code, len(events))
            self.store.delete(key)
        return published

    def waiting(self) -> list[str]:
        """Codes of dossiers with events not yet published."""
        return sorted({key.removeprefix(OUTBOX).split("/", 1)[0] for key in self.store.list(OUTBOX)})
