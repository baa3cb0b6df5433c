"""OCR quality on real-looking scans (issue 4): bare `tesseract -l vie` against HoSo's page reader
on Vietnamese administrative pages printed in several fonts and spoiled the ways scans are
(bench/degrade.py). Prints character error rate and seconds per page per core, per kind and
overall, and HoSo's worst pages.

    .venv/bin/python bench/ocr_quality.py [--pages-per-kind 3] [--kinds clean,phone] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]  # HoSo first: tests/ocr is not `ocr`
os.environ["OMP_THREAD_LIMIT"] = "1"  # one core per reader; the pool gives the parallelism
import degrade  # noqa: E402
import vnpages  # noqa: E402

import ocr  # noqa: E402

READERS = ("HoSo", "tesseract")


@dataclass(frozen=True)
class Reading:
    sample: degrade.Sample
    reader: str
    cer: float
    seconds: float  # wall time
    cpu: float  # processor time of the reader and the programs it ran: immune to other load


def bare(path: Path, workdir: Path) -> str:
    return subprocess.run(["tesseract", str(path), "-", "-l", "vie"], capture_output=True, text=True,
                          check=True).stdout


def hoso(path: Path, workdir: Path) -> str:
    options = ocr.OcrOptions()
    info = ocr.inspect(path, options)
    return ocr.read_page(path, info.media_type, 0, info.pages[0].scanned, options, workdir).text


def read(sample: degrade.Sample, reader: str, scratch: Path) -> Reading:
    workdir = Path(tempfile.mkdtemp(prefix=f"{reader}-", dir=scratch))
    start, cpu = time.perf_counter(), _cpu()
    text = (hoso if reader == "HoSo" else bare)(sample.path, workdir)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    return Reading(sample, reader, vnpages.cer(sample.truth, text), seconds, cpu)


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def table(readings: list[Reading], key, label: str) -> list[str]:
    groups: dict[str, dict[str, list[Reading]]] = {}
    for r in readings:
        groups.setdefault(key(r), {}).setdefault(r.reader, []).append(r)
    groups["**all**"] = {reader: [r for r in readings if r.reader == reader] for reader in READERS}
    lines = [f"| {label} | pages | HoSo CER | tesseract CER | CER ratio "
             "| HoSo s/page | tesseract s/page | time ratio | HoSo CPU s/page | tesseract CPU s/page | CPU ratio |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for name, by_reader in groups.items():
        cer = {reader: _mean([r.cer for r in by_reader.get(reader, [])]) for reader in READERS}
        secs = {reader: _mean([r.seconds for r in by_reader.get(reader, [])]) for reader in READERS}
        cpu = {reader: _mean([r.cpu for r in by_reader.get(reader, [])]) for reader in READERS}
        lines.append(f"| {name} | {len(by_reader.get('HoSo', []))} | {cer['HoSo']:.2%} | {cer['tesseract']:.2%} "
                     f"| {_ratio(cer['HoSo'], cer['tesseract'])} | {secs['HoSo']:.2f} | {secs['tesseract']:.2f} "
                     f"| {_ratio(secs['HoSo'], secs['tesseract'])} | {cpu['HoSo']:.2f} | {cpu['tesseract']:.2f} "
                     f"| {_ratio(cpu['HoSo'], cpu['tesseract'])} |")
    return lines


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "∞" if a else "1.00"


def read_all(samples: list, made: str, generated: float, jobs: int, scratch: Path) -> tuple[list[Reading], float]:
    """Every sample read by each reader on `jobs` processes; says what is read first, prints
    the tables by kind and by font after; the readings and the wall time they took."""
    print(f"{len(samples)} pages ({made}; fonts {', '.join(sorted({s.font for s in samples}))}) generated in "
          f"{generated:.0f} s; reading with {jobs} processes, tesseract {ocr.engine_version()}\n", flush=True)
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        futures = [pool.submit(read, s, reader, scratch) for s in samples for reader in READERS]
        readings = [f.result() for f in futures]
    elapsed = time.perf_counter() - start
    print("\n".join(table(readings, lambda r: r.sample.kind, "kind")))
    print()
    print("\n".join(table(readings, lambda r: r.sample.font, "font")))
    return readings, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages-per-kind", type=int, default=3)
    parser.add_argument("--kinds", help=f"comma-separated, of: {','.join(degrade.KINDS)}")
    parser.add_argument("--jobs", type=int, default=2, help="reader processes, one core each")
    args = parser.parse_args()
    kinds = args.kinds.split(",") if args.kinds else degrade.KINDS
    unknown = set(kinds) - set(degrade.KINDS)
    if unknown:
        parser.error(f"unknown kinds {', '.join(sorted(unknown))}; choose from {', '.join(degrade.KINDS)}")

    with tempfile.TemporaryDirectory(prefix="hoso-ocr-quality-") as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        samples = degrade.evaluation_set(tmp / "pages", args.pages_per_kind, kinds)
        readings, elapsed = read_all(samples, f"{len(kinds)} kinds × {args.pages_per_kind}",
                                     time.perf_counter() - start, args.jobs, tmp)

    print()
    print("HoSo's worst pages:")
    for r in sorted((r for r in readings if r.reader == "HoSo"), key=lambda r: -r.cer)[:3]:
        print(f"- {r.sample.path.name} ({r.sample.kind}, {r.sample.font}): CER {r.cer:.2%}")
    print(f"\nReading took {elapsed:.0f} s of wall time on {args.jobs} processes; s/page is per core "
          f"(OMP_THREAD_LIMIT=1): wall time of one reading, and CPU time (user + system, of the reader "
          f"and of the Tesseract it ran), which other load on the machine inflates much less. "
          f"Load average now: {os.getloadavg()[0]:.1f}. CER: Levenshtein over NFC text, whitespace collapsed.")


if __name__ == "__main__":
    main()
