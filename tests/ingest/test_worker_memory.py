"""A worker process reads its next page in the memory the last one freed, instead of asking the
kernel for it again (a page fault per 4 KiB): real pool, real worker step, real Tesseract."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

import ocr
from ingest import worker
from repository.model import ObjectRef
from repository.options import StoreOptions
from repository.signing import SigningOptions


def _minor_faults(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[7])  # minflt


def test_a_worker_reads_its_next_page_without_fresh_memory_from_the_kernel(tmp_path: Path):
    rng = np.random.default_rng(3)
    page = Image.new("RGB", (2481, 3508), (250, 248, 244))  # A4 at 300 dpi: 26 MB of pixels
    draw, face = ImageDraw.Draw(page), ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 50)
    for y in range(300, 1500, 120):
        draw.text((250, y), "Cộng hòa xã hội chủ nghĩa Việt Nam", fill=(20, 20, 20), font=face)
    pixels = np.asarray(page, np.int16) + rng.normal(0, 6, (3508, 2481, 1)).astype(np.int16)
    job = worker.DocumentJob("000.17.22.H56-261207-0001", "01JEXAMPLE0000000000000000", "page.png",
                             "image/png", "000.17.22.H56", ObjectRef(key="unused", sha256="0" * 64, size=1))
    config = worker.WorkerConfig(store_url=f"file://{tmp_path / 'store'}", store=StoreOptions(),
                                 work_dir=tmp_path / "work", keys_dir=tmp_path / "keys", ocr=ocr.OcrOptions(),
                                 signing=SigningOptions())
    (config.work_dir / job.document_id).mkdir(parents=True)
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(config.work_dir / job.document_id / "original.png",
                                                                   dpi=(300, 300))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=worker.initialise,
                             initargs=(config, os.getpid())) as pool:
        first = pool.submit(worker.read_page, job, ocr.SourcePage(0, scanned=True)).result(120)
        pid = pool.submit(os.getpid).result(30)  # the pool's one worker
        before = _minor_faults(pid)
        again = pool.submit(worker.read_page, job, ocr.SourcePage(0, scanned=True)).result(120)
        faults = _minor_faults(pid) - before
    assert "Cộng hòa" in first.text and again.text == first.text
    # The page's arrays alone are some 10 000 pages of 4 KiB (its RGB pixels 6 400): without
    # the heap keeping them, the second reading faulted some 25 000 times here.
    assert faults < 1500, faults
