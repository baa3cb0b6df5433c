"""Bad input gets a clear 4xx JSON error, nothing partial is kept, and the server keeps serving."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

import vnpages
from harness import FORM, png_bytes, post


def stored_dossiers(data_dir: Path) -> set[str]:
    root = data_dir / "store" / "dossiers"
    return {p.name for p in root.iterdir()} if root.exists() else set()


def leftovers(data_dir: Path) -> list[Path]:
    """Scratch files a refused upload could leave behind."""
    return [p for d in ("staging", "store/.tmp") for p in (data_dir / d).glob("*")]


def good_png() -> bytes:
    return png_bytes(vnpages.render_page(["Một dòng chữ."], dpi=100))


def truncated_png() -> bytes:
    data = good_png()
    return data[: len(data) // 2]


def encrypted_pdf() -> bytes:
    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(buffer, encryption=pikepdf.Encryption(user="mật khẩu", owner="chủ"))
    return buffer.getvalue()


BAD_FILES = [
    pytest.param("ghi-chu.png", b"this is plain text, not a picture\n", 415, "unsupported_media_type",
                 id="lying-extension"),
    pytest.param("trang.png", b"", 400, "empty_file", id="empty"),
    pytest.param("lon.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (9 * 2**20), 413, "file_too_large", id="oversize"),
    pytest.param("hong.png", None, 422, "corrupt_input", id="truncated-png"),
    pytest.param("hong.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", 422, "corrupt_input",
                 id="corrupt-pdf"),
    pytest.param("khoa.pdf", "encrypted", 422, "encrypted_pdf", id="encrypted-pdf"),
    pytest.param("bom.png", "bomb", 413, "input_too_large", id="decompression-bomb"),
]


def bomb_png() -> bytes:
    """A small file that declares a huge image: refused from its header, never decoded."""
    image = Image.new("1", (20000, 20000))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@pytest.mark.parametrize("name,data,status,code", BAD_FILES)
def test_bad_file_is_refused_and_nothing_is_kept(client, server, name, data, status, code):
    data = {None: truncated_png, "encrypted": encrypted_pdf, "bomb": bomb_png}.get(data, lambda: data)() \
        if not isinstance(data, bytes) else data
    before = stored_dossiers(server.data_dir)
    index_before = client.get("/v1/search", params={"q": "một dòng"}).json()["total"]
    # A good file goes along with the bad one: the whole dossier is refused, not half of it.
    response = post(client, [("tot.png", good_png(), "image/png"), (name, data, "image/png")])
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code and body["detail"]
    assert stored_dossiers(server.data_dir) == before
    assert leftovers(server.data_dir) == []
    assert client.get("/v1/search", params={"q": "một dòng"}).json()["total"] == index_before
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("field,value", [("agency_code", "H56"), ("kind", "other"), ("procedure_code", "")])
def test_bad_dossier_fields(client, field, value):
    response = post(client, [("tot.png", good_png(), "image/png")], **{field: value})
    assert response.status_code == 422, response.text
    assert response.json()["error"] in ("invalid_dossier", "invalid_request")


def test_missing_files_is_a_json_422(client):
    response = client.post("/v1/dossiers", data=FORM)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_every_v1_route_needs_a_key(server):
    import httpx

    for path in ("/v1/search?q=x", "/v1/dossiers/000.17.22.H56-260101-0001"):
        response = httpx.get(server.url + path)
        assert response.status_code == 401 and response.json()["error"] == "unauthorized"
        response = httpx.get(server.url + path, headers={"Authorization": "Bearer hoso_wrong"})
        assert response.status_code == 401
    assert httpx.post(server.url + "/v1/dossiers", data=FORM).status_code == 401


def test_unknown_dossier_and_document(client):
    response = client.get("/v1/dossiers/000.17.22.H56-200101-99999")
    assert response.status_code == 404 and response.json()["error"] == "dossier_not_found"
    code = post(client, [("tot.png", good_png(), "image/png")]).json()["dossier_code"]
    response = client.get(f"/v1/dossiers/{code}/documents/01NOSUCHDOCUMENT/original")
    assert response.status_code == 404


def test_search_needs_words(client):
    response = client.get("/v1/search", params={"q": '"*()'})
    assert response.status_code == 400 and response.json()["error"] == "bad_query"
    assert client.get("/v1/search", params={"q": "x", "limit": 0}).status_code == 422


def test_request_over_the_limit_is_refused_before_reading(server):
    """Only the headers are sent: the answer must come without the body being read."""
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall((f"POST /v1/dossiers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {server.key}\r\n"
                      "Content-Type: multipart/form-data; boundary=b\r\n"
                      f"Content-Length: {2**40}\r\n\r\n").encode())
        answer = b""
        while not answer.endswith(b"}"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        answer = answer.decode()
    assert answer.startswith("HTTP/1.1 413"), answer
    assert '"error":"request_too_large"' in answer


THEIRS = "000.00.15.H29"  # another agency than FORM's


def test_another_agencys_dossier_is_answered_as_one_that_does_not_exist(client, server):
    """Codes are sequential: if another agency's dossier answered differently from a missing
    one, a desk could count every agency's daily volume."""
    theirs = server.make_key("reception", THEIRS)
    accepted = post(client, [("tot.png", good_png(), "image/png")]).json()
    code, document_id = accepted["dossier_code"], accepted["documents"][0]["id"]
    missing = code.rsplit("-", 1)[0] + "-99999"
    base = "/v1/dossiers/{}"
    document = base + f"/documents/{document_id}"
    routes = [("GET", base, None), ("GET", base + "/status", None), ("GET", base + "/receipt.pdf", None),
              ("GET", document + "/original", None), ("GET", document + "/archival.pdf", None),
              ("GET", document + "/verify", None), ("GET", document + "/pages", None),
              ("GET", document + "/pages/1/image", None),
              ("PATCH", document + "/fields", {"fields": {"full_name": {"value": "NGUYỄN VĂN A"}}})]
    for method, path, body in routes:
        answers = [client.request(method, path.format(c), json=body, headers=theirs) for c in (code, missing)]
        seen = [(a.status_code, a.headers["content-type"], a.text.replace(c, "CODE"))
                for a, c in zip(answers, (code, missing))]
        assert seen[0] == seen[1], (method, path, seen)
        assert seen[0][0] == 404 and answers[0].json()["error"] == "dossier_not_found"


