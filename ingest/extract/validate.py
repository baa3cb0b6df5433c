"""Checks that a value read can be true; a doubtful field is kept but sent to the clerk.

The citizen ID (Circular 07/2016/TT-BCA, Decree 137/2015/NĐ-CP): three digits for the province
where the birth was registered, one for century and sex, two for the year of birth, six more.
There is no check digit, so the cross-checks with the date of birth and sex are the only proof.
"""

from __future__ import annotations

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


def citizen_id_problem(value: str, date_of_birth: str | None = None, sex: str | None = None) -> str | None:
    """Why ``value`` cannot be the citizen ID of a person born on ``date_of_birth`` (ISO) with
    ``sex`` (``Nam``/``Nữ``), or None if it can. Unknown birth date or sex is not checked."""
    if len(value) != 12 or not value.isdigit():
        return f"a citizen ID has 12 digits, read {len(value)}"
    if value[:3] not in PROVINCES:
        return f"no province has the code {value[:3]}"
    gene = int(value[3])
    century = 1900 + 100 * (gene // 2)  # 0/1 → 1900s, 2/3 → 2000s, 4/5 → 2100s …
    if sex in ("Nam", "Nữ") and (gene % 2 == 1) != (sex == "Nữ"):
        return f"digit 4 ({gene}) says {'female' if gene % 2 else 'male'}, the card says {sex}"
    if date_of_birth and _real_date(date_of_birth):
        year = int(date_of_birth[:4])
        if year // 100 * 100 != century:
            return f"digit 4 ({gene}) says born in the {century}s, the date of birth is {year}"
        if value[4:6] != f"{year % 100:02d}":
            return f"digits 5-6 ({value[4:6]}) do not match the year of birth {year}"
    return None


def date_problem(iso: str) -> str | None:
    """Why ``iso`` (YYYY-MM-DD as read) is no calendar date, or None."""
    return None if _real_date(iso) else f"no such date: {iso}"


def birth_date_problem(iso: str, today: date | None = None) -> str | None:
    if problem := date_problem(iso):
        return problem
    if date.fromisoformat(iso) > (today or date.today()):
        return f"date of birth {iso} is in the future"
    return None


def expiry_problem(expiry: str, birth: str | None) -> str | None:
    if problem := date_problem(expiry):
        return problem
    if birth and _real_date(birth) and expiry <= birth:
        return f"expires {expiry}, before the date of birth {birth}"
    return None


def check(doc_type: str, fields: dict[str, ExtractedField],
          today: date | None = None) -> dict[str, ExtractedField]:
    """The fields with every failed check marked: low confidence, review and the reason why.
    Fields read with confidence under the review threshold are marked for review as well."""
    problems: dict[str, str] = {}

    def value(name: str) -> str | None:
        f = fields.get(name)
        return f.value if f else None

    if (birth := value("date_of_birth")) is not None:
        if p := birth_date_problem(birth, today):
            problems["date_of_birth"] = p
    for name in ("issue_date",):
        if (v := value(name)) is not None and (p := date_problem(v)):
            problems[name] = p
    if (expiry := value("date_of_expiry")) is not None:
        if p := expiry_problem(expiry, birth):
            problems["date_of_expiry"] = p
    if (cid := value("citizen_id")) is not None:
        good_birth = birth if birth and "date_of_birth" not in problems else None
        if p := citizen_id_problem(cid, good_birth, value("sex")):
            problems["citizen_id"] = p
            # The ID and the field it disagrees with cannot both be right; the clerk decides.
            if "says female" in p or "says male" in p:
                problems.setdefault("sex", "disagrees with the citizen ID: " + p)
            elif good_birth and ("born in" in p or "year of birth" in p):
                problems.setdefault("date_of_birth", "disagrees with the citizen ID: " + p)
    result = {}
    for name, f in fields.items():
        if name in problems:
            f = replace(f, confidence=min(f.confidence, DOUBTFUL), review=True, problem=problems[name])
        elif f.confidence < REVIEW_BELOW:
            f = replace(f, review=True)
        result[name] = f
    return result


def _real_date(iso: str) -> bool:
    try:
        date.fromisoformat(iso)
    except ValueError:
        return False
    return True
