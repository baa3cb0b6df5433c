"""Rebuilds ``former_units.json`` (see ``former_units``) from ``vietnam-provinces`` 0.3.0's wheel and
the installed release's list, outside the package's import path so that running it imports
nothing it rewrites:

    .venv/bin/pip download --no-deps vietnam-provinces==0.3.0 -d /tmp/vp
    .venv/bin/python -m ingest.extract.build_former_units /tmp/vp/vietnam_provinces-0.3.0-py3-none-any.whl
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import vietnam_provinces

from .former_units import PATH


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
