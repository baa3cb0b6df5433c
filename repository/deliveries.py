"""Where each webhook subscriber is in the event feed, what failed, and who delivers to it.

Kept in the store under `events/subscribers/{name}/`, so that every HoSo process sharing the
store knows it: `cursor.json` (the last feed position the subscriber acknowledged), `status.json`
(the delivery failing now and the last failed attempts), and a lease (`lease/{n}`), taken and
renewed with atomic creates, so that one process at a time delivers a subscriber's events, in
order. A process that loses its lease (paused past its end) may deliver one event again, under
the same id, before it notices: receivers drop what they have seen.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

from .errors import ObjectNotFound
from .store import ObjectStore

PREFIX = "events/subscribers/"
RECENT = 20  # failed attempts kept per subscriber, newest last


class Deliveries:
    """One subscriber's place in the feed and its failures."""

    def __init__(self, store: ObjectStore, subscriber: str) -> None:
        self.store = store
        self.prefix = f"{PREFIX}{subscriber}/"

    def cursor(self) -> int:
        return self._read("cursor.json").get("position", 0)

    def acknowledged(self, position: int) -> None:
        self.store.put(self.prefix + "cursor.json", json.dumps({"position": position, "at": _now()}).encode())

    def status(self) -> dict:
        return {"failing": None, "recent_failures": [], **self._read("status.json")}

    def failed(self, position: int, event: dict, error: str, next_attempt_in: float) -> None:
        """Note a failed attempt at the event at `position`."""
        status = self.status()
        failing = status["failing"]
        if failing is None or failing["position"] != position:
            failing = {"position": position, "event_id": event["id"], "type": event["type"],
                       "dossier_code": event["dossier_code"], "attempts": 0, "first_failed_at": _now()}
        failing |= {"attempts": failing["attempts"] + 1, "last_error": error, "last_attempt_at": _now(),
                    "next_attempt_at": datetime.fromtimestamp(time.time() + next_attempt_in, timezone.utc).isoformat()}
        recent = [*status["recent_failures"], {"at": _now(), "position": position, "event_id": event["id"],
                                                "error": error}][-RECENT:]
        self.store.put(self.prefix + "status.json",
                       json.dumps({"failing": failing, "recent_failures": recent}).encode())

    def recovered(self) -> None:
        """The failing delivery went through: it is no longer failing (the history stays)."""
        status = self.status()
        if status["failing"] is not None:
            self.store.put(self.prefix + "status.json", json.dumps({**status, "failing": None}).encode())

    def _read(self, name: str) -> dict:
        try:
            return json.loads(self.store.get(self.prefix + name))
        except ObjectNotFound:
            return {}


class Lease:
    """The right to deliver one subscriber's events, held by one process until `seconds` after
    it was last renewed. Renewing, like taking over, is creating the next numbered object:
    only one process can."""

    def __init__(self, store: ObjectStore, subscriber: str, owner: str, seconds: float) -> None:
        self.store = store
        self.prefix = f"{PREFIX}{subscriber}/lease/"
        self.owner = owner
        self.seconds = seconds
        self.until = 0.0

    def held(self) -> bool:
        """Whether this process may deliver now (with a margin before the lease ends)."""
        return time.time() < self.until - self.seconds / 3

    def take(self) -> bool:
        """Take or renew the lease; False while another process holds it."""
        keys = sorted(self.store.list(self.prefix))
        number, now = 0, time.time()
        if keys:
            number = int(keys[-1].rsplit("/", 1)[1])
            try:
                holder = json.loads(self.store.get(keys[-1]))
            except ObjectNotFound:
                return False  # renewed by its holder meanwhile
            if holder["owner"] != self.owner and holder["expires"] > now:
                return False
        record = {"owner": self.owner, "expires": now + self.seconds}
        if not self.store.create(f"{self.prefix}{number + 1:09d}", json.dumps(record).encode()):
            return False
        self.until = now + self.seconds
        for key in keys:
            self.store.delete(key)
        return True


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()
