"""`hoso`: the command line. The only place that turns exceptions into exit codes."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import json
import os
import re
import signal
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from tqdm import tqdm

import ocr
from ingest import disposal
from ingest.errors import IngestError
from ingest.fsck import fsck
from ingest.indexing import rebuild
from ingest.queue import run_workers
from ingest.reception import DossierForm
from ingest.transfer import import_package
from repository.audit import verify as verify_audit
from repository.errors import DisposalRefused, RepositoryError, RetentionLocked
from repository.model import DocumentStatus
from repository.store import open_store
from repository.signing import load_signer
from repository.transfer import Selection, choose, write_package
from repository.verification import verify_pdf
from search import SearchError, SearchQuery, StatsQuery

from .keys import ROLES, ApiKeys
from .reuse import PURPOSE_MAX, PURPOSE_PATTERN
from .settings import Settings
from .services import Services
from .stats_tables import rows, to_csv

DEV_AGENCY = "000.00.00.H00"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    try:
        return args.run(settings, args) or 0
    except (ocr.OcrError, IngestError, RepositoryError, SearchError) as e:
        print(f"hoso: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hoso", description="HoSo electronic-records repository")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="start the web server and the workers")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(run=_serve)

    work = commands.add_parser("worker", help="read dossiers from the broker's queue (HOSO_BROKER), or pending "
                               "dossiers from the shared store; no web server")
    work.add_argument("--scan", type=float, default=2.0, help="without a broker: seconds between looks for "
                      "pending dossiers")
    work.add_argument("--processes", type=int, help="with a broker: worker processes (default: two per "
                      "HOSO_WORKERS, so one's waits overlap another's reading)")
    work.set_defaults(run=_worker)

    resume = commands.add_parser("resume", help="queue again (with a broker) or read here (without) every "
                                 "dossier the store says is unfinished")
    resume.set_defaults(run=_resume)

    ingest = commands.add_parser("ingest", help="ingest files and folders (one folder = one dossier)")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument("--json", action="store_true", help="print each dossier manifest as a JSON line")
    ingest.add_argument("--procedure", default="UNSPECIFIED", help="procedure code")
    ingest.add_argument("--agency", default=DEV_AGENCY, help="receiving agency's 13-character code")
    ingest.add_argument("--applicant", help="applicant identifier (citizen ID)")
    ingest.add_argument("--kind", default="component", choices=["component", "result"])
    ingest.set_defaults(run=_ingest)

    read = commands.add_parser("ocr", help="print the text of a file; nothing is stored")
    read.add_argument("file", type=Path)
    read.add_argument("--json", action="store_true", help="pages with words, boxes and confidences")
    read.set_defaults(run=_ocr)

    find = commands.add_parser("search", help='search the archive: words, "a phrase", -excluded, 684/QĐ')
    find.add_argument("query")
    find.add_argument("--limit", type=int, default=10)
    find.add_argument("--agency", help="receiving agency's code")
    find.add_argument("--procedure", help="procedure code")
    find.add_argument("--doc-type", help="citizen_id_card, birth_certificate, admin_document, other")
    find.add_argument("--from", dest="received_from", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="received on or after this day (Vietnam time)")
    find.add_argument("--to", dest="received_to", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="received on or before this day (Vietnam time)")
    find.add_argument("--sort", choices=["relevance", "newest"], default="relevance")
    find.add_argument("--json", action="store_true")
    find.set_defaults(run=_search)

    verify = commands.add_parser("verify", help="verify the signatures of a dossier or a PDF file")
    verify.add_argument("target", help="a dossier code or a path to a PDF")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=_verify)

    citizen = commands.add_parser("citizen", help="what HoSo holds about a citizen, with provenance (audited)")
    citizen.add_argument("citizen_id")
    citizen.add_argument("--fields", help="comma-separated field names; all when absent")
    citizen.add_argument("--purpose", required=True, help="why the data is needed (written to the audit log)")
    citizen.set_defaults(run=_citizen)

    keys = commands.add_parser("keys", help="API keys: create, list, revoke")
    key_commands = keys.add_subparsers(required=True, metavar="ACTION")
    create = key_commands.add_parser("create", help="make a key; it is printed once")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--agency", help="the 13-character code of the key's agency (required for reception)")
    create.add_argument("--name", required=True, help="who or what uses it (shown in the audit log)")
    create.set_defaults(run=_keys_create)
    key_commands.add_parser("list", help="keys without their secrets").set_defaults(run=_keys_list)
    revoke = key_commands.add_parser("revoke", help="remove a key by its id")
    revoke.add_argument("key_id")
    revoke.set_defaults(run=_keys_revoke)

    stats = commands.add_parser("stats", help="statistics of digitisation and reuse, from the index")
    stats.add_argument("--agency")
    stats.add_argument("--procedure")
    stats.add_argument("--doc-type")
    stats.add_argument("--kind", choices=["component", "result"])
    stats.add_argument("--from", dest="received_from", type=date.fromisoformat, help="first day YYYY-MM-DD")
    stats.add_argument("--to", dest="received_to", type=date.fromisoformat, help="last day YYYY-MM-DD")
    stats.add_argument("--period", choices=["day", "month"], default="month")
    shape = stats.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true")
    shape.add_argument("--csv", choices=["groups", "fields", "failures"], help="one table as CSV")
    stats.set_defaults(run=_stats)

    again = commands.add_parser("reprocess", help="read failed documents again (after a full disk, an engine failure)")
    again.add_argument("targets", nargs="*", metavar="CODE[/ID]", help="a failed document, or every one of a dossier")
    again.add_argument("--failed", action="store_true", help="every failed document in the store")
    again.set_defaults(run=_reprocess)

    reindex = commands.add_parser("reindex", help="rebuild the search index from the object store")
    reindex.set_defaults(run=_reindex)

    check_store = commands.add_parser("fsck", help="check that the store is whole and the index agrees with it")
    check_store.add_argument("--json", action="store_true")
    check_store.set_defaults(run=_fsck)

    retention = commands.add_parser("retention", help="retention: documents due, disposal, legal holds")
    retention_commands = retention.add_subparsers(required=True, metavar="ACTION")
    listing = retention_commands.add_parser("due", help="documents whose retention has ended")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_retention_due)
    dispose = retention_commands.add_parser("dispose", help="destroy documents whose retention has ended (audited)")
    dispose.add_argument("targets", nargs="*", metavar="CODE[/ID]", help="a document, or every one of a dossier")
    dispose.add_argument("--due", action="store_true", help="every document `hoso retention due` lists")
    dispose.add_argument("--reason", required=True, help="why (the disposal decision), written to the audit log")
    dispose.set_defaults(run=_retention_dispose)
    for action, text in (("hold", "put a document under legal hold"), ("release", "release a legal hold")):
        held = retention_commands.add_parser(action, help=text)
        held.add_argument("target", metavar="CODE/ID")
        held.add_argument("--reason", required=True, help="written to the audit log")
        held.set_defaults(run=_retention_hold, hold=action == "hold")

    export = commands.add_parser("export", help="write dossiers as a transfer package (BagIt, METS + PREMIS)")
    export.add_argument("--out", required=True, type=Path, help="the package to write: a .tar file")
    export.add_argument("--code", dest="codes", action="append", default=[], metavar="CODE",
                        help="a dossier (repeatable); every dossier when no condition is given")
    export.add_argument("--agency", help="receiving agency's code")
    export.add_argument("--from", dest="received_from", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="received on or after this day (Vietnam time)")
    export.add_argument("--to", dest="received_to", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="received on or before this day (Vietnam time)")
    export.add_argument("--doc-type", help="dossiers holding a document of this type")
    export.set_defaults(run=_export)

    take = commands.add_parser("import", help="read a transfer package from another HoSo (all or nothing)")
    take.add_argument("package", type=Path)
    take.set_defaults(run=_import)

    audit = commands.add_parser("audit", help="the audit log")
    audit_commands = audit.add_subparsers(required=True, metavar="ACTION")
    check = audit_commands.add_parser("verify", help="check the hash chains and sealed checkpoints")
    check.add_argument("--json", action="store_true")
    check.set_defaults(run=_audit_verify)
    return parser


def _serve(settings: Settings, args) -> None:
    import uvicorn

    from .app import create_app

    if args.host:
        settings.host = args.host
    if args.port:
        settings.port = args.port
    new_key = ApiKeys(settings.api_keys_path).ensure_admin()
    print(f"HoSo: http://{settings.host}:{settings.port}  (API schema: /v1/openapi.json, "
          f"data: {settings.data_path})", flush=True)
    if new_key:
        print(f"Admin API key (shown once, keep it): {new_key}", flush=True)
    trusted = ",".join(settings.trusted_proxies)  # uvicorn's own default would trust 127.0.0.1
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None)


def _worker(settings: Settings, args) -> None:
    """A processing-only HoSo: takes dossiers off the broker's queue, or without a broker claims
    pending dossiers (as servers do), until stopped."""
    if settings.broker:
        Services.open(settings).trust_roots  # noqa: B018 - the signing identity, before the processes race to
        print(f"HoSo worker: broker {settings.broker.rpartition('@')[2]}, store {settings.store_url}", flush=True)
        # Each process opens its own clients once it runs (after the fork). Two dossiers in
        # flight per core, as in the server's own pool: while one waits (the store, the index
        # making it searchable, a timestamp), the other's pages are read.
        return run_workers(settings.broker, settings.queue, args.processes or 2 * settings.workers,
                           lambda: Services.open(settings).worker_runner())
    services = Services.open(settings)
    services.trust_roots  # noqa: B018 - make the signing identity before the workers start

    async def run() -> None:
        pipeline = services.pipeline()
        pipeline.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        watcher = asyncio.create_task(pipeline.watch(args.scan))
        print(f"HoSo worker {pipeline.owner}: store {settings.store_url}", flush=True)
        await stop.wait()
        watcher.cancel()
        await pipeline.close()

    asyncio.run(run())
    services.close()


def _resume(settings: Settings, args) -> int:
    services = Services.open(settings)

    async def run() -> tuple[int, int]:
        pipeline = services.server_pipeline()
        pipeline.start()
        try:
            count = await pipeline.resume()
            return count, sum(not sent for sent in await pipeline.drain())
        finally:
            await pipeline.close()

    try:
        count, unsent = asyncio.run(run())
    finally:
        services.close()
    print(f"unfinished dossiers {'queued' if settings.broker else 'read'}: {count}")
    if unsent:
        print(f"hoso: the broker did not take {unsent} of them; run `hoso resume` again when it is back",
              file=sys.stderr)
    return 1 if unsent else 0


def _groups(paths: list[Path]) -> list[tuple[str, list[Path]]]:
    """Each folder is a dossier of the files in it; loose files together make one more."""
    loose = [p for p in paths if not p.is_dir()]
    groups = [(str(p), sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")))
              for p in paths if p.is_dir()]
    if loose:
        groups.append((" ".join(map(str, loose)), loose))
    for name, files in groups:
        missing = [f for f in files if not f.is_file()]
        if missing or not files:
            raise IngestError(f"nothing to ingest in {name}" if not files else f"no such file: {missing[0]}")
    return groups


def _ingest(settings: Settings, args) -> int:
    services = Services.open(settings)
    form = DossierForm(procedure_code=args.procedure, agency_code=args.agency, applicant_id=args.applicant,
                       kind=args.kind)
    dossiers = []
    for _, files in _groups(args.paths):
        staged = []
        try:
            for f in files:
                with open(f, "rb") as stream:
                    staged.append(services.reception.stage(f.name, stream))
            dossiers.append(services.reception.receive(form, staged))
        finally:
            for s in staged:
                s.path.unlink(missing_ok=True)
    total = sum(len(d.documents) for d in dossiers)
    bar = tqdm(total=total, unit="doc", desc="ingest", disable=not sys.stderr.isatty())

    def listener(dossier, document) -> None:
        if document.finished:
            bar.update(1)

    async def run():
        pipeline = services.pipeline(listener, watchers=(_PagesRead(bar),))
        pipeline.start()
        try:
            return await asyncio.gather(*(pipeline.process(d) for d in dossiers))
        finally:
            await pipeline.close()

    finished = asyncio.run(run())
    bar.close()
    services.close()
    for dossier in finished:
        if args.json:
            print(dossier.model_dump_json())
        else:
            print(f"{dossier.dossier_code}: {dossier.status.value}")
            for d in dossier.documents:
                print(f"  {d.id} {d.filename}: {d.status.value} {d.doc_type or ''} {d.reason or ''}".rstrip())
    return 0 if all(d.status.value == "done" for d in finished) else 1


class _PagesRead:
    """Pages read so far, beside the documents' bar: a document of fifty pages moves too."""

    def __init__(self, bar: tqdm) -> None:
        self.bar, self.pages = bar, 0

    def page_read(self, seconds: float) -> None:
        self.pages += 1
        self.bar.set_postfix_str(f"{self.pages} pages read")

    def document_finished(self, dossier, document, timings, error) -> None:
        pass


