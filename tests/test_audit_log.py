"""The audit log end to end: a refused call is in it, admins read it, `hoso audit verify` finds tampering."""

from __future__ import annotations

import json
import os
import subprocess
import time

import httpx

from harness import HOSO, Server, audit_entries, audit_files


def test_refusals_are_audited_readable_by_admins_and_the_chain_verifies(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "HOSO_DATA_DIR": str(data)}
    server = Server(data, {}).start()
    try:
        eform = subprocess.run([str(HOSO), "keys", "create", "--role", "eform", "--name", "cổng dịch vụ công"],
                               env=env, capture_output=True, text=True, check=True).stdout.strip()
        with server.client() as admin:
            refused = admin.get("/v1/search", params={"q": "ho so"}, headers={"Authorization": f"Bearer {eform}"})
            assert refused.status_code == 403
            assert admin.get("/v1/audit", params={"action": "forbidden"},
                             headers={"Authorization": f"Bearer {eform}"}).status_code == 403
            found = admin.get("/v1/audit", params={"action": "forbidden"})
            assert found.status_code == 200
            entries = found.json()["entries"]
            assert [e["target"] for e in entries] == ["/v1/audit", "/v1/search"]  # newest first
            assert all(e["role"] == "eform" and "cổng dịch vụ công" in e["actor"] for e in entries)
            assert admin.get("/v1/audit", params={"since": "2001-01-01", "until": "2001-12-31"}).json()["entries"] == []
    finally:
        server.stop()  # a clean stop seals the end of the server's chain

    verified = subprocess.run([str(HOSO), "audit", "verify", "--json"], env=env, capture_output=True, text=True)
    report = json.loads(verified.stdout)
    assert verified.returncode == 0 and report["ok"], report
    assert report["entries"] >= 4 and report["checkpoints"] >= 1

    first = audit_files(data)[0]
    entry = json.loads(first.read_text())
    entry["action"] = "nothing to see"
    first.write_text(json.dumps(entry, ensure_ascii=False, sort_keys=True))
    tampered = subprocess.run([str(HOSO), "audit", "verify"], env=env, capture_output=True, text=True)
    assert tampered.returncode == 1
    assert "NOT INTACT" in tampered.stdout


def _entries(data, action: str | None = None) -> list[tuple[int, dict]]:
    """(size in bytes, entry) of every audit entry in the embedded store."""
    found = [(p.stat().st_size, json.loads(p.read_bytes())) for p in audit_files(data)]
    return [(size, e) for size, e in found if action is None or e["action"] == action]


def test_refused_keys_cannot_flood_the_log_nor_choose_their_address(tmp_path):
    """50 requests with a wrong key and a 60,000-character path once made 3 MB of audit log in
    3 s, each under an address of the caller's choosing (X-Forwarded-For from any local caller)."""
    data = tmp_path / "data"
    server = Server(data, {"HOSO_LIMITS__REFUSALS_PER_MINUTE": "6", "HOSO_LIMITS__REFUSAL_BURST": "3"}).start()
    forged = {"Authorization": "Bearer hoso_wrong", "X-Forwarded-For": "203.0.113.7"}
    try:
        with server.client() as admin:
            answers = [admin.get("/v1/dossiers/" + "x" * 60_000, headers=forged).status_code for _ in range(20)]
            assert answers[:3] == [401] * 3 and answers[3:] == [429] * 17, answers
            throttled = admin.get("/v1/search", params={"q": "x"}, headers=forged)
            assert throttled.json()["error"] == "rate_limited" and int(throttled.headers["Retry-After"]) >= 1
            found = admin.get("/v1/search", params={"q": "hồ sơ", "agency_code": "A" * 60_000})
            assert found.status_code == 200, found.text
    finally:
        server.stop()
    entries = _entries(data)
    assert max(size for size, _ in entries) < 4096, sorted(size for size, _ in entries)[-3:]
    refusals = [e for _, e in entries if e["action"] == "authentication.failed"]
    [throttling] = [e for _, e in entries if e["action"] == "rate_limited"]
    assert len(refusals) == 3 and throttling["limit"] == "refused credentials"
    assert {e["client"] for e in refusals + [throttling]} == {"127.0.0.1"}  # not the forged one
    [search] = [e for _, e in entries if e["action"] == "search"]
    assert search["filters"]["agency_code"].startswith("A" * 500 + "…")
    verified = server.hoso("audit", "verify", check=False)
    assert verified.returncode == 0, verified.stdout

    proxied = Server(tmp_path / "proxied", {"HOSO_TRUSTED_PROXIES": '["127.0.0.1"]'}).start()
    try:
        assert httpx.get(proxied.url + "/v1/search?q=x", headers=forged).status_code == 401
    finally:
        proxied.stop()
    [refusal] = [e for _, e in _entries(tmp_path / "proxied", "authentication.failed")]
    assert refusal["client"] == "203.0.113.7"  # a configured proxy's word is taken


def test_a_vanished_cli_run_or_tail_of_a_killed_server_is_found(tmp_path):
    """`hoso audit verify` said intact after a one-off CLI run's entry was deleted with its
    checkpoint, and after the entries past a killed server's last checkpoint were deleted."""
    data = tmp_path / "data"
    server = Server(data, {"HOSO_AUDIT_SEAL_SECONDS": "1"}).start()
    with server.client() as admin:
        for q in ("một", "hai", "ba"):
            assert admin.get("/v1/search", params={"q": q}).status_code == 200
        server.hoso("citizen", "001090012345", "--purpose", "kiểm tra", check=False)  # a CLI run of its own
        time.sleep(3)  # the server seals its reads and what it saw of the run
    server.kill()  # no final checkpoint
    verified = server.hoso("audit", "verify", check=False)
    assert verified.returncode == 0 and "note: " in verified.stdout, verified.stdout

    [run] = {e["writer"] for e in audit_entries(data) if e["actor"].startswith("cli:")}
    [served] = {e["writer"] for e in audit_entries(data) if e["action"] == "search"}
    for path in (data / "store" / "audit").rglob(f"{run}*.json"):
        path.unlink()  # every trace of the CLI run: entry, checkpoint, register
    newest = [p for p in audit_files(data) if p.name.startswith(served)][-1]
    newest.unlink()  # the killed server's newest entry
    verified = server.hoso("audit", "verify", check=False)
    assert verified.returncode == 1 and "NOT INTACT" in verified.stdout
    assert f"of writer {run}, which is missing" in verified.stdout, verified.stdout
    assert f"entry 3 of writer {served} is missing" in verified.stdout, verified.stdout
