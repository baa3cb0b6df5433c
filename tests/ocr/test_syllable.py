"""Vietnamese syllable spelling (ocr/syllable.py): what a misreading breaks, and what it keeps."""

from __future__ import annotations

import random

import pytest

import vncards
from ocr.syllable import is_syllable, strange_words


@pytest.mark.parametrize("word", ["NGUYỄN", "quốc", "gì", "khuya", "xoong", "huých", "ngoằn", "người",
                                  "được", "giữa", "Thượng", "THỦY", "oanh", "yểu", "Đắk", "Ea", "Kar"])
def test_syllables_and_known_names_are_spelt_right(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["Nổốt", "Kạr", "ầnn", "bốg", "xyz", "tiêg", "mảp",
                                  "Thưọng", "ốtt", "hàt", "Lâp", "Thach"])
def test_misreadings_break_the_spelling(word):
    assert not is_syllable(word)


def test_strange_words_judge_numbers_by_their_letters_only():
    assert strange_words("Nốt ruồi C:1cm sau gò má phải, Số 120, 12A Tổ 22 1,5cm") == []
    assert strange_words("Xã Lộc Thủy, Phú &/oa/2oas Lộc") == ["&/oa/2oas"]
    assert strange_words("Phú 2oas") == ["2oas"]


def test_every_generated_card_value_is_spelt_as_vietnamese():
    """Names, places and features of a few hundred synthetic people: none is taken for a misreading."""
    for seed in range(200):
        for kind in vncards.KINDS:
            c = vncards.citizen(random.Random(seed), kind)
            for name in ("full_name", "place_of_origin", "place_of_residence", "place_of_birth_registration",
                         "identifying_features"):
                value = getattr(c, name, None)
                if isinstance(value, str):
                    assert strange_words(value) == [], (seed, kind, name, value)
