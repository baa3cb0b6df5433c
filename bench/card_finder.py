"""The card finder alone (`ocr.card.find`) on the photos of bench/cards.py, against the corners the
generator laid the card at, and the doc_type each photo is then given by HoSo's reading.

A card is "found" when each of its four corners is within 2% of the card's diagonal of the true
one, "off" when a quadrilateral was found but a corner is further, "not found" when none was.
The doc_type is HoSo's whole reading of the photo (`ocr.read_page`, then `classify`), and a wrong
one is listed with its cause: no card found, a card found off, a card cut out but not read as one
(the photo then read as a page), or a card read whose print gave no card cue.
There is no bare tool beside the finder here: bare Tesseract finds no card; bench/cards.py puts
HoSo's fields beside it.

    python bench/card_finder.py [--part tuning|held-out] [--first 0] [--photos 220] [--workers 1]
        [--seeds 1,2,3] [--no-read] [--made-by vncards|other]

``--made-by other``: the cards of tests/othercards.py, printed and photographed another way.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from cards import MAKERS  # noqa: E402

import ocr  # noqa: E402
from ingest.classify import classify  # noqa: E402
from ocr import card  # noqa: E402
from ocr.sources import load_page  # noqa: E402

HELD_OUT = 100_000
CLOSE = 0.02  # of the card's diagonal


@dataclass
class Outcome:
    seed: int
    kind: str
    side: str
    notes: list[str]
    error: float | None  # the furthest corner from the true one, in card diagonals; None: not found
    seconds: float  # the finder's
    doc_type: str | None  # None when the photo was not read (--no-read)
    steps: list[str]
    codes: list[str]

    @property
    def finding(self) -> str:
        return "not found" if self.error is None else "found" if self.error <= CLOSE else "off"

    @property
    def cause(self) -> str:
        if self.finding != "found":
            return f"card {self.finding}"
        return "card read, no card cue" if "card" in self.steps else "card cut out, read as a page"


def corner_error(found: np.ndarray, truth: list[tuple[float, float]]) -> float:
    """The furthest found corner from its true one, in card diagonals, the found corners taken in
    the true order or half a turn from it (the finder does not know which way up the card is)."""
    truth = np.float32(truth)
    diagonal = float(np.linalg.norm(truth[0] - truth[2]))
    return min(float(np.linalg.norm(np.roll(truth, -roll, axis=0) - found, axis=1).max())
               for roll in (0, 2)) / diagonal


def run(seed: int, read: bool, made_by: str = "vncards") -> list[Outcome]:
    _, shots = MAKERS[made_by](seed)
    outcomes = []
    with tempfile.TemporaryDirectory() as scratch:
        for i, (side, photo) in enumerate(shots):
            path = Path(scratch) / f"photo-{i}.jpg"
            path.write_bytes(photo.jpeg)
            pixels, _ = load_page(path, "image/jpeg", 0, ocr.OcrOptions())  # turned as its EXIF tag says
            started = time.perf_counter()
            found = card.find(pixels)
            seconds = time.perf_counter() - started
            error = None if found is None else corner_error(found.corners, photo.corners)
            doc_type, steps, codes = None, [], []
            if read:
                work = Path(scratch) / f"work-{i}"
                work.mkdir()
                page = ocr.read_page(path, "image/jpeg", 0, True, ocr.OcrOptions(), work)
                doc_type, steps, codes = classify([page]), page.steps, [c.kind for c in page.codes]
            outcomes.append(Outcome(seed, side.kind, side.side, photo.notes, error, seconds, doc_type, steps, codes))
    return outcomes


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f}% ({n}/{d})" if d else "-"


def report(title: str, outcomes: list[Outcome], show: bool) -> None:
    print(f"\n## {title}: {len(outcomes)} photos\n")
    print("| photos | n | found (corners within 2%) | off | not found | doc_type right |")
    print("|---|--:|--:|--:|--:|--:|")
    groups = [("all", outcomes)] + [(f"on {ground}", [o for o in outcomes if ground in o.notes])
                                    for ground in sorted({o.notes[0] for o in outcomes})]
    for name, chosen in groups:
        counts = Counter(o.finding for o in chosen)
        read = [o for o in chosen if o.doc_type is not None]
        right = sum(o.doc_type == "citizen_id_card" for o in read)
        print(f"| {name} | {len(chosen)} | {_pct(counts['found'], len(chosen))} | {counts['off']} | "
              f"{counts['not found']} | {_pct(right, len(read)) if read else 'not read'} |")
    seconds = sorted(o.seconds for o in outcomes)
    errors = sorted(o.error for o in outcomes if o.error is not None)
    print(f"\nfinder seconds per photo (one core): median {seconds[len(seconds) // 2]:.3f}, "
          f"max {seconds[-1]:.3f}; corner error of the cards found: median {errors[len(errors) // 2]:.2%}, "
          f"max {errors[-1]:.2%}" if errors else "")
    wrong = [o for o in outcomes if o.doc_type not in (None, "citizen_id_card")]
    if wrong:
        print("doc_type wrong, by cause: " + ", ".join(f"{c} {n}" for c, n in Counter(o.cause for o in wrong).items()))
    if not show:
        return
    print()
    for o in outcomes:
        if o.finding != "found" or o.doc_type not in (None, "citizen_id_card"):
            error = "-" if o.error is None else f"{o.error:.2%}"
            print(f"seed {o.seed} {o.kind} {o.side} {o.notes}: {o.finding} ({error}), doc_type {o.doc_type}, "
                  f"steps {o.steps}, codes {o.codes}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("tuning", "held-out"), default="tuning")
    parser.add_argument("--first", type=int, default=0, help="first seed of the part")
    parser.add_argument("--photos", type=int, default=220, help="cards (each gives a front and a back photo)")
    parser.add_argument("--seeds", help="comma-separated seeds of the tuning part instead")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-read", action="store_true", help="the finder only, no doc_type (quicker)")
    parser.add_argument("--made-by", choices=sorted(MAKERS), default="vncards",
                        help="the cards' printer and photographer: vncards, or another made differently")
    args = parser.parse_args()
    base = HELD_OUT if args.part == "held-out" else 0
    seeds = list(range(base + args.first, base + args.first + args.photos))
    if args.seeds:
        seeds = [int(s) for s in args.seeds.split(",") if int(s) < HELD_OUT]
    with ProcessPoolExecutor(args.workers) as pool:
        outcomes = [o for batch in pool.map(run, seeds, [not args.no_read] * len(seeds),
                                            [args.made_by] * len(seeds)) for o in batch]
    title = f"{args.part} part{' (made by othercards)' if args.made_by == 'other' else ''}, " \
        f"seeds {args.seeds or f'{seeds[0]}-{seeds[-1]}'}"
    report(title, outcomes, show=args.part == "tuning")  # the held-out part's photos are never looked at


if __name__ == "__main__":
    main()
