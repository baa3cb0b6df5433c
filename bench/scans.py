"""Scanned-looking Vietnamese pages, generated deterministically for the benchmarks."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

sys.path.append(str(Path(__file__).resolve().parent.parent / "tests"))
import vnpages  # noqa: E402


def full_page_lines(seed: int, count: int) -> list[str]:
    """About a page of administrative prose at 13 pt: the PROSE sentences in a seeded order."""
    rng = random.Random(seed)
    return [rng.choice(vnpages.PROSE[2:]) for _ in range(count)]


def _fill_page(seed: int, font: str) -> tuple[list[str], Image.Image]:
    for count in range(24, 0, -1):
        lines = full_page_lines(seed, count)
        try:
            return lines, vnpages.render_page(lines, font=font)
        except ValueError:
            continue
    raise ValueError("no text fits")


def flatbed(image: Image.Image, seed: int, angle: float) -> Image.Image:
    """A flatbed scan: a slight rotation, a little blur and sensor noise."""
    rng = np.random.default_rng(seed)
    page = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white")
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    pixels = np.asarray(page, dtype=np.int16) + rng.normal(0, 6, (page.height, page.width, 1)).astype(np.int16)
    scanned = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    scanned.info["dpi"] = image.info.get("dpi", (300, 300))
    return scanned


def scanned_pages(directory: Path, count: int = 10) -> list[tuple[Path, str]]:
    """`count` PNG pages at 300 dpi with their true text."""
    directory.mkdir(parents=True, exist_ok=True)
    pages = []
    for i in range(count):
        lines, image = _fill_page(i, font=("serif", "sans")[i % 2])
        scan = flatbed(image, i, angle=(-1.5, 0.0, 0.8, -0.4, 1.2)[i % 5])
        pages.append((vnpages.save(scan, directory / f"page-{i + 1:02d}.png"), vnpages.expected_text(lines)))
    return pages
