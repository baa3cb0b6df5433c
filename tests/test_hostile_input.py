"""Hostile input (issue 8, items 5 and 6): decompression bombs, mutated PDFs, active content,
lying file names, oversize streams and a crowd of uploads. Each refusal is a 4xx JSON error that
keeps nothing; everything accepted is stored as sent; the server keeps serving throughout.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import multiprocessing
import random
import re
import resource
import select
import socket
import struct
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pikepdf
import pytest
from fpdf import FPDF
from pikepdf import Array, Dictionary, Name, String

import ocr
import vnpages
from harness import FORM, Server, png_bytes, post, wait_done
from ocr.sources import load_page

MAX_FILE = 2 * 2**20
MAX_REQUEST = 4 * 2**20
MUTANTS = 1000
MUTANT_SECONDS = 10  # for one file: far beyond what a real dossier PDF takes to check and read
MUTANTS_SECONDS = 240  # for all of them, on a busy two-core machine


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory) -> Server:
    server = Server(tmp_path_factory.mktemp("hoso-hostile"), {
        "HOSO_WORKERS": "2", "HOSO_MAX_FILE_BYTES": str(MAX_FILE), "HOSO_MAX_REQUEST_BYTES": str(MAX_REQUEST)})
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def hostile(hostile_server):
    with hostile_server.client() as client:
        yield client


# --- what a refusal must leave behind: nothing -------------------------------------------------

def _names(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()} if directory.exists() else set()


def snapshot(server: Server) -> dict[str, set[str]]:
    store = server.data_dir / "store"
    return {"dossiers": _names(store / "dossiers"), "codes": _names(store / "codes"),
            "pending": _names(store / "pending")}


def leftovers(server: Server) -> list[Path]:
    """The reception's scratch files. (The store's own temporary files belong to the workers'
    writes as well; the last test checks them, once every dossier is finished.)"""
    return list((server.data_dir / "staging").glob("*"))


def assert_refused(response: httpx.Response, server: Server, before: dict, status: int | None = None,
                   code: str | None = None) -> dict:
    assert 400 <= response.status_code < 500, response.text
    assert status is None or response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "detail"} and body["detail"], body
    assert code is None or body["error"] == code, body
    after = snapshot(server)  # earlier dossiers may finish meanwhile: nothing new is what counts
    assert all(after[kind] <= before[kind] for kind in before), "a refused dossier left something in the store"
    assert leftovers(server) == []
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    return body


def small_png(text: str, dpi: int = 150) -> bytes:
    """One short line of text: a page that is read in a fraction of a second."""
    return png_bytes(vnpages.render_page([text], dpi=dpi, width_in=6.5, height_in=2.0))


# --- decompression bombs -----------------------------------------------------------------------

def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A valid-looking PNG header for a huge RGB image, with one compressed row of data: a
    few hundred bytes that would decode to width × height × 3 bytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = zlib.compress(b"\0" + b"\xff" * 3 * min(width, 1000), 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", row) + _chunk(b"IEND", b"")


def tiff_with_pages(count: int, loop: bool = False) -> bytes:
    """A little-endian TIFF of `count` one-pixel pages sharing one byte of image data; with
    `loop`, the last page's "next page" offset points back at the first."""
    tags = [(256, 3, 1), (257, 3, 1), (258, 3, 1), (259, 3, 1), (262, 3, 1), (273, 4, 8), (278, 3, 1), (279, 4, 1)]
    size = 2 + 12 * len(tags) + 4
    pages = []
    for number in range(count):
        following = 10 + size * (number + 1) if number + 1 < count else (10 if loop else 0)
        entries = b"".join(struct.pack("<HHII", tag, kind, 1, value) for tag, kind, value in tags)
        pages.append(struct.pack("<H", len(tags)) + entries + struct.pack("<I", following))
    return b"II*\0" + struct.pack("<I", 10) + b"\0\0" + b"".join(pages)


def test_png_declaring_ten_billion_pixels_is_refused_from_its_header(hostile, hostile_server):
    bomb = png_declaring(100_000, 100_000)
    assert len(bomb) < 1000
    before = snapshot(hostile_server)
    started = time.monotonic()
    response = post(hostile, [("tot.png", small_png("Trang tốt."), "image/png"), ("bom.png", bomb, "image/png")])
    assert time.monotonic() - started < 20  # refused from the header, never decoded
    body = assert_refused(response, hostile_server, before, 413, "input_too_large")
    assert "bom.png" in body["detail"]


