"""The administrative units of Viet Nam, as a second source for the places a card prints.

A card's place ends with the commune, the district and the province ("Xã Diễn Kỷ, Diễn Châu,
Nghệ An"), and each of them is a unit of the official list: a district of that province, a
commune of that district. OCR is often sure of a wrong mark ("Diễn Chầu", "Phường Trân Phú"),
and a mark misread leaves a real syllable, which no spelling rule catches; the list does. A
district or commune is spelled as the list spells it when, under its province (or district),
exactly one unit has its letters; one whose letters are a near miss of a unit there is misread,
and goes to the clerk. One the list does not know at all is kept as read: units were merged and
renamed (2019-2025), and a card keeps the names of the day it was made.

The list is the General Statistics Office's, as the ``vietnam-provinces`` package 0.6.0 ships it
(63 provinces, 696 districts, 10,051 communes, the data of 4 January 2025: before the two-level
scheme of 1 July 2025, whose places name no district: such a place is kept as read when its
commune is one of the province's before the scheme, and goes to the clerk when it is none).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import vietnam_provinces

from search.text import canonical_tones, nfc

from .fuzzy import key, similar

# A unit's level as the list writes it, and as a card or a clerk abbreviates it.
_PROVINCE_LEVEL = re.compile(r"^(?:tỉnh|thành phố)\s+", re.IGNORECASE)
_DISTRICT_LEVEL = re.compile(r"^(?:huyện|quận|thị xã|thành phố|tp\.|tx\.|h\.|q\.)\s*", re.IGNORECASE)
_COMMUNE_LEVEL = re.compile(r"^(?:xã|phường|thị trấn|p\.|x\.|tt\.)\s*", re.IGNORECASE)
# Provinces renamed since cards were first printed, by the key of their old name.
_FORMERLY = {"thuathienhue": "hue"}


@dataclass(frozen=True)
class District:
    names: tuple[str, ...]  # its name's spellings in the list (one, unless two units share letters)
    communes: dict[str, tuple[str, ...]]  # commune key: its spellings


@dataclass(frozen=True)
class Fitted:
    parts: list[str]  # the place's comma-separated parts, the district's and commune's marks as listed
    problem: str | None = None  # a part the list nearly has: misread


@lru_cache(maxsize=1)
def _provinces() -> dict[str, dict[str, District]]:
    """Province key: district key: the district."""
    listed = json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))
    provinces: dict[str, dict[str, District]] = {}
    for province in listed:
        districts: dict[str, tuple[set[str], dict[str, set[str]]]] = {}
        for district in province["districts"]:
            name = _DISTRICT_LEVEL.sub("", nfc(district["name"]))
            names, communes = districts.setdefault(key(name), (set(), {}))
            names.add(name)
            for commune in district["wards"]:
                commune_name = _COMMUNE_LEVEL.sub("", nfc(commune["name"]))
                communes.setdefault(key(commune_name), set()).add(commune_name)
        provinces[key(_PROVINCE_LEVEL.sub("", nfc(province["name"])))] = {
            k: District(_spellings(names), {c: _spellings(s) for c, s in communes.items()})
            for k, (names, communes) in districts.items()}
    return provinces


def _spellings(names: set[str]) -> tuple[str, ...]:
    """One spelling for names that differ only in where the tone mark sits (Hoà, Hòa)."""
    return tuple(sorted({canonical_tones(n): n for n in names}.values()))


def fit(parts: list[str], province: str) -> Fitted:
    """``parts`` of a place whose last names ``province`` (spelled as ``lexicon.province`` gives
    it): the district before it and the commune before that, spelled as listed where the list
    leaves one spelling of their letters, or the problem when the district is a near miss."""
    districts = _provinces().get(_FORMERLY.get(key(province), key(province)))
    if districts is None or len(parts) < 2:
        return Fitted(parts)
    if _COMMUNE_LEVEL.match(parts[-2]):
        # A commune right before the province: the two-level scheme (2025 on), or a district lost
        # between them ("Xã Tân Phú Trung, Củ Chi" read "Xã Chi"). Units were merged into one of
        # their own names, so a commune of today mostly has the name of one of the province's
        # communes or districts then ("Xã Lâm Bình" of Tuyên Quang, once Huyện Lâm Bình).
        commune = key(_COMMUNE_LEVEL.sub("", parts[-2]))
        if commune in districts or any(commune in d.communes for d in districts.values()):
            return Fitted(parts)
        return Fitted(parts, f"{parts[-2]} is no commune of {province} in the list of administrative units"
                             " (before 2025): a district before the province may be lost")
    parts = list(parts)
    district, problem = _unit(parts, -2, _DISTRICT_LEVEL, {k: d.names for k, d in districts.items()},
                              f"a district of {province}")
    if problem or district is None or len(parts) < 3 or not _COMMUNE_LEVEL.match(parts[-3]):
        return Fitted(parts, problem)
    _unit(parts, -3, _COMMUNE_LEVEL, districts[district].communes)
    return Fitted(parts)


def _unit(parts: list[str], at: int, level: re.Pattern, units: dict[str, tuple[str, ...]],
          what: str | None = None) -> tuple[str | None, str | None]:
    """The key of the unit ``parts[at]`` names (its spelling put right in ``parts``), or, when
    ``what`` it should be is given, a problem when its letters are a near miss of one of ``units``."""
    prefix = level.match(parts[at])
    prefix_text = prefix[0] if prefix else ""
    read = parts[at][len(prefix_text):]
    k = key(read)
    spellings = units.get(k)
    if spellings is None:
        if what and k and any(similar(u, k) for u in units):
            return None, f"{read} is not {what} in the list of administrative units, only near one: misread"
        return None, None
    if len(spellings) == 1 and canonical_tones(read) != canonical_tones(spellings[0]):
        listed = spellings[0].upper() if read.isupper() else spellings[0]
        parts[at] = prefix_text + listed
    return k, None
