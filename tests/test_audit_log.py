"""The audit log end to end: a refused call is in it, admins read it, `hoso audit verify` finds tampering."""

from __future__ import annotations

import json
import os
import subprocess

from harness import HOSO, Server


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

    first = sorted(p for p in (data / "store" / "audit").rglob("*.json") if "checkpoints" not in p.parts)[0]
    entry = json.loads(first.read_text())
    entry["action"] = "nothing to see"
    first.write_text(json.dumps(entry, ensure_ascii=False, sort_keys=True))
    tampered = subprocess.run([str(HOSO), "audit", "verify"], env=env, capture_output=True, text=True)
    assert tampered.returncode == 1
    assert "NOT INTACT" in tampered.stdout
