"""The search contract: every test on `index` runs on SQLite FTS5 and on a real Elasticsearch;
tests on `sqlite_index` or `index_path` are about the embedded file itself."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date, datetime, timedelta, timezone
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from search import (
    BadQuery,
    Index,
    IndexEntry,
    IndexUnavailable,
    SearchError,
    SearchQuery,
    open_index,
)
from search._sqlite import SCHEMA_VERSION, SqliteIndex

Entry = Callable[..., IndexEntry]

# No word here folds to "ban", "hoa" or "ma", which the ranking tests rely on.
FILLER = [
    "Công dân đăng ký khai sinh cho con tại nơi cư trú.",
    "Kết quả giải quyết thủ tục hành chính được lưu trữ dưới dạng điện tử.",
    "Việc khai thác dữ liệu phải bảo đảm an toàn thông tin cá nhân.",
    "Chữ ký số của người thực hiện được gắn vào tệp điện tử.",
]


def ids(index: Index, text: str, **filters: object) -> list[str]:
    return [h.document_id for h in index.search(SearchQuery(text=text, **filters)).hits]


def with_filler(entry: Entry, *entries: IndexEntry) -> list[IndexEntry]:
    """Unrelated documents, so bm25's document frequencies look like a real index."""
    return [*entries, *(entry(f"filler{i}", text) for i, text in enumerate(FILLER))]


# -- matching ---------------------------------------------------------------------------------


def test_query_without_diacritics_finds_accented_text(index: Index, entry: Entry) -> None:
    index.upsert(with_filler(entry,
        entry("nd", "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020"),
        entry("dk", "Tờ khai đăng ký thường trú"),
    ))
    assert ids(index, "nghi dinh") == ["nd"]
    assert ids(index, "NGHI DINH") == ["nd"]
    assert ids(index, "dang ky thuong tru") == ["dk"]
    assert ids(index, "nđ cp") == ["nd"]


def test_all_words_are_required(index: Index, entry: Entry) -> None:
    index.upsert([entry("a", "đăng ký khai sinh"), entry("b", "đăng ký kết hôn")])
    assert sorted(ids(index, "dang ky")) == ["a", "b"]
    assert ids(index, "đăng ký kết hôn") == ["b"]
    assert ids(index, "khai sinh kết hôn") == []


@pytest.mark.parametrize(("stored", "typed"), [("hòa", "hoà"), ("hoà", "hòa"),
                                               ("thuỷ lợi", "thủy lợi"), ("thủy lợi", "thuỷ lợi"),
                                               ("Hoà Bình", "HÒA BÌNH")])
def test_old_and_new_tone_placement_find_each_other(
    index: Index, entry: Entry, stored: str, typed: str
) -> None:
    index.upsert(with_filler(entry, entry("x", f"tỉnh {stored} và {stored}")))
    hits = index.search(SearchQuery(text=typed)).hits
    assert [h.document_id for h in hits] == ["x"]
    assert f"<mark>{stored.split()[0]}</mark>" in hits[0].snippet


def test_old_and_new_placement_rank_as_exact_matches(index: Index, entry: Entry) -> None:
    index.upsert(with_filler(entry,
        entry("hoa-old", "xã Hoà Bình"), entry("hoa-flower", "vườn hoa"),
    ))
    assert ids(index, "hòa") == ["hoa-old", "hoa-flower"]


@pytest.mark.parametrize(
    ("query", "best"),
    [("bán", "ban-sell"), ("bạn", "ban-friend"), ("ban", "ban-plain")],
)
def test_exact_accented_match_ranks_above_folded(
    index: Index, entry: Entry, query: str, best: str
) -> None:
    index.upsert(with_filler(entry,
        entry("ban-friend", "gửi bạn đọc bản tin tháng này và các số trước"),
        entry("ban-sell", "bán"),
        entry("ban-plain", "ban quản lý dự án"),
    ))
    found = ids(index, query)
    assert found[0] == best
    assert sorted(found) == ["ban-friend", "ban-plain", "ban-sell"]


def test_exact_match_ranks_first_for_ma_variants(index: Index, entry: Entry) -> None:
    words = {"ma": "ma", "má": "má", "mà": "mà", "mả": "mả", "mã": "mã", "mạ": "mạ"}
    index.upsert(with_filler(entry, *(entry(w, f"từ {w} ở đây") for w in words)))
    for word in words:
        found = ids(index, word)
        assert found[0] == word
        assert len(found) == len(words)


