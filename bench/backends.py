"""Backends at scale: index throughput (SQLite FTS5 vs a real Elasticsearch), search and citizen
data latency on that index, and object store put/get throughput (a real MinIO vs file://), each
beside a bare-tool reference (raw FTS5 / raw ES query / raw MinIO SDK / plain files) where cheap.
Every search also counts the facets. Beside the main mix of words and filters, a second mix
measures the search-box syntax and options: phrases, exclusions, code prefixes, date ranges,
newest first. Prints Markdown tables; targets: search p95 < 50 ms, citizen data p95 < 20 ms.

    .venv/bin/python bench/backends.py [--documents 100000] [--citizens 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]  # HoSo first: tests/ocr is not `ocr`
from services.elastic import ElasticServer  # noqa: E402
from services.minio import MinioServer  # noqa: E402

from repository.options import StoreOptions  # noqa: E402
from repository.store import open_store  # noqa: E402
from search import CitizenFact, IndexEntry, SearchQuery, open_index  # noqa: E402
from search._query import TOKEN, match_expression, parse_query  # noqa: E402
from search.index import received_range  # noqa: E402
from search.text import fold  # noqa: E402

SEARCH_TARGET_MS = 50.0
FACTS_TARGET_MS = 20.0
WARMUP = 20
MB = 1 << 20

# A few hundred real Vietnamese words of administrative prose (syllables and compounds).
VOCABULARY = """
cộng hòa xã hội chủ nghĩa việt nam độc lập tự do hạnh phúc quyết định nghị định thông tư
công văn tờ trình báo cáo kế hoạch hướng dẫn chỉ thị thông báo giấy phép chứng nhận đăng ký
hộ tịch khai sinh kết hôn khai tử thường trú tạm trú căn cước công dân chứng minh nhân dân
ủy ban nhân dân tỉnh thành phố quận huyện thị xã phường xã thị trấn sở bộ ngành cục vụ phòng
ban trung tâm hành chính công dịch vụ một cửa liên thông tiếp nhận trả kết quả hồ sơ thủ tục
giải quyết thẩm định phê duyệt ban hành thực hiện triển khai kiểm tra giám sát thanh tra xử lý
vi phạm khiếu nại tố cáo đất đai nhà ở xây dựng quy hoạch giao thông vận tải tài chính ngân sách
thuế phí lệ phí kho bạc đầu tư doanh nghiệp hợp tác xã hộ kinh doanh lao động việc làm bảo hiểm
y tế giáo dục đào tạo văn hóa thể thao du lịch khoa học công nghệ thông tin truyền thông tài
nguyên môi trường nông nghiệp phát triển nông thôn tư pháp nội vụ ngoại giao quốc phòng an ninh
công an cảnh sát quản lý cư trú xuất nhập cảnh hộ chiếu thị thực người nước ngoài căn cứ luật
tổ chức chính quyền địa phương ngày tháng năm số hiệu ký tên đóng dấu chủ tịch phó giám đốc
trưởng phòng chuyên viên cán bộ công chức viên chức người đứng đầu cơ quan đơn vị cá nhân tổ
chức gia đình cha mẹ con vợ chồng anh chị em ông bà họ tên ngày sinh giới tính nam nữ dân tộc
kinh tày thái mường khơme hoa nùng quốc tịch tôn giáo không phật giáo công giáo quê quán nơi
thường trú nơi ở hiện tại đặc điểm nhận dạng sẹo nốt ruồi ngón trỏ phải trái có giá trị đến
điều khoản điểm khoản mục chương phần phụ lục biểu mẫu tờ khai đơn đề nghị xác nhận cam đoan
chịu trách nhiệm trước pháp luật nội dung khai trên đúng sự thật bản sao bản chính chứng thực
hợp pháp hóa lãnh sự dịch thuật công chứng lưu trữ số hóa điện tử chữ ký số văn bản giấy tờ
thời hạn quá hạn đúng hạn trễ hạn bổ sung hoàn thiện từ chối lý do nộp trực tuyến bưu chính
hà nội hồ chí minh đà nẵng hải phòng cần thơ huế nghệ an thanh hóa quảng ninh bình dương
đồng nai khánh hòa lâm đồng gia lai đắk lắk an giang kiên giang cà mau bạc liêu sóc trăng
trà vinh vĩnh long bến tre tiền giang long an tây ninh bình phước bà rịa vũng tàu
nhằm bảo đảm quyền lợi ích hợp pháp của công dân theo quy định hiện hành đề nghị các cơ quan
đơn vị liên quan phối hợp thực hiện nghiêm túc kịp thời hiệu quả nơi nhận như trên lưu văn thư
""".split()
PROVINCES = ["001", "079", "031", "048", "092", "038", "040", "046", "056", "075", "089", "004"]
AGENCIES = [f"000.{a:02d}.{b:02d}.H{p}" for a, b, p in [
    (17, 22, 56), (0, 15, 29), (1, 20, 26), (18, 31, 48), (0, 22, 12), (3, 11, 2), (20, 28, 40),
    (5, 12, 30), (7, 19, 31), (9, 21, 58), (11, 30, 44), (13, 25, 24), (15, 27, 47), (16, 14, 50),
    (19, 23, 35), (21, 26, 4), (22, 29, 52), (24, 32, 60), (25, 33, 64), (26, 34, 70)]]
PROCEDURES = [f"{p}.{n:06d}" for p, n in zip(["1", "2", "1", "2", "1", "1", "2", "1", "2", "1"] * 4,
                                              range(1001, 1041))]
OTHER_TYPES = ["decision", "official_letter", "application_form", "land_use_certificate",
               "household_registration", "marriage_certificate", "power_of_attorney", "report"]
CITIZEN_TYPES = ["citizen_id_card", "birth_certificate"]
ISSUERS = ["QĐ-BTTTT", "QĐ-UBND", "NĐ-CP", "TT-BTP", "CV-SNV", "QĐ-TTg", "TB-UBND", "KH-UBND"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Xuân"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Nam", "Nga", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến"]
START = datetime(2021, 1, 1, tzinfo=timezone.utc)
SPAN_S = 5 * 365 * 86400


# -- synthetic corpus -------------------------------------------------------------------------

def citizen_ids(rng: random.Random, n: int) -> list[str]:
    ids: set[str] = set()
    while len(ids) < n:
        ids.add(f"{rng.choice(PROVINCES)}{rng.choice('0123')}{rng.randrange(100):02d}{rng.randrange(10**6):06d}")
    return sorted(ids)


def _page(rng: random.Random, weights: list[float]) -> str:
    words = rng.choices(VOCABULARY, cum_weights=weights, k=rng.randint(150, 400))
    for _ in range(rng.randint(1, 4)):  # document numbers and 12-digit IDs within the prose
        at = rng.randrange(len(words))
        if rng.random() < 0.5:
            words.insert(at, f"{rng.randint(1, 2999)}/{rng.choice(ISSUERS)}")
        else:
            words.insert(at, f"{rng.choice(PROVINCES)}{rng.randrange(10**9):09d}")
    lines, width = [], rng.randint(10, 16)
    for i in range(0, len(words), width):
        line = " ".join(words[i:i + width])
        lines.append(line[0].upper() + line[1:] + ("." if rng.random() < 0.4 else ""))
    return "\n".join(lines)


def _facts(rng: random.Random, citizen: str, doc_type: str, when: datetime) -> list[CitizenFact]:
    born = datetime(1950, 1, 1) + timedelta(days=rng.randrange(70 * 365))
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"
    values = {
        "full_name": name, "date_of_birth": born.strftime("%d/%m/%Y"), "sex": rng.choice(["Nam", "Nữ"]),
        "nationality": "Việt Nam", "place_of_origin": f"Xã {rng.choice(GIVEN)}, {rng.choice(['Nghệ An', 'Huế'])}",
        "place_of_residence": f"Số {rng.randint(1, 300)} đường {rng.choice(GIVEN)}, Hà Nội",
        "date_of_issue": when.strftime("%d/%m/%Y"), "ethnicity": "Kinh",
        "father_name": f"{rng.choice(SURNAMES)} Văn {rng.choice(GIVEN)}",
        "mother_name": f"{rng.choice(SURNAMES)} Thị {rng.choice(GIVEN)}",
    }
    fields = rng.sample(sorted(values), rng.randint(6, 8))
    return [CitizenFact(citizen_id=citizen, field=f, value=values[f], confidence=round(rng.uniform(0.8, 1.0), 3),
                        page=1, bbox=[rng.random(), rng.random(), 0.2, 0.03]) for f in fields]


def documents(n: int, citizens: list[str], seed: int = 7, cited: set[str] | None = None) -> Iterator[IndexEntry]:
    """N documents made one at a time, deterministic for a seed; word frequencies follow Zipf
    (1/rank). The citizens whose facts they state are added to ``cited``."""
    rng = random.Random(seed)
    ranked = VOCABULARY[:]
    random.Random(seed + 1).shuffle(ranked)
    rank_of = {w: r for r, w in enumerate(ranked, start=1)}
    weights, total = [], 0.0
    for w in VOCABULARY:
        total += 1.0 / rank_of[w]
        weights.append(total)
    for i in range(n):
        when = START + timedelta(seconds=rng.randrange(SPAN_S))
        with_facts = rng.random() < 1 / 3
        doc_type = rng.choice(CITIZEN_TYPES if with_facts else OTHER_TYPES)
        facts: list[CitizenFact] = []
        if with_facts:
            citizen = rng.choice(citizens)
            if cited is not None:
                cited.add(citizen)
            facts = _facts(rng, citizen, doc_type, when)
        dossier = f"{rng.choice(AGENCIES)}-{when:%y%m%d}-{i:07d}"
        yield IndexEntry(
            dossier_code=dossier, document_id=f"doc-{i:07d}", agency_code=rng.choice(AGENCIES),
            procedure_code=rng.choice(PROCEDURES), applicant_id=facts[0].citizen_id if facts else None,
            kind="signed" if with_facts else "attachment", doc_type=doc_type, filename=f"{doc_type}-{i}.pdf",
            received_at=when, pages=[_page(rng, weights) for _ in range(rng.randint(1, 3))], facts=facts)


def corpus(n: int, citizens: list[str], seed: int = 7) -> tuple[list[IndexEntry], set[str]]:
    """N documents in a list (see ``documents``) and the citizens they state facts about."""
    cited: set[str] = set()
    return list(documents(n, citizens, seed, cited)), cited


def typed_words(rng: random.Random) -> str:
    """1-3 words of the vocabulary, half the time typed without diacritics."""
    text = " ".join(rng.sample(VOCABULARY, rng.choice([1, 2, 3])))
    return fold(text) if rng.random() < 0.5 else text


def queries(n: int, seed: int = 11) -> list[SearchQuery]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text = typed_words(rng)
        filters = {}
        roll = rng.random()
        if roll < 0.15:
            filters["agency_code"] = rng.choice(AGENCIES)
        elif roll < 0.3:
            filters["doc_type"] = rng.choice(OTHER_TYPES + CITIZEN_TYPES)
        out.append(SearchQuery(text=text, offset=20 if rng.random() < 0.2 else 0, **filters))
    return out


SYNTAX = ("phrase", "exclusion", "code prefix", "date range", "newest first")
_NUMBER = re.compile(r"\b(\d+)/(\w+)-")


def syntax_queries(entries: list[IndexEntry], n: int, seed: int = 13) -> list[tuple[str, SearchQuery]]:
    """N queries of the search-box syntax and options, in turn: a phrase of 2-3 adjacent words
    taken from a page (so it exists); two words minus a third; a document number or dossier code
    cut short (684/QĐ, 000.17.22.H56-2105); words within a month received; words newest first."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = SYNTAX[i % len(SYNTAX)]
        entry = rng.choice(entries)
        options: dict[str, object] = {}
        if kind == "phrase":
            words = [w for w in TOKEN.findall(rng.choice(entry.pages)) if not w.isdigit()]
            k = rng.choice([2, 3])
            at = rng.randrange(len(words) - k)
            text = '"' + " ".join(words[at:at + k]) + '"'
        elif kind == "exclusion":
            first, second, third = rng.sample(VOCABULARY, 3)
            text = f"{first} {second} -{third}"
        elif kind == "code prefix":
            numbers = [m for page in entry.pages for m in _NUMBER.finditer(page)]
            if numbers and rng.random() < 0.7:
                number = rng.choice(numbers)
                text = f"{number.group(1)}/{number.group(2)}"
            else:
                text = entry.dossier_code[:rng.choice([9, 13, 18])]
        else:
            text = " ".join(rng.sample(VOCABULARY, rng.choice([1, 2])))
            if kind == "date range":
                start = (START + timedelta(days=rng.randrange(SPAN_S // 86400 - 31))).date()
                options = {"received_from": start, "received_to": start + timedelta(days=30)}
            else:
                options = {"sort": "newest"}
        if rng.random() < 0.5:
            text = fold(text)
        out.append((kind, SearchQuery(text=text, **options)))
    return out


# -- measuring --------------------------------------------------------------------------------

def timed(calls: list[Callable[[], object]], cpu: list[float] | None = None) -> list[float]:
    """Wall-clock milliseconds of each call; ``cpu`` gets this thread's CPU milliseconds, which
    other work on the machine inflates far less (for SQLite it is all the work, for
    Elasticsearch only the client's)."""
    out = []
    for call in calls:
        start, started = time.perf_counter(), time.thread_time()
        call()
        out.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.thread_time() - started) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def row(*cells: object) -> str:
    return "| " + " | ".join(f"{c:.1f}" if isinstance(c, float) else str(c) for c in cells) + " |"


def header(*names: str) -> str:
    return row(*names) + "\n" + "|---" * len(names) + "|"


def ratio(hoso: float, bare: float) -> str:
    return f"{hoso / bare:.2f}" if bare else "n/a"


# -- bare references --------------------------------------------------------------------------

def bare_fts(path: Path) -> tuple[Callable[[SearchQuery], object], Callable[[str], object]]:
    """The same MATCH expression straight on the FTS5 table, with the same filters and days
    received: rowids by rank, no grouping or snippets; and the facts lookup as one indexed SELECT."""
    conn = sqlite3.connect(path, check_same_thread=False)

    def search(q: SearchQuery) -> object:
        where, params = "page_text MATCH ?", [match_expression(parse_query(q.text))]
        join = ""
        for name in ("agency_code", "doc_type"):
            if getattr(q, name):
                join = " JOIN pages p ON p.id = page_text.rowid JOIN documents d ON d.document_id = p.document_id"
                where += f" AND d.{name} = ?"
                params.append(getattr(q, name))
        start, end = received_range(q)
        if start and end:  # the generated documents are received in UTC: ISO text compares as time
            join = " JOIN pages p ON p.id = page_text.rowid JOIN documents d ON d.document_id = p.document_id"
            where += " AND d.received_at >= ? AND d.received_at < ?"
            params += [start.astimezone(timezone.utc).isoformat(), end.astimezone(timezone.utc).isoformat()]
        return conn.execute(f"SELECT page_text.rowid FROM page_text{join} WHERE {where} ORDER BY rank "
                            f"LIMIT ? OFFSET ?", [*params, q.limit, q.offset]).fetchall()

    def facts(citizen: str) -> object:
        return conn.execute("SELECT * FROM facts WHERE citizen_id = ?", (citizen,)).fetchall()

    return search, facts


def bare_es(index) -> tuple[Callable[[SearchQuery], object], Callable[[str], object]]:
    """A plain match (all words, folded field) with the same filters and days received; no
    collapse, count or highlight."""
    client = index.client

    def search(q: SearchQuery) -> object:
        filters = [{"term": {n: getattr(q, n)}} for n in ("agency_code", "doc_type") if getattr(q, n)]
        start, end = received_range(q)
        if start and end:
            filters.append({"range": {"received_at": {"gte": start.isoformat(), "lt": end.isoformat()}}})
        return client.search(index=index.alias, from_=q.offset, size=q.limit, query={"bool": {
            "must": [{"match": {"text.folded": {"query": q.text, "operator": "and"}}}], "filter": filters}})

    def facts(citizen: str) -> object:
        return client.search(index=index.facts_alias, size=1000,
                             query={"bool": {"filter": [{"term": {"citizen_id": citizen}}]}})

    return search, facts


# -- sections ---------------------------------------------------------------------------------

def index_backends(args, tmp: Path, entries: list[IndexEntry], cited: list[str], citizens: list[str]) -> list[str]:
    pages = sum(len(e.pages) for e in entries)
    facts_n = sum(len(e.facts) for e in entries)
    rng = random.Random(5)
    qs = queries(args.queries + WARMUP)
    warm, measured = qs[:WARMUP], qs[WARMUP:]
    unknown = [f"{rng.choice(PROVINCES)}9{rng.randrange(10**8):08d}" for _ in range(args.queries // 5)]
    known = [rng.choice(cited) for _ in range(args.queries - len(unknown))]
    lookups = known + unknown
    rng.shuffle(lookups)
    fields = [None, ["full_name", "date_of_birth"], ["place_of_residence"]]
    lookup_fields = [rng.choice(fields) for _ in lookups]

    both = syntax_queries(entries, args.queries + WARMUP)
    syntax_warm, syntax = both[:WARMUP], both[WARMUP:]
    throughput, search_rows, syntax_rows, facts_rows = [], [], [], []
    es_server = None
    try:
        for name in ("SQLite", "Elasticsearch"):
            if name == "SQLite":
                url = f"sqlite:///{tmp}/index.sqlite"
            else:
                print(f"[bench] starting Elasticsearch ({time.strftime('%H:%M:%S')})", file=sys.stderr, flush=True)
                es_server = ElasticServer(tmp / "es", heap=(args.es_heap, args.es_heap)).start()
                url = f"{es_server.url}?prefix=bench"
            index = open_index(url)
            print(f"[bench] indexing {len(entries)} documents into {name} ({time.strftime('%H:%M:%S')})",
                  file=sys.stderr, flush=True)
            start = time.perf_counter()
            held = index.replace_all(e for e in entries)
            seconds = time.perf_counter() - start
            assert held == len(entries), (name, held)
            size = (tmp / "index.sqlite").stat().st_size if name == "SQLite" else _es_size(index)
            throughput.append(row(name, len(entries), pages, facts_n, seconds, f"{len(entries) / seconds:.0f}",
                                  f"{pages / seconds:.0f}", f"{size / MB:.0f}"))
            print(f"[bench] {name}: {seconds:.1f} s; searching", file=sys.stderr, flush=True)

            bare_search, bare_facts = (bare_fts(tmp / "index.sqlite") if name == "SQLite" else bare_es(index))
            for q in warm:
                index.search(q)
                bare_search(q)
            results: list = []
            cpu: list[float] = []
            hoso = timed([lambda q=q: results.append(index.search(q)) for q in measured], cpu)
            totals = [r.total for r in results]
            capped = sum(not r.total_exact for r in results)
            bare = timed([lambda q=q: bare_search(q) for q in measured])
            by_words = {k: [t for q, t in zip(measured, hoso) if len(q.text.split()) == k] for k in (1, 2, 3)}
            search_rows.append(row(
                name, pct(hoso, 50), pct(hoso, 95), max(hoso), f"{pct(cpu, 50):.1f} / {pct(cpu, 95):.1f}",
                f"{statistics.median(totals):.0f}", capped,
                " / ".join(f"{pct(v, 95):.0f}" for v in by_words.values()),
                pct(bare, 50), pct(bare, 95), ratio(pct(hoso, 95), pct(bare, 95)),
                "yes" if pct(hoso, 95) < SEARCH_TARGET_MS else "**no**"))

            for _, q in syntax_warm:
                index.search(q)
            results, cpu = [], []
            hoso = timed([lambda q=q: results.append(index.search(q)) for _, q in syntax], cpu)
            for kind in SYNTAX:
                picked = [i for i, (k, _) in enumerate(syntax) if k == kind]
                wall, spent = [hoso[i] for i in picked], [cpu[i] for i in picked]
                syntax_rows.append(row(name, kind, len(picked), pct(wall, 50), pct(wall, 95), max(wall),
                                       f"{pct(spent, 50):.1f} / {pct(spent, 95):.1f}",
                                       f"{statistics.median(results[i].total for i in picked):.0f}",
                                       sum(not results[i].total_exact for i in picked)))
            syntax_rows.append(row(name, "**all**", len(hoso), pct(hoso, 50), pct(hoso, 95), max(hoso),
                                   f"{pct(cpu, 50):.1f} / {pct(cpu, 95):.1f}", "", ""))

            for c in lookups[:WARMUP]:
                index.facts(c)
                bare_facts(c)
            found: list[int] = []
            hoso = timed([lambda c=c, f=f: found.append(len(index.facts(c, f))) for c, f in zip(lookups, lookup_fields)])
            bare = timed([lambda c=c: bare_facts(c) for c in lookups])
            facts_rows.append(row(
                name, len(lookups), f"{sum(1 for x in found if x) }", pct(hoso, 50), pct(hoso, 95), max(hoso),
                pct(bare, 50), pct(bare, 95), ratio(pct(hoso, 95), pct(bare, 95)),
                "yes" if pct(hoso, 95) < FACTS_TARGET_MS else "**no**"))
            index.close()
    finally:
        if es_server is not None:
            es_server.stop()

    return [
        f"### Index throughput (`replace_all`, {len(entries)} documents, {len(citizens)} citizen IDs)\n",
        header("backend", "documents", "pages", "facts", "seconds", "documents/s", "pages/s", "size MB"),
        *throughput,
        f"\n### Search latency ({len(measured)} queries after {WARMUP} warm-up, facets counted; ms)\n",
        header("backend", "p50", "p95", "max", "CPU p50 / p95 (client)", "median total hits", "totals capped",
               "p95 by 1/2/3 words", "bare p50", "bare p95", "ratio p95", f"p95 < {SEARCH_TARGET_MS:.0f} ms"),
        *search_rows,
        f"\n### Search syntax and options ({len(syntax)} queries after {WARMUP} warm-up; ms)\n",
        header("backend", "kind", "queries", "p50", "p95", "max", "CPU p50 / p95 (client)", "median total hits",
               "totals capped"),
        *syntax_rows,
        f"\n### Citizen data latency (`facts`, {len(lookups)} citizen IDs, {len(unknown)} unknown; ms)\n",
        header("backend", "lookups", "with facts", "p50", "p95", "max", "bare p50", "bare p95", "ratio p95",
               f"p95 < {FACTS_TARGET_MS:.0f} ms"),
        *facts_rows,
    ]


def _es_size(index) -> int:
    stats = index.client.indices.stats(index=f"{index.alias},{index.facts_alias}", metric="store")
    return int(stats["_all"]["primaries"]["store"]["size_in_bytes"])


def store_section(args, tmp: Path) -> list[str]:
    objects = [os.urandom(MB) for _ in range(args.objects)]
    rows = []
    minio = MinioServer(tmp / "minio").start()
    try:
        stores = {
            "MinIO": open_store(f"s3://{minio.endpoint}/bench",
                                StoreOptions(access_key=minio.access_key, secret_key=minio.secret_key)),
            "file://": open_store(f"file://{tmp}/files"),
        }
        plain = tmp / "plain"
        plain.mkdir()

        def bare_ops(name: str, store) -> tuple[Callable[[str, bytes], object], Callable[[str], bytes]]:
            if name == "MinIO":
                client, bucket = store.client, store.bucket

                def put(key: str, data: bytes) -> object:
                    return client.put_object(bucket, key, io.BytesIO(data), len(data))

                def get(key: str) -> bytes:
                    response = client.get_object(bucket, key)
                    try:
                        return response.read()
                    finally:
                        response.close()
                        response.release_conn()
                return put, get

            def fput(key: str, data: bytes) -> object:  # write + fsync, no temp file/rename/dir fsync
                with open(plain / key.replace("/", "_"), "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())

            def fget(key: str) -> bytes:
                return (plain / key.replace("/", "_")).read_bytes()
            return fput, fget

        def run(op: Callable, items: list, threads: int) -> float:
            start = time.perf_counter()
            if threads == 1:
                for item in items:
                    op(*item)
            else:
                with ThreadPoolExecutor(threads) as pool:
                    list(pool.map(lambda item: op(*item), items))
            return time.perf_counter() - start

        for name, store in stores.items():
            bput, bget = bare_ops(name, store)
            for threads in (1, args.threads):
                tag = f"t{threads}"
                puts = [(f"{tag}/obj-{i:04d}", data) for i, data in enumerate(objects)]
                gets = [(key,) for key, _ in puts]
                results = {}
                results["put"] = (run(store.put, puts, threads),
                                  run(bput, [(f"bare-{k}", d) for k, d in puts], threads))
                results["get"] = (run(store.get, gets, threads), run(bget, [(f"bare-{k}",) for (k,) in gets], threads))
                for op, (hoso_s, bare_s) in results.items():
                    mb = len(objects) * MB / MB
                    rows.append(row(name, op, "sequential" if threads == 1 else f"{threads} threads",
                                    f"{mb / hoso_s:.0f}", f"{len(objects) / hoso_s:.0f}",
                                    f"{mb / bare_s:.0f}", f"{len(objects) / bare_s:.0f}", ratio(mb / hoso_s, mb / bare_s)))
        # sanity: what came back is what went in
        assert stores["MinIO"].get("t1/obj-0000") == objects[0]
        assert stores["file://"].get(f"t{args.threads}/obj-0001") == objects[1]
    finally:
        minio.stop()
    return [
        f"\n### Object store throughput ({args.objects} objects of 1 MB, random bytes)\n",
        "Bare: MinIO = raw SDK `client.put_object`/`get_object` on the same bucket; "
        "file:// = plain `open().write()` + fsync (no temp file, rename or directory fsync).\n",
        header("store", "op", "mode", "HoSo MB/s", "HoSo objects/s", "bare MB/s", "bare objects/s",
               "ratio (HoSo/bare)"),
        *rows,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--objects", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--es-heap", default="2g", help="Elasticsearch heap (-Xms and -Xmx)")
    parser.add_argument("--skip-index", action="store_true")
    parser.add_argument("--skip-store", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hoso-backends-") as tmp_name:
        tmp = Path(tmp_name)
        if not args.skip_index:
            start = time.perf_counter()
            citizens = citizen_ids(random.Random(3), args.citizens)
            entries, cited = corpus(args.documents, citizens)
            generated = time.perf_counter() - start
            print(f"[bench] generated {len(entries)} documents in {generated:.1f} s", file=sys.stderr, flush=True)
            out += index_backends(args, tmp, entries, sorted(cited), citizens)
            out.append(f"\nCorpus generation (not counted above): {generated:.1f} s; "
                       f"{len(cited)} distinct citizens carry facts.")
            del entries
        if not args.skip_store:
            out += store_section(args, tmp)
    out.append(f"\nTotal run time: {time.perf_counter() - began:.0f} s on {os.cpu_count()} cores.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
