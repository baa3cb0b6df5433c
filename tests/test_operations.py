"""What an operator watches, on real servers: /metrics counters move with the work a real
`hoso serve` does, only allowed clients read them, and the JSON-lines log tells each request and
document (readiness: tests/test_backend_faults.py)."""

from __future__ import annotations

import json

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import vnpages
from harness import Server, png_bytes, post, unique_line, wait_done

TOKEN = "metrics-token-for-the-test"


def scrape(server: Server) -> dict[tuple[str, tuple], float]:
    response = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: dict, name: str, **labels) -> float:
    """The sum over every series of `name` whose labels include these."""
    return sum(v for (n, found), v in samples.items()
               if n == name and set(labels.items()) <= set(found))


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("metrics"), {
        "HOSO_WORKERS": "1", "HOSO_METRICS__TOKEN": TOKEN, "HOSO_LOG_JSON": "true",
        "HOSO_LIMITS__CITIZEN_READS_PER_MINUTE": "1", "HOSO_LIMITS__CITIZEN_READ_BURST": "1"}).start()
    yield server
    server.stop()


def test_metrics_counters_move_with_real_work(watched):
    before = scrape(watched)
    _, line = unique_line()
    page = png_bytes(vnpages.render_page([line] + vnpages.PROSE[:2]))
    with watched.client() as client:
        response = post(client, [("trang.png", page, "image/png")])
        assert response.status_code == 202, response.text
        code = response.json()["dossier_code"]
        dossier = wait_done(client, code)
        assert dossier["documents"][0]["status"] == "done"
        client.get("/v1/dossiers/000.17.22.H56-261123-987654")  # shaped like a code, held by none
        reads = [client.get("/v1/citizens/001090012345/data", params={"purpose": "kiểm tra"}).status_code
                 for _ in range(2)]
    assert reads == [200, 429]
    after = scrape(watched)

    def moved(name: str, **labels) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    # by route template, never by the dossier code in the path
    assert moved("hoso_http_requests_total", method="POST", route="/v1/dossiers", status="202") == 1
    assert moved("hoso_http_requests_total", route="/v1/dossiers/{code}", status="404") == 1
    assert not any("987654" in str(labels) for _, labels in after)
    assert moved("hoso_http_request_duration_seconds_count", method="POST", route="/v1/dossiers") == 1
    assert moved("hoso_documents_processed_total", status="done") == 1
    assert moved("hoso_pages_processed_total") == 1
    assert moved("hoso_ocr_page_seconds_count") == 1 and moved("hoso_ocr_page_seconds_sum") > 0
    assert moved("hoso_audit_entries_written_total", action="dossier.receive") == 1
    assert moved("hoso_audit_entries_written_total", action="citizen_data.read") == 1
    assert moved("hoso_rate_limit_refusals_total", limit="citizen data reads") == 1
    assert moved("hoso_backend_call_duration_seconds_count", backend="store") > 0
    assert moved("hoso_backend_call_duration_seconds_count", backend="index", operation="upsert") >= 1
    assert value(after, "hoso_documents_waiting") == 0 and value(after, "hoso_documents_in_progress") == 0

    lines = [json.loads(line) for line in watched.log.read_text().splitlines() if line.startswith('{"')]
    posted = [e for e in lines if e["event"] == "request" and e["route"] == "/v1/dossiers" and e["status"] == 202]
    assert len(posted) == 1 and posted[0]["method"] == "POST" and posted[0]["ms"] > 0
    read = [e for e in lines if e["event"] == "request" and e.get("dossier_code") == code]
    assert read and all(e["route"].startswith("/v1/dossiers/{code}") for e in read)
    [document] = [e for e in lines if e["event"] == "document" and e["dossier_code"] == code]
    assert document["status"] == "done" and document["pages"] == 1 and document["doc_type"]
    assert set(document["seconds"]) == {"fetch", "read", "finish", "total"} and document["seconds"]["total"] > 0


def test_metrics_need_the_token_when_one_is_set(watched):
    assert httpx.get(f"{watched.url}/metrics").status_code == 403
    assert httpx.get(f"{watched.url}/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    with watched.client() as client:  # an API key is not the metrics token
        assert client.get("/metrics").status_code == 403
