"""Reuse instead of re-asking, end to end: ID cards are read, fields extracted and checked,
a clerk corrects one, and an e-form service gets the values with provenance and forms filled."""

from __future__ import annotations

import json
import random

import vndocs
from harness import FORM, audit_entries, png_bytes, post, wait_done


def ingest_card(client, agency_code: str = FORM["agency_code"], **card) -> dict:
    response = post(client, [("cccd.png", png_bytes(vndocs.render_id_card(**card)), "image/png")],
                    agency_code=agency_code)
    assert response.status_code == 202, response.text
    dossier = wait_done(client, response.json()["dossier_code"])
    document = dossier["documents"][0]
    assert document["status"] == "done", document
    return {"code": dossier["dossier_code"], **document}


def data(client, citizen_id: str, **params):
    return client.get(f"/v1/citizens/{citizen_id}/data", params={"purpose": "đăng ký thường trú", **params})


def test_citizen_data_with_provenance_corrections_and_autofill(client, server):
    citizen_id = f"001090{random.randrange(10**6):06d}"  # Hà Nội, male, born 1990
    first = ingest_card(client, citizen_id=citizen_id)
    assert first["doc_type"] == "citizen_id_card"
    fields = first["fields"]
    assert fields["citizen_id"]["value"] == citizen_id and fields["citizen_id"]["problem"] is None
    assert fields["full_name"]["value"] == "NGUYỄN VĂN AN"
    assert fields["date_of_birth"]["value"] == "1990-03-15"
    assert fields["sex"]["value"] == "Nam"
    assert fields["full_name"]["page"] == 1 and len(fields["full_name"]["bbox"]) == 4

    answer = data(client, citizen_id, fields="full_name,date_of_birth,phone").json()
    name = answer["fields"]["full_name"]
    assert name["value"] == "NGUYỄN VĂN AN" and name["conflict"] is False
    source = name["values"][0]["provenance"]
    assert source["dossier_code"] == first["code"] and source["document_id"] == first["id"]
    assert source["doc_type"] == "citizen_id_card" and source["page"] == 1 and source["signature_valid"] is True
    assert 0 < source["confidence"] <= 1 and source["confirmed"] is False
    assert answer["missing"] == ["phone"] and answer["purpose"] == "đăng ký thường trú"

    # A second card for the same person, with another birth date: both are shown, flagged.
    second = ingest_card(client, citizen_id=citizen_id, date_of_birth="16/03/1990")
    birth = data(client, citizen_id, fields="date_of_birth").json()["fields"]["date_of_birth"]
    assert birth["conflict"] is True
    assert {v["value"] for v in birth["values"]} == {"1990-03-15", "1990-03-16"}

    # The clerk confirms the first card's date: the confirmed value now comes first.
    response = client.patch(f"/v1/dossiers/{first['code']}/documents/{first['id']}/fields",
                            json={"fields": {"date_of_birth": {}, "full_name": {"value": "NGUYỄN VĂN AN"}}})
    assert response.status_code == 200, response.text
    confirmed = response.json()["fields"]["date_of_birth"]
    assert confirmed["confidence"] == 1.0 and confirmed["confirmed_by"] and confirmed["ocr_value"] == "1990-03-15"
    birth = data(client, citizen_id, fields="date_of_birth").json()["fields"]["date_of_birth"]
    assert birth["value"] == "1990-03-15" and birth["values"][0]["provenance"]["confirmed"] is True
    assert birth["conflict"] is True

    # A correction keeps what OCR read beside the clerk's value.
    response = client.patch(f"/v1/dossiers/{second['code']}/documents/{second['id']}/fields",
                            json={"fields": {"date_of_birth": {"value": "1990-03-15"}}})
    corrected = response.json()["fields"]["date_of_birth"]
    assert corrected["value"] == "1990-03-15" and corrected["ocr_value"] == "1990-03-16"
    assert data(client, citizen_id, fields="date_of_birth").json()["fields"]["date_of_birth"]["conflict"] is False

    forms = {f["id"] for f in client.get("/v1/forms").json()}
    assert forms == {"personal-information", "birth-registration", "ct01-residence"}
    filled = client.post("/v1/autofill", json={"form": "ct01-residence", "citizen_id": citizen_id,
                                               "purpose": "đăng ký thường trú"}).json()["fields"]
    assert filled["ho_ten"]["value"] == "NGUYỄN VĂN AN" and filled["ho_ten"]["provenance"]["page"] == 1
    assert filled["so_dinh_danh"]["value"] == citizen_id
    assert filled["so_dien_thoai"] == {"label": "5. Số điện thoại liên hệ", "source": "phone", "missing": True}

    # Every read of personal data is in the audit log, with its purpose.
    entries = audit_entries(server.data_dir)
    reads = [e for e in entries if e["target"] == citizen_id]
    assert {e["action"] for e in reads} == {"citizen_data.read", "autofill.read"}
    assert all(e["purpose"] == "đăng ký thường trú" for e in reads)
    assert any(e["action"] == "fields.correct" and e["target"].endswith(first["id"]) for e in entries)

    # A source whose archival copy was changed is no longer offered.
    archival = server.data_dir / "store" / "dossiers" / second["code"] / "documents" / second["id"] / "archival.pdf"
    archival.write_bytes(archival.read_bytes().replace(b"/Producer", b"/Producex", 1))
    sources = data(client, citizen_id, fields="date_of_birth").json()["fields"]["date_of_birth"]["values"]
    assert [v["provenance"]["document_id"] for v in sources] == [first["id"]]