def _ocr(settings: Settings, args) -> int:
    info = ocr.inspect(args.file, settings.ocr)
    with tempfile.TemporaryDirectory(prefix="hoso-ocr-") as workdir, \
            ProcessPoolExecutor(max_workers=settings.workers) as pool:
        futures = [pool.submit(ocr.read_page, args.file, info.media_type, p.index, p.scanned, settings.ocr,
                               Path(workdir)) for p in info.pages]
        pages = [f.result() for f in tqdm(futures, unit="page", desc="ocr", disable=not sys.stderr.isatty())]
    if args.json:
        print(json.dumps({"media_type": info.media_type, "pages": [p.to_json() for p in pages]},
                         ensure_ascii=False))
    else:
        print("\n\f\n".join(p.text for p in pages))
    return 0


def _search(settings: Settings, args) -> int:
    services = Services.open(settings)
    query = SearchQuery(text=args.query, limit=args.limit, agency_code=args.agency, procedure_code=args.procedure,
                        doc_type=args.doc_type, received_from=args.received_from, received_to=args.received_to,
                        sort=args.sort)
    try:
        results = services.index.search(query)
        # Hits show names, ID numbers and birth dates: a read of personal data, logged before it is shown.
        services.audit.record(_operator(), "search", args.query, filters=query.filters(), hits=len(results.hits))
    finally:
        services.close()
    if args.json:
        print(results.model_dump_json())
        return 0
    print(f"{results.total} documents" if results.total_exact else f"more than {results.total} documents")
    for name, counts in results.facets.items():
        if counts:
            print(f"  {name}: " + ", ".join(f"{c.value} ({c.count})" for c in counts))
    for hit in results.hits:
        snippet = hit.snippet.replace("<mark>", "[").replace("</mark>", "]")
        print(f"{hit.dossier_code} {hit.document_id} p.{hit.page} {hit.doc_type}: {snippet}")
    return 0


