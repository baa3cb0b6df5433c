"""Events: the feed for clients that pull, and how webhook deliveries fare (admins).

An event says what changed, in codes and ids (dossier code, agency, procedure, document id,
document type, field name), never a personal value: a reader that wants the values asks for the
dossier with its own rights, and that read is audited. So the feed is open to the roles that
read dossiers, a reception key seeing its own agency's events only, and is not audited itself.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from repository.deliveries import Deliveries

from ..deps import KeyDep, ServicesDep, allow

router = APIRouter(prefix="/events", tags=["events"])


class EventPublic(BaseModel):
    cursor: str  # its place in the feed: `after=` this to read what follows
    id: str
    type: str
    dossier_code: str
    agency_code: str
    procedure_code: str
    sequence: int
    at: datetime
    document_id: str | None
    data: dict[str, Any]


class EventPage(BaseModel):
    events: list[EventPublic]
    next: str  # the cursor to ask with next; equal to `after` when nothing newer is there yet


@router.get("", response_model=EventPage, dependencies=[Depends(allow("admin", "archivist", "reception"))])
async def feed(services: ServicesDep, key: KeyDep,
               after: Annotated[int, Query(ge=0, description="the cursor of the last event read; 0: from the start")] = 0,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> EventPage:
    """Events after `after`, oldest first, in the one order every reader sees (within a dossier,
    the order they happened in). At least once: an event may appear twice, with the same id."""
    read = await asyncio.to_thread(lambda: list(services.records.feed.read(after, limit)))
    own = key["agency"] if key["role"] == "reception" else None
    events = [EventPublic(cursor=str(position), **event.model_dump()) for position, event in read
              if own is None or event.agency_code == own]
    return EventPage(events=events, next=str(read[-1][0] if read else after))


class SubscriberDeliveries(BaseModel):
    name: str
    url: str
    types: list[str]
    agencies: list[str]
    acknowledged: int  # the feed position up to which it has everything
    behind: int  # feed positions after that (not all of them may be for it)
    failing: dict[str, Any] | None  # the delivery failing now: event, attempts, last error, next attempt
    recent_failures: list[dict[str, Any]]


@router.get("/deliveries", response_model=list[SubscriberDeliveries], dependencies=[Depends(allow("admin"))])
async def deliveries(services: ServicesDep) -> list[SubscriberDeliveries]:
    """Each webhook subscriber: how far it is, and what is failing (secrets are not shown)."""
    def each() -> list[SubscriberDeliveries]:
        last = services.records.feed.last()
        found = []
        for s in services.settings.events.subscribers:
            state = Deliveries(services.records.store, s.name)
            cursor = state.cursor()
            found.append(SubscriberDeliveries(name=s.name, url=s.url, types=s.types, agencies=s.agencies,
                                              acknowledged=cursor, behind=max(0, last - cursor), **state.status()))
        return found

    return await asyncio.to_thread(each)
