"""The browser: server-rendered HTML pages over ``web.views``.

Home ``/``, search ``/search``, the query editor ``/query`` and, through ``web.ld``,
the HTML page of every entity (``render_entity``). Handlers parse the request, call
the library and render; every value reaches the page through Jinja's autoescaping.
"""
from __future__ import annotations

import time

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from kg.errors import KGError, QueryError
from kg.formats import HTML
from kg.query import inspect
from kg.vocab import sparql_prologue
from web.cache import VersionCache
from web.context import kg
from web.urls import ID, QUERY
from web.views import home as home_view
from web.views import lists as lists_view
from web.views import search as search_view
from web.views.entity import PAGE_SIZE, entity
from web.views.examples import example_queries
from web.views.model import format_number
from web.views.reader import Reader
from web.views.results import BOOLEAN_FORMATS, GRAPH_FORMATS, RESULT_MEDIA, SELECT_FORMATS, label_cells, result_table

bp = Blueprint("pages", __name__)
HAS_IATI = sparql_prologue() + "ASK { ?a a rkg:Activity }"



def _cache() -> VersionCache:
    return current_app.extensions.setdefault("kg.pages", VersionCache())


def _page_arg(name: str = "page") -> int:
    try:
        return max(1, int(request.args.get(name, "1")))
    except ValueError:
        return 1


def _html(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype=HTML.media_type)


@bp.app_template_filter("dict_without")
def dict_without(value: dict, key: str) -> dict:
    """A page's query parameters without one (a removed filter; a page number that no longer applies)."""
    return {k: v for k, v in value.items() if k != key}


@bp.app_template_filter("number")
def number(value: object) -> str:
    return format_number(value)


@bp.app_context_processor
def page_context() -> dict[str, object]:
    return {"search_query": request.args.get("q", "") if request.endpoint == "pages.search" else ""}


@bp.route("/")
def home() -> Response:
    ctx = kg()
    snap = ctx.snapshot()
    summary = _cache().get(snap.version, "summary", lambda: home_view.summary(Reader(snap, ctx.urls)))
    lists = _cache().get(snap.version, "lists", lambda: lists_view.counts(Reader(snap, ctx.urls)))
    examples = example_queries()
    class_queries = {iri: home_view.class_query(iri) for _, _, iri in summary["classes"]}
    return _html(render_template("home.html", summary=summary, lists=lists, examples=examples,
                                 class_queries=class_queries, version=snap.version))


@bp.route("/list/")
@bp.route(ID)
def lists_index() -> Response:
    """Every list, with how many items it holds (``/id/``, the root of our IRIs, shows the same)."""
    ctx = kg()
    return _html(render_template("lists.html", lists=lists_view.counts(Reader(ctx.snapshot(), ctx.urls))))


@bp.route("/list/<name>")
def list_page(name: str) -> Response:
    ctx = kg()
    rd = Reader(ctx.snapshot(), ctx.urls)
    fmt = request.args.get("format")
    if fmt in ("csv", "json"):
        body, media = lists_view.download(rd, name, request.args, fmt)
        resp = Response(body, mimetype=media)
        resp.headers["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
        return resp
    return _html(render_template("list.html", p=lists_view.list_page(rd, name, request.args)))


@bp.route("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/search")
def search() -> Response:
    ctx = kg()
    q = request.args.get("q", "").strip()
    results = None
    if q:
        results = search_view.search(Reader(ctx.snapshot(), ctx.urls), q, request.args.get("type") or None,
                                     search_view.parse_page(request.args.get("page")))
    return _html(render_template("search.html", q=q, r=results))


@bp.route(QUERY)
def query_page() -> Response:
    ctx = kg()
    examples = example_queries()
    by_name = {e.name: e for e in examples}
    text = request.args.get("query")
    example = None
    name = request.args.get("example")
    if text is None and name:
        example = by_name.get(name)
        if example is None:
            return _html(render_template("query.html", text="", examples=examples, example=None, table=None,
                                         error=QueryError(f"no example query named {name!r}"), status=404,
                                         downloads=[]), 404)
        text = example.text
    table, error, status, downloads, seconds = None, None, 200, [], None
    sort = _sort_arg()
    if text is not None and text.strip():
        try:
            inspection = inspect(text, ctx.queries.max_query_length)
            form = inspection.form
            started = time.monotonic()
            result = ctx.queries.run(text, media_type=RESULT_MEDIA[form], inspection=inspection)
            seconds = time.monotonic() - started
            table = result_table(ctx.urls, result.form, result.body, result.media_type, result.truncated, sort=sort)
            rd = Reader(ctx.snapshot(), ctx.urls)
            rd.snap.prefetch([ox.NamedNode(c.iri) for row in table.rows for c in row if c is not None and c.iri])
            label_cells(table, lambda iri: rd.label(iri) if ctx.urls.entity(iri) else None)
            formats = {"SELECT": SELECT_FORMATS, "ASK": BOOLEAN_FORMATS}.get(form, GRAPH_FORMATS)
            downloads = [(f.label, ctx.urls.sparql(text, format=f.short)) for f in formats]
        except KGError as e:  # syntax errors (400), read-only (403), timeouts and busy (503)
            error, status = e, e.http_status
    has_iati = _has_iati(ctx)
    groups = [("Reports", [e for e in examples if not e.iati_only]),
              ("IATI activity files" + ("" if has_iati else ": none are loaded, so these answer no rows"),
               [e for e in examples if e.iati_only])]
    return _html(render_template("query.html", text=text or "", examples=examples, groups=groups, example=example,
                                 table=table, error=error, status=status, downloads=downloads, seconds=seconds,
                                 sort=sort, has_iati=has_iati), status)


def _sort_arg() -> tuple[str, bool] | None:
    """?sort=column (ascending) or ?sort=-column (descending): how the results table is ordered."""
    value = request.args.get("sort", "")
    return (value.lstrip("-"), value.startswith("-")) if value.lstrip("-") else None


def _has_iati(ctx) -> bool:
    """Whether any IATI activity is loaded (the IATI example questions answer nothing otherwise)."""
    return bool(ctx.snapshot().query(HAS_IATI))


def render_entity(iri: str, kind: str | None) -> Response | None:
    """The HTML page of an entity of ``kind`` (an IRI kind of ``kg/uris.py``; None for IRIs we did not mint),
    or None if the IRI is in no triple (``web.ld`` then answers 404)."""
    ctx = kg()
    e = entity(Reader(ctx.snapshot(), ctx.urls), iri, kind, page=_page_arg(), page_prop=request.args.get("prop"))
    if e is None:
        return None
    return _html(render_template("entity.html", e=e, page_size=PAGE_SIZE))
