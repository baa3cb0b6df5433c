"""What only the Elasticsearch backend promises: versioned indices behind an alias, bulk
partial failures reported, outages reported as IndexUnavailable. Against a real node."""

from __future__ import annotations

import socket
import threading
import time
import uuid

import pytest

from search import IndexUnavailable, SearchError, SearchQuery, open_index
from search._elastic import ElasticIndex
from search._query import parse_query


@pytest.fixture()
def elastic(elastic_server):
    ix = open_index(f"{elastic_server.url}?prefix=t{uuid.uuid4().hex[:12]}")
    yield ix
    ix.drop()
    ix.close()


def indices_behind(ix) -> list[str]:
    return sorted(ix.client.indices.get_alias(name=ix.alias))


def test_template_has_the_vietnamese_analyzers(elastic):
    [name] = indices_behind(elastic)
    tokens = elastic.client.indices.analyze(index=name, analyzer="vi_folded", text="Hoà Bình đăng ký")
    assert [t["token"] for t in tokens["tokens"]] == ["hoa", "binh", "dang", "ky"]
    exact = elastic.client.indices.analyze(index=name, analyzer="vi", text="Hoà hòa THUỶ thủy")
    assert [t["token"] for t in exact["tokens"]] == ["hòa", "hòa", "thủy", "thủy"]


def test_words_split_at_punctuation_as_in_sqlite(elastic):
    [name] = indices_behind(elastic)
    tokens = elastic.client.indices.analyze(index=name, analyzer="vi", text="684/QĐ-BTTTT 000.17.22.H56 1,5 a_b")
    assert [t["token"] for t in tokens["tokens"]] == ["684", "qđ", "btttt", "000", "17", "22", "h56", "1", "5", "a", "b"]


def test_an_index_with_an_older_mapping_asks_for_a_rebuild(elastic_server, elastic, entry):
    assert not elastic.schema_reset
    [name] = indices_behind(elastic)
    elastic.client.indices.put_mapping(index=name, meta={"version": 1})  # as an older HoSo left it
    prefix = elastic.alias.removesuffix("-documents")
    again = open_index(f"{elastic_server.url}?prefix={prefix}")
    try:
        assert again.schema_reset
        again.replace_all([entry("A", "Nghị định")])
    finally:
        again.close()
    rebuilt = open_index(f"{elastic_server.url}?prefix={prefix}")
    try:
        assert not rebuilt.schema_reset
        assert rebuilt.search(SearchQuery(text="nghi dinh")).total == 1
    finally:
        rebuilt.close()


def test_reindex_switches_the_alias_to_a_new_index(elastic, entry):
    elastic.upsert([entry("A", "Nghị định về đăng ký hộ tịch")])
    [before] = indices_behind(elastic)
    stop, errors = threading.Event(), []

    def search_all_the_time():
        while not stop.is_set():
            try:
                if elastic.search(SearchQuery(text="nghi dinh")).total < 1:
                    errors.append("a search found nothing during the reindex")
            except Exception as e:  # noqa: BLE001 - any failure during the switch is the finding
                errors.append(repr(e))

    reader = threading.Thread(target=search_all_the_time)
    reader.start()
    try:
        count = elastic.replace_all([entry("A", "Nghị định về đăng ký hộ tịch"),
                                     entry("B", "Quyết định khen thưởng")])
    finally:
        stop.set()
        reader.join()
    [after] = indices_behind(elastic)
    assert count == 2 and after != before
    assert not elastic.client.indices.exists(index=before)
    assert errors == []
    assert elastic.search(SearchQuery(text="quyet dinh")).total == 1


def test_bulk_partial_failure_names_the_document_and_keeps_the_rest(elastic, entry):
    too_long = "x" * 40_000  # a keyword over Lucene's 32 766-byte term limit
    with pytest.raises(SearchError, match="BAD:1"):
        elastic.upsert([entry("GOOD", "Giấy khai sinh"), entry("BAD", "Giấy khai sinh", filename=too_long)])
    hits = elastic.search(SearchQuery(text="giay khai sinh")).hits
    assert [h.document_id for h in hits] == ["GOOD"]


