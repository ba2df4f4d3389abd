"""The Flask app: thin HTTP handlers over the ``kg`` library.

``create_app(config)`` builds an app around one store; tests pass a config with a
temporary store. Blueprints: ``web.sparql`` (the SPARQL endpoint), ``web.ld``
(dereferenceable IRIs, ontology, shapes, VoID, dumps, health) and ``web.pages``
(the browser). Errors of the ``KGError`` hierarchy are rendered in one place.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request

from kg import settings as kg_settings
from kg.errors import KGError, RemoteError, RemoteTimeout
from kg.store import open_store
from kg.uris import IRIs

log = logging.getLogger("kg.web")


@dataclass
class KGContext:
    """What every handler needs: the store, the IRI minter, the query service, settings."""

    store: Any  # kg.store.GraphStore: EmbeddedStore or RemoteStore
    iris: IRIs
    queries: Any  # kg.query.QueryService
    settings: dict[str, str]

    def snapshot(self):  # noqa: ANN201 - kg.store.Snapshot
        return self.store.snapshot()


def kg() -> KGContext:
    return current_app.extensions["kg"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    config = dict(config or {})
    values = {s.name: kg_settings.get(s.name, config.get(s.name)) for s in kg_settings.SETTINGS}
    iris = IRIs(values["base_iri"])
    if values["endpoint"]:  # serve from a remote SPARQL store; the same handlers, the same safety
        from kg.store.remote import open_remote

        store: Any = open_remote(values["endpoint"], graph_store="", update="",  # the web app never writes
                                 base_iri=values["base_iri"], query_timeout=float(values["query_timeout"]))
    else:
        store = open_store(Path(values["store"]))
    queries = store.query_service(timeout=float(values["query_timeout"]), max_rows=int(values["max_rows"]),
                                  max_query_length=int(values["max_query_length"]),
                                  executors=int(values["query_executors"]))
    app.extensions["kg"] = KGContext(store, iris, queries, values)
    # request bodies beyond this are refused (413) before they are read into memory
    app.config.update(TESTING=bool(config.get("TESTING")), JSON_SORT_KEYS=False,
                      MAX_CONTENT_LENGTH=max(1 << 20, 4 * int(values["max_query_length"])))

    from web import ld, pages, sparql

    app.register_blueprint(sparql.bp)
    app.register_blueprint(ld.bp)
    app.register_blueprint(pages.bp)

    @app.errorhandler(KGError)
    def kg_error(e: KGError) -> Response:
        if isinstance(e, RemoteError):
            # the remote's own words and its internal URL are for our log, not for the public
            log.warning("remote store: %s", e)
            public = (RemoteTimeout("the data store behind this service did not answer in time; try again, or "
                                    "narrow the query") if isinstance(e, RemoteTimeout) else
                      RemoteError("the data store behind this service cannot be reached or failed; try again "
                                  "shortly"))
            return error_response(public.http_status, public.kind, public.message, public)
        return error_response(e.http_status, e.kind, str(e.message), e)

    @app.errorhandler(404)
    def not_found(e: Exception) -> Response:
        return error_response(404, "not-found", "There is nothing at this address.")

    @app.errorhandler(405)
    def not_allowed(e: Exception) -> Response:
        resp = error_response(405, "method-not-allowed", f"{request.method} is not allowed here.")
        valid = getattr(e, "valid_methods", None)
        if valid:
            resp.headers["Allow"] = ", ".join(valid)
        return resp

    @app.errorhandler(Exception)
    def internal(e: Exception) -> Response:
        from werkzeug.exceptions import HTTPException

        if isinstance(e, HTTPException):
            return error_response(e.code or 500, "http", e.description or e.name)
        log.exception("internal error on %s %s", request.method, request.path)
        return error_response(500, "internal", "Something went wrong on our side; it has been logged.")

    @app.after_request
    def conditional(resp: Response) -> Response:
        # every representation is cacheable and revalidatable; pages without an ETag of their own
        # get one from their content (the linked-data views set theirs from the store version)
        if request.method == "GET" and resp.status_code == 200 and not resp.direct_passthrough:
            if "ETag" not in resp.headers:
                resp.add_etag()
            resp.headers.setdefault("Cache-Control", "public, max-age=60")
            resp.make_conditional(request)
        return resp

    @app.after_request
    def security_headers(resp: Response) -> Response:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; style-src 'self'; img-src 'self' data:; "
                                    "script-src 'self'; frame-ancestors 'none'")
        return resp

    return app


def wants_html() -> bool:
    """True when the client names HTML at least as high as anything else (browsers do; a bare */* does not)."""
    from kg.negotiate import parse_accept

    ranges = parse_accept(request.headers.get("Accept"))
    html = max((q for m, q, _ in ranges if m in ("text/html", "application/xhtml+xml")), default=0.0)
    other = max((q for m, q, _ in ranges if "*" not in m and m not in ("text/html", "application/xhtml+xml")),
                default=0.0)
    return html > 0 and html >= other


def error_response(status: int, kind: str, message: str, error: KGError | None = None) -> Response:
    """One rendering for every error: HTML for browsers, JSON for programs, plain text for SPARQL clients."""
    if request.path.startswith("/sparql") and not wants_html():
        resp = Response(f"{message}\n", status=status, mimetype="text/plain")
    elif wants_html():
        try:
            page = render_template("error.html", status=status, kind=kind, message=message)
        except Exception:  # noqa: BLE001 - an error page must never fail; log and fall back to text
            log.exception("cannot render the error page")
            return Response(f"{status}: {message}\n", status=status, mimetype="text/plain")
        resp = Response(page, status=status, mimetype="text/html")
    else:
        body = error.as_dict() if error is not None else {"error": kind, "message": message}
        resp = jsonify(body)
        resp.status_code = status
    resp.headers["Vary"] = "Accept"
    resp.headers["Cache-Control"] = "no-store"
    return resp
