"""Closed vocabularies that let a misread mark be put back, and only where they leave no doubt.

Tesseract is often confidently wrong on the marks of capitals (HẰNG → HÀNG, BAN → BẠN, PHÒNG →
PHONG) and merges or splits words (NGHỆAN). A word is restored only when its folded key (see
``fuzzy.key``) matches exactly one entry of a vocabulary it belongs to, and is kept as read when
it is itself an entry or when several entries share its key (THỦY, THÚY and THÙY are all names):
a dictionary may confirm a reading, never guess between readings.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ocr import syllable
from search.text import canonical_tones, nfc

from .fuzzy import key, similar
from .validate import PROVINCES

# The 54 ethnic groups of Viet Nam (Decision 121-TCTK/PPCĐ, with the usual alternative names).
ETHNICITIES = (
    "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Mông", "Dao", "Gia Rai", "Ê Đê", "Ba Na",
    "Sán Chay", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai", "Mnông", "Thổ", "Xtiêng",
    "Khơ Mú", "Bru Vân Kiều", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ", "Giẻ Triêng", "Co", "Chơ Ro",
    "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "Kháng", "La Chí", "Phù Lá", "La Hủ", "La Ha", "Pà Thẻn",
    "Chứt", "Lự", "Lô Lô", "Mảng", "Cờ Lao", "Bố Y", "Cống", "Ngái", "Si La", "Pu Péo", "Rơ Măm",
    "Brâu", "Ơ Đu",
)
_ETHNICITY_ALIASES = {"H'Mông": "Mông", "Hmông": "Mông", "Mèo": "Mông", "Khơ Me": "Khmer",
                      "Stiêng": "Xtiêng", "Ê-đê": "Ê Đê", "Gia-rai": "Gia Rai", "Ba-na": "Ba Na"}
assert len(ETHNICITIES) == 54

# Family names, middle names and given names that most Vietnamese carry, upper-case as printed.
# Not a list of every name: a syllable missing here is kept as read.
NAME_SYLLABLES = frozenset(nfc(w).upper() for w in """
    Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Đào Lương Trương
    Lò Hà Quách Mai Tô Lâm Cao Chu Đoàn Vương Tạ Triệu Lưu Kiều Thái Âu Mạc Nông Lục Hứa Văn Tăng
    Thị Văn Hữu Đức Minh Quang Thanh Xuân Công Đình Viết Ngọc Thu Hoài Kim Bích Thúy Thủy Thùy Thụy
    Diệu An Ân Anh Ánh Bá Bách Bạch Bảo Bằng Bình Biên Bội Cảnh Cát Cầm Cẩm Chánh Châu Chi Chiến
    Chinh Chính Chung Chương Cúc Cung Cường Dạ Danh Dân Diễm Diệp Dinh Doanh Du Dũng Dung Duy
    Duyên Đại Đan Đăng Đạo Đạt Điệp Định Đoan Đông Đồng Gấm Gia Giang Giao Hạ Hải Hàn Hạnh Hảo
    Hào Hân Hậu Hằng Hiền Hiển Hiếu Hiệp Hòa Hoà Hoan Hoàn Hồng Hợp Huân Huấn Huệ Hùng Hưng Hương
    Hường Huy Huyền Khả Khải Khang Khanh Khánh Khiêm Khoa Khôi Khuê Khương Kiên Kiệt Kỳ Lam Lan
    Lành Lễ Lệ Liên Liễu Linh Loan Lộc Lợi Long Luân Lực Ly Mạnh Mẫn My Mỹ Nam Nga Ngà Ngân Nghi
    Nghĩa Nguyên Nguyệt Nhã Nhàn Nhân Nhật Nhi Nhiên Nhung Như Ninh Oanh Phát Phong Phú Phúc Phụng
    Phương Phượng Quân Quế Quốc Quý Quyên Quyền Quyết Quỳnh Sang Sâm Sơn Sương Tài Tâm Tân Thạch
    Thắm Thắng Thành Thảo Thi Thiện Thịnh Thơ Thông Thư Thuận Thục Thương Tiến Tiên Tín Tình Toàn
    Toản Trâm Trang Trí Triết Triều Trinh Trọng Trung Trúc Trường Tú Tuấn Tùng Tường Tuyền Tuyết
    Tư Uyên Vân Việt Vinh Vĩnh Vy Xuyến Yến Hạnh Thoa Thư Giang Hoa Hùng Sỹ Sĩ Tiệp Tuệ Vỹ Lộc
    Khải Tuyến Hà Diệu Nhạn Hiên Đào Lụa Mơ Nụ Tám Ba Hai Năm Sáu Bảy Chín Mười
    Trân Hưởng Ấn Huê Thơm Mến Yên Khuyên Luyến Sen Lài Điền Quảng Thiều Tuân Tuyên Thuần Tịnh Chiêu
    Hiến Lập Lĩnh Sáng Thìn
    Nữ Thưởng Phử Lựu Mận Thọ Thức Kha Dự Khởi Lượng Nhị Phục Tá Tiếp Trị Vượng Dũ Phấn Thẩm Ngộ
    Phước Trãi Thạnh Từ Tứ Tiền Nhẫn Nhựt Nhứt Tòng Tốt Trà Út Tý Tí Vi Viên Lũy Cẩn Cần Chúc Dịu
    Đảm Giàu Hội Kính Lạc Miên Mừng Phi Quới Rạng Thới Thừa Tôn Tồn Ưng Ứng Vĩ Vọng Xinh
