"""The audit log, for admins: who did what to which record, newest first."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ..deps import KeyDep, ServicesDep, actor, allow

router = APIRouter(tags=["audit"], dependencies=[Depends(allow("admin"))])
DEFAULT_DAYS = 7


@router.get("/audit")
async def audit_entries(
    services: ServicesDep, key: KeyDep,
    since: Annotated[date | None, Query(description=f"first day (UTC); default {DEFAULT_DAYS} days ago")] = None,
    until: Annotated[date | None, Query(description="last day (UTC), inclusive")] = None,
    actor_name: Annotated[str | None, Query(alias="actor", description="who, as written in the entries")] = None,
    action: str | None = None,
    target: Annotated[str | None, Query(description="a dossier code, citizen ID or path; prefix match")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    since = since or (datetime.now(timezone.utc) - timedelta(days=DEFAULT_DAYS)).date()

    def read() -> list[dict]:
        found = [e for e in services.audit.entries(since, until)
                 if (actor_name is None or e.get("actor") == actor_name)
                 and (action is None or e.get("action") == action)
                 and (target is None or str(e.get("target", "")).startswith(target))]
        return sorted(found, key=lambda e: e["at"], reverse=True)[:limit]

    entries = await asyncio.to_thread(read)
    await asyncio.to_thread(services.audit.record, actor(key), "audit.read", "audit", since=since, until=until,
                            filter_actor=actor_name, filter_action=action, filter_target=target)
    return {"since": since, "until": until, "entries": entries}
