"""The communes and wards of the two-level scheme (1 July 2025 on: 34 provinces, 3,321 communes,
no districts), which places on cards made since then name: "Xã Lâm Bình, Tuyên Quang".

Most of them took the name of one of their own former units, but not under the same province:
provinces were merged too (Hà Giang into Tuyên Quang), and some communes were given new names
("Phường Sài Gòn"). ``two_level_units.json`` holds, by each province's name as listed, its
communes' names with their level, as the ``vietnam-provinces`` package 2025.10.1 ships the
General Statistics Office's list. Rebuilt by ``ingest/extract/build_two_level_units.py``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

PATH = Path(__file__).with_name("two_level_units.json")


@lru_cache(maxsize=1)
def listed() -> dict[str, list[str]]:
    """Province (its name as listed, "Thành phố Hà Nội"): its communes and wards, each with its level."""
    return json.loads(PATH.read_text(encoding="utf-8"))
