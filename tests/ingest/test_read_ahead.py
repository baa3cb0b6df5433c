"""A page read while its dossier was being received is taken by the accepted document with the
same bytes, never by another; a refused upload leaves nothing of it; a worker that dies reading
ahead costs the accepted dossier nothing; a busy worker is not given a guess. Real pool, real
Tesseract, real store and index, and for the refusal a real server."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import time
from pathlib import Path

import pikepdf

import vnpages
import workers
from api.services import Services
from api.settings import Settings
from harness import Server, post
from ingest import worker
from ingest.reception import DossierForm, StagedFile

LINES = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
         "Giấy xác nhận cư trú của ông Nguyễn Văn Bình", "tại xã Hòa Bình, huyện Kim Sơn."]
DOSSIER = DossierForm(procedure_code="1.001234", agency_code="000.17.22.H56", applicant_id="001090012345")
TICKS = os.sysconf("SC_CLK_TCK")


def _page(compress_level: int) -> bytes:
    """The same pixels in other bytes for another compress level."""
    buffer = io.BytesIO()
    vnpages.render_page(LINES * 2, dpi=300, width_in=8.27, height_in=5.0).save(
        buffer, "PNG", dpi=(300, 300), compress_level=compress_level)
    return buffer.getvalue()


def _pdf(pages: int) -> bytes:
    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        for _ in range(pages):
            pdf.add_blank_page()
        pdf.save(buffer)
    return buffer.getvalue()


def _stage(services: Services, data: bytes) -> StagedFile:
    return services.reception.stage("trang.png", io.BytesIO(data))


def _tesseract_cpu(pid: int) -> float:
    """CPU seconds of the children a process has reaped: a worker's Tesseract runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / TICKS  # cutime, cstime


def _guesses(work_dir: Path) -> list[Path]:
    return [d for root in work_dir.glob("ahead-*") for d in root.iterdir()]


def _pipeline(tmp_path: Path):
    services = Services.open(Settings(data_dir=tmp_path, workers=1))
    pipeline = services.pipeline()
    pipeline.start()
    return services, pipeline


def test_a_page_read_ahead_is_taken_for_the_same_bytes_only(tmp_path):
    services, pipeline = _pipeline(tmp_path)
    first, same_pixels = _stage(services, _page(6)), _stage(services, _page(1))
    assert first.sha256 != same_pixels.sha256

    async def run():
        loop = asyncio.get_running_loop()
        pipeline.read_ahead(first.sha256, first.path)
        worker = await loop.run_in_executor(pipeline._pool, os.getpid)  # one worker: after the guess
        before = _tesseract_cpu(worker)
        ahead = await pipeline.process(services.reception.receive(DOSSIER, [first]))
        taken = _tesseract_cpu(worker) - before

        again = _stage(services, _page(6))  # the first page's bytes, read ahead again
        pipeline.read_ahead(again.sha256, again.path)
        await loop.run_in_executor(pipeline._pool, os.getpid)
        before = _tesseract_cpu(worker)
        other = await pipeline.process(services.reception.receive(DOSSIER, [same_pixels]))
        return ahead, taken, other, _tesseract_cpu(worker) - before

    try:
        ahead, taken, other, read = asyncio.run(run())
        assert [g.name.split(".")[0] for g in _guesses(tmp_path / "work")] == [first.sha256]  # not taken by other bytes
    finally:
        asyncio.run(pipeline.close())
        services.close()
    assert taken < 0.1 and read > 0.25, (taken, read)  # no Tesseract run for the guess taken; the other read
    document, again = ahead.documents[0], other.documents[0]
    assert document.status == again.status == "done"
    assert "xác nhận cư trú" in document.text
    assert document.model_dump(include={"pages", "doc_type", "fields"}) == \
        again.model_dump(include={"pages", "doc_type", "fields"})
    assert _guesses(tmp_path / "work") == []  # the pipeline's close forgets what was not taken


def test_a_worker_dying_while_it_reads_ahead_costs_the_accepted_dossier_nothing(tmp_path):
    services, pipeline = _pipeline(tmp_path)
    staged = _stage(services, _page(6))

    async def run():
        pipeline.read_ahead(staged.sha256, staged.path)
        [reading] = await workers.reading()
        os.kill(reading, signal.SIGKILL)
        while Path(f"/proc/{reading}").exists():  # reaped once the pool knows it is broken
            await asyncio.sleep(0.01)
        return await pipeline.process(services.reception.receive(DOSSIER, [staged]))

    try:
        dossier = asyncio.run(run())
    finally:
        asyncio.run(pipeline.close())
        services.close()
    assert dossier.documents[0].status == "done", dossier.documents[0].reason
    assert "xác nhận cư trú" in dossier.documents[0].text


def test_a_busy_worker_is_given_no_guess_nor_an_idle_one_a_pdf(tmp_path):
    services, pipeline = _pipeline(tmp_path)
    accepted, uploaded = _stage(services, _page(6)), _stage(services, _page(1))
    pdf = _stage(services, _pdf(pages=2))

    async def run():
        task = pipeline.submit(services.reception.receive(DOSSIER, [accepted]))
        await workers.reading()
        pipeline.read_ahead(uploaded.sha256, uploaded.path)
        busy = _guesses(tmp_path / "work")
        await task
        pipeline.read_ahead(pdf.sha256, pdf.path)  # its pages would all be inspected first
        pipeline.read_ahead(uploaded.sha256, uploaded.path)
        return busy, _guesses(tmp_path / "work")

    try:
        busy, idle = asyncio.run(run())
    finally:
        asyncio.run(pipeline.close())
        services.close()
    assert busy == [] and [g.name.split(".")[0] for g in idle] == [uploaded.sha256]


def test_a_refused_upload_leaves_no_page_read_ahead(tmp_path):
    server = Server(tmp_path, {"HOSO_WORKERS": "1"}).start()
    try:
        with server.client() as client:
            root = next((tmp_path / "work").glob("ahead-*"))
            before = root.stat().st_mtime_ns
            response = post(client, [("tot.png", _page(6), "image/png"),
                                     ("ghi-chu.png", b"this is plain text, not a picture\n", "image/png")])
            assert response.status_code == 415, response.text
            deadline = time.monotonic() + 30
            while _guesses(tmp_path / "work") and time.monotonic() < deadline:  # a guess reading ends first
                time.sleep(0.1)
            assert _guesses(tmp_path / "work") == []
            assert root.stat().st_mtime_ns != before  # a guess was made, and forgotten
            assert list((tmp_path / "store").rglob("original.*")) == []
            assert client.get("/healthz").status_code == 200
    finally:
        server.stop()


def test_a_worker_yields_the_core_to_the_server_receiving_a_dossier(tmp_path):
    """The reception's work before the 202 runs beside the workers reading its pages ahead: on a
    busy core the server goes first."""
    services, pipeline = _pipeline(tmp_path)

    async def worker_niceness():
        pid = await asyncio.get_running_loop().run_in_executor(pipeline._pool, os.getpid)
        return os.getpriority(os.PRIO_PROCESS, pid)

    try:
        niceness = asyncio.run(worker_niceness())
    finally:
        asyncio.run(pipeline.close())
        services.close()
    assert niceness == os.getpriority(os.PRIO_PROCESS, 0) + worker.NICENESS
