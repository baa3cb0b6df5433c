"""Checks that a value read can be true; a doubtful field is kept but sent to the clerk.

The citizen ID (Circular 07/2016/TT-BCA, Decree 137/2015/NĐ-CP): three digits for the province
where the birth was registered, one for century and sex, two for the year of birth, six more.
There is no check digit, so the cross-checks with the date of birth and sex are the only proof.
A card expires on the holder's 25th, 40th or 60th birthday (Law on Citizen Identification 2014,
art. 21), or from 2024 also the 14th (Law on Identification 2023, art. 21): its date of expiry
repeats the day and month of birth, which is a second witness for the date of birth.

When the fields disagree, ``repair`` looks for the one digit OCR most likely misread (3 for 8,
1 for 4 …) that makes every check pass; a single such reading is taken, and marked for review
with what was read; several, or none, leave the values as read and the checks flag them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date

from .model import REVIEW_BELOW, ExtractedField

DOUBTFUL = 0.3  # the confidence a field keeps at most once validation doubts it

PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh",
    "024": "Bắc Giang", "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương",
    "031": "Hải Phòng", "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình",
    "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam",
    "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên", "056": "Khánh Hòa",
    "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum", "064": "Gia Lai", "066": "Đắk Lắk",
    "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước", "072": "Tây Ninh",
    "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh",
    "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
    "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}
assert len(PROVINCES) == 63


CARD_AGES = (14, 25, 40, 60)  # the birthdays on which a citizen ID card expires
OLD_CARD = "a 9-digit number of an old identity card (CMND), which holds no birth date or sex to check"
REPAIRED = 0.6  # the confidence, at most, of a value put right by the cross-checks
CORROBORATED = 0.9  # the confidence, at least, of a value that another field read apart agrees with


def citizen_id_problem(value: str, date_of_birth: str | None = None, sex: str | None = None) -> str | None:
    """Why ``value`` cannot be the citizen ID of a person born on ``date_of_birth`` (ISO) with
    ``sex`` (``Nam``/``Nữ``), or None if it can. Unknown birth date or sex is not checked."""
    if len(value) == 9 and value.isdigit():
        return OLD_CARD
    if len(value) != 12 or not value.isdigit():
        return f"a citizen ID has 12 digits (9 on an old identity card), read {len(value)}"
    if value[:3] not in PROVINCES:
        return f"no province has the code {value[:3]}"
    gene = int(value[3])
    century = id_century(value)
    if sex in ("Nam", "Nữ") and (gene % 2 == 1) != (sex == "Nữ"):
        return f"digit 4 ({gene}) says {'female' if gene % 2 else 'male'}, the card says {sex}"
    if date_of_birth and _real_date(date_of_birth):
        year = int(date_of_birth[:4])
        if year // 100 * 100 != century:
            return f"digit 4 ({gene}) says born in the {century}s, the date of birth is {year}"
        if value[4:6] != f"{year % 100:02d}":
            return f"digits 5-6 ({value[4:6]}) do not match the year of birth {year}"
    return None


def calendar_part(iso: str) -> str:
    """``iso`` (YYYY-MM-DD as read) as far as it is a calendar date: whole, or its year and month
    when the day is none of the month's ("2019-05-84" → "2019-05"), or its year alone."""
    if not _ISO_DAY.match(iso) or _real_date(iso):
        return iso
    return iso[:7] if 1 <= int(iso[5:7]) <= 12 else iso[:4]


def date_problem(iso: str) -> str | None:
    """Why ``iso`` (YYYY-MM-DD as read) is no calendar date, or None."""
    return None if _real_date(iso) else f"no such date: {iso}"


# Decree 30/2020/NĐ-CP: "684/QĐ-BTTTT", or with the year for legal texts "12/2021/NĐ-CP".
_DOCUMENT_NUMBER = re.compile(r"^\d{1,5}(?:/(?:19|20)\d\d)?/[^\W\d_][\w.]*(?:-[\w.]+)*$")


