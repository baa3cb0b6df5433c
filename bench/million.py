"""A million documents (issue 19): generated documents streamed into HoSo's index through its
own ``replace_all`` (SQLite FTS5, then a real Elasticsearch node, one after the other), then
the indexing rate, the size on disk, search latency over a mix of realistic queries and the
citizen-data lookup of ``GET /v1/citizens/{id}``, each beside the bare engine's query.

Documents are made one at a time (``backends.documents``: Zipf-distributed administrative
prose, 1-3 pages, a third of them cards and birth certificates stating facts about citizens),
and a tenth are typed without diacritics, as old word-processor files are; nothing holds the
corpus in memory. Queries ask 1-3 words (half without diacritics) at the API's default page of
20, some filtered by agency, document type, a range of days received, or agency and days.
Targets: search p95 < 50 ms, citizen data p95 < 20 ms.

    .venv/bin/python bench/million.py [--documents 1000000] [--backends sqlite,elastic] [--es-heap 2g]
        [--keep DIR | --reuse DIR]

``--keep DIR`` leaves the indices built in DIR (with what their figures need, ``built.json``), and
``--reuse DIR`` searches them again without indexing: a million is built once, queried many times.
``--parts`` then sends each of the two searches of an Elasticsearch search alone, to say where
its time goes; ``--merge`` force-merges the Elasticsearch index into one segment before searching;
``--shards N`` searches a copy of it split into N shards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]  # HoSo first: tests/ocr is not `ocr`
from backends import (AGENCIES, CITIZEN_TYPES, MB, OTHER_TYPES, PROVINCES, SPAN_S, START,  # noqa: E402
                      WARMUP, bare_es, bare_fts, citizen_ids, documents, header, pct, ratio,
                      row, timed, typed_words)
from services.elastic import ElasticServer  # noqa: E402
from stats import cpu_ms  # noqa: E402

from search import IndexEntry, SearchQuery, open_index  # noqa: E402
from search.text import fold  # noqa: E402

SEARCH_TARGET_MS = 50.0
FACTS_TARGET_MS = 20.0
UNACCENTED = 0.1  # documents typed without diacritics
KINDS = ("words", "agency", "doc type", "days", "agency + days")


class Stream:
    """The generated documents, one at a time, with a progress bar and the seconds spent making
    them (so the indexing rate can be told apart from the generator's); the stream ends early
    when ``budget`` seconds have passed, and ``made`` says how many it gave."""

    def __init__(self, n: int, citizens: list[str], label: str, budget: float) -> None:
        self.n, self.citizens, self.label, self.budget = n, citizens, label, budget
        self.cited: set[str] = set()
        self.making = 0.0
        self.made = self.pages = self.facts = 0

    def __iter__(self) -> Iterator[IndexEntry]:
        made = documents(self.n, self.citizens, cited=self.cited)
        plain = random.Random(23)
        until = time.monotonic() + self.budget
        with tqdm(total=self.n, desc=self.label, unit="doc", file=sys.stderr, mininterval=5,
                  smoothing=0.05) as bar:
            while True:
                start = time.perf_counter()
                entry = next(made, None)
                if entry is not None and plain.random() < UNACCENTED:
                    entry = entry.model_copy(update={"pages": [fold(p) for p in entry.pages]})
                self.making += time.perf_counter() - start
                if entry is None or time.monotonic() > until:
                    return
                self.made += 1
                self.pages += len(entry.pages)
                self.facts += len(entry.facts)
                bar.update()
                yield entry


def query_mix(n: int, seed: int = 17) -> list[tuple[str, SearchQuery]]:
    """N searches as clerks type them: 1-3 words, half without diacritics, the default page
    (a tenth ask the second page); filtered by agency, document type, 1-3 months received, or
    agency and months, or not at all."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text = typed_words(rng)
        first = (START + timedelta(days=rng.randrange(SPAN_S // 86400 - 92))).date()
        days = {"received_from": first, "received_to": first + timedelta(days=rng.choice([30, 61, 91]))}
        kind = rng.choices(KINDS, weights=[40, 15, 15, 15, 15])[0]
        options: dict[str, object] = {
            "words": {}, "agency": {"agency_code": rng.choice(AGENCIES)},
            "doc type": {"doc_type": rng.choice(OTHER_TYPES + CITIZEN_TYPES)}, "days": days,
            "agency + days": {"agency_code": rng.choice(AGENCIES), **days}}[kind]
        out.append((kind, SearchQuery(text=text, offset=20 if rng.random() < 0.1 else 0, **options)))
    return out


def lookups(n: int, cited: list[str]) -> list[tuple[str, list[str] | None]]:
    """N citizen-data lookups as the reuse API asks them: four in five of citizens the documents
    name, one in five unknown; all fields, or the few an application form fills."""
    rng = random.Random(5)
    unknown = [f"{rng.choice(PROVINCES)}9{rng.randrange(10**8):08d}" for _ in range(n // 5)]
    who = [rng.choice(cited) for _ in range(n - len(unknown))] + unknown
    rng.shuffle(who)
    fields = [None, ["full_name", "date_of_birth"], ["place_of_residence"]]
    return [(c, rng.choice(fields)) for c in who]


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def es_size(index) -> tuple[int, int]:
    """Bytes of the documents and citizen indices as Elasticsearch counts them, and segments."""
    stats = index.client.indices.stats(index=f"{index.alias},{index.facts_alias}", metric="store,segments")
    primaries = stats["_all"]["primaries"]
    return int(primaries["store"]["size_in_bytes"]), int(primaries["segments"]["count"])


def measure(name: str, index, bare_search: Callable, bare_facts: Callable, mix, asked,
            server: int | None, warm: int) -> dict[str, list[str]]:
    """Search and citizen-data latency, HoSo beside the bare query, after a warm-up; and the
    CPU a search costs this process and the server (``server``: its pid), which the machine's
    load changes less than the wall time."""
    for _, q in mix[:WARMUP]:
        index.search(q)
        bare_search(q)
    mix = mix[WARMUP:]
    for _, q in query_mix(warm, seed=29):  # other searches: a node just started compiles its code
        index.search(q)
    if server:  # what those searches left in the request cache is not the timed searches' to find
        index.client.indices.clear_cache(index=index.alias, request=True)
    results: list = []
    cpu = (cpu_ms(None), cpu_ms(server) if server else 0.0)
    hoso = timed([lambda q=q: results.append(index.search(q)) for _, q in mix])
    spent = f"{(cpu_ms(None) - cpu[0]) / len(mix):.1f} / " + (
        f"{(cpu_ms(server) - cpu[1]) / len(mix):.1f}" if server else "—")
    bare = timed([lambda q=q: bare_search(q) for _, q in mix])
    rows = []
    for kind in (*KINDS, None):
        picked = [i for i, (k, _) in enumerate(mix) if kind in (k, None)]
        wall, plain = [hoso[i] for i in picked], [bare[i] for i in picked]
        totals = sorted(results[i].total for i in picked)
        rows.append(row(name, kind or "**all**", len(picked), pct(wall, 50), pct(wall, 95), max(wall),
                        f"{totals[len(totals) // 2]}", sum(not results[i].total_exact for i in picked),
                        pct(plain, 50), pct(plain, 95), ratio(pct(wall, 95), pct(plain, 95)),
                        spent if kind is None else "",
                        ("yes" if pct(wall, 95) < SEARCH_TARGET_MS else "**no**") if kind is None else ""))
    for citizen, _ in asked[:WARMUP]:
        index.facts(citizen)
        bare_facts(citizen)
    found: list[int] = []
    hoso = timed([lambda c=c, f=f: found.append(len(index.facts(c, f))) for c, f in asked])
    bare = timed([lambda c=c: bare_facts(c) for c, _ in asked])
    facts = [row(name, len(asked), sum(1 for x in found if x), pct(hoso, 50), pct(hoso, 95), max(hoso),
                 pct(bare, 50), pct(bare, 95), ratio(pct(hoso, 95), pct(bare, 95)),
                 "yes" if pct(hoso, 95) < FACTS_TARGET_MS else "**no**")]
    return {"search": rows, "facts": facts}


def build(name: str, args, index, citizens: list[str]) -> dict:
    """Stream the generated documents into ``index``; what the indexing row says of them."""
    stream = Stream(args.documents, citizens, f"{name} replace_all", args.budget * 60)
    start = time.perf_counter()
    held = index.replace_all(stream)
    seconds = time.perf_counter() - start
    assert held == stream.made, (name, held, stream.made)
    return {"asked": args.documents, "citizens": args.citizens, "documents": held, "pages": stream.pages,
            "facts": stream.facts, "seconds": seconds, "making": stream.making, "cited": sorted(stream.cited)}


def search_parts(index, mix, server: int) -> list[str]:
    """Each of the two searches of an Elasticsearch search sent alone (the request cache off),
    with the node's CPU and the wall time per search: what a search's time is spent on."""
    from search._query import parse_query

    def sent(body: Callable[[SearchQuery], dict]) -> Callable[[SearchQuery], object]:
        return lambda q: index.client.search(index=index.alias, request_cache=False, **body(q))

    def ranked(q: SearchQuery) -> dict:
        return index.bodies(q, parse_query(q.text))[0]

    def counted(q: SearchQuery, facets: bool = True) -> dict:
        body = index.bodies(q, parse_query(q.text))[1]
        return body if facets else {**body, "aggs": {"documents": body["aggs"]["documents"]}}

    rows = []
    for label, call in (("whole search (msearch of the two below)", index.search),
                        ("hits: the best pages, ranked", sent(ranked)),
                        ("count and facets", sent(counted)),
                        ("count alone (documents, no facets)", sent(lambda q: counted(q, facets=False)))):
        before = cpu_ms(server)
        wall = timed([lambda q=q: call(q) for _, q in mix])
        rows.append(row(label, (cpu_ms(server) - before) / len(mix), pct(wall, 50), pct(wall, 95)))
    return rows


def split(index, shards: int) -> str:
    """Point the documents alias at a copy of its index split into ``shards`` primaries (made
    once by Elasticsearch's ``_split``, which hard-links the segments instead of indexing again,
    and kept beside the original); the name of the index it pointed at, to point it back."""
    client = index.client.options(request_timeout=3600)
    [original] = client.indices.get_alias(name=index.alias)
    target = f"{original}-{shards}-shards"
    if not client.indices.exists(index=target):
        client.indices.put_settings(index=original, settings={"index.blocks.write": True})  # _split needs it
        try:
            client.indices.split(index=original, target=target, settings={
                "index.number_of_shards": shards, "index.number_of_replicas": 0, "index.blocks.write": None})
            client.cluster.health(index=target, wait_for_status="green", timeout="60m")
        finally:
            client.indices.put_settings(index=original, settings={"index.blocks.write": None})
    # Each new shard starts as the whole index with the other shard's pages deleted, which a
    # search still walks past: merged away first, or two shards would do the work of two indices.
    client.indices.forcemerge(index=target, only_expunge_deletes=True)
    client.indices.update_aliases(actions=[{"remove": {"index": original, "alias": index.alias}},
                                           {"add": {"index": target, "alias": index.alias}}])
    return original


def run_backend(name: str, args, where: Path, citizens: list[str]) -> dict[str, list[str]]:
    """Index into ``where`` (or, with ``--reuse``, open what a ``--keep`` run left there), then search."""
    server = index = restore = None
    try:
        if name == "sqlite":
            url = f"sqlite:///{where}/sqlite/index.sqlite"
        else:
            print(f"[million] starting Elasticsearch, heap {args.es_heap} ({time.strftime('%H:%M:%S')})",
                  file=sys.stderr, flush=True)
            server = ElasticServer(where / "es", heap=(args.es_heap, args.es_heap)).start()
            url = f"{server.url}?prefix=million&timeout=120"
        index = open_index(url)
        record = where / f"{name}.built.json"
        if args.reuse:
            built = json.loads(record.read_text())
            args.documents, args.citizens = built["asked"], built["citizens"]  # what the table heads say
            if getattr(index, "schema_reset", False):
                sys.exit(f"[million] the {name} index in {where} was built with an older mapping: "
                         "build it again (--keep)")
        else:
            built = build(name, args, index, citizens)
            record.write_text(json.dumps(built))
        held, seconds, making = built["documents"], built["seconds"], built["making"]
        if name == "sqlite":
            size, parts = (where / "sqlite" / "index.sqlite").stat().st_size, disk_bytes(where / "sqlite")
            detail = f"file {size / MB:,.0f} MB; with its WAL {parts / MB:,.0f} MB"
        else:
            merged = ""
            if args.shards > 1:
                original = split(index, args.shards)
                restore = [{"remove": {"index": f"{original}-{args.shards}-shards", "alias": index.alias}},
                           {"add": {"index": original, "alias": index.alias}}]  # the kept index as it was
                merged = f"; split into {args.shards} shards"
            if args.merge:  # one segment rather than dozens (README: it did not pay at 815,000 documents)
                started = time.perf_counter()
                index.client.options(request_timeout=3600).indices.forcemerge(
                    index=f"{index.alias},{index.facts_alias}", max_num_segments=1)
                merged = f"; merged afterwards in {time.perf_counter() - started:.0f} s"
            size, segments = es_size(index)
            detail = f"{segments} segments; data directory {disk_bytes(where / 'es') / MB:,.0f} MB{merged}"
        indexing = [row(name, f"{held:,}", f"{built['pages']:,}", f"{built['facts']:,}", seconds,
                        f"{held / seconds:,.0f}", making, f"{held / (seconds - making):,.0f}",
                        f"{size / MB:,.0f}", detail)]
        print(f"[million] {name}: {held} documents ({'built earlier' if args.reuse else f'{seconds:.0f} s'}); "
              f"searching ({time.strftime('%H:%M:%S')})", file=sys.stderr, flush=True)
        bare_search, bare_facts = bare_fts(where / "sqlite" / "index.sqlite") if name == "sqlite" else bare_es(index)
        cited = built["cited"]
        measured = measure(name, index, bare_search, bare_facts, query_mix(args.queries + WARMUP),
                           lookups(args.queries, cited), server.process.pid if server else None, args.warm)
        if args.parts and server:
            measured["parts"] = search_parts(index, query_mix(args.queries + WARMUP)[WARMUP:], server.process.pid)
        return {"indexing": indexing, **measured, "cited": [str(len(cited))]}
    finally:
        if restore:
            index.client.indices.update_aliases(actions=restore)
        if index is not None:
            index.close()
        if server is not None:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--citizens", type=int, default=500_000, help="citizen IDs the documents draw from")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--warm", type=int, default=1000,
                        help="searches (of other words) before the timed ones: a fresh Elasticsearch node's "
                             "JVM compiles for its first thousand or so, and counts that in its CPU")
    parser.add_argument("--budget", type=float, default=float("inf"),
                        help="minutes of indexing per backend: past them the stream ends, and the figures "
                             "are for the documents indexed so far (the table says how many)")
    parser.add_argument("--backends", default="sqlite,elastic", help="comma-separated: sqlite, elastic")
    parser.add_argument("--es-heap", default="2g", help="Elasticsearch heap (-Xms and -Xmx)")
    parser.add_argument("--dir", type=Path, default=None, help="where the index data goes (a temporary "
                        "directory inside it, removed at the end)")
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument("--keep", type=Path, help="build the indices in this directory and leave them there")
    kept.add_argument("--reuse", type=Path, help="search the indices a --keep run left in this directory, "
                      "without indexing (--documents and --citizens are those of that run)")
    parser.add_argument("--parts", action="store_true",
                        help="then send each of the two searches of an Elasticsearch search alone (node CPU, wall)")
    parser.add_argument("--shards", type=int, default=1,
                        help="with --reuse: search the Elasticsearch index split into this many shards "
                             "(a copy made once with _split and kept beside it)")
    parser.add_argument("--merge", action="store_true",
                        help="force-merge the Elasticsearch index into one segment before searching")
    args = parser.parse_args()
    began = time.perf_counter()
    citizens = citizen_ids(random.Random(3), args.citizens)
    sections: dict[str, list[str]] = {"indexing": [], "search": [], "facts": [], "parts": []}
    cited = ""
    with contextlib.ExitStack() as stack:
        where = args.keep or args.reuse or Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="hoso-million-", dir=args.dir)))
        where.mkdir(parents=True, exist_ok=True)
        for name in args.backends.split(","):
            figures = run_backend(name, args, where, citizens)
            cited = figures.pop("cited")[0]
            for key, lines in figures.items():
                sections[key] += lines
            if not (args.keep or args.reuse):
                shutil.rmtree(where / ("sqlite" if name == "sqlite" else "es"), ignore_errors=True)
    # "-dirty" when the working tree differs from the commit, so a figure is never credited to code it was not run on
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    print("\n".join([
        f"### Indexing (`replace_all`, streamed, up to {args.documents:,} documents; {args.citizens:,} citizen IDs, "
        f"{cited} of them named)\n",
        header("backend", "documents", "pages", "facts", "seconds", "documents/s", "of which generating, s",
               "documents/s without generating", "index MB", "on disk"),
        *sections["indexing"],
        f"\n### Search ({args.queries} queries after {WARMUP + args.warm} warm-up, 20 per page, facets counted; ms)\n",
        header("backend", "filter", "queries", "p50", "p95", "max", "median total", "totals capped",
               "bare p50", "bare p95", "ratio p95", "CPU ms per search: client / server",
               f"p95 < {SEARCH_TARGET_MS:.0f} ms"),
        *sections["search"],
        f"\n### Citizen data (`facts` as `GET /v1/citizens/{{id}}` asks it; {args.queries} lookups, "
        f"a fifth unknown; ms)\n",
        header("backend", "lookups", "with facts", "p50", "p95", "max", "bare p50", "bare p95", "ratio p95",
               f"p95 < {FACTS_TARGET_MS:.0f} ms"),
        *sections["facts"],
        *([f"\n### Where an Elasticsearch search's time goes (each search alone, the same {args.queries} queries; ms)\n",
           header("search", "node CPU per search", "p50", "p95"), *sections["parts"]] if sections["parts"] else []),
        f"\nCommit {commit}, Elasticsearch heap {args.es_heap}, {os.cpu_count()} cores, load at the end "
        f"{os.getloadavg()[0]:.1f}; total run time {time.perf_counter() - began:.0f} s.",
    ]))


if __name__ == "__main__":
    main()
