"""Statistics as tables: the CSV export of `GET /v1/stats?format=csv` and `hoso stats --csv`."""

from __future__ import annotations

import csv
import io
from typing import Literal

from search import Statistics
from search.stats import Figures

Table = Literal["groups", "fields", "failures"]
FIGURES = tuple(Figures.model_fields)


def rows(statistics: Statistics, table: Table) -> list[list[object]]:
    """The table with its header row: `groups` one row per group (dimension, key, every figure),
    `fields` the production accuracy per document type and field, `failures` per reason."""
    if table == "fields":
        return [["doc_type", "field", "confirmed", "corrected", "accuracy"],
                *([f.doc_type, f.field, f.confirmed, f.corrected, f.accuracy] for f in statistics.fields)]
    if table == "failures":
        return [["reason", "documents"], *([f.reason, f.documents] for f in statistics.failures)]
    groups = [("total", "", statistics.totals),
              *((dimension, g.key, g.figures) for dimension, found in (
                  ("period", statistics.series), ("agency_code", statistics.by_agency),
                  ("procedure_code", statistics.by_procedure), ("doc_type", statistics.by_doc_type))
                for g in found)]
    return [["dimension", "key", *FIGURES],
            *([dimension, key, *(getattr(figures, name) for name in FIGURES)] for dimension, key, figures in groups)]


def to_csv(statistics: Statistics, table: Table = "groups") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(
        [["" if value is None else value for value in row] for row in rows(statistics, table)])
    return out.getvalue()
