"""Statistics on Elasticsearch: a document per tally (`{prefix}-tallies`) and per activity
(`{prefix}-activity`), each index versioned behind its alias like the others, and one search
of aggregations per index for an answer.

Counts that are conditions in SQL (done, failed, component…) are stored as 0/1 numbers, so
every figure is a `sum` or a bucket's document count; a month is stored beside the day, so
periods are plain `terms`. Times come back as documents per time bucket, which add up like the
sums, and search/stats.py reads the median and p95 from them as the SQLite copy does.

What an answer costs Elasticsearch (bench/stats.py, README "Benchmarks"): a pass over the chosen
documents per dimension, reading every summed field, so the total is the periods added up rather
than a pass of its own; and building the time buckets, which under each of 366 days took more CPU
than all the rest (Elasticsearch looks through every (day, time bucket) pair for each day), so the
periods' times are asked the other way round: the days under each time bucket.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from .stats import Activity, DocumentTally, StatsQuery, Statistics, Tallied, quantiles, summarise

_INT = {"type": "integer"}
_KEYWORD = {"type": "keyword"}
# Figures summed per group, and the field of each; `documents` and activity's `receipts` are a
# bucket's document count (less the other actions), `results` the documents less components.
_DOCUMENT_SUMS = {"dossiers": "first", "digitised": "done", "pages": "pages", "components": "component",
                  "failed": "failed_", "fields_read": "fields_read", "fields_confirmed": "confirmed_n",
                  "fields_corrected": "corrected_n"}
_ACTIVITY_SUMS = {"citizen_requests": "citizen_data", "autofills": "autofill", "fields_asked": "asked",
                  "fields_served": "served"}
TALLY_MAPPINGS = {"dynamic": "strict", "properties": {
    **{name: _KEYWORD for name in ("document_id", "dossier_code", "agency_code", "procedure_code", "kind",
                                    "doc_type", "status", "reason", "day", "month", "confirmed_fields",
                                    "corrected_fields")},
    **{name: _INT for name in (*_DOCUMENT_SUMS.values(), "processing")}}}
ACTIVITY_MAPPINGS = {"dynamic": "strict", "properties": {
    **{name: _KEYWORD for name in ("id", "action", "day", "month", "agency_code", "procedure_code", "dossier_code")},
    **{name: _INT for name in (*_ACTIVITY_SUMS.values(), "desk")}}}
_SIZE = 10_000  # groups per dimension (days, agencies, procedures) an answer lists
# The dimensions besides the period (activity has no document type).
_DOCUMENT_DIMENSIONS = ("agency_code", "procedure_code", "doc_type")
_ACTIVITY_DIMENSIONS = ("agency_code", "procedure_code")
_TIMES = "period_times"
_TOTAL = ("total", "")


def tally_actions(tallies: Iterable[DocumentTally], index: str) -> Iterator[dict]:
    for t in tallies:
        day = t.day
        yield {"_op_type": "index", "_index": index, "_id": t.document_id, "_source": {
            "document_id": t.document_id, "dossier_code": t.dossier_code, "agency_code": t.agency_code,
            "procedure_code": t.procedure_code, "kind": t.kind, "doc_type": t.doc_type, "status": t.status,
            "reason": t.reason, "day": day, "month": day[:7], "first": int(t.first),
            "done": int(t.status == "done"), "pages": t.pages, "component": int(t.kind == "component"),
            "failed_": int(t.status == "failed"), "fields_read": t.fields_read,
            "confirmed_n": len(t.confirmed), "corrected_n": len(t.corrected),
            "confirmed_fields": [f"{t.doc_type}/{name}" for name in t.confirmed],
            "corrected_fields": [f"{t.doc_type}/{name}" for name in t.corrected],
            "processing": t.processing_bucket}}


def activity_actions(activity: Iterable[Activity], index: str) -> Iterator[dict]:
    for a in activity:
        day = a.day
        yield {"_op_type": "create", "_index": index, "_id": a.id, "_source": {  # the first noted counts
            "id": a.id, "action": a.action, "day": day, "month": day[:7], "agency_code": a.agency_code,
            "procedure_code": a.procedure_code, "dossier_code": a.dossier_code,
            "citizen_data": int(a.action == "citizen_data"), "autofill": int(a.action == "autofill"),
            "asked": a.fields_asked, "served": a.fields_served, "desk": a.desk_bucket}}


def _filters(query: StatsQuery, names: tuple[str, ...]) -> list[dict]:
    first, last = query.days()
    return [{"range": {"day": {"gte": first, "lte": last}}},
            *({"term": {name: getattr(query, name)}} for name in names if getattr(query, name) is not None)]


def _terms(field: str, aggs: dict | None = None) -> dict:
    return {"terms": {"field": field, "size": _SIZE}, **({"aggs": aggs} if aggs else {})}


def _histogram(field: str, aggs: dict | None = None) -> dict:
    return {"histogram": {"field": field, "interval": 1, "min_doc_count": 1}, **({"aggs": aggs} if aggs else {})}


def _aggregations(query: StatsQuery, dimensions: tuple[str, ...], sums: dict[str, str], histogram: str) -> dict:
    """Per period the sums, and the periods per time bucket (see the module docstring); per
    group of the other dimensions, the sums and a histogram of times."""
    period = _period(query)
    summed = {name: {"sum": {"field": source}} for name, source in sums.items()}
    return {period: _terms(period, summed), _TIMES: _histogram(histogram, {period: _terms(period)}),
            **{name: _terms(name, {**summed, histogram: _histogram(histogram)}) for name in dimensions}}


def search_bodies(query: StatsQuery) -> tuple[dict, dict]:
    """The aggregation searches of tallies and of activity."""
    tallies = {"size": 0, "track_total_hits": False,
               "query": {"bool": {"filter": _filters(query, ("agency_code", "procedure_code", "doc_type", "kind"))}},
               "aggs": {**_aggregations(query, _DOCUMENT_DIMENSIONS, _DOCUMENT_SUMS, "processing"),
                        "confirmed_fields": {"terms": {"field": "confirmed_fields", "size": 1000}},
                        "corrected_fields": {"terms": {"field": "corrected_fields", "size": 1000}},
                        "failures": {"filter": {"term": {"status": "failed"}},
                                     "aggs": {"reasons": {"terms": {"field": "reason", "size": 100}}}}}}
    return tallies, {"size": 0, "track_total_hits": False,
                     "query": {"bool": {"filter": _filters(query, ("agency_code", "procedure_code"))}},
                     "aggs": _aggregations(query, _ACTIVITY_DIMENSIONS, _ACTIVITY_SUMS, "desk")}


def _period(query: StatsQuery) -> str:
    return "day" if query.period == "day" else "month"


class _Groups:
    """Counts and time histograms per (dimension, key), a bucket's each; the total's are the
    periods' added up."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], Counter] = {_TOTAL: Counter()}
        self.rows: dict[tuple[str, str], int] = {_TOTAL: 0}
        self.times: list[tuple[int, int, int]] = []  # (row, time bucket, documents)

    def count(self, group: tuple[str, str], counts: dict[str, int]) -> None:
        self.counts[group] = Counter(counts)

    def time(self, group: tuple[str, str], histogram: Iterable[tuple[int, int]]) -> None:
        row = self.rows.setdefault(group, len(self.rows))
        self.times += [(row, int(b), n) for b, n in histogram]

    def tallied(self, into: dict[tuple[str, str], Tallied], times_of: str) -> None:
        for (dimension, _), counts in self.counts.items():
            if dimension == "period":
                self.counts[_TOTAL].update(counts)
        for key, counts in self.counts.items():
            into.setdefault(key, Tallied()).counts.update(counts)
        if not self.times:
            return
        rows, buckets, documents = np.array(self.times, dtype=np.int64).T
        lowest, span = buckets.min(), buckets.max() - buckets.min() + 1
        dense = np.bincount(rows * span + buckets - lowest, weights=documents,
                            minlength=len(self.rows) * span).astype(np.int64).reshape(len(self.rows), span)
        dense[0] = dense[[row for (d, _), row in self.rows.items() if d == "period"]].sum(axis=0)
        for key, times in zip(self.rows, quantiles(dense, int(lowest))):
            setattr(into.setdefault(key, Tallied()), times_of, times)


