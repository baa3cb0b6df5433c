"""Full-text search over the archive."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from search import SearchQuery, SearchResults

from ..deps import KeyDep, ServicesDep, actor, allow

router = APIRouter(tags=["search"], dependencies=[Depends(allow("admin", "archivist", "reception"))])

QUERY_SYNTAX = ('words, all required, diacritics optional; "a phrase" (words adjacent, in order); '
                '-word or -"a phrase" to leave out; a code (684/QĐ, 000.17.22) finds the longer codes it '
                "begins, dossier codes too")
RECEIVED_DAY = "a calendar day in Vietnam (UTC+07:00), YYYY-MM-DD"


@router.get("/search", response_model=SearchResults, responses={400: {}})
async def search(
    services: ServicesDep, key: KeyDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description=QUERY_SYNTAX)],
    agency_code: str | None = None, procedure_code: str | None = None, doc_type: str | None = None,
    dossier_code: str | None = None,
    received_from: Annotated[date | None, Query(description=f"received on or after: {RECEIVED_DAY}")] = None,
    received_to: Annotated[date | None, Query(description=f"received on or before: {RECEIVED_DAY}")] = None,
    sort: Annotated[Literal["relevance", "newest"], Query(
        description="relevance: best matches first; newest: latest received first")] = "relevance",
    limit: Annotated[int, Query(ge=1, le=100)] = 20, offset: Annotated[int, Query(ge=0)] = 0,
) -> SearchResults:
    if key["role"] == "reception":  # a reception desk searches its own agency's dossiers
        agency_code = key["agency"]
    query = SearchQuery(text=q, agency_code=agency_code, procedure_code=procedure_code, doc_type=doc_type,
                        dossier_code=dossier_code, received_from=received_from, received_to=received_to,
                        sort=sort, limit=limit, offset=offset)
    results = await asyncio.to_thread(services.index.search, query)
    await asyncio.to_thread(services.audit.record, actor(key), "search", q, filters=query.filters(),
                            hits=len(results.hits))
    return results