""".split())
# (The last three rows: syllables of real names a list of common ones lacked. Where one shares
# its letters with a listed syllable, a name read exactly was "restored" into another: TÔN NỮ
# into TÔN NỤ, THƯỞNG into THƯƠNG, LƯỢNG into LƯƠNG.)

# The words of an ID card's identifying features (đặc điểm nhân dạng), the police's fixed way of
# writing a mark and where it is: "Nốt ruồi C:1cm trên trước đầu mày trái", "Sẹo chấm C:2cm dưới
# sau cánh mũi phải". Lower-case; the case of the word as read is kept.
# Words that say where relative to something, which a description never ends with.
FEATURE_RELATIONS = frozenset(nfc(w) for w in """
    cách trên dưới trước sau giữa ngang trong ngoài cạnh gần mé dài rộng
""".split())
FEATURE_WORDS = FEATURE_RELATIONS | frozenset(nfc(w) for w in """
    nốt ruồi son sẹo chấm thâm lõm lồi vết bớt chàm đen nâu xăm mụn cơm lang lác
    đầu đuôi mày mắt mũi cánh sống mép môi má gò trán cằm tai dái vành cổ gáy họng hàm
    thái dương nhân trung khóe gốc chân tóc mi lông trái phải bên
""".split())


# The words a description begins with: the mark's name ("chấm" follows "Sẹo", and may begin
# one whose first word glare took).
FEATURE_MARKS = tuple(nfc(w) for w in ("nốt ruồi", "nốt", "sẹo", "vết", "bớt"))


def feature_description(text: str) -> str:
    """A description as the card prints it, without what OCR read around it: it begins with the
    mark's name ("J Nốt ruồi…", "Persondl icí< Nốt ruồi…": the label's edge, a speck) and ends
    where the mark is ("… cánh mũi trái ` là"). What it cannot tell from a misread word of the
    description ("So chấm" for "Sẹo chấm", "… dưới dá") is kept as read."""
    words = text.split(" ")
    lower = [restore_word(w.strip(".,;:").lower(), FEATURE_WORDS) for w in words]
    start = next((i for i, w in enumerate(lower) if w in FEATURE_MARKS), None)
    if start is None:
        return text
    # Words after where it ends that no description holds (no measure, no word of the vocabulary;
    # a speck read as "j4" has a digit, but no measure's unit).
    end = len(words)
    while end > start + 1 and lower[end - 1] not in FEATURE_WORDS and not re.search(r"\dc?m|^c:", lower[end - 1]) \
            and not feature_ends(lower[start:end]):
        end -= 1
    if not feature_ends(lower[start:end]):
        end = len(words)
    described = " ".join(words[start:end])
    return described[:1].upper() + described[1:]  # "Nốt ruồi …", as printed, its N read as an l


# Parts of the face there are two of: a description names the side ("… đuôi mày trái").
FEATURE_SIDED = frozenset(nfc(w) for w in ("mép", "cánh mũi", "đầu mày", "đuôi mày", "đuôi mắt", "khóe mắt",
                                           "dái tai", "vành tai", "gò má", "thái dương"))


_SIDES = frozenset(nfc(w) for w in ("trái", "phải"))


def feature_ends(words: list[str]) -> bool:
    """Whether a description (its words, lower case) ends where a mark is: on a part of the face
    or a side, not on a word of where relative to them ("… trước mép" lost "phải"), nor on a part
    there are two of without its side ("… đuôi mày" lost "trái"); the upper and lower lip (môi
    trên, môi dưới) are parts."""
    if not words or words[-1] not in FEATURE_WORDS or " ".join(words[-2:]) in FEATURE_SIDED \
            or words[-1] in FEATURE_SIDED:
        return False
    return words[-1] not in FEATURE_RELATIONS or (len(words) > 1 and words[-2] == "môi")


def feature_after_side(words: list[str]) -> str | None:
    """The word after a side ("trái", "phải") that begins no other mark, or None. A side ends a
    mark's place: what follows it begins another mark ("… mép trái, sẹo …"), or was read off the
    print below the field ("… dái tai trái má")."""
    return next((after for side, after in zip(words, words[1:])
                 if side.strip(",.;") in _SIDES and not after.startswith(FEATURE_MARKS)), None)


# Words a description always writes together: the mark's name ("nốt ruồi") and the parts of the
# face named in two words. One of a pair read one letter off beside the other is that word.
FEATURE_PAIRS = tuple(tuple(nfc(w) for w in pair.split()) for pair in (
    "nốt ruồi", "sẹo chấm", "cánh mũi", "sống mũi", "đầu mày", "đuôi mày", "đuôi mắt", "khóe mắt",
    "dái tai", "vành tai", "gò má", "thái dương", "nhân trung", "chân tóc"))
# The measure ("C:1,5cm": how far the mark is from the part named) as OCR misreads it: "C: :0,5cm",
# "C:†1cm", "C:3crh".
# The measure "C:1,5cm" as OCR reads it: the C as "©" or "(", its colon as "-" ("C-1cm"), a 1 as
# "†", "|", "!", "l" or "I".
_MEASURE = re.compile(r"(?:\bC|©|\()\s*[:;.-]\W{0,3}([\d†|!lI]+(?:,[\d†|!lI]+)?)\s*(?:cm|crn|crh|cn)(?!\w)")
_ONE = str.maketrans(dict.fromkeys("†|!lI", "1"))


def feature_words(text: str) -> str:
    """Identifying features with each word's marks put back where the vocabulary has one
    spelling of its letters (SEO → Sẹo, ruôi → ruồi), a word of a pair the description always
    writes together put right when it is one letter off beside the other ("So chấm", "lốt ruồi",
    "cảnh mũi"), specks between words dropped and the measure written as printed ("C:1cm");
    other words not in the vocabulary are kept as read."""
    text = _MEASURE.sub(lambda m: f"C:{m[1].translate(_ONE)}cm", text)
    words = [w for w in text.split(" ") if re.search(r"\w", w)]
    lower = [restore_word(w.lower(), FEATURE_WORDS) if re.fullmatch(r"[^\W\d_]+", w) else w.lower() for w in words]
    for i in range(len(lower) - 1):
        for first, second in FEATURE_PAIRS:
            if lower[i + 1] == second and lower[i] != first and lower[i] not in FEATURE_WORDS \
                    and similar(key(first), key(lower[i]), limit=1):
                lower[i] = first
            elif lower[i] == first and lower[i + 1] != second and lower[i + 1] not in FEATURE_WORDS \
                    and similar(key(second), key(lower[i + 1]), limit=1):
                lower[i + 1] = second
    return " ".join(_cased(fixed, word) if fixed != word.lower() else word for fixed, word in zip(lower, words))


# Bodies that issue documents (Decree 30/2020, Annex I: the agency and its superior, in capitals),
# and the words that name a level of government before a place.
AGENCY_PHRASES = tuple(nfc(p) for p in (
    "ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "UBND", "HĐND", "CHÍNH PHỦ", "QUỐC HỘI",
    "VĂN PHÒNG CHÍNH PHỦ", "THANH TRA CHÍNH PHỦ", "NGÂN HÀNG NHÀ NƯỚC VIỆT NAM", "KHO BẠC NHÀ NƯỚC",
    "ỦY BAN DÂN TỘC", "BỘ QUỐC PHÒNG", "BỘ CÔNG AN", "BỘ NGOẠI GIAO", "BỘ NỘI VỤ", "BỘ TƯ PHÁP",
    "BỘ KẾ HOẠCH VÀ ĐẦU TƯ", "BỘ TÀI CHÍNH", "BỘ CÔNG THƯƠNG", "BỘ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
    "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "BỘ GIAO THÔNG VẬN TẢI", "BỘ XÂY DỰNG", "BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "BỘ THÔNG TIN VÀ TRUYỀN THÔNG", "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
    "BỘ KHOA HỌC VÀ CÔNG NGHỆ", "BỘ GIÁO DỤC VÀ ĐÀO TẠO", "BỘ Y TẾ", "BỘ DÂN TỘC VÀ TÔN GIÁO",
    "SỞ NỘI VỤ", "SỞ TƯ PHÁP", "SỞ KẾ HOẠCH VÀ ĐẦU TƯ", "SỞ TÀI CHÍNH", "SỞ CÔNG THƯƠNG",
    "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "SỞ GIAO THÔNG VẬN TẢI",
    "SỞ XÂY DỰNG", "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
    "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "SỞ VĂN HÓA VÀ THỂ THAO",
    "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "SỞ Y TẾ", "SỞ NGOẠI VỤ", "SỞ DU LỊCH",
    "PHÒNG TƯ PHÁP", "PHÒNG NỘI VỤ", "PHÒNG TÀI CHÍNH - KẾ HOẠCH", "PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "PHÒNG Y TẾ", "PHÒNG VĂN HÓA VÀ THÔNG TIN", "PHÒNG KINH TẾ",
    "PHÒNG KINH TẾ VÀ HẠ TẦNG", "PHÒNG QUẢN LÝ ĐÔ THỊ", "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
    "PHÒNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "VĂN PHÒNG", "CÔNG AN", "CỤC", "TỔNG CỤC", "CHI CỤC",
    "TRUNG TÂM", "THANH TRA", "BAN QUẢN LÝ",
    "TỈNH", "THÀNH PHỐ", "QUẬN", "HUYỆN", "THỊ XÃ", "XÃ", "PHƯỜNG", "THỊ TRẤN", "ĐẶC KHU",
))


def _province_names() -> tuple[str, ...]:
    names = set(PROVINCES.values()) | {"Thành phố Hồ Chí Minh", "Huế"}
    return tuple(sorted(names, key=len, reverse=True))


PROVINCE_NAMES = _province_names()


@lru_cache(maxsize=None)
def _by_key(vocabulary: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Entries by key; old and new tone placement (HOÀ, HÒA) count as one entry."""
    table: dict[str, set[str]] = {}
    for entry in vocabulary:
        table.setdefault(key(entry), set()).add(canonical_tones(entry))
    return {k: tuple(sorted(v)) for k, v in table.items()}


