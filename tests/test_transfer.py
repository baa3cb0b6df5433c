"""Transfer packages: `hoso export` writes real dossiers as a BagIt bag with METS + PREMIS, the
`bagit` library and the official XML schemas accept it, `hoso import` reads it into a second
HoSo where the documents are found and verify, and a damaged package is refused whole."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import date, timedelta
from pathlib import Path

import bagit
import pytest
from lxml import etree

import vnpages
from harness import audit_entries, hoso, post, unique_line, wait_done
from repository.errors import PackageRefused
from repository.records import Records
from repository.store import open_store
from repository.transfer import NothingToExport, Selection, choose
from repository.transfer._bag import unpack

PREMIS = "{http://www.loc.gov/premis/v3}"


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A HoSo with two real dossiers (born-digital PDFs read, signed and indexed by `hoso ingest`)
    and its export of everything. Test time goes to starting `hoso` processes (seconds each on a
    loaded machine), so the checks that need no process of their own run in this one."""
    root = tmp_path_factory.mktemp("transfer")
    token, line = unique_line()
    for name, lines in (("thong-bao", ["THÔNG BÁO", line]), ("cong-van", ["CÔNG VĂN", "Về việc lưu trữ hồ sơ."])):
        (root / name).mkdir()
        vnpages.born_digital_pdf(root / name / f"{name}.pdf", lines)
    data = root / "A"
    result = hoso(data, "ingest", str(root / "thong-bao"), str(root / "cong-van"), "--json")
    manifests = [json.loads(x) for x in result.stdout.splitlines()]
    package = root / "all.tar"
    hoso(data, "export", "--out", str(package))
    return {"data": data, "manifests": manifests, "token": token, "package": package, "root": root}


def unpacked(package: Path, into: Path) -> Path:
    with tarfile.open(package) as tar:
        tar.extractall(into, filter="data")
    [bag] = into.iterdir()
    return bag


def repacked(bag: Path, package: Path) -> Path:
    with tarfile.open(package, "w") as tar:
        tar.add(bag, arcname=bag.name)
    return package


def test_the_package_is_a_valid_bag_whose_mets_and_premis_follow_the_schemas(source, xml_schemas, tmp_path):
    bag_dir = unpacked(source["package"], tmp_path)
    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # every checksum recomputed by the Library of Congress's own library
    assert bag.info["HoSo-Dossiers"] == "2" and bag.algorithms == ["sha256"]
    for manifest in source["manifests"]:
        code = manifest["dossier_code"]
        folder = bag_dir / "data" / "dossiers" / code
        assert json.loads((folder / "manifest.json").read_bytes())["dossier_code"] == code
        for document in manifest["documents"]:
            for name in ("original", "archival", "ocr"):
                ref = document[name]
                assert bag.entries[f"data/{ref['key']}"]["sha256"] == ref["sha256"]
            report = json.loads((folder / "documents" / document["id"] / "signature-report.json").read_bytes())
            assert report["valid"] and report["signatures"][0]["indication"] == "TOTAL-PASSED"
        xml = (folder / "mets.xml").read_bytes()
        assert xml_schemas.mets_problems(xml) == []  # METS 1.12, and the PREMIS 3.0 inside it
        mets = etree.fromstring(xml)
        containers = mets.findall(f".//{PREMIS}premis")
        assert len(containers) == 1 + len(manifest["documents"])
        assert all(xml_schemas.premis_problems(p) == [] for p in containers)
        digests = {e.text for e in mets.iter(f"{PREMIS}messageDigest")}
        assert {d["archival"]["sha256"] for d in manifest["documents"]} <= digests
        events = {e.text for e in mets.iter(f"{PREMIS}eventType")}
        assert {"ingestion", "digitization", "digital signature generation", "digital signature validation",
                "fixity check"} <= events
    exported = [e["target"] for e in audit_entries(source["data"]) if e["action"] == "dossier.export"]
    assert sorted(exported) == sorted(m["dossier_code"] for m in source["manifests"])  # each read audited


def test_dossiers_are_chosen_by_code_agency_days_and_document_type(source, tmp_path):
    records = Records(open_store(f"file://{source['data'] / 'store'}"))
    manifests = source["manifests"]
    codes = [m["dossier_code"] for m in manifests]
    agency = manifests[0]["agency_code"]

    def chosen(**conditions) -> set[str]:
        return {c.code for c in choose(records, Selection(**conditions))}

    today = date.today()  # Vietnam's day may be tomorrow in UTC: a range of three days holds it
    assert chosen(codes=(codes[0],)) == {codes[0]}
    assert chosen(agency_code=agency, received_from=today - timedelta(days=1),
                  received_to=today + timedelta(days=1)) == set(codes)
    kind = manifests[0]["documents"][0]["doc_type"]
    assert chosen(doc_type=kind) == {m["dossier_code"] for m in manifests if m["documents"][0]["doc_type"] == kind}
    for nothing in ({"agency_code": "999.99.99.Z99"}, {"received_from": today + timedelta(days=2)},
                    {"doc_type": "birth_certificate"}):
        with pytest.raises(NothingToExport):
            chosen(**nothing)
    refused = hoso(source["data"], "export", "--out", str(tmp_path / "none.tar"), "--agency", "999.99.99.Z99",
                   check=False)
    assert refused.returncode == 2 and "no finished dossier matches (agency=999.99.99.Z99)" in refused.stderr
    assert not list(tmp_path.glob("none.tar*"))


