"""The `hoso` command line on its own data directory: ingest, ocr, search, verify, reindex."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

import vnpages
from harness import HOSO, audit_entries, hoso


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """A data directory with two dossiers ingested by the CLI: a folder of scans and a PDF."""
    root = tmp_path_factory.mktemp("cli")
    folder = root / "ho-so-1"
    folder.mkdir()
    vnpages.save(vnpages.render_page(vnpages.PROSE[:6]), folder / "trang-1.png")
    vnpages.save(vnpages.render_page(vnpages.PROSE[6:], font="sans").rotate(180), folder / "trang-2.png")
    pdf = vnpages.born_digital_pdf(root / "thong-bao.pdf", ["THÔNG BÁO", "Về việc đăng ký hộ tịch."])
    data = root / "var"
    result = hoso(data, "ingest", str(folder), str(pdf), "--json", "--applicant", "001090012345")
    manifests = [json.loads(line) for line in result.stdout.splitlines()]
    return data, manifests, root


def test_ingest_prints_one_manifest_per_dossier(archive):
    _, manifests, _ = archive
    assert len(manifests) == 2
    folder, loose = manifests
    assert [d["filename"] for d in folder["documents"]] == ["trang-1.png", "trang-2.png"]
    assert all(d["status"] == "done" for m in manifests for d in m["documents"])
    upside_down = folder["documents"][1]
    assert upside_down["pages"][0]["rotation"] == 180
    assert "Người dân không phải nộp lại giấy tờ" in upside_down["pages"][0]["text"]
    assert loose["documents"][0]["pages"][0]["source"] == "text-layer"
    assert folder["applicant_id"] == "001090012345"
    assert folder["dossier_code"] != loose["dossier_code"]


def test_search_and_verify(archive):
    data, manifests, _ = archive
    out = json.loads(hoso(data, "search", "dang ky ho tich", "--json").stdout)
    assert [h["document_id"] for h in out["hits"]] == [manifests[1]["documents"][0]["id"]]
    lines = hoso(data, "verify", manifests[0]["dossier_code"], "--json").stdout.splitlines()
    reports = [json.loads(line) for line in lines]
    assert len(reports) == 2 and all(r["valid"] and r["development_signer"] for r in reports)
    assert hoso(data, "verify", manifests[0]["dossier_code"]).stdout.count(": VALID\n") == 2


def test_verify_a_tampered_file_fails(archive, tmp_path):
    data, manifests, _ = archive
    document = manifests[0]["documents"][0]
    signed = (data / "store" / document["archival"]["key"]).read_bytes()
    changed = bytearray(signed)
    position = signed.index(b"/Producer") + 2
    changed[position] ^= 0x01
    (tmp_path / "changed.pdf").write_bytes(bytes(changed))
    result = hoso(data, "verify", str(tmp_path / "changed.pdf"), check=False)
    assert result.returncode == 1 and "changed.pdf: NOT VALID" in result.stdout
    assert result.stdout.count("the signed bytes were changed after signing") == 1, result.stdout  # once


def test_reindex_from_the_store_alone(archive):
    data, _, _ = archive
    queries = ["nghi dinh", "hoà bình", "dang ky", "người dân"]
    before = [json.loads(hoso(data, "search", q, "--json").stdout) for q in queries]
    assert all(r["total"] > 0 for r in before)
    for f in data.glob("index.sqlite*"):
        f.unlink()
    assert "indexed 3 documents" in hoso(data, "reindex").stdout
    after = [json.loads(hoso(data, "search", q, "--json").stdout) for q in queries]
    assert after == before


def test_ocr_prints_text_and_stores_nothing(tmp_path):
    page = vnpages.save(vnpages.render_page(vnpages.PROSE[:4]).rotate(90, expand=True), tmp_path / "p.png")
    data = tmp_path / "var"
    text = hoso(data, "ocr", str(page)).stdout
    assert vnpages.cer(vnpages.expected_text(vnpages.PROSE[:4]), text) < 0.02
    assert not (data / "store").exists()
    words = json.loads(hoso(data, "ocr", str(page), "--json").stdout)["pages"][0]["words"]
    assert all(0 <= w["confidence"] <= 1 and len(w["bbox"]) == 4 for w in words)


def test_ingest_refuses_bad_files_with_a_message(tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    result = hoso(tmp_path / "var", "ingest", str(bad), check=False)
    assert result.returncode == 2 and "unsupported file type" in result.stderr


def test_fsck_is_clean_and_finds_damage(archive, tmp_path):
    import shutil

    data, manifests, _ = archive
    report = json.loads(hoso(data, "fsck", "--json").stdout)
    assert report["ok"], report["problems"]
    assert (report["dossiers"], report["documents"], report["done"], report["indexed"]) == (2, 3, 3, 3)

    copy = tmp_path / "var"
    shutil.copytree(data, copy)
    code, document = manifests[0]["dossier_code"], manifests[0]["documents"][0]["id"]
    archival = copy / "store" / "dossiers" / code / "documents" / document / "archival.pdf"
    damaged = bytearray(archival.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    archival.write_bytes(bytes(damaged))
    (copy / "store" / "dossiers" / code / "documents" / document / "stray.bin").write_bytes(b"?")
    (copy / "store" / "pending").mkdir(exist_ok=True)
    (copy / "store" / "pending" / "000.17.22.H56-200101-0001").write_bytes(b"")
    result = hoso(copy, "fsck", check=False)
    assert result.returncode == 1 and "PROBLEMS" in result.stdout
    assert "archival fails fixity" in result.stdout
    assert "stray.bin: not referenced by the manifest" in result.stdout
    assert "pending/000.17.22.H56-200101-0001: marks a dossier the store does not hold" in result.stdout


def test_archival_copies_are_pdfa_as_configured(archive, tmp_path):
    """What ingest really stores passes veraPDF: 2b by default (scans and a born-digital PDF),
    1b when HOSO_PDFA=1b; and pdfsig still finds the signature valid."""
    from services import verapdf

    data, _, root = archive
    default = sorted((data / "store" / "dossiers").rglob("archival.pdf"))
    one_b = tmp_path / "var-1b"
    env = {**os.environ, "HOSO_DATA_DIR": str(one_b), "HOSO_WORKERS": "1", "HOSO_PDFA": "1b"}
    subprocess.run([str(HOSO), "ingest", str(root / "ho-so-1" / "trang-1.png")], env=env, check=True,
                   capture_output=True, timeout=300)
    [strict] = sorted((one_b / "store" / "dossiers").rglob("archival.pdf"))
    try:
        results = verapdf.validate([*((p, "2b") for p in default), (strict, "1b")])
    except verapdf.ServiceUnavailable as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"veraPDF is required in CI: {e.reason}")
        pytest.skip(f"veraPDF not available here: {e.reason}")
    assert len(results) == 4
    assert all(r.compliant for r in results), "\n".join(r.summary() for r in results)
    assert strict.read_bytes().startswith(b"%PDF-1.4")
    for path in [*default, strict]:
        assert "Signature is Valid" in subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def test_a_signed_pdf_is_kept_byte_for_byte_and_its_signature_reported(tmp_path):
    """A result already signed by another agency: the original is stored as received, its
    signature verified at ingest and shown in the manifest; HoSo's archival copy is another file
    that carries only HoSo's signature."""
    import hashlib

    from repository.signing import SigningOptions, load_signer

    data = tmp_path / "var"
    agency = load_signer(SigningOptions(stamp=False), data / "keys")  # the identity HoSo trusts here
    unsigned = vnpages.born_digital_pdf(tmp_path / "qd.pdf", ["QUYẾT ĐỊNH", "Về việc cấp giấy phép."])
    signed = tmp_path / "qd-da-ky.pdf"
    signed.write_bytes(agency.sign(unsigned.read_bytes(), reason="Ban hành", location="Hà Nội"))

    [manifest] = [json.loads(line) for line in hoso(data, "ingest", str(signed), "--json").stdout.splitlines()]
    [document] = manifest["documents"]
    assert document["status"] == "done"
    [incoming] = document["incoming_signatures"]
    assert incoming["valid"] and incoming["intact"] and incoming["trusted"], incoming
    stored = data / "store" / "dossiers" / manifest["dossier_code"] / "documents" / document["id"]
    original = stored / "original.pdf"
    assert hashlib.sha256(original.read_bytes()).hexdigest() == hashlib.sha256(signed.read_bytes()).hexdigest()
    archival = subprocess.run(["pdfsig", str(stored / "archival.pdf")], capture_output=True, text=True).stdout
    assert archival.count("Signature #") == 1 and "Signature is Valid" in archival, archival
    assert "Signature is Valid" in subprocess.run(["pdfsig", str(original)], capture_output=True, text=True).stdout