# The words before a number in a place ("Tổ 20", "Số 105", "Phường 6"): "Tố 20" is "Tổ 20".
NUMBERED_UNITS = frozenset(nfc(w) for w in ("Số", "Tổ", "Xóm", "Thôn", "Ấp", "Bản", "Khóm", "Ngõ", "Ngách",
                                            "Hẻm", "Kiệt", "Phường", "Quận"))


# The words of a hamlet's name before it ("Ấp Phú Mỹ", "Thôn Đoài"), which no other word of a
# place's beginning shares the letters of (not "Tổ": a street may be named Tô).
NAMED_UNITS = frozenset(nfc(w) for w in ("Ấp", "Xóm", "Thôn", "Khóm"))


_STUCK_NUMBER = re.compile(r"^([^\W\d_]+)[.:·](\d.*)$")


def numbered_unit(part: str) -> str:
    """A part of a place with the word before its number, or before a hamlet's name, spelled as
    places spell it ("Tố 20", "Áp Phú Mỹ"), and parted from its number by a space where a speck
    of the guilloche or an old card's dotted line was read as a stop ("Xóm.10")."""
    if (stuck := _STUCK_NUMBER.match(part)) and key(stuck[1]) in _by_key(NUMBERED_UNITS):
        part = f"{stuck[1]} {stuck[2]}"
    words = part.split(" ")
    if len(words) < 2:
        return part
    if words[1][:1].isdigit():
        restored = restore_word(words[0], NUMBERED_UNITS)
    elif words[1][:1].isupper() and words[0][:1].isupper():
        restored = restore_word(words[0], NAMED_UNITS)
    else:
        return part
    return " ".join([restored.upper() if words[0].isupper() else restored, *words[1:]])


