"""Citizen data for e-form services: what HoSo holds, with provenance, and forms filled from it.
Every read is audited with its purpose."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field

from ..deps import KeyDep, ServicesDep, actor, allow, limited
from ..errors import RATE_LIMITED
from ..reuse import PURPOSE_MAX, PURPOSE_PATTERN

router = APIRouter(tags=["citizen data"], dependencies=[Depends(allow("admin", "eform"))])
CitizenRead = Depends(limited("citizen_reads"))

CitizenId = Annotated[str, Field(pattern=r"^\d{12}$", description="12-digit personal identification number")]
Purpose = Annotated[str, Field(pattern=PURPOSE_PATTERN, max_length=PURPOSE_MAX,
                               description="why the data is needed (audited)")]


class AutofillRequest(BaseModel):
    form: str
    citizen_id: CitizenId
    purpose: Purpose


@router.get("/citizens/{citizen_id}/data", dependencies=[CitizenRead],
            responses={404: {}, 422: {}, **RATE_LIMITED})
async def citizen_data(
    services: ServicesDep, key: KeyDep, citizen_id: Annotated[str, Path(pattern=r"^\d{12}$")],
    purpose: Annotated[str, Query(pattern=PURPOSE_PATTERN, max_length=PURPOSE_MAX, description="why (audited)")],
    fields: Annotated[str | None, Query(description="comma-separated field names; all when absent")] = None,
) -> dict[str, Any]:
    wanted = [f.strip() for f in fields.split(",") if f.strip()] if fields else []
    answer = await asyncio.to_thread(services.reuse.citizen_data, citizen_id, wanted)
    # Written before the answer leaves: a read that is not in the log does not happen.
    await asyncio.to_thread(services.audited, actor(key), "citizen_data.read", citizen_id,
                            purpose=purpose, requested=wanted or "all", returned=sorted(answer["fields"]))
    return {**answer, "purpose": purpose}


@router.get("/forms")
async def forms(services: ServicesDep) -> list[dict[str, Any]]:
    return [{"id": f.id, "title": f.title, "fields": f.fields} for f in services.reuse.forms.values()]


@router.post("/autofill", dependencies=[CitizenRead], responses={404: {}, 422: {}, **RATE_LIMITED})
async def autofill(request: AutofillRequest, services: ServicesDep, key: KeyDep) -> dict[str, Any]:
    if request.form not in services.reuse.forms:
        raise HTTPException(404, f"no form template {request.form!r}; GET /v1/forms lists them")
    answer = await asyncio.to_thread(services.reuse.autofill, request.form, request.citizen_id)
    await asyncio.to_thread(services.audited, actor(key), "autofill.read", request.citizen_id,
                            purpose=request.purpose, form=request.form,
                            returned=sorted(n for n, f in answer["fields"].items() if not f["missing"]),
                            missing=sorted(n for n, f in answer["fields"].items() if f["missing"]))
    return {**answer, "purpose": request.purpose}