def document_number_problem(value: str) -> str | None:
    """What makes ``value`` not a document number as agencies write them (a handwritten number
    misread often is: "4/35/SGDĐT-CTrTT" for "1535/SGDĐT-CTrTT")."""
    if _DOCUMENT_NUMBER.match(value):
        return None
    return "not shaped as a document number (number/symbol, or number/year/symbol): the number may be misread"


def birth_date_problem(iso: str, today: date | None = None) -> str | None:
    if problem := date_problem(iso):
        return problem
    if date.fromisoformat(iso) > (today or date.today()):
        return f"date of birth {iso} is in the future"
    return None


def issue_problem(issued: str, birth: str | None, today: date | None = None) -> str | None:
    """Why a card cannot have been issued on ``issued``: not yet, or before its holder was born
    (a back's date of expiry read as its date of issue is often both)."""
    if problem := date_problem(issued):
        return problem
    if date.fromisoformat(issued) > (today or date.today()):
        return f"issued {issued}, which is in the future"
    if birth and _real_date(birth) and issued <= birth:
        return f"issued {issued}, before the date of birth {birth}"
    return None


def expiry_problem(expiry: str, birth: str | None) -> str | None:
    if problem := date_problem(expiry):
        return problem
    if birth and _real_date(birth) and expiry <= birth:
        return f"expires {expiry}, before the date of birth {birth}"
    return None


def card_expiry_problem(expiry: str, birth: str) -> str | None:
    """Why a card expiring on ``expiry`` cannot belong to someone born on ``birth`` (both real
    ISO dates): a card expires on the 14th, 25th, 40th or 60th birthday."""
    b, e = date.fromisoformat(birth), date.fromisoformat(expiry)
    leap_day = (b.month, b.day) == (2, 29) and (e.month, e.day) in ((2, 28), (3, 1))
    if (e.month, e.day) != (b.month, b.day) and not leap_day:
        return f"expires on {e.day:02d}/{e.month:02d}, not on the birthday {b.day:02d}/{b.month:02d}"
    if e.year - b.year not in CARD_AGES:
        return f"expires at age {e.year - b.year}; a card expires at 14, 25, 40 or 60"
    return None


RENEWAL_GRACE = 2  # years: a card issued this close before a renewal birthday lasts to the next one


def card_expiry(birth: str, issued: str) -> str | None:
    """The date of expiry the law gives a card issued on ``issued`` to someone born on ``birth``
    (real ISO dates): the first renewal birthday (14, 25, 40, 60) more than two years after the
    issue (Law on Citizen Identification 2014 art. 21, Law on Identification 2023 art. 21).
    None when the card was issued after the 58th birthday: it then has no expiry."""
    b, i = date.fromisoformat(birth), date.fromisoformat(issued)
    for age in CARD_AGES:
        if i < _birthday(b, age - RENEWAL_GRACE):
            return _birthday(b, age).isoformat()
    return None


def _birthday(born: date, age: int) -> date:
    if (born.month, born.day) == (2, 29):
        return date(born.year + age, 2, 28)
    return born.replace(year=born.year + age)


# Digits Tesseract takes for one another, both ways.
_CONFUSABLE = {"0": "689", "1": "47", "2": "7", "3": "58", "4": "19", "5": "368", "6": "0589", "7": "12",
               "8": "03569", "9": "048"}
# Which fields each field's value is checked against, so a repair is never taken on a field's
# own plausibility alone.
_WITNESSES = {"citizen_id": ("date_of_birth", "sex"), "date_of_birth": ("citizen_id", "date_of_expiry"),
              "date_of_expiry": ("date_of_birth",)}


def _variants(name: str, value: str):
    """Readings one misread digit away: a confusable digit, or for a 13-digit ID one digit too many.
    Of an ID only the digits the checks can witness (century/sex and year) are varied."""
    positions = range(3, 6) if name == "citizen_id" else range(len(value))
    for i in positions:
        if i < len(value) and value[i] in _CONFUSABLE:
            for d in _CONFUSABLE[value[i]]:
                yield value[:i] + d + value[i + 1:]
    if name == "citizen_id" and len(value) == 13:
        for i in range(13):
            yield value[:i] + value[i + 1:]


