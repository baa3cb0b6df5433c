"""The audit log: who did what to which record, as JSON objects in the object store.

One object per entry under `audit/{yyyy-mm-dd}/{ulid}.json`, written before the answer goes
out, so an access that happened is never missing. (The hash chain and its verification come
with the security work; entries already carry what it needs: time, actor, action, target.)
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from ulid import ULID

from .store import ObjectStore


class AuditLog:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def record(self, actor: str, action: str, target: str, **details: Any) -> str:
        now = datetime.now(timezone.utc)
        entry_id = str(ULID())
        entry = {"id": entry_id, "at": now.isoformat(), "actor": actor, "action": action, "target": target,
                 **details}
        self.store.put(f"audit/{now:%Y-%m-%d}/{entry_id}.json",
                       json.dumps(entry, ensure_ascii=False, default=str).encode())
        return entry_id
