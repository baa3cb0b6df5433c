"""Statistics on Elasticsearch: a document per tally (`{prefix}-tallies`) and per activity
(`{prefix}-activity`), each index versioned behind its alias like the others, and one search
of aggregations per index (terms per dimension, sums, terms over the time buckets) for an answer.

Counts that are conditions in SQL (done, failed, component…) are stored as 0/1 numbers, so
every figure is a `sum`; a month is stored beside the day, so periods are plain `terms`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .stats import DIMENSIONS, Activity, DocumentTally, StatsQuery, Statistics, Tallied, quantiles_of, summarise

_INT = {"type": "integer"}
_KEYWORD = {"type": "keyword"}
_DOCUMENT_SUMS = {"dossiers": "first", "documents": "one", "digitised": "done", "pages": "pages",
                  "components": "component", "results": "result", "failed": "failed_", "fields_read": "fields_read",
                  "fields_confirmed": "confirmed_n", "fields_corrected": "corrected_n"}
_ACTIVITY_SUMS = {"citizen_requests": "citizen_data", "autofills": "autofill", "fields_asked": "asked",
                  "fields_served": "served", "receipts": "receipt"}
TALLY_MAPPINGS = {"dynamic": "strict", "properties": {
    **{name: _KEYWORD for name in ("document_id", "dossier_code", "agency_code", "procedure_code", "kind",
                                    "doc_type", "status", "reason", "day", "month", "confirmed_fields",
                                    "corrected_fields")},
    **{name: _INT for name in (*_DOCUMENT_SUMS.values(), "processing")}}}
ACTIVITY_MAPPINGS = {"dynamic": "strict", "properties": {
    **{name: _KEYWORD for name in ("id", "action", "day", "month", "agency_code", "procedure_code", "dossier_code")},
    **{name: _INT for name in (*_ACTIVITY_SUMS.values(), "desk")}}}
_SIZE = 10_000  # groups per dimension (days, agencies, procedures) an answer lists


def tally_actions(tallies: Iterable[DocumentTally], index: str) -> Iterator[dict]:
    for t in tallies:
        day = t.day
        yield {"_op_type": "index", "_index": index, "_id": t.document_id, "_source": {
            "document_id": t.document_id, "dossier_code": t.dossier_code, "agency_code": t.agency_code,
            "procedure_code": t.procedure_code, "kind": t.kind, "doc_type": t.doc_type, "status": t.status,
            "reason": t.reason, "day": day, "month": day[:7], "first": int(t.first), "one": 1,
            "done": int(t.status == "done"), "pages": t.pages, "component": int(t.kind == "component"),
            "result": int(t.kind == "result"), "failed_": int(t.status == "failed"), "fields_read": t.fields_read,
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
            "receipt": int(a.action == "receipt"), "asked": a.fields_asked, "served": a.fields_served,
            "desk": a.desk_bucket}}


def _filters(query: StatsQuery, names: tuple[str, ...]) -> list[dict]:
    first, last = query.days()
    return [{"range": {"day": {"gte": first, "lte": last}}},
            *({"term": {name: getattr(query, name)}} for name in names if getattr(query, name) is not None)]


def _grouped(dimensions: dict[str, str], sums: dict[str, str], histogram: str) -> dict:
    inner = {**{name: {"sum": {"field": source}} for name, source in sums.items()},
             histogram: {"histogram": {"field": histogram, "interval": 1, "min_doc_count": 1}}}
    aggs = {"total": {"filter": {"match_all": {}}, "aggs": inner}}
    for dimension, source in dimensions.items():
        aggs[dimension] = {"terms": {"field": source, "size": _SIZE}, "aggs": inner}
    return aggs


def search_bodies(query: StatsQuery) -> tuple[dict, dict]:
    """The aggregation searches of tallies and of activity."""
    period = "day" if query.period == "day" else "month"
    documents = {"period": period, "agency_code": "agency_code", "procedure_code": "procedure_code",
                 "doc_type": "doc_type"}
    tallies = {"size": 0, "track_total_hits": False,
               "query": {"bool": {"filter": _filters(query, ("agency_code", "procedure_code", "doc_type", "kind"))}},
               "aggs": {**_grouped(documents, _DOCUMENT_SUMS, "processing"),
                        "confirmed_fields": {"terms": {"field": "confirmed_fields", "size": 1000}},
                        "corrected_fields": {"terms": {"field": "corrected_fields", "size": 1000}},
                        "failures": {"filter": {"term": {"status": "failed"}},
                                     "aggs": {"reasons": {"terms": {"field": "reason", "size": 100}}}}}}
    activity = {"size": 0, "track_total_hits": False,
                "query": {"bool": {"filter": _filters(query, ("agency_code", "procedure_code"))}},
                "aggs": _grouped({k: v for k, v in documents.items() if k != "doc_type"}, _ACTIVITY_SUMS, "desk")}
    return tallies, activity


def statistics(query: StatsQuery, tallies: dict, activity: dict) -> Statistics:
    """The answer from the two searches' aggregations."""
    groups: dict[tuple[str, str], Tallied] = {}
    for aggregations, sums, histogram in ((tallies, _DOCUMENT_SUMS, "processing"),
                                          (activity, _ACTIVITY_SUMS, "desk")):
        found = [(dimension, key, b) for dimension in ("total", *DIMENSIONS) if dimension in aggregations
                 for key, b in ([("", aggregations[dimension])] if dimension == "total" else
                                [(b["key"], b) for b in aggregations[dimension]["buckets"]])]
        times = quantiles_of([{int(h["key"]): h["doc_count"] for h in b[histogram]["buckets"]} for _, _, b in found])
        for (dimension, key, b), times_of in zip(found, times):
            group = groups.setdefault((dimension, key), Tallied())
            group.counts.update({name: int(b[name]["value"]) for name in sums})
            setattr(group, histogram, times_of)
    confirmed = {k["key"]: k["doc_count"] for k in tallies["confirmed_fields"]["buckets"]}
    corrected = {k["key"]: k["doc_count"] for k in tallies["corrected_fields"]["buckets"]}
    fields = {tuple(name.split("/", 1)): (confirmed.get(name, 0), corrected.get(name, 0))
              for name in confirmed.keys() | corrected.keys()}
    failures = {b["key"]: b["doc_count"] for b in tallies["failures"]["reasons"]["buckets"]}
    return summarise(query, groups, fields, failures)
