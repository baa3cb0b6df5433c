"""The in-process pool's worker processes, seen from the test: which of them runs Tesseract."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path


def children(pid: int) -> list[int]:
    try:
        return [int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    except OSError:  # ended meanwhile
        return []


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def in_tesseract() -> list[int]:
    """This process's pool workers that run Tesseract at this moment (each reads a page)."""
    return [w for w in children(os.getpid()) if any(command(t) == "tesseract" for t in children(w))]


async def reading(count: int = 1, deadline: float = 60) -> list[int]:
    """Once `count` pool workers run Tesseract at the same time, those workers."""
    until = time.monotonic() + deadline
    while len(found := in_tesseract()) < count:
        assert time.monotonic() < until, f"fewer than {count} workers ran Tesseract at once"
        await asyncio.sleep(0.01)
    return found