ODD_CODES = ["%2e%2e", "..", "a%00b", "x" * 5000, "000.17.22.H56-260101-0001%2F..%2F..", "%2e",
             ".uNg-144222-38"]  # the last found by schemathesis: a code's shape, a hidden key's name


@pytest.mark.parametrize("odd", ODD_CODES, ids=["dot-dot-encoded", "dot-dot", "nul", "5000-chars", "slashes",
                                                 "dot", "leading-dot"])
def test_odd_codes_and_ids_are_refused_at_the_edge(server, odd):
    """A code or document id that cannot exist is a 404 or 422 in HoSo's JSON, never a 500 (a
    path handed to the store) or a 503 (which clients would retry for ever)."""
    import httpx

    good = "000.17.22.H56-260101-0001"
    paths = [f"/v1/dossiers/{odd}", f"/v1/dossiers/{odd}/status", f"/v1/dossiers/{odd}/receipt.pdf",
             f"/v1/dossiers/{odd}/documents/01ARZ3NDEKTSV4RRFFQ69G5FAV/original",
             f"/v1/dossiers/{good}/documents/{odd}/original", f"/v1/dossiers/{good}/documents/{odd}/verify"]
    headers = {"Authorization": f"Bearer {server.key}"}
    with httpx.Client(timeout=30) as raw:
        for path in paths:
            # The path goes out as written: httpx would otherwise normalise `%2e%2e` away.
            request = raw.build_request("GET", httpx.URL(server.url).copy_with(raw_path=path.encode()),
                                        headers=headers)
            response = raw.send(request)
            assert response.status_code in (404, 422), (path[:80], response.status_code, response.text[:200])
            assert response.headers["content-type"] == "application/json" and response.json()["error"]


def test_records_are_neither_cached_nor_sniffed(client):
    """An original, a dossier's JSON, citizen data: nothing a browser or proxy may keep, and an
    upload that is HTML inside is never run as a page."""
    accepted = post(client, [("tot.png", good_png(), "image/png")]).json()
    code, document = accepted["dossier_code"], accepted["documents"][0]
    for path in (f"/v1/dossiers/{code}", document["links"]["original"],
                 "/v1/citizens/001090012345/data?purpose=ki%E1%BB%83m%20tra", "/v1/dossiers/000.17.22.H56-200101-9"):
        response = client.get(path)
        assert response.headers.get("cache-control") == "no-store", (path, response.headers)
        assert response.headers.get("x-content-type-options") == "nosniff", (path, response.headers)


def test_api_documentation_loads_nothing_from_elsewhere_and_needs_a_key(server, client):
    """Swagger UI and ReDoc fetch their scripts from a CDN into a page that holds a key: not
    served. The schema is for callers with a key."""
    import httpx

    for path in ("/docs", "/redoc", "/openapi.json"):
        assert httpx.get(server.url + path).status_code == 404, path
    assert httpx.get(server.url + "/v1/openapi.json").status_code == 401
    assert client.get("/v1/openapi.json").json()["info"]["title"] == "HoSo"