@pytest.mark.parametrize("args", [["--role", "archivist", "--agency", "000.17.22.H56"],
                                  ["--role", "eform", "--agency", "000.17.22.H56"],
                                  ["--role", "reception", "--agency", "../x"],
                                  ["--role", "reception", "--agency", "000.17.22.H56/.."]],
                         ids=["archivist-with-agency", "eform-with-agency", "dot-dot-agency", "agency-and-more"])
def test_keys_that_would_not_mean_what_they_say_are_refused(tmp_path, args):
    """An archivist reads every agency whatever its key says, and `../x` is no agency: a key
    made so would look limited (or named) in a way that does not hold."""
    refused = hoso(tmp_path, "keys", "create", "--name", "thử", *args, check=False)
    assert refused.returncode == 2 and "agency" in refused.stderr
    assert hoso(tmp_path, "keys", "list").stdout == ""


def test_search_on_the_command_line_is_audited(archive):
    """Hits show names, ID numbers and birth dates: a read through the CLI is in the log as one
    through the API is, written before anything is printed, and the chain stays whole."""
    data, _, _ = archive
    hoso(data, "search", "dang ky ho tich", "--doc-type", "other")
    entries = audit_entries(data)
    searches = [e for e in entries if e["action"] == "search" and e["target"] == "dang ky ho tich"]
    assert searches and searches[-1]["actor"].startswith("cli:") and searches[-1]["hits"] == 1
    assert searches[-1]["filters"]["doc_type"] == "other"
    assert hoso(data, "audit", "verify").returncode == 0