def test_a_rebuild_streams_its_pages_in_windows(elastic, entry, monkeypatch):
    """replace_all sends pages while the caller is still producing documents (a million do not
    fit in memory), and what every window wrote is there at the end."""
    monkeypatch.setattr("search._elastic.BULK_WINDOW", 50)
    seen_while_producing = []

    def documents():
        for i in range(200):
            if i == 150:
                stats = elastic.client.indices.stats(index=f"{elastic.alias}-*", metric="indexing")
                seen_while_producing.append(stats["_all"]["primaries"]["indexing"]["index_total"])
            yield entry(f"D{i}", f"Giấy khai sinh số {i}")

    assert elastic.replace_all(documents()) == 200
    assert seen_while_producing[0] >= 100  # two windows written before the 151st document was made
    assert elastic.count() == 200
    assert [h.document_id for h in elastic.search(SearchQuery(text="khai sinh 137")).hits] == ["D137"]
    [name] = indices_behind(elastic)  # filled without refreshing, then back to the default second
    assert "refresh_interval" not in elastic.client.indices.get_settings(index=name)[name]["settings"]["index"]


def test_a_document_matching_on_many_pages_leaves_room_for_the_others(elastic, entry):
    """Hits are pages taken twice over and kept one per document; when one document's pages fill
    that list, the cluster collapses them instead, and the page still holds `limit` documents."""
    elastic.upsert([entry("long", *["Quyết định, quyết định."] * 12),
                    entry("short", "Quyết định về thủ tục hành chính và các giấy tờ kèm theo"),
                    entry("other", "Một quyết định khác, kèm theo danh sách dài các hồ sơ đã nhận")])
    first = elastic.search(SearchQuery(text="quyet dinh", limit=2))
    assert [h.document_id for h in first.hits] == ["long", "short"] and first.total == 3
    second = elastic.search(SearchQuery(text="quyet dinh", limit=2, offset=2))
    assert [h.document_id for h in second.hits] == ["other"]


def test_a_stopped_node_is_index_unavailable(elastic_server, entry):
    ix = open_index(f"{elastic_server.url}?prefix=t{uuid.uuid4().hex[:12]}")
    ix.upsert([entry("A", "Thông báo tuyển dụng")])
    elastic_server.stop()
    try:
        with pytest.raises(IndexUnavailable):
            ix.search(SearchQuery(text="thong bao"))
    finally:
        elastic_server.restart()
    assert ix.search(SearchQuery(text="thong bao")).total == 1
    ix.drop()
    ix.close()


def test_a_node_that_never_answers_is_unavailable_after_the_timeout_of_the_url():
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections, never answers
    try:
        started = time.monotonic()
        with pytest.raises(IndexUnavailable):
            open_index(f"http://127.0.0.1:{silent.getsockname()[1]}?timeout=0.5&retries=1")
        assert time.monotonic() - started < 5  # two tries of half a second, not the default 4 × 30 s
    finally:
        silent.close()


def test_words_as_typed_score_the_best_pages_as_one_query_of_both_fields_would(elastic, entry):
    """Pages are found on the folded field and the best of them scored again on the words as
    typed (a rescore): the order and the scores are those of one query asking both fields of
    every word, which Lucene cannot skip through as fast."""
    elastic.upsert([entry("A", "Hòa giải thành tại xã", "Hoa giai thanh"), entry("B", "hoa giải thành công"),
                    entry("C", "Biên bản hòa giải không thành", "Biên bản hoà giải thành"),
                    entry("D", "giải thưởng hoa hậu thành phố")])
    query = SearchQuery(text="hoà giải thành")
    both = {"bool": {"must": [ElasticIndex._any(t) for t in parse_query(query.text).terms]}}
    pages = elastic.client.search(index=elastic.alias, query=both, size=40)["hits"]["hits"]
    best = {}
    for page in pages:
        best.setdefault(page["_source"]["document_id"], (page["_source"]["page"], pytest.approx(page["_score"])))
    hits = elastic.search(query).hits
    assert [(h.document_id, (h.page, h.score)) for h in hits] == list(best.items())
    assert {h.document_id for h in hits[:2]} == {"A", "C"} and len(hits) == 4


def test_accents_lift_a_page_only_from_among_the_best_pages_by_any_accents(elastic, entry, monkeypatch):
    """The edge of the rescore: a page with the word as typed but a weak folded score is not
    lifted above the RESCORE_WINDOW best pages by the folded field (at the default 1,000, a
    list 25 times the 40 pages the first page of results asks for)."""
    elastic.upsert([entry("typed", "hòa " + "và các giấy tờ khác " * 20),
                    *(entry(f"folded{i}", "hoa hoa hoa hoa") for i in range(4))])
    query = SearchQuery(text="hòa", limit=1)
    assert [h.document_id for h in elastic.search(query).hits] == ["typed"]
    monkeypatch.setattr("search._elastic.RESCORE_WINDOW", 2)
    assert elastic.search(query).hits[0].document_id.startswith("folded")
