"""The administrative units of Viet Nam, as a second source for the places a card prints.

A card's place ends with the commune, the district and the province ("Xã Diễn Kỷ, Diễn Châu,
Nghệ An"), and each of them is a unit of the official list: a district of that province, a
commune of that district. OCR is often sure of a wrong mark ("Diễn Chầu", "Phường Trân Phú"),
and a mark misread leaves a real syllable, which no spelling rule catches; the list does. A
district or commune is spelled as the list spells it when, under its province (or district),
exactly one unit has its letters; one whose letters are a near miss of a unit there is misread,
and goes to the clerk, as does a district the list does not know at all under its province. A
commune the list does not know is kept as read: units were merged and renamed (2019-2025), and a
card keeps the names of the day it was made. A place glare or specks
damaged ("Xã Hòa Tiến, Hòa Đà Nẵng") is completed from the one place of the list it fits, if
one does (``complete``), for the clerk to check.

The list is the General Statistics Office's, as the ``vietnam-provinces`` package 0.6.0 ships it
(63 provinces, 696 districts, 10,051 communes, the data of 4 January 2025: before the two-level
scheme of 1 July 2025), with the units of about 2020 it no longer has (``former_units``: the
districts and communes merged or renamed since, which cards made then print), each under its
province of today. A place of the two-level scheme names no district ("Phường Hà Giang 1,
Tuyên Quang"): its commune is kept as read when it is one of the province's before the scheme,
spelled as listed when it is one of the province's since (``two_level_units``), and goes to the
clerk when it is neither.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from os.path import commonprefix
from pathlib import Path
from typing import Callable

import vietnam_provinces

from search.text import canonical_tones, nfc

from . import former_units, lexicon, two_level_units
from .fuzzy import key, similar

# A unit's level as the list writes it, and as a card or a clerk abbreviates it.
_PROVINCE_LEVEL = re.compile(r"^(?:tỉnh|thành phố)\s+", re.IGNORECASE)
_DISTRICT_LEVEL = re.compile(r"^(?:huyện|quận|thị xã|thành phố|tp\.|tx\.|h\.|q\.)\s*", re.IGNORECASE)
COMMUNE_LEVEL = re.compile(r"^(?:xã|phường|thị trấn|p\.|x\.|tt\.)\s*", re.IGNORECASE)
# Provinces renamed since cards were first printed: the name cards made before print, by the key
# of today's name; and today's key by the key of the old name.
_FORMER_NAMES = {"hue": "Thừa Thiên Huế"}
_FORMERLY = {key(old): new for new, old in _FORMER_NAMES.items()}


@dataclass(frozen=True)
class District:
    names: tuple[str, ...]  # its name's spellings in the list (one, unless two units share letters)
    communes: dict[str, tuple[str, ...]]  # commune key: its spellings
    levels: dict[str, str]  # commune key: its level as listed ("Xã", "Phường", "Thị trấn")


@dataclass(frozen=True)
class Fitted:
    parts: list[str]  # the place's comma-separated parts, the district's and commune's marks as listed
    problem: str | None = None  # a part the list nearly has: misread
    unlisted: str | None = None  # a weaker doubt: a district the list does not have at all, or a
    # commune without its level beginning the place


@lru_cache(maxsize=1)
def _listed() -> list[dict]:
    """The list as the package ships it: provinces, each with its districts and their communes."""
    return json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))


def _every_unit() -> list[dict]:
    """The list, then the units cards made before it print and it no longer has (``former_units``),
    in the same nested shape."""
    return _listed() + former_units.listed()


@lru_cache(maxsize=1)
def _provinces() -> dict[str, dict[str, District]]:
    """Province key (today's): district key: the district, as the list has it or had it."""
    units: dict[str, dict[str, tuple[set[str], dict[str, set[str]], dict[str, str]]]] = {}
    for province in _every_unit():
        province_key = key(_PROVINCE_LEVEL.sub("", nfc(province["name"])))
        districts = units.setdefault(_FORMERLY.get(province_key, province_key), {})
        for district in province["districts"]:
            name = _DISTRICT_LEVEL.sub("", nfc(district["name"]))
            names, communes, levels = districts.setdefault(key(name), (set(), {}, {}))
            names.add(name)
            for commune in district["wards"]:
                listed_name = nfc(commune["name"])
                commune_name = COMMUNE_LEVEL.sub("", listed_name)
                communes.setdefault(key(commune_name), set()).add(commune_name)
                levels.setdefault(key(commune_name), listed_name[:len(listed_name) - len(commune_name)].strip())
    return {province: {k: District(_spellings(names), {c: _spellings(s) for c, s in communes.items()}, levels)
                       for k, (names, communes, levels) in districts.items()}
            for province, districts in units.items()}


@lru_cache(maxsize=1)
def _two_level() -> dict[str, dict[str, tuple[str, ...]]]:
    """Province key: commune key: its spellings, as the two-level scheme (1 July 2025) lists them."""
    provinces: dict[str, dict[str, set[str]]] = {}
    for province, listed in two_level_units.listed().items():
        communes = provinces.setdefault(key(_PROVINCE_LEVEL.sub("", nfc(province))), {})
        for name in listed:
            bare = COMMUNE_LEVEL.sub("", name)
            communes.setdefault(key(bare), set()).add(bare)
    return {p: {c: _spellings(s) for c, s in communes.items()} for p, communes in provinces.items()}


@lru_cache(maxsize=1)
def _province_names() -> dict[str, str]:
    """Province key: its name as listed, without its level."""
    return {key(name): name for p in _listed() if (name := _PROVINCE_LEVEL.sub("", nfc(p["name"])))}


@lru_cache(maxsize=1)
def _unit_keys() -> frozenset[str]:
    """The keys of every district's and commune's name, without its level, before 2025 and since."""
    return frozenset(k for districts in _provinces().values() for d, district in districts.items()
                     for k in (d, *district.communes)) | {k for communes in _two_level().values() for k in communes}


def province_run_on(part: str) -> bool:
    """Whether a part of a place is a province's name of two words or more run into more words:
    "Thừa Thiên Huế Phước Hưng", two parts read as one where a line's end met the next line's
    print. No listed unit's name is taken for one ("Điện Biên Phủ", "Thái Bình Trung")."""
    name = COMMUNE_LEVEL.sub("", _DISTRICT_LEVEL.sub("", part))
    words = name.split()
    return key(name) not in _unit_keys() and any(lexicon.province(" ".join(words[:n])) for n in range(2, len(words)))


def district_run_into_province(words: list[str]) -> tuple[int, str, int] | None:
    """A place's last part that runs its district into its province, the comma between them lost
    ("Cần Đước Long An °"): where the province's words begin and end among ``words``, and the
    province as ``lexicon.province`` spells it, when the words before it are a district of it.
    None when they are not."""
    for at in range(1, len(words)):
        for end in range(len(words), at, -1):
            province = lexicon.province(" ".join(words[at:end]))
            districts = _provinces().get(_FORMERLY.get(key(province), key(province))) if province else None
            if districts and key(_DISTRICT_LEVEL.sub("", " ".join(words[:at]))) in districts:
                return at, province, end
    return None


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
    if split := _commune_run_into_district(parts[-2], districts):
        parts = [*parts[:-2], *split, parts[-1]]  # "Xã Kỳ Tân Kỳ Anh": the comma between them lost
    if COMMUNE_LEVEL.match(parts[-2]):
        # A commune right before the province: the two-level scheme (2025 on), or a district lost
        # between them ("Xã Tân Phú Trung, Củ Chi" read "Xã Chi"). Units were merged into one of
        # their own names, so a commune of today mostly has the name of one of the province's
        # communes or districts then ("Xã Lâm Bình" of Tuyên Quang, once Huyện Lâm Bình).
        commune = key(COMMUNE_LEVEL.sub("", parts[-2]))
        if commune in districts or any(commune in d.communes for d in districts.values()):
            return Fitted(parts)
        parts = list(parts)
        today = _two_level().get(_FORMERLY.get(key(province), key(province)), {})
        found, problem = _unit(parts, -2, COMMUNE_LEVEL, today, f"a commune of {province} (2025 on)")
        if found is not None or problem is not None:
            return Fitted(parts, problem)
        return Fitted(parts, f"{parts[-2]} is no commune of {province} in the list of administrative units"
                             " (before 2025 or since): a district before the province may be lost")
    parts = list(parts)
    names = {k: d.names for k, d in districts.items()}
    district, problem = _unit(parts, -2, _DISTRICT_LEVEL, names, f"a district of {province}")
    if district is None and problem is None and not _DISTRICT_LEVEL.match(parts[-2]):
        # "Ña Ba Đình": a speck read as a word before the district
        district, problem = _ending(parts, -2, names, lambda k: names[k][0], "district")
    if district is None and problem is None and len(parts) >= 3:
        # Neither the list of today nor the units of about 2020 have it: "Ea AY" for Ea Kar, a
        # misread the spelling rules cannot see (a unit renamed before 2019, "Từ Liêm", goes to the
        # clerk too).
        return Fitted(parts, None, f"{parts[-2]} is no district of {province} in the list of administrative"
                                   " units: misread, or renamed long ago")
    if district is None or len(parts) < 3:
        return Fitted(parts, problem)
    if not COMMUNE_LEVEL.match(parts[-3]):
        within = districts[district]

        def listed(commune: str) -> str:
            return f"{within.levels[commune]} {within.communes[commune][0]}"

        problem = problem or _ending(parts, -3, within.communes, listed, "commune")[1]
        if len(parts) == 3 and key(parts[0]) in within.communes:
            # "Thụy Hải, Thái Thụy, Thái Bình": a commune without its level begins the place as some
            # old cards print it, or its line "Thôn Lạc Thị, Xã" was lost (the second maker's seed 239)
            return Fitted(parts, problem, f"begins with {parts[0]} without its level: a line before it may be"
                                          " missing")
        return Fitted(parts, problem)
    _unit(parts, -3, COMMUNE_LEVEL, districts[district].communes)
    return Fitted(parts, problem)


def _commune_run_into_district(part: str, districts: dict[str, District]) -> tuple[str, str] | None:
    """A commune and its district read as one part, the comma between them lost ("Xã Kỳ Tân Kỳ
    Anh"): the two, when the part's last words are a district of the province and the words
    before them a commune of that district; None otherwise."""
    level = COMMUNE_LEVEL.match(part)
    if level is None:
        return None
    words = part[level.end():].split()
    for at in range(1, len(words)):
        district = districts.get(key(_DISTRICT_LEVEL.sub("", " ".join(words[at:]))))
        if district is not None and key(" ".join(words[:at])) in district.communes:
            return part[:level.end()] + " ".join(words[:at]), " ".join(words[at:])
    return None


SHORTEST_NAME = 5  # letters of a unit's name that alone say which of a district's (a province's) it is


def _ending(parts: list[str], at: int, units: dict[str, tuple[str, ...]], listed: Callable[[str], str],
            what: str) -> tuple[str | None, str | None]:
    """A unit whose level glare or a speck took, or a speck read as a word before it ("tường Vĩnh
    Ninh", "› Nhơn Hậu", "Ña Ba Đình"): the one unit whose name is the part's last words, after
    one word at most, put in ``parts[at]`` as ``listed`` writes it; its key, and the problem the
    clerk is told. (None, None) when the part is a unit as read, or no one unit is."""
    words = parts[at].split()
    if key(parts[at]) in units and parts[at][:1].isalnum():
        return None, None  # the commune named without its level, as some cards print it ("Dịch Vọng")
    # No figure before the name (not a house on a street: "12 Phố Huế").
    found = {(u, n) for n in range(1, len(words) + 1) if not any(ch.isdigit() for ch in " ".join(words[:-n]))
             and len(u := key(" ".join(words[-n:]))) >= SHORTEST_NAME and u in units}
    named = {u for u, _ in found}
    if len(named) != 1 or len(units[unit := named.pop()]) != 1:
        return None, None
    if len(words) - max(n for _, n in found) > 1:
        # More than a word before it ("Tị. 'ã Yên Đồng"): what they were (a hamlet?) is not known
        return unit, f"{parts[at]} read: it ends with {listed(unit)}; the words before it may be a part misread"
    problem = f"{parts[at]} read; {listed(unit)} is the {what} of the list of administrative units it ends with"
    parts[at] = listed(unit)
    return unit, problem


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


@dataclass(frozen=True)
class _Written:
    """One place of the list as a card may write it: commune, district and province."""
    text: str
    key: str
    head: int  # letters of the key that name the commune and the district
    unit: tuple[str, str, str]  # the province's, district's and commune's keys: one place, several writings
    rank: int  # 0 for the writing cards use most, and so on


LEAST_MATCHED = 3  # letters at each end of a place that must be read as listed to bridge the part between
MOST_UNREAD = 2  # letters read between them that the list does not have (specks, a label's remains)
LEAST_SHARE = 0.6  # of the listed place's letters, read as listed ("Xa An, Quảng Nam" is not "Xã A Nông, Tây Giang")
SHORTEST_HEAD = 6  # letters of a place's start read as listed to look its commune and district up


@lru_cache(maxsize=1)
def _writings() -> tuple[dict[str, list[_Written]], dict[str, list[_Written]]]:
    """Every place of the list in the ways cards write it ("Xã Hòa Tiến, Hòa Vang, Đà Nẵng";
    "Xã Gia Xuân, Huyện Gia Viễn, Tỉnh Ninh Bình"; a numbered district keeps its level, "Quận 3";
    "TP. Hồ Chí Minh"; a province by its former name), by their keys' last and first letters."""
    by_end: dict[str, list[_Written]] = {}
    by_start: dict[str, list[_Written]] = {}
    for province in _every_unit():
        listed_province = nfc(province["name"])
        bare_province = _PROVINCE_LEVEL.sub("", listed_province)
        # Most likely first: the name a card made before 2025 prints, without its level.
        former = _FORMER_NAMES.get(key(bare_province))
        provinces = ([former] if former else []) + [bare_province]
        if listed_province.casefold().startswith("thành phố"):
            provinces.append(f"TP. {bare_province}")
        for district in province["districts"]:
            listed_district = nfc(district["name"])
            bare_district = _DISTRICT_LEVEL.sub("", listed_district)
            short = listed_district if bare_district.isdigit() else bare_district
            for commune in district["wards"]:
                listed_commune = nfc(commune["name"])
                unit = (key(bare_province), key(bare_district), key(COMMUNE_LEVEL.sub("", listed_commune)))
                # Levels written for both or for neither first; then one without the other ("Quận Ba Đình, Hà Nội")
                ways = ([(short, p) for p in provinces] + [(listed_district, listed_province)]
                        + [(listed_district, p) for p in provinces] + [(short, listed_province)])
                for rank, (d, p) in enumerate(ways):
                    w = _Written(f"{listed_commune}, {d}, {p}", key(f"{listed_commune}{d}{p}"),
                                 len(key(f"{listed_commune}{d}")), unit, rank)
                    by_end.setdefault(w.key[-LEAST_MATCHED:], []).append(w)
                    by_start.setdefault(w.key[:SHORTEST_HEAD], []).append(w)
    return by_end, by_start



def complete(read: str) -> str | None:
    """The place of the list that a damaged place read names, when exactly one does: its commune,
    district and province read as listed but for a part that glare took between them ("Xã Hòa
    Tiến, Hòa Đà Nẵng"), a few letters of specks or a label's remains ("Xã Gia Xuân, : ì Gia
    Viễn"), all that follows its district ("Xã Kỳ Tân, Kỳ Anh, ¡ ^"), or what follows its province
    (the next line's print run into it: "Xã Yên Đồng, Ý Yên, Nam Định Lộc, Hưng"). What comes before
    the commune (a house, a street, a hamlet) is kept as read; the place is written as the list
    writes it. None when no one place of the list fits."""
    by_end, by_start = _writings()
    bridged: list[tuple[int, int, int, int, _Written]] = []  # letters unread, lost, matched; where; writing
    cut: list[tuple[int, int, _Written]] = []  # letters matched, where, writing
    for where in [0] + [m.end() for m in re.finditer(",", read)]:
        rest = key(read[where:])
        if len(rest) < 2 * LEAST_MATCHED:
            continue
        for w in by_end.get(rest[-LEAST_MATCHED:], ()):
            start = len(commonprefix([rest, w.key]))
            if start < LEAST_MATCHED:
                continue
            end = min(len(commonprefix([rest[::-1], w.key[::-1]])), len(rest) - start, len(w.key) - start)
            if (unread := len(rest) - start - end) <= MOST_UNREAD and start + end >= LEAST_SHARE * len(w.key):
                bridged.append((unread, len(w.key) - start - end, start + end, where, w))
        # Nothing read as listed after the district (the province lost to glare, or misread), or
        # after the province (the next line's print run into it: "Ý Yên, Nam Định Lộc, Hưng
        # Nguyên, Nghệ An", whose writing without levels is then the one read whole).
        cut += [(start, where, w) for w in by_start.get(rest[:SHORTEST_HEAD], ())
                if w.head <= (start := len(commonprefix([rest, w.key]))) < max(len(w.key), len(rest))]
    if bridged:
        unread = min(f[0] for f in bridged)
        if min(u + lost for u, lost, *_ in bridged if u == unread) <= 1:
            return None  # read as listed, or one letter off: how units renamed since differ ("Quảng Phú", "Quảng Phúc")
        fits = [(matched, where, w) for u, _, matched, where, w in bridged if u == unread]
    else:
        fits = cut
    if not fits or len({w.unit for _, _, w in fits}) != 1:
        return None
    _, where, w = max(fits, key=lambda f: (f[0], -f[2].rank))  # the most letters matched, the likeliest writing
    text = w.text.upper() if read[where:].isupper() else w.text
    return f"{read[:where]} {text}" if where else text

