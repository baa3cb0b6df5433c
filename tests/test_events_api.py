"""The systems around HoSo, over HTTP against a real `hoso serve`: a retried upload with its
Idempotency-Key gives the same dossier, a dossier is received under the one-stop-shop's code,
and what happens to dossiers reaches a webhook subscriber (signed) and the pull feed, each
reader seeing what its role and agency allow."""

from __future__ import annotations

import base64
import json
import os
import time
from datetime import datetime, timezone

import httpx

import vnpages
from harness import Server, png_bytes, post, wait_done
from webhook_receiver import Receiver

OURS, THEIRS = "000.17.22.H56", "000.00.15.H29"
SECRET = "whsec_" + base64.b64encode(os.urandom(24)).decode()


def test_retries_codes_and_events_over_http(tmp_path):
    receiver = Receiver(SECRET).start()
    subscribers = [{"name": "mot-cua", "url": receiver.url, "secret": SECRET, "agencies": [OURS]}]
    server = Server(tmp_path / "data", {"HOSO_WORKERS": "1", "HOSO_RESCAN_SECONDS": "1",
                                         "HOSO_EVENTS__SUBSCRIBERS": json.dumps(subscribers),
                                         "HOSO_EVENTS__POLL_SECONDS": "0.2"}).start()
    page = [("a.png", png_bytes(vnpages.render_page(["Một dòng chữ."], dpi=100)), "image/png")]
    other = [("b.png", png_bytes(vnpages.render_page(["Hai dòng chữ."], dpi=100)), "image/png")]
    external = f"{OURS}-{datetime.now(timezone.utc):%y%m%d}-000042"
    try:
        with server.client() as admin, httpx.Client(base_url=server.url, timeout=60) as client:
            retry = {"Idempotency-Key": "tiep-nhan-7f3a"}
            created = admin.post("/v1/dossiers", headers=retry, data=_form(), files=_files(page))
            assert created.status_code == 202, created.text
            again = admin.post("/v1/dossiers", headers=retry, data=_form(), files=_files(page))
            assert again.status_code == 200 and again.json() == created.json()
            assert again.headers["Location"] == f"/v1/dossiers/{created.json()['dossier_code']}"
            reused = admin.post("/v1/dossiers", headers=retry, data=_form(), files=_files(other))
            assert reused.status_code == 409 and reused.json()["error"] == "idempotency_key_reused"
            bad_key = admin.post("/v1/dossiers", headers={"Idempotency-Key": "a b"}, data=_form(), files=_files(page))
            assert bad_key.status_code == 422 and bad_key.json()["error"]
            code = created.json()["dossier_code"]

            theirs = post(admin, other, agency_code=THEIRS).json()["dossier_code"]
            under_theirs = post(admin, page, dossier_code=external)
            assert under_theirs.status_code == 202 and under_theirs.json()["dossier_code"] == external
            taken = post(admin, other, dossier_code=external)
            assert taken.status_code == 409 and taken.json()["error"] == "dossier_code_taken"
            invalid = post(admin, other, dossier_code="H56-210531-1")
            assert invalid.status_code == 422 and "dossier_code" in invalid.json()["detail"]

            document = wait_done(admin, code)["documents"][0]
            for later in (theirs, external):  # their events all in, so that the feed below ends where it says
                wait_done(admin, later)
            held = admin.put(f"/v1/dossiers/{code}/documents/{document['id']}/legal-hold", json={"reason": "vụ 12"})
            assert held.status_code == 200

            feed = admin.get("/v1/events", params={"after": 0}).json()
            ours = [(e["dossier_code"], e["type"]) for e in feed["events"] if e["dossier_code"] == code]
            assert ours == [(code, "dossier.received"), (code, "document.digitised"), (code, "document.legal_hold")]
            assert (external, "dossier.received") in {(e["dossier_code"], e["type"]) for e in feed["events"]}
            assert "001090012345" not in json.dumps(feed)  # the applicant is not in any event
            assert admin.get("/v1/events", params={"after": feed["next"]}).json() == \
                {"events": [], "next": feed["next"]}

            desk_of_theirs = server.make_key("reception", THEIRS)
            seen = client.get("/v1/events", headers=desk_of_theirs).json()["events"]
            assert {e["dossier_code"] for e in seen} == {theirs}
            assert client.get("/v1/events", headers=server.make_key("eform")).status_code == 403
            assert client.get("/v1/events/deliveries", headers=server.make_key("archivist")).status_code == 403

            deadline = time.monotonic() + 30
            while {code, external} - {e["dossier_code"] for e in receiver.events()} or \
                    "document.legal_hold" not in {e["type"] for e in receiver.events()}:
                assert time.monotonic() < deadline, receiver.events()
                time.sleep(0.2)
            delivered = receiver.events()  # each signature verified by the Standard Webhooks library
            assert theirs not in {e["dossier_code"] for e in delivered}  # not its agency
            [status] = admin.get("/v1/events/deliveries").json()
            assert status["name"] == "mot-cua" and status["failing"] is None and SECRET not in json.dumps(status)
            assert status["acknowledged"] >= max(int(e["cursor"]) for e in feed["events"])
    finally:
        server.stop()
        receiver.stop()


def _form() -> dict[str, str]:
    return {"procedure_code": "1.001234", "agency_code": OURS, "applicant_id": "001090012345"}


def _files(files):
    return [("files", (name, data, mime)) for name, data, mime in files]