def test_an_indexed_source_the_store_does_not_hold_is_not_offered(client, server):
    """The index is derived data: an entry whose dossier is not in the store (an index rebuilt
    from another store, a restore) is no source, and the citizen's real card still answers."""
    from datetime import datetime, timezone

    from search import CitizenFact, IndexEntry, open_index

    citizen_id = f"001090{random.randrange(10**6):06d}"
    card = ingest_card(client, citizen_id=citizen_id)
    index = open_index(server.env.get("HOSO_INDEX") or f"sqlite:///{server.data_dir / 'index.sqlite'}")
    try:
        index.upsert([IndexEntry(
            dossier_code="000.17.22.H56-200101-9999", document_id=f"not-stored-{citizen_id}",
            agency_code="000.17.22.H56", procedure_code="1.001234", kind="component", doc_type="citizen_id_card",
            filename="cccd.png", received_at=datetime.now(timezone.utc), pages=["CĂN CƯỚC CÔNG DÂN"],
            facts=[CitizenFact(citizen_id=citizen_id, field="full_name", value="TRẦN VĂN BA", confidence=1.0,
                               page=1)])])
    finally:
        index.close()
    response = data(client, citizen_id, fields="full_name,date_of_birth")
    assert response.status_code == 200, response.text
    name = response.json()["fields"]["full_name"]
    assert name["value"] == "NGUYỄN VĂN AN" and name["conflict"] is False
    assert [v["provenance"]["document_id"] for v in name["values"]] == [card["id"]]


def test_citizen_data_needs_a_purpose_and_a_real_id(client):
    assert client.get("/v1/citizens/001090012345/data").status_code == 422
    for blank in ("   ", " \t a  \n"):  # no purpose is said by blanks
        assert client.get("/v1/citizens/001090012345/data", params={"purpose": blank}).status_code == 422
        assert client.post("/v1/autofill", json={"form": "personal-information", "citizen_id": "001090012345",
                                                 "purpose": blank}).status_code == 422
    assert data(client, "12345").status_code == 422
    response = client.post("/v1/autofill", json={"form": "nope", "citizen_id": "001090012345", "purpose": "thử"})
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_fields_that_a_document_type_does_not_have_are_refused(client):
    document = ingest_card(client)
    response = client.patch(f"/v1/dossiers/{document['code']}/documents/{document['id']}/fields",
                            json={"fields": {"document_number": {"value": "1/QĐ"}}})
    assert response.status_code == 422 and response.json()["error"] == "invalid_field"


