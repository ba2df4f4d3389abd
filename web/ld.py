"""Linked data: every minted IRI resolves at /id/<rest>, in HTML and RDF, with caching.

Also the ontology at /def, the shapes at /shapes, the JSON-LD context, a VoID/DCAT
description at /.well-known/void, the dumps written by ``kg build --store``, and
/healthz.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request, send_file

from kg import resources
from kg.errors import NotFound
from kg.formats import (
    BY_EXTENSION,
    BY_MEDIA_TYPE,
    BY_NAME,
    GRAPH_EXTENSIONS,
    GRAPH_MEDIA_TYPES,
    HTML,
    JSONLD,
    TURTLE,
    serialize_triples,
)
from kg.store.embedded import DUMPS
from kg.uris import ONTOLOGY
from kg.vocab import OUTPUT_PREFIXES, RKG_NS
from web import describe
from web.cache import RENDERED
from web.context import kg
from web.negotiate import jsonld_content_type, jsonld_profile, negotiate
from web.pages import render_entity
from web.respond import MAX_AGE, cached, rdf_response
from web.urls import ABOUT, DEF, DESCRIBED_HERE, ID, VOID, Urls
from web.urls import DUMPS as DUMPS_PATH
from web.views.examples import example_queries

bp = Blueprint("ld", __name__)


def _raw_rest() -> str | None:
    """The part after ``/id/`` of the path as sent (WSGI servers keep it as RAW_URI or REQUEST_URI)."""
    sent = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if not sent:
        return None
    path = sent.split("?", 1)[0].split("#", 1)[0]
    at = path.find(ID)
    if at < 0 or "%2F" not in path.upper():
        return None
    # escapes as we mint them (upper-case hex), so %2f and %2F name the same resource
    return re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group(0).upper(), path[at + len(ID):])


@bp.route(ID + "<path:rest>")
def resource(rest: str) -> Response:
    ctx = kg()
    snap = ctx.snapshot()
    override = request.args.getlist("format")
    raw = _raw_rest()
    if rest.startswith("graph/"):  # first: a remote store describes its graphs, which must not pass for entities
        found = _named_graph(ctx, snap, rest, raw, override)
        if found is not None:
            return found
    for ext, media in GRAPH_EXTENSIONS.items():
        if rest.endswith(ext):
            for iri in ctx.urls.candidates(rest[: -len(ext)], raw[: -len(ext)] if raw and raw.endswith(ext) else None):
                if describe.exists(snap, iri):
                    return _representation(snap, iri, media)
    for iri in ctx.urls.candidates(rest, raw):
        if describe.exists(snap, iri):
            media = negotiate(request.headers.get("Accept"), [HTML.media_type, *GRAPH_MEDIA_TYPES],
                              default=TURTLE.media_type, override=override)
            return _representation(snap, iri, media)
    if str(ctx.urls.iris.whole_dataset()) in ctx.urls.candidates(rest, raw):
        return void()  # the dataset's IRI: its VoID description (the same as /.well-known/void)
    raise NotFound(f"no resource {ctx.urls.candidates(rest)[0]} in this dataset")


def _named_graph(ctx: Any, snap: Any, rest: str, raw: str | None, override: list[str]) -> Response | None:
    """A named graph's IRI: its description as a page or in RDF, its content in TriG/N-Quads; None if no graph."""
    names = set(snap.graph_names())
    for ext, fmt in CONTENT_EXTENSIONS.items():  # a named graph's content: /id/graph/report/MLI-2021.trig
        if rest.endswith(ext):
            for iri in ctx.urls.candidates(rest[: -len(ext)], None):
                if iri in names:
                    return _graph_content(snap, iri, fmt.media_type)
    for iri in ctx.urls.candidates(rest, raw):
        if iri in names:  # a named graph's IRI: its description as a page or in RDF, its content in TriG/N-Quads
            media = negotiate(request.headers.get("Accept"), [HTML.media_type, *GRAPH_MEDIA_TYPES,
                                                               *(f.media_type for f in CONTENT_EXTENSIONS.values())],
                              default=TURTLE.media_type, override=override)
            if media in (f.media_type for f in CONTENT_EXTENSIONS.values()):
                return _graph_content(snap, iri, media)
            triples = describe.named_graph(snap, ctx.urls, request.url_root.rstrip("/"), iri)
            if describe.exists(snap, iri):  # what the data itself says of the graph (a remote's rkg:graphDigest)
                triples = list(dict.fromkeys(triples + describe.describe(snap, iri).triples))
            if media == HTML.media_type:
                page = render_template("ld_graph.html", iri=iri, triples=triples).encode("utf-8")
                return cached(page, HTML.media_type, f"{snap.version}\x00graph\x00{iri}")
            return rdf_response(triples, request.headers.get("Accept"), override,
                                etag_seed=f"{snap.version}\x00graph\x00{iri}")
    return None


