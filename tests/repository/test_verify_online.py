"""An archivist's signature check over the API: from the file alone, or asking the certificates'
OCSP responder when the file holds no revocation answer (a B-T copy), against the local PKI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vnpages
from harness import Server, png_bytes, post, wait_done
from localpki import PASSPHRASE, LocalPki


def serve(pki: LocalPki, identity: str, data_dir: Path) -> Server:
    return Server(data_dir, {
        "HOSO_WORKERS": "1",
        "HOSO_SIGNING__PKCS12_PATH": str(pki.identity(identity).pkcs12),
        "HOSO_SIGNING__PKCS12_PASSPHRASE": PASSPHRASE,
        "HOSO_SIGNING__TRUST_ROOTS": json.dumps([str(pki.root_pem)]),
        "HOSO_SIGNING__LEVEL": "B-T",
        "HOSO_SIGNING__TSA_URL": pki.tsa_url,
    }).start()


@pytest.mark.parametrize("identity, online_answer", [("clerk", "good"), ("revoked", "revoked")])
def test_verify_asks_the_ocsp_responder_only_when_told(pki: LocalPki, tmp_path: Path, identity: str,
                                                       online_answer: str) -> None:
    server = serve(pki, identity, tmp_path / "hoso")
    try:
        with server.client() as client:
            page = png_bytes(vnpages.render_page(["Giấy xác nhận cư trú."], width_in=6.5, height_in=2.0))
            code = post(client, [("xac-nhan.png", page, "image/png")]).json()["dossier_code"]
            [document] = wait_done(client, code)["documents"]
            assert document["status"] == "done", document
            verify = f"/v1/dossiers/{code}/documents/{document['id']}/verify"

            offline = client.get(verify).json()
            [signature] = offline["signatures"]
            assert signature["revocation"] == "unknown" and signature["level"] == "B-T"
            assert offline["valid"]  # trusted and intact; revocation not known from the file

            online = client.get(verify, params={"online": "true"}).json()
            [signature] = online["signatures"]
            assert signature["revocation"] == online_answer
            assert online["valid"] is (online_answer == "good")
    finally:
        server.stop()