def test_eform_keys_read_citizen_data_only(client, server):
    import os
    import subprocess

    import httpx

    from harness import HOSO

    env = {**os.environ, "HOSO_DATA_DIR": str(server.data_dir)}

    def hoso(*args: str) -> str:
        return subprocess.run([str(HOSO), *args], env=env, capture_output=True, text=True, check=True,
                              timeout=120).stdout

    citizen_id = f"001090{random.randrange(10**6):06d}"
    card = ingest_card(client, citizen_id=citizen_id)
    token = hoso("keys", "create", "--role", "eform", "--name", "Cổng dịch vụ công").strip()
    eform = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    with eform:
        assert data(eform, citizen_id, fields="full_name").json()["fields"]["full_name"]["value"] == "NGUYỄN VĂN AN"
        for path in (f"/v1/dossiers/{card['code']}", "/v1/search?q=can+cuoc"):
            refused = eform.get(path)
            assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
        [listed] = [line for line in hoso("keys", "list").splitlines() if "Cổng dịch vụ công" in line]
        hoso("keys", "revoke", listed.split()[0])
        assert data(eform, citizen_id).status_code == 401

    printed = json.loads(hoso("citizen", citizen_id, "--fields", "full_name,sex", "--purpose", "kiểm tra"))
    assert printed["fields"]["sex"]["value"] == "Nam" and printed["purpose"] == "kiểm tra"
    entries = audit_entries(server.data_dir)
    assert any(e["actor"].startswith("cli:") and e["target"] == citizen_id for e in entries)
    assert any(e["action"] == "forbidden" and e["actor"].startswith("Cổng dịch vụ công") for e in entries)


BAD_CORRECTIONS = [
    ({"full_name": {"value": {"ho": "NGUYỄN"}}}, "invalid_request"),
    ({"full_name": {"value": ["NGUYỄN", "VĂN", "AN"]}}, "invalid_request"),
    ({"citizen_id": {"value": 1090012345}}, "invalid_request"),
    ({"full_name": {"value": "A" * 5_000_000}}, "invalid_request"),
    ({"full_name": {"value": "A" * 301}}, "invalid_field_value"),
    ({"full_name": {"value": "   "}}, "invalid_field_value"),
    ({"full_name": {"value": "NGUYỄN\x00VĂN AN"}}, "invalid_field_value"),
    ({"date_of_birth": {"value": "15/03/1990"}}, "invalid_field_value"),
    ({"date_of_birth": {"value": "19900315"}}, "invalid_field_value"),
    ({"date_of_expiry": {"value": "2030-02-30"}}, "invalid_field_value"),
    ({"sex": {"value": "M"}}, "invalid_field_value"),
    ({"citizen_id": {"value": "12345"}}, "invalid_field_value"),
    ({"citizen_id": {"value": "999090012345"}}, "invalid_field_value"),  # no such province
    ({"sex": {"value": "Nữ"}}, "invalid_field_value"),  # the ID's fourth digit says male
    ({"date_of_birth": {"value": "1991-03-15"}}, "invalid_field_value"),  # the ID says born in 90
]


def test_typed_values_are_checked_and_never_pass_for_signed(client):
    """A clerk's correction took any JSON and any length, then outranked another agency's
    signed card in citizen data and went out with `signature_valid: true`."""
    citizen_id = f"001090{random.randrange(10**6):06d}"
    ours = ingest_card(client, citizen_id=citizen_id)
    theirs = ingest_card(client, agency_code="000.00.15.H29", citizen_id=citizen_id)
    path = f"/v1/dossiers/{ours['code']}/documents/{ours['id']}/fields"
    for body, code in BAD_CORRECTIONS:
        response = client.patch(path, json={"fields": body})
        assert response.status_code == 422 and response.json()["error"] == code, (str(body)[:80], response.text[:300])
    assert client.get(f"/v1/dossiers/{ours['code']}").json()["documents"][0]["fields"] == ours["fields"]

    typed = client.patch(path, json={"fields": {"full_name": {"value": " nguyễn văn bình "},
                                                "sex": {"value": "Nam"}}})
    assert typed.status_code == 200, typed.text
    assert typed.json()["fields"]["full_name"]["value"] == "nguyễn văn bình"  # NFC, trimmed
    name = data(client, citizen_id, fields="full_name,sex").json()["fields"]["full_name"]
    assert name["value"] == "NGUYỄN VĂN AN" and name["typed"] is False and name["conflict"] is True
    signed, clerk = (v["provenance"] for v in name["values"])
    assert signed["document_id"] == theirs["id"] and signed["signature_valid"] is True and signed["typed"] is False
    assert clerk["document_id"] == ours["id"] and clerk["signature_valid"] is False and clerk["typed"] is True
    assert clerk["typed_by"] and clerk["typed_at"] and clerk["read_value"] == "NGUYỄN VĂN AN"
    filled = client.post("/v1/autofill", json={"form": "ct01-residence", "citizen_id": citizen_id,
                                               "purpose": "đăng ký thường trú"}).json()["fields"]["ho_ten"]
    assert filled["value"] == "NGUYỄN VĂN AN" and filled["provenance"]["signature_valid"] is True