# a named graph's content: a syntax that says which graph each triple is in
CONTENT_EXTENSIONS = {f.extensions[0]: f for f in (BY_NAME["trig"], BY_NAME["nquads"])}


def _graph_content(snap: Any, iri: str, media_type: str) -> Response:
    """The triples of one named graph, as quads of that graph: never cut (a graph is one report's or one
    shared table's), so a program gets the graph whole where a CONSTRUCT over the row limit would be refused."""
    fmt = BY_MEDIA_TYPE[media_type]
    key = f"{snap.location}\x00{snap.version}\x00graph-content\x00{iri}\x00{media_type}"
    body = RENDERED.get(key, lambda: ox.serialize(list(snap.quads(None, None, None, ox.NamedNode(iri))),
                                                  format=fmt.oxigraph, prefixes=OUTPUT_PREFIXES
                                                  if fmt.oxigraph == ox.RdfFormat.TRIG else None))
    return cached(body, media_type, key, {"Content-Location": kg().urls.entity_format(iri, fmt.extensions[0]) or ""})


@bp.route(ABOUT)
def about() -> Response:
    """A concept of another vocabulary that the graph describes (an SDMX sex code): what we say of it and
    what links to it, as a page or in any RDF format."""
    iri = request.args.get("iri", "")
    snap = kg().snapshot()
    if not iri.startswith(DESCRIBED_HERE) or not describe.exists(snap, iri):
        raise NotFound(f"no concept {iri!r} is described here")
    media = negotiate(request.headers.get("Accept"), [HTML.media_type, *GRAPH_MEDIA_TYPES],
                      default=TURTLE.media_type, override=request.args.getlist("format"))
    return _representation(snap, iri, media)


def _representation(snap: Any, iri: str, media_type: str) -> Response:
    """``iri``'s page or description; the IRI parser (``Urls.parse``) says which kind of page it gets."""
    seed = f"{snap.version}\x00{iri}\x00{sorted(request.args.items(multi=True))}"
    key = f"{seed}\x00{media_type}\x00{kg().store.path}"
    if media_type == HTML.media_type:
        def html() -> bytes:
            parsed = kg().urls.parse(iri)
            resp = render_entity(iri, parsed.kind if parsed else None)
            if resp is None:
                raise NotFound(f"no resource {iri} in this dataset")
            return resp.get_data()
        return cached(lambda: RENDERED.get(key, html), HTML.media_type, seed)

    urls = kg().urls
    root = request.url_root.rstrip("/")
    ext = next((e for e, m in GRAPH_EXTENSIONS.items() if m == media_type), None)
    document = urls.entity_format(iri, ext) if ext else None
    profile = jsonld_profile(request.headers.get("Accept")) if media_type == JSONLD.media_type else ""
    key += f"\x00{root}\x00{profile}"

    def rdf() -> bytes:
        d = describe.describe(snap, iri)
        triples = d.triples
        if document:  # the document is not the thing: what it is about, its licence, its dataset, what it leaves out
            triples = triples + describe.document(urls, Urls.absolute(root, document), iri,
                                                  Urls.absolute(root, urls.sparql(describe.incoming_query(iri)))
                                                  if d.more_incoming else None)
        more = b"1" if d.more_incoming else b"0"
        return more + serialize_triples(triples, media_type, profile or "compacted")

    data = RENDERED.get(key, rdf)
    headers = {}
    if data[:1] == b"1":
        q = describe.incoming_query(iri)
        headers["Link"] = f'<{urls.sparql(q)}>; rel="next"; title="all incoming links"'
    headers["Link"] = ", ".join(filter(None, [headers.get("Link"), _alternates(urls, iri)]))
    if document:  # the document this representation is, distinct from the thing the IRI names (httpRange-14)
        headers["Content-Location"] = document
    if profile:
        headers["Content-Type"] = jsonld_content_type(profile)
    return cached(data[1:], media_type, seed + f"\x00{root}\x00{profile}", headers)


def _alternates(urls: Urls, iri: str) -> str:
    if urls.entity(iri) is None:
        return ""
    return ", ".join(f'<{urls.entity_format(iri, ext)}>; rel="alternate"; type="{mt}"'
                     for ext, mt in GRAPH_EXTENSIONS.items())


@bp.route(DEF)
@bp.route(DEF + ".<ext>")
def ontology(ext: str | None = None) -> Response:
    snap = kg().snapshot()
    media = _media_for(ext, default_html=True)
    triples = [q.triple for q in snap.quads(graph=ox.NamedNode(ONTOLOGY))]
    if not triples:  # a store built before the ontology graph existed: serve the shipped file
        with resources.ontology_file().open("rb") as f:
            triples = [q.triple for q in ox.parse(f, format=ox.RdfFormat.TURTLE)]
    seed = f"{snap.version}\x00def"
    if media == HTML.media_type:
        return cached(lambda: render_template("ld_ontology.html", terms=describe.ontology_terms(triples),
                                              namespace=RKG_NS).encode("utf-8"), HTML.media_type, seed)
    return cached(lambda: serialize_triples(triples, media), media, seed)


