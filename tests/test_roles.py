"""Roles and agencies: each key reaches what its role allows, a reception desk only its own
agency's dossiers, and every refusal is in the audit log."""

from __future__ import annotations

import os
import subprocess

import httpx

import vnpages
from harness import HOSO, Server, png_bytes, post, unique_line, wait_done

OURS, THEIRS = "000.17.22.H56", "000.00.15.H29"


def test_each_role_reaches_only_what_it_may(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "HOSO_DATA_DIR": str(data)}

    def key(role: str, *agency: str) -> dict[str, str]:
        args = ["keys", "create", "--role", role, "--name", f"{role} {' '.join(agency)}".strip()]
        token = subprocess.run([str(HOSO), *args, *(["--agency", agency[0]] if agency else [])],
                               env=env, capture_output=True, text=True, check=True).stdout.strip()
        return {"Authorization": f"Bearer {token}"}

    refused = subprocess.run([str(HOSO), "keys", "create", "--role", "reception", "--name", "x"],
                             env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "agency" in refused.stderr

    server = Server(data, {"HOSO_WORKERS": "1"}).start()
    ours, theirs = key("reception", OURS), key("reception", THEIRS)
    archivist, eform = key("archivist"), key("eform")
    token, line = unique_line()
    page = [("a.png", png_bytes(vnpages.render_page([line] + vnpages.PROSE[:3])), "image/png")]
    try:
        with server.client() as admin, httpx.Client(base_url=server.url, timeout=60) as client:
            client.headers.update(ours)
            assert post(client, page, agency_code=THEIRS).status_code == 403
            accepted = post(client, page, agency_code=OURS)
            assert accepted.status_code == 202
            code = accepted.json()["dossier_code"]
            document = wait_done(client, code)["documents"][0]
            assert client.get("/v1/search", params={"q": token}).json()["total"] == 1

            assert client.get(f"/v1/dossiers/{code}", headers=theirs).status_code == 404
            assert client.get(f"/v1/dossiers/{code}/status", headers=theirs).status_code == 404
            assert client.get(f"/v1/dossiers/{code}/status").json()["documents"][0]["status"] == "done"
            assert client.get(document["links"]["original"], headers=theirs).status_code == 404
            found = client.get("/v1/search", params={"q": token, "agency_code": OURS}, headers=theirs).json()
            assert found["total"] == 0  # a desk's search is its own agency's, whatever it asks

            assert client.get(f"/v1/dossiers/{code}", headers=archivist).status_code == 200
            assert client.get("/v1/search", params={"q": token}, headers=archivist).json()["total"] == 1
            as_archivist = client.post("/v1/dossiers", headers=archivist, files=[("files", page[0])],
                                       data={"procedure_code": "1.001234", "agency_code": OURS, "applicant_id": ""})
            assert as_archivist.status_code == 403
            assert client.patch(f"/v1/dossiers/{code}/documents/{document['id']}/fields", headers=archivist,
                                json={"fields": {}}).status_code == 403
            assert client.get("/v1/citizens/001090012345/data", params={"purpose": "kiểm tra"},
                              headers=archivist).status_code == 403

            assert client.get(f"/v1/dossiers/{code}", headers=eform).status_code == 403
            assert client.get("/v1/search", params={"q": token}, headers=eform).status_code == 403

            log = admin.get("/v1/audit", params={"action": "forbidden", "limit": 1000}).json()["entries"]
            refusals = {(e["role"], e["target"]) for e in log}
            assert ("reception", "/v1/dossiers") in refusals
            assert ("reception", f"/v1/dossiers/{code}") in refusals
            assert ("reception", f"/v1/dossiers/{code}/status") in refusals
            assert ("archivist", "/v1/dossiers") in refusals
            assert ("eform", "/v1/search") in refusals
            [received] = admin.get("/v1/audit", params={"action": "dossier.receive", "target": code}).json()["entries"]
            assert received["actor"].startswith(f"reception {OURS}")
            reads = admin.get("/v1/audit", params={"action": "dossier.read", "target": code}).json()["entries"]
            assert {e["actor"].split(" [")[0] for e in reads} >= {"archivist", f"reception {OURS}"}
    finally:
        server.stop()
