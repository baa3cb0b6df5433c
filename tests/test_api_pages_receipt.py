"""The read-only routes the web pages use: a document's pages (words, boxes, confidences), a
picture of each page, the receipt, and who the caller is — with the roles' limits and audit."""

from __future__ import annotations

import os
import subprocess

import httpx

import vnpages
from harness import FORM, HOSO, png_bytes, post, read_qr_code, unique_line, wait_done

THEIRS = "000.00.15.H29"


def _key(server, role: str, agency: str | None = None) -> dict[str, str]:
    args = [str(HOSO), "keys", "create", "--role", role, "--name", f"web routes {role}"]
    token = subprocess.run(args + (["--agency", agency] if agency else []), capture_output=True, text=True,
                           check=True, env={**os.environ, "HOSO_DATA_DIR": str(server.data_dir)}).stdout.strip()
    return {"Authorization": f"Bearer {token}"}


def test_pages_image_and_receipt(server, client, tmp_path):
    token, line = unique_line()
    pdf = vnpages.born_digital_pdf(tmp_path / "cong-van.pdf", vnpages.PROSE[:4] + [line])
    response = post(client, [("công văn.pdf", pdf.read_bytes(), "application/pdf")])
    assert response.status_code == 202, response.text
    code = response.json()["dossier_code"]
    document = wait_done(client, code)["documents"][0]
    base = f"/v1/dossiers/{code}/documents/{document['id']}"

    reading = client.get(f"{base}/pages").json()
    assert reading["doc_type"] == document["doc_type"] and reading["review_confidence"] == 0.7
    page = reading["pages"][0]
    assert page["source"] == "text-layer" and page["image"] == f"{base}/pages/1/image"
    assert token in [w["text"] for w in page["words"]] and token in page["text"]
    word = next(w for w in page["words"] if w["text"] == token)
    x0, y0, x1, y1 = word["bbox"]
    assert 0 <= x0 < x1 <= page["width"] and 0 <= y0 < y1 <= page["height"]

    image = client.get(page["image"], params={"width": 600})
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content[:3] == b"\xff\xd8\xff"
    again = client.get(page["image"], params={"width": 600}, headers={"If-None-Match": image.headers["etag"]})
    assert again.status_code == 304
    assert client.get(f"{base}/pages/2/image").status_code == 404
    assert client.get(page["image"], params={"width": 10}).json()["error"] == "invalid_request"
    assert client.get(f"/v1/dossiers/{code}/documents/nope/pages").status_code == 404

    receipt = client.get(f"/v1/dossiers/{code}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.headers["content-type"] == "application/pdf"
    path = tmp_path / "bien-nhan.pdf"
    path.write_bytes(receipt.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert code in text and "công văn.pdf" in text and FORM["applicant_id"] in text
    assert client.get("/v1/dossiers/000.17.22.H56-000101-9/receipt.pdf").status_code == 404

    assert client.get("/v1/me").json()["role"] == "admin"
    audit = client.get("/v1/audit", params={"target": code}).json()
    actions = {e["action"] for e in audit["entries"]}
    assert {"pages.read", "page_image.read", "receipt.read"} <= actions, actions


def test_roles_on_the_web_routes(server, client, tmp_path):
    pdf = vnpages.born_digital_pdf(tmp_path / "a.pdf", vnpages.PROSE[:3])
    code = post(client, [("a.pdf", pdf.read_bytes(), "application/pdf")]).json()["dossier_code"]
    document = wait_done(client, code)["documents"][0]
    pages = f"/v1/dossiers/{code}/documents/{document['id']}/pages"
    receipt = f"/v1/dossiers/{code}/receipt.pdf"
    ours, theirs = _key(server, "reception", FORM["agency_code"]), _key(server, "reception", THEIRS)
    archivist, eform = _key(server, "archivist"), _key(server, "eform")
    with httpx.Client(base_url=server.url, timeout=60) as anyone:
        assert anyone.get("/v1/me").status_code == 401
        me = anyone.get("/v1/me", headers=ours).json()
        assert me["role"] == "reception" and me["agency"] == FORM["agency_code"]
        assert anyone.get(pages, headers=ours).status_code == 200
        assert anyone.get(receipt, headers=ours).status_code == 200
        assert anyone.get(pages, headers=theirs).status_code == 404  # not even told it exists
        assert anyone.get(f"{pages}/1/image", headers=theirs).status_code == 404
        assert anyone.get(receipt, headers=theirs).status_code == 404
        assert anyone.get(pages, headers=archivist).status_code == 200
        assert anyone.get(receipt, headers=archivist).status_code == 403  # receipts are the desk's
        assert anyone.get(pages, headers=eform).status_code == 403
        assert anyone.get("/v1/me", headers=eform).json()["role"] == "eform"
        for path in ("/", "/tiep-nhan", "/luu-tru", "/luu-tru/tai-lieu", "/static/hoso.js"):
            page = anyone.get(path)  # the pages themselves are public; their data is not
            assert page.status_code == 200, path
        assert "default-src 'self'" in anyone.get("/luu-tru").headers["content-security-policy"]
        assert anyone.get("/static/nope.js").status_code == 404
        assert anyone.get("/static/..%2Fapp.py").status_code == 404


def test_the_receipts_link_does_not_come_from_the_host_header(server, client, tmp_path):
    """Whoever sends the request chooses its Host header: a receipt printed for a citizen must
    not send them to the caller's site (the link is HOSO_PUBLIC_URL, here its default)."""
    code = post(client, [("a.png", png_bytes(vnpages.render_page(["Một dòng."], dpi=100)), "image/png")]
                ).json()["dossier_code"]
    receipt = client.get(f"/v1/dossiers/{code}/receipt.pdf", headers={"Host": "lua-dao.example"})
    assert receipt.status_code == 200
    path = tmp_path / "bien-nhan.pdf"
    path.write_bytes(receipt.content)
    assert read_qr_code(path)["url"] == f"http://127.0.0.1:{server.port}/tiep-nhan?ma={code}"