def _verify(settings: Settings, args) -> int:
    services = Services.open(settings)
    path = Path(args.target)
    if path.is_file():
        reports = {str(path): verify_pdf(path.read_bytes(), services.trust_roots)}
    else:
        dossier = services.records.load(args.target)
        reports = {d.id: verify_pdf(services.records.read(d.archival), services.trust_roots)
                   for d in dossier.documents if d.archival is not None}
    services.close()
    for name, report in reports.items():
        if args.json:
            print(json.dumps({"target": name, **report.model_dump(mode="json")}, ensure_ascii=False))
        else:
            print(f"{name}: {'VALID' if report.valid else 'NOT VALID'}")
            for s in report.signatures:
                verdict = "/".join(filter(None, (s.indication, s.sub_indication)))
                print(f"  {s.field}: {s.signer} — {verdict}: {s.summary}")
            shown = {f"{s.field}: {s.summary}" for s in report.signatures}
            for problem in report.problems:  # those of a signature are on its line already
                if problem not in shown:
                    print(f"  {problem}")
    return 0 if reports and all(r.valid for r in reports.values()) else 1


def _citizen(settings: Settings, args) -> int:
    if not re.match(PURPOSE_PATTERN, args.purpose) or len(args.purpose) > PURPOSE_MAX:
        print(f"hoso: say why the data is needed: --purpose of 3 to {PURPOSE_MAX} characters, not blanks",
              file=sys.stderr)
        return 2
    services = Services.open(settings)
    wanted = [f.strip() for f in (args.fields or "").split(",") if f.strip()]
    answer = services.reuse.citizen_data(args.citizen_id, wanted)
    services.audited(_operator(), "citizen_data.read", args.citizen_id, purpose=args.purpose,
                     requested=wanted or "all", returned=sorted(answer["fields"]))
    services.close()
    print(json.dumps({**answer, "purpose": args.purpose}, ensure_ascii=False, default=str, indent=2))
    return 0 if answer["fields"] else 1


