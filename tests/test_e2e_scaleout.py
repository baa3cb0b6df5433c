"""The same end-to-end path on the scale-out backends: real MinIO and real Elasticsearch."""

from __future__ import annotations

import os
import subprocess

import pytest

import vnpages
from harness import HOSO, Server, png_bytes, post, unique_line, wait_done


@pytest.fixture()
def scaleout(scaleout_env, tmp_path):
    server = Server(tmp_path / "data", {**scaleout_env, "HOSO_WORKERS": "2"}).start()
    yield server
    server.stop()


def test_dossier_on_minio_and_elasticsearch(scaleout, tmp_path):
    token, line = unique_line()
    scan = png_bytes(vnpages.render_page(vnpages.PROSE + [line]))
    pdf = vnpages.born_digital_pdf(tmp_path / "qd.pdf", ["QUYẾT ĐỊNH", f"Về việc đăng ký {token}."])
    with scaleout.client() as client:
        response = post(client, [("scan.png", scan, "image/png"), ("qd.pdf", pdf.read_bytes(), "application/pdf")])
        assert response.status_code == 202, response.text
        dossier = wait_done(client, response.json()["dossier_code"])
        assert [d["status"] for d in dossier["documents"]] == ["done", "done"], dossier
        scan_doc, pdf_doc = dossier["documents"]
        found = client.get("/v1/search", params={"q": f"dang ky {token}"}).json()
        assert {h["document_id"] for h in found["hits"]} == {scan_doc["id"], pdf_doc["id"]}
        assert any("<mark>" in h["snippet"] for h in found["hits"])
        original = client.get(scan_doc["links"]["original"])
        assert original.content == scan
        archival = client.get(scan_doc["links"]["archival"]).content
        path = tmp_path / "archival.pdf"
        path.write_bytes(archival)
        assert "Signature is Valid." in subprocess.run(["pdfsig", str(path)], capture_output=True,
                                                        text=True).stdout
        assert client.get(scan_doc["links"]["verify"]).json()["valid"] is True

    # Reindex from MinIO alone into a new Elasticsearch index behind the alias.
    env = {**os.environ, **scaleout.env}
    result = subprocess.run([str(HOSO), "reindex"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "indexed 2 documents" in result.stdout, result.stderr
    with scaleout.client() as client:
        again = client.get("/v1/search", params={"q": f"dang ky {token}"}).json()
    assert {h["document_id"] for h in again["hits"]} == {scan_doc["id"], pdf_doc["id"]}
