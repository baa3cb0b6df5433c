"""Pen digits alone: HoSo's reader of handwritten blanks (ocr/handwriting.py) beside bare
Tesseract on the same strings of digits, written by bench/handwriting.py's pen.

Each string (1-4 digits, as numbers and days are) is written in blue or black on white, kept as
a one-page PDF as the archival copy keeps a page, and read by `ocr.handwriting.read` (cut into
digits, each classified) and by `tesseract --psm 7` with only digits allowed. A string is right
when all its digits are read in order; neither side is given the plausibility checks that
extraction adds (a day valid for its month, a number not starting with 0). The tuning part
(seeds from 7000) is the one HoSo's digit rules were set on; report the held-out part (seeds
from 207000).

    .venv/bin/python bench/pen_digits.py [--strings 500] [--part tuning|held-out]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # HoSo first, then the pen
import handwriting as pen  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

import ocr  # noqa: E402
from ocr import handwriting  # noqa: E402

PARTS = {"tuning": 7000, "held-out": 207000}
DPI = 300


def written(seed: int) -> tuple[str, Image.Image, float]:
    """A string of digits, the page it is written on, and the pen's height."""
    rng = random.Random(seed)
    text = "".join(rng.choice("0123456789") for _ in range(rng.choice([1, 2, 2, 3, 4])))
    height = rng.uniform(55, 80)  # 1.4 times typed capitals of 13 pt at 300 dpi, give or take
    image = Image.new("RGB", (int(60 + len(text) * height), int(2 * height + 40)), "white")
    pen.write(ImageDraw.Draw(image), 30, height + 40, text, height, rng, rng.choice(["blue", "black"]))
    return text, image, height


def hoso(image: Image.Image, height: float, scratch: Path) -> str:
    pdf = scratch / "blank.pdf"
    image.save(pdf, resolution=DPI)
    digits = handwriting.read(pdf, (0, 0, image.width, image.height), DPI, height / 1.4)
    return "".join(d.alternatives[0][0] for d in digits)


def bare(image: Image.Image, scratch: Path) -> str:
    png = scratch / "blank.png"
    image.save(png, dpi=(DPI, DPI))
    out = subprocess.run(["tesseract", str(png), "-", "--psm", "7", "-c", "tessedit_char_whitelist=0123456789"],
                         capture_output=True, text=True, timeout=60).stdout
    return "".join(c for c in out if c.isdigit())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strings", type=int, default=500)
    parser.add_argument("--part", choices=list(PARTS), default="held-out")
    args = parser.parse_args()
    right, digits, seconds = Counter(), Counter(), Counter()
    confusions: Counter = Counter()
    total_digits = 0
    with tempfile.TemporaryDirectory(prefix="hoso-pen-") as tmp:
        scratch = Path(tmp)
        for seed in range(PARTS[args.part], PARTS[args.part] + args.strings):
            text, image, height = written(seed)
            total_digits += len(text)
            for name, reader in (("HoSo", lambda: hoso(image, height, scratch)), ("bare Tesseract",
                                                                                  lambda: bare(image, scratch))):
                start = time.perf_counter()
                got = reader()
                seconds[name] += time.perf_counter() - start
                right[name] += got == text
                if len(got) == len(text):
                    digits[name] += sum(a == b for a, b in zip(text, got, strict=True))
                    if name == "HoSo":
                        confusions.update((a, b) for a, b in zip(text, got, strict=True) if a != b)
    n = args.strings
    print(f"{n} strings of the {args.part} part ({total_digits} digits), tesseract {ocr.engine_version()}\n")
    print("| reader | strings read right | digits right (strings of the right length) | ms per string |")
    print("|---|--:|--:|--:|")
    for name in ("HoSo", "bare Tesseract"):
        print(f"| {name} | {right[name]} ({right[name] / n:.1%}) | {digits[name]} of {total_digits} "
              f"| {1000 * seconds[name] / n:.0f} |")
    ratio = right["HoSo"] / right["bare Tesseract"] if right["bare Tesseract"] else float("inf")
    print(f"\nHoSo / bare Tesseract, strings read right: {ratio:.2f}")
    print("HoSo's commonest confusions (written → read):",
          ", ".join(f"{a}→{b} {k}" for (a, b), k in confusions.most_common(6)) or "none")


if __name__ == "__main__":
    main()
