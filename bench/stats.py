"""Statistics at scale: `Index.statistics` over 100,000 documents (and their activity) on SQLite
and on a real Elasticsearch, a mix of filters and periods; and what watching costs: one
`/metrics` exposition and the per-request middleware. Prints Markdown tables; targets:
statistics p95 < 200 ms, /metrics < 1 ms.

    .venv/bin/python bench/stats.py [--documents 100000] [--queries 200] [--skip-elastic]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from services.elastic import ElasticServer  # noqa: E402

from api.metrics import Metrics, RequestWatch, observed  # noqa: E402
from search import Activity, DocumentTally, StatsQuery, open_index  # noqa: E402
from search.stats import VIETNAM  # noqa: E402

STATS_TARGET_MS = 200.0
METRICS_TARGET_MS = 1.0
WARMUP = 10
AGENCIES = [f"000.{a:02d}.{b:02d}.H{p:02d}" for a, b, p in zip(range(20), range(10, 30), range(20, 60, 2))]
PROCEDURES = [f"{1 + n % 2}.{n:06d}" for n in range(1000, 1040)]
FIELDS = {"citizen_id_card": ["citizen_id", "full_name", "date_of_birth", "sex", "nationality",
                              "place_of_origin", "place_of_residence", "date_of_expiry"],
          "birth_certificate": ["full_name", "date_of_birth", "sex", "ethnicity", "place_of_birth", "father_name",
                                "mother_name"],
          "admin_document": ["issuing_agency", "document_number", "document_type", "issue_date", "summary",
                             "signer"], "other": []}
START = datetime(2025, 12, 1, 7, 30, tzinfo=VIETNAM)


def records(documents: int, seed: int = 17) -> tuple[list[DocumentTally], list[Activity]]:
    """A year of a province's reception: dossiers of 1-4 documents, 90% read, clerks reviewing
    most fields, receipts for most dossiers, citizen-data reads and auto-fills beside."""
    rng = random.Random(seed)
    tallies: list[DocumentTally] = []
    activity: list[Activity] = []
    n = 0
    while len(tallies) < documents:
        n += 1
        received = START + timedelta(seconds=rng.randrange(365 * 86400))
        agency = rng.choice(AGENCIES)
        procedure = rng.choice(PROCEDURES[:10]) if rng.random() < 0.7 else rng.choice(PROCEDURES)
        code, kind = f"{agency}-{n:06d}", "result" if rng.random() < 0.3 else "component"
        for d in range(min(rng.randint(1, 4), documents - len(tallies))):
            status = rng.choices(["done", "failed", "processing", "received"], [90, 4, 3, 3])[0]
            doc_type = rng.choice(list(FIELDS)) if status == "done" else "unread"
            names = FIELDS.get(doc_type, [])
            reviewed = [f for f in names if rng.random() < 0.8]
            corrected = [f for f in reviewed if rng.random() < 0.05]
            tallies.append(DocumentTally(
                dossier_code=code, document_id=f"{n:07d}{d}", first=d == 0, agency_code=agency,
                procedure_code=procedure, kind=kind, doc_type=doc_type, status=status,
                reason=rng.choice(["the page could not be read", "Tesseract timed out", "corrupt image"])
                if status == "failed" else None, received_at=received,
                processed_at=received + timedelta(seconds=rng.lognormvariate(3, 1)) if status == "done" else None,
                pages=rng.randint(1, 6) if status == "done" else 0, fields_read=len(names),
                confirmed=sorted(set(reviewed) - set(corrected)), corrected=corrected))
        if rng.random() < 0.8:
            activity.append(Activity(id=f"receipt:{code}", action="receipt",
                                     at=received + timedelta(seconds=rng.uniform(60, 600)), agency_code=agency,
                                     procedure_code=procedure, dossier_code=code,
                                     desk_seconds=rng.lognormvariate(5.5, 0.5)))
        if rng.random() < 0.4:
            asked = rng.randint(2, 12)
            activity.append(Activity(id=f"A{n}", action=rng.choice(["citizen_data", "autofill"]),
                                     at=received + timedelta(hours=rng.randint(1, 48)), fields_asked=asked,
                                     fields_served=rng.randint(0, asked)))
    return tallies, activity


def queries(count: int, seed: int = 5) -> list[StatsQuery]:
    """What the page and the monthly reports ask: everything by day or month, one agency (a
    reception desk), a procedure, a document type, a month or a quarter, combinations."""
    rng = random.Random(seed)
    made = []
    for n in range(count):
        q: dict = {"period": rng.choice(["day", "month"])}
        shape = n % 6
        if shape in (1, 5):
            q["agency_code"] = rng.choice(AGENCIES)
        if shape == 2:
            q["procedure_code"] = rng.choice(PROCEDURES)
        if shape == 3:
            q["doc_type"] = rng.choice(list(FIELDS))
        if shape in (4, 5):
            first = date(2025, 12, 1) + timedelta(days=rng.randrange(300))
            q["received_from"], q["received_to"] = first, first + timedelta(days=rng.choice([30, 91]))
        made.append(StatsQuery(**q))
    return made


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(calls) -> list[float]:
    times = []
    for call in calls:
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def cpu_ms(pid: int | None) -> float:
    """CPU time used so far by this process, or by process ``pid`` (Linux), in ms: what an
    answer costs whatever else the machine is doing."""
    if pid is None:
        return time.process_time() * 1000
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def backend_rows(args, tmp: Path, tallies, activity) -> list[str]:
    asked = queries(args.queries + WARMUP)
    rows, es = [], None
    try:
        for name in ("SQLite", "Elasticsearch"):
            if name == "SQLite":
                url = f"sqlite:///{tmp}/index.sqlite"
            elif args.skip_elastic:
                continue
            else:
                print("[bench] starting Elasticsearch", file=sys.stderr, flush=True)
                es = ElasticServer(tmp / "es", heap=(args.es_heap, args.es_heap)).start()
                url = f"{es.url}?prefix=bench"
            index = open_index(url)
            start = time.perf_counter()
            index.replace_statistics(tallies, activity)
            loaded = time.perf_counter() - start
            for q in asked[:WARMUP]:
                index.statistics(q)
            answers: list = []
            server = None if es is None else es.process.pid
            cpu = (cpu_ms(None), cpu_ms(server) if server else 0.0)
            times = timed([lambda q=q: answers.append(index.statistics(q)) for q in asked[WARMUP:]])
            here, there = ((cpu_ms(None) - cpu[0]) / len(times),
                           (cpu_ms(server) - cpu[1]) / len(times) if server else 0.0)
            everything = [t for q, t in zip(asked[WARMUP:], times) if not q.model_dump(exclude_defaults=True,
                                                                                        exclude={"period"})]
            total = index.statistics(StatsQuery()).totals
            assert total.documents == len(tallies), (name, total.documents)
            index.close()
            rows.append(f"| {name} | {loaded:.1f} | {pct(times, 50):.1f} | **{pct(times, 95):.1f}** | "
                        f"{max(times):.1f} | {pct(everything, 95):.1f} | {here:.1f} | {there:.1f} |")
            print(f"[bench] {name}: p95 {pct(times, 95):.1f} ms", file=sys.stderr, flush=True)
    finally:
        if es is not None:
            es.stop()
    return ["| backend | load s | p50 ms | p95 ms (target < 200) | max ms | p95, no filter "
            "| CPU ms per answer: client | server |", "|---|--:|--:|--:|--:|--:|--:|--:|", *rows]


def metrics_rows(rounds: int = 2000) -> list[str]:
    """A registry with the series a busy server has, then: one exposition; one request through
    the middleware beside the bare app; one call through the observing proxy beside the bare call."""
    metrics = Metrics()
    for route in range(40):
        for status in ("200", "404", "422", "429"):
            metrics.requests.labels("GET", f"/v1/route{route}", status).inc()
            metrics.request_seconds.labels("GET", f"/v1/route{route}").observe(0.01)
    for op in ("get", "put", "create", "exists", "list", "search", "upsert", "tally", "note", "record"):
        metrics.calls.labels("store", op).observe(0.002)
    exposition = timed([metrics.exposition for _ in range(rounds)])

    async def bare(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def nothing(message):
        return None

    async def receive():
        return {"type": "http.request", "body": b""}

    watched = RequestWatch(bare, (metrics.request_answered,))
    scope = {"type": "http", "method": "GET", "path": "/v1/x", "headers": []}
    loop = asyncio.new_event_loop()
    plain = timed([lambda: loop.run_until_complete(bare(scope, receive, nothing)) for _ in range(rounds)])
    through = timed([lambda: loop.run_until_complete(watched(scope, receive, nothing)) for _ in range(rounds)])
    loop.close()
    target = observed({"k": 1}, metrics, "store")
    proxy = timed([lambda: target.get("k") for _ in range(rounds)])
    direct = timed([lambda: {"k": 1}.get("k") for _ in range(rounds)])
    return ["| what | p50 ms | p95 ms |", "|---|--:|--:|",
            f"| `GET /metrics` body: exposition of {len(metrics.exposition()[0]):,} bytes, once per scrape | "
            f"{pct(exposition, 50):.3f} | {pct(exposition, 95):.3f} |",
            f"| request counted and timed by the middleware, less the bare app (target < 1) | "
            f"{pct(through, 50) - pct(plain, 50):.4f} | **{pct(through, 95) - pct(plain, 95):.4f}** |",
            f"| store/index/audit call through the observing proxy, less the bare call | "
            f"{pct(proxy, 50) - pct(direct, 50):.4f} | {pct(proxy, 95) - pct(direct, 95):.4f} |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--es-heap", default="1g")
    parser.add_argument("--skip-elastic", action="store_true")
    args = parser.parse_args()
    began, load = time.perf_counter(), os.getloadavg()
    tallies, activity = records(args.documents)
    out = [f"{len(tallies):,} documents in {len({t.dossier_code for t in tallies}):,} dossiers, "
           f"{len(activity):,} activity entries, {args.queries} statistics queries\n"]
    with tempfile.TemporaryDirectory(prefix="hoso-stats-") as tmp:
        out += backend_rows(args, Path(tmp), tallies, activity)
    out += ["", *metrics_rows()]
    out.append(f"\nTotal run time: {time.perf_counter() - began:.0f} s on {os.cpu_count()} cores; load average "
               f"at the start {load[0]:.1f}, at the end {os.getloadavg()[0]:.1f} (1 min).")
    print("\n".join(out))


if __name__ == "__main__":
    main()