def _read(query: StatsQuery, aggregations: dict, dimensions: tuple[str, ...], sums: dict[str, str],
          histogram: str, whole: Callable[[int, dict[str, int]], dict[str, int]]) -> _Groups:
    """The groups: each period, and the total as their sum; each group of ``dimensions``.
    ``whole``: the figures that are a bucket's document count less some sums."""
    found = _Groups()

    def counts(b: dict) -> dict[str, int]:
        summed = {name: int(b[name]["value"]) for name in sums}
        return {**summed, **whole(b["doc_count"], summed)}

    period = _period(query)
    for b in aggregations[period]["buckets"]:
        found.count(("period", b["key"]), counts(b))
    rows = found.rows
    for h in aggregations[_TIMES]["buckets"]:
        time = int(h["key"])
        found.times += [(rows.setdefault(("period", b["key"]), len(rows)), time, b["doc_count"])
                        for b in h[period]["buckets"]]
    for dimension in dimensions:
        for b in aggregations[dimension]["buckets"]:
            found.count((dimension, b["key"]), counts(b))
            found.time((dimension, b["key"]), [(h["key"], h["doc_count"]) for h in b[histogram]["buckets"]])
    return found


def _documents(documents: int, summed: dict[str, int]) -> dict[str, int]:
    return {"documents": documents, "results": documents - summed["components"]}


def _receipts(entries: int, summed: dict[str, int]) -> dict[str, int]:
    """Activity is of three actions: what is neither a citizen-data read nor an auto-fill is a receipt."""
    return {"receipts": entries - summed["citizen_requests"] - summed["autofills"]}


def statistics(query: StatsQuery, tallies: dict, activity: dict) -> Statistics:
    """The answer from the two searches' aggregations."""
    groups: dict[tuple[str, str], Tallied] = {}
    _read(query, tallies, _DOCUMENT_DIMENSIONS, _DOCUMENT_SUMS, "processing", _documents).tallied(groups, "processing")
    _read(query, activity, _ACTIVITY_DIMENSIONS, _ACTIVITY_SUMS, "desk", _receipts).tallied(groups, "desk")
    confirmed = {k["key"]: k["doc_count"] for k in tallies["confirmed_fields"]["buckets"]}
    corrected = {k["key"]: k["doc_count"] for k in tallies["corrected_fields"]["buckets"]}
    fields = {tuple(name.split("/", 1)): (confirmed.get(name, 0), corrected.get(name, 0))
              for name in confirmed.keys() | corrected.keys()}
    failures = {b["key"]: b["doc_count"] for b in tallies["failures"]["reasons"]["buckets"]}
    return summarise(query, groups, fields, failures)