def test_tiff_with_thousands_of_pages_is_refused(hostile, hostile_server):
    tiff = tiff_with_pages(5000)
    assert len(tiff) < MAX_FILE and ocr.OcrOptions().max_pages < 5000
    before = snapshot(hostile_server)
    response = post(hostile, [("nhieu-trang.tiff", tiff, "image/tiff")])
    body = assert_refused(response, hostile_server, before, 413, "input_too_large")
    assert "pages" in body["detail"]


def test_tiff_whose_pages_loop_is_refused_or_read_once(hostile, hostile_server):
    """The last page's 'next page' offset points back at the first: a reader that trusts the
    chain never ends."""
    before = snapshot(hostile_server)
    response = post(hostile, [("vong.tiff", tiff_with_pages(3, loop=True), "image/tiff")])
    if response.status_code == 202:
        assert len(response.json()["documents"]) == 1
    else:
        assert_refused(response, hostile_server, before)


# --- mutated PDFs ------------------------------------------------------------------------------

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
TEXT = ["QUYẾT ĐỊNH về việc tiếp nhận hồ sơ điện tử", "Số: 684/QĐ-UBND, ngày 02 tháng 01 năm 2026"]


def born_digital_pdf(lines: list[str] = TEXT, pages: int = 2) -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(FIXED)
    pdf.add_font("DejaVu", fname=str(vnpages.FONTS["sans"]))
    pdf.set_font("DejaVu", size=14)
    for number in range(pages):
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 10, f"{line} — trang {number + 1}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _save(pdf: pikepdf.Pdf, **kwargs) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True, **kwargs)
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """One page holding only a JPEG scan, saved with object and cross-reference streams."""
    scan = io.BytesIO()
    vnpages.render_page(["Trang quét."], dpi=72, width_in=3, height_in=2).convert("L").save(scan, "JPEG")
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(216, 144))
        page = pdf.pages[0]
        image = pikepdf.Stream(pdf, scan.getvalue(), Type=Name.XObject, Subtype=Name.Image, Width=216, Height=144,
                               ColorSpace=Name.DeviceGray, BitsPerComponent=8, Filter=Name.DCTDecode)
        page.add_resource(image, Name.XObject, Name.Im0)
        page.obj.Contents = pdf.make_stream(b"q 216 0 0 144 0 0 cm /Im0 Do Q")
        return _save(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def with_javascript(data: bytes) -> bytes:
    """An /OpenAction script, a page /AA script and a link whose action is a script."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.Root.OpenAction = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("app.alert('mở');")))
        page = pdf.pages[0].obj
        page.AA = Dictionary(O=Dictionary(S=Name.JavaScript, JS=String("this.submitForm('http://x/');")))
        link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 100, 20], Border=[0, 0, 0],
                          A=Dictionary(S=Name.JavaScript, JS=String("app.launchURL('http://x/');")))
        page.Annots = pdf.make_indirect(Array([pdf.make_indirect(link)]))
        return _save(pdf)


def with_embedded_files(data: bytes) -> bytes:
    """A document-level attachment (/EmbeddedFiles) and a file attachment annotation."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\0 not a program", filename="payload.exe")
        spec = pikepdf.AttachedFileSpec(pdf, b"ghi chu", filename="ghi-chu.txt")
        note = Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[10, 10, 30, 30], FS=spec.obj,
                          Contents=String("tệp đính kèm"))
        pdf.pages[-1].obj.Annots = Array([pdf.make_indirect(note)])
        return _save(pdf)


OBJECT = re.compile(rb"\d+ \d+ obj\b.*?endobj", re.S)


