"""Statistics of digitisation and reuse (README, "Statistics"): JSON, or CSV tables."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from search import Statistics, StatsQuery

from ..deps import KeyDep, ServicesDep, allow
from ..stats_tables import Table, to_csv
from .search import RECEIVED_DAY

router = APIRouter(tags=["statistics"], dependencies=[Depends(allow("admin", "reception"))])


@router.get("/stats", response_model=Statistics, responses={200: {"content": {"text/csv": {}}}, 400: {}})
async def statistics(
    services: ServicesDep, key: KeyDep,
    agency_code: str | None = None, procedure_code: str | None = None, doc_type: str | None = None,
    kind: Literal["component", "result"] | None = None,
    received_from: Annotated[date | None, Query(description=f"from: {RECEIVED_DAY}")] = None,
    received_to: Annotated[date | None, Query(description=f"to, inclusive: {RECEIVED_DAY}")] = None,
    period: Annotated[Literal["day", "month"], Query(description="the series' step")] = "day",
    format: Annotated[Literal["json", "csv"], Query(description="csv: one table, see `table`")] = "json",
    table: Annotated[Table, Query(description="csv: groups (every figure per group), fields or failures")] = "groups",
) -> Statistics | Response:
    """Figures computed from the records (no personal data, so not audited). A reception key
    sees its own agency's only, whatever agency it asks for."""
    if key["role"] == "reception":
        agency_code = key["agency"]
    query = StatsQuery(agency_code=agency_code, procedure_code=procedure_code, doc_type=doc_type, kind=kind,
                       received_from=received_from, received_to=received_to, period=period)
    found = await asyncio.to_thread(services.index.statistics, query)
    if format == "csv":
        return Response(to_csv(found, table), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="thong-ke-{table}.csv"'})
    return found
