"""Backends that go away: MinIO down refuses uploads with 503 and keeps nothing partial;
Elasticsearch down keeps every record stored and signed, and indexes it when it is back.
The real servers are stopped and started again."""

from __future__ import annotations

import time

import httpx
import pytest

import vnpages
from harness import Server, png_bytes, post, unique_line, wait_done


@pytest.fixture()
def scaleout(scaleout_env, tmp_path):
    server = Server(tmp_path / "data", {**scaleout_env, "HOSO_WORKERS": "1", "HOSO_RESCAN_SECONDS": "1"}).start()
    yield server
    server.stop()


def _page(line: str) -> list[tuple[str, bytes, str]]:
    return [("trang.png", png_bytes(vnpages.render_page([line] + vnpages.PROSE[:2])), "image/png")]


def test_elasticsearch_down_keeps_records_and_indexes_them_when_back(scaleout, elastic_server):
    token, line = unique_line()
    with scaleout.client() as client:
        elastic_server.stop()
        try:
            response = post(client, _page(line))
            assert response.status_code == 202, response.text
            code = response.json()["dossier_code"]
            dossier = wait_done(client, code)
            [document] = dossier["documents"]
            assert document["status"] == "done" and document["signature"] is not None, document
            assert client.get(document["links"]["verify"]).json()["valid"] is True
            down = client.get("/v1/search", params={"q": token})
            assert down.status_code == 503 and down.headers["Retry-After"]
            assert down.json()["error"] == "index_unavailable"
        finally:
            elastic_server.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = client.get("/v1/search", params={"q": token})
            if found.status_code == 200 and found.json()["total"] == 1:
                break
            time.sleep(0.5)
        assert [h["dossier_code"] for h in found.json()["hits"]] == [code], found.text


def test_minio_down_refuses_uploads_with_503_and_keeps_nothing(scaleout, minio_server):
    token, line = unique_line()
    with scaleout.client() as client:
        minio_server.stop()
        try:
            refused = post(client, _page(line))
            assert refused.status_code == 503, refused.text
            assert refused.headers["Retry-After"] and refused.json()["error"] == "store_unavailable"
            assert client.get("/healthz").status_code == 200
        finally:
            minio_server.start()
        assert not list((scaleout.data_dir / "staging").glob("*"))
        accepted = post(client, _page(line))
        assert accepted.status_code == 202, accepted.text
        wait_done(client, accepted.json()["dossier_code"])
        found = client.get("/v1/search", params={"q": token}).json()
        assert [h["dossier_code"] for h in found["hits"]] == [accepted.json()["dossier_code"]]


def test_readiness_follows_the_index_while_liveness_stays(scaleout, elastic_server):
    ready = httpx.get(f"{scaleout.url}/readyz", timeout=30)
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "store": "ok", "index": "ok"}
    elastic_server.stop()
    try:
        down = httpx.get(f"{scaleout.url}/readyz", timeout=30)
        assert down.status_code == 503, down.text
        assert down.json()["status"] == "not ready" and down.json()["store"] == "ok"
        assert down.json()["index"] != "ok"
        assert httpx.get(f"{scaleout.url}/healthz").status_code == 200
    finally:
        elastic_server.start()
    deadline = time.monotonic() + 60
    while httpx.get(f"{scaleout.url}/readyz", timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "not ready a minute after Elasticsearch came back"
        time.sleep(0.5)