def test_import_into_a_second_hoso_where_documents_are_found_and_verify(source, tmp_path):
    target = tmp_path / "B"
    trust = {"HOSO_SIGNING__TRUST_ROOTS": json.dumps([str(source["data"] / "keys" / "dev-root.pem")])}
    hoso(target, "import", str(source["package"]), **trust)
    hits = json.loads(hoso(target, "search", source["token"], "--json", **trust).stdout)["hits"]
    assert [h["document_id"] for h in hits] == [source["manifests"][0]["documents"][0]["id"]]
    verified = [json.loads(x) for x in hoso(target, "verify", hits[0]["dossier_code"], "--json", **trust).stdout.splitlines()]
    assert [r["valid"] for r in verified] == [True]
    for manifest in source["manifests"]:
        for name in ("original", "archival", "ocr"):
            key = manifest["documents"][0][name]["key"]
            assert (target / "store" / key).read_bytes() == (source["data"] / "store" / key).read_bytes()
    report = json.loads(hoso(target, "fsck", "--json", **trust).stdout)
    assert report["ok"] and (report["dossiers"], report["indexed"]) == (2, 2), report["problems"]
    imported = [e["target"] for e in audit_entries(target) if e["action"] == "dossier.import"]
    assert sorted(imported) == sorted(m["dossier_code"] for m in source["manifests"])
    again = hoso(target, "import", str(source["package"]), check=False, **trust)
    assert again.returncode == 2 and "holds that dossier already" in again.stderr


@pytest.mark.parametrize("damage", ["changed byte", "missing file", "untrusted signer"])
def test_a_damaged_or_untrusted_package_is_refused_and_nothing_is_kept(source, tmp_path, damage):
    bag = unpacked(source["package"], tmp_path / "bag")
    document = source["manifests"][0]["documents"][0]
    trust = {"HOSO_SIGNING__TRUST_ROOTS": json.dumps([str(source["data"] / "keys" / "dev-root.pem")])}
    ocr = bag / "data" / document["ocr"]["key"]
    if damage == "changed byte":
        changed = bytearray(ocr.read_bytes())
        changed[len(changed) // 2] ^= 0x01
        ocr.write_bytes(bytes(changed))
        expected = "its SHA-256 is not the one manifest-sha256.txt records"
    elif damage == "missing file":
        ocr.unlink()
        expected = "listed in manifest-sha256.txt but missing from the package"
    else:
        trust, expected = {}, "its signature does not verify here"
    target = tmp_path / "C"
    result = hoso(target, "import", str(repacked(bag, tmp_path / "damaged.tar")), check=False, **trust)
    assert result.returncode == 2 and expected in result.stderr, result.stderr
    store = target / "store"
    assert not list(store.glob("dossiers/*")) and not list(store.glob("transfers/*"))


def test_admins_export_over_the_api_as_a_streamed_bag(server, client, xml_schemas, tmp_path):
    pdf = vnpages.born_digital_pdf(tmp_path / "qd.pdf", ["QUYẾT ĐỊNH", "Về việc chuyển hồ sơ vào lưu trữ lịch sử."])
    code = post(client, [("qd.pdf", pdf.read_bytes(), "application/pdf")]).json()["dossier_code"]
    wait_done(client, code)
    with client.stream("GET", "/v1/exports", params={"code": code}) as answer:
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/x-tar"
        with open(tmp_path / "api.tar", "wb") as f:
            for chunk in answer.iter_bytes():
                f.write(chunk)
    bag_dir = unpacked(tmp_path / "api.tar", tmp_path / "bag")
    bag = bagit.Bag(str(bag_dir))
    bag.validate()
    assert {Path(p).parts[2] for p in bag.payload_entries()} == {code}
    folder = bag_dir / "data" / "dossiers" / code
    actions = [json.loads(x)["action"] for x in (folder / "audit.jsonl").read_text().splitlines()]
    assert actions[0] == "dossier.receive" and "dossier.read" in actions  # the entries naming the dossier
    xml = (folder / "mets.xml").read_bytes()
    assert xml_schemas.mets_problems(xml) == []
    assert {"dossier.receive", "dossier.read"} <= {e.text for e in etree.fromstring(xml).iter(f"{PREMIS}eventType")}
    archivist = server.make_key("archivist")
    assert client.get("/v1/exports", params={"code": code}, headers=archivist).status_code == 403
    missing = client.get("/v1/exports", params={"agency_code": "999.99.99.Z99"})
    assert missing.status_code == 404 and missing.json()["error"] == "nothing_to_export"
    assert client.get("/v1/exports", params={"code": "../../etc"}).status_code == 422


@pytest.mark.parametrize("member", ["../outside.txt", "bag/../../outside.txt", "/etc/outside.txt", "link"])
def test_a_package_cannot_write_outside_its_folder(tmp_path, member):
    package = tmp_path / "evil.tar"
    with tarfile.open(package, "w") as tar:
        info = tarfile.TarInfo(member)
        if member == "link":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
        else:
            info.size = 4
            tar.addfile(info, io.BytesIO(b"evil"))
    (tmp_path / "work").mkdir()
    with pytest.raises(PackageRefused, match="not a plain file or folder"):
        unpack(package, tmp_path / "work")
    assert not (tmp_path / "outside.txt").exists() and not list((tmp_path / "work").iterdir())