def _keys_create(settings: Settings, args) -> int:
    try:
        print(ApiKeys(settings.api_keys_path).create(role=args.role, name=args.name, agency=args.agency))
    except ValueError as e:
        print(f"hoso: {e}", file=sys.stderr)
        return 2
    return 0


def _keys_list(settings: Settings, args) -> int:
    for key in ApiKeys(settings.api_keys_path).list():
        print(f"{key['id']}  {key['role']:9}  {key['agency'] or '-':13}  {key['created_at']}  {key['name']}")
    return 0


def _keys_revoke(settings: Settings, args) -> int:
    if not ApiKeys(settings.api_keys_path).revoke(args.key_id):
        print(f"hoso: no key {args.key_id}", file=sys.stderr)
        return 1
    return 0


def _stats(settings: Settings, args) -> int:
    services = Services.open(settings)
    found = services.index.statistics(StatsQuery(
        agency_code=args.agency, procedure_code=args.procedure, doc_type=args.doc_type, kind=args.kind,
        received_from=args.received_from, received_to=args.received_to, period=args.period))
    services.close()
    if args.json:
        print(found.model_dump_json(indent=2))
    elif args.csv:
        sys.stdout.write(to_csv(found, args.csv))
    else:
        for row in rows(found, "groups"):
            print("\t".join("" if value is None else str(value) for value in row))
    return 0


