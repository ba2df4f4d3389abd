"""Query results as a table for the query page: SPARQL JSON results or N-Triples, as rows of cells."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.formats import BOOLEAN_TYPES, BY_MEDIA_TYPE, GRAPH_MEDIA_TYPES, NTRIPLES, RESULT_TYPES, SPARQL_JSON, Format
from kg.vocab import N
from web.urls import Urls
from web.views.model import compact

MAX_TABLE_ROWS = 1000  # query result rows shown in HTML (downloads have them all)
# what each form's results are read in, and offered as downloads in
RESULT_MEDIA = {"SELECT": SPARQL_JSON.media_type, "ASK": SPARQL_JSON.media_type,
                "CONSTRUCT": NTRIPLES.media_type, "DESCRIBE": NTRIPLES.media_type}
SELECT_FORMATS: list[Format] = [BY_MEDIA_TYPE[m] for m in RESULT_TYPES]
BOOLEAN_FORMATS: list[Format] = [BY_MEDIA_TYPE[m] for m in BOOLEAN_TYPES]
GRAPH_FORMATS: list[Format] = [BY_MEDIA_TYPE[m] for m in GRAPH_MEDIA_TYPES]


@dataclass
class Cell:
    text: str
    href: str | None = None
    kind: str = "literal"
    datatype: str | None = None
    lang: str | None = None
    label: str | None = None  # an IRI's name, shown beside its short form
    iri: str | None = None

    def sort_key(self) -> tuple:
        """Numbers by value, everything else by its text (case-folded)."""
        if self.datatype and self.kind == "literal":
            try:
                return (0, float(self.text), "")
            except ValueError:
                pass
        return (1, 0.0, (self.label or self.text).casefold())


@dataclass
class ResultTable:
    form: str
    columns: list[str]
    rows: list[list[Cell | None]]
    boolean: bool | None
    total: int
    truncated: bool


def result_table(urls: Urls, form: str, body: bytes, media_type: str, truncated: bool,
                 limit: int = MAX_TABLE_ROWS, sort: tuple[str, bool] | None = None) -> ResultTable:
    """SPARQL JSON results (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE) as table rows; ``sort``
    (column, descending) orders them before the first ``limit`` are kept."""
    table = _table(urls, form, body, media_type, truncated)
    if sort is not None and sort[0] in table.columns:
        i = table.columns.index(sort[0])
        present = [r for r in table.rows if r[i] is not None]
        present.sort(key=lambda r: r[i].sort_key(), reverse=sort[1])  # type: ignore[union-attr]
        table.rows = present + [r for r in table.rows if r[i] is None]  # unbound cells last, either way
    table.rows = table.rows[:limit]
    return table


def label_cells(table: ResultTable, label: Any) -> None:
    """Give every IRI cell its name (``label(iri)``), so people read names where programs read IRIs."""
    for row in table.rows:
        for cell in row:
            if cell is not None and cell.kind == "uri" and cell.iri:
                name = label(cell.iri)
                cell.label = name if name and name != cell.text else None


def _table(urls: Urls, form: str, body: bytes, media_type: str, truncated: bool) -> ResultTable:
    if media_type == SPARQL_JSON.media_type:
        data = json.loads(body.decode("utf-8"))
        if "boolean" in data:
            return ResultTable(form, [], [], bool(data["boolean"]), 0, False)
        columns = list(data.get("head", {}).get("vars", []))
        bindings = data.get("results", {}).get("bindings", [])
        rows = [[_json_cell(urls, b.get(c)) for c in columns] for b in bindings]
        return ResultTable(form, columns, rows, None, len(bindings), truncated)
    triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    rows = [[_term_cell(urls, t.subject), _term_cell(urls, t.predicate), _term_cell(urls, t.object)]
            for t in triples]
    return ResultTable(form, ["subject", "predicate", "object"], rows, None, len(triples), truncated)


def _iri_cell(urls: Urls, iri: str) -> Cell:
    return Cell(compact(iri) or iri, urls.href(iri), "uri", iri=iri)


def _json_cell(urls: Urls, b: dict[str, str] | None) -> Cell | None:
    if b is None:
        return None
    if b.get("type") == "uri":
        return _iri_cell(urls, b["value"])
    if b.get("type") == "bnode":
        return Cell("_:" + b["value"], kind="bnode")
    dt = b.get("datatype")
    return Cell(b.get("value", ""), datatype=(compact(dt) or dt) if dt else None, lang=b.get("xml:lang"))


def _term_cell(urls: Urls, t: Any) -> Cell:
    if isinstance(t, ox.NamedNode):
        return _iri_cell(urls, t.value)
    if isinstance(t, ox.BlankNode):
        return Cell("_:" + t.value, kind="bnode")
    if isinstance(t, ox.Literal):
        dt = t.datatype.value if t.datatype else None
        shown = None if t.language or dt in (None, N.xsd.string.value) else compact(dt) or dt
        return Cell(t.value, datatype=shown, lang=t.language or None)
    return Cell(str(t))
