"""The app factory: ``create_app(config)`` builds the Flask app around one store.

Tests pass a config with a temporary store (``{"store": ..., "TESTING": True}``).
Blueprints: ``web.sparql`` (the SPARQL endpoint), ``web.ld`` (dereferenceable IRIs,
ontology, shapes, VoID, dumps, health) and ``web.pages`` (the browser). Errors of the
``KGError`` hierarchy are rendered in one place (``web.errors``).
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, Response, request

from kg import settings as kg_settings
from kg.errors import KGError, RemoteError, RemoteTimeout
from kg.formats import HTML
from kg.store import open_configured
from kg.store.index import index_for
from kg.uris import IRIs
from web import ld, pages, sparql
from web.context import KGContext
from web.errors import error_response
from web.urls import Urls

log = logging.getLogger("kg.web")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask("web")
    config = dict(config or {})
    values = {s.name: kg_settings.get(s.name, config.get(s.name)) for s in kg_settings.SETTINGS}
    iris = IRIs(values["base_iri"])
    # the embedded store, or a remote SPARQL store (the same handlers, the same safety); never writable
    store = open_configured(values, read_only=True)
    queries = store.query_service(timeout=float(values["query_timeout"]), max_rows=int(values["max_rows"]),
                                  max_query_length=int(values["max_query_length"]),
                                  executors=int(values["query_executors"]))
    app.extensions["kg"] = KGContext(store, iris, queries, values, Urls(iris))
    # request bodies beyond this are refused (413) before they are read into memory
    app.config.update(TESTING=bool(config.get("TESTING")), JSON_SORT_KEYS=False,
                      MAX_CONTENT_LENGTH=max(1 << 20, 4 * int(values["max_query_length"])))

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
        if resp.mimetype == HTML.media_type:
            resp.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; style-src 'self'; img-src 'self' data:; "
                                    "script-src 'self'; frame-ancestors 'none'")
        return resp

    app.wsgi_app = sparql.fast_path(app, app.wsgi_app)  # type: ignore[method-assign]
    if not app.config["TESTING"]:
        threading.Thread(target=_warm_index, args=(store,), name="warm-browse-index", daemon=True).start()
    return app


def _warm_index(store: Any) -> None:
    """Have the browse index ready before the first partner or place page asks for it: a remote store's
    (or an old version's) is built from the graph, which takes a minute at 1,000 reports."""
    try:
        index_for(store.snapshot())
    except Exception:
        log.warning("the browse index could not be built in advance", exc_info=True)
