"""A small but real OpenID Connect provider on loopback, for the tests: what the province's
identity server does for HoSo's web pages, and nothing more.

- ``/.well-known/openid-configuration``: the discovery document;
- ``/authorize``: a sign-in form (a user name, no password) for a registered client and redirect
  URI, with a PKCE S256 code challenge; it sends the browser back with a one-use code and the state;
- ``/token``: the code for an ID token (RS256, with the nonce and the HoSo claims), only with the
  verifier whose SHA-256 is the challenge and the same client and redirect URI; CORS for the
  registered clients' origins, since a public client calls it from the page;
- ``/jwks``: the public key.

The signing key is made here, per provider. Every token request is kept in ``exchanges``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url of a SHA-256, unpadded


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    user: str
    expires: float


def challenge_of(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class OidcProvider:
    def __init__(self, realm: str = "hanoi") -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "k1"
        self.realm = realm
        self.clients: dict[str, set[str]] = {}  # client id → its redirect URIs
        self.users: dict[str, dict] = {}  # user name → the claims their tokens carry
        self.token_seconds = 300
        self.exchanges: list[dict] = []  # every token request: what was asked, and whether it was granted
        self._grants: dict[str, Grant] = {}
        self._http: ThreadingHTTPServer | None = None

    # ---- life ---------------------------------------------------------------------------------

    def start(self) -> Self:
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._http:
            self._http.shutdown()
            self._http.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    @property
    def issuer(self) -> str:
        return f"{self.url}/realms/{self.realm}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    def discovery(self) -> dict:
        return {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token", "jwks_uri": self.jwks_url,
                "response_types_supported": ["code"], "grant_types_supported": ["authorization_code"],
                "code_challenge_methods_supported": ["S256"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid", "profile"],
                "token_endpoint_auth_methods_supported": ["none"]}

    def register(self, client_id: str, redirect_uri: str) -> None:
        self.clients.setdefault(client_id, set()).add(redirect_uri)

    # ---- tokens -------------------------------------------------------------------------------

    def token(self, kid: str | None = None, **claims) -> str:
        """A JWT signed with this provider's key: issuer, subject and times filled in, a claim
        given as None left out (so a test can make any token, good or bad)."""
        now = int(time.time())
        body = {"iss": self.issuer, "sub": "u-123", "iat": now, "exp": now + self.token_seconds,
                "preferred_username": "nguyen.van.an", **claims}
        return jwt.encode({k: v for k, v in body.items() if v is not None}, self.key, algorithm="RS256",
                          headers={"kid": kid or self.kid})

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    # ---- the authorization code flow ------------------------------------------------------------

    def authorize_problem(self, ask: dict[str, str]) -> tuple[bool, str] | None:
        """Why an authorization request is refused, and whether the browser may be sent back with
        the error (never to an unregistered address); None when it is good."""
        if ask.get("redirect_uri") not in self.clients.get(ask.get("client_id", ""), set()):
            return False, "unknown client or redirect_uri not registered for it"
        if ask.get("response_type") != "code":
            return True, "unsupported_response_type"
        if ask.get("code_challenge_method") != "S256" or not CHALLENGE.match(ask.get("code_challenge", "")):
            return True, "invalid_request: a PKCE S256 code_challenge is required"
        if "openid" not in ask.get("scope", "").split() or not ask.get("state") or not ask.get("nonce"):
            return True, "invalid_request: scope openid, state and nonce are required"
        return None

    def grant(self, ask: dict[str, str], user: str) -> str:
        code = secrets.token_urlsafe(24)
        self._grants[code] = Grant(ask["client_id"], ask["redirect_uri"], ask["code_challenge"], ask.get("nonce"),
                                   user, time.time() + 60)
        return code

    def exchange(self, form: dict[str, str]) -> tuple[int, dict]:
        """The token endpoint: (status, answer)."""
        grant = self._grants.pop(form.get("code", ""), None)  # a code is good once
        problem = None
        if form.get("grant_type") != "authorization_code":
            problem = "unsupported_grant_type"
        elif grant is None or grant.expires < time.time():
            problem = "invalid_grant: unknown, used or expired code"
        elif form.get("client_id") != grant.client_id or form.get("redirect_uri") != grant.redirect_uri:
            problem = "invalid_grant: client_id or redirect_uri differ from the authorization request"
        elif challenge_of(form.get("code_verifier", "")) != grant.challenge:
            problem = "invalid_grant: the code_verifier does not match the code_challenge"
        self.exchanges.append({**form, "granted": problem is None, "problem": problem})
        if problem:
            error, _, description = problem.partition(": ")
            return 400, {"error": error, "error_description": description or error}
        claims = {"sub": f"u-{grant.user}", "aud": grant.client_id, "nonce": grant.nonce,
                  "preferred_username": grant.user, "auth_time": int(time.time()), **self.users[grant.user]}
        return 200, {"id_token": self.token(**claims), "access_token": secrets.token_urlsafe(24),
                     "token_type": "Bearer", "expires_in": self.token_seconds}

    def allowed_origin(self, origin: str | None) -> str | None:
        origins = {"{0.scheme}://{0.netloc}".format(urlsplit(u)) for uris in self.clients.values() for u in uris}
        return origin if origin in origins else None


def _sign_in_form(ask: dict[str, str], problem: str = "") -> bytes:
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in ask.items() if k != "username")
    alert = f'<p role="alert">{html.escape(problem)}</p>' if problem else ""
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Đăng nhập — định danh</title>
</head><body><h1>Hệ thống định danh dùng chung</h1>{alert}
<form method="post"><label for="username">Tên đăng nhập</label>
<input id="username" name="username" autocomplete="username" autofocus required>{hidden}
<button type="submit">Đăng nhập</button></form></body></html>""".encode()


