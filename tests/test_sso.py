"""Single sign-on: OpenID Connect tokens checked against the JWKS of a provider on loopback
(tests/services/oidc_provider.py), with keys made here; claims give the role and agency, and
anything off is refused and audited. The web pages' sign-in is in tests/web/test_web_sso.py."""

from __future__ import annotations

import time

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from harness import Server

AUDIENCE = "hoso"


def test_sso_tokens_map_to_roles_and_bad_ones_are_refused(tmp_path, oidc_provider):
    def token(kid: str | None = None, **claims) -> str:
        return oidc_provider.token(kid, **{"aud": AUDIENCE, **claims})

    server = Server(tmp_path / "data", {"HOSO_OIDC__JWKS_URL": oidc_provider.jwks_url,
                                        "HOSO_OIDC__ISSUER": oidc_provider.issuer,
                                        "HOSO_OIDC__AUDIENCE": AUDIENCE}).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            def status(bearer: str, path: str = "/v1/search?q=ho+so") -> int:
                return client.get(path, headers={"Authorization": f"Bearer {bearer}"}).status_code

            # Tokens are checked, but without the provider's endpoints the pages offer no SSO.
            assert client.get("/v1/auth/config").json() == {"api_key": True, "sso": None}
            archivist = token(hoso_role="archivist")
            assert status(archivist) == 200
            assert status(token(hoso_role=["viewer", "archivist"])) == 200
            assert status(archivist, "/v1/citizens/001090012345/data?purpose=kiem+tra") == 403
            assert status(token(hoso_role="reception", hoso_agency="000.17.22.H56")) == 200

            other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            header, payload, signature = archivist.split(".")
            forged = jwt.encode({**jwt.decode(archivist, options={"verify_signature": False}), "hoso_role": "admin"},
                                other, algorithm="RS256", headers={"kid": "k1"})
            refused = {
                "expired": token(hoso_role="archivist", exp=int(time.time()) - 3600),
                "other audience": token(hoso_role="archivist", aud="another-app"),
                "other issuer": token(hoso_role="archivist", iss="https://evil.example"),
                "unknown key id": token(kid="k2", hoso_role="archivist"),
                "signed by another key": forged,
                "payload altered": ".".join([header, payload[:-4] + "AAAA", signature]),
                "not a JWT": "garbage",
            }
            for why, bad in refused.items():
                assert status(bad) == 401, why
            assert status(token(hoso_role="viewer")) == 403  # valid, but no HoSo role
            assert status(token(hoso_role="reception")) == 403  # a desk without an agency

            with server.client() as admin:
                failed = admin.get("/v1/audit", params={"action": "authentication.failed", "limit": 1000}).json()
                assert len(failed["entries"]) == len(refused) + 2
                searched = admin.get("/v1/audit", params={"action": "search"}).json()["entries"]
                assert any(e["actor"] == "nguyen.van.an [oidc:u-123]" for e in searched)
    finally:
        server.stop()
