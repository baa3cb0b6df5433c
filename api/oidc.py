"""Single sign-on: OpenID Connect bearer tokens from the province's identity provider.

A token is a JWT signed by one of the provider's keys (its JWKS, fetched and cached), issued by
the configured issuer for the configured audience, and not expired. Its claims say who the user
is, which HoSo role they have and, for a reception desk, which agency they belong to; the caller
is then handled exactly like an API key of that role and agency.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import jwt
from pydantic import BaseModel, field_validator

from .keys import ROLES


class OidcOptions(BaseModel):
    """``HOSO_OIDC__…``; SSO is on when the JWKS URL, issuer and audience are all set, and the web
    pages offer it when the provider's authorization and token endpoints are set too."""

    jwks_url: str | None = None
    issuer: str | None = None
    audience: str | None = None
    role_claim: str = "hoso_role"  # a role name, or a list of them (the first HoSo role counts)
    agency_claim: str = "hoso_agency"
    name_claim: str = "preferred_username"
    algorithms: list[str] = ["RS256", "PS256", "ES256"]
    leeway_seconds: int = 30
    jwks_timeout: float = 5.0  # seconds to fetch the provider's keys (a request waits for it)
    # The web pages sign in as a public client (authorization code + PKCE, no secret) and use the
    # ID token, whose audience is the client id: tokens for it are accepted beside `audience`.
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    client_id: str | None = None  # default: the audience
    scopes: str = "openid profile"

    @field_validator("authorization_endpoint", "token_endpoint")
    @classmethod
    def _absolute_url(cls, url: str | None) -> str | None:
        if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
            raise ValueError(f"not an absolute http(s) URL: {url!r}")
        return url

    @property
    def enabled(self) -> bool:
        return bool(self.jwks_url and self.issuer and self.audience)

    @property
    def web_client_id(self) -> str | None:
        return self.client_id or self.audience

    @property
    def web_sign_in(self) -> bool:
        """Whether the web pages offer "Đăng nhập một lần (SSO)"."""
        return self.enabled and bool(self.authorization_endpoint and self.token_endpoint)

    @property
    def audiences(self) -> list[str]:
        return list(dict.fromkeys(a for a in (self.audience, self.web_client_id) if a))


class TokenRejected(Exception):
    """The token is not acceptable; ``status`` is 401 (not valid) or 403 (valid, no HoSo role)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class ProviderUnavailable(Exception):
    """The provider's keys cannot be fetched, so no token can be checked now."""


class OidcVerifier:
    def __init__(self, options: OidcOptions) -> None:
        self.options = options
        self._keys = jwt.PyJWKClient(options.jwks_url or "", cache_keys=True, lifespan=300,
                                     timeout=options.jwks_timeout)

    def principal(self, token: str) -> dict:
        """The caller a valid token names, shaped like an API key entry (id, name, role, agency)."""
        o = self.options
        try:
            key = self._keys.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as e:
            raise ProviderUnavailable(f"the identity provider's keys cannot be fetched: {e}") from e
        except (jwt.PyJWKClientError, jwt.InvalidTokenError) as e:
            raise TokenRejected(401, f"the token is not signed by a key of the identity provider: {e}") from e
        try:
            claims = jwt.decode(token, key.key, algorithms=o.algorithms, audience=o.audiences, issuer=o.issuer,
                                leeway=o.leeway_seconds, options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.InvalidTokenError as e:
            raise TokenRejected(401, f"the token is not valid: {e}") from e
        granted = claims.get(o.role_claim)
        names = granted if isinstance(granted, list) else [granted]
        role = next((r for r in names if r in ROLES), None)
        if role is None:
            raise TokenRejected(403, f"the token grants no HoSo role (claim {o.role_claim!r}: {granted!r})")
        agency = claims.get(o.agency_claim)
        if role == "reception" and not agency:
            raise TokenRejected(403, f"a reception token must name its agency (claim {o.agency_claim!r})")
        return {"id": f"oidc:{claims['sub']}", "name": str(claims.get(o.name_claim) or claims["sub"]),
                "role": role, "agency": agency}
