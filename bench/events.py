"""What events cost and how fast they go out: a manifest save with and without one event
through the outbox (the extra store round trips), and webhook deliveries per second to a
receiver on loopback, on the embedded store (and with --minio on a real MinIO). Prints Markdown.

    .venv/bin/python bench/events.py [--saves 300] [--events 500] [--minio]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from api.webhooks import EventDelivery, EventOptions, Subscriber  # noqa: E402
from repository import events  # noqa: E402
from repository.model import Document, Dossier, DossierKind, ObjectRef  # noqa: E402
from repository.options import StoreOptions  # noqa: E402
from repository.records import Records  # noqa: E402
from repository.store import open_store  # noqa: E402
from webhook_receiver import Receiver  # noqa: E402

SECRET = "bench-secret-0123456789"


def dossier(code: str) -> Dossier:
    document = Document(id="01J0000000000000000000000A", filename="a.png", media_type="image/png",
                        original=ObjectRef(key="k", sha256="0" * 64, size=1))
    return Dossier(dossier_code=code, procedure_code="1.001234", applicant_id=None, agency_code="000.17.22.H56",
                   kind=DossierKind.COMPONENT, received_at=datetime.now(timezone.utc), documents=[document])


def saves(records: Records, n: int, with_event: bool) -> list[float]:
    timings = []
    for i in range(n):
        d = dossier(f"000.17.22.H56-261206-{i + 1:04d}")
        if with_event:
            events.record(d, "dossier.received")
        started = time.perf_counter()
        records.save(d)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def deliveries_per_second(records: Records, n: int) -> float:
    receiver = Receiver(SECRET).start()
    options = EventOptions(poll_seconds=0.05, subscribers=[Subscriber(name="bench", url=receiver.url, secret=SECRET)])
    stop = threading.Event()

    async def deliver() -> None:
        task = asyncio.create_task(EventDelivery(records, options, 60).run())
        await asyncio.to_thread(stop.wait)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    thread = threading.Thread(target=asyncio.run, args=(deliver(),))
    started = time.perf_counter()
    thread.start()
    while len(receiver.received) < n:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    stop.set()
    thread.join()
    receiver.stop()
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--minio", action="store_true", help="also on a real MinIO (tests/services/minio.py)")
    args = parser.parse_args()
    stores = {"embedded": lambda d: open_store(f"file://{d}/store")}
    if args.minio:
        from services.minio import MinioServer

        server = MinioServer(Path(tempfile.mkdtemp()))
        server.start()
        stores["MinIO"] = lambda d: open_store(f"s3://{server.endpoint}/bench-{int(time.time() * 1000)}",
                                               StoreOptions(access_key=server.access_key,
                                                            secret_key=server.secret_key))
    print("| store | save p50 ms | save p95 ms | save + 1 event p50 ms | p95 ms | deliveries/s |")
    print("|---|--:|--:|--:|--:|--:|")
    for name, make in stores.items():
        with tempfile.TemporaryDirectory() as plain_dir, tempfile.TemporaryDirectory() as event_dir:
            plain = saves(Records(make(plain_dir)), args.saves, False)
            records = Records(make(event_dir))
            evented = saves(records, max(args.saves, args.events), True)
            rate = deliveries_per_second(records, max(args.saves, args.events))
        q = lambda xs, p: statistics.quantiles(xs, n=100)[p - 1]  # noqa: E731
        print(f"| {name} | {statistics.median(plain):.2f} | {q(plain, 95):.2f} | {statistics.median(evented):.2f} "
              f"| {q(evented, 95):.2f} | {rate:.0f} |")
    if args.minio:
        server.stop()


if __name__ == "__main__":
    main()