def test_hit_names_best_page_and_metadata(index: Index, entry: Entry) -> None:
    e = entry("doc", "trang bìa", "mục lục", "Quyết định về thủ tục hành chính")
    index.upsert([e])
    [hit] = index.search(SearchQuery(text="quyet dinh")).hits
    assert hit.page == 3
    assert (hit.dossier_code, hit.filename, hit.doc_type) == (e.dossier_code, e.filename, e.doc_type)
    assert (hit.agency_code, hit.procedure_code) == (e.agency_code, e.procedure_code)
    assert hit.received_at == e.received_at and hit.received_at.tzinfo is not None
    assert hit.score > 0


@pytest.mark.bm25
def test_one_hit_per_document_even_if_many_pages_match(index: Index, entry: Entry) -> None:
    index.upsert([entry("doc", "hồ sơ một", "hồ sơ hai hồ sơ", "hồ sơ ba")])
    result = index.search(SearchQuery(text="ho so"))
    assert result.total == 1
    assert [h.page for h in result.hits] == [2]


# -- snippets ---------------------------------------------------------------------------------


def test_snippet_marks_original_accented_words_and_escapes_html(index: Index, entry: Entry) -> None:
    index.upsert([entry("x", 'Điều 1. <b>Nghị định</b> & "quy định" về Đăng ký')])
    [hit] = index.search(SearchQuery(text="nghi dinh dang ky")).hits
    assert hit.snippet == (
        "Điều 1. &lt;b&gt;<mark>Nghị</mark> <mark>định</mark>&lt;/b&gt; &amp; "
        "&quot;quy <mark>định</mark>&quot; về <mark>Đăng</mark> <mark>ký</mark>"
    )


def test_snippet_is_a_window_with_ellipses(index: Index, entry: Entry) -> None:
    before = " ".join(f"trước{i}" for i in range(50))
    after = " ".join(f"sau{i}" for i in range(50))
    index.upsert([entry("x", f"{before}\n\nQuyết   định\n{after}")])
    [hit] = index.search(SearchQuery(text="quyết định")).hits
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert "<mark>Quyết</mark> <mark>định</mark>" in hit.snippet
    assert "\n" not in hit.snippet
    words = hit.snippet.strip("…").split()
    assert 25 <= len(words) <= 32


def test_snippet_of_short_page_has_no_ellipsis(index: Index, entry: Entry) -> None:
    index.upsert([entry("x", "Giấy khai sinh")])
    [hit] = index.search(SearchQuery(text="khai sinh")).hits
    assert hit.snippet == "Giấy <mark>khai</mark> <mark>sinh</mark>"


def test_decomposed_input_is_indexed_as_nfc(index: Index, entry: Entry) -> None:
    import unicodedata

    index.upsert([entry("x", unicodedata.normalize("NFD", "Thành phố Hồ Chí Minh"))])
    [hit] = index.search(SearchQuery(text="Hồ Chí Minh")).hits
    assert "<mark>Hồ</mark>" in hit.snippet


# -- filters and pagination ---------------------------------------------------------------------


def test_filters_are_exact_metadata_matches(index: Index, entry: Entry) -> None:
    index.upsert([
        entry("a", "giấy tờ", agency_code="AG1", procedure_code="P1", doc_type="birth_certificate",
              dossier_code="AG1-210531-0001"),
        entry("b", "giấy tờ", agency_code="AG2", procedure_code="P1", doc_type="admin_document",
              dossier_code="AG2-210531-0001"),
        entry("c", "giấy tờ", agency_code="AG2", procedure_code="P2", doc_type="admin_document",
              dossier_code="AG2-210531-0002"),
    ])
    assert sorted(ids(index, "giay to")) == ["a", "b", "c"]
    assert ids(index, "giay to", agency_code="AG1") == ["a"]
    assert sorted(ids(index, "giay to", procedure_code="P1")) == ["a", "b"]
    assert sorted(ids(index, "giay to", doc_type="admin_document")) == ["b", "c"]
    assert ids(index, "giay to", dossier_code="AG2-210531-0002") == ["c"]
    assert ids(index, "giay to", agency_code="AG2", procedure_code="P1") == ["b"]
    assert ids(index, "giay to", agency_code="AG") == []
    assert index.search(SearchQuery(text="giay to", agency_code="AG2")).total == 2


def test_pagination_over_documents(index: Index, entry: Entry) -> None:
    index.upsert([entry(f"d{i:02}", "hồ sơ", "hồ sơ") for i in range(25)])
    seen: list[str] = []
    for offset in range(0, 25, 10):
        result = index.search(SearchQuery(text="ho so", limit=10, offset=offset))
        assert result.total == 25
        seen += [h.document_id for h in result.hits]
    assert sorted(seen) == [f"d{i:02}" for i in range(25)]
    beyond = index.search(SearchQuery(text="ho so", limit=10, offset=40))
    assert (beyond.total, beyond.hits) == (25, [])
    none = index.search(SearchQuery(text="khong co"))
    assert (none.total, none.hits, none.query) == (0, [], "khong co")


