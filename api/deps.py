"""Dependencies, declared once as Annotated aliases."""

from __future__ import annotations

import asyncio
from typing import Annotated, NoReturn

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ingest.pipeline import Pipeline
from repository.records import DossierNotFound

from .keys import PREFIX
from .limits import RateLimited
from .oidc import ProviderUnavailable, TokenRejected
from .services import Services

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer hoso_…`")


# The two below and `allow`'s check are coroutines: FastAPI runs a plain function dependency in a
# worker thread, a hop that costs more than their work on every request (the check hands only the
# audit entry of a refusal to a thread).
async def _services(request: Request) -> Services:
    return request.app.state.services


async def _pipeline(request: Request) -> Pipeline:
    return request.app.state.pipeline


ServicesDep = Annotated[Services, Depends(_services)]
PipelineDep = Annotated[Pipeline, Depends(_pipeline)]


def require_key(services: ServicesDep, request: Request,
                credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> dict:
    """The caller: an API key (``hoso_…``) or, when SSO is configured, an OpenID Connect token.
    A credential that does not hold is refused and the attempt audited."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "an API key or SSO token is required: Authorization: Bearer <key>",
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        key = identify(services, credentials.credentials)
    except ProviderUnavailable as e:
        raise HTTPException(503, str(e), headers={"Retry-After": "30"}) from e
    except TokenRejected as e:
        _refuse(services, request, e.status, e.reason)
    if key is None:
        _refuse(services, request, 401, "the API key is not valid")
    return key


def identify(services: Services, token: str) -> dict | None:
    """The caller a bearer token names: an API key entry, or an SSO principal shaped like one;
    None for an unknown API key. An SSO token that does not hold raises TokenRejected (or
    ProviderUnavailable when its keys cannot be fetched)."""
    if token.startswith(PREFIX) or services.oidc is None:
        return services.keys.verify(token)
    return services.oidc.principal(token)


def _refuse(services: Services, request: Request, status: int, reason: str) -> NoReturn:
    """Refuse a credential, audited; a client address refused more often than its limit is
    answered 429 instead, and only the first of such a run is audited."""
    client = request.client.host if request.client else "unknown"
    _take(services, "refusals", client, "unknown", request.url.path, client=client)
    services.audit.record("unknown", "authentication.failed", request.url.path, status=status, reason=reason,
                          client=client)
    raise HTTPException(status, reason, headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)


KeyDep = Annotated[dict, Depends(require_key)]


def allow(*roles: str):
    """A dependency that lets only keys of these roles through (403 otherwise, audited)."""

    async def check(services: ServicesDep, key: KeyDep, request: Request) -> dict:
        if key["role"] not in roles:
            await asyncio.to_thread(services.audit.record, actor(key), "forbidden", request.url.path,
                                    role=key["role"])
            raise HTTPException(403, f"a key of role {key['role']!r} may not call this; needs {' or '.join(roles)}")
        return key

    return check


def limited(kind: str):
    """A dependency that counts the caller's request against its limit for `kind` (a field of
    `Limits`): 429 over it, the first refusal of a run audited, not each one of a client that
    keeps trying, so that refusing stays cheap."""

    def check(services: ServicesDep, key: KeyDep, request: Request) -> None:
        count(services, kind, key, request.url.path)

    return check


def count(services: Services, kind: str, key: dict, path: str) -> None:
    """Count one request of `kind` against the caller's limit; RateLimited over it (audited)."""
    _take(services, kind, key["id"], actor(key), path)


def _take(services: Services, kind: str, counted: str, who: str, path: str, **details) -> None:
    """Count one request of `counted` (a caller, a client address) against its limit for `kind`;
    RateLimited over it, of which the first of a run is audited."""
    try:
        getattr(services.limits, kind).take(counted)
    except RateLimited as e:
        services.metrics.rate_limited.labels(e.kind).inc()
        if e.first:
            services.audit.record(who, "rate_limited", path, limit=e.kind, retry_after=e.retry_after, **details)
        raise


def own_agency(services: Services, key: dict, request: Request, agency_code: str, code: str) -> None:
    """A reception key sees only its agency's dossiers: any other is answered as one that does
    not exist, word for word (codes are sequential: a different answer would count another
    agency's dossiers), and the attempt is audited."""
    if key["role"] == "reception" and agency_code != key["agency"]:
        services.audit.record(actor(key), "forbidden", request.url.path, role=key["role"], agency=key["agency"])
        raise DossierNotFound(f"no dossier {code}")


def actor(key: dict) -> str:
    """How an API key appears in the audit log and on confirmed fields."""
    return f"{key['name']} [{key['id']}]"
