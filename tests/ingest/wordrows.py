"""OCR results made by hand: a page of rows of words, for extraction tests that need no image."""

from __future__ import annotations

from ocr.model import PageResult, Word


def page_of_rows(lines: list[list[str]]) -> PageResult:
    """A page of rows of words, 30 px a character, a row every 60 px."""
    words = []
    for i, line in enumerate(lines):
        x = 100.0
        for text in line:
            words.append(Word(text, 0.9, (x, 100.0 + 60 * i, x + 30 * len(text), 140.0 + 60 * i), i))
            x += 30 * len(text) + 20
    return PageResult(1, "ocr", 2480, 3508, 300, words=words, text="")


def page_of_lines(lines: list[tuple[float, float, str]], width: int = 2480, height: int = 3508) -> PageResult:
    """A page from (x, y, text) lines, each split into words 24 px a character, 40 px high."""
    words = []
    for i, (x, y, text) in enumerate(lines):
        for part in text.split():
            words.append(Word(part, 0.9, (x, y, x + 24 * len(part), y + 40), i))
            x += 24 * len(part) + 20
    return PageResult(1, "ocr", width, height, 300, words=words, text="")
