"""OCR on pages made differently from HoSo's own (bench/otherpages.py, issue 15): HoSo's page
reader beside bare `tesseract -l vie`, character error rate and seconds per page, per kind.
Target: at most 0.5% of characters wrong overall, no kind over 1.5%.

Tune on `--part tuning` (its worst pages are named); report `--part held-out`, whose pages are
never looked at one by one.

    .venv/bin/python bench/ocr_otherpages.py --part tuning [--pages-per-kind 3] [--kinds fax,jpeg] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import ocr_quality  # noqa: E402  (puts HoSo and tests/ on the path; one reader per core)
import otherpages  # noqa: E402


PARTS = {"tuning": otherpages.TUNING, "held-out": otherpages.HELD_OUT}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=PARTS, required=True)
    parser.add_argument("--pages-per-kind", type=int, default=3)
    parser.add_argument("--kinds", help=f"comma-separated, of: {','.join(otherpages.KINDS)}")
    parser.add_argument("--jobs", type=int, default=2, help="reader processes, one core each")
    args = parser.parse_args()
    kinds = args.kinds.split(",") if args.kinds else otherpages.KINDS
    if unknown := set(kinds) - set(otherpages.KINDS):
        parser.error(f"unknown kinds {', '.join(sorted(unknown))}; choose from {', '.join(otherpages.KINDS)}")

    with tempfile.TemporaryDirectory(prefix="hoso-otherpages-") as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        with ProcessPoolExecutor(args.jobs) as pool:
            planned = otherpages.plan(PARTS[args.part], args.pages_per_kind, kinds)
            samples = list(pool.map(otherpages.make, *zip(*planned, strict=True), [tmp] * len(planned)))
        readings, elapsed = ocr_quality.read_all(
            samples, f"{args.part} part, {len(kinds)} kinds × {args.pages_per_kind}", time.perf_counter() - start,
            args.jobs, tmp)
    if args.part == "tuning":
        print("\nHoSo's worst pages:")
        for r in sorted((r for r in readings if r.reader == "HoSo"), key=lambda r: -r.cer)[:4]:
            print(f"- {r.sample.kind} seed {r.sample.seed} ({r.sample.font}): CER {r.cer:.2%}")
    print(f"\nReading took {elapsed:.0f} s of wall time on {args.jobs} processes (OMP_THREAD_LIMIT=1). "
          f"Load average now: {os.getloadavg()[0]:.1f}. CER: Levenshtein over NFC text, whitespace collapsed.")


if __name__ == "__main__":
    main()
