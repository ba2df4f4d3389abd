"""Representations with the headers every linked-data client relies on: Vary, ETag, Cache-Control, CORS."""
from __future__ import annotations

import hashlib
from collections.abc import Callable

import pyoxigraph as ox
from flask import Response, request

from kg.formats import GRAPH_MEDIA_TYPES, JSONLD, TURTLE, serialize_triples
from web.negotiate import jsonld_content_type, jsonld_profile, negotiate

MAX_AGE = 300


def rdf_response(triples: list[ox.Triple], accept: str | None, override: str | list[str] | None, *,
                 default: str = TURTLE.media_type,
                 extra_headers: dict[str, str] | None = None, etag_seed: str | None = None) -> Response:
    media_type = negotiate(accept, GRAPH_MEDIA_TYPES, default=default, override=override)
    if media_type != JSONLD.media_type:
        return cached(lambda: serialize_triples(triples, media_type), media_type, etag_seed, extra_headers)
    profile = jsonld_profile(accept)
    return cached(lambda: serialize_triples(triples, media_type, profile), media_type,
                  f"{etag_seed}\x00{profile}" if etag_seed is not None else None,
                  {**(extra_headers or {}), "Content-Type": jsonld_content_type(profile)})


def cached(body: bytes | Callable[[], bytes], media_type: str, etag_seed: str | None,
           extra_headers: dict[str, str] | None = None) -> Response:
    """A representation with Vary, ETag and Cache-Control; 304 when the client has it."""
    etag = None
    if etag_seed is not None:
        etag = hashlib.sha256(f"{etag_seed}\x00{media_type}".encode()).hexdigest()[:32]
        if etag in request.if_none_match:
            resp = Response(status=304)
            resp.set_etag(etag)
            resp.headers["Vary"] = "Accept"
            resp.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
            return resp
    data = body() if callable(body) else body
    resp = Response(data, mimetype=media_type)
    if media_type.startswith("text/") or media_type.endswith(("json", "xml")):
        resp.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    resp.headers["Vary"] = "Accept"
    resp.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    if etag:
        resp.set_etag(etag)
    resp.headers.update(extra_headers or {})
    return resp