def test_citizen_data_needs_a_purpose_that_says_something(tmp_path):
    refused = hoso(tmp_path, "citizen", "001090012345", "--purpose", "   ", check=False)
    assert refused.returncode == 2 and "purpose" in refused.stderr


def test_an_incoming_signature_widget_is_not_carried_onto_the_archival_copy(tmp_path):
    """A signed PDF whose signature widget has no appearance (as invisible signatures of many
    tools have; nothing to draw into the page) had that widget, with the uploader's signature,
    copied onto the archival page: poppler showed a second, broken signature named by the
    uploader."""
    import pikepdf

    from repository.signing import SigningOptions, load_signer

    uploader = load_signer(SigningOptions(stamp=False), tmp_path / "uploader-keys")
    unsigned = vnpages.born_digital_pdf(tmp_path / "qd.pdf", ["QUYẾT ĐỊNH", "Về việc cấp giấy phép."])
    signed = tmp_path / "qd-da-ky.pdf"
    signed.write_bytes(uploader.sign(unsigned.read_bytes(), reason="Ban hành", location="Hà Nội"))
    hidden = tmp_path / "chu-ky-vo-hinh.pdf"
    with pikepdf.open(signed) as pdf:
        for widget in pdf.pages[0].obj.Annots:
            del widget["/AP"]
            widget.T = pikepdf.String("Chữ ký của người gửi")
        pdf.save(hidden)

    ingested = hoso(tmp_path / "var", "ingest", str(hidden), "--json").stdout
    [manifest] = [json.loads(line) for line in ingested.splitlines()]
    [document] = manifest["documents"]
    assert document["status"] == "done", document
    archival = tmp_path / "var" / "store" / document["archival"]["key"]
    with pikepdf.open(archival) as pdf:
        ours = {str(f.T) for f in pdf.Root.AcroForm.Fields}
        widgets = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.get("/Subtype") == "/Widget"]
        assert {str(w.get("/T", w.get("/Parent", {}).get("/T", ""))) for w in widgets} <= ours, widgets
    listed = subprocess.run(["pdfsig", str(archival)], capture_output=True, text=True).stdout
    assert listed.count("Signature #") == 1 and "người gửi" not in listed, listed
