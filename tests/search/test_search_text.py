"""Vietnamese folding and tone placement, checked on real words."""

from __future__ import annotations

import unicodedata

import pytest

from search.text import canonical_tones, fold, nfc

WORDS = [
    "hòa", "hoà", "thủy", "thuỷ", "khỏe", "khoẻ", "quả", "giữa", "người", "Nghị định",
    "đăng ký", "khuya", "tiếng Việt", "Hoà Bình", "HOÀ BÌNH", "NGHỊ ĐỊNH", "ngoài", "khuỷu",
    "rượu", "hoàng", "huỳnh", "quốc", "gìn", "giường", "mùa", "túi", "Ủy ban", "uỷ ban",
    "xoáy", "ngoẹo", "thuở", "khuyến", "Độc lập - Tự do - Hạnh phúc", "684/QĐ-BTTTT",
]


def test_nfc_composes() -> None:
    decomposed = unicodedata.normalize("NFD", "Nghị định")
    assert decomposed != "Nghị định"
    assert nfc(decomposed) == "Nghị định"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nghị định", "Nghi dinh"),
        ("đăng ký", "dang ky"),
        ("ĐĂNG KÝ", "DANG KY"),
        ("Đồng Nai", "Dong Nai"),
        ("người", "nguoi"),
        ("tiếng Việt", "tieng Viet"),
        ("Ủy ban nhân dân", "Uy ban nhan dan"),
        ("684/QĐ-BTTTT", "684/QD-BTTTT"),
        ("plain ascii 123", "plain ascii 123"),
        ("漢字 ﬁ €", "漢字 ﬁ €"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize("word", WORDS)
def test_fold_and_canonical_tones_preserve_length(word: str) -> None:
    assert len(fold(word)) == len(word)
    assert len(canonical_tones(word)) == len(word)
    assert len(fold(canonical_tones(word))) == len(word)


@pytest.mark.parametrize("word", WORDS)
def test_canonical_tones_is_idempotent(word: str) -> None:
    once = canonical_tones(word)
    assert canonical_tones(once) == once


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("Hoà Bình", "Hòa Bình"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("uỷ ban", "ủy ban"),
        ("Uỷ ban", "Ủy ban"),
        ("ngòai", "ngoài"),
        ("khủyu", "khuỷu"),
        ("hòang", "hoàng"),
        ("thúy", "thuý"),
    ],
)
def test_old_and_new_tone_placement_are_the_same(old: str, new: str) -> None:
    assert canonical_tones(old) == canonical_tones(new)


@pytest.mark.parametrize(
    "word",
    [
        "quả", "giữa", "người", "Nghị định", "đăng ký", "khuya", "tiếng Việt", "hoàng", "huỳnh",
        "quốc", "gìn", "giường", "rượu", "mùa", "túi", "ngoài", "khuỷu", "khuyến", "NGƯỜI",
        "QUỐC", "GIỮA", "thuở", "Độc lập - Tự do - Hạnh phúc",
    ],
)
def test_words_already_canonical_are_unchanged(word: str) -> None:
    """Words with only one correct placement keep it, so the exact column reads naturally."""
    assert canonical_tones(word) == word


@pytest.mark.parametrize(
    "word", ["café", "résumé", "naïve", "Zoë", "ǹg", "mississippi", "x", "", "42", "QĐ-BTTTT"]
)
def test_non_vietnamese_words_pass_through(word: str) -> None:
    assert canonical_tones(word) == word


def test_canonical_tones_keeps_case_and_surroundings() -> None:
    text = "Tỉnh Hoà Bình, THANH HOÁ; thuỷ lợi (khoẻ)."
    assert canonical_tones(text) == "Tỉnh Hòa Bình, THANH HÓA; thủy lợi (khỏe)."