def _conflicts(doc_type: str, values: dict[str, str], sex: str | None, today: date | None) -> set[str]:
    """The fields among citizen ID, birth and expiry dates that fail a check, '~' marking a
    disagreement between fields."""
    out: set[str] = set()
    birth, expiry, cid = (values.get(n) for n in ("date_of_birth", "date_of_expiry", "citizen_id"))
    if birth is not None and birth_date_problem(birth, today):
        out.add("date_of_birth")
        birth = None
    if expiry is not None and expiry_problem(expiry, birth):
        out.add("date_of_expiry")
        expiry = None
    if cid is not None and (p := citizen_id_problem(cid, birth, sex)) and p != OLD_CARD:
        out.add("citizen_id~" if len(cid) == 12 and cid[:3] in PROVINCES else "citizen_id")
    elif cid is not None and len(cid) == 12 and _id_birth_year(cid) > (today or date.today()).year:
        out.add("citizen_id")  # a reading that says born in the future is no candidate
    if doc_type == "citizen_id_card" and birth and expiry and card_expiry_problem(expiry, birth):
        out.add("date_of_expiry~")
    return out


def repair(doc_type: str, fields: dict[str, ExtractedField], today: date | None = None) -> dict[str, ExtractedField]:
    """The fields with one misread digit put right, when exactly one such reading of one field
    makes the citizen ID, the date of birth, the sex and the date of expiry agree."""
    values = {n: fields[n].value for n in _WITNESSES if n in fields}
    sex = fields["sex"].value if "sex" in fields else None
    if not _conflicts(doc_type, values, sex, today):
        return fields
    solutions = set()
    for name, value in values.items():
        if fields[name].problem or not any(w in fields for w in _WITNESSES[name]):
            continue  # already put right by another witness, or nothing to check it against
        for variant in _variants(name, value):
            if not _conflicts(doc_type, {**values, name: variant}, sex, today):
                solutions.add((name, variant))
    if len(solutions) != 1:
        return fields
    name, value = solutions.pop()
    f = fields[name]
    witnesses = " and ".join(w.replace("_", " ") for w in _WITNESSES[name] if w in fields)
    note = f"read as {f.value}; {value} is the one reading a misread digit away that agrees with the {witnesses}"
    return {**fields, name: replace(f, value=value).doubted(note, REPAIRED)}


def check(doc_type: str, fields: dict[str, ExtractedField],
          today: date | None = None) -> dict[str, ExtractedField]:
    """The fields with every failed check marked: low confidence, review and the reason why.
    Fields read with confidence under the review threshold are marked for review as well, unless
    another field read apart vouches for them (the sex by the ID's fourth digit; on a card the date
    of birth and of expiry by each other and the ID's year digits): two misreadings that agree are
    far less likely than one OCR confidence score that undersells a right reading."""
    problems: dict[str, str] = {}
    witnessed: set[str] = set()  # values another field, read apart, vouches for

    def value(name: str) -> str | None:
        f = fields.get(name)
        return f.value if f else None

    if (birth := value("date_of_birth")) is not None:
        if p := birth_date_problem(birth, today):
            problems["date_of_birth"] = p
    for name in ("issue_date",):
        if (v := value(name)) is not None and (p := date_problem(v)):
            problems[name] = p
    if (number := value("document_number")) is not None and (p := document_number_problem(number)):
        problems["document_number"] = p
    if (expiry := value("date_of_expiry")) is not None:
        if p := expiry_problem(expiry, birth):
            problems["date_of_expiry"] = p
    if (issued := value("date_of_issue")) is not None and (p := issue_problem(issued, birth, today)):
        problems["date_of_issue"] = p
    good_birth = birth if birth and "date_of_birth" not in problems else None
    cid_agrees = False
    if (cid := value("citizen_id")) is not None:
        if p := citizen_id_problem(cid, good_birth, value("sex")):
            problems["citizen_id"] = p
            # The ID and the field it disagrees with cannot both be right; the clerk decides.
            if "says female" in p or "says male" in p:
                problems.setdefault("sex", "disagrees with the citizen ID: " + p)
            elif good_birth and ("born in" in p or "year of birth" in p):
                problems.setdefault("date_of_birth", "disagrees with the citizen ID: " + p)
        cid_agrees = good_birth is not None and p is None
        if p is None and len(cid) == 12 and value("sex") in ("Nam", "Nữ"):
            witnessed.add("sex")  # the ID's fourth digit and the printed sex, read apart, agree
    if doc_type == "citizen_id_card" and good_birth and expiry and "date_of_expiry" not in problems:
        if p := card_expiry_problem(expiry, good_birth):
            problems["date_of_expiry"] = p
            # The ID's digits vouch for the year of birth, not for its day and month.
            if not cid_agrees or "birthday" in p:
                problems.setdefault("date_of_birth", "disagrees with the date of expiry: " + p)
        elif cid_agrees:
            witnessed.update(("date_of_birth", "date_of_expiry"))  # year by the ID, day and month by each other
    result = {}
    for name, f in fields.items():
        if name in _DATES and (kept := calendar_part(f.value)) != f.value:
            # Dates in JSON are ISO 8601, which "2019-05-84" is not: what the calendar allows stands.
            result[name] = replace(f, value=kept).doubted(f"no such date: {f.value} was read; {kept} is kept",
                                                          DOUBTFUL)
            continue
        if f.problem:  # already explained (a repair): keep the explanation
            result[name] = f
            continue
        if name in problems:
            f = f.doubted(problems[name], DOUBTFUL)
        elif name in witnessed:
            f = replace(f, confidence=max(f.confidence, CORROBORATED), review=False)
        elif f.confidence < REVIEW_BELOW:
            f = replace(f, review=True)
        result[name] = f
    return result