def _reprocess(settings: Settings, args) -> int:
    services = Services.open(settings)
    failed = [(d.dossier_code, doc.id) for d in services.records.dossiers() for doc in d.documents
              if doc.status == DocumentStatus.FAILED] if args.failed else []
    for target in args.targets:
        code, _, document_id = target.partition("/")
        failed += [(code, document_id)] if document_id else [
            (code, d.id) for d in services.records.load(code).documents if d.status == DocumentStatus.FAILED]

    async def run() -> list:
        pipeline = services.pipeline()
        pipeline.start()
        try:
            for code, document_id in failed:
                services.audit.record(_operator(), "document.reprocess", f"{code}/{document_id}")
                await pipeline.reprocess(code, document_id)
            codes = dict.fromkeys(code for code, _ in failed)
            return await asyncio.gather(*(pipeline.process(services.records.load(c)) for c in codes))
        finally:
            await pipeline.close()

    try:
        finished = asyncio.run(run())
    finally:
        services.close()
    wanted = set(failed)
    for dossier in finished:
        for d in dossier.documents:
            if (dossier.dossier_code, d.id) in wanted:
                print(f"{dossier.dossier_code}/{d.id}: {d.status.value} {d.reason or ''}".rstrip())
    return 0 if all(d.status == DocumentStatus.DONE for x in finished for d in x.documents
                    if (x.dossier_code, d.id) in wanted) else 1


def _reindex(settings: Settings, args) -> int:
    services = Services.open(settings)
    bar = tqdm(unit="dossier", desc="reindex", disable=not sys.stderr.isatty())
    count = rebuild(services.records, services.index, progress=lambda: bar.update(1))
    bar.close()
    services.close()
    print(f"indexed {count} documents")
    return 0


def _fsck(settings: Settings, args) -> int:
    services = Services.open(settings)
    bar = tqdm(unit="dossier", desc="fsck", disable=not sys.stderr.isatty())
    try:
        report = fsck(services.records, services.index, progress=lambda: bar.update(1))
    finally:
        bar.close()
        services.close()
    if args.json:
        print(json.dumps({"ok": report.ok, **dataclasses.asdict(report)}, ensure_ascii=False))
    else:
        print(f"{report.dossiers} dossiers, {report.documents} documents ({report.done} done, "
              f"{report.failed} failed, {report.disposed} disposed of, "
              f"{report.waiting_for_index} waiting for the index), index {report.indexed}: "
              f"{'clean' if report.ok else 'PROBLEMS'}")
        for problem in report.problems:
            print(f"  {problem}")
    return 0 if report.ok else 1


def _operator() -> str:
    """Who runs a command, as the audit log names them."""
    return f"cli:{getpass.getuser()}"