def test_counts_are_exact_up_to_the_cap_then_a_lower_bound(
    index: Index, entry: Entry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("search._sqlite.TOTAL_CAP", 6)
    monkeypatch.setattr("search._elastic.TOTAL_CAP", 6)
    index.upsert([*(entry(f"d{i}", "hồ sơ", "hồ sơ") for i in range(8)), entry("x", "giấy tờ", "giấy tờ")])
    narrow = index.search(SearchQuery(text="giay to"))
    assert (narrow.total, narrow.total_exact) == (1, True)
    at_cap = index.search(SearchQuery(text="ho so", doc_type="admin_document", agency_code="000.17.22.H56"))
    broad = index.search(SearchQuery(text="ho so", limit=100))
    assert not broad.total_exact and 1 <= broad.total <= 8
    assert not at_cap.total_exact
    assert sorted(h.document_id for h in broad.hits) == [f"d{i}" for i in range(8)]  # all still listed
    # facets count the same documents as the total
    assert [(f.value, f.count) for f in broad.facets["doc_type"]] == [("admin_document", broad.total)]


def test_a_page_of_results_beyond_the_window_is_refused(index: Index, entry: Entry) -> None:
    index.upsert([entry("a", "hồ sơ")])
    index.search(SearchQuery(text="ho so", offset=9_980, limit=20))
    with pytest.raises(BadQuery, match="offset"):
        index.search(SearchQuery(text="ho so", offset=9_990, limit=20))


@pytest.mark.parametrize("few", [0, 1000], ids=["tiers-from-index", "tiers-from-count"])
def test_broad_query_puts_words_as_typed_first_then_newest(
    sqlite_index: Index, entry: Entry, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    """Words on too many pages for bm25: tiers by accents, newest received first in each (then
    last indexed)."""
    monkeypatch.setattr("search._sqlite.RANK_BUDGET", 0)
    monkeypatch.setattr("search._sqlite.FEW", few)
    day = datetime(2022, 3, 1, tzinfo=timezone.utc)
    sqlite_index.upsert([entry("new-exact", "Nghị định mới", received_at=day + timedelta(days=1)),
                         entry("other-accents", "nghĩ đình"), entry("old-exact", "Nghị định cũ"),
                         entry("unaccented", "nghi dinh", received_at=day)])
    assert ids(sqlite_index, "Nghị định") == ["new-exact", "old-exact", "unaccented", "other-accents"]
    assert ids(sqlite_index, "Nghị dinh") == ["new-exact", "old-exact", "unaccented", "other-accents"]
    assert ids(sqlite_index, "nghi dinh") == ["unaccented", "new-exact", "old-exact", "other-accents"]
    assert ids(sqlite_index, '"nghị định"') == ["new-exact", "old-exact", "unaccented", "other-accents"]
    assert ids(sqlite_index, "nghi dinh -mới") == ["unaccented", "old-exact", "other-accents"]
    paged = [ids(sqlite_index, "Nghị định", limit=1, offset=i)[0] for i in range(4)]
    assert paged == ids(sqlite_index, "Nghị định")
    [hit] = sqlite_index.search(SearchQuery(text="nghi dinh", limit=1)).hits
    assert hit.score > 0 and hit.snippet == "<mark>nghi</mark> <mark>dinh</mark>"


# -- query syntax: phrases, exclusions, codes -----------------------------------------------------


def test_phrase_needs_its_words_adjacent_and_in_order(index: Index, entry: Entry) -> None:
    index.upsert(with_filler(entry,
        entry("adjacent", "Quyết định khen thưởng tập thể lao động"),
        entry("line-break", "Danh sách khen\nthưởng năm trước"),
        entry("reversed", "Tiền thưởng, khen ngợi"),
        entry("apart", "khen ngợi và thưởng"),
    ))
    assert sorted(ids(index, "khen thưởng")) == ["adjacent", "apart", "line-break", "reversed"]
    assert sorted(ids(index, '"khen thưởng"')) == ["adjacent", "line-break"]
    assert sorted(ids(index, '"KHEN THUONG"')) == ["adjacent", "line-break"]  # diacritics optional inside
    assert ids(index, '"thưởng khen"') == ["reversed"]
    assert ids(index, '"quyết định khen thưởng tập thể"') == ["adjacent"]
    assert ids(index, 'lao dong "khen thuong"') == ["adjacent"]
    assert ids(index, '"khen và thưởng"') == []
    assert ids(index, '"khen"') == ids(index, "khen")  # a one-word phrase is that word
    [hit] = index.search(SearchQuery(text='"quyet dinh khen"')).hits
    assert hit.snippet == "<mark>Quyết định khen</mark> thưởng tập thể lao động"  # one run, not each word


def test_phrase_with_its_accents_as_typed_ranks_first(index: Index, entry: Entry) -> None:
    index.upsert(with_filler(entry,
        entry("exact", "Căn cứ Nghị định số 30 của Chính phủ"),
        entry("plain", "can cu nghi dinh so 30 cua chinh phu"),
        entry("other", "Những suy nghĩ đình trệ"),
    ))
    for text, best in (('"nghị định"', "exact"), ('"nghi dinh"', "plain"), ('"nghĩ đình"', "other")):
        found = ids(index, text)
        assert found[0] == best, text
        assert sorted(found) == ["exact", "other", "plain"]


def test_excluded_words_and_phrases_leave_documents_out(index: Index, entry: Entry) -> None:
    index.upsert([
        entry("birth", "Giấy đăng ký khai sinh"),
        entry("marriage", "Giấy đăng ký kết hôn"),
        entry("both", "Đăng ký khai sinh, sau đó kết hôn"),
        entry("apart", "Đăng ký kết nghĩa, hôn nhân"),
    ])
    assert sorted(ids(index, "dang ky -khai")) == ["apart", "marriage"]
    assert sorted(ids(index, 'đăng ký -"kết hôn"')) == ["apart", "birth"]
    assert sorted(ids(index, '-"ket hon" dang ky')) == ["apart", "birth"]
    assert ids(index, "dang ky -khai -hon") == []
    assert sorted(ids(index, "dang ky -ket-hon")) == ["apart", "birth"]  # written as one: a phrase
    result = index.search(SearchQuery(text='giấy -"kết hôn"'))
    assert (result.total, [h.document_id for h in result.hits]) == (1, ["birth"])
    assert result.hits[0].snippet == "<mark>Giấy</mark> đăng ký khai sinh"


def test_an_exclusion_is_matched_as_typed(index: Index, entry: Entry) -> None:
    index.upsert(with_filler(entry,
        entry("village", "Hồ sơ xã Hòa Bình"), entry("flower", "Hồ sơ vườn hoa"), entry("chemistry", "Hồ sơ hoá học"),
    ))
    assert sorted(ids(index, "ho so -hòa")) == ["chemistry", "flower"]  # with its accents
    assert sorted(ids(index, "ho so -hoà")) == ["chemistry", "flower"]  # either tone placement
    assert sorted(ids(index, "ho so -hóa")) == ["flower", "village"]
    assert ids(index, "ho so -hoa") == []  # typed without: every spelling


@pytest.mark.parametrize("text", ["-hồ", '-"hồ sơ"', "-hồ -sơ", "-684/QĐ", '-"hồ" - "'])
def test_a_query_that_only_excludes_is_bad(index: Index, entry: Entry, text: str) -> None:
    index.upsert([entry("x", "hồ sơ")])
    with pytest.raises(BadQuery, match="only excludes"):
        index.search(SearchQuery(text=text))


def test_codes_and_numbers_match_as_prefixes(index: Index, entry: Entry) -> None:
    index.upsert([
        entry("bttttt", "Căn cứ Quyết định số 684/QĐ-BTTTT ngày 05/3/2021 của Bộ",
              dossier_code="000.17.22.H56-210531-0001"),
        entry("ubnd", "Quyết định số 684/QĐ-UBND về việc tiếp nhận", dossier_code="000.17.22.H56-210601-0002"),
        entry("longer", "Công văn số 6840/QĐ-VP", dossier_code="000.00.15.H29-210602-0003"),
        entry("plain", "Trang 684, mục QĐ", dossier_code="000.00.15.H29-210603-0004"),
        *(entry(f"filler{i}", text, dossier_code=f"000.00.15.H29-200101-{i:04d}") for i, text in enumerate(FILLER)),
    ])
    assert sorted(ids(index, "684/QĐ")) == ["bttttt", "ubnd"]
    assert sorted(ids(index, "684/qd")) == ["bttttt", "ubnd"]
    assert ids(index, "684/QĐ-BTTTT") == ids(index, "684/QD-btttt") == ["bttttt"]
    assert ids(index, "684/QĐ-BT") == []  # letters are whole parts; only a part with digits is a prefix
    assert sorted(ids(index, "684")) == ["bttttt", "plain", "ubnd"]  # a number alone is a whole word
    assert ids(index, "05/3/2021") == ["bttttt"]
    assert ids(index, "05/3/20") == ["bttttt"]
    assert sorted(ids(index, "000.17.22")) == ["bttttt", "ubnd"]  # the dossier code
    assert ids(index, "000.17.22.H56-210531") == ["bttttt"]
    assert ids(index, "000.17.22.H56-210531-0001") == ["bttttt"]
    assert ids(index, "quyet dinh -684/QD-UBND") == ["bttttt"]
    assert sorted(ids(index, "so -000.17.22")) == ["filler3", "longer"]  # "số"; not in dossier 000.17.22…
    [hit] = index.search(SearchQuery(text="684/qd-btttt")).hits
    assert hit.snippet.startswith("Căn cứ Quyết định số <mark>684/QĐ-BTTTT</mark> ngày")


# -- filters, facets and sorting -------------------------------------------------------------------

VIETNAM = timezone(timedelta(hours=7))


def test_received_days_are_inclusive_calendar_days_in_vietnam(index: Index, entry: Entry) -> None:
    index.upsert([
        entry("may30", "hồ sơ", received_at=datetime(2021, 5, 30, 23, 59, 59, tzinfo=VIETNAM)),
        entry("may31-first", "hồ sơ", received_at=datetime(2021, 5, 30, 17, 0, tzinfo=timezone.utc)),  # 00:00 +07
        entry("may31-last", "hồ sơ", received_at=datetime(2021, 5, 31, 23, 59, 59, 999000, tzinfo=VIETNAM)),
        entry("jun1", "hồ sơ", received_at=datetime(2021, 6, 1, 0, 0, tzinfo=VIETNAM)),
        entry("2019", "hồ sơ", received_at=datetime(2019, 1, 1, tzinfo=VIETNAM)),
    ])

    def received(start: date | None, end: date | None, **more: object) -> list[str]:
        return sorted(ids(index, "ho so", received_from=start, received_to=end, **more))

    assert received(date(2021, 5, 31), date(2021, 5, 31)) == ["may31-first", "may31-last"]
    assert received(date(2021, 5, 31), None) == ["jun1", "may31-first", "may31-last"]
    assert received(None, date(2021, 5, 30)) == ["2019", "may30"]
    assert received(date(2021, 5, 30), date(2021, 6, 1)) == ["jun1", "may30", "may31-first", "may31-last"]
    assert received(date(2021, 6, 2), None) == []
    assert received(date(2021, 5, 31), date(2021, 5, 31), sort="newest", doc_type="admin_document") == [
        "may31-first", "may31-last"]
    result = index.search(SearchQuery(text="ho so", received_from=date(2020, 1, 1), limit=1))
    assert (result.total, result.facets["doc_type"][0].count) == (4, 4)
    with pytest.raises(BadQuery, match="received_from"):
        index.search(SearchQuery(text="ho so", received_from=date(2021, 6, 1), received_to=date(2021, 5, 31)))


def facet_values(index: Index, text: str, **filters: object) -> dict[str, list[tuple[str, int]]]:
    result = index.search(SearchQuery(text=text, **filters))
    return {name: [(f.value, f.count) for f in counts] for name, counts in result.facets.items()}


def test_facets_count_matching_documents_per_value(
    index: Index, entry: Entry, monkeypatch: pytest.MonkeyPatch
) -> None:
    index.upsert([
        entry("a", "giấy tờ", "giấy tờ, trang hai", agency_code="AG1", procedure_code="P1",
              doc_type="birth_certificate"),
        entry("b", "giấy tờ", agency_code="AG2", procedure_code="P1", doc_type="admin_document"),
        entry("c", "giấy tờ", agency_code="AG2", procedure_code="P2", doc_type="admin_document"),
        entry("d", "giấy tờ", agency_code="AG2", procedure_code="P2", doc_type="other"),
        entry("e", "văn bản khác", agency_code="AG3", procedure_code="P3", doc_type="other"),
    ])
    assert facet_values(index, "giay to") == {
        "agency_code": [("AG2", 3), ("AG1", 1)],  # documents, not pages
        "procedure_code": [("P1", 2), ("P2", 2)],  # equal counts: by value
        "doc_type": [("admin_document", 2), ("birth_certificate", 1), ("other", 1)],
    }
    assert facet_values(index, "giay to", agency_code="AG2") == {  # with the filters applied
        "agency_code": [("AG2", 3)],
        "procedure_code": [("P2", 2), ("P1", 1)],
        "doc_type": [("admin_document", 2), ("other", 1)],
    }
    assert facet_values(index, "giay to -trang", doc_type="admin_document", received_to=date(2021, 5, 31)) == {
        "agency_code": [("AG2", 2)], "procedure_code": [("P1", 1), ("P2", 1)], "doc_type": [("admin_document", 2)]}
    empty = {"agency_code": [], "procedure_code": [], "doc_type": []}
    assert facet_values(index, "khong co") == empty
    assert facet_values(index, "giay to", procedure_code="P3") == empty
    monkeypatch.setattr("search._sqlite.FACET_SIZE", 1)
    monkeypatch.setattr("search._elastic.FACET_SIZE", 1)
    assert facet_values(index, "giay to")["doc_type"] == [("admin_document", 2)]
    index.upsert([entry("d", "giấy tờ", agency_code="AG2", procedure_code="P2", doc_type="admin_document")])
    index.delete_document("b")
    assert facet_values(index, "giay to") == {
        "agency_code": [("AG2", 2)], "procedure_code": [("P2", 2)], "doc_type": [("admin_document", 2)]}


def test_sort_by_newest_received(index: Index, entry: Entry) -> None:
    day = datetime(2022, 1, 10, 8, tzinfo=timezone.utc)
    # Indexed in an order unrelated to received_at, in separate writes; the best match is the oldest.
    index.upsert([entry("middle", "hồ sơ đăng ký", received_at=day + timedelta(days=10))])
    index.upsert(with_filler(entry, entry("oldest", "Hồ sơ, hồ sơ và hồ sơ", received_at=day),
                             entry("newest", "hồ sơ", "trang hai", received_at=day + timedelta(days=20))))
    index.upsert([entry("same-second", "hồ sơ", received_at=day + timedelta(days=10, microseconds=500))])
    newest = ["newest", "same-second", "middle", "oldest"]
    assert ids(index, "ho so", sort="newest") == newest
    assert [ids(index, "ho so", sort="newest", limit=1, offset=i)[0] for i in range(4)] == newest
    assert ids(index, "ho so", sort="newest", received_to=date(2022, 1, 20)) == ["same-second", "middle", "oldest"]
    assert ids(index, "ho so -dang", sort="newest", limit=2) == ["newest", "same-second"]
    hits = index.search(SearchQuery(text="ho so", sort="newest")).hits
    assert [h.received_at for h in hits] == sorted((h.received_at for h in hits), reverse=True)
    assert hits[0].page == 1 and "<mark>hồ</mark>" in hits[0].snippet
    index.upsert([entry("oldest", "hồ sơ đã sửa", received_at=day)])  # a re-read keeps its place
    assert ids(index, "ho so", sort="newest") == newest
    assert ids(index, "ho so", sort="relevance")[0] != "newest" or len(ids(index, "ho so")) == 4


# -- writing ----------------------------------------------------------------------------------


def test_upsert_replaces_the_document(index: Index, entry: Entry) -> None:
    index.upsert([entry("x", "bản cũ", "trang hai cũ")])
    index.upsert([entry("x", "bản mới", doc_type="other")])
    assert index.count() == 1
    assert ids(index, "cu") == []
    [hit] = index.search(SearchQuery(text="moi")).hits
    assert hit.doc_type == "other"


def test_delete_document(index: Index, entry: Entry) -> None:
    index.upsert([entry("x", "hồ sơ"), entry("y", "hồ sơ")])
    index.delete_document("x")
    index.delete_document("does-not-exist")
    assert index.count() == 1
    assert ids(index, "ho so") == ["y"]


def test_replace_all_swaps_the_index_and_counts(index: Index, entry: Entry) -> None:
    index.upsert([entry("old", "dữ liệu cũ")])
    n = index.replace_all(entry(f"n{i}", "dữ liệu mới") for i in range(5))
    assert n == 5 == index.count()
    assert ids(index, "cu") == []
    assert index.search(SearchQuery(text="du lieu moi")).total == 5


def test_replace_all_failure_keeps_the_old_index(index: Index, entry: Entry) -> None:
    index.upsert([entry("old", "dữ liệu cũ")])

    def broken() -> Iterator[IndexEntry]:
        yield entry("n1", "mới")
        raise RuntimeError("store read failed")

    with pytest.raises(RuntimeError):
        index.replace_all(broken())
    assert ids(index, "cu") == ["old"]
    assert index.count() == 1


def test_readers_see_old_or_complete_new_index_during_replace_all(
    index: Index, entry: Entry
) -> None:
    index.upsert([entry(f"o{i}", "cũ") for i in range(3)])
    seen: set[int] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.add(index.search(SearchQuery(text="cu")).total
                     + index.search(SearchQuery(text="moi")).total * 100)

    def slow() -> Iterator[IndexEntry]:
        for i in range(10):
            time.sleep(0.01)
            yield entry(f"n{i}", "mới")

    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert index.replace_all(slow()) == 10
        time.sleep(0.05)
    finally:
        stop.set()
        reader.join()
    # 3 old documents and no new ones, or the 10 new ones and no old ones (or the moment
    # between the two reads of one loop turn): never a partly built index.
    assert seen <= {3, 1000, 3 + 1000}
    assert 1000 in seen


def test_reopening_keeps_the_data(index_path: Path, entry: Entry) -> None:
    first = open_index(f"sqlite://{index_path}")
    first.upsert([entry("x", "Nghị định")])
    first.close()
    again = open_index(f"sqlite://{index_path}")
    try:
        assert again.count() == 1
        assert ids(again, "nghi dinh") == ["x"]
    finally:
        again.close()


def test_wal_mode_and_schema_version(sqlite_index: Index, index_path: Path) -> None:
    conn = sqlite3.connect(index_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_old_schema_is_dropped_and_rebuilt(index_path: Path, entry: Entry) -> None:
    index_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(index_path)
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(body)")
    conn.execute("CREATE TABLE documents (id TEXT)")
    conn.execute("PRAGMA user_version = 0")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 100}")
    conn.commit()
    conn.close()
    index = SqliteIndex(index_path)
    try:
        assert index.schema_reset
        assert index.count() == 0
        index.upsert([entry("x", "hồ sơ")])
        assert ids(index, "ho so") == ["x"]
    finally:
        index.close()
    reopened = SqliteIndex(index_path)
    assert not reopened.schema_reset and reopened.count() == 1
    reopened.close()


def test_refuses_to_overwrite_a_foreign_database(index_path: Path) -> None:
    index_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(index_path)
    conn.execute("CREATE TABLE precious (x)")
    conn.commit()
    conn.close()
    with pytest.raises(SearchError):
        open_index(f"sqlite://{index_path}")
    conn = sqlite3.connect(index_path)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("precious",)]
    conn.close()


def test_documents_received_in_one_second(
    sqlite_index: Index, entry: Entry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys are the received second and a sequence number: a full second takes a freed number."""
    monkeypatch.setattr("search._sqlite.SEQ_BITS", 2)  # four documents per second
    moment = datetime(2023, 4, 5, 6, 7, 8, tzinfo=timezone.utc)
    sqlite_index.upsert([entry(f"d{i}", f"hồ sơ số{i}", received_at=moment) for i in range(4)])
    with pytest.raises(SearchError, match="received in the second"):
        sqlite_index.upsert([entry("d4", "hồ sơ", received_at=moment)])
    sqlite_index.delete_document("d1")
    sqlite_index.upsert([entry("d4", "hồ sơ số4", received_at=moment)])
    sqlite_index.upsert([entry("d0", "hồ sơ số0 sửa", received_at=moment + timedelta(seconds=1))])
    assert sqlite_index.count() == 4
    assert ids(sqlite_index, "ho so", sort="newest")[0] == "d0"
    assert sorted(ids(sqlite_index, "ho so")) == ["d0", "d2", "d3", "d4"]
    assert ids(sqlite_index, "so4") == ["d4"]


def test_closed_index_raises_index_unavailable(sqlite_index: Index) -> None:
    sqlite_index.close()
    with pytest.raises(IndexUnavailable):
        sqlite_index.count()


# -- hostile and invalid queries -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['"', '""', 'hồ "sơ', "*", "hồ*", "-x", "NOT hồ", "NEAR(", "NEAR(hồ sơ, 2)", "a:b",
     "exact:hồ", "folded:ho", "(hồ", "hồ)", "^hồ", "hồ AND", "OR", "{exact folded}: ho",
     "'; DROP TABLE documents; --", "\ue000hồ\ue001", "hồ + sơ", "x" * 500,
     '"hồ', 'hồ"', 'hồ "', '"hồ sơ"*', '-"', "--", "- hồ", "hồ -", 'hồ -"', 'hồ -"sơ', '-"-"', "hồ --sơ",
     'a"b"c', '"NEAR(hồ, sơ)"', '"exact:hồ" -"folded:x"', "hồ -*", "684/", "/QĐ", "1/", "-/",
     "hồ/sơ*", '"hồ""sơ"', "hồ sơ -'", "-hồ -sơ", '-"hồ sơ"', "‐hồ –sơ"],
)
def test_hostile_queries_never_raise_sqlite_errors(index: Index, entry: Entry, text: str) -> None:
    index.upsert([entry("x", "hồ sơ exact folded NEAR NOT OR AND a b")])
    try:
        result = index.search(SearchQuery(text=text))
    except BadQuery:
        # only a query with no words, or with excluded words only, is refused
        assert not any(c.isalnum() for c in text) or text.startswith("-")
    else:
        assert result.total in (0, 1)
    assert index.count() == 1


@pytest.mark.parametrize("text", ["", "   ", '"', "*", "-", "():^*\"'", "…"])
def test_query_without_words_is_bad(index: Index, text: str) -> None:
    with pytest.raises(BadQuery):
        index.search(SearchQuery(text=text))


def test_query_with_too_many_words_is_bad(index: Index) -> None:
    with pytest.raises(BadQuery):
        index.search(SearchQuery(text=" ".join(f"w{i}" for i in range(100))))


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (101, 0), (10, -1)])
def test_limit_and_offset_out_of_range(index: Index, limit: int, offset: int) -> None:
    with pytest.raises(ValidationError):
        SearchQuery(text="x", limit=limit, offset=offset)
    unchecked = SearchQuery.model_construct(text="x", limit=limit, offset=offset)
    with pytest.raises(BadQuery):
        index.search(unchecked)


def test_entries_need_aware_received_at(entry: Entry) -> None:
    from datetime import datetime

    with pytest.raises(ValidationError):
        entry("x", "a", received_at=datetime(2021, 5, 31))


# -- concurrency ------------------------------------------------------------------------------


def test_threads_upsert_and_search_at_once(index: Index, entry: Entry) -> None:
    errors: list[BaseException] = []

    def writer(t: int) -> None:
        try:
            for i in range(20):
                index.upsert([entry(f"t{t}-{i}", f"hồ sơ luồng{t} số {i}")])
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def reader() -> None:
        try:
            for _ in range(40):
                result = index.search(SearchQuery(text="ho so", limit=5))
                assert result.total <= 80
                index.count()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert index.count() == 80
    assert index.search(SearchQuery(text="ho so")).total == 80
    assert ids(index, "luong2 so 7") == ["t2-7"]


def test_two_index_objects_on_one_file(index_path: Path, entry: Entry) -> None:
    """Like an API process and an ingest worker sharing the embedded index."""
    a = open_index(f"sqlite://{index_path}")
    b = open_index(f"sqlite://{index_path}")
    try:
        a.upsert([entry("x", "hồ sơ")])
        assert ids(b, "ho so") == ["x"]
        b.delete_document("x")
        assert a.count() == 0
    finally:
        a.close()
        b.close()


# -- citizen facts for reuse ----------------------------------------------------------------------

def test_citizen_facts_with_their_sources(index: Index, entry: Entry) -> None:
    from search import CitizenFact

    card = CitizenFact(citizen_id="001090012345", field="full_name", value="NGUYỄN VĂN AN", confidence=0.93,
                       page=1, bbox=[10.0, 20.0, 300.0, 60.0])
    birth = CitizenFact(citizen_id="001090012345", field="date_of_birth", value="1990-03-12", confidence=1.0,
                        page=1, confirmed_at=datetime(2024, 1, 2, tzinfo=timezone.utc), confirmed_by="clerk 7")
    index.upsert([entry("CARD", "CĂN CƯỚC CÔNG DÂN", doc_type="citizen_id_card", facts=[card, birth]),
                  entry("OTHER", "Giấy khai sinh", facts=[card.model_copy(update={"citizen_id": "079200000001"})])])
    facts = index.facts("001090012345")
    assert sorted(f.field for f in facts) == ["date_of_birth", "full_name"]
    name = next(f for f in facts if f.field == "full_name")
    assert (name.value, name.document_id, name.doc_type, name.page, name.bbox) == (
        "NGUYỄN VĂN AN", "CARD", "citizen_id_card", 1, [10.0, 20.0, 300.0, 60.0])
    assert [f.field for f in index.facts("001090012345", ["date_of_birth"])] == ["date_of_birth"]
    assert index.facts("001090012345", ["date_of_birth"])[0].confirmed_by == "clerk 7"

    index.upsert([entry("CARD", "CĂN CƯỚC CÔNG DÂN", doc_type="citizen_id_card", facts=[card])])
    assert [f.field for f in index.facts("001090012345")] == ["full_name"]  # a fact no longer stated goes
    index.replace_all([entry("OTHER", "Giấy khai sinh")])
    assert index.facts("001090012345") == [] and index.facts("079200000001") == []
