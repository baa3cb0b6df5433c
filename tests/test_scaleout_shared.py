"""Several HoSo processes on one MinIO and one Elasticsearch: two servers receiving at once and a
worker scanning for pending dossiers. No two dossiers get the same code and no document is
read twice (each ocr.json and archival.pdf has exactly one version in the versioned bucket)."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from minio import Minio

import vnpages
from harness import HOSO, Server, png_bytes, post, wait_done


def test_two_servers_and_a_worker_share_the_backends(scaleout_env, minio_server, tmp_path):
    bucket = scaleout_env["HOSO_STORE"].rsplit("/", 1)[1]
    env = {
        **scaleout_env,
        "HOSO_SIGNING_KEYS_DIR": str(tmp_path / "keys"),  # one signing identity for the deployment
        "HOSO_WORKERS": "1",
        "HOSO_RESCAN_SECONDS": "1",
    }
    servers = [Server(tmp_path / name, env).start() for name in ("a", "b")]
    worker = subprocess.Popen([str(HOSO), "worker", "--scan", "0.3"], env={**os.environ, **env,
                              "HOSO_DATA_DIR": str(tmp_path / "w")}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.STDOUT)
    page = png_bytes(vnpages.render_page(vnpages.PROSE[:4], dpi=150))
    try:
        def receive(i: int) -> str:
            with servers[i % 2].client() as client:
                response = post(client, [(f"trang-{i}.png", page, "image/png")])
                assert response.status_code == 202, response.text
                return response.json()["dossier_code"]

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(receive, range(16)))
        assert len(set(codes)) == 16, Counter(codes).most_common(3)
        with servers[0].client() as client:  # any server reads any dossier
            dossiers = [wait_done(client, code) for code in codes]
            assert all(d["status"] == "done" for d in dossiers)
            found = client.get("/v1/search", params={"q": "nghi dinh", "limit": 100}).json()
            assert found["total"] == 16
    finally:
        worker.terminate()
        worker.wait(30)
        for server in servers:
            server.stop()

    s3 = Minio(minio_server.endpoint, minio_server.access_key, minio_server.secret_key, secure=False)
    versions = Counter(o.object_name for o in s3.list_objects(bucket, prefix="dossiers/", recursive=True,
                                                              include_version=True)
                       if o.object_name.endswith(("ocr.json", "archival.pdf")))
    assert len(versions) == 32 and set(versions.values()) == {1}, versions.most_common(3)
