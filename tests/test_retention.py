"""Retention end to end, on a real `hoso serve`: on the embedded default, and on real MinIO +
Elasticsearch. A document's retention is fixed when it is archived; deleting it earlier is
refused by HoSo and by the store itself (MinIO's object lock for a raw versioned delete); a legal
hold keeps it after its period; then an admin disposes of it: every version destroyed, gone from
search, a tombstone in the manifest, audited, and `hoso fsck` clean. Periods of a few seconds."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest

import vnpages
from harness import HOSO, Server, png_bytes, post, unique_line, wait_done

PERIOD = 6  # seconds, for documents of type "other" and the default
RETENTION = {"HOSO_WORKERS": "1", "HOSO_RESCAN_SECONDS": "1",
             "HOSO_RETENTION__SCHEDULE": json.dumps({"other": f"PT{PERIOD}S"}),
             "HOSO_RETENTION__DEFAULT": f"PT{PERIOD}S"}


def _hoso(server: Server, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(HOSO), *args], env=server.env, capture_output=True, text=True, timeout=120)


def _keys(server: Server) -> dict[str, dict[str, str]]:
    keys = {}
    for role in ("reception", "archivist", "eform"):
        agency = ["--agency", "000.17.22.H56"] if role == "reception" else []
        token = _hoso(server, "keys", "create", "--role", role, "--name", role, *agency).stdout.strip()
        keys[role] = {"Authorization": f"Bearer {token}"}
    return keys


def _audited(client: httpx.Client, action: str, target: str) -> list[dict]:
    return client.get("/v1/audit", params={"action": action, "target": target}).json()["entries"]


def _lifecycle(server: Server, store_refuses, store_holds, store_is_empty) -> None:
    """The whole life of one document; the three callables look at the store behind HoSo."""
    token, line = unique_line()
    page = [("don.png", png_bytes(vnpages.render_page([line] + vnpages.PROSE[:2])), "image/png")]
    keys = _keys(server)
    with server.client() as client:
        created = post(client, page)
        assert created.status_code == 202, created.text
        code = created.json()["dossier_code"]
        [document] = wait_done(client, code)["documents"]
        assert document["status"] == "done" and document["doc_type"] == "other", document
        retention, doc_id = document["retention"], document["id"]
        until = datetime.fromisoformat(retention["retain_until"])
        assert retention["period"] == f"PT{PERIOD}S" and not retention["permanent"] and document["legal_hold"] is None
        assert until - datetime.fromisoformat(document["processed_at"]) == timedelta(seconds=PERIOD)
        path = f"/v1/dossiers/{code}/documents/{doc_id}"

        for role, headers in keys.items():  # admins only
            assert client.delete(path, params={"reason": "x"}, headers=headers).status_code == 403, role
            assert client.put(f"{path}/legal-hold", json={"reason": "x"}, headers=headers).status_code == 403, role

        early = client.delete(path, params={"reason": "hết hạn"})
        assert early.status_code == 409 and early.json()["error"] == "retention_active", early.text
        assert _audited(client, "document.dispose.refused", f"{code}/{doc_id}")
        store_refuses(_refs(code, document), until)  # the store itself will not destroy it either

        held = client.put(f"{path}/legal-hold", json={"reason": "Quyết định 15/QĐ-TA thu thập chứng cứ"})
        assert held.status_code == 200 and held.json()["legal_hold"]["reason"].startswith("Quyết định"), held.text
        store_holds(_refs(code, document), True)
        time.sleep(max(0.0, (until - datetime.now(timezone.utc)).total_seconds()) + 0.5)
        kept = client.delete(path, params={"reason": "hết hạn"})
        assert kept.status_code == 409 and kept.json()["error"] == "legal_hold", kept.text
        assert _hoso(server, "retention", "due", "--json").stdout == ""  # held: not due
        released = client.request("DELETE", f"{path}/legal-hold", params={"reason": "vụ việc đã xong"})
        assert released.status_code == 200 and released.json()["legal_hold"] is None
        store_holds(_refs(code, document), False)

        due = [json.loads(x) for x in _hoso(server, "retention", "due", "--json").stdout.splitlines()]
        assert [(d["dossier_code"], d["document_id"]) for d in due] == [(code, doc_id)]
        assert client.get("/v1/retention/due").json()[0]["document_id"] == doc_id
        assert client.get("/v1/search", params={"q": token}).json()["total"] == 1

        gone = client.delete(path, params={"reason": "Quyết định hủy tài liệu hết giá trị số 3/QĐ"})
        assert gone.status_code == 200, gone.text
        tombstone = gone.json()
        assert tombstone["status"] == "disposed" and tombstone["fields"] == {} and tombstone["pages"] == []
        disposal = tombstone["disposal"]
        assert disposal["reason"].startswith("Quyết định hủy") and disposal["versions_removed"] >= 3
        assert [o["key"] for o in disposal["objects"]] == _refs(code, document)
        assert disposal["objects"][0]["sha256"] == hashlib.sha256(page[0][1]).hexdigest()  # the original
        assert client.get("/v1/search", params={"q": token}).json()["total"] == 0
        assert client.get(f"{path}/original").status_code == 410
        assert client.get(f"/v1/dossiers/{code}").json()["status"] == "disposed"
        [entry] = _audited(client, "document.dispose", f"{code}/{doc_id}")
        assert entry["reason"] == disposal["reason"] and entry["objects"] == disposal["objects"]
        store_is_empty(code, doc_id)
        again = client.delete(path, params={"reason": "lần nữa"})  # idempotent: the tombstone
        assert again.status_code == 200 and again.json()["disposal"]["at"] == disposal["at"]

    checked = _hoso(server, "fsck", "--json")
    report = json.loads(checked.stdout)
    assert checked.returncode == 0 and report["ok"] and report["disposed"] == 1, checked.stdout
    audit = _hoso(server, "audit", "verify")
    assert audit.returncode == 0, audit.stdout


def test_retention_on_the_embedded_store(tmp_path):
    from repository.errors import RetentionLocked
    from repository.store import open_store

    server = Server(tmp_path / "data", RETENTION).start()
    store = open_store(f"file://{tmp_path / 'data' / 'store'}")

    def refuses(refs: list[str], until: datetime) -> None:
        for ref in refs:
            with pytest.raises(RetentionLocked):
                store.purge(ref)
            with pytest.raises(RetentionLocked):
                store.delete(ref)

    def holds(refs: list[str], on: bool) -> None:
        assert all(store._lock(ref).get("hold") is on for ref in refs)

    def empty(code: str, doc_id: str) -> None:
        assert list(store.list(f"dossiers/{code}/documents/")) == []
        assert not (store.root / ".retention" / "dossiers" / code / "documents" / doc_id).exists()

    try:
        _lifecycle(server, refuses, holds, empty)
    finally:
        server.stop()


def test_retention_on_minio_and_elasticsearch(scaleout_env, minio_server, tmp_path):
    from minio import Minio
    from minio.error import S3Error

    server = Server(tmp_path / "data", {**scaleout_env, **RETENTION}).start()
    s3 = Minio(minio_server.endpoint, minio_server.access_key, minio_server.secret_key, secure=False)
    bucket = scaleout_env["HOSO_STORE"].rsplit("/", 1)[1]

    def versions(prefix: str) -> list:
        return list(s3.list_objects(bucket, prefix=prefix, recursive=True, include_version=True))

    def refuses(refs: list[str], until: datetime) -> None:
        for ref in refs:
            [version] = versions(ref)
            rule = s3.get_object_retention(bucket, ref, version_id=version.version_id)
            assert rule.mode == "GOVERNANCE" and rule.retain_until_date >= until.replace(microsecond=0)
            with pytest.raises(S3Error) as refused:  # MinIO itself: "Object is WORM protected"
                s3.remove_object(bucket, ref, version_id=version.version_id)
            assert refused.value.code in ("AccessDenied", "InvalidRequest")

    def holds(refs: list[str], on: bool) -> None:
        for ref in refs:
            assert all(s3.is_object_legal_hold_enabled(bucket, ref, version_id=v.version_id) is on
                       for v in versions(ref))

    def empty(code: str, doc_id: str) -> None:
        assert versions(f"dossiers/{code}/documents/{doc_id}/") == []  # no version, no delete marker
        assert len(versions(f"dossiers/{code}/manifest.json")) == 1  # earlier manifests held the text

    try:
        _lifecycle(server, refuses, holds, empty)
    finally:
        server.stop()


def _refs(code: str, document: dict) -> list[str]:
    """The object keys of a document (the API does not list them; the manifest does)."""
    base = f"dossiers/{code}/documents/{document['id']}/"
    ext = os.path.splitext(document["filename"])[1]
    return [base + f"original{ext}", base + "archival.pdf", base + "ocr.json"]


def test_the_command_line_lists_and_disposes_of_what_is_due(tmp_path, monkeypatch, capsys):
    """`hoso retention due / dispose / hold / release` on a store written in-process."""
    from api.cli import main
    from ingest.indexing import index_entries
    from repository.model import Document, DocumentStatus, Dossier, DossierKind
    from repository.records import Records
    from repository.retention import RetentionOptions
    from repository.store import open_store
    from search import open_index

    monkeypatch.setenv("HOSO_DATA_DIR", str(tmp_path))
    records = Records(open_store(f"file://{tmp_path / 'store'}"))
    code, now = "000.17.22.H56-261123-0042", datetime.now(timezone.utc)
    refs = {name: records.put_document_object(code, "D1", name, f"{name} bytes".encode())
            for name in ("original.png", "archival.pdf", "ocr.json")}
    document = Document(id="D1", filename="don.png", media_type="image/png", status=DocumentStatus.DONE,
                        original=refs["original.png"], archival=refs["archival.pdf"], ocr=refs["ocr.json"],
                        doc_type="other", retention=RetentionOptions(schedule={"other": "PT2S"}).assign("other", now))
    dossier = Dossier(dossier_code=code, procedure_code="1.001234", applicant_id=None, agency_code="000.17.22.H56",
                      kind=DossierKind.COMPONENT, received_at=now, documents=[document])
    records.retain_document(document)
    records.save(dossier)
    index = open_index(f"sqlite:///{tmp_path / 'index.sqlite'}")
    index.upsert(index_entries(dossier))
    index.close()

    assert main(["retention", "dispose", code, "--reason", "thử"]) == 1  # too early: refused, audited
    assert "refused" in capsys.readouterr().err and main(["retention", "due"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["retention", "hold", f"{code}/D1", "--reason", "thanh tra"]) == 0
    time.sleep(max(0.0, (document.retention.retain_until - datetime.now(timezone.utc)).total_seconds()) + 0.3)
    assert main(["retention", "dispose", "--due", "--reason", "hết hạn"]) == 0  # held: nothing is due
    assert main(["retention", "dispose", f"{code}/D1", "--reason", "hết hạn"]) == 1
    assert main(["retention", "release", f"{code}/D1", "--reason", "xong"]) == 0
    capsys.readouterr()
    assert main(["retention", "due"]) == 0 and capsys.readouterr().out.startswith(f"{code}/D1")
    assert main(["retention", "dispose", "--due", "--reason", "hết hạn"]) == 0
    assert "disposed of (3 object versions destroyed)" in capsys.readouterr().out
    assert records.load(code).status == DocumentStatus.DISPOSED and list(records.store.list("dossiers/")) == [
        f"dossiers/{code}/manifest.json"]
    assert main(["fsck"]) == 0 and main(["audit", "verify"]) == 0
    actions = [e["action"] for e in _audit_entries(records)]
    assert actions.count("document.dispose.refused") == 2 and actions.count("document.dispose") == 1


def _audit_entries(records) -> list[dict]:
    from repository.audit import AuditLog

    return list(AuditLog(records.store).entries())
