"""The scale-out index on Elasticsearch 8.

Layout: one Elasticsearch document per page (id `{document_id}:{page}`), so a hit can name
its page; results are one per document (its best page, see `search`) and the total is a
cardinality of documents (on `document_key`, a number standing for `document_id`). Indices are versioned (`{prefix}-documents-{stamp}`) behind the
alias `{prefix}-documents`: `replace_all` fills a new index and moves the alias in one atomic
action, so readers never see a half-built index.

The analyzers live in an index template: `vi` (tone-placement mapping, a tokenizer that splits
at every character that is not a letter, digit or private-use character, as SQLite's unicode61
does, lower case) on `text`, and `vi_folded` (the same plus asciifolding, which also maps đ→d)
on `text.folded`. Every term must match the folded field; the best pages are then scored
again on the exact field, which weighs more, so an accented match ranks above a folded one.
The mapping carries MAPPING_VERSION: an index built with an older one sets `schema_reset`, and
the server rebuilds it from the store.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers

from . import _elastic_stats
from ._query import ParsedQuery, Term, marked_terms, parse_query
from ._snippet import find_terms, make_snippet
from .errors import BadQuery, IndexUnavailable, SearchError
from .index import (FACET_SIZE, FACETS, MAX_WINDOW, TOTAL_CAP, FacetCount, Fact, Hit, IndexEntry, SearchQuery,
                    SearchResults, check_query, received_range)
from .stats import Activity, DocumentTally, Statistics, StatsQuery
from .text import nfc

MAPPING_VERSION = 4  # 2: words split as SQLite splits them (684/QĐ-UBND, 000.17.22: several); dossier code words
#                     3: statistics beside (a rebuild fills them)
#                     4: document_key (documents counted on a number); facets' global ordinals built eagerly
EXACT_BOOST = 10.0
#: Terms a code's last part (a prefix, see _query.py) may stand for; Lucene reads no more.
PREFIX_EXPANSIONS = 1000
#: Bulk actions read from the caller at a time (pages and facts; 500 go in each request).
BULK_WINDOW = 10_000
#: Pages asked per document asked for (see search): most documents match on one page or two.
PAGES_PER_HIT = 2
#: The best pages by the folded field that the words as typed then rank again (see bodies).
RESCORE_WINDOW = 1000
_FILTERS = ("agency_code", "procedure_code", "doc_type", "dossier_code")
# Token characters of SQLite's unicode61 tokenizer: letters, numbers, private use.
_SEPARATORS = r"[^\p{L}\p{N}\p{Co}]+"
_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}  # huyền, sắc, hỏi, ngã, nặng


def tone_placement_rules() -> list[str]:
    """`mapping` char filter rules: new-style tone placement (hoà, thuỷ) to old (hòa, thủy).

    Both spellings reach the same tokens; each rule keeps the length, so highlight offsets
    stay right. Closed syllables (hoàng) are mapped too, on both sides, which is harmless.
    """
    import unicodedata

    rules = []
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in _TONES:
            for a, b in ((first, second), (first.upper(), second.upper()), (first.upper(), second)):
                new = a + unicodedata.normalize("NFC", b + tone)
                old = unicodedata.normalize("NFC", a + tone) + b
                rules.append(f"{new} => {old}")
    return rules


def document_key(document_id: str) -> int:
    """A 63-bit number standing for the document, the same in every process and index."""
    return int.from_bytes(hashlib.blake2b(document_id.encode(), digest_size=8).digest()) >> 1


def _settings(shards: int, replicas: int) -> dict:
    return {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        "analysis": {
            "char_filter": {"vi_tones": {"type": "mapping", "mappings": tone_placement_rules()}},
            "tokenizer": {"vi_words": {"type": "pattern", "pattern": _SEPARATORS}},
            "filter": {"vi_fold": {"type": "asciifolding", "preserve_original": False}},
            "analyzer": {
                "vi": {"type": "custom", "char_filter": ["vi_tones"], "tokenizer": "vi_words",
                       "filter": ["lowercase"]},
                "vi_folded": {"type": "custom", "char_filter": ["vi_tones"], "tokenizer": "vi_words",
                              "filter": ["lowercase", "vi_fold"]},
            },
        },
    }


MAPPINGS = {
    "dynamic": "strict",
    "_meta": {"version": MAPPING_VERSION},
    "properties": {
        **{name: {"type": "keyword"} for name in ("document_id", "applicant_id", "kind", "filename")},
        # Counted in every search: their global ordinals are built when a refresh publishes
        # pages, not by the first search after it.
        **{name: {"type": "keyword", "eager_global_ordinals": True} for name in FACETS},
        # The document as a number, for counting documents: a cardinality over it hashes the
        # value where one over the keyword document_id works through its terms; the count with
        # facets cost the node a third less CPU (see README, Benchmarks: a million documents).
        "document_key": {"type": "long", "index": False},
        # its words too, which code terms match (see _query.py)
        "dossier_code": {"type": "keyword", "fields": {"words": {"type": "text", "analyzer": "vi_folded"}}},
        "received_at": {"type": "date"},
        "page": {"type": "integer"},
        "text": {"type": "text", "analyzer": "vi", "fields": {"folded": {"type": "text", "analyzer": "vi_folded"}}},
    },
}


FACT_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        **{name: {"type": "keyword"} for name in (
            "citizen_id", "field", "value", "confirmed_by", "dossier_code", "document_id", "doc_type")},
        "confidence": {"type": "float"},
        "page": {"type": "integer"},
        "bbox": {"type": "float", "index": False},
        "confirmed_at": {"type": "date"},
        "received_at": {"type": "date"},
    },
}


def _failure(status: int, detail: object) -> SearchError:
    """HoSo's exception for an Elasticsearch error status."""
    if status in (429, 502, 503, 504):
        return IndexUnavailable(f"Elasticsearch busy: {detail}")
    if status == 400:
        return BadQuery(f"Elasticsearch refused the request: {detail}")
    return SearchError(f"Elasticsearch error: {detail}")