def mutate(data: bytes, rnd: random.Random) -> tuple[str, bytes]:
    """One kind of damage, as disks, networks, buggy producers and attackers do it."""
    kind = rnd.choice(["truncate", "flip", "xref", "delete", "duplicate", "numbers", "splice", "lengths"])
    objects = list(OBJECT.finditer(data))
    if kind == "truncate":
        return kind, data[:rnd.randrange(1, len(data))]
    if kind == "flip":
        damaged = bytearray(data)
        for _ in range(rnd.randint(1, 20)):
            damaged[rnd.randrange(len(damaged))] ^= 1 << rnd.randrange(8)
        return kind, bytes(damaged)
    if kind == "xref":
        start = data.rfind(b"startxref")
        how = rnd.randrange(4)
        if how == 0:  # points anywhere
            return kind, data[:start] + b"startxref\n%d\n%%%%EOF\n" % rnd.randrange(10**9)
        if how == 1:  # gone
            return kind, data[:start]
        if how == 2:  # table rows point anywhere
            return kind, re.sub(rb"\d{10} \d{5} n", lambda m: b"%010d 00000 n" % rnd.randrange(len(data) * 2), data)
        xref = max(data.rfind(b"xref"), 0)  # the table or stream overwritten with noise
        return kind, data[:xref] + rnd.randbytes(rnd.randint(1, 80)) + data[xref + 80:]
    if kind == "delete" and objects:
        gone = rnd.choice(objects)
        return kind, data[:gone.start()] + data[gone.end():]
    if kind == "duplicate" and objects:
        copy, at = rnd.choice(objects), rnd.randrange(len(data))
        return kind, data[:at] + copy.group() + data[at:]
    if kind == "numbers":  # page counts, sizes and offsets that overflow or go negative
        odd = [0, -1, -2**31, 2**31, 2**63, 10**20, 99999999]
        return kind, re.sub(rb"(?<![\d.])\d+(?![\d.])", lambda m: str(rnd.choice(odd)).encode()
                            if rnd.random() < 0.08 else m.group(), data)
    if kind == "lengths":
        return kind, re.sub(rb"/Length \d+", lambda m: b"/Length %d" % rnd.randrange(10**7), data)
    at = rnd.randrange(len(data))
    return "splice", data[:at] + rnd.randbytes(rnd.randint(1, 200)) + data[at + rnd.randint(0, 200):]


@pytest.fixture(scope="module")
def mutants(tmp_path_factory) -> list[tuple[Path, str]]:
    directory = tmp_path_factory.mktemp("pdf-mutants")
    bases = [born_digital_pdf(), scanned_pdf(), with_embedded_files(with_javascript(born_digital_pdf(pages=1)))]
    rnd = random.Random(20261123)
    made = []
    for number in range(MUTANTS):
        kind, data = mutate(rnd.choice(bases), rnd)
        path = directory / f"{number:04d}-{kind}.pdf"
        path.write_bytes(data)
        made.append((path, kind))
    return made


