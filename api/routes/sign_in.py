"""How to sign in, asked by the web pages before anyone has: with an API key always, and with the
province's single sign-on when it is configured. Public, and nothing in it is personal."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from ..deps import ServicesDep

router = APIRouter(prefix="/auth", tags=["keys"])


class SsoSignIn(BaseModel):
    """Where the pages send the browser for an authorization code (with PKCE, S256) and where they
    exchange it for the ID token they then use as bearer token; HoSo is a public client."""

    authorization_endpoint: str
    token_endpoint: str
    client_id: str
    scope: str


class SignInOptions(BaseModel):
    api_key: bool = True
    sso: SsoSignIn | None = None  # absent: single sign-on is not configured


@router.get("/config", response_model=SignInOptions)
async def sign_in_options(services: ServicesDep) -> SignInOptions:
    o = services.settings.oidc
    if not o.web_sign_in:
        return SignInOptions()
    return SignInOptions(sso=SsoSignIn(authorization_endpoint=o.authorization_endpoint, token_endpoint=o.token_endpoint,
                                       client_id=o.web_client_id, scope=o.scopes))