def restore_word(word: str, vocabulary: frozenset[str]) -> str:
    """``word`` as the vocabulary spells it when exactly one entry folds to the same key."""
    candidates = _by_key(vocabulary).get(key(word), ())
    if canonical_tones(word) in candidates:
        return word
    return candidates[0] if len(candidates) == 1 else word


def name_word(word: str) -> str:
    """A syllable of a name (upper-case) with its marks put back when the name list is sure."""
    return restore_word(word, NAME_SYLLABLES)


def unsettled_name_word(word: str) -> tuple[str, ...]:
    """The name list's spellings of ``word``'s letters when they do not settle its marks: the word
    as read is none of them, and several are listed ("CÂM": CẦM, CẨM; a tone over a capital's
    circumflex is the mark OCR loses most) or the word as read is a syllable too, which a name
    may be though the list does not hold it ("TRÂN", restored as TRẦN). Empty when settled."""
    spellings = _by_key(NAME_SYLLABLES).get(key(word), ())
    if not spellings or canonical_tones(word) in spellings:
        return ()
    return spellings if len(spellings) > 1 or syllable.is_syllable(word) else ()


def ethnicity(text: str) -> str | None:
    """The ethnic group's name as the official list spells it, or None if it is none of the 54."""
    k = key(text)
    if not k:
        return None
    for name in (*ETHNICITIES, *_ETHNICITY_ALIASES):
        if key(name) == k:
            return _ETHNICITY_ALIASES.get(name, name)
    return None