def check_mutants(paths: list[str], journal: str) -> None:
    """In a child process: each file through the reception's check, and when accepted, through
    what the workers do with it (text of born-digital pages, rendering of the others). Writes
    a line before each file, so a hang or a crash names the file that caused it. Its memory is
    bounded, so that a file that would take all of the machine's fails here instead."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30 if hard == resource.RLIM_INFINITY else min(4 << 30, hard), hard))
    options, rendering = ocr.OcrOptions(), ocr.OcrOptions(render_dpi=24)
    with open(journal, "a", buffering=1) as out:
        for path in map(Path, paths):
            out.write(json.dumps({"start": path.name}) + "\n")
            started = time.monotonic()
            try:
                info = ocr.inspect(path, options)
            except ocr.OcrError as e:
                outcome = type(e).__name__
            except Exception as e:  # noqa: BLE001 - what the test is looking for
                outcome = f"UNHANDLED {type(e).__name__}: {e}"
            else:
                outcome = "accepted" + ("+flags" if info.flags else "")
                try:
                    for page in info.pages:
                        if page.scanned:
                            load_page(path, info.media_type, page.index, rendering)
                            continue
                        try:
                            ocr.read_page(path, info.media_type, page.index, False, options, path.parent)
                        except ocr.CorruptInput:  # pdfminer fails where qpdf and pdfium read: the
                            outcome = "accepted+text-refused"  # worker says so, the document fails
                except Exception as e:  # noqa: BLE001 - HoSo's own errors too: the gate promised pages
                    outcome = f"UNREADABLE {type(e).__name__}: {e}"
            out.write(json.dumps({"done": path.name, "outcome": outcome,
                                  "seconds": round(time.monotonic() - started, 3)}) + "\n")


def test_a_thousand_mutated_pdfs_are_read_or_refused_with_hosos_errors(mutants, tmp_path):
    journal = tmp_path / "journal.jsonl"
    child = multiprocessing.get_context("spawn").Process(
        target=check_mutants, args=([str(p) for p, _ in mutants], str(journal)))
    started = time.monotonic()
    child.start()
    child.join(MUTANTS_SECONDS)
    if child.is_alive():
        child.kill()
        child.join()
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    done = {line["done"]: line for line in lines if "done" in line}
    stuck = [line["start"] for line in lines if "start" in line and line["start"] not in done]
    assert not stuck, f"checking {stuck[0]} hung or crashed the process (exit code {child.exitcode})"
    assert child.exitcode == 0 and len(done) == MUTANTS, f"{len(done)} of {MUTANTS} checked in {MUTANTS_SECONDS} s"
    unhandled = {name: d["outcome"] for name, d in done.items() if d["outcome"].startswith("UNHANDLED")}
    assert not unhandled, unhandled
    unreadable = {name: d["outcome"] for name, d in done.items() if d["outcome"].startswith("UNREADABLE")}
    assert not unreadable, f"accepted at the reception, then not renderable by the workers: {unreadable}"
    slow = {name: d["seconds"] for name, d in done.items() if d["seconds"] > MUTANT_SECONDS}
    assert not slow, slow
    outcomes = [d["outcome"] for d in done.values()]
    assert {"accepted", "CorruptInput"} <= set(outcomes), "the mutations should both damage and spare"
    assert set(outcomes) <= {"accepted", "accepted+flags", "accepted+text-refused", "CorruptInput",
                             "UnsupportedMediaType", "InputTooLarge", "EncryptedPdf"}
    # The reception resolves with pdfminer what the text reading will touch, stream data aside;
    # what it misses (a damaged character map inside a stream) must stay rare.
    accepted = sum(o.startswith("accepted") for o in outcomes)
    assert outcomes.count("accepted+text-refused") <= accepted // 100
    print(f"{len(done)} mutants in {time.monotonic() - started:.1f} s:",
          {o: outcomes.count(o) for o in sorted(set(outcomes))})


def test_mutated_pdfs_through_the_api(hostile, hostile_server, mutants):
    sample = random.Random(8).sample(mutants, 30)
    accepted = []
    for path, kind in sample:
        before = snapshot(hostile_server)
        response = post(hostile, [(path.name, path.read_bytes(), "application/pdf")])
        if response.status_code == 202:
            accepted.append((path, response.json()))
        else:
            assert_refused(response, hostile_server, before)
    assert accepted, "some mutants should be readable"
    for path, dossier in accepted:  # what the gate let through, the workers read and sign
        finished = wait_done(hostile, dossier["dossier_code"], timeout=120)
        reason = finished["documents"][0]["reason"] or ""
        assert finished["status"] == "done" or reason.startswith("the text of page"), (path.name, reason)
    assert hostile.get("/healthz").status_code == 200


def pdf_with_stream_bomb() -> bytes:
    """A page whose content stream is a megabyte of Flate that inflates to a gibibyte of spaces
    (valid page content: nothing to draw)."""
    deflater, spaces = zlib.compressobj(9), b" " * (1 << 20)
    bomb = b"".join(deflater.compress(spaces) for _ in range(1024)) + deflater.flush()
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        contents = pikepdf.Stream(pdf, b"")
        contents.write(bomb, filter=Name.FlateDecode)  # already compressed: stored as it is
        pdf.pages[0].obj.Contents = contents
        return _save(pdf, stream_decode_level=pikepdf.StreamDecodeLevel.none)


def pdf_with_image_declaring(width: int, height: int) -> bytes:
    """A page drawing an image that declares width × height grey pixels and holds one row."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[0]
        image = pikepdf.Stream(pdf, b"")
        image.write(zlib.compress(b"\xff" * 1000), filter=Name.FlateDecode)
        image.Type, image.Subtype, image.Width, image.Height = Name.XObject, Name.Image, width, height
        image.ColorSpace, image.BitsPerComponent = Name.DeviceGray, 8
        page.add_resource(image, Name.XObject, Name.Im0)
        page.obj.Contents = pdf.make_stream(b"q 500 0 0 700 50 50 cm /Im0 Do Q")
        return _save(pdf, stream_decode_level=pikepdf.StreamDecodeLevel.none)


