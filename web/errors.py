"""One rendering for every error: HTML for browsers, JSON for programs, plain text for SPARQL clients."""
from __future__ import annotations

import logging

from flask import Response, jsonify, render_template, request

from kg.errors import KGError
from kg.formats import HTML
from web.negotiate import parse_accept
from web.urls import SPARQL

log = logging.getLogger("kg.web")
_HTML_TYPES = (HTML.media_type, *HTML.generic)  # text/html, application/xhtml+xml


def wants_html() -> bool:
    """True when the client names HTML at least as high as anything else (browsers do; a bare */* does not)."""
    ranges = parse_accept(request.headers.get("Accept"))
    html = max((q for m, q, _ in ranges if m in _HTML_TYPES), default=0.0)
    other = max((q for m, q, _ in ranges if "*" not in m and m not in _HTML_TYPES), default=0.0)
    return html > 0 and html >= other


def error_response(status: int, kind: str, message: str, error: KGError | None = None) -> Response:
    """The response for an error of ``status``: the page, the JSON body or the text a client reads."""
    if request.path.startswith(SPARQL) and not wants_html():
        resp = Response(f"{message}\n", status=status, mimetype="text/plain")
    elif wants_html():
        try:
            page = render_template("error.html", status=status, kind=kind, message=message)
        except Exception:  # an error page must never fail; log and fall back to text
            log.exception("cannot render the error page")
            return Response(f"{status}: {message}\n", status=status, mimetype="text/plain")
        resp = Response(page, status=status, mimetype=HTML.media_type)
    else:
        body = error.as_dict() if error is not None else {"error": kind, "message": message}
        resp = jsonify(body)
        resp.status_code = status
    resp.headers["Vary"] = "Accept"
    resp.headers["Cache-Control"] = "no-store"
    return resp
