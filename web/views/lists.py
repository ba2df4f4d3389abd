"""List pages with facets, the way Datasette lists a table: reports, outcomes, partners, places, figures
and findings, each filterable by its facets, sortable, paged, and downloadable as CSV or JSON with the
same filters. They read the browse index (kg/store/index.py), so a facet's counts cost one SQL query
whatever the size of the corpus."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from kg.errors import NotFound
from kg.store.index import index_for
from web.views.reader import Reader

PAGE = 50
MAX_DOWNLOAD = 10_000  # rows in a CSV or JSON download, as the endpoint's row cap


@dataclass(frozen=True)
class Facet:
    column: str  # the index's column (a..e)
    param: str  # its name in the page's address
    name: str


@dataclass(frozen=True)
class ListSpec:
    title: str
    what: str  # one item, in words
    facets: tuple[Facet, ...]
    number: str | None  # what the numeric column holds, if the list has one


LISTS = {
    "reports": ListSpec("Reports", "report", (Facet("a", "country", "Country"), Facet("b", "year", "Year"),
                                              Facet("c", "office", "Office")), "Progress notes"),
    "outcomes": ListSpec("Outcomes, year by year", "progress note",
                         (Facet("a", "status", "Status"), Facet("b", "sp", "Strategic Plan output"),
                          Facet("c", "year", "Year"), Facet("d", "country", "Country")), None),
    "partners": ListSpec("Partners", "partner", (Facet("a", "kind", "Kind"), Facet("b", "country", "Country")),
                         "Progress notes"),
    "places": ListSpec("Places named in the reports", "place",
                       (Facet("a", "type", "Type"), Facet("b", "country", "Country")), "Progress notes"),
    "figures": ListSpec("Figures", "figure", (Facet("a", "unit", "Unit"), Facet("b", "sex", "Sex"),
                                              Facet("c", "place", "Place"), Facet("d", "outcome", "Outcome"),
                                              Facet("e", "finding", "Quality")), "Value"),
    "findings": ListSpec("Quality findings", "finding", (Facet("a", "type", "Type"), Facet("b", "report", "Report")),
                         None),
}


@dataclass
class ListPage:
    name: str
    spec: ListSpec
    filters: dict[str, str]  # param -> value
    sort: str
    desc: bool
    total: int
    page: int
    pages: int
    rows: list[tuple[str | None, str, list[list[str]], float | None]] = field(default_factory=list)
    facets: list[tuple[Facet, list[tuple[str, int]]]] = field(default_factory=list)

    @property
    def columns(self) -> list[tuple[str, str]]:
        """(sort key, heading) of each column of the table."""
        return ([("label", "Name")] + [(f.param, f.name) for f in self.spec.facets]
                + ([("n", self.spec.number)] if self.spec.number else []))


def _args(spec: ListSpec, args: Any) -> tuple[dict[str, str], dict[str, str], str, bool]:
    filters = {f.param: args.get(f.param) for f in spec.facets if args.get(f.param) is not None}
    columns = {f.column: filters[f.param] for f in spec.facets if f.param in filters}
    sort = args.get("sort", "n" if spec.number else "label")
    by = {f.param: f.column for f in spec.facets} | {"label": "label", "n": "n"}
    return filters, columns, by.get(sort.lstrip("-"), "label"), sort.startswith("-") or (
        sort == "n" and args.get("sort") is None)


def list_page(rd: Reader, name: str, args: Any) -> ListPage:
    spec = LISTS.get(name)
    if spec is None:
        raise NotFound(f"no list {name!r}; the lists are: {', '.join(LISTS)}")
    filters, columns, sort, desc = _args(spec, args)
    index = index_for(rd.snap)
    try:
        page = max(1, int(args.get("page", 1)))
    except ValueError:
        page = 1
    total, _ = index.items(name, columns, sort, desc, 0, 0)
    pages = max(1, -(-total // PAGE))
    page = min(page, pages)
    _, rows = index.items(name, columns, sort, desc, PAGE, (page - 1) * PAGE)
    facets = [(f, index.facet(name, columns, f.column)) for f in spec.facets]
    param = next((p for p, c in ({"label": "label", "n": "n"} | {f.column: f.param for f in spec.facets}).items()
                  if c == sort), "label")
    return ListPage(name, spec, filters, ("-" if desc else "") + param, desc, total, page, pages,
                    [(rd.urls.href(iri), label, cols, n) for iri, label, cols, n in rows], facets)


def download(rd: Reader, name: str, args: Any, fmt: str) -> tuple[bytes, str]:
    """Every item the filters keep (up to MAX_DOWNLOAD), as CSV or JSON: the list as programs read it."""
    spec = LISTS.get(name)
    if spec is None:
        raise NotFound(f"no list {name!r}; the lists are: {', '.join(LISTS)}")
    _, columns, sort, desc = _args(spec, args)
    _, rows = index_for(rd.snap).items(name, columns, sort, desc, MAX_DOWNLOAD, 0)
    heads = ["iri", "label", *(f.param for f in spec.facets)] + (["number"] if spec.number else [])
    records = [[iri, label, *("; ".join(cols[ord(f.column) - ord("a")]) for f in spec.facets)]
               + ([_number(n)] if spec.number else []) for iri, label, cols, n in rows]
    if fmt == "json":
        return json.dumps([dict(zip(heads, r)) for r in records], ensure_ascii=False, indent=1).encode(), \
            "application/json"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(heads)
    writer.writerows(records)
    return out.getvalue().encode("utf-8"), "text/csv"


def _number(n: float | None) -> int | float | None:
    return int(n) if n is not None and n == int(n) else n


def counts(rd: Reader) -> list[tuple[str, str, int]]:
    """(list, title, items) of every list: what the home page counts."""
    index = index_for(rd.snap)
    return [(name, spec.title, index.items(name, {}, "label", False, 0, 0)[0]) for name, spec in LISTS.items()]
