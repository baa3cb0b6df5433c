"""Single sign-on: OpenID Connect tokens checked against a JWKS served on loopback, with keys
made here; claims give the role and agency, and anything off is refused and audited."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from harness import Server

ISSUER, AUDIENCE = "https://sso.example.gov.vn/realms/hanoi", "hoso"


@pytest.fixture(scope="module")
def provider():
    """An identity provider's JWKS endpoint with one signing key (kid "k1")."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield key, f"http://127.0.0.1:{http.server_address[1]}/protocol/openid-connect/certs"
    http.shutdown()


def token(key, kid: str = "k1", **claims) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u-123", "iat": now, "exp": now + 300,
            "preferred_username": "nguyen.van.an", **claims}
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm="RS256",
                      headers={"kid": kid})


def test_sso_tokens_map_to_roles_and_bad_ones_are_refused(tmp_path, provider):
    key, jwks_url = provider
    server = Server(tmp_path / "data", {"HOSO_OIDC__JWKS_URL": jwks_url, "HOSO_OIDC__ISSUER": ISSUER,
                                        "HOSO_OIDC__AUDIENCE": AUDIENCE}).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            def status(bearer: str, path: str = "/v1/search?q=ho+so") -> int:
                return client.get(path, headers={"Authorization": f"Bearer {bearer}"}).status_code

            archivist = token(key, hoso_role="archivist")
            assert status(archivist) == 200
            assert status(token(key, hoso_role=["viewer", "archivist"])) == 200
            assert status(archivist, "/v1/citizens/001090012345/data?purpose=kiem+tra") == 403
            assert status(token(key, hoso_role="reception", hoso_agency="000.17.22.H56")) == 200

            other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            header, payload, signature = archivist.split(".")
            forged = jwt.encode({**jwt.decode(archivist, options={"verify_signature": False}), "hoso_role": "admin"},
                                other, algorithm="RS256", headers={"kid": "k1"})
            refused = {
                "expired": token(key, hoso_role="archivist", exp=int(time.time()) - 3600),
                "other audience": token(key, hoso_role="archivist", aud="another-app"),
                "other issuer": token(key, hoso_role="archivist", iss="https://evil.example"),
                "unknown key id": token(key, kid="k2", hoso_role="archivist"),
                "signed by another key": forged,
                "payload altered": ".".join([header, payload[:-4] + "AAAA", signature]),
                "not a JWT": "garbage",
            }
            for why, bad in refused.items():
                assert status(bad) == 401, why
            assert status(token(key, hoso_role="viewer")) == 403  # valid, but no HoSo role
            assert status(token(key, hoso_role="reception")) == 403  # a desk without an agency

            with server.client() as admin:
                failed = admin.get("/v1/audit", params={"action": "authentication.failed", "limit": 1000}).json()
                assert len(failed["entries"]) == len(refused) + 2
                searched = admin.get("/v1/audit", params={"action": "search"}).json()["entries"]
                assert any(e["actor"] == "nguyen.van.an [oidc:u-123]" for e in searched)
    finally:
        server.stop()
