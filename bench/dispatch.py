"""Dispatch: the time from a dossier's 202 to a worker starting it, on the broker (Celery over
Redis) beside the store-polling design on the same run, and throughput with 1, 2 and 4 worker
processes on the broker. Real processes: redis-server, `hoso worker`, an embedded store.

The 202 is taken where the API answers it: the originals stored, the dossier marked pending,
and (on the broker) queued. "Started" is the document's `started_at`, written by the worker
when it begins the document. Dossiers are received one every `--spacing` seconds, so the
figure is the dispatch, not a backlog (a reading takes about 2 s of the spacing here).

    .venv/bin/python bench/dispatch.py [--dossiers 20] [--spacing 3] [--batch 16] [--scan 2]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
import vnpages  # noqa: E402
from harness import HOSO, png_bytes, unique_line  # noqa: E402
from services.redis import RedisServer  # noqa: E402

from api.services import Services  # noqa: E402
from api.settings import Settings  # noqa: E402
from ingest.queue import Priority, open_queue  # noqa: E402
from ingest.reception import DossierForm  # noqa: E402

FORM = DossierForm(procedure_code="1.001234", agency_code="000.17.22.H56", applicant_id="001090012345")


class Deployment:
    """One store and index, a receiving side in this process, and `hoso worker` processes."""

    def __init__(self, home: Path, broker: str | None) -> None:
        self.env = {**os.environ, "HOSO_DATA_DIR": str(home), "HOSO_WORKERS": "1"}
        if broker:
            self.env["HOSO_BROKER"] = broker
        self.settings = Settings(data_dir=home, broker=broker)
        self.services = Services.open(self.settings)
        self.queue = open_queue(broker, self.settings.queue) if broker else None
        self.worker: subprocess.Popen | None = None

    def start_worker(self, args: list[str]) -> None:
        log = open(Path(self.env["HOSO_DATA_DIR"]) / "worker.log", "ab")
        self.worker = subprocess.Popen([str(HOSO), "worker", *args], env=self.env, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)

    def receive(self, page: bytes) -> tuple[str, datetime]:
        staged = self.services.reception.stage("trang.png", io.BytesIO(page))
        dossier = self.services.reception.receive(FORM, [staged])
        if self.queue is not None:
            self.queue.enqueue(dossier.dossier_code, Priority.DESK)
        return dossier.dossier_code, datetime.now(timezone.utc)

    def finished(self, code: str, timeout: float = 600):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            [document] = self.services.records.load(code).documents
            if document.finished:
                return document
            time.sleep(0.1)
        raise SystemExit(f"{code} not finished after {timeout} s; see {self.env['HOSO_DATA_DIR']}/worker.log")

    def close(self) -> None:
        if self.worker is not None:
            self.worker.terminate()
            self.worker.wait(60)
        if self.queue is not None:
            self.queue.close()
        self.services.close()


def small_page() -> bytes:
    return png_bytes(vnpages.render_page([unique_line()[1]], dpi=150))


def latency(deployment: Deployment, dossiers: int, spacing: float) -> list[float]:
    deployment.finished(deployment.receive(small_page())[0])  # the worker is up and warm
    received = []
    for _ in range(dossiers):
        received.append(deployment.receive(small_page()))
        time.sleep(spacing)
    return [(deployment.finished(code).started_at - at).total_seconds() * 1000 for code, at in received]


def throughput(deployment: Deployment, batch: int, processes: int) -> float:
    """Documents per minute: a batch queued first, then read by `processes` worker processes."""
    page = png_bytes(vnpages.render_page(vnpages.PROSE, dpi=300))
    codes = [deployment.receive(page)[0] for _ in range(batch)]
    deployment.start_worker(["--processes", str(processes)])
    documents = [deployment.finished(code) for code in codes]
    first = min(d.started_at for d in documents)
    last = max(d.processed_at for d in documents)
    return batch / (last - first).total_seconds() * 60


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=20, help="dossiers timed per design")
    parser.add_argument("--spacing", type=float, default=3.0, help="seconds between two receptions")
    parser.add_argument("--batch", type=int, default=16, help="one-page documents per throughput run")
    parser.add_argument("--scan", type=float, default=2.0, help="the polling worker's `--scan` (servers: 30 s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hoso-dispatch-") as tmp, RedisServer(Path(tmp) / "redis") as redis:
        tmp = Path(tmp)
        rows = []
        for name, broker, worker_args in (("broker (Celery over Redis)", redis.url, []),
                                          (f"store polling (worker --scan {args.scan:g})", None,
                                           ["--scan", str(args.scan)])):
            deployment = Deployment(tmp / name.split()[0], broker)
            try:
                deployment.start_worker(worker_args)
                waits = latency(deployment, args.dossiers, args.spacing)
            finally:
                deployment.close()
            rows.append((name, percentile(waits, 50), percentile(waits, 95), max(waits)))
        rates = []
        for processes in (1, 2, 4):
            deployment = Deployment(tmp / f"throughput-{processes}", redis.url)
            try:
                rates.append((processes, throughput(deployment, args.batch, processes)))
            finally:
                deployment.close()

    load = os.getloadavg()[0]
    print(f"\n202 to a worker starting the document, {args.dossiers} one-page dossiers, one every "
          f"{args.spacing:g} s; load {load:.2f} on {os.cpu_count()} cores\n")
    print(f"| {'design':34} | {'p50 ms':>8} | {'p95 ms':>8} | {'max ms':>8} |")
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 10}|{'-' * 10}|")
    for name, p50, p95, top in rows:
        print(f"| {name:34} | {p50:8.0f} | {p95:8.0f} | {top:8.0f} |")
    print("\ntarget on the broker: p95 < 200 ms\n")
    print(f"Throughput on the broker, {args.batch} one-page 300 dpi documents queued, then read\n")
    print(f"| {'worker processes':16} | {'documents/min':>13} |")
    print(f"|{'-' * 18}|{'-' * 15}|")
    for processes, rate in rates:
        print(f"| {processes:16} | {rate:13.1f} |")


if __name__ == "__main__":
    main()
