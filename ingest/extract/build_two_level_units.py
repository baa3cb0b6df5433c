"""Rebuilds ``two_level_units.json`` (see ``two_level_units``) from ``vietnam-provinces``
2025.10.1's wheel, outside the package's import path so that running it imports nothing it
rewrites:

    .venv/bin/pip download --no-deps vietnam-provinces==2025.10.1 -d /tmp/vp
    .venv/bin/python -m ingest.extract.build_two_level_units /tmp/vp/vietnam_provinces-2025.10.1-py3-none-any.whl
"""

from __future__ import annotations

import json
import sys
import unicodedata
import zipfile

from .two_level_units import PATH

def main() -> None:
    with zipfile.ZipFile(sys.argv[1]) as wheel:
        provinces = json.loads(wheel.read("vietnam_provinces/data/nested-divisions.json"))
    out = {unicodedata.normalize("NFC", p["name"]):
           sorted(unicodedata.normalize("NFC", w["name"]) for w in p["wards"]) for p in provinces}
    assert len(out) == 34 and sum(map(len, out.values())) == 3321, (len(out), sum(map(len, out.values())))
    PATH.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
