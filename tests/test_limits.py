"""Per-key rate limits on a real `hoso serve` with small limits: a key over its limit gets 429
with Retry-After and the JSON error, keeps nothing of the refused upload, is audited once per
run of refusals, and works again after Retry-After; other keys and other kinds go on."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import time

import httpx
import pytest

import vnpages
from api.limits import RateLimited, TokenBuckets
from harness import HOSO, Server, png_bytes, post

AGENCY = "000.17.22.H56"
CITIZEN = "001090012345"
LIMITS = {"HOSO_LIMITS__UPLOADS_PER_MINUTE": "12", "HOSO_LIMITS__UPLOAD_BURST": "2",  # one per 5 s
          "HOSO_LIMITS__CITIZEN_READS_PER_MINUTE": "20", "HOSO_LIMITS__CITIZEN_READ_BURST": "3"}  # per 3 s


def _caller(server: Server, role: str, name: str, *agency: str) -> httpx.Client:
    """A client with a new key of its own."""
    args = [str(HOSO), "keys", "create", "--role", role, "--name", name, *(("--agency", *agency) if agency else ())]
    token = subprocess.run(args, env=server.env, capture_output=True, text=True, check=True).stdout.strip()
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _page(text: str) -> list[tuple[str, bytes, str]]:
    return [("trang.png", png_bytes(vnpages.render_page([text], dpi=100, width_in=6.5, height_in=2.0)), "image/png")]


def _refused(response: httpx.Response) -> int:
    """The 429 as documented; its Retry-After in seconds."""
    assert response.status_code == 429, response.text
    assert response.json()["error"] == "rate_limited" and set(response.json()) == {"error", "detail"}
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 5
    return retry_after


def _refused_before_the_body(server: Server, client: httpx.Client) -> None:
    """An upload announced by its headers alone (a megabyte to follow) is refused at once: the
    files of a caller over its limit are never received."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(f"POST /v1/dossiers HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           f"Authorization: {client.headers['Authorization']}\r\n"
                           f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {1 << 20}\r\n"
                           "\r\n".encode())
        answer = b""
        while chunk := connection.recv(65536):  # to the end: the server closes after its 429 (or
            answer += chunk                      # times out here if it waits for the body)
        answer = answer.decode("latin-1")
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 429") and "retry-after:" in head.lower(), answer
    assert '"rate_limited"' in body


def _stored_digests(server: Server) -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in (server.data_dir / "store").rglob("*")
            if p.is_file() and "audit" not in p.parts}


def _until_refused(send) -> tuple[int, httpx.Response]:
    """Send until refused: how many got through, and the refusal."""
    for let_through in range(10):
        response = send()
        if response.status_code != 200:
            return let_through, response
    raise AssertionError("never refused")


def test_a_key_over_its_limits_is_refused_and_others_go_on(tmp_path):
    server = Server(tmp_path / "data", {"HOSO_WORKERS": "1", **LIMITS}).start()
    fill = {"citizen_id": CITIZEN, "purpose": "điền tờ khai", "form": "ct01-residence"}
    try:
        with (server.client() as admin, _caller(server, "reception", "desk A", AGENCY) as desk,
              _caller(server, "reception", "desk B", AGENCY) as other_desk,
              _caller(server, "eform", "portal A") as portal, _caller(server, "eform", "portal B") as other_portal):
            accepted = [post(desk, _page(f"hồ sơ {n}")) for n in range(2)]
            assert [r.status_code for r in accepted] == [202, 202], [r.text for r in accepted]
            refused_page = _page("hồ sơ bị từ chối")
            retry_after = _refused(post(desk, refused_page))
            _refused(post(desk, refused_page))  # the same run of refusals: audited once
            _refused_before_the_body(server, desk)
            accepted.append(post(other_desk, _page("bàn khác")))
            assert accepted[-1].status_code == 202, accepted[-1].text

            codes = {r.json()["dossier_code"] for r in accepted}  # and nothing of the refused one:
            for kind in ("dossiers", "codes"):
                assert {p.name for p in (server.data_dir / "store" / kind).iterdir()} == codes
            assert hashlib.sha256(refused_page[0][1]).hexdigest() not in _stored_digests(server)
            assert list((server.data_dir / "staging").glob("*")) == []
            time.sleep(retry_after)
            assert post(desk, _page("hồ sơ sau khi chờ")).status_code == 202

            read, refusal = _until_refused(lambda: portal.post("/v1/autofill", json=fill))
            assert read == 3  # the burst
            retry_after = _refused(refusal)
            assert other_portal.post("/v1/autofill", json=fill).status_code == 200
            time.sleep(retry_after)
            assert portal.post("/v1/autofill", json=fill).status_code == 200

            read, refusal = _until_refused(lambda: admin.get(f"/v1/citizens/{CITIZEN}/data",
                                                             params={"purpose": "kiểm tra"}))
            assert read == 3 and _refused(refusal)
            assert post(admin, _page("đọc và nhận tính riêng")).status_code == 202  # kinds counted apart

            log = admin.get("/v1/audit", params={"action": "rate_limited"}).json()["entries"]
            assert sorted((e["actor"].split(" [")[0], e["target"], e["limit"]) for e in log) == [
                ("admin (first run)", f"/v1/citizens/{CITIZEN}/data", "citizen data reads"),
                ("desk A", "/v1/dossiers", "uploads"), ("portal A", "/v1/autofill", "citizen data reads")]
            fills = admin.get("/v1/audit", params={"action": "autofill.read", "limit": 1000}).json()["entries"]
            assert sum(e["actor"].startswith("portal A") for e in fills) == 4  # a refused read is no read
    finally:
        server.stop()


def test_token_buckets_refill_at_the_rate_per_caller():
    now = [0.0]
    buckets = TokenBuckets("uploads", per_minute=6, burst=2, clock=lambda: now[0])  # one per 10 s
    buckets.take("a"), buckets.take("a")
    with pytest.raises(RateLimited) as first:
        buckets.take("a")
    assert first.value.retry_after == 10 and first.value.first
    now[0] = 4.0
    with pytest.raises(RateLimited) as again:
        buckets.take("a")
    assert again.value.retry_after == 6 and not again.value.first  # the same run of refusals
    buckets.take("b")  # another caller has its own bucket
    now[0] = 10.0
    buckets.take("a")
    with pytest.raises(RateLimited) as later:
        buckets.take("a")
    assert later.value.first  # a new run after one got through
    unlimited = TokenBuckets("reads", per_minute=0, burst=1)
    for _ in range(3):
        unlimited.take("a")
