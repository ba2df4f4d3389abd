"""Linked data: every minted IRI resolves at /id/<rest>, in HTML and RDF, with caching.

Also the ontology at /def, the shapes at /shapes, the JSON-LD context, a VoID/DCAT
description at /.well-known/void, the dumps written by ``kg build --store``, and
/healthz.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request, send_file

from kg import describe, resources
from kg.errors import NotFound
from kg.formats import GRAPH_EXTENSIONS, GRAPH_MEDIA_TYPES, serialize_triples
from kg.negotiate import negotiate
from kg.store.embedded import DUMPS
from kg.uris import ONTOLOGY
from kg.vocab import PREFIXES
from web import kg

bp = Blueprint("ld", __name__)

RDF_TYPES = GRAPH_MEDIA_TYPES
EXTENSIONS = GRAPH_EXTENSIONS
_SAFE = "-._~:@!$&'()*+,;=/"
_MAX_AGE = 300


def rdf_response(triples: list[ox.Triple], accept: str | None, override: str | list[str] | None, *, default: str = "text/turtle",
                 extra_headers: dict[str, str] | None = None, etag_seed: str | None = None) -> Response:
    media_type = negotiate(accept, RDF_TYPES, default=default, override=override)
    return _cached(lambda: serialize_triples(triples, media_type), media_type, etag_seed, extra_headers)


def _cached(body, media_type: str, etag_seed: str | None, extra_headers: dict[str, str] | None = None) -> Response:  # noqa: ANN001
    """A representation with Vary, ETag and Cache-Control; 304 when the client has it."""
    etag = None
    if etag_seed is not None:
        etag = hashlib.sha256(f"{etag_seed}\x00{media_type}".encode("utf-8")).hexdigest()[:32]
        if etag in request.if_none_match:
            resp = Response(status=304)
            resp.set_etag(etag)
            resp.headers["Vary"] = "Accept"
            resp.headers["Cache-Control"] = f"public, max-age={_MAX_AGE}"
            return resp
    data = body() if callable(body) else body
    resp = Response(data, mimetype=media_type)
    if media_type.startswith("text/") or media_type.endswith(("json", "xml")):
        resp.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    resp.headers["Vary"] = "Accept"
    resp.headers["Cache-Control"] = f"public, max-age={_MAX_AGE}"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    if etag:
        resp.set_etag(etag)
    resp.headers.update(extra_headers or {})
    return resp


def _candidates(rest: str, raw: str | None = None) -> list[str]:
    """The IRIs a request path may name: as sent, as minted (percent-encoded) and as written (an IRI).

    ``raw`` is the path as the client sent it: the server has already decoded ``%2F`` in ``rest``
    to ``/``, which an IATI identifier such as ``XM-DAC-41146-MLI/2021`` needs kept.
    """
    base = kg().iris.base
    quoted = base + quote(rest, safe=_SAFE)
    return list(dict.fromkeys(([base + raw] if raw else []) + [quoted, base + rest]))


def _raw_rest() -> str | None:
    """The part after ``/id/`` of the path as sent (WSGI servers keep it as RAW_URI or REQUEST_URI)."""
    sent = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if not sent:
        return None
    path = sent.split("?", 1)[0].split("#", 1)[0]
    at = path.find("/id/")
    if at < 0 or "%2F" not in path.upper():
        return None
    # escapes as we mint them (upper-case hex), so %2f and %2F name the same resource
    return re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group(0).upper(), path[at + len("/id/"):])


@bp.route("/id/<path:rest>")
def resource(rest: str) -> Response:
    snap = kg().snapshot()
    override = request.args.getlist("format")
    raw = _raw_rest()
    for ext, media in EXTENSIONS.items():
        if rest.endswith(ext):
            for iri in _candidates(rest[: -len(ext)], raw[: -len(ext)] if raw and raw.endswith(ext) else None):
                if describe.exists(snap, iri):
                    return _representation(snap, iri, media)
    for iri in _candidates(rest, raw):
        if describe.exists(snap, iri):
            media = negotiate(request.headers.get("Accept"), ["text/html", *RDF_TYPES], default="text/turtle",
                              override=override)
            return _representation(snap, iri, media)
    raise NotFound(f"no resource {_candidates(rest)[0]} in this dataset")


class _Rendered:
    """Rendered representations, keyed by store version, IRI, arguments and media type.

    A published version never changes, so a representation is valid until the version
    does; keying on the version makes the cache correct without invalidation.
    """

    def __init__(self, entries: int = 2048, max_bytes: int = 2 << 20) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.entries, self.max_bytes = entries, max_bytes

    def get(self, key: str, make) -> bytes:  # noqa: ANN001 - make() renders on a miss
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        data = make()
        if len(data) <= self.max_bytes:
            with self._lock:
                self._items[key] = data
                while len(self._items) > self.entries:
                    self._items.popitem(last=False)
        return data


_RENDERED = _Rendered()


def _representation(snap, iri: str, media_type: str) -> Response:  # noqa: ANN001
    seed = f"{snap.version}\x00{iri}\x00{sorted(request.args.items(multi=True))}"
    key = f"{seed}\x00{media_type}\x00{kg().store.path}"
    if media_type == "text/html":
        from web import pages

        def html() -> bytes:
            resp = pages.render_entity(iri)
            if resp is None:
                raise NotFound(f"no resource {iri} in this dataset")
            return resp.get_data()
        return _cached(lambda: _RENDERED.get(key, html), "text/html", seed)
    def rdf() -> bytes:
        d = describe.describe(snap, iri)
        more = b"1" if d.more_incoming else b"0"
        return more + serialize_triples(d.triples, media_type)

    data = _RENDERED.get(key, rdf)
    headers = {}
    if data[:1] == b"1":
        q = describe.incoming_query(iri)
        headers["Link"] = f'</sparql?{urlencode({"query": q})}>; rel="next"; title="all incoming links"'
    headers["Link"] = ", ".join(filter(None, [headers.get("Link"), _alternates(iri)]))
    return _cached(data[1:], media_type, seed, headers)


def _alternates(iri: str) -> str:
    base = kg().iris.base
    if not iri.startswith(base):
        return ""
    path = "/id/" + iri[len(base):]
    return ", ".join(f'<{path}{ext}>; rel="alternate"; type="{mt}"' for ext, mt in EXTENSIONS.items())


@bp.route("/def")
@bp.route("/def.<ext>")
def ontology(ext: str | None = None) -> Response:
    snap = kg().snapshot()
    media = _media_for(ext, default_html=True)
    triples = [q.triple for q in snap.quads(graph=ox.NamedNode(ONTOLOGY))]
    if not triples:  # a store built before the ontology graph existed: serve the shipped file
        with resources.ontology_file().open("rb") as f:
            triples = [q.triple for q in ox.parse(f, format=ox.RdfFormat.TURTLE)]
    seed = f"{snap.version}\x00def"
    if media == "text/html":
        return _cached(lambda: render_template("ld_ontology.html", terms=describe.ontology_terms(triples),
                                               namespace=PREFIXES["rkg"]).encode("utf-8"), "text/html", seed)
    return _cached(lambda: serialize_triples(triples, media), media, seed)


@bp.route("/shapes")
@bp.route("/shapes.<ext>")
def shapes(ext: str | None = None) -> Response:
    media = _media_for(ext, default_html=False)
    text = resources.shapes_file().read_bytes()
    seed = hashlib.sha256(text).hexdigest()
    if media == "text/turtle":
        return _cached(text, media, seed)
    if media == "text/html":
        return _cached(lambda: render_template("ld_source.html", title="SHACL shapes",
                                               source=text.decode("utf-8")).encode("utf-8"), "text/html", seed)
    triples = [q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE)]
    return _cached(lambda: serialize_triples(triples, media), media, seed)


def _media_for(ext: str | None, *, default_html: bool) -> str:
    if ext is not None:
        media = EXTENSIONS.get("." + ext)
        if media is None:
            abort(404)
        return media
    return negotiate(request.headers.get("Accept"), ["text/html", *RDF_TYPES] if default_html else
                     ["text/turtle", "text/html", *RDF_TYPES[1:]], default="text/turtle",
                     override=request.args.getlist("format"))


@bp.route("/context.jsonld")
def context() -> Response:
    text = resources.context_file().read_bytes()
    return _cached(text, "application/ld+json", hashlib.sha256(text).hexdigest())


@bp.route("/.well-known/void")
def void() -> Response:
    ctx = kg()
    snap = ctx.snapshot()
    root = request.url_root.rstrip("/")
    dumps = list(DUMPS) if ctx.store.dumps_dir(snap.version) is not None else []
    triples = describe.void(snap, ctx.iris, root, dumps)
    return rdf_response(triples, request.headers.get("Accept"), request.args.getlist("format"),
                        etag_seed=f"{snap.version}\x00void\x00{root}")


@bp.route("/dumps/<name>")
def dump(name: str) -> Response:
    ctx = kg()
    snap = ctx.snapshot()
    files = {fname: fmt for fname, fmt in DUMPS.values()}
    if name not in files:
        raise NotFound(f"no dump {name!r}; available: {', '.join(files)}")
    folder = ctx.store.dumps_dir(snap.version)
    if folder is None:
        raise NotFound("dumps are not kept when serving from a remote store: get the graphs from the store's own "
                       "Graph Store Protocol endpoint, or CONSTRUCT them through /sparql")
    path = folder / name
    if not path.is_file():
        raise NotFound("this version of the store has no dumps; rebuild with 'kg build --store' to write them")
    resp = send_file(path, mimetype="application/gzip", as_attachment=True, download_name=name,
                     etag=f"{snap.version}-{name}", conditional=True, max_age=_MAX_AGE)
    return resp


@bp.route("/healthz")
def healthz() -> Response:
    ctx = kg()
    snap = ctx.snapshot()
    body = {"status": "ok", "version": snap.version, "graphs": len(snap.graph_names())}
    resp = Response(json.dumps(body), mimetype="application/json")
    resp.headers["Cache-Control"] = "no-store"
    return resp
