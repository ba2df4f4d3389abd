"""The SPARQL 1.1 Protocol endpoint at /sparql: thin handlers over kg.query."""
from __future__ import annotations

import functools
import hashlib
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request, url_for

from kg.errors import KGError, QueryError, ReadOnly, ResultTooLarge, UnsupportedMediaType, UsageError
from kg.formats import BY_NAME, TURTLE
from kg.query import BOOLEAN_TYPES, GRAPH_MEDIA_TYPES, RESULT_TYPES, QueryResult, inspect
from web.cache import ANSWERS, RESULTS
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
    inspection = _inspect(query, ctx.queries.max_query_length)
    form = inspection.form
    available = RESULT_TYPES if form == "SELECT" else BOOLEAN_TYPES if form == "ASK" else GRAPH_MEDIA_TYPES
    media_type = negotiate(request.headers.get("Accept"), available, default=available[0],
                           override=request.values.getlist("format"))
    snap = ctx.snapshot()
    base_iri = Urls.absolute(request.url_root, SPARQL)
    key = hashlib.sha256("\x00".join([str(snap.location), snap.version, query, media_type, repr(default),
                                      repr(named), base_iri]).encode("utf-8")).hexdigest()[:32]
    # the same query on the same version has the same answer: served without the executor and revalidated by its
    # ETag, unless it asks for the time, a random number or fresh identifiers (then it is run every time)
    cacheable = not inspection.volatile
    etag = key if request.method in ("GET", "HEAD") and cacheable else None
    if etag is not None and etag in request.if_none_match:
        return _with_headers(Response(status=304), etag)
    request.environ["kg.replayable"] = cacheable and request.method == "GET" and not request.form
    cached = RESULTS.get(key) if cacheable else None
    if cached is not None:
        result = QueryResult(cached[0], cached[1], form, cached[2])
    else:
        result = ctx.queries.run(query, media_type=media_type, default_graphs=default, named_graphs=named,
                                 base_iri=base_iri, inspection=inspection)
        if cacheable:
            RESULTS.put(key, result.body if not result.truncated else b"", result.media_type, result.truncated)
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


def fast_path(app: Any, wsgi: Any) -> Any:
    """WSGI middleware: a GET /sparql seen before on the same store version is answered from ANSWERS before
    Flask runs (with its ETag, so If-None-Match still gets 304); other requests pass through, and a
    replayable answer (a 200 the view marked ``kg.replayable``: deterministic, no request body) is kept."""
    ctx = app.extensions["kg"]

    def middleware(environ: dict, start_response: Any) -> Any:
        if environ.get("PATH_INFO") != SPARQL or environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or \
                not environ.get("QUERY_STRING"):
            return wsgi(environ, start_response)
        try:
            snap = ctx.snapshot()
        except KGError:  # an unreadable store or an unreachable remote: the app's handlers say so
            return wsgi(environ, start_response)
        # hashed: a long query string or Accept header costs the cache 32 bytes, not its length
        key = hashlib.sha256("\x00".join([str(snap.location), snap.version, environ["QUERY_STRING"],
                                          environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_HOST", ""),
                                          environ.get("wsgi.url_scheme", "")]).encode("utf-8")).digest()
        hit = ANSWERS.get(key)
        if hit is not None:
            headers, body = hit
            etag = next((v for k, v in headers if k == "ETag"), None)
            if etag is not None and etag in environ.get("HTTP_IF_NONE_MATCH", ""):
                start_response("304 NOT MODIFIED", [(k, v) for k, v in headers if k in ("ETag", "Vary",
                                                    "Cache-Control", "Access-Control-Allow-Origin")])
                return [b""]
            start_response("200 OK", headers)
            return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        out = wsgi(environ, capture)
        if environ.get("kg.replayable") and environ["REQUEST_METHOD"] == "GET" and \
                seen.get("status", "").startswith("200"):
            body = b"".join(out)
            if hasattr(out, "close"):
                out.close()
            ANSWERS.put(key, list(seen["headers"]), body)
            return [body]
        return out

    return middleware


@functools.lru_cache(maxsize=1024)
def _inspect(query: str, max_length: int) -> Any:
    """A query's inspection, remembered: what passed once passes again (a refused query raises, never cached)."""
    return inspect(query, max_length)


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
