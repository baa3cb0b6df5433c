"""End to end on the embedded default: a real server, real Tesseract, real PDFs and validators."""

from __future__ import annotations

import hashlib
import io
import subprocess
import time
from pathlib import Path

import pytest

import vnpages
from harness import png_bytes, post, unique_line, wait_done


def check_archival(client, tmp_path: Path, document: dict, expected_words: list[str]) -> None:
    archival = client.get(document["links"]["archival"])
    assert archival.status_code == 200 and archival.headers["content-type"] == "application/pdf"
    path = tmp_path / f"{document['id']}.pdf"
    path.write_bytes(archival.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for word in expected_words:
        assert word in text, f"{word!r} not in pdftotext output"
    pdfsig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in pdfsig, pdfsig
    assert "Total document signed" in pdfsig, pdfsig
    assert "FOR DEVELOPMENT ONLY" in pdfsig
    report = client.get(document["links"]["verify"]).json()
    assert report["valid"] is True, report
    assert report["development_signer"] is True
    assert [s["level"] for s in report["signatures"]] == ["B-B"]
    assert report["signatures"][0]["intact"] and not report["signatures"][0]["modified_after_signing"]


def search_ids(client, query: str) -> list[str]:
    response = client.get("/v1/search", params={"q": query})
    assert response.status_code == 200, response.text
    return [hit["document_id"] for hit in response.json()["hits"]]


def test_scanned_page_end_to_end(client, tmp_path):
    token, line = unique_line()
    page = vnpages.render_page(vnpages.PROSE + [line], font="serif")
    data = png_bytes(page)
    response = post(client, [("trang 1.png", data, "image/png")])
    assert response.status_code == 202, response.text
    code = response.json()["dossier_code"]
    assert code.startswith("000.17.22.H56-") and response.headers["location"] == f"/v1/dossiers/{code}"
    assert response.json()["documents"][0]["status"] == "received"

    dossier = wait_done(client, code)
    document = dossier["documents"][0]
    assert document["status"] == "done", document
    assert document["pages"][0]["source"] == "ocr"
    assert vnpages.cer(vnpages.expected_text(vnpages.PROSE + [line]), document["text"]) < 0.02
    assert document["doc_type"] in ("admin_document", "other")

    original = client.get(document["links"]["original"])
    assert hashlib.sha256(original.content).hexdigest() == hashlib.sha256(data).hexdigest()

    hits = search_ids(client, f"nghi dinh {token}")  # typed without diacritics
    assert hits == [document["id"]]
    snippet = client.get("/v1/search", params={"q": token}).json()["hits"][0]["snippet"]
    assert f"<mark>{token}</mark>" in snippet
    check_archival(client, tmp_path, document, ["Nghị định", "đăng ký", token])


def test_a_status_read_waits_for_the_reading_when_asked(client):
    """`wait`: a status read that holds its answer while the dossier is read, for as long as
    asked, and answers in one request once it is done."""
    _, line = unique_line()
    page = png_bytes(vnpages.render_page([line] + vnpages.PROSE[:3]))
    code = post(client, [("cho.png", page, "image/png")]).json()["dossier_code"]
    status = f"/v1/dossiers/{code}/status"
    started = time.monotonic()
    early = client.get(status, params={"wait": 0.3}).json()  # Tesseract takes longer than that on a page
    assert early["status"] in ("received", "processing") and time.monotonic() - started >= 0.3
    done = client.get(status, params={"wait": 50})
    assert done.json()["status"] == "done" and done.json()["documents"][0]["status"] == "done"
    assert client.get(status, params={"wait": 61}).status_code == 422


def test_a_waiting_status_read_answers_when_a_document_moves_on(client):
    """`wait` with `since` (the `version` of the last answer), as the reception page follows a
    dossier: each answer comes once a document has moved on, not at the end only. Four pages on
    the server's two workers cannot all be done at once, so one answer shows some done and some
    not."""
    pages = [(f"trang-{i}.png", png_bytes(vnpages.render_page([unique_line()[1]] + vnpages.PROSE[i:i + 2])),
              "image/png") for i in range(4)]
    status = f"/v1/dossiers/{post(client, pages).json()['dossier_code']}/status"
    answers = [client.get(status).json()]
    while answers[-1]["status"] not in ("done", "failed"):
        answers.append(client.get(status, params={"wait": 50, "since": answers[-1]["version"]}).json())
    moves = [[d["status"] for d in a["documents"]] for a in answers]
    assert all(before != after for before, after in zip(moves, moves[1:])), moves  # none answered unmoved
    assert any("done" in m and a["status"] != "done" for m, a in zip(moves, answers)), moves
    assert answers[-1]["status"] == "done" and len({a["version"] for a in answers}) == len(answers)


def test_born_digital_pdf_needs_no_ocr(client, tmp_path, server):
    token, line = unique_line()
    path = vnpages.born_digital_pdf(tmp_path / "quyet-dinh.pdf", vnpages.PROSE + [line])
    response = post(client, [("quyết định.pdf", path.read_bytes(), "application/pdf")], kind="result")
    assert response.status_code == 202, response.text
    dossier = wait_done(client, response.json()["dossier_code"])
    document = dossier["documents"][0]
    assert document["status"] == "done", document
    assert [p["source"] for p in document["pages"]] == ["text-layer"]
    assert "Nghị định" in document["text"] and token in document["text"]
    ocr_json = (server.data_dir / "store" / "dossiers" / dossier["dossier_code"] / "documents"
                / document["id"] / "ocr.json").read_text()
    assert '"source": "text-layer"' in ocr_json and '"confidence": null' in ocr_json  # Tesseract never ran
    assert search_ids(client, f"dang ky {token}") == [document["id"]]
    check_archival(client, tmp_path, document, ["Nghị định", token])


def test_two_page_tiff_and_scanned_pdf(client, tmp_path):
    token1, line1 = unique_line()
    token2, line2 = unique_line()
    first = vnpages.render_page([line1] + vnpages.PROSE[:5], font="sans").convert("L")
    second = vnpages.render_page(vnpages.PROSE[5:] + [line2], font="serif").convert("L")
    tiff = io.BytesIO()
    first.save(tiff, "TIFF", save_all=True, append_images=[second], dpi=(300, 300), compression="tiff_lzw")
    scanned_pdf = io.BytesIO()
    second.save(scanned_pdf, "PDF", resolution=300)  # a page image only, as a scanner writes it
    response = post(client, [("hai-trang.tiff", tiff.getvalue(), "image/tiff"),
                             ("ban-quet.pdf", scanned_pdf.getvalue(), "application/pdf")])
    assert response.status_code == 202, response.text
    dossier = wait_done(client, response.json()["dossier_code"])
    tiff_doc, pdf_doc = dossier["documents"]
    assert tiff_doc["status"] == pdf_doc["status"] == "done", dossier
    assert [p["number"] for p in tiff_doc["pages"]] == [1, 2]
    assert token1 in tiff_doc["pages"][0]["text"] and token2 in tiff_doc["pages"][1]["text"]
    assert [p["source"] for p in pdf_doc["pages"]] == ["ocr"]
    assert token2 in pdf_doc["text"]
    assert sorted(search_ids(client, token2)) == sorted([tiff_doc["id"], pdf_doc["id"]])
    hits = client.get("/v1/search", params={"q": token2}).json()["hits"]
    assert {h["page"] for h in hits if h["document_id"] == tiff_doc["id"]} == {2}
    check_archival(client, tmp_path, tiff_doc, [token1, token2])
    check_archival(client, tmp_path, pdf_doc, [token2])


@pytest.mark.parametrize("text", ["hòa", "hoà"])
def test_tone_placement_and_exact_first(client, text, tmp_path):
    """Ranking, not reading: born-digital pages, so the text is exactly what was written."""
    token, _ = unique_line()
    exact = vnpages.born_digital_pdf(tmp_path / "hoa-1.pdf", [f"Xã Hòa Bình {token} hòa giải."])
    folded = vnpages.born_digital_pdf(tmp_path / "hoa-2.pdf", [f"Chợ Hoa Binh {token} hoa hồng."])
    response = post(client, [("hoa-1.pdf", exact.read_bytes(), "application/pdf"),
                             ("hoa-2.pdf", folded.read_bytes(), "application/pdf")])
    dossier = wait_done(client, response.json()["dossier_code"])
    ids = [d["id"] for d in dossier["documents"]]
    assert search_ids(client, f"{text} {token}") == ids  # exact match (either placement) ranks first
