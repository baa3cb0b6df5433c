"""Delivering the event feed to webhook subscribers, signed as Standard Webhooks specifies.

Each subscriber (configured in `HOSO_EVENTS__SUBSCRIBERS`) has its own task and its own place in
the feed, so one that is down holds up nobody else; its events go one at a time, in feed order
(hence in order within each dossier), each retried with exponential backoff until the receiver
answers 2xx; then the next. A subscriber that comes back after days gets everything it missed,
from where it left off. One process at a time delivers a subscriber (a lease in the store).

Each POST carries the event as JSON and the headers
`webhook-id` (the event id: the same on every retry), `webhook-timestamp` (Unix seconds), and
`webhook-signature: v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, keyed
with the subscriber's secret (its UTF-8 bytes; a secret `whsec_<base64>` is the base64 bytes, as
Standard Webhooks libraries expect).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import socket
import time

from pydantic import BaseModel, Field, field_validator
from ulid import ULID

from repository.deliveries import Deliveries, Lease
from repository.events import TYPES, Event
from repository.records import Records

from ._webhook import DeliveryFailed, post

log = logging.getLogger(__name__)
BATCH = 100  # feed entries read at a time


class Subscriber(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")  # names its state in the store
    url: str = Field(pattern=r"^https?://")
    secret: str = Field(min_length=16, repr=False)
    types: list[str] = []  # event types it wants; none listed: all
    agencies: list[str] = []  # agencies whose dossiers it hears of; none listed: all

    @field_validator("types")
    @classmethod
    def _known(cls, types: list[str]) -> list[str]:
        if unknown := sorted(set(types) - set(TYPES)):
            raise ValueError(f"unknown event types {unknown}; known: {', '.join(TYPES)}")
        return types

    def wants(self, event: Event) -> bool:
        return (not self.types or event.type in self.types) and \
            (not self.agencies or event.agency_code in self.agencies)


class EventOptions(BaseModel):
    subscribers: list[Subscriber] = []
    timeout: float = Field(default=10.0, gt=0)  # seconds a receiver has to answer one delivery
    retry_min: float = Field(default=1.0, gt=0)  # seconds before the first retry; doubled on each
    retry_max: float = Field(default=600.0, gt=0)  # the longest wait between two attempts
    poll_seconds: float = Field(default=1.0, gt=0)  # how often a caught-up subscriber looks for new events
    lease_seconds: float = Field(default=30.0, gt=0)  # how long a dead process keeps a subscriber from others


def sign(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()
    mac = hmac.new(key, f"{event_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


class EventDelivery:
    """Publishes what the outbox still holds, and delivers the feed to every subscriber."""

    def __init__(self, records: Records, options: EventOptions, sweep_seconds: float) -> None:
        self.records = records
        self.options = options
        self.sweep_seconds = sweep_seconds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{ULID()}"

    async def run(self) -> None:
        await asyncio.gather(self._sweep(), *(self._deliver(s) for s in self.options.subscribers))

    async def _sweep(self) -> None:
        while True:
            try:
                if published := await asyncio.to_thread(self.records.publish_waiting):
                    log.warning("published %d events a crash or a store failure had left in the outbox", published)
            except Exception:  # noqa: BLE001 - a store hiccup must not end the sweep
                log.exception("publishing waiting events failed")
            await asyncio.sleep(self.sweep_seconds)

    async def _deliver(self, subscriber: Subscriber) -> None:
        store = self.records.store
        deliveries = Deliveries(store, subscriber.name)
        lease = Lease(store, subscriber.name, self.owner, self.options.lease_seconds)
        while True:
            try:
                if lease.held() or await asyncio.to_thread(lease.take):
                    if await self._deliver_batch(subscriber, deliveries, lease):
                        continue
            except Exception:  # noqa: BLE001 - the store down: try again, from the stored cursor
                log.exception("delivering events to %s failed", subscriber.name)
            await asyncio.sleep(self.options.poll_seconds)

    async def _deliver_batch(self, subscriber: Subscriber, deliveries: Deliveries, lease: Lease) -> bool:
        """Deliver the next events; False when there were none (or the lease was lost)."""
        cursor = await asyncio.to_thread(deliveries.cursor)
        batch = await asyncio.to_thread(lambda: list(self.records.feed.read(cursor, BATCH)))
        passed = None  # the last of a run of events not for this subscriber: noted once
        for position, event in batch:
            if not subscriber.wants(event):
                passed = position
                continue
            if not await self._until_acknowledged(subscriber, deliveries, lease, position, event):
                return False
            await asyncio.to_thread(deliveries.acknowledged, position)
            passed = None
        if passed is not None:
            await asyncio.to_thread(deliveries.acknowledged, passed)
        return bool(batch)

    async def _until_acknowledged(self, subscriber: Subscriber, deliveries: Deliveries, lease: Lease,
                                  position: int, event: Event) -> bool:
        body = event.model_dump_json().encode()
        attempt = 0
        while lease.held() or await asyncio.to_thread(lease.take):
            timestamp = int(time.time())
            headers = {"Content-Type": "application/json", "User-Agent": "HoSo", "webhook-id": event.id,
                       "webhook-timestamp": str(timestamp),
                       "webhook-signature": sign(subscriber.secret, event.id, timestamp, body)}
            try:
                await asyncio.to_thread(post, subscriber.url, body, headers, self.options.timeout)
            except DeliveryFailed as e:
                wait = min(self.options.retry_max, self.options.retry_min * 2 ** attempt)
                attempt += 1
                log.warning("event %s to %s failed (attempt %d, next in %.0f s): %s", event.id, subscriber.name,
                            attempt, wait, e)
                await asyncio.to_thread(deliveries.failed, position, event.model_dump(mode="json"), str(e), wait)
                await self._wait(wait, lease)
                continue
            if attempt:
                await asyncio.to_thread(deliveries.recovered)
            return True
        return False

    async def _wait(self, seconds: float, lease: Lease) -> None:
        """Sleep, renewing the lease meanwhile: a long backoff must not hand the subscriber over."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            await asyncio.sleep(min(left, lease.seconds / 3))
            if not lease.held():
                await asyncio.to_thread(lease.take)