class ElasticIndex:
    """Index on an Elasticsearch cluster; thread-safe (the client pools its connections)."""

    def __init__(self, url: str, *, prefix: str = "hoso", shards: int = 1, replicas: int = 0,
                 timeout: float = 30.0, retries: int = 3) -> None:
        self.alias = f"{prefix}-documents"
        self.facts_alias = f"{prefix}-citizens"  # the citizen data for reuse, in its own index
        self.tallies_alias, self.activity_alias = f"{prefix}-tallies", f"{prefix}-activity"  # statistics
        self._shards, self._replicas = shards, replicas
        #: Distinct documents a count sees at most (TOTAL_CAP + 1 pages a shard): counted exactly
        #: up to there, and no larger tables than that (Elasticsearch allows up to 40,000).
        self._precision = min(40_000, shards * (TOTAL_CAP + 1))
        #: True when the alias points at an index built with an older mapping: the caller should
        #: reindex (replace_all builds a current one).
        self.schema_reset = False
        self.client = Elasticsearch(url, request_timeout=timeout, max_retries=retries, retry_on_timeout=True)
        self._call(self._ensure)

    # -- set-up --------------------------------------------------------------------------
    def _ensure(self) -> None:
        self.client.indices.put_index_template(
            name=self.alias, index_patterns=[f"{self.alias}-*"], priority=100,
            template={"settings": _settings(self._shards, self._replicas), "mappings": MAPPINGS})
        for alias, mappings in ((self.facts_alias, FACT_MAPPINGS), (self.tallies_alias, _elastic_stats.TALLY_MAPPINGS),
                                (self.activity_alias, _elastic_stats.ACTIVITY_MAPPINGS)):
            self.client.indices.put_index_template(
                name=alias, index_patterns=[f"{alias}-*"], priority=100,
                template={"settings": {"number_of_shards": self._shards, "number_of_replicas": self._replicas},
                          "mappings": mappings})
        for alias in self._aliases:
            if not self.client.indices.exists_alias(name=alias):
                name = self._new_index(alias)
                try:
                    self.client.indices.update_aliases(actions=[{"add": {"index": name, "alias": alias}}])
                except ApiError:  # another process created the alias first
                    self.client.indices.delete(index=name, ignore_unavailable=True)
                    if not self.client.indices.exists_alias(name=alias):
                        raise
        mappings = self.client.indices.get_mapping(index=self.alias)
        self.schema_reset = any(m["mappings"].get("_meta", {}).get("version") != MAPPING_VERSION
                                for m in mappings.values())

    @property
    def _aliases(self) -> tuple[str, ...]:
        return self.alias, self.facts_alias, self.tallies_alias, self.activity_alias

    def _new_index(self, alias: str) -> str:
        name = f"{alias}-{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}"
        self.client.indices.create(index=name)
        return name

    def _call(self, operation, *args, **kwargs):
        try:
            return operation(*args, **kwargs)
        except (TransportConnectionError, ConnectionTimeout) as e:
            raise IndexUnavailable(f"Elasticsearch unreachable: {e}") from e
        except ApiError as e:
            raise _failure(e.status_code, e) from e

    # -- writing --------------------------------------------------------------------------
    @staticmethod
    def _actions(entries: Iterable[IndexEntry], index: str, facts_index: str) -> Iterator[dict]:
        for entry in entries:
            meta = {**entry.model_dump(exclude={"pages", "facts"}), "document_key": document_key(entry.document_id)}
            for number, text in enumerate(entry.pages, start=1):
                yield {"_op_type": "index", "_index": index, "_id": f"{entry.document_id}:{number}",
                       "_source": {**meta, "page": number, "text": nfc(text)}}
            for fact in entry.facts:
                yield {"_op_type": "index", "_index": facts_index, "_id": f"{entry.document_id}:{fact.field}",
                       "_source": {**fact.model_dump(mode="json"), "dossier_code": entry.dossier_code,
                                   "document_id": entry.document_id, "doc_type": entry.doc_type,
                                   "received_at": entry.received_at.isoformat()}}

    def _bulk(self, actions: Iterable[dict], refresh: bool | str) -> None:
        """Bulk with retries of the items the cluster could not take (429/5xx); any other
        failed item is an error naming the documents, after the rest are written. Actions are
        read BULK_WINDOW at a time, so a rebuild of millions of pages holds one window in memory."""
        refused: list[str] = []
        actions = iter(actions)
        while window := list(itertools.islice(actions, BULK_WINDOW)):
            refused += self._bulk_window(window, refresh)
        if refused:
            raise SearchError(f"Elasticsearch refused {len(refused)} pages: {', '.join(sorted(refused)[:5])}")

    def _bulk_window(self, pending: list[dict], refresh: bool | str) -> list[str]:
        """Write these actions, retrying what the cluster could not take; the ids it refused."""
        for attempt in range(4):
            failures = []
            # Two requests in flight: the cluster indexes one while this process encodes the next.
            for ok, item in helpers.parallel_bulk(self.client, pending, thread_count=2, chunk_size=500,
                                                  raise_on_error=False, raise_on_exception=False,
                                                  refresh=refresh):
                # already gone, or already there to create (an activity noted once), is fine
                if not ok and item.get("delete", {}).get("status") != 404 and item.get("create", {}).get("status") != 409:
                    failures.append(item)
            if not failures:
                return []
            results = [next(iter(f.values())) for f in failures]  # {"index": {...}} or {"delete": {...}}
            retryable = {r["_id"] for r in results if r.get("status", 0) in (429, 503)}
            if len(retryable) < len(failures) or attempt == 3:
                return sorted({r["_id"] for r in results})
            pending = [a for a in pending if a["_id"] in retryable]
            time.sleep(0.5 * (attempt + 1))
        return []

    def _stale(self, entry: IndexEntry | None, document_id: str) -> list[dict]:
        """Delete actions for what the index holds of a document beyond `entry` (all of it
        when `entry` is None): pages past its last, facts it no longer states."""
        document = {"term": {"document_id": document_id}}
        pages = {"bool": {"filter": [document, {"range": {"page": {"gt": len(entry.pages) if entry else 0}}}]}}
        facts = {"bool": {"filter": [document],
                          "must_not": [{"terms": {"field": [f.field for f in entry.facts] if entry else []}}]}}
        actions = []
        for index, query in ((self.alias, pages), (self.facts_alias, facts)):
            found = self._call(self.client.search, index=index, size=10_000, source=False, query=query)
            actions += [{"_op_type": "delete", "_index": hit["_index"], "_id": hit["_id"]}
                        for hit in found["hits"]["hits"]]
        return actions

    def upsert(self, entries: Iterable[IndexEntry]) -> None:
        entries = list(entries)
        if not entries:
            return
        # A re-read document may have fewer pages or facts than before: the extra ones go.
        stale = [a for e in entries for a in self._stale(e, e.document_id)]
        # wait_for: once upsert returns, the pages are visible to search.
        self._call(self._bulk, [*stale, *self._actions(entries, self.alias, self.facts_alias)],
                   refresh="wait_for")

    def delete_document(self, document_id: str) -> None:
        self._call(self._bulk, self._stale(None, document_id), refresh="wait_for")

    def replace_all(self, entries: Iterable[IndexEntry]) -> int:
        """Fill a new index, then switch the alias to it in one action and drop the old ones."""
        documents: set[str] = set()

        def counted() -> Iterator[IndexEntry]:
            for entry in entries:
                documents.add(entry.document_id)
                yield entry

        self._swap((self.alias, self.facts_alias),
                   lambda new: self._actions(counted(), new[self.alias], new[self.facts_alias]))
        return len(documents)

    def tally(self, tallies: Iterable[DocumentTally]) -> None:
        # Not refreshed: a figure may lag a second behind, a document's processing need not wait.
        self._call(self._bulk, _elastic_stats.tally_actions(tallies, self.tallies_alias), refresh=False)

    def note(self, activity: Iterable[Activity]) -> None:
        self._call(self._bulk, _elastic_stats.activity_actions(activity, self.activity_alias), refresh=False)

    def replace_statistics(self, tallies: Iterable[DocumentTally], activity: Iterable[Activity]) -> None:
        def actions(new: dict[str, str]) -> Iterator[dict]:
            yield from _elastic_stats.tally_actions(tallies, new[self.tallies_alias])
            yield from _elastic_stats.activity_actions(activity, new[self.activity_alias])

        self._swap((self.tallies_alias, self.activity_alias), actions)

    def _swap(self, aliases: tuple[str, ...], actions) -> None:
        """Fill new indices for ``aliases`` with ``actions(new names)``, then move every alias to
        its new index in one action and drop the old ones."""
        new = {alias: self._call(self._new_index, alias) for alias in aliases}
        filling = ",".join(new.values())
        try:
            # Nobody reads a new index before the alias moves: no refresh while it fills, so Lucene
            # writes fewer, larger segments and merges less (see README, Benchmarks: a million documents).
            self._call(self.client.indices.put_settings, index=filling, settings={"refresh_interval": "-1"})
            self._call(self._bulk, actions(new), refresh=False)
            self._call(self.client.indices.put_settings, index=filling, settings={"refresh_interval": None})
            self._call(self.client.indices.refresh, index=filling)
            old = {alias: list(self._call(self.client.indices.get_alias, name=alias)) for alias in new}
            self._call(self.client.indices.update_aliases, actions=[  # all aliases in one action
                *({"remove": {"index": name, "alias": alias}} for alias, names in old.items() for name in names),
                *({"add": {"index": name, "alias": alias}} for alias, name in new.items())])
        except BaseException:
            self.client.indices.delete(index=filling, ignore_unavailable=True)
            raise
        for names in old.values():
            for name in names:
                self._call(self.client.indices.delete, index=name, ignore_unavailable=True)

    # -- reading --------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResults:
        """One round trip (msearch) of two searches run side by side on the cluster: the best
        pages, ranked (or sorted newest first) with no counting, so Lucene may skip pages that
        cannot make the list; and the document count and facets, unscored, stopped after
        TOTAL_CAP + 1 pages per shard. Snippets are marked here on our own folding, so no
        highlighter runs.

        Results are documents named by their best page. The pages are not collapsed by the
        cluster (collapsing scores every matching page, some hundreds of thousands for a common
        word at a million documents): PAGES_PER_HIT times the pages asked come back in order, and
        each document's first is its best page, as a collapse would pick it. Documents with more
        matching pages than that leave too few: then the cluster collapses, in a second request."""
        check_query(query)
        parsed = parse_query(query.text)
        ranked, count_body = self.bodies(query, parsed)
        wanted = query.offset + query.limit
        found, counted = self._call(self._msearch, [ranked, count_body])
        first: dict[str, dict] = {}  # each document's best page, in the order of the pages
        for hit in found["hits"]["hits"]:
            first.setdefault(hit["_source"]["document_id"], hit)
        best = list(first.values())
        if len(best) < wanted and len(found["hits"]["hits"]) == ranked["size"]:
            # A collapse cannot be rescored: every page is scored on both fields at once, as before.
            whole = {key: value for key, value in ranked.items() if key not in ("rescore", "size")}
            whole["query"] = self._pages(query, parsed, [self._any(t) for t in parsed.terms])
            collapsed = self._call(self.client.search, index=self.alias, **whole, collapse={"field": "document_id"},
                                   from_=query.offset, size=query.limit)
            best = collapsed["hits"]["hits"]
        else:
            best = best[query.offset:wanted]
        marked = marked_terms(parsed)
        hits = [self._hit(h, marked) for h in best]
        aggregations = counted["aggregations"]
        facets = {name: [FacetCount(value=b["key"], count=int(b["documents"]["value"]))
                         for b in aggregations[name]["buckets"]] for name in FACETS}
        return SearchResults(query=query.text, total=int(aggregations["documents"]["value"]), hits=hits,
                             total_exact=not counted.get("terminated_early", False), facets=facets)

    def bodies(self, query: SearchQuery, parsed: ParsedQuery) -> tuple[dict, dict]:
        """The two searches of ``search``: the pages ranked, and the count with facets.
        ``bench/million.py --parts`` sends them alone, to tell what each costs.

        Ranked by relevance, the pages are found and scored on the folded field alone, and
        the best RESCORE_WINDOW of them are then scored again with the words as typed
        (``rescore``): the same score as one query of both fields per word (the exact field
        adds EXACT_BOOST times its own), but Lucene skips far more pages on one field than on
        the two of every word at once (at a million documents the slowest queries took a half
        to a quarter of the time, a search a fifth less of the node's CPU; README, Benchmarks).
        A page whose folded words score below the best RESCORE_WINDOW pages is not lifted by
        its accents."""
        size = min(PAGES_PER_HIT * (query.offset + query.limit), MAX_WINDOW)
        counted = self._count_body(query, parsed)
        if query.sort == "newest":  # pages of one document tie on the first two: its best page leads
            return {"query": self._pages(query, parsed, [self._any(t) for t in parsed.terms]), "size": size,
                    "track_total_hits": False,
                    "sort": [{"received_at": "desc"}, {"document_id": "desc"}, {"_score": "desc"}]}, counted
        as_typed = [self._phrase("text", t.words, t.prefix, EXACT_BOOST) for t in parsed.terms]
        return {"query": self._pages(query, parsed, [self._matches(t) for t in parsed.terms]), "size": size,
                "track_total_hits": False,
                "rescore": {"window_size": max(RESCORE_WINDOW, size), "query": {
                    "rescore_query": {"bool": {"should": as_typed}}, "query_weight": 1, "rescore_query_weight": 1}}
                }, counted

    def _pages(self, query: SearchQuery, parsed: ParsedQuery, terms: list[dict]) -> dict:
        """The pages with every term (``terms``: one clause each), the filters, without the exclusions."""
        return {"bool": {"must": terms, "filter": self._filters(query),
                         "must_not": [self._typed(t) for t in parsed.excluded]}}

    @staticmethod
    def _filters(query: SearchQuery) -> list[dict]:
        filters: list[dict] = [{"term": {name: getattr(query, name)}} for name in _FILTERS if getattr(query, name)]
        start, end = received_range(query)
        if start or end:
            filters.append({"range": {"received_at": {
                **({"gte": start.isoformat()} if start else {}), **({"lt": end.isoformat()} if end else {})}}})
        return filters

    def _count_body(self, query: SearchQuery, parsed: ParsedQuery) -> dict:
        documents = {"cardinality": {"field": "document_key", "precision_threshold": self._precision}}
        matches = [self._matches(t) for t in parsed.terms]  # the same pages as the ranked, without scoring
        return {"query": {"bool": {"filter": [*matches, *self._filters(query)],
                                   "must_not": [self._typed(t) for t in parsed.excluded]}},
                "size": 0, "track_total_hits": False,
                "terminate_after": TOTAL_CAP + 1,  # stopped early means more than TOTAL_CAP
                "aggs": {"documents": documents, **{
                    name: {"terms": {"field": name, "size": FACET_SIZE,
                                     "order": [{"documents": "desc"}, {"_key": "asc"}]},
                           "aggs": {"documents": documents}} for name in FACETS}}}

    @staticmethod
    def _phrase(field: str, words: tuple[str, ...], prefix: bool, boost: float = 1.0) -> dict:
        text = " ".join(words)
        if prefix:
            return {"match_phrase_prefix": {field: {"query": text, "boost": boost,
                                                    "max_expansions": PREFIX_EXPANSIONS}}}
        if len(words) > 1:
            return {"match_phrase": {field: {"query": text, "boost": boost}}}
        return {"match": {field: {"query": text, "boost": boost}}}

    @classmethod
    def _any(cls, term: Term) -> dict:
        """The term with any accents; as typed it matches the exact field too and ranks higher."""
        return cls._either([cls._phrase("text", term.words, term.prefix, EXACT_BOOST),
                            cls._phrase("text.folded", term.folded, term.prefix), *cls._codes(term)])

    @classmethod
    def _matches(cls, term: Term) -> dict:
        """The term with any accents, to filter by: a page with it in ``text`` has it in
        ``text.folded`` too."""
        return cls._either([cls._phrase("text.folded", term.folded, term.prefix), *cls._codes(term)])

    @classmethod
    def _typed(cls, term: Term) -> dict:
        """The term as typed (what an exclusion leaves out): with its accents, or with any when a
        word of it was typed without (see _query.py)."""
        if term.bare:
            return cls._either([cls._phrase("text.folded", term.folded, term.prefix), *cls._codes(term)])
        return cls._either([cls._phrase("text", term.words, term.prefix), *cls._codes(term)])

    @classmethod
    def _codes(cls, term: Term) -> list[dict]:
        """A code also matches the dossier code."""
        return [cls._phrase("dossier_code.words", term.folded, term.prefix, EXACT_BOOST)] if term.code else []

    @staticmethod
    def _either(queries: list[dict]) -> dict:
        return queries[0] if len(queries) == 1 else {"bool": {"should": queries, "minimum_should_match": 1}}

    def _msearch(self, bodies: list[dict], indices: list[str] | None = None) -> list[dict]:
        searches: list[dict] = []
        for body, index in zip(bodies, indices or [self.alias] * len(bodies)):
            searches += [{"index": index}, body]
        responses = self.client.msearch(searches=searches)["responses"]
        for response in responses:
            if "error" in response:  # msearch answers 200 and puts each search's error inside
                raise _failure(response.get("status", 500), response["error"])
        return responses

    @staticmethod
    def _hit(hit: dict, marked: list[tuple[tuple[str, ...], bool]]) -> Hit:
        source = hit["_source"]
        return Hit(dossier_code=source["dossier_code"], document_id=source["document_id"],
                   doc_type=source["doc_type"], filename=source["filename"], agency_code=source["agency_code"],
                   procedure_code=source["procedure_code"], received_at=source["received_at"],
                   page=source["page"], score=hit["_score"] or 0.0,
                   snippet=make_snippet(source["text"], find_terms(source["text"], marked)))

    def facts(self, citizen_id: str, fields: list[str] | None = None) -> list[Fact]:
        filters = [{"term": {"citizen_id": citizen_id}}] + ([{"terms": {"field": fields}}] if fields else [])
        response = self._call(self.client.search, index=self.facts_alias, size=1000,
                              query={"bool": {"filter": filters}})
        return [Fact.model_validate(hit["_source"]) for hit in response["hits"]["hits"]]

    def statistics(self, query: StatsQuery) -> Statistics:
        tallies, activity = _elastic_stats.search_bodies(query)
        responses = self._call(self._msearch, [tallies, activity], [self.tallies_alias, self.activity_alias])
        return _elastic_stats.statistics(query, *(r["aggregations"] for r in responses))

    def count(self) -> int:
        response = self._call(self.client.search, index=self.alias, size=0, aggs={
            "documents": {"cardinality": {"field": "document_id", "precision_threshold": 40000}}})
        return int(response["aggregations"]["documents"]["value"])

    def close(self) -> None:
        self.client.close()

    def drop(self) -> None:
        """Remove this index's indices, alias and template; tests use it to clean up."""
        for alias in self._aliases:
            try:
                names = list(self.client.indices.get_alias(name=alias))
            except NotFoundError:
                names = []
            for name in names:
                self.client.indices.delete(index=name, ignore_unavailable=True)
            self.client.indices.delete_index_template(name=alias)