@pytest.mark.parametrize("make, name", [(pdf_with_stream_bomb, "bom-luong.pdf"),
                                        (lambda: pdf_with_image_declaring(100_000, 100_000), "bom-anh.pdf")])
def test_pdf_decompression_bombs_are_refused_at_reception(hostile, hostile_server, make, name):
    bomb = make()
    assert len(bomb) < MAX_FILE
    before = snapshot(hostile_server)
    started = time.monotonic()
    response = post(hostile, [("tot.png", small_png("Trang tốt."), "image/png"), (name, bomb, "application/pdf")])
    assert time.monotonic() - started < 30  # refused while inflating at most the limit, never drawn
    body = assert_refused(response, hostile_server, before, 413, "input_too_large")
    assert name in body["detail"]


# --- encrypted and active PDFs -----------------------------------------------------------------

def test_encrypted_pdf_asks_for_the_unencrypted_file(hostile, hostile_server):
    locked = io.BytesIO()
    with pikepdf.open(io.BytesIO(born_digital_pdf())) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="mật khẩu", owner="chủ"))
    locked = locked.getvalue()
    before = snapshot(hostile_server)
    body = assert_refused(post(hostile, [("khoa.pdf", locked, "application/pdf")]), hostile_server, before,
                          422, "encrypted_pdf")
    assert "unencrypted" in body["detail"] and "không mã hóa" in body["detail"]


def test_a_pdf_locked_by_its_owner_only_is_read_and_kept_as_sent(hostile):
    """Anyone may open it (its user password is empty); its owner password only restricts
    printing or copying. It is read like any PDF and kept byte for byte."""
    locked = io.BytesIO()
    with pikepdf.open(io.BytesIO(born_digital_pdf(pages=1))) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="", owner="chủ", allow=pikepdf.Permissions(extract=False)))
    locked = locked.getvalue()
    response = post(hostile, [("chi-xem.pdf", locked, "application/pdf")])
    assert response.status_code == 202, response.text
    dossier = wait_done(hostile, response.json()["dossier_code"])
    document = dossier["documents"][0]
    assert dossier["status"] == "done", document["reason"]
    assert [p["source"] for p in document["pages"]] == ["text-layer"] and "684" in document["text"]
    assert hostile.get(document["links"]["original"]).content == locked
    with pikepdf.open(io.BytesIO(hostile.get(document["links"]["archival"]).content)) as archival:
        assert not archival.is_encrypted


ACTIVE = {"/JS", "/JavaScript", "/AA", "/OpenAction", "/EmbeddedFiles", "/EmbeddedFile", "/EF",
          "/FileAttachment", "/Launch"}


def active_names(data: bytes) -> set[str]:
    """Every key or name in the PDF that makes it act or carry files (independent of HoSo)."""
    found = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            stack = [obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj]
            while stack:
                item = stack.pop()
                if isinstance(item, pikepdf.Dictionary):
                    found |= set(item.keys()) & ACTIVE
                    stack.extend(v for v in item.values() if not getattr(v, "is_indirect", True))
                    found |= {str(v) for v in item.values() if isinstance(v, Name) and str(v) in ACTIVE}
                elif isinstance(item, pikepdf.Array):
                    stack.extend(v for v in item if not getattr(v, "is_indirect", True))
    return found