def province(text: str) -> str | None:
    """The province or centrally-run city ``text`` names, spelled right, or None."""
    k = key(text)
    return next((p for p in PROVINCE_NAMES if key(p) == k), None) if k else None


def restore_agency(text: str) -> str:
    """An agency's name (capitals) with known phrases and province names spelled as they are.

    Runs of words are matched on keys, so merged and split words come out right ("NGHỆAN" →
    "NGHỆ AN"); a long phrase also absorbs a lost letter at its end ("TRUYỀN THÔN"), which is
    what the cut between an agency and the national heading run together leaves. Words that
    match nothing (district and commune names) are kept as read."""
    words = text.split()
    phrases = [(p, key(p)) for p in AGENCY_PHRASES] + [(p.upper(), key(p)) for p in PROVINCE_NAMES]
    out: list[str] = []
    i = 0
    while i < len(words):
        match = None
        for j in range(len(words), i, -1):
            k = key(" ".join(words[i:j]))
            if not k:
                continue
            for phrase, pk in phrases:
                exact = pk == k
                # A lost letter or two only in a long phrase, and only at the end of the line.
                near = not exact and j == len(words) and len(pk) >= 12 and similar(pk, k) \
                    and pk.startswith(k[:len(pk) // 2])
                if exact or near:
                    if match is None or (exact, len(pk)) > (match[2], len(match[0])):
                        match = (phrase, j, exact)
            if match:
                break
        if match:
            read = " ".join(words[i:match[1]])
            out.append(read if canonical_tones(read) == canonical_tones(match[0]) else match[0])
            i = match[1]
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


# Words of administrative prose that OCR reads with a wrong mark and that no other word of the
# same letters could be in a summary: "chuyến đối số" is "chuyển đổi số".
PROSE_PHRASES = tuple(nfc(p) for p in (
    "chuyển đổi số", "thông tin", "hành chính", "thủ tục", "số hóa", "hồ sơ", "trực tuyến", "dịch vụ công",
    "cải cách", "tiếp nhận", "giải quyết", "kết quả", "phê duyệt", "ban hành", "thành lập", "công bố",
    "danh mục", "quy chế", "triển khai", "kế hoạch", "tình hình", "thực hiện", "đề nghị", "kinh phí",
    "tài liệu", "lưu trữ", "hướng dẫn", "trích lục", "khai sinh", "hộ tịch", "chứng thực", "kiểm tra",
    "công dân", "định kỳ", "tăng cường", "kỷ luật", "kỷ cương", "đề án", "góp ý", "dự thảo", "điện tử",
    "cung cấp", "bưu chính", "công ích", "địa bàn", "giai đoạn", "toàn trình", "tổ công tác",
    "khẩn trương", "chống dịch", "phòng chống", "bảo đảm", "đảm bảo", "an toàn giao thông", "trật tự",
    "quốc gia", "nghị định", "quyết định", "thông tư", "chính phủ", "ủy ban nhân dân", "sửa đổi",
    "bổ sung", "bổ nhiệm", "miễn nhiệm", "tổ chức", "cán bộ", "công chức", "viên chức", "đào tạo",
    "giáo dục", "ngân sách", "nhà nước", "xây dựng", "đầu tư", "dự án", "quy hoạch", "đất đai",
    "tài nguyên", "môi trường", "hỗ trợ", "hộ nghèo", "cận nghèo", "chính sách", "xã hội", "tuyên truyền",
    "phổ biến", "pháp luật", "phòng ngừa", "khắc phục", "thiên tai", "quản lý", "sử dụng", "báo cáo",
    "tổng kết", "đánh giá", "phân công", "nhiệm vụ", "khen thưởng", "thi đua", "nguyên đán",
    # A department of education's letters ("Sở Giáo dục và Đào tạo")
    "học sinh", "sinh viên", "tuyển sinh", "tốt nghiệp", "năm học", "giáo viên", "trung học phổ thông",
    "trung học cơ sở", "tiểu học", "mầm non", "kỳ thi THPT", "kỳ thi tốt nghiệp", "kỳ thi tuyển sinh",
))
# (Not "đối với": "đi đôi với" is right as read; nor "kỳ thi" alone: "chống kỳ thị" is right too.)


def restore_prose(text: str) -> str:
    """Administrative wording with a mark OCR misread put right, phrase by phrase.

    A run of words is replaced only when it folds to a phrase of the list and differs from it in
    marks alone; the case of each letter is kept as read."""
    words = text.split(" ")
    table = {key(p): canonical_tones(p) for p in PROSE_PHRASES}
    i = 0
    while i < len(words):
        for n in (4, 3, 2):
            run = words[i:i + n]
            if len(run) < n or not all(re.fullmatch(r"[^\W\d_]+", w) for w in run):
                continue
            phrase = table.get(key(" ".join(run)))
            if phrase and len(phrase.split()) == n and canonical_tones(" ".join(run).lower()) != phrase:
                fixed = [_cased(p, w) for p, w in zip(phrase.split(), run)]
                words[i:i + n] = fixed
                break
        i += 1
    return " ".join(words)


def _cased(word: str, like: str) -> str:
    if like.isupper():
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


_STEMS = "Canh Tân Nhâm Quý Giáp Ất Bính Đinh Mậu Kỷ".split()  # by the year's last digit
_BRANCHES = "Thân Dậu Tuất Hợi Tý Sửu Dần Mão Thìn Tỵ Ngọ Mùi".split()  # by the year modulo 12
_NAMED_YEAR = re.compile(r"([^\W\d_]+) ([^\W\d_]+)(?=\s*[-–]?\s*năm (\d{4})\b)")


def year_name(year: int) -> str:
    """The year's name in the sixty-year cycle: 2025 is "Ất Tỵ"."""
    return f"{_STEMS[year % 10]} {_BRANCHES[year % 12]}"


def restore_year_names(text: str) -> str:
    """The cycle name of a year ("Tết Nguyên đán Ất Tỵ - năm 2025") with its marks put right when
    its letters are the year's name as read ("Át Ty"): the year beside it leaves one reading."""
    def mend(match: re.Match) -> str:
        name = year_name(int(match.group(3)))
        read = f"{match.group(1)} {match.group(2)}"
        if key(read) != key(name) or canonical_tones(read) == canonical_tones(name):
            return read
        return " ".join(_cased(n, r) for n, r in zip(name.split(), read.split()))
    return _NAMED_YEAR.sub(mend, text)
