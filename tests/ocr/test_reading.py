"""Reading order (ocr/reading.py, issue 15): two columns across a narrow gutter are read column
by column, a ruled table row by row, and a heading before the lines under it; real Tesseract on
pages printed by bench/otherpages.py."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from PIL import Image

import ocr
import vnpages
from ocr import reading

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
import otherpages  # noqa: E402

DPI = 300
MM = DPI / 25.4


def _read(image: Image.Image, tmp_path: Path, skip: list[str] | None = None) -> ocr.PageResult:
    scan = vnpages.save(image.convert("L"), tmp_path / f"page-{len(list(tmp_path.iterdir()))}.png")
    return ocr.read_page(scan, "image/png", 0, True, ocr.OcrOptions(skip_steps=skip or []), tmp_path)


def _two_columns(gutter_mm: float) -> tuple[Image.Image, list[str], list[str]]:
    """A heading over two columns of legal articles (Arimo 12 pt) `gutter_mm` apart, and the
    lines of each column."""
    rng = random.Random(1)
    page = Image.new("RGB", (round(170 * MM), round(95 * MM)), "white")
    edge = round(5 * MM)
    top = otherpages._Printer(page, "arimo", (edge, edge, page.width - edge, page.height), DPI)
    top.print(otherpages.Line("QUY CHẾ PHỐI HỢP", "bold", 13, "centre"))
    gutter, middle, bottom = round(gutter_mm * MM), page.width // 2, page.height - round(4 * MM)
    columns = []
    for box in ((edge, top.y, middle - gutter // 2, bottom), (middle + gutter // 2, top.y, page.width - edge, bottom)):
        column = otherpages._Printer(page, "arimo", box, DPI)
        for number in range(1, 9):
            if not all(column.print(line) for line in otherpages._article(rng, number, 12)):
                break
        columns.append(column.printed)
    return page, top.printed, columns


def test_two_columns_6_mm_apart_are_read_column_by_column(tmp_path):
    """Tesseract alone joins the columns into lines across the gutter (two thirds of the text out
    of place); HoSo reads the left column to its end, then the right one."""
    page, heading, (left, right) = _two_columns(6)
    truth = "\n".join(heading + left + right)
    alone = _read(page, tmp_path, skip=["order"])
    assert vnpages.cer(truth, alone.text) > 0.3, "the page no longer shows the problem: make it harder"
    result = _read(page, tmp_path)
    assert "order" in result.steps
    assert vnpages.cer(truth, result.text) < 0.01
    lines = [w.line for w in result.words]
    assert lines == sorted(lines), "the words come in reading order, their lines numbered in it"


def test_a_ruled_table_is_read_row_by_row(tmp_path):
    """Table cells leave white between them down the page like a gutter, but a row holds several
    short cells a side: not prose, so the rows are read whole (read as columns: 63-67% wrong)."""
    rng = random.Random(1)
    page = Image.new("RGB", (round(180 * MM), round(80 * MM)), "white")
    box = (round(5 * MM), round(3 * MM), page.width - round(5 * MM), page.height)
    printer = otherpages._Printer(page, "tinos", box, DPI)
    printer.table(otherpages._table_rows(rng, 10), 12)
    result = _read(page, tmp_path)
    assert vnpages.cer("\n".join(printer.printed), result.text) < 0.01
    assert "order" not in result.steps


def test_a_heading_is_read_before_the_lines_under_it(tmp_path):
    """On this landscape page Tesseract puts the centred heading after the first italic lines
    under it, in a block of its own; a block wholly above another comes first."""
    page, lines, _ = otherpages.render_page(105, "tinos", landscape=True)
    result = _read(page, tmp_path)
    assert vnpages.cer("\n".join(lines), result.text) < 0.01
    text = result.text
    assert text.index("DANH SÁCH HỘ GIA ĐÌNH") < text.index("Xét đề nghị") < text.index("STT")


def test_a_page_without_columns_pays_a_few_milliseconds():
    """Reordering looks at word boxes only: a full page of prose (60 lines of 12 words) costs a
    few milliseconds, and its order, already right, is kept."""
    words = [ocr.Word(f"chữ{i}", 0.9, (200 + 150 * i, 300 + 50 * n, 330 + 150 * i, 340 + 50 * n), n)
             for n in range(60) for i in range(12)]
    paragraphs = [(1, n // 6) for n in range(60)]
    start = time.perf_counter()
    ordered, text = reading.in_order(words, paragraphs, DPI)
    assert time.perf_counter() - start < 0.1  # 3-8 ms; the bound leaves room for a loaded machine
    assert ordered == words
    assert text.split("\n\n")[0].split("\n")[0] == " ".join(f"chữ{i}" for i in range(12))
