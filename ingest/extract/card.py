"""A citizen ID card's fields from every source it has, each checked against the others.

A chip card states its holder's data for machines twice: the QR code on the front
(``ID|old ID|Full Name|DDMMYYYY|Sex|Place of residence|DDMMYYYY``, exact, with diacritics) and
the machine-readable zone on the back (ICAO 9303 TD1, no diacritics, each field checked by its
check digit). The print, read by OCR, confirms them or fills in what they lack. A field two
sources agree on is sure; where they disagree, the machine-readable value is kept (it is exact,
or its check digit agrees) and the field goes to the clerk with what the print says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from ocr import card, mrz, syllable
from ocr.model import Capture, Code, PageResult
from search.text import nfc

from . import gazetteer, lexicon, validate
from .fuzzy import key
from .model import REVIEW_BELOW, ExtractedField
from .validate import CARD_AGES, CORROBORATED, id_century
from .personal import UNSURE, citizen_id_card as printed_fields, unsettled_marks
from .layout import rows

MACHINE = 1.0  # the confidence of a value the QR code states (error-corrected by the code)
CHECKED = 0.97  # of a value whose MRZ check digit agrees but no second source confirms
UNCHECKED = 0.4  # of an MRZ value whose check digit does not agree
ALIGNED = 0.8  # of the sex when the dates on either side of it check but the whole zone does not
LAWFUL = 0.6  # of a date of expiry not read but given by the law from sure dates of birth and issue
CARD_PER_MM = card.CARD_WIDTH / card.WIDTH_MM  # pixels of a card page cut out of a photo


@dataclass(frozen=True)
class Source:
    """The values one machine-readable part gives, where it stands, and how sure each is."""

    name: str  # "QR code" or "MRZ"
    values: dict[str, str]
    confidence: dict[str, float]
    page: int
    bbox: tuple[float, float, float, float]


def is_card(pages: list[PageResult]) -> bool:
    """Whether a page carries a chip card's QR code or a Vietnamese card's MRZ: the surest sign
    of a card there is, whatever its print reads as."""
    return any(_qr(c) is not None or _mrz(c) is not None for p in pages for c in p.codes)


def citizen_id_card(pages: list[PageResult]) -> dict[str, ExtractedField]:
    printed = rows(pages)
    fields = _doubted(printed_fields(printed), pages) if printed else {}
    sources = _sources(pages)
    for source in sources:
        fields = _merge(fields, source)
    printed_key = key(" ".join(r.text for r in printed))  # what the card's print says it is
    if not sources and _identity_card(printed_key, fields):
        vouched = _VOUCHED if (number := fields.get("citizen_id")) and not number.review else ()
        fields = {name: f if f.review or name in vouched else f.doubted(EXPIRED) for name, f in fields.items()}
    return _three_levels(_nationality(_expiry_by_law(fields, sources), sources), printed_key, sources)


# The identity cards before the citizen ID (chứng minh nhân dân, 9 or 12 digits) were valid until
# 31/12/2024 (Law on Identification 2023, art. 46): their data is history, to be confirmed
# against a current card, and nothing on them (no code) vouches for their print.
EXPIRED = "from an identity card (CMND), valid only until 31/12/2024: confirm it against a current card"
# Its title, the labels only it prints (front and back), or a number of nine digits say so.
_IDENTITY_CARD = ("chungminhnhandan", "nguyenquan", "noidkhk", "dauvetriengvadihinh")
# What a 12-digit number checks (its century and sex digit, its birth year) and the number itself,
# which the citizen ID card kept: a 9-digit number checks nothing and is doubted already.
_VOUCHED = ("citizen_id", "sex", "date_of_birth")


def _identity_card(printed_key: str, fields: dict[str, ExtractedField]) -> bool:
    number = fields.get("citizen_id")
    return any(k in printed_key for k in _IDENTITY_CARD) or (number is not None and len(number.value) == 9)


def _sources(pages: list[PageResult]) -> list[Source]:
    found: list[Source] = []
    for page in pages:
        for code in page.codes:
            values = _qr(code) if code.kind == "qr" else _mrz(code)
            if values is not None:
                found.append(Source("QR code" if code.kind == "qr" else "MRZ", values[0], values[1],
                                    page.number, code.bbox))
    return found


PLACES = ("place_of_origin", "place_of_residence", "place_of_birth_registration")
_LEVEL = re.compile(r"^(?:tỉnh|thành phố|tp\.?|t\.)\s*", re.IGNORECASE)
# Level words no place's own name is spelt like without its marks ("Quan", "Tinh", "Thanh" are).
_LEVEL_WORDS = frozenset(nfc(w) for w in ("xã", "huyện"))
_LEVEL_KEYS = frozenset(key(w) for w in _LEVEL_WORDS)
# An administrative unit named with its level: its name has at most four syllables ("Thị trấn
# Nông trường Mộc Châu"); "Xã Đức Thu ần Hoài Đức" is a commune and a district read as one.
_UNIT = re.compile(r"^(?:xã|phường|thị trấn|huyện|quận|thị xã|tỉnh|thành phố)\s+", re.IGNORECASE)
LONGEST_UNIT_NAME = 4
# A house number of five figures or more, no slash: "12/34 Lê Hồng Phong" read "12134 Lê Hồng Phong".
_HOUSE = re.compile(r"^(?:số\s*)?(\d{5,})\b", re.IGNORECASE)


def _doubted(fields: dict[str, ExtractedField], pages: list[PageResult]) -> dict[str, ExtractedField]:
    """Printed values that cannot be whole or right: a card's place ends with its province (a
    wrapped line lost, or misread, leaves it short of one), names its levels as they are spelt
    and its district and commune as the list of units does (see ``gazetteer``); a full name has
    two words at least; its words are Vietnamese syllables (a misread letter seldom leaves one); features end
    with where on the face; a citizen's nationality is Việt Nam; a place in doubt that one place of the
    list of units fits is completed from it, for the clerk; and no print is sure that was read
    off a card too small in the photo, or under glare (the QR code or MRZ may still confirm it)."""
    out = dict(fields)

    def doubt(name: str, problem: str) -> None:
        out[name] = out[name].doubted(problem, UNSURE)

    f = out.get("identifying_features")
    if f is not None and (described := lexicon.feature_description(f.value)) != f.value:
        out["identifying_features"] = replace(f, value=described)

    unlisted: dict[str, str] = {}  # the list's weaker doubts, told when no other rule doubts the place
    for name in PLACES:
        f = out.get(name)
        if f is None:
            continue
        value, problem, weaker = _place(f.value)
        if value != f.value:
            out[name] = replace(f, value=value)
        if problem:
            doubt(name, problem)
        if weaker:
            unlisted[name] = weaker
    for name in (*PLACES, "full_name", "identifying_features"):
        f = out.get(name)
        if f is not None and not f.review and (strange := syllable.strange_words(f.value, name != "full_name")):
            doubt(name, f"not spelt as Vietnamese is ({' '.join(strange)}): misread")
    for name in PLACES:
        f = out.get(name)
        if f is not None and not f.review and (shouted := _capitals_inside(f.value)):
            doubt(name, f"{shouted} in capitals inside a place: misread")
        elif f is not None and not f.review and not f.value[:1].isupper() and not f.value[:1].isdigit():
            # A place begins with its level ("Xã", "Tổ", "Số 12"): "òa, Lập Thạch" lost its start.
            doubt(name, "begins inside a word: its beginning may be missing or unread")
        elif f is not None and not f.review and (cut := next((p for p in f.value.split(", ")[1:]
                                                           if not p[:1].isalnum()), None)) is not None:
            # "Thôn 5, :ân, Kỳ Anh": glare took a part's beginning (fresh tuning seed 161)
            doubt(name, f"{cut or 'a part'} begins with no letter: its beginning may be missing or unread")
        elif f is not None and not f.review and name in unlisted:
            doubt(name, unlisted[name])
    f = out.get("full_name")
    if f is not None and not f.review and len(f.value.split()) < 2:
        doubt("full_name", "one word: a full name has a family name and a given name, part of it is missing")
    f = out.get("identifying_features")
    if f is not None and not f.review and (problem := _features_problem(f.value)):
        doubt("identifying_features", problem)
    f = out.get("nationality")
    if f is not None and f.value != "Việt Nam":  # "Việt ï": a citizen's card is one of Viet Nam's
        doubt("nationality", "not read as Việt Nam, the nationality a citizen's card holds")
    if any("enlarged" in p.steps for p in pages):
        for name, f in out.items():
            if not f.review:
                doubt(name, "the card is small in the photo: its print was read enlarged; take it closer")
    taken = {p.number: p.capture for p in pages if p.capture is not None}
    for name, f in out.items():
        if not f.review and f.page in taken and under_glare(taken[f.page], f.bbox):
            doubt(name, GLARE)
    for name in PLACES:
        f = out.get(name)
        if f is not None and f.review and (listed := gazetteer.complete(f.value)) and listed != f.value:
            # "Xã Hòa Tiến, Hòa Đà Nẵng": glare took "Vang,"; one place of the list fits what is left
            # (last: a place only glare or a small card put in doubt is completed too)
            out[name] = replace(f.doubted(f"{f.value} read ({f.problem}); {listed} is the one place of the"
                                          " list of administrative units it fits", UNSURE), value=listed)
    return out


def _features_problem(value: str) -> str | None:
    """What the clerk is told of identifying features that cannot be whole or right: a word no
    description uses, an end that is not where on the face, a beginning that is not the mark's
    name, words after the side that begin no other mark; None when they can be."""
    words = [w for w in re.findall(r"[^\W\d_]+", nfc(value).lower()) if w not in ("c", "cm", "mm")]  # C:1cm
    if unknown := [w for w in words if w not in lexicon.FEATURE_WORDS]:
        return f"{unknown[0]} is no word of a mark or where it is: misread"
    lowered = [nfc(w).lower() for w in value.split()]
    if not lexicon.feature_ends(lowered):
        return "does not end with where on the face: part of it may be missing"
    if lowered[0].startswith("c:") or lowered[0] in lexicon.FEATURE_RELATIONS:
        # "C:0,5cm dưới sau dái tai trái": glare took "Sẹo" (the second maker's seed 313)
        return "begins with where the mark is, not its name: its first words may be missing"
    if after := lexicon.feature_after_side(lowered):
        return f"{after} after the side ends the mark's place: read from beyond the field?"
    return None


def _place(value: str) -> tuple[str, str | None, str | None]:
    """A printed place with its parts spelled and parted as the list of units has them (see
    ``gazetteer``), what the clerk is told of it when it cannot be whole or right, and a weaker
    doubt told only when nothing else doubts it."""
    read = [p.strip() for p in value.split(",")]
    parts, weaker = _trimmed([lexicon.numbered_unit(p) for p in read])
    level = _LEVEL.match(parts[-1])
    prefix = level[0] if level else ""
    words = parts[-1][len(prefix):].split()
    # A place ends with its province: what follows was read off the line below it (an old
    # card's dotted line, the photo's edge: "Thừa Thiên Huế len").
    province, ends = _province_start(parts[-1])
    if province is None and not prefix and (run := gazetteer.district_run_into_province(words)):
        # "Cần Đước Long An °": the comma before the province lost (the second maker's seed 260)
        at, province, ends = run
        parts[-1:] = [" ".join(words[:at]), ""]
        words, ends = words[at:], ends - at
    parts[-1] = prefix + " ".join(words[:ends])
    cut = None  # the province glare cut short, completed from the district before it
    if province is None and len(parts) > 1:
        province = cut = gazetteer.cut_province(" ".join(words), parts[-2])
    if province is not None and parts[-1].isupper():
        province = province.upper()  # as old cards print their places
    if province is not None and prefix + province != parts[-1]:
        # "Hà Nồi": a province's name has one spelling of its letters
        parts[-1] = prefix + province
    fitted = gazetteer.fit(parts, province) if province is not None else gazetteer.Fitted(parts)
    if fitted.parts != read:  # "Diễn Chầu, Nghệ An": Nghệ An has one district of those letters
        value = ", ".join(fitted.parts)
    weaker = fitted.unlisted or weaker
    if province is None:
        return value, "does not end with a province: part of it may be missing or misread", weaker
    if cut:
        return value, f"{read[-1]} read: the one province of those first letters with a district {parts[-2]}", weaker
    if len(parts) == 1:  # a card names the commune and district before the province
        return value, "only a province: the commune and district may be missing", weaker
    if misspelt := [w for p in parts if (w := p.split(" ")[0]) and key(w) in _LEVEL_KEYS
                    and nfc(w).casefold() not in _LEVEL_WORDS]:
        return value, f"{misspelt[0]} is not how the level is spelt: misread", weaker
    if run_on := [p for p in parts if _UNIT.match(p) and len(re.findall(r"[^\W\d_]+", _UNIT.sub("", p)))
                  > LONGEST_UNIT_NAME]:
        return value, f"{run_on[0]} is longer than a unit's name: two parts may have run together", weaker
    if merged := next((p for p in parts[:-1] if gazetteer.province_run_on(p)), None):
        return value, f"{merged} runs a province's name into more words: two places may have run together", weaker
    if fitted.problem:
        return value, fitted.problem, weaker
    if house := _HOUSE.match(parts[0]):
        return value, f"{house[1]} has more figures than a house number: a '/' may have been read as a 1", weaker
    return value, None, weaker


def _province_start(part: str) -> tuple[str | None, int]:
    """The province a place's part begins with (after its level, "Tỉnh"), and how many of the
    part's words after the level name it; (None, the part's words) when it begins with none."""
    level = _LEVEL.match(part)
    words = part[len(level[0]) if level else 0:].split()
    return next(((p, n) for n in range(len(words), 0, -1)
                 if (p := lexicon.province(" ".join(words[:n])))), (None, len(words)))


def _trimmed(parts: list[str]) -> tuple[list[str], str | None]:
    """A place's parts without what was read around it: specks of the guilloche before its first
    unit ("J luc 6 6tene Xóm 1": words no syllable is spelt like, before a hamlet's, a house's or a
    commune's word), and parts after the one its province begins ("Thái Nguyên ho CAN CO, 2 0v"),
    with what the clerk is told of it; (parts, None) when nothing was read around it."""
    told = []
    words = parts[0].split()
    at = next((i for i, w in enumerate(words) if i and (w in lexicon.NUMBERED_UNITS
                                                       or gazetteer.COMMUNE_LEVEL.match(" ".join(words[i:])))), None)
    if at is not None and syllable.strange_words(" ".join(words[:at])):
        told.append(f"{' '.join(words[:at])} read before it")
        parts = [" ".join(words[at:]), *parts[1:]]
    if _province_start(parts[-1])[0] is None and \
            (last := next((j for j in range(len(parts) - 2, 0, -1) if _province_start(parts[j])[0]), None)):
        told.append(f"{', '.join(parts[last + 1:])} read after its province")
        parts = parts[:last + 1]
    return parts, ("; ".join(told) + ": specks or print beside it, left out") if told else None


GLARE = "glare over the field: check it on the card"
# A field's print and what glare may have taken of it: its words as read, the line they stand on,
# and the print beside them that glare may have washed off (a name's last word, a date's year).
GLARE_REACH_MM = (2.0, 0.6, 6.0)  # to the left, above and below, to the right
GLARE_SHARE = 0.02  # of that band under glare, from which the field is doubted


def under_glare(capture: Capture, bbox: tuple[float, float, float, float], share: float = GLARE_SHARE) -> bool:
    """Whether glare lies over ``share`` of a field's print on the card (``bbox`` on the upright
    page) and beside it, where the rest of its value was printed."""
    left, up, right = (v * CARD_PER_MM for v in GLARE_REACH_MM)
    x0, y0, x1, y1 = bbox
    return capture.glare_over((x0 - left, y0 - up, x1 + right, y1 + up)) >= share


def _capitals_inside(place: str) -> str | None:
    """A word of three letters or more in capitals in a place printed in lower case: a card
    prints its places so ("Phường Vĩnh Ninh"), and a misread level word ("PHÒNG") is not."""
    words = [w for w in re.findall(r"[^\W\d_]+", nfc(place)) if len(w) >= 3]
    if not any(w[1:].islower() for w in words):
        return None  # the whole place in capitals, as old cards print it
    return next((w for w in words if w.isupper()), None)


def _merge(fields: dict[str, ExtractedField], source: Source) -> dict[str, ExtractedField]:
    merged = dict(fields)
    for name, value in source.values.items():
        sure = source.confidence[name]
        machine = ExtractedField(value, sure, source.page, source.bbox)
        printed = fields.get(name)
        if name == "full_name" and source.name == "MRZ":
            merged.update(_mrz_name(printed, machine))
            continue
        if printed is None:
            merged[name] = machine if sure >= REVIEW_BELOW else machine.doubted(
                f"the {source.name}'s check digit does not agree")
        elif _same(name, printed.value, value):
            # Two sources read apart agree: the value is sure (the print's spelling is kept only
            # where it is the better one, i.e. never: the machine value is exact).
            merged[name] = replace(printed, value=value, confidence=max(sure, printed.confidence, 0.99),
                                   review=False, problem=None)
        elif printed.review or printed.confidence < REVIEW_BELOW:
            # A doubtful print is no witness against a value the code states exactly.
            if sure >= REVIEW_BELOW:
                merged[name] = machine
        elif sure >= REVIEW_BELOW:
            merged[name] = machine.doubted(f"the {source.name} says {value}; the print reads {printed.value}", 0.9)
    return merged


def _expiry_by_law(fields: dict[str, ExtractedField], sources: list[Source]) -> dict[str, ExtractedField]:
    """The date of expiry witnessed by the law: a card expires on the renewal birthday that
    follows its issue (``validate.card_expiry``). With sure dates of birth and of issue, a read
    expiry that agrees is confirmed; one that disagrees goes to the clerk, as read when the print
    alone gave those dates, else (dates a code states, or a read unsure) with the law's date
    offered; one not read (a front's small italic line under the photo) is given as the law has
    it, for the clerk to confirm."""
    birth, issued, expiry = (fields.get(n) for n in ("date_of_birth", "date_of_issue", "date_of_expiry"))
    if birth is None or issued is None or not all(_sure(f) for f in (birth, issued)) \
            or validate.date_problem(birth.value) or validate.date_problem(issued.value) \
            or issued.value <= birth.value:
        return fields
    lawful = validate.card_expiry(birth.value, issued.value)
    if lawful is None:  # issued after the 58th birthday: the card does not expire
        return fields
    why = f"a card issued on {issued.value} to someone born on {birth.value} expires on {lawful}"
    if expiry is None:
        derived = ExtractedField(lawful, LAWFUL, issued.page, issued.bbox)
        return {**fields, "date_of_expiry": derived.doubted(f"not read; {why}", LAWFUL)}
    if expiry.value == lawful:
        return {**fields, "date_of_expiry": replace(expiry, confidence=max(expiry.confidence, CORROBORATED),
                                                    review=False, problem=None)}
    if any(s.values.get("date_of_expiry") == expiry.value and s.confidence["date_of_expiry"] >= CHECKED
           for s in sources):  # the MRZ's check digit vouches for the expiry: the issue date is the misread
        return {**fields, "date_of_issue": issued.doubted(f"the card expires on {expiry.value}, but {why}", 0.5)}
    if _sure(expiry) and min(birth.confidence, issued.confidence) < CHECKED:
        return {**fields, "date_of_expiry": expiry.doubted(f"read as {expiry.value}, but {why}", 0.5)}
    # Read unsure, or against dates that a code states or vouches for: the law's date is the likelier.
    sure = "" if _sure(expiry) else " (unsure)"
    return {**fields, "date_of_expiry": replace(expiry, value=lawful).doubted(
        f"read as {expiry.value}{sure}; {why}", LAWFUL)}


def _sure(f: ExtractedField) -> bool:
    return not f.review and f.confidence >= REVIEW_BELOW


# Places are named by commune and province alone from 1 July 2025 (the two-level scheme): a card
# made before that names a place's commune, district and province.
TWO_LEVELS = date(2025, 7, 1).isoformat()
_CHIP_2021 = "cancuoccongdan"  # the 2021 card's title: such cards were made until 30 June 2024


def _three_levels(fields: dict[str, ExtractedField], printed_key: str,
                  sources: list[Source]) -> dict[str, ExtractedField]:
    """A place named as by the two-level scheme, its commune right before its province, or of fewer
    than three parts ("Xã Đức Thượng, Hà Nội", "Phụ, Thái Bình": glare took the rest), on a card
    made before that scheme goes to the clerk, unless a code holds it so."""
    issued = fields.get("date_of_issue")
    if not (_CHIP_2021 in printed_key or _identity_card(printed_key, fields)
            or (issued is not None and not validate.date_problem(issued.value) and issued.value < TWO_LEVELS)):
        return fields
    coded = {s.values.get(name) for s in sources for name in PLACES}

    def two_levels(place: str) -> bool:
        parts = [p.strip() for p in place.split(",")]
        return len(parts) < 3 or bool(gazetteer.COMMUNE_LEVEL.match(parts[-2]))

    return {name: f.doubted("no district: a card made before 1 July 2025 names a place's commune, district"
                            " and province; part of it may be missing", UNSURE)
            if name in PLACES and not f.review and f.value not in coded and two_levels(f.value) else f
            for name, f in fields.items()}


def _nationality(fields: dict[str, ExtractedField], sources: list[Source]) -> dict[str, ExtractedField]:
    """A chip card is a Vietnamese citizen's: where its print gave no nationality, or left what it
    gave in doubt (glare, "Việt ï"), its QR code (which does not state it) is the proof. The MRZ
    states it."""
    qr = next((s for s in sources if s.name == "QR code"), None)
    printed = fields.get("nationality")
    if qr is None or (printed is not None and not printed.review):
        return fields
    return {**fields, "nationality": ExtractedField("Việt Nam", CHECKED, qr.page, qr.bbox)}


def _mrz_name(printed: ExtractedField | None, machine: ExtractedField) -> dict[str, ExtractedField]:
    """The MRZ spells the name without marks: it confirms the print, it cannot replace it. A
    printed name of one word (a back's speck read as one, glare over a front's line) is offered
    as the MRZ spells it, for the clerk to put its marks back."""
    if printed is None:
        return {}
    if len(printed.value.split()) < 2:
        return {"full_name": replace(machine, confidence=0.5, review=True,
                                     problem=f"{printed.value} read in print; the MRZ spells the name without its marks")}
    if key(printed.value) == key(machine.value):
        if marks := unsettled_marks(printed.value):  # the MRZ confirms the letters, not their marks
            return {"full_name": printed.doubted(marks, 0.5)}
        return {"full_name": replace(printed, confidence=max(printed.confidence, 0.95), review=False,
                                     problem=None)}
    return {"full_name": printed.doubted(f"the MRZ spells the name {machine.value}", 0.5)}


def _same(name: str, a: str, b: str) -> bool:
    if name in ("place_of_residence", "place_of_origin", "place_of_birth_registration"):
        return key(a) == key(b)  # printed places wrap and abbreviate differently from the code
    return nfc(a).upper() == nfc(b).upper()


# -- the QR code of a chip card ---------------------------------------------------------------

_QR = re.compile(r"^(\d{12})\|(\d{9})?\|([^|]+)\|(\d{8})\|(Nam|Nữ)\|([^|]*)\|(\d{8})?(?:\|.*)?$")


def _qr(code: Code) -> tuple[dict[str, str], dict[str, float]] | None:
    if code.kind != "qr":
        return None
    m = _QR.match(nfc(code.text).strip())
    if not m:
        return None
    cid, old, name, born, sex, residence, issued = m.groups()
    values = {"citizen_id": cid, "full_name": " ".join(nfc(name).upper().split()), "sex": sex}
    if (iso := _ddmmyyyy(born)) is not None:
        values["date_of_birth"] = iso
    if old:
        values["old_id_number"] = old
    if residence.strip():
        values["place_of_residence"] = " ".join(residence.split())
    if issued and (iso := _ddmmyyyy(issued)) is not None:
        values["date_of_issue"] = iso
    return values, {name: MACHINE for name in values}


def _ddmmyyyy(text: str) -> str | None:
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2])).isoformat()
    except ValueError:
        return None


# -- the machine-readable zone of a card's back --------------------------------------------------

def _mrz(code: Code) -> tuple[dict[str, str], dict[str, float]] | None:
    if code.kind != "mrz":
        return None
    zone = mrz.parse(code.text.split("\n"))
    if zone is None or zone.issuer != "VNM" or not zone.document_code.startswith("I"):
        return None
    values: dict[str, str] = {}
    confidence: dict[str, float] = {}
    cid = zone.optional[:12]
    if cid.isdigit() and cid.endswith(zone.document_number.value):
        # The 12-digit ID in the optional data ends with the document number; its first three
        # digits only the composite check digit covers.
        values["citizen_id"] = cid
        confidence["citizen_id"] = CHECKED if zone.document_number.valid and zone.composite else UNCHECKED
    if zone.nationality == "VNM":
        values["nationality"], confidence["nationality"] = "Việt Nam", CHECKED
    sex = {"M": "Nam", "F": "Nữ"}.get(zone.sex)
    if sex:
        values["sex"] = sex
        # The sex stands between the two dates: when both check, the line was read in step; the
        # document number's first digit (the ID's fourth) is even for men, odd for women.
        number = zone.document_number
        stated = number.valid and number.value[:1].isdigit() and int(number.value[0]) % 2 == (sex == "Nữ")
        confidence["sex"] = CHECKED if zone.composite or stated else ALIGNED if zone.birth.valid and zone.expiry.valid \
            else UNCHECKED
    born, century_checked = _birth(zone)
    if born is not None:
        values["date_of_birth"] = born
        confidence["date_of_birth"] = CHECKED if zone.birth.valid and century_checked else UNCHECKED
        if expires := _expiry(zone.expiry.value, int(born[:4])):
            values["date_of_expiry"] = expires
            confidence["date_of_expiry"] = CHECKED if zone.expiry.valid else UNCHECKED
    if zone.surname:
        values["full_name"] = f"{zone.surname} {zone.given_names}".strip()
        confidence["full_name"] = CHECKED if zone.composite else UNCHECKED
    return (values, confidence) if values else None


def _birth(zone: mrz.TD1) -> tuple[str | None, bool]:
    """The ISO birth date of a zone, and whether its century is checked. The century is the one
    the document number's first digit states (it is the ID's fourth digit: century and sex), when
    its next two digits are the birth year's; or the one that makes the card expire at an age a
    card expires at (an MRZ card expires in this century). Checked when the number's or the
    expiry's check digit agrees; else, for a birth date that checks, what says it must be alone
    or agree (a number whose check digit glare took is still printed twice)."""
    number, birth, expiry = zone.document_number, zone.birth.value, zone.expiry.value
    said = {}  # century → whether what says so is checked
    if number.value.isdigit() and number.value[1:3] == birth[:2]:
        said[id_century("000" + number.value)] = number.valid
    if expiry[:2].isdigit() and birth[:2].isdigit():
        fitting = [c for c in (1900, 2000) if 2000 + int(expiry[:2]) - (c + int(birth[:2])) in CARD_AGES]
        if len(fitting) == 1:
            said[fitting[0]] = said.get(fitting[0], False) or zone.expiry.valid
    checked = {c for c, sure in said.items() if sure}
    if len(checked) == 1:
        return _yymmdd(birth, checked.pop()), True
    if len(said) != 1 or not zone.birth.valid:
        return None, False
    return _yymmdd(birth, next(iter(said))), False


def _yymmdd(text: str, century: int) -> str | None:
    if not text.isdigit() or len(text) != 6:
        return None
    try:
        return date(century + int(text[:2]), int(text[2:4]), int(text[4:])).isoformat()
    except ValueError:
        return None


def _expiry(text: str, birth_year: int) -> str | None:
    """YYMMDD of an expiry: the first such date after the birth year."""
    if not text.isdigit() or len(text) != 6:
        return None
    year = birth_year // 100 * 100 + int(text[:2])
    if year <= birth_year:
        year += 100
    try:
        return date(year, int(text[2:4]), int(text[4:])).isoformat()
    except ValueError:
        return None
