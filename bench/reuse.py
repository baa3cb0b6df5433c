"""Reuse at scale: API latency of citizen data and auto-fill on an index of 100,000 documents.

A data directory is built with real records for a few hundred citizens (one-page archival copies
with a scan-sized page image, assembled and signed with the development identity the server
itself uses, so its signature verification genuinely passes), and the index is filled up to the
target size with the generated corpus of bench/backends.py. A real `hoso serve` then answers an
`eform` key: citizen data with all fields and with two, unknown citizens, and auto-fill of the
three shipped forms. Each request is timed beside the bare reference, `index.facts()` on the same
index, and beside the same `Reuse` call made in-process (no HTTP, key check or audit write).
Target: citizen data p95 < 20 ms. Prints Markdown tables.

    .venv/bin/python bench/reuse.py [--documents 100000] [--citizens 200] [--requests 200] [--elastic]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]  # HoSo first: tests/ocr is not `ocr`
import httpx  # noqa: E402
import pikepdf  # noqa: E402
import vndocs  # noqa: E402
from backends import (AGENCIES, GIVEN, MIDDLES, PROCEDURES, START, SURNAMES, citizen_ids, corpus,  # noqa: E402
                      header, pct, ratio, row)
from harness import HOSO, Server  # noqa: E402
from services.elastic import ElasticServer  # noqa: E402

from api.reuse import Reuse, load_forms  # noqa: E402
from ingest.indexing import index_entries  # noqa: E402
from repository import archival  # noqa: E402
from repository.model import (Document, DocumentStatus, DossierKind, Dossier, Field, ObjectRef, Page,  # noqa: E402
                              SignatureSummary)
from repository.records import Records  # noqa: E402
from repository.signing import ArchivalSigner, SigningOptions, load_signer  # noqa: E402
from repository.store import open_store  # noqa: E402
from search import Index, IndexEntry, open_index  # noqa: E402

TARGET_MS = 20.0
BATCH = 2_000  # index entries per upsert transaction
PURPOSE = "đăng ký thường trú"
TWO_FIELDS = ["full_name", "date_of_birth"]
CLERK = "Nguyễn Thị Lan [bench01]"
PROVINCES = {"001": "Hà Nội", "079": "TP. Hồ Chí Minh", "031": "Hải Phòng", "048": "Đà Nẵng",
             "092": "Cần Thơ", "038": "Thanh Hóa", "040": "Nghệ An", "046": "Thừa Thiên Huế"}
STREETS = ["Phố Huế", "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung"]
# What one citizen's documents are: an ID card, a birth certificate, both, or a birth certificate
# and two cards (the renewed one with a new address: two values for place_of_residence).
HOLDINGS = [(["citizen_id_card"], 3), (["birth_certificate"], 1.5),
            (["citizen_id_card", "birth_certificate"], 3.5),
            (["birth_certificate", "citizen_id_card", "citizen_id_card"], 2)]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


# -- the citizens and their real, signed records ------------------------------------------------

@dataclass
class Person:
    citizen_id: str
    name: tuple[str, str, str]
    born: datetime
    sex: str
    origin: str
    documents: list[str] = field(default_factory=list)  # document ids


def people(rng: random.Random, n: int, taken: set[str]) -> list[Person]:
    """Citizens whose 12-digit IDs are plausible (province, century/sex digit, birth year) and
    cited by no generated document."""
    out = []
    for cid in citizen_ids(rng, n * 20):
        century, year = int(cid[3]) // 2, int(cid[4:6])
        born_year = (1900 if century == 0 else 2000) + year
        if cid in taken or cid[:3] not in PROVINCES or not 1940 <= born_year <= 2008:
            continue
        born = datetime(born_year, 1, 1) + timedelta(days=rng.randrange(365))
        out.append(Person(cid, (rng.choice(SURNAMES), rng.choice(MIDDLES), rng.choice(GIVEN)), born,
                          "Nam" if int(cid[3]) % 2 == 0 else "Nữ",
                          f"Xã {rng.choice(GIVEN)}, {PROVINCES[rng.choice(sorted(PROVINCES))]}"))
    rng.shuffle(out)
    return sorted(out[:n], key=lambda p: p.citizen_id)


def page_pdfs(tmp: Path) -> dict[str, Path]:
    """One A4 page per document type: a 300 dpi JPEG (quality 85, as the OCR step makes) on a PDF page."""
    out = {}
    for doc_type, render in (("citizen_id_card", vndocs.render_id_card),
                             ("birth_certificate", vndocs.render_birth_certificate)):
        image = render().convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        with pikepdf.new() as pdf:
            width, height = image.width * 72 / 300, image.height * 72 / 300
            page = pdf.add_blank_page(page_size=(width, height))
            picture = pikepdf.Stream(pdf, buffer.getvalue())
            picture.Type, picture.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
            picture.Width, picture.Height = image.width, image.height
            picture.ColorSpace, picture.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
            picture.Filter = pikepdf.Name.DCTDecode
            name = page.add_resource(picture, pikepdf.Name.XObject, prefix="Im")
            page.contents_add(pikepdf.Stream(pdf, f"q {width:.4f} 0 0 {height:.4f} 0 0 cm {name} Do Q\n".encode()))
            out[doc_type] = tmp / f"{doc_type}.pdf"
            pdf.save(out[doc_type])
    return out


def document_fields(rng: random.Random, person: Person, doc_type: str, nth_card: int) -> dict[str, Field]:
    surname, middle, given = person.name
    name = f"{surname} {middle} {given}"
    values = {"citizen_id": person.citizen_id, "full_name": name.upper() if doc_type == "citizen_id_card" else name,
              "date_of_birth": person.born.strftime("%Y-%m-%d"), "sex": person.sex, "nationality": "Việt Nam",
              "place_of_origin": person.origin}
    if doc_type == "citizen_id_card":
        values["place_of_residence"] = (f"{rng.randint(1, 300)} {rng.choice(STREETS)}, "
                                        f"{PROVINCES[person.citizen_id[:3]]}")
        expiry = person.born.replace(year=person.born.year + 25 * (nth_card + 1), day=min(person.born.day, 28))
        values["date_of_expiry"] = expiry.strftime("%Y-%m-%d")
    else:
        values.update(ethnicity="Kinh", place_of_birth=PROVINCES[person.citizen_id[:3]],
                      father_name=f"{surname} Văn {rng.choice(GIVEN)}",
                      mother_name=f"{rng.choice(SURNAMES)} Thị {rng.choice(GIVEN)}")
    fields = {}
    for i, (key, value) in enumerate(values.items()):
        confirmed = rng.random() < 0.1
        fields[key] = Field(value=value, confidence=1.0 if confirmed else round(rng.uniform(0.82, 0.99), 4), page=1,
                            bbox=[0.35, round(0.2 + 0.05 * i, 3), 0.4, 0.03],
                            confirmed_by=CLERK if confirmed else None,
                            confirmed_at=datetime(2025, 6, 1, tzinfo=timezone.utc) if confirmed else None)
    return fields


def store_records(data: Path, citizens: list[Person], pages: dict[str, Path], rng: random.Random) -> list[IndexEntry]:
    """Dossiers as the pipeline leaves them: original and signed archival copy stored, manifest
    saved with the document done; returns their index entries (with the citizen facts)."""
    records = Records(open_store(f"file://{data / 'store'}"))
    signer = load_signer(SigningOptions(), data / "keys")  # the identity `hoso serve` loads too
    entries: list[IndexEntry] = []
    sequence, done = 0, 0
    plans = [(p, rng.choices([h for h, _ in HOLDINGS], weights=[w for _, w in HOLDINGS])[0]) for p in citizens]
    total = sum(len(kinds) for _, kinds in plans)
    for person, kinds in plans:
        groups = [[k] for k in kinds]
        if kinds[:2] == ["citizen_id_card", "birth_certificate"] and rng.random() < 0.3:
            groups = [kinds[:2], *[[k] for k in kinds[2:]]]  # handed in together: one dossier
        cards = 0
        for group in groups:
            sequence += 1
            received = START + timedelta(seconds=rng.randrange(4 * 365 * 86400))
            agency = rng.choice(AGENCIES)
            dossier = Dossier(dossier_code=f"{agency}-{received:%y%m%d}-{sequence:04d}",
                              procedure_code=rng.choice(PROCEDURES), applicant_id=person.citizen_id,
                              agency_code=agency, kind=DossierKind.COMPONENT, received_at=received, documents=[])
            for doc_type in group:
                document_id = f"real-{sequence:05d}-{len(dossier.documents) + 1}"
                document = _signed_document(records, signer, dossier, document_id, doc_type, pages[doc_type],
                                            document_fields(rng, person, doc_type, cards), received)
                cards += doc_type == "citizen_id_card"
                dossier.documents.append(document)
                person.documents.append(document.id)
                done += 1
                if done % 50 == 0 or done == total:
                    log(f"signed and stored {done}/{total} documents")
            records.save(dossier)
            entries += index_entries(dossier)
    return entries


def _signed_document(records: Records, signer: ArchivalSigner, dossier: Dossier, document_id: str, doc_type: str,
                     page: Path, fields: dict[str, Field], received: datetime) -> Document:
    filename = f"{doc_type}.pdf"
    code = dossier.dossier_code
    original = records.put_document_file(code, document_id, "original.pdf", page)
    unsigned = archival.assemble([archival.PagePart(page)], archival.Description(
        title=filename, dossier_code=code, document_id=document_id, agency_code=dossier.agency_code,
        doc_type=doc_type))
    signed = signer.sign(unsigned, reason=f"Số hóa hồ sơ {code}", location="HoSo")
    archival_ref = records.put_document_object(code, document_id, "archival.pdf", signed)
    text = "\n".join(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                      "CĂN CƯỚC CÔNG DÂN" if doc_type == "citizen_id_card" else "GIẤY KHAI SINH",
                      *(f"{name}: {f.value}" for name, f in fields.items())])
    return Document(
        id=document_id, filename=filename, media_type="application/pdf", status=DocumentStatus.DONE,
        original=ObjectRef(key=original.key, sha256=original.sha256, size=original.size), archival=archival_ref,
        doc_type=doc_type, fields=fields,
        pages=[Page(number=1, width=595.44, height=841.68, source="ocr", dpi=300, confidence=0.93,
                    review_words=3, steps=["deskew"], text=text)],
        signature=SignatureSummary(level="B-B", signer=signer.subject, signed_at=received + timedelta(minutes=2),
                                   development=signer.development),
        processed_at=received + timedelta(minutes=2))


def fill_index(index: Index, real: list[IndexEntry], generated: list[IndexEntry], name: str) -> None:
    index.upsert(real)
    for start in range(0, len(generated), BATCH):
        index.upsert(generated[start:start + BATCH])
        if (start // BATCH) % 5 == 4 or start + BATCH >= len(generated):
            log(f"{name}: indexed {min(start + BATCH, len(generated))}/{len(generated)} generated documents")


# -- measuring ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    kind: str
    citizen_id: str
    fields: list[str] | None  # what the index is asked for (the bare reference)
    form: str | None = None


def plan(rng: random.Random, citizens: list[Person], n: int, forms: dict) -> list[Request]:
    known = [p.citizen_id for p in citizens]
    out = []
    for _ in range(n):
        out.append(Request("citizen data, all fields", rng.choice(known), None))
        out.append(Request("citizen data, 2 fields", rng.choice(known), TWO_FIELDS))
        # A 12-digit ID of province, digit 9, eight digits: no citizen of either corpus.
        unknown = f"{rng.choice(sorted(PROVINCES))}9{rng.randrange(10**8):08d}"
        out.append(Request("citizen data, unknown citizen", unknown, None))
        for form_id, form in sorted(forms.items()):
            out.append(Request(f"autofill {form_id}", rng.choice(known), sorted({f["source"] for f in form.fields}),
                               form_id))
    rng.shuffle(out)  # kinds interleaved: a passing load spike hits all alike
    return out


def call(client: httpx.Client, request: Request) -> httpx.Response:
    if request.form:
        return client.post("/v1/autofill", json={"form": request.form, "citizen_id": request.citizen_id,
                                                 "purpose": PURPOSE})
    params = {"purpose": PURPOSE}
    if request.fields:
        params["fields"] = ",".join(request.fields)
    return client.get(f"/v1/citizens/{request.citizen_id}/data", params=params)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def check(request: Request, response: httpx.Response, person: Person | None) -> None:
    """The answer is right: known citizens get their values from every one of their documents."""
    assert response.status_code == 200, (request, response.status_code, response.text[:300])
    body = response.json()
    if person is None:
        assert not body["fields"] or all(f["missing"] for f in body["fields"].values()), body
    elif request.form:
        filled = {f["source"]: f for f in body["fields"].values()}
        assert filled["citizen_id"]["value"] == person.citizen_id and not filled["full_name"]["missing"], body
    else:
        sources = {v["provenance"]["document_id"] for f in body["fields"].values() for v in f["values"]}
        assert sources == set(person.documents), (request, sources, person.documents)
        assert all(v["provenance"]["signature_valid"] for f in body["fields"].values() for v in f["values"])


def measure(server: Server, token: str, index: Index, reuse: Reuse, citizens: list[Person],
            requests: list[Request]) -> list[str]:
    by_id = {p.citizen_id: p for p in citizens}
    http = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    times: dict[str, dict[str, list[float]]] = {}

    def run(request: Request, kind: str) -> None:
        person = by_id.get(request.citizen_id)
        ms, response = timed(lambda: call(http, request))
        check(request, response, person)
        inproc, _ = timed(lambda: reuse.autofill(request.form, request.citizen_id) if request.form
                          else reuse.citizen_data(request.citizen_id, request.fields))
        bare, _ = timed(lambda: index.facts(request.citizen_id, request.fields))
        for name, value in (("hoso", ms), ("inproc", inproc), ("bare", bare)):
            times.setdefault(kind, {}).setdefault(name, []).append(value)

    with http:
        log(f"first read of each of {len(citizens)} citizens (signatures verified, then remembered)")
        for person in citizens:  # also the warm-up: every source's verdict is cached after this
            run(Request("first read", person.citizen_id, None), "first read of a citizen (verifies signatures)")
        for request in requests[:20]:
            call(http, request)
        log(f"timing {len(requests)} requests")
        for request in requests:
            run(request, request.kind)
    rows = []
    order = ["first read", "citizen data, all", "citizen data, 2", "citizen data, unknown", "autofill"]
    for kind, t in sorted(times.items(), key=lambda kv: (next(i for i, o in enumerate(order) if kv[0].startswith(o)),
                                                         kv[0])):
        p95 = pct(t["hoso"], 95)
        verdict = "yes" if p95 < TARGET_MS else "**no**"
        rows.append(row(kind, len(t["hoso"]), pct(t["hoso"], 50), p95, max(t["hoso"]), pct(t["inproc"], 95),
                        pct(t["bare"], 50), pct(t["bare"], 95), ratio(p95, pct(t["bare"], 95)),
                        verdict if kind.startswith("citizen data") else f"({verdict})"))
    return rows


def serve_and_measure(args, data: Path, index_url: str, index: Index, citizens: list[Person],
                      requests: list[Request], env: dict[str, str]) -> list[str]:
    server = Server(data, {"HOSO_WORKERS": "1", **env})
    log(f"starting hoso serve on {index_url}")
    server.start()
    try:
        token = subprocess.run([str(HOSO), "keys", "create", "--role", "eform", "--name", "bench/reuse.py"],
                               env=server.env, capture_output=True, text=True, check=True, timeout=120).stdout.strip()
        records = Records(open_store(f"file://{data / 'store'}"))
        reuse = Reuse(index, records, load_signer(SigningOptions(), data / "keys").trust_roots)
        before = load()
        rows = measure(server, token, index, reuse, citizens, requests)
        return [f"Load average (1/5/15 min) before / after timing: {before} → {load()}.\n",
                header("request", "n", "HoSo p50", "HoSo p95", "HoSo max", "in-process p95", "bare p50",
                       "bare p95", "ratio p95", f"p95 < {TARGET_MS:.0f} ms"),
                *rows]
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000, help="generated documents beside the real ones")
    parser.add_argument("--citizens", type=int, default=200, help="citizens with real, signed records")
    parser.add_argument("--requests", type=int, default=200, help="timed requests of each kind")
    parser.add_argument("--elastic", action="store_true", help="also measure on a real Elasticsearch")
    parser.add_argument("--es-heap", default="2g", help="Elasticsearch heap (-Xms and -Xmx)")
    args = parser.parse_args()
    began = time.perf_counter()
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hoso-reuse-") as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "data"
        log(f"generating {args.documents} documents (bench/backends.py corpus)")
        pool = citizen_ids(random.Random(3), max(args.documents, 1))
        generated, _ = corpus(args.documents, pool)
        citizens = people(random.Random(13), args.citizens, set(pool))
        log(f"signing real records for {len(citizens)} citizens")
        start = time.perf_counter()
        real = store_records(data, citizens, page_pdfs(tmp), random.Random(17))
        signing_s = time.perf_counter() - start
        dossiers = len({e.dossier_code for e in real})
        archival_kb = sum((data / "store" / "dossiers" / e.dossier_code / "documents" / e.document_id / "archival.pdf")
                          .stat().st_size for e in real) / len(real) / 1024
        facts = sum(len(e.facts) for e in real + generated)
        requests = plan(random.Random(23), citizens, args.requests, load_forms())

        url = f"sqlite:///{data / 'index.sqlite'}"
        index = open_index(url)
        start = time.perf_counter()
        fill_index(index, real, generated, "SQLite")
        indexing_s = time.perf_counter() - start
        out += [f"### Citizen data and auto-fill over HTTP, SQLite index "
                f"({index.count()} documents, {facts} facts; ms)\n",
                *serve_and_measure(args, data, url, index, citizens, requests, {})]
        index.close()

        if args.elastic:
            log("starting Elasticsearch")
            es = ElasticServer(tmp / "es", heap=(args.es_heap, args.es_heap)).start()
            try:
                url = f"{es.url}?prefix=bench"
                index = open_index(url)
                fill_index(index, real, generated, "Elasticsearch")
                out += [f"\n### The same on Elasticsearch ({index.count()} documents; ms)\n",
                        *serve_and_measure(args, data, url, index, citizens, requests, {"HOSO_INDEX": url})]
                index.close()
            finally:
                es.stop()

    out.insert(0, (f"{len(citizens)} citizens with {len(real)} real signed documents in {dossiers} dossiers "
                   f"(archival copies {archival_kb:.0f} KB on average, signed in {signing_s:.0f} s) among "
                   f"{len(generated)} generated documents (SQLite indexing {indexing_s:.0f} s). Kinds are "
                   f"interleaved; \"in-process\" is the same `Reuse` call without HTTP, key check or audit "
                   f"write; \"bare\" is `index.facts()` for the same citizen and fields. An unknown citizen "
                   f"costs reuse one empty index lookup, so its row is the fixed cost of any request: HTTP, "
                   f"the key check and the audit entry written durably before the answer leaves.\n"))
    out.append(f"\nTotal run time: {time.perf_counter() - began:.0f} s on {os.cpu_count()} cores.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