def _retention_due(settings: Settings, args) -> int:
    services = Services.open(settings)
    bar = tqdm(unit="dossier", desc="due", disable=not sys.stderr.isatty())
    try:
        found = list(disposal.due(services.records, progress=lambda: bar.update(1)))
    finally:
        bar.close()
        services.close()
    for dossier, document in found:
        if args.json:
            print(json.dumps({"dossier_code": dossier.dossier_code, "document_id": document.id,
                              "filename": document.filename, "doc_type": document.doc_type,
                              "period": document.retention.period,
                              "retain_until": document.retention.retain_until.isoformat()}, ensure_ascii=False))
        else:
            print(f"{dossier.dossier_code}/{document.id}  {document.retention.retain_until:%Y-%m-%d}  "
                  f"{document.retention.period:6}  {document.doc_type or '-':17}  {document.filename}")
    return 0


def _retention_targets(services: Services, targets: list[str], due: bool) -> list[tuple[str, str]]:
    """(dossier code, document id) for each CODE/ID, every document of each CODE, or every due one."""
    found = [(d.dossier_code, doc.id) for d, doc in disposal.due(services.records)] if due else []
    for target in targets:
        code, _, document_id = target.partition("/")
        if document_id:
            found.append((code, document_id))
        else:
            found += [(code, d.id) for d in services.records.load(code).documents
                      if d.status != DocumentStatus.DISPOSED]
    return found


def _retention_dispose(settings: Settings, args) -> int:
    services = Services.open(settings)
    who, refused = _operator(), 0
    try:
        targets = _retention_targets(services, args.targets, args.due)
        for code, document_id in tqdm(targets, unit="doc", desc="dispose", disable=not sys.stderr.isatty()):
            try:
                document = disposal.dispose(services.records, services.index, services.audit, code, document_id,
                                            who, args.reason)
            except (DisposalRefused, RetentionLocked) as e:
                print(f"{code}/{document_id}: refused: {e}", file=sys.stderr)
                refused += 1
                continue
            print(f"{code}/{document_id}: disposed of ({document.disposal.versions_removed} object versions "
                  "destroyed)")
    finally:
        services.close()
    return 1 if refused else 0


def _retention_hold(settings: Settings, args) -> int:
    code, _, document_id = args.target.partition("/")
    if not document_id:
        print("hoso: name the document as CODE/ID", file=sys.stderr)
        return 2
    services = Services.open(settings)
    who = _operator()
    try:
        disposal.set_legal_hold(services.records, services.audit, code, document_id, who, args.reason, args.hold)
    finally:
        services.close()
    print(f"{args.target}: {'under legal hold' if args.hold else 'legal hold released'}")
    return 0


def _export(settings: Settings, args) -> int:
    selection = Selection(codes=tuple(args.codes), agency_code=args.agency, received_from=args.received_from,
                          received_to=args.received_to, doc_type=args.doc_type)
    services = Services.open(settings)
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_name(args.out.name + ".part")
    try:
        chosen = choose(services.records, selection)
        bar = tqdm(total=sum(c.documents for c in chosen), unit="doc", desc="export", disable=not sys.stderr.isatty())
        with open(partial, "wb") as out:
            name = write_package(services.records, services.audit, chosen, out, services.trust_roots,
                                 selection=selection, exported_by=_operator(), spool_dir=settings.work_dir,
                                 progress=bar.update)
            out.flush()
            os.fsync(out.fileno())
        bar.close()
        partial.replace(args.out)
    finally:
        partial.unlink(missing_ok=True)
        services.close()
    print(f"{args.out}: {name}, {len(chosen)} dossiers, {sum(c.documents for c in chosen)} documents")
    return 0


def _import(settings: Settings, args) -> int:
    if not args.package.is_file():
        print(f"hoso: no such file: {args.package}", file=sys.stderr)
        return 2
    services = Services.open(settings)
    try:
        codes = import_package(services.records, services.index, services.audit, args.package,
                               services.trust_roots, settings.work_dir, _operator())
    finally:
        services.close()
    for code in codes:
        print(f"{code}: imported")
    return 0


def _audit_verify(settings: Settings, args) -> int:
    signer = load_signer(settings.signing, settings.keys_dir)
    report = verify_audit(open_store(settings.store_url, settings.s3), signer)
    if args.json:
        print(json.dumps({"ok": report.ok, **dataclasses.asdict(report)}, ensure_ascii=False))
    else:
        print(f"{report.entries} entries from {report.writers} writers, {report.checkpoints} checkpoints: "
              f"{'intact' if report.ok else 'NOT INTACT'}")
        for problem in report.problems:
            print(f"  {problem}")
        for note in report.notes:
            print(f"  note: {note}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
