"""ID cards as people photograph them: HoSo's card reading beside bare Tesseract, same photos.

Cards are made by tests/vncards.py (2021 chip cards, 2024 cards, 12- and 9-digit ID cards,
fronts and backs, synthetic people) and photographed in software on wood, cloth and white
tables: near and far, turned any way, tilted up to 35°, in perspective, with glare, shadows,
phone JPEG quality, some resized by a chat app, some turned by an EXIF tag only.

Seeds below HELD_OUT are the tuning part; the held-out part (seeds from HELD_OUT on) was never
looked at while HoSo's reading was changed, and is the figure to report. With ``--made-by
other``, the cards are printed and photographed another way (tests/othercards.py: other fonts,
the print off its place, fingers over the edge, other tables, blur, a lamp's cast and sheen,
chat-app resizing), so that a reading tuned to vncards' photos shows it; its parts are split
by the same seeds. With ``--cut``, each card is not photographed on a desk but given as a photo
cut to its edges (``vncards.cut``: 120-250 dpi, turned any quarter, its edges up to 2% off).

Per field: right (the value HoSo gives equals the card's), wrong without review (the failure
that matters: a wrong value nobody is told to check), wrong or missing with review. Fields are
counted on photos where the QR code or the MRZ was read, and on those where only print was; of
those, also without the fields only the side's code holds (a chip front's old ID number, a chip
back's ID and birth date), which print alone cannot give.
Bare Tesseract (`tesseract photo - -l vie`) gets a field right when the printed value appears
anywhere in its text: a generous reading, since it finds no fields at all.
The advice to take a photo again (ingest/capture.py) is scored against what the photo gave: a
photo is spoilt when a field of its side was missing or wrong (with review or without); the
advice's precision is the share of photos told to retake that were spoilt, its recall the share
of spoilt photos told, and its false alarms the photos read whole that were told to retake.

    python bench/cards.py [--photos 60] [--part held-out|tuning|both] [--workers 2] [--made-by other] [--cut]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import othercards  # noqa: E402
import vncards  # noqa: E402

import ocr  # noqa: E402
from ingest import capture  # noqa: E402
from ingest.classify import classify  # noqa: E402
from ingest.extract import extract  # noqa: E402

HELD_OUT = 100_000
MAKERS = {"vncards": vncards.sample, "other": othercards.sample}


@dataclass
class Outcome:
    kind: str
    side: str
    seed: int
    notes: list[str]
    doc_type: str
    machine: bool  # a QR code or an MRZ was read
    seconds: float
    bare_seconds: float
    fields: dict[str, str] = field(default_factory=dict)  # name: right | wrong | wrong-review | missing
    code_only: set[str] = field(default_factory=set)  # fields of this side that only its code holds
    bare: dict[str, bool] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)  # what was wrong, for --show
    retake: bool = False  # the clerk was told to take the photo again
    capture: list[tuple[str, str]] = field(default_factory=list)  # the capture problems: kind, text

    @property
    def spoilt(self) -> bool:
        return any(r != "right" for r in self.fields.values())


def _same(name: str, want: str, got: str | None) -> bool:
    if got is None:
        return False
    norm = lambda s: " ".join(unicodedata.normalize("NFC", s).split()).casefold()  # noqa: E731
    return norm(want) == norm(got)


def _printed(name: str, value: str) -> str:
    """How a value is printed on the card, for the search in bare Tesseract's text."""
    if name.startswith("date_of_") and len(value) == 10 and value[4] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    return value


def run(seed: int, bare_too: bool = True, made_by: str = "vncards", cut: bool = False) -> list[Outcome]:
    _, shots = MAKERS[made_by](seed)
    if cut:  # the same cards, each photo cut to the card's edges instead
        shots = [(card, vncards.cut(card, random.Random(2 * seed + i))) for i, (card, _) in enumerate(shots)]
    options = ocr.OcrOptions()
    outcomes = []
    with tempfile.TemporaryDirectory() as scratch:
        for i, (card, photo) in enumerate(shots):
            path = Path(scratch) / f"photo-{i}.jpg"
            path.write_bytes(photo.jpeg)
            work = Path(scratch) / f"work-{i}"
            work.mkdir()
            started = time.perf_counter()
            page = ocr.read_page(path, "image/jpeg", 0, True, options, work)
            doc_type = classify([page])
            fields = extract(doc_type, [page])
            seconds = time.perf_counter() - started
            told = capture.report(doc_type, "image/jpeg", [page], fields)
            started = time.perf_counter()
            bare = subprocess.run(["tesseract", str(path), "-", "-l", "vie"], capture_output=True, text=True,
                                  timeout=300).stdout if bare_too else ""
            bare_seconds = time.perf_counter() - started
            outcome = Outcome(card.kind, card.side, seed, photo.notes, doc_type, bool(page.codes), seconds, bare_seconds,
                              code_only=vncards.CODE_ONLY.get((card.kind, card.side), set()),
                              retake=bool(told and told.retake),
                              capture=[(p.kind, p.text) for p in told.problems] if told else [])
            flat_bare = " ".join(unicodedata.normalize("NFC", bare).split())
            for name, want in card.truth.items():
                got = fields.get(name)
                if got is None:
                    outcome.fields[name] = "missing"
                elif _same(name, want, got.value):
                    outcome.fields[name] = "right"
                else:
                    outcome.fields[name] = "wrong-review" if got.review else "wrong"
                if outcome.fields[name] != "right":
                    outcome.misses.append(f"seed {seed} {card.kind} {card.side} {photo.notes} "
                                          f"{'code' if outcome.machine else 'print'} {doc_type}: {name} "
                                          f"{outcome.fields[name]}: want {want!r}, got {got.value if got else None!r}")
                outcome.bare[name] = _printed(name, want) in flat_bare
            outcomes.append(outcome)
    return outcomes


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f}% ({n}/{d})" if d else "    -"