@bp.route("/shapes")
@bp.route("/shapes.<ext>")
def shapes(ext: str | None = None) -> Response:
    media = _media_for(ext, default_html=False)
    text = resources.shapes_file().read_bytes()
    seed = hashlib.sha256(text).hexdigest()
    if media == TURTLE.media_type:
        return cached(text, media, seed)
    if media == HTML.media_type:
        return cached(lambda: render_template("ld_source.html", title="SHACL shapes",
                                              source=text.decode("utf-8")).encode("utf-8"), HTML.media_type, seed)
    triples = [q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE)]
    return cached(lambda: serialize_triples(triples, media), media, seed)


def _media_for(ext: str | None, *, default_html: bool) -> str:
    if ext is not None:
        media = GRAPH_EXTENSIONS.get("." + ext)
        if media is None:
            abort(404)
        return media
    rdf = GRAPH_MEDIA_TYPES
    return negotiate(request.headers.get("Accept"), [HTML.media_type, *rdf] if default_html else
                     [rdf[0], HTML.media_type, *rdf[1:]], default=TURTLE.media_type,
                     override=request.args.getlist("format"))


@bp.route("/context.jsonld")
def context() -> Response:
    text = resources.context_file().read_bytes()
    return cached(text, JSONLD.media_type, hashlib.sha256(text).hexdigest())


@bp.route(VOID)
def void() -> Response:
    """The dataset's description: VoID and DCAT for programs, a card for browsers (licence, size, graphs,
    last build, dumps with their sizes, the endpoint, example queries)."""
    ctx = kg()
    snap = ctx.snapshot()
    root = request.url_root.rstrip("/")
    folder = ctx.store.dumps_dir(snap.version)
    dumps = [DUMPS[k][0] for k in DUMPS if (folder / DUMPS[k][0]).is_file()] if folder is not None else []
    media = _media_for(None, default_html=False)
    if media == HTML.media_type:
        return cached(lambda: render_template("ld_dataset.html", d=describe.dataset_card(snap, folder, dumps),
                                              examples=example_queries()).encode("utf-8"),
                      HTML.media_type, f"{snap.version}\x00void-html")
    triples = describe.void(snap, ctx.urls, root, dumps, ctx.store.dates())
    return rdf_response(triples, request.headers.get("Accept"), request.args.getlist("format"),
                        etag_seed=f"{snap.version}\x00void\x00{root}")


@bp.route(DUMPS_PATH + "<name>")
def dump(name: str) -> Response:
    """A dump: ``results-kg.nt.gz`` is the gzip file; ``results-kg.nt`` is the same graph as its RDF media
    type, gzip-encoded for clients that accept it (``Content-Encoding: gzip``) and plain for the others,
    so rdflib, Jena and a plain HTTP read all load it from its URL."""
    ctx = kg()
    snap = ctx.snapshot()
    files = {fname: fmt for fname, fmt in DUMPS.values()}
    plain = {fname[:-len(".gz")]: fname for fname in files}
    if name not in files and name not in plain:
        raise NotFound(f"no dump {name!r}; available: {', '.join([*plain, *files])}")
    folder = ctx.store.dumps_dir(snap.version)
    if folder is None:
        raise NotFound("dumps are not kept when serving from a remote store: get the graphs from the store's own "
                       "Graph Store Protocol endpoint, or CONSTRUCT them through /sparql")
    path = folder / (plain.get(name) or name)
    if not path.is_file():
        raise NotFound("this version of the store has no dumps; rebuild with 'kg build --store' to write them")
    if name in files:
        return send_file(path, mimetype=BY_NAME["gzip"].media_type, as_attachment=True, download_name=name,
                         etag=f"{snap.version}-{name}", conditional=True, max_age=MAX_AGE)
    media = BY_EXTENSION["." + name.rsplit(".", 1)[1]].media_type
    if "gzip" in request.headers.get("Accept-Encoding", "").lower():
        resp = send_file(path, mimetype=media, etag=f"{snap.version}-{name}-gzip", conditional=True,
                         max_age=MAX_AGE)
        resp.headers["Content-Encoding"] = "gzip"
    else:
        def unzipped() -> Any:
            with gzip.open(path, "rb") as f:
                while chunk := f.read(1 << 16):
                    yield chunk
        resp = Response(unzipped(), mimetype=media)
        resp.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
        resp.headers["ETag"] = f'"{snap.version}-{name}"'
    resp.headers["Vary"] = "Accept-Encoding"
    return resp


@bp.route("/healthz")
def healthz() -> Response:
    ctx = kg()
    snap = ctx.snapshot()
    body = {"status": "ok", "version": snap.version, "graphs": len(snap.graph_names())}
    resp = Response(json.dumps(body), mimetype=BY_NAME["json"].media_type)
    resp.headers["Cache-Control"] = "no-store"
    return resp