@pytest.mark.parametrize("make,flags", [
    pytest.param(with_javascript, ["javascript"], id="javascript"),
    pytest.param(with_embedded_files, ["embedded_files"], id="embedded-files"),
    pytest.param(lambda d: with_embedded_files(with_javascript(d)), ["embedded_files", "javascript"], id="both"),
])
def test_active_pdf_is_kept_as_sent_flagged_and_not_copied(hostile, hostile_server, make, flags):
    original = make(born_digital_pdf(pages=1))
    assert active_names(original)
    response = post(hostile, [("dong.pdf", original, "application/pdf")])
    assert response.status_code == 202, response.text
    assert response.json()["documents"][0]["flags"] == flags
    code = response.json()["dossier_code"]
    dossier = wait_done(hostile, code)
    document = dossier["documents"][0]
    assert dossier["status"] == "done", document["reason"]
    assert document["flags"] == flags  # shown by GET /v1/dossiers/{code}
    manifest = json.loads((hostile_server.data_dir / "store" / "dossiers" / code / "manifest.json").read_text())
    assert manifest["documents"][0]["flags"] == flags  # and kept in the record itself
    kept = hostile.get(document["links"]["original"])
    assert kept.status_code == 200 and kept.content == original  # byte for byte
    archival = hostile.get(document["links"]["archival"]).content
    assert active_names(archival) == set(), "the archival copy must not carry scripts or attachments"
    # rebuilt from the rendered page (OCR), so nothing of the original's objects comes along
    assert [p["source"] for p in document["pages"]] == ["ocr"]
    assert "684" in document["text"]


def test_plain_born_digital_pdf_has_no_flags_and_keeps_its_text_layer(hostile):
    response = post(hostile, [("quyet-dinh.pdf", born_digital_pdf(pages=1), "application/pdf")])
    assert response.status_code == 202, response.text
    document = wait_done(hostile, response.json()["dossier_code"])["documents"][0]
    assert document["flags"] == [] and [p["source"] for p in document["pages"]] == ["text-layer"]


# --- file names --------------------------------------------------------------------------------

HOSTILE_NAMES = [
    "../../etc/passwd.png", "/etc/passwd.png", "..\\..\\Windows\\win.ini.png", "C:\\Windows\\hoso.png",
    "....//....//thoat.png", "a\x00b.png", "\x1b[31mdo\x07.png", "dong\r\nX-Injected: 1.png",
    "\u202egnp.exe", "..", "." * 300, "x" * 5000 + ".png", "trang một.png",
]


def multipart(files: list[tuple[bytes, bytes]], form: dict[str, str]) -> tuple[bytes, str]:
    """A multipart body with file names as raw bytes, exactly as a hostile client sends them."""
    boundary = "hoso-boundary-7d3f"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in form.items()]
    for name, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="'.encode() + name
                     + b'"\r\nContent-Type: image/png\r\n\r\n' + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_hostile_file_names_are_never_used_as_paths(hostile, hostile_server):
    root = hostile_server.data_dir.parent  # the test's temporary tree, around the server's data
    pages = {name: small_png(f"Tên tệp {number}.") for number, name in enumerate(HOSTILE_NAMES)}
    for name, data in pages.items():
        before = snapshot(hostile_server)
        body, content_type = multipart([(name.encode("utf-8", "surrogateescape"), data)], FORM)
        response = hostile.post("/v1/dossiers", content=body, headers={"Content-Type": content_type})
        if response.status_code != 202:
            assert_refused(response, hostile_server, before)
            continue
        document = response.json()["documents"][0]
        shown = document["filename"]
        assert shown and len(shown) <= 200 and not shown.startswith(".")
        assert not set(shown) & {"/", "\\", "\0"} and all(c.isprintable() for c in shown), repr(shown)
        download = hostile.get(document["links"]["original"])
        assert download.content == data and "\n" not in download.headers["content-disposition"]
        assert "x-injected" not in download.headers
    assert not Path("/etc/passwd.png").exists() and not Path("/etc/hoso.png").exists()
    # Every copy of the uploaded bytes is a stored original, or a worker's copy of it, in paths
    # that HoSo named by document id, or a page read ahead of its 202, named by its SHA-256
    # (ingest/readahead.py).
    digests = {hashlib.sha256(d).hexdigest() for d in pages.values()}
    named = re.compile(r"(store/dossiers/[^/]+/documents|work)/[0-9A-Z]{26}/original\.png"
                       r"|work/ahead-\d+-[a-z0-9_]+/[0-9a-f]{64}\.\d+/original")
    copies = []
    for path in root.rglob("*"):
        try:
            if path.is_file() and path.stat().st_size < MAX_FILE and hashlib.sha256(path.read_bytes()).hexdigest() in digests:
                copies.append(path)
        except FileNotFoundError:  # a worker's copy, gone when it finished
            pass
    outside = [p for p in copies if not p.is_relative_to(hostile_server.data_dir)
               or not named.fullmatch(str(p.relative_to(hostile_server.data_dir)))]
    assert copies and not outside, outside
    assert leftovers(hostile_server) == []