def _handler(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            path, _, query = self.path.partition("?")
            realm = f"/realms/{provider.realm}"
            if path == f"{realm}/.well-known/openid-configuration":
                return self._json(200, provider.discovery())
            if path == f"{realm}/jwks":
                return self._json(200, provider.jwks())
            if path == f"{realm}/authorize":
                return self._authorize(dict(parse_qsl(query)), None)
            self._json(404, {"error": "not_found"})

        def do_POST(self):  # noqa: N802
            form = dict(parse_qsl(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()))
            path = self.path.partition("?")[0]
            if path == f"/realms/{provider.realm}/authorize":
                return self._authorize(form, form.get("username", ""))
            if path == f"/realms/{provider.realm}/token":
                return self._json(*provider.exchange(form))
            self._json(404, {"error": "not_found"})

        def _authorize(self, ask: dict[str, str], user: str | None) -> None:
            refused = provider.authorize_problem(ask)
            if refused and not refused[0]:
                return self._send(400, "text/plain; charset=utf-8", refused[1].encode())
            if refused:
                return self._back(ask, error=refused[1].partition(":")[0], error_description=refused[1])
            if user is None or user not in provider.users:
                problem = f"Không có người dùng {user!r}." if user else ""
                return self._send(200, "text/html; charset=utf-8", _sign_in_form(ask, problem))
            self._back(ask, code=provider.grant(ask, user))

        def _back(self, ask: dict[str, str], **answer: str) -> None:
            self.send_response(302)
            if ask.get("state"):
                answer["state"] = ask["state"]
            self.send_header("Location", f"{ask['redirect_uri']}?{urlencode(answer)}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _json(self, status: int, body: dict) -> None:
            self._send(status, "application/json", json.dumps(body).encode())

        def _send(self, status: int, media_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            origin = provider.allowed_origin(self.headers.get("Origin"))
            if origin:
                self.send_header("Access-Control-Allow-Origin", origin)
                self.send_header("Vary", "Origin")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler
