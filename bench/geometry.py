"""Page geometry: upright, turned 90/180/270, skewed 3–6° pages, read by bare
`tesseract -l vie`, by `ocrmypdf --rotate-pages --deskew` and by HoSo's page reader.
Prints character error rate and seconds per page (one core) per kind.

    .venv/bin/python bench/geometry.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]  # HoSo first: tests/ocr is not `ocr`
import scans  # noqa: E402
import vnpages  # noqa: E402

import ocr  # noqa: E402

os.environ["OMP_THREAD_LIMIT"] = "1"
KINDS = {
    "upright": lambda im: im,
    "skew +3°": lambda im: _skew(im, 3.0),
    "skew -4.5°": lambda im: _skew(im, -4.5),
    "skew +6°": lambda im: _skew(im, 6.0),
    "turned 90°": lambda im: im.rotate(90, expand=True),
    "turned 180°": lambda im: im.rotate(180),
    "turned 270°": lambda im: im.rotate(270, expand=True),
}


def _skew(image: Image.Image, angle: float) -> Image.Image:
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white")


def bare(path: Path, tmp: Path) -> str:
    return subprocess.run(["tesseract", str(path), "-", "-l", "vie"], capture_output=True, text=True,
                          check=True).stdout


def ocrmypdf(path: Path, tmp: Path) -> str:
    sidecar = tmp / "sidecar.txt"
    subprocess.run(["ocrmypdf", "-q", "-j", "1", "-l", "vie", "--rotate-pages", "--deskew", "--image-dpi", "300",
                    "--sidecar", str(sidecar), "--output-type", "pdf", str(path), str(tmp / "out.pdf")],
                   check=True, capture_output=True)
    return sidecar.read_text()


def hoso(path: Path, tmp: Path) -> str:
    return ocr.read_page(path, "image/png", 0, True, ocr.OcrOptions(), tmp).text


def main() -> None:
    readers = {"tesseract": bare, "HoSo": hoso}
    if shutil.which("ocrmypdf"):
        readers = {"tesseract": bare, "ocrmypdf": ocrmypdf, "HoSo": hoso}
    with tempfile.TemporaryDirectory(prefix="hoso-geometry-") as tmp:
        tmp = Path(tmp)
        pages = []
        for seed in range(3):
            lines, image = scans._fill_page(seed, font=("serif", "sans")[seed % 2])
            pages.append((vnpages.expected_text(lines), image))
        print(f"| kind | {' | '.join(f'{r} CER | {r} s/page' for r in readers)} |")
        print("|---" * (1 + 2 * len(readers)) + "|")
        totals = {r: [0.0, 0.0] for r in readers}
        for kind, degrade in KINDS.items():
            row = {r: [0.0, 0.0] for r in readers}
            for i, (truth, image) in enumerate(pages):
                path = vnpages.save(degrade(image), tmp / f"{i}.png")
                for name, read in readers.items():
                    work = tmp / name
                    work.mkdir(exist_ok=True)
                    start = time.perf_counter()
                    text = read(path, work)
                    row[name][1] += time.perf_counter() - start
                    row[name][0] += vnpages.cer(truth, text)
            cells = []
            for name in readers:
                cer, seconds = row[name][0] / len(pages), row[name][1] / len(pages)
                totals[name][0] += cer / len(KINDS)
                totals[name][1] += seconds / len(KINDS)
                cells.append(f"{cer:.2%} | {seconds:.2f}")
            print(f"| {kind} | {' | '.join(cells)} |", flush=True)
        print(f"| **all** | {' | '.join(f'{c:.2%} | {s:.2f}' for c, s in totals.values())} |")


if __name__ == "__main__":
    main()
