"""Dependencies, declared once as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ingest.pipeline import Pipeline

from .services import Services

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer hoso_…`")


def _services(request: Request) -> Services:
    return request.app.state.services


def _pipeline(request: Request) -> Pipeline:
    return request.app.state.pipeline


ServicesDep = Annotated[Services, Depends(_services)]
PipelineDep = Annotated[Pipeline, Depends(_pipeline)]


def require_key(services: ServicesDep,
                credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> dict:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "an API key is required: Authorization: Bearer <key>",
                            headers={"WWW-Authenticate": "Bearer"})
    key = services.keys.verify(credentials.credentials)
    if key is None:
        raise HTTPException(401, "the API key is not valid", headers={"WWW-Authenticate": "Bearer"})
    return key


KeyDep = Annotated[dict, Depends(require_key)]


def allow(*roles: str):
    """A dependency that lets only keys of these roles through (403 otherwise, audited)."""

    def check(services: ServicesDep, key: KeyDep, request: Request) -> dict:
        if key["role"] not in roles:
            services.audit.record(actor(key), "forbidden", request.url.path, role=key["role"])
            raise HTTPException(403, f"a key of role {key['role']!r} may not call this; needs {' or '.join(roles)}")
        return key

    return check




def own_agency(services: Services, key: dict, request: Request, agency_code: str, code: str) -> None:
    """A reception key sees only its agency's dossiers: any other is answered as not found
    (its existence is not disclosed) and the attempt is audited."""
    if key["role"] == "reception" and agency_code != key["agency"]:
        services.audit.record(actor(key), "forbidden", request.url.path, role=key["role"], agency=key["agency"])
        raise HTTPException(404, f"no dossier {code}")


def actor(key: dict) -> str:
    """How an API key appears in the audit log and on confirmed fields."""
    return f"{key['name']} [{key['id']}]"
