"""The administrative units that cards made before 2025 print and today's list no longer has.

Communes and districts were merged and renamed from 2019 to 2025 (Huế, a city district of Thừa
Thiên Huế until 2025, is now Thuận Hóa and Phú Xuân), and a card keeps the names of the day it
was made. ``former_units.json`` holds every unit of the General Statistics Office's list as the
``vietnam-provinces`` package 0.3.0 shipped it (about 2020: 705 districts, 10,603 communes) that
0.6.0's list (the one ``gazetteer`` reads, 4 January 2025) does not hold under the same province
and district: 1,285 communes and 31 districts, in the package's own nested shape, names only, each under its
province's name of today. Rebuilt by ``ingest/extract/build_former_units.py``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

PATH = Path(__file__).with_name("former_units.json")


@lru_cache(maxsize=1)
def listed() -> list[dict]:
    """Provinces, each with the districts that had units the list no longer has, and those communes."""
    return json.loads(PATH.read_text(encoding="utf-8"))
