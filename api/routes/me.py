"""The caller's own key: the web pages check a key with it at sign-in and show who is signed in."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from ..deps import KeyDep

router = APIRouter(tags=["keys"])


class Me(BaseModel):
    id: str
    name: str
    role: str
    agency: str | None = None  # a reception key's agency: the only one it receives for


@router.get("/me", response_model=Me, responses={401: {}})
async def me(key: KeyDep) -> Me:
    return Me(id=key["id"], name=key["name"], role=key["role"], agency=key.get("agency"))
