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
    levels: dict[str, str]  # commune key: its level as listed ("Xã", "Phường", "Thị trấn")


@dataclass(frozen=True)
class Fitted:
    parts: list[str]  # the place's comma-separated parts, the district's and commune's marks as listed
    problem: str | None = None  # a part the list nearly has: misread


@lru_cache(maxsize=1)
def _listed() -> list[dict]:
    """The list as the package ships it: provinces, each with its districts and their communes."""
    return json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _provinces() -> dict[str, dict[str, District]]:
    """Province key: district key: the district."""
    provinces: dict[str, dict[str, District]] = {}
    for province in _listed():
        districts: dict[str, tuple[set[str], dict[str, set[str]], dict[str, str]]] = {}
        for district in province["districts"]:
            name = _DISTRICT_LEVEL.sub("", nfc(district["name"]))
            names, communes, levels = districts.setdefault(key(name), (set(), {}, {}))
            names.add(name)
            for commune in district["wards"]:
                listed_name = nfc(commune["name"])
                commune_name = _COMMUNE_LEVEL.sub("", listed_name)
                communes.setdefault(key(commune_name), set()).add(commune_name)
                levels.setdefault(key(commune_name), listed_name[:len(listed_name) - len(commune_name)].strip())
        provinces[key(_PROVINCE_LEVEL.sub("", nfc(province["name"])))] = {
            k: District(_spellings(names), {c: _spellings(s) for c, s in communes.items()}, levels)
            for k, (names, communes, levels) in districts.items()}
    return provinces


@lru_cache(maxsize=1)
def _province_names() -> dict[str, str]:
    """Province key: its name as listed, without its level."""
    return {key(name): name for p in _listed() if (name := _PROVINCE_LEVEL.sub("", nfc(p["name"])))}


SHORTEST_START = 2  # letters of a province's name that glare left ("Tỉnh Hà", "Tỉnh Quảng")


def cut_province(read: str, district: str) -> str | None:
    """The province a place's last part names when glare cut its name short ("Tỉnh Quảng" after
    "Huyện Tư Nghĩa"): the one province whose name begins with the letters read and that has a
    district of the letters of the part before it. None when no one province is."""
    k, d = key(read), key(_DISTRICT_LEVEL.sub("", district))
    if len(k) < SHORTEST_START or not d:
        return None
    found = [p for p, districts in _provinces().items() if p.startswith(k) and p != k and d in districts]
    return _province_names()[found[0]] if len(found) == 1 else None


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
    if problem or district is None or len(parts) < 3:
        return Fitted(parts, problem)
    if not _COMMUNE_LEVEL.match(parts[-3]):
        return Fitted(parts, _commune_ending(parts, districts[district]))
    _unit(parts, -3, _COMMUNE_LEVEL, districts[district].communes)
    return Fitted(parts)


SHORTEST_NAME = 5  # letters of a commune's name that alone say which of a district's it is


def _commune_ending(parts: list[str], district: District) -> str | None:
    """A commune whose level glare or a speck took ("tường Vĩnh Ninh", "› Nhơn Hậu"): the one
    commune of the district whose name is the part's last words, after one word at most, written
    with its level as listed; the clerk is told (the problem returned). None when no one is."""
    words = parts[-3].split()
    if key(parts[-3]) in district.communes and parts[-3][:1].isalnum():
        return None  # the commune named without its level, as some cards print it ("Dịch Vọng")
    # One word at most before the name, no figure in it (not a house on a street: "12 Phố Huế").
    found = {c for n in range(max(1, len(words) - 1), len(words) + 1)
             if not any(ch.isdigit() for ch in " ".join(words[:-n]))
             and len(c := key(" ".join(words[-n:]))) >= SHORTEST_NAME and c in district.communes}
    if len(found) != 1 or len(district.communes[commune := found.pop()]) != 1:
        return None
    listed = f"{district.levels[commune]} {district.communes[commune][0]}"
    problem = f"{parts[-3]} read; {listed} is the commune of the list of administrative units it ends with"
    parts[-3] = listed
    return problem


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
