"""Statistics end to end on a real `hoso serve`: dossiers really read, a clerk's confirmations
and corrections, a receipt, a citizen-data read; the figures of `GET /v1/stats` (JSON and CSV)
and `hoso stats`, a reception desk's view of its own agency, and the same figures recomputed
from the store by `hoso reindex`."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess

import httpx
import pytest

import vndocs
import vnpages
from harness import HOSO, Server, png_bytes, post, unique_line, wait_done

OURS, THEIRS = "000.17.22.H56", "000.00.15.H29"
COUNTS = ("dossiers", "documents", "digitised", "pages", "components", "results", "failed", "fields_read",
          "fields_confirmed", "fields_corrected", "citizen_requests", "autofills", "fields_asked", "fields_served",
          "receipts")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = tmp_path_factory.mktemp("stats") / "data"
    server = Server(data, {"HOSO_WORKERS": "1"}).start()
    yield server
    server.stop()


def hoso(server: Server, *args: str) -> str:
    return subprocess.run([str(HOSO), *args], env={**os.environ, "HOSO_DATA_DIR": str(server.data_dir)},
                          capture_output=True, text=True, check=True, timeout=120).stdout


def counts(figures: dict) -> dict:
    return {name: figures[name] for name in COUNTS}


def test_figures_of_real_work(served):
    _, line = unique_line()
    with served.client() as client:
        decision = post(client, [("qd.png", png_bytes(vndocs.render_admin_document()), "image/png")],
                        agency_code=OURS)
        result = post(client, [("kq.png", png_bytes(vnpages.render_page([line] + vnpages.PROSE[:2])), "image/png")],
                      agency_code=THEIRS, kind="result")
        assert decision.status_code == result.status_code == 202
        ours = wait_done(client, decision.json()["dossier_code"])
        wait_done(client, result.json()["dossier_code"])
        [document] = ours["documents"]
        read = {n: f for n, f in document["fields"].items() if f["value"] not in (None, "")}
        assert len(read) >= 2, document["fields"]
        confirm, correct = sorted(read)[:2]
        patched = client.patch(f"/v1/dossiers/{ours['dossier_code']}/documents/{document['id']}/fields",
                               json={"fields": {confirm: {}, correct: {"value": read[correct]["value"] + " (sửa)"}}})
        assert patched.status_code == 200, patched.text
        assert client.get(f"/v1/dossiers/{ours['dossier_code']}/receipt.pdf").status_code == 200
        assert client.get(f"/v1/dossiers/{ours['dossier_code']}/receipt.pdf").status_code == 200  # printed again
        assert client.get("/v1/citizens/001090012345/data",
                          params={"purpose": "thống kê", "fields": "full_name,sex"}).status_code == 200

        stats = client.get("/v1/stats").json()
        totals = stats["totals"]
        assert counts(totals) == {
            "dossiers": 2, "documents": 2, "digitised": 2, "pages": 2, "components": 1, "results": 1, "failed": 0,
            "fields_read": len(read), "fields_confirmed": 1, "fields_corrected": 1, "citizen_requests": 1,
            "autofills": 0, "fields_asked": 2, "fields_served": 0, "receipts": 1}
        assert totals["accuracy"] == 0.5 and totals["reuse_rate"] == 0.0
        assert 0 < totals["processing_median_s"] <= totals["processing_p95_s"] < 300
        assert 0 <= totals["desk_median_s"] < 300
        assert [g["key"] for g in stats["by_agency"]] == sorted([OURS, THEIRS])
        assert {f["field"]: (f["confirmed"], f["corrected"]) for f in stats["fields"]} == {confirm: (1, 0),
                                                                                            correct: (0, 1)}
        assert [g["figures"]["documents"] for g in stats["series"]] == [2]

        table = list(csv.DictReader(io.StringIO(client.get("/v1/stats", params={"format": "csv"}).text)))
        total_row = next(row for row in table if row["dimension"] == "total")
        assert {name: int(total_row[name]) for name in COUNTS} == counts(totals)
        assert {row["key"] for row in table if row["dimension"] == "agency_code"} == {OURS, THEIRS}
        fields_csv = client.get("/v1/stats", params={"format": "csv", "table": "fields"})
        assert fields_csv.headers["content-type"].startswith("text/csv") and correct in fields_csv.text
        assert client.get("/v1/stats", params={"received_from": "2026-12-02",
                                               "received_to": "2026-12-01"}).status_code == 400

    # A reception desk sees its own agency only, whatever it asks for; other roles see nothing.
    desk = {"Authorization": "Bearer " + hoso(served, "keys", "create", "--role", "reception", "--name", "desk",
                                              "--agency", THEIRS).strip()}
    archivist = {"Authorization": "Bearer " + hoso(served, "keys", "create", "--role", "archivist",
                                                   "--name", "a").strip()}
    with httpx.Client(base_url=served.url, timeout=60) as plain:
        theirs = plain.get("/v1/stats", params={"agency_code": OURS}, headers=desk).json()
        assert [g["key"] for g in theirs["by_agency"]] == [THEIRS]
        assert (theirs["totals"]["dossiers"], theirs["totals"]["results"], theirs["totals"]["receipts"]) == (1, 1, 0)
        assert plain.get("/v1/stats", headers=archivist).status_code == 403

    assert counts(json.loads(hoso(served, "stats", "--json"))["totals"]) == counts(totals)
    cli_rows = list(csv.reader(io.StringIO(hoso(served, "stats", "--csv", "fields"))))
    assert cli_rows[0] == ["doc_type", "field", "confirmed", "corrected", "accuracy"] and len(cli_rows) == 3

    # Recomputable: rebuilt from the store and the audit log alone, the figures are the same.
    assert "indexed 2 documents" in hoso(served, "reindex")
    with served.client() as client:
        again = client.get("/v1/stats").json()
    assert counts(again["totals"]) == counts(totals)
    assert again["fields"] == stats["fields"] and again["by_procedure"] == stats["by_procedure"]
    assert again["totals"]["processing_median_s"] == totals["processing_median_s"]
    assert again["totals"]["desk_median_s"] == totals["desk_median_s"]  # the time the audit log holds, both ways
