"""The SPARQL 1.1 Protocol endpoint at /sparql: thin handlers over kg.query."""
from __future__ import annotations

import hashlib

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request, url_for

from kg.errors import QueryError, ReadOnly, ResultTooLarge, UnsupportedMediaType, UsageError
from kg.formats import BY_NAME, TURTLE
from kg.query import BOOLEAN_TYPES, GRAPH_MEDIA_TYPES, RESULT_TYPES, inspect
from web.context import kg
from web.describe import service_description as describe_service
from web.errors import wants_html
from web.negotiate import negotiate
from web.respond import rdf_response
from web.urls import SPARQL, Urls

bp = Blueprint("sparql", __name__)

CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Content-Type", "Access-Control-Max-Age": "86400"}


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise QueryError(f"more than one '{name}' parameter: send exactly one")
    return values[0] if values else None


def _request_query() -> tuple[str | None, list[str] | None, list[str] | None]:
    """(query, default-graph-uri, named-graph-uri) from GET, POST form or POST direct."""
    args = request.args
    if request.method in ("GET", "HEAD"):
        if "update" in args:
            raise ReadOnly("this endpoint is read-only: SPARQL updates are not accepted")
        params = args
        query = _one(args.getlist("query"), "query")
    else:
        ctype = (request.mimetype or "").lower()
        if ctype == BY_NAME["form"].media_type:
            form = request.form
            if "update" in form:
                raise ReadOnly("this endpoint is read-only: SPARQL updates are not accepted")
            query = _one(form.getlist("query"), "query")
            params = form if ("default-graph-uri" in form or "named-graph-uri" in form) else args
        elif ctype == BY_NAME["sparql-query"].media_type:
            charset = request.mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise UnsupportedMediaType(f"queries must be sent as UTF-8, not {charset}")
            try:
                query = request.get_data().decode("utf-8")
            except UnicodeDecodeError:
                raise QueryError("the query is not valid UTF-8") from None
            params = args
        elif ctype == BY_NAME["sparql-update"].media_type:
            raise ReadOnly("this endpoint is read-only: SPARQL updates are not accepted")
        else:
            return _unsupported(ctype)
    default = params.getlist("default-graph-uri") or None
    named = params.getlist("named-graph-uri") or None
    for g in (default or []) + (named or []):
        try:
            ox.NamedNode(g)
        except ValueError:
            raise QueryError(f"not an IRI: {g!r}") from None
    return query, default, named


def _unsupported(ctype: str):
    raise UnsupportedMediaType(
        f"unsupported content type {ctype or '(none)'}: POST a query as application/sparql-query or as "
        "application/x-www-form-urlencoded with a 'query' field")


@bp.route(SPARQL, methods=["GET", "POST", "OPTIONS"])
def sparql() -> Response:
    if request.method == "OPTIONS":  # CORS preflight
        resp = Response(status=204)
        resp.headers.update(CORS)
        return resp
    query, default, named = _request_query()
    if query is None:
        if request.method in ("GET", "HEAD") and wants_html():
            resp = redirect(url_for("pages.query_page"), code=303)
            resp.headers["Vary"] = "Accept"
            return resp
        if request.method == "POST":
            raise UsageError("no 'query' parameter")
        return service_description()
    ctx = kg()
    inspection = inspect(query, ctx.queries.max_query_length)
    form = inspection.form
    available = RESULT_TYPES if form == "SELECT" else BOOLEAN_TYPES if form == "ASK" else GRAPH_MEDIA_TYPES
    media_type = negotiate(request.headers.get("Accept"), available, default=available[0],
                           override=request.values.getlist("format"))
    etag = None
    if request.method in ("GET", "HEAD"):
        snap = ctx.snapshot()
        etag = hashlib.sha256("\x00".join([snap.version, query, media_type, repr(default), repr(named)])
                              .encode("utf-8")).hexdigest()[:32]
        if etag in request.if_none_match:
            return _with_headers(Response(status=304), etag)
    result = ctx.queries.run(query, media_type=media_type, default_graphs=default, named_graphs=named,
                             base_iri=Urls.absolute(request.url_root, SPARQL), inspection=inspection)
    if result.truncated:  # a cut result read as whole is a wrong answer: say so, send nothing
        what = "rows" if form in ("SELECT", "ASK") else "triples"
        raise ResultTooLarge(
            f"the result has more than {ctx.queries.max_rows:,} {what}, this endpoint's limit (rkg:resultRowLimit in "
            f"the service description): add LIMIT {ctx.queries.max_rows} and page with OFFSET, or aggregate "
            "(COUNT, GROUP BY) on the server")
    resp = Response(result.body, mimetype=result.media_type)
    if result.media_type.startswith("text/") or result.media_type.endswith(("json", "xml")):
        resp.headers["Content-Type"] = f"{result.media_type}; charset=utf-8"
    return _with_headers(resp, etag)


def _with_headers(resp: Response, etag: str | None) -> Response:
    resp.headers.update(CORS)
    resp.headers["Vary"] = "Accept"
    if etag:
        resp.set_etag(etag)
        resp.headers["Cache-Control"] = "public, max-age=60"
    else:
        resp.headers["Cache-Control"] = "no-store"
    return resp


def service_description() -> Response:
    """SPARQL 1.1 Service Description of this endpoint, in the negotiated RDF syntax."""
    ctx = kg()
    triples = describe_service(Urls.absolute(request.url_root, SPARQL), ctx.snapshot().graph_names(),
                               max_rows=ctx.queries.max_rows, timeout=ctx.queries.timeout)
    return rdf_response(triples, request.headers.get("Accept"), request.args.getlist("format"),
                        default=TURTLE.media_type, extra_headers=CORS)
