"""A worker process that dies (killed, out of memory) fails every step its pool held, those
running in the other workers too: each is run once more on a new pool, so a dossier read beside
the one whose worker died still ends done, and so does that one when its step did not kill the
worker itself. Real pool, real Tesseract, real store and index."""

from __future__ import annotations

import asyncio
import io
import os
import signal

import vnpages
import workers
from api.services import Services
from api.settings import Settings
from ingest.reception import DossierForm

DOSSIER = DossierForm(procedure_code="1.001234", agency_code="000.17.22.H56", applicant_id="001090012345")


def _page(line: str) -> bytes:
    """An A4 page of a dozen lines: a few seconds of Tesseract, time enough to be killed in."""
    buffer = io.BytesIO()
    vnpages.render_page([line, "Độc lập - Tự do - Hạnh phúc", "tại xã Hòa Bình, huyện Kim Sơn."] * 4,
                        dpi=300).save(buffer, "PNG", dpi=(300, 300))
    return buffer.getvalue()


def test_a_worker_killed_mid_page_fails_neither_its_dossier_nor_the_one_beside_it(tmp_path):
    services = Services.open(Settings(data_dir=tmp_path, workers=2))
    pipeline = services.pipeline()
    pipeline.start()
    staged = [services.reception.stage("trang.png", io.BytesIO(_page(line)))
              for line in ("Giấy xác nhận cư trú của ông Nguyễn Văn Bình", "Đơn đề nghị cấp bản sao của bà Trần Thị Hoa")]

    async def run():
        tasks = [pipeline.submit(services.reception.receive(DOSSIER, [s])) for s in staged]
        # Both dossiers are with the pool (the other one's page read beside it, or waiting): the
        # pool fails both steps when the worker dies.
        reading = (await workers.reading())[0]
        os.kill(reading, signal.SIGKILL)
        return await asyncio.gather(*tasks)

    try:
        dossiers = asyncio.run(run())
    finally:
        asyncio.run(pipeline.close())
        services.close()
    assert [d.documents[0].status for d in dossiers] == ["done", "done"], [d.documents[0].reason for d in dossiers]
    assert "Nguyễn Văn Bình" in dossiers[0].documents[0].text and "Trần Thị Hoa" in dossiers[1].documents[0].text