def report(title: str, outcomes: list[Outcome]) -> None:
    print(f"\n## {title}: {len(outcomes)} photos of {len({(o.kind, o.side) for o in outcomes})} card sides\n")
    print("| part | HoSo fields right | wrong without review | bare Tesseract (value in text) |")
    print("|---|---|---|---|")
    for label, chosen, printed in (("QR or MRZ read", [o for o in outcomes if o.machine], False),
                                   ("print alone", [o for o in outcomes if not o.machine], False),
                                   ("print alone, fields the print holds", [o for o in outcomes if not o.machine], True),
                                   ("all", outcomes, False)):
        results = [r for o in chosen for n, r in o.fields.items() if not (printed and n in o.code_only)]
        bare = [b for o in chosen for n, b in o.bare.items() if not (printed and n in o.code_only)]
        print(f"| {label} | {_pct(results.count('right'), len(results))} | "
              f"{_pct(results.count('wrong'), len(results))} | {_pct(sum(bare), len(bare))} |")
    told = [o for o in outcomes if o.retake]
    spoilt = [o for o in outcomes if o.spoilt]
    hits = sum(o.spoilt for o in told)
    print(f"\nretake advice: {len(told)} photos told to retake; precision {_pct(hits, len(told))} spoilt; "
          f"recall {_pct(hits, len(spoilt))} of spoilt photos told; "
          f"false alarms {_pct(len(told) - hits, len(outcomes) - len(spoilt))} of photos read whole")
    kinds = Counter(k for o in outcomes for k in {kind for kind, _ in o.capture})
    print("capture problems (photos): " + (", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "none"))
    right_type = sum(o.doc_type == "citizen_id_card" for o in outcomes)
    print(f"\ndoc_type citizen_id_card: {_pct(right_type, len(outcomes))}")
    hoso = sorted(o.seconds for o in outcomes)
    bare = sorted(o.bare_seconds for o in outcomes)
    slowest = max(outcomes, key=lambda o: o.seconds)
    beside = f"bare Tesseract median {bare[len(bare) // 2]:.2f}; ratio {sum(hoso) / sum(bare):.2f}" \
        if sum(bare) > 0.01 * len(bare) else "bare Tesseract not run"
    print(f"seconds per photo (one core): HoSo median {hoso[len(hoso) // 2]:.2f}, max {hoso[-1]:.2f} "
          f"({slowest.kind} {slowest.side}, {slowest.seed}); {beside}")
    print("\n| kind/side | photos | fields right | wrong without review | missing |")
    print("|---|---|---|---|---|")
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[f"{o.kind} {o.side}"].append(o)
    for name, chosen in sorted(groups.items()):
        results = [r for o in chosen for r in o.fields.values()]
        print(f"| {name} | {len(chosen)} | {_pct(results.count('right'), len(results))} | "
              f"{results.count('wrong')} | {results.count('missing')} |")
    per_field: dict[str, Counter] = defaultdict(Counter)
    for o in outcomes:
        for name, r in o.fields.items():
            per_field[name][r] += 1
    print("\n| field | right | wrong | wrong, review | missing |")
    print("|---|---|---|---|---|")
    for name, c in sorted(per_field.items()):
        print(f"| {name} | {c['right']} | {c['wrong']} | {c['wrong-review']} | {c['missing']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=60, help="cards per part (each gives a front and a back photo)")
    parser.add_argument("--part", choices=("held-out", "tuning", "both"), default="held-out")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--first", type=int, default=0, help="first seed of each part")
    parser.add_argument("--show", choices=("wrong", "all"), help="list the wrong fields (not on the held-out part!)")
    parser.add_argument("--seeds", help="comma-separated seeds of the tuning part to read instead (while tuning)")
    parser.add_argument("--no-bare", action="store_true", help="skip bare Tesseract (quicker, while tuning)")
    parser.add_argument("--made-by", choices=sorted(MAKERS), default="vncards",
                        help="the cards' printer and photographer: vncards, or another made differently")
    parser.add_argument("--cut", action="store_true",
                        help="each photo cut to the card's edges (a phone's document mode, a scanner's crop)")
    args = parser.parse_args()
    parts = {"tuning": 0, "held-out": HELD_OUT}
    chosen = parts if args.part == "both" else {args.part: parts[args.part]}
    for title, base in chosen.items():
        seeds = range(base + args.first, base + args.first + args.photos)
        if args.seeds:
            seeds = [int(s) for s in args.seeds.split(",") if int(s) < HELD_OUT]
        with ProcessPoolExecutor(args.workers) as pool:
            outcomes = [o for batch in pool.map(run, seeds, [not args.no_bare] * len(seeds),
                                                [args.made_by] * len(seeds), [args.cut] * len(seeds)) for o in batch]
        report(f"{title} part{' (made by othercards)' if args.made_by == 'other' else ''}"
               f"{', photos cut to the card' if args.cut else ''}, "
               f"seeds {args.seeds or f'{seeds.start}-{seeds.stop - 1}'}", outcomes)
        if args.show:
            print()
            for o in outcomes:
                for miss in o.misses:
                    if args.show == "all" or " wrong:" in miss:
                        print(miss)
                if o.capture:
                    print(f"seed {o.seed} {o.kind} {o.side} {o.notes}: {'retake' if o.retake else 'told'}"
                          f"{'' if o.spoilt else ' (read whole)'}: {'; '.join(text for _, text in o.capture)}")


if __name__ == "__main__":
    main()
