"""A full disk: uploads and reads are answered 507 in HoSo's JSON with Retry-After, a document
that ran out of space while being read is finished by itself once there is room, and documents
that failed are reported by fsck and read again on request."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

import vnpages
from harness import HOSO, Server, png_bytes, post, wait_done

BAD_LANGUAGE = {"HOSO_OCR__LANGUAGE": "khongco"}  # Tesseract fails: a document fails on HoSo's side


@pytest.fixture
def small_disk(tmp_path):
    """A real 32 MiB file system (tmpfs) for the object store, which the test fills up."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"a tmpfs is required in CI: {mounted.stderr}")
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk) -> None:
    with open(disk / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 2**20)
                f.flush()
        except OSError:
            pass  # full


def page(text: str) -> list[tuple[str, bytes, str]]:
    return [("trang.png", png_bytes(vnpages.render_page([text] + vnpages.PROSE[:4], dpi=150)), "image/png")]


def test_a_full_store_answers_507_and_the_work_resumes(small_disk, tmp_path):
    server = Server(tmp_path / "data", {"HOSO_STORE": f"file://{small_disk}/store", "HOSO_WORKERS": "1",
                                        "HOSO_RESCAN_SECONDS": "1"}).start()
    try:
        with server.client() as client:
            first = post(client, page("Hồ sơ thứ nhất.")).json()["dossier_code"]
            assert wait_done(client, first)["status"] == "done"
            second = post(client, page("Hồ sơ thứ hai.")).json()["dossier_code"]
            fill(small_disk)  # while the second is being read
            stored = set(os.listdir(small_disk / "store" / "dossiers"))

            refused = post(client, page("Hồ sơ thứ ba."))
            assert refused.status_code == 507, refused.text
            assert refused.json()["error"] == "storage_full" and int(refused.headers["Retry-After"]) > 0
            read = client.get(f"/v1/dossiers/{first}")  # its audit entry cannot be written: no read
            assert read.status_code == 507 and read.headers["content-type"] == "application/json", read.text
            assert set(os.listdir(small_disk / "store" / "dossiers")) == stored
            time.sleep(4)
            waiting = client.get(f"/v1/dossiers/{second}/status").json()
            assert waiting["status"] != "failed", waiting  # it waits for room, it has not failed

            (small_disk / "filler").unlink()
            assert wait_done(client, second, timeout=120)["status"] == "done"
            assert post(client, page("Hồ sơ thứ ba.")).status_code == 202
            assert client.get(f"/v1/dossiers/{first}").status_code == 200
    finally:
        server.stop()
    assert server.hoso("audit", "verify", check=False).returncode == 0


def test_failed_documents_are_reported_and_read_again(tmp_path):
    data = tmp_path / "data"
    files = []
    for n in (1, 2):
        files.append(tmp_path / f"trang-{n}.png")
        vnpages.save(vnpages.render_page([f"Trang {n}."] + vnpages.PROSE[:3], dpi=150), files[-1])
    server = Server(data, {"HOSO_WORKERS": "1"})
    result = subprocess.run([str(HOSO), "ingest", *map(str, files), "--json"], env={**server.env, **BAD_LANGUAGE},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    dossier = json.loads(result.stdout)
    code, (one, two) = dossier["dossier_code"], (d["id"] for d in dossier["documents"])
    assert {d["status"] for d in dossier["documents"]} == {"failed"}

    checked = server.hoso("fsck", check=False)
    assert checked.returncode == 1 and checked.stdout.count("hoso reprocess") == 2, checked.stdout

    server.start()
    try:
        with server.client() as admin:
            again = admin.post(f"/v1/dossiers/{code}/documents/{one}/reprocess")
            assert again.status_code == 202 and again.json()["status"] == "received", again.text
            deadline = time.monotonic() + 120
            while admin.get(f"/v1/dossiers/{code}/status").json()["documents"][0]["status"] != "done":
                assert time.monotonic() < deadline
                time.sleep(0.5)
            refused = admin.post(f"/v1/dossiers/{code}/documents/{one}/reprocess")
            assert refused.status_code == 409 and refused.json()["error"] == "not_failed"
    finally:
        server.stop()
    reprocessed = server.hoso("reprocess", "--failed", check=False)
    assert reprocessed.returncode == 0 and f"{code}/{two}: done" in reprocessed.stdout, reprocessed.stderr
    assert server.hoso("fsck", check=False).returncode == 0
