"""Transfer packages at scale: `hoso export` of N documents (default 10,000), its time and the
export process's peak memory, beside the same for a tenth of them: a streamed export holds one
file at a time, so its peak memory must not grow with N.

One real dossier (a born-digital PDF read, signed and indexed by `hoso ingest`) is cloned into
N one-document dossiers of the embedded store, its objects hard-linked (the bytes are the same
signed files; every clone is still fixity-checked, signature-verified and packed on its own).

    .venv/bin/python bench/transfer.py [--documents 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
import vnpages  # noqa: E402

HOSO = Path(sys.executable).parent / "hoso"
AGENCY = "000.17.22.H56"


def run(data: Path, *args: str) -> tuple[float, int]:
    """Seconds and peak resident memory (MiB) of one `hoso` process."""
    env = {**os.environ, "HOSO_DATA_DIR": str(data), "HOSO_WORKERS": "1"}
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen([str(HOSO), *args], env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"hoso {' '.join(args)} failed: {errors.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss // 1024


def clone(data: Path, documents: int) -> list[str]:
    """N one-document dossiers made from the one ingested; their codes."""
    store = data / "store"
    [seed] = [json.loads(p.read_bytes()) for p in store.glob("dossiers/*/manifest.json")]
    seed_code = seed["dossier_code"]
    codes = []
    for n in range(1, documents + 1):
        code = f"{AGENCY}-240101-{n:05d}"
        text = json.dumps(seed).replace(seed_code, code)
        manifest = json.loads(text)
        for name in ("original", "archival", "ocr"):
            source = store / seed["documents"][0][name]["key"]
            target = store / manifest["documents"][0][name]["key"]
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target)
        (store / "dossiers" / code / "manifest.json").write_text(text)
        codes.append(code)
    shutil.rmtree(store / "dossiers" / seed_code)
    return codes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="work here and keep it, instead of a temporary folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="hoso-bench-transfer-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        data = work / "var"
        pdf = vnpages.born_digital_pdf(work / "cong-van.pdf", ["CÔNG VĂN", "Về việc chuyển hồ sơ vào lưu trữ."])
        run(data, "ingest", str(pdf), "--agency", AGENCY)
        clone(data, args.documents)
        print(f"load before: {os.getloadavg()[0]:.1f}")
        rows = []
        for count, code_filter in ((args.documents // 10, f"{AGENCY}-240101-0"), (args.documents, None)):
            out = work / f"export-{count}.tar"
            selection = ["--agency", AGENCY] if code_filter is None else \
                [a for n in range(1, count + 1) for a in ("--code", f"{AGENCY}-240101-{n:05d}")]
            seconds, peak = run(data, "export", "--out", str(out), *selection)
            rows.append((count, seconds, peak, out.stat().st_size / 2**20))
            out.unlink()
        print(f"load after: {os.getloadavg()[0]:.1f}")
        print("| documents | seconds | documents/s | peak memory MiB | package MiB |")
        print("|--:|--:|--:|--:|--:|")
        for count, seconds, peak, size in rows:
            print(f"| {count:,} | {seconds:.1f} | {count / seconds:.1f} | {peak} | {size:.0f} |")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
