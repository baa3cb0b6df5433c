"""Real agency papers (../shared/realworld-dev, read from there, never copied): HoSo's fields
beside bare Tesseract on the same pages.

Each labelled document is inspected and read as HoSo's workers read it (text layer or OCR, page by
page), classified and its fields extracted. A field is right when it equals the label (NFC, case
and spacing forgiven; the summary without its "V/v" marker, which HoSo leaves out), "review" when
it is wrong or partial but marked for the clerk, "wrong" when it is wrong and not marked: the
failure that matters. Bare Tesseract (`tesseract page -l vie` on each page rendered at 300 dpi)
gets a field when the label's value appears anywhere in its text: a generous reading, since it
finds no fields at all. A document with a transcript beside it (`<name>.txt`) also gets its
character error rate, HoSo's text beside bare Tesseract's: HoSo's clean-up must not read a real
page worse than Tesseract alone.

    python bench/realworld.py [--dir ../shared/realworld-dev]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import vnpages  # noqa: E402

import ocr  # noqa: E402
from ingest.classify import classify  # noqa: E402
from ingest.extract import extract  # noqa: E402
from ocr import _pdf  # noqa: E402

FIELDS = ("document_number", "issue_date", "issue_place", "summary")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _want(name: str, value: str) -> str:
    if name == "summary" and value[:3].casefold() == "v/v":
        return value[3:].strip()
    return value


def _printed(name: str, value: str) -> str:
    if name == "issue_date":  # as printed: "ngày 24 tháng 01 năm 2025" holds "01 năm 2025"
        return f"{value[5:7]} năm {value[:4]}"
    return value


def _bare(path: Path, media_type: str, pages: int, scratch: Path) -> str:
    texts = []
    for index in range(pages):
        if media_type == "application/pdf":
            image = scratch / f"page-{index}.png"
            _pdf.render(path, index, 300).save(image)
        else:
            image = path
        texts.append(subprocess.run(["tesseract", str(image), "-", "-l", "vie"], capture_output=True,
                                    text=True, timeout=600).stdout)
    return "\n".join(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=ROOT.parent / "shared" / "realworld-dev")
    args = parser.parse_args()
    items = json.loads((args.dir / "labels.json").read_text())["items"]
    options = ocr.OcrOptions()
    totals = {"right": 0, "review": 0, "wrong": 0, "missing": 0, "bare": 0, "fields": 0}
    cers = []
    print("| document | doc_type | " + " | ".join(FIELDS) + " | seconds |")
    print("|---|---|" + "---|" * len(FIELDS) + "---|")
    for item in items:
        path = args.dir / item["file"]
        started = time.perf_counter()
        info = ocr.inspect(path, options)
        with tempfile.TemporaryDirectory() as scratch:
            pages = [ocr.read_page(path, info.media_type, p.index, p.scanned, options, Path(scratch))
                     for p in info.pages]
            # Extracted while the pages' images are there, as the workers do: handwritten digits
            # are read off them.
            doc_type = classify(pages)
            fields = extract(doc_type, pages)
            seconds = time.perf_counter() - started
            bare_text = _bare(path, info.media_type, len(info.pages), Path(scratch))
            bare = _norm(bare_text)
        transcript = path.with_suffix(".txt")
        if transcript.exists():
            truth = transcript.read_text(encoding="utf-8")
            cers.append(f"{item['file']}: CER HoSo {vnpages.cer(truth, chr(10).join(p.text for p in pages)):.1%}, "
                        f"bare Tesseract {vnpages.cer(truth, bare_text):.1%}")
        cells = []
        for name in FIELDS:
            want = item.get(name)
            if want is None:
                cells.append("-")
                continue
            want = _want(name, want)
            got = fields.get(name)
            outcome = ("missing" if got is None else "right" if _norm(got.value) == _norm(want)
                       else "review" if got.review else "wrong")
            totals[outcome] += 1
            totals["fields"] += 1
            totals["bare"] += _norm(_printed(name, want)) in bare
            cells.append(outcome if outcome == "right" else f"{outcome}: {got.value if got else ''}")
        mark = "right" if doc_type == item["doc_type"] else f"wrong: {doc_type}"
        print(f"| {item['file']} | {mark} | " + " | ".join(cells) + f" | {seconds:.1f} |")
    n = totals["fields"]
    print(f"\nfields right {totals['right']}/{n} ({100 * totals['right'] / n:.0f}%), wrong but for review "
          f"{totals['review']}, wrong without review {totals['wrong']}, missing {totals['missing']}; "
          f"bare Tesseract has the value in its text for {totals['bare']}/{n}")
    for line in cers:
        print(line)


if __name__ == "__main__":
    main()