TYPED_LENGTH = {"summary": 2000}  # characters a clerk may type into a field; others: TYPED_DEFAULT
TYPED_DEFAULT = 300
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATES = ("date_of_birth", "date_of_expiry", "date_of_issue", "issue_date")
_PERSON = ("citizen_id", "date_of_birth", "sex")  # checked against each other


def typed_problems(typed: dict[str, str], values: dict[str, str | None],
                   today: date | None = None) -> dict[str, str]:
    """Why each value a clerk typed (``typed``, field name to value) cannot be what its field
    holds; ``values``: every field of the document as the correction would leave it, so that
    the citizen ID, date of birth and sex a clerk types are checked against each other."""
    problems = {name: p for name, value in typed.items() if (p := _typed_problem(name, value, today))}
    if not problems and set(_PERSON) & set(typed):
        cid, birth, sex = (values.get(name) for name in _PERSON)
        if cid and len(cid) == 12 and (p := citizen_id_problem(cid, birth, sex)):
            problems[next(name for name in _PERSON if name in typed)] = f"disagrees with the others: {p}"
    return problems


def _typed_problem(name: str, value: str, today: date | None) -> str | None:
    if not value.strip():
        return "blank: send {} to confirm the value read"
    if len(value) > (limit := TYPED_LENGTH.get(name, TYPED_DEFAULT)):
        return f"{len(value)} characters; at most {limit}"
    if any(unicodedata.category(c)[0] == "C" for c in value):
        return "holds control characters"
    if name in _DATES:
        if not _ISO_DAY.match(value) or not _real_date(value):
            return f"not a date as YYYY-MM-DD: {value}"
        return birth_date_problem(value, today) if name == "date_of_birth" else None
    if name == "sex" and value not in ("Nam", "Nữ"):
        return "Nam or Nữ"
    if name == "citizen_id" and (len(value) != 12 or not value.isdigit()):
        return "a citizen ID has 12 digits"
    if name == "citizen_id":
        return citizen_id_problem(value)
    if name == "old_id_number" and (len(value) != 9 or not value.isdigit()):
        return "an old identity card number has 9 digits"
    return None


def id_century(cid: str) -> int:
    """The century of birth a 12-digit ID's fourth digit says: 0/1 → 1900s, 2/3 → 2000s, 4/5 → 2100s …"""
    return 1900 + 100 * (int(cid[3]) // 2)


def _id_birth_year(cid: str) -> int:
    return id_century(cid) + int(cid[4:6])


def _real_date(iso: str) -> bool:
    try:
        date.fromisoformat(iso)
    except ValueError:
        return False
    return True
