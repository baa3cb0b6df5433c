"""Places named by the two-level scheme (1 July 2025 on: commune and province, no district), as
cards made since print them, checked against that scheme's list of communes: generated cards
print places of before it only, so only real cards would show these."""

from __future__ import annotations

from test_card_fields import card_fields


def origin(place: str):
    return card_fields(origin=place, title="CĂN CƯỚC")["place_of_origin"]  # a 2024 card, of 2025 on


def test_a_commune_of_a_merged_province_or_newly_named_is_not_doubted():
    """Hà Giang's wards are Tuyên Quang's since the provinces were merged, and "Phường Sài Gòn"
    is a new name: the list before 2025 has neither under its province."""
    for place in ("Phường Hà Giang 1, Tuyên Quang", "Số 12 Lê Lợi, Phường Sài Gòn, TP. Hồ Chí Minh",
                  "Thôn Nà Khương, Xã Lũng Cú, Tuyên Quang"):
        got = origin(place)
        assert got.value == place and not got.review, got


def test_a_commune_of_the_scheme_with_its_marks_misread_is_spelled_as_listed():
    got = origin("Phường Sai Gon, TP. Hồ Chí Minh")
    assert got.value == "Phường Sài Gòn, TP. Hồ Chí Minh"


def test_a_near_miss_of_a_commune_of_the_scheme_goes_to_the_clerk():
    got = origin("Phường Xài Gòn, TP. Hồ Chí Minh")
    assert got.review and got.problem.startswith("Xài Gòn is not a commune of Hồ Chí Minh (2025 on)")