# --- size limits -------------------------------------------------------------------------------

def test_chunked_request_over_the_limit_is_cut_off_while_streaming(hostile_server):
    """No Content-Length: the server cannot refuse from the headers, so it must count."""
    before = snapshot(hostile_server)
    boundary = "b0undary"
    head = (f"POST /v1/dossiers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {hostile_server.key}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nTransfer-Encoding: chunked\r\n\r\n")
    prelude = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="lon.png"\r\n'
               "Content-Type: image/png\r\n\r\n").encode() + b"\x89PNG\r\n\x1a\n"
    chunk = b"\0" * 2**16
    sent, answer = 0, b""
    with socket.create_connection(("127.0.0.1", hostile_server.port), timeout=30) as sock:
        sock.sendall(head.encode() + b"%x\r\n%s\r\n" % (len(prelude), prelude))
        try:
            while sent < 4 * MAX_REQUEST and not select.select([sock], [], [], 0)[0]:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                time.sleep(0.002)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: its answer is waiting
        deadline = time.monotonic() + 30
        while not answer.endswith(b"}") and time.monotonic() < deadline:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            answer += data
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b'"error":"request_too_large"' in answer
    assert sent < MAX_REQUEST + 2 * 2**20, f"the server read {sent} bytes before it answered"
    after = snapshot(hostile_server)
    assert all(after[kind] <= before[kind] for kind in before) and leftovers(hostile_server) == []
    assert httpx.get(f"{hostile_server.url}/healthz", timeout=10).status_code == 200


def test_chunked_request_under_the_limit_is_received(hostile):
    body, content_type = multipart([(b"trang.png", small_png("Gửi từng đoạn."))], FORM)
    chunks = (body[i:i + 1000] for i in range(0, len(body), 1000))  # a generator: sent chunked
    response = hostile.post("/v1/dossiers", content=chunks, headers={"Content-Type": content_type})
    assert response.status_code == 202, response.text


def test_one_file_over_the_file_limit_in_a_request_under_the_request_limit(hostile, hostile_server):
    before = snapshot(hostile_server)
    large = b"\x89PNG\r\n\x1a\n" + b"\0" * (MAX_FILE + 2**19)
    assert len(large) < MAX_REQUEST - 2**18
    response = post(hostile, [("tot.png", small_png("Tệp nhỏ."), "image/png"), ("lon.png", large, "image/png")])
    assert_refused(response, hostile_server, before, 413, "file_too_large")


# --- a crowd -----------------------------------------------------------------------------------

def test_a_hundred_concurrent_uploads(hostile_server):
    pages = [small_png(f"Hồ sơ số {1000 + n} tiếp nhận đồng thời.", dpi=100) for n in range(100)]

    async def upload(client: httpx.AsyncClient, number: int) -> httpx.Response:
        return await client.post("/v1/dossiers", data=FORM,
                                 files=[("files", (f"trang-{number}.png", pages[number], "image/png"))])

    async def crowd() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(base_url=hostile_server.url, limits=limits, timeout=120,
                                     headers={"Authorization": f"Bearer {hostile_server.key}"}) as client:
            return await asyncio.gather(*(upload(client, n) for n in range(100)))

    responses = asyncio.run(crowd())
    assert [r.status_code for r in responses] == [202] * 100, [r.text for r in responses if r.status_code != 202]
    codes = [r.json()["dossier_code"] for r in responses]
    assert len(set(codes)) == 100
    with hostile_server.client() as client:
        waiting, deadline = set(codes), time.monotonic() + 240
        while waiting and time.monotonic() < deadline:
            for code in sorted(waiting):
                dossier = client.get(f"/v1/dossiers/{code}").json()
                if dossier["status"] in ("done", "failed"):
                    assert dossier["status"] == "done", dossier["documents"][0]["reason"]
                    waiting.discard(code)
            time.sleep(1)
        assert not waiting, f"{len(waiting)} dossiers not finished"
        assert client.get("/healthz").status_code == 200
    assert not list((hostile_server.data_dir / "store" / ".tmp").glob("*"))
    assert leftovers(hostile_server) == []
