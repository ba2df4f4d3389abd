"""The browser: server-rendered HTML pages over ``kg.browse``.

Home ``/``, search ``/search``, the query editor ``/query`` and, through ``web.ld``,
the HTML page of every entity (``render_entity``). Handlers parse the request, call
the library and render; every value reaches the page through Jinja's autoescaping.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request

from kg import browse
from kg.errors import KGError, QueryError
from kg.query import inspect
from web import kg

bp = Blueprint("pages", __name__)

SEARCH_LIMIT = 50
RESULT_MEDIA = {"SELECT": "application/sparql-results+json", "ASK": "application/sparql-results+json",
                "CONSTRUCT": "application/n-triples", "DESCRIBE": "application/n-triples"}


def _cache() -> browse.VersionCache:
    return current_app.extensions.setdefault("kg.pages", browse.VersionCache())


def _page_arg(name: str = "page") -> int:
    try:
        return max(1, int(request.args.get(name, "1")))
    except ValueError:
        return 1


def _html(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/html")


@bp.app_template_filter("number")
def number(value: object) -> str:
    return browse.format_number(value)


@bp.app_context_processor
def page_context() -> dict[str, object]:
    return {"search_query": request.args.get("q", "") if request.endpoint == "pages.search" else ""}


@bp.route("/")
def home() -> Response:
    ctx = kg()
    snap = ctx.snapshot()
    summary = _cache().get(snap.version, "summary", lambda: browse.Browser(snap, ctx.iris).summary())
    examples = browse.example_queries()
    class_queries = {iri: browse.class_query(iri) for _, _, iri in summary["classes"]}
    return _html(render_template("home.html", summary=summary, examples=examples, class_queries=class_queries,
                                 version=snap.version))


@bp.route("/search")
def search() -> Response:
    ctx = kg()
    snap = ctx.snapshot()
    q = request.args.get("q", "").strip()
    total, hits, contexts = 0, [], {}
    if q:
        index = _cache().get(snap.version, "search", lambda: browse.SearchIndex(snap, ctx.iris))
        total, hits = index.search(q, SEARCH_LIMIT)
        b = browse.Browser(snap, ctx.iris)
        contexts = {h.iri: b.context_line(h.iri) for h in hits}
    return _html(render_template("search.html", q=q, total=total, hits=hits, contexts=contexts,
                                 limit=SEARCH_LIMIT))


@bp.route("/query")
def query_page() -> Response:
    ctx = kg()
    examples = browse.example_queries()
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
    table, error, status, downloads = None, None, 200, []
    if text is not None and text.strip():
        try:
            inspection = inspect(text, ctx.queries.max_query_length)
            form = inspection.form
            result = ctx.queries.run(text, media_type=RESULT_MEDIA[form], inspection=inspection)
            table = browse.result_table(ctx.iris, result.form, result.body, result.media_type, result.truncated)
            formats = {"SELECT": browse.SELECT_FORMATS, "ASK": browse.BOOLEAN_FORMATS}.get(form, browse.GRAPH_FORMATS)
            downloads = [(label, "/sparql?" + urlencode({"query": text, "format": fmt})) for label, fmt in formats]
        except KGError as e:  # syntax errors (400), read-only (403), timeouts and busy (503)
            error, status = e, e.http_status
    return _html(render_template("query.html", text=text or "", examples=examples, example=example, table=table,
                                 error=error, status=status, downloads=downloads), status)


def render_entity(iri: str) -> Response | None:
    """The HTML page of an entity, or None if the IRI is in no triple (``web.ld`` then answers 404)."""
    ctx = kg()
    b = browse.Browser(ctx.snapshot(), ctx.iris)
    entity = b.entity(iri, page=_page_arg(), page_prop=request.args.get("prop"))
    if entity is None:
        return None
    return _html(render_template("entity.html", e=entity, page_size=browse.PAGE_SIZE))
