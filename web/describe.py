"""What a resource's RDF representation holds, and the dataset's VoID description.

A resource's description is its outgoing triples (with the blank nodes and same-document
``#fragment`` nodes they lead to), its incoming links (bounded; a link points to the
rest), and the labels of the resources it links to, so a client can show them.
"""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from kg.formats import BY_EXTENSION, FORMATS
from kg.vocab import (
    CC_BY_4,
    CITED,
    GEONAMES_FEATURE,
    OUTPUT_PREFIXES,
    RKG_NS,
    SDG_KOS,
    UN_DOCUMENTS,
    W3C_FORMATS,
    WIKIDATA_ENTITY,
    N,
)
from web.urls import SPARQL, Urls

IANA = "http://www.iana.org/assignments/media-types/"  # media types as IRIs, as DCAT wants them
GZIP_MEDIA_TYPE = IANA + "application/gzip"

MAX_INCOMING = 200
LABELS = (N.skos.prefLabel, N.rdfs.label)


@dataclass
class Description:
    triples: list[ox.Triple]
    more_incoming: bool


def exists(snap: Any, iri: str) -> bool:
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    return next(iter(snap.quads(node, None, None, None)), None) is not None or \
        next(iter(snap.quads(None, None, node, None)), None) is not None


def describe(snap: Any, iri: str) -> Description:
    node = ox.NamedNode(iri)
    out: dict[ox.Triple, None] = {}
    todo: list = [node]
    seen: set = set()
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for q in snap.quads(s, None, None, None):
            out[q.triple] = None
            o = q.object
            if isinstance(o, ox.BlankNode) or (isinstance(o, ox.NamedNode) and o.value.startswith(iri + "#")):
                todo.append(o)
    incoming = list(itertools.islice(snap.quads(None, None, node, None), MAX_INCOMING + 1))
    more = len(incoming) > MAX_INCOMING
    for q in incoming[:MAX_INCOMING]:
        out[q.triple] = None
    linked = {t.object for t in out if isinstance(t.object, ox.NamedNode)} | {t.subject for t in out}
    linked.discard(node)
    for other in linked:
        for label in LABELS:
            first = next(iter(snap.quads(other, label, None, None)), None)
            if first is not None:
                out[first.triple] = None
                break
    return Description(list(out), more)


def document(urls: Urls, document_url: str, iri: str, all_incoming: str | None) -> list[ox.Triple]:
    """What a description document says of itself: the thing it is about (``foaf:primaryTopic``; the IRI of
    the thing answers 200 with this document, named by ``Content-Location``), its licence, the dataset it is
    part of, and, when it lists only some incoming links, where all of them are."""
    n, T = ox.NamedNode, ox.Triple
    doc = n(document_url)
    t = [T(doc, N.rdf.type, N.foaf.Document), T(doc, N.foaf.primaryTopic, n(iri)),
         T(doc, N.dcterms.license, n(CC_BY_4)), T(doc, N.void.inDataset, n(urls.iris.whole_dataset()))]
    if all_incoming:
        t.append(T(doc, N.rkg.allIncomingLinks, n(all_incoming)))
    return t


def incoming_query(iri: str) -> str:
    """A query a client can run for every incoming link (the IRI is serialised, not pasted)."""
    return f"SELECT ?s ?p WHERE {{ ?s ?p {ox.NamedNode(iri)} }}"


@dataclass
class Term:
    iri: str
    name: str
    kind: str
    label: str
    definition: str


def ontology_terms(triples: list[ox.Triple]) -> list[Term]:
    """The ontology's classes, properties and concepts, with labels and definitions, for its HTML page."""
    kinds = {N.owl.Class.value: "Class", N.owl.ObjectProperty.value: "Object property",
             N.owl.DatatypeProperty.value: "Datatype property", N.skos.ConceptScheme.value: "Concept scheme",
             N.skos.Concept.value: "Concept", N.dqv.Dimension.value: "Quality dimension"}
    ns = RKG_NS
    info: dict[str, dict[str, str]] = {}
    for t in triples:
        s = t.subject.value if isinstance(t.subject, ox.NamedNode) else ""
        if not s.startswith(ns):
            continue
        d = info.setdefault(s, {})
        p = t.predicate.value
        if p == N.rdf.type.value and t.object.value in kinds and "kind" not in d:
            d["kind"] = kinds[t.object.value]
        elif p == N.rdfs.label.value:
            d["label"] = t.object.value
        elif p == N.skos.definition.value:
            d["definition"] = t.object.value
    order = list(kinds.values())
    terms = [Term(s, s[len(ns):], d.get("kind", "Term"), d.get("label", s[len(ns):]), d.get("definition", ""))
             for s, d in info.items()]
    return sorted(terms, key=lambda t: (order.index(t.kind) if t.kind in order else 99, t.name))


# the vocabularies the data is written in (void:vocabulary): every namespace the graph uses but RDF's own
_VOCABULARIES = [ns for p, ns in OUTPUT_PREFIXES.items() if p not in ("rdf", "rdfs", "xsd", "owl")]
# one example of each kind of resource people start from (void:exampleResource): a report, a note, an outcome,
# an observation, then a partner and a country the reports name (not the first of the reference tables)
_EXAMPLES = [N.rkg.Report, N.rkg.ProgressNote, N.rkg.Outcome, N.qb.Observation]
_EXAMPLE_OBJECTS = [N.rkg.partner, N.rkg.country]
# the datasets we link to (void:Linkset each): name -> (link property, IRI prefix of the targets, the target)
LINK_TARGETS = {
    "wikidata": (N.skos.exactMatch, WIKIDATA_ENTITY, "https://www.wikidata.org/"),
    "geonames": (N.skos.exactMatch, GEONAMES_FEATURE, "https://www.geonames.org/"),
    # the links a note makes to what its narrative cites (kg.vocab.CITED); the UN's resolver is its own target
    "sdg": (ox.NamedNode(str(CITED["sdg"][0])), SDG_KOS, SDG_KOS.rstrip("/")),
    "un-documents": (ox.NamedNode(str(CITED["resolution"][0])), UN_DOCUMENTS, UN_DOCUMENTS),
}
_STATS: dict[str, tuple[list[tuple[str, int]], list[tuple[Any, int]], list[Any], dict[str, int]]] = {}
_STATS_LOCK = threading.Lock()


def link_counts(snap: Any) -> dict[str, int]:
    """How many links go to each dataset of ``LINK_TARGETS`` (the prefixes are ours, never a user's)."""
    out = {}
    for name, (prop, prefix, _) in LINK_TARGETS.items():
        (row,) = snap.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ ?s <{prop.value}> ?o "
                            f"FILTER(STRSTARTS(STR(?o), \"{prefix}\")) }} }}")
        out[name] = int(row["n"].value)
    return out


def _stats(snap: Any) -> tuple[list[tuple[str, int]], list[tuple[Any, int]], list[Any], dict[str, int]]:
    """(triples per named graph, entities per class, example resources, links per target dataset) of a
    version: whole-store aggregates, so computed once per version and kept."""
    ident = f"{snap.location}\x00{snap.version}"
    with _STATS_LOCK:  # computed once per version, whatever the number of threads asking at once
        return _STATS[ident] if ident in _STATS else _compute_stats(snap, ident)


def _compute_stats(snap: Any, ident: str) -> tuple[list[tuple[str, int]], list[tuple[Any, int]], list[Any], dict]:
    """The whole-store aggregates of ``_stats`` (called under its lock)."""
    graphs = [(r["g"].value, int(r["n"].value)) for r in snap.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")]
    classes = [(r["class"], int(r["n"].value)) for r in snap.query(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class")]
    examples = []
    for cls in _EXAMPLES:
        first = next(iter(snap.quads(None, N.rdf.type, cls, None)), None)
        if first is not None:
            examples.append(first.subject)
    for prop in _EXAMPLE_OBJECTS:
        first = next(iter(snap.quads(None, prop, None, None)), None)
        if first is not None:
            examples.append(first.object)
    value = (graphs, classes, examples, link_counts(snap))
    while len(_STATS) >= 4:
        _STATS.pop(next(iter(_STATS)))
    _STATS[ident] = value
    return value


def void(snap: Any, urls: Urls, root: str, dumps: list[str],
         dates: tuple[datetime | None, datetime | None] = (None, None)) -> list[ox.Triple]:
    """VoID + DCAT description of the dataset: size, subsets per named graph, classes, licence, dates, examples,
    vocabularies, endpoint, dumps. The dataset is named under the base IRI (``id/dataset``), so its name does
    not change with the host that serves it; distributions and partitions are this deployment's."""
    n, T, L = ox.NamedNode, ox.Triple, ox.Literal
    xsd_int = N.xsd.integer
    rtype = N.rdf.type
    ds = n(urls.iris.whole_dataset())
    graphs, classes, examples, links = _stats(snap)
    issued, modified = dates
    t = [T(ds, rtype, N.void.Dataset), T(ds, rtype, N.dcat.Dataset),
         T(ds, N.dcterms.title, L("Results KG: UN Women country results as linked data", language="en")),
         T(ds, N.dcterms.description, L(
             "Outcomes, progress notes, partners, places and figures read from UN Women country results reports, "
             "each fact traceable to the characters of the report it came from.", language="en")),
         T(ds, N.dcterms.license, n(CC_BY_4)),
         T(ds, N.dcterms.publisher, n(urls.iris.org("un-women"))),
         T(ds, N.void.sparqlEndpoint, n(urls.absolute(root, SPARQL))),
         T(ds, N.void.uriSpace, L(urls.iris.base)),
         T(ds, N.dcat.landingPage, n(root + "/")),
         T(ds, N.void.triples, L(str(len(snap)), datatype=xsd_int))]
    t += [T(ds, N.void.vocabulary, n(v)) for v in _VOCABULARIES]
    t += [T(ds, N.void.exampleResource, e) for e in examples]
    for prop, when in ((N.dcterms.issued, issued), (N.dcterms.modified, modified)):
        if when is not None:
            t.append(T(ds, prop, L(when.isoformat().replace("+00:00", "Z"), datatype=N.xsd.dateTime)))
    for g, size in graphs:  # a subset per named graph, with its own size (a report's graph, the reference data…)
        sub = n(g)
        t += [T(ds, N.void.subset, sub), T(sub, rtype, N.void.Dataset), T(sub, N.sd.name, sub),
              T(sub, N.void.triples, L(str(size), datatype=xsd_int))]
    for name in dumps:  # each dump twice: its RDF media type (gzip-encoded on request), and the gzip file
        plain = name[:-len(".gz")]
        media = n(IANA + BY_EXTENSION["." + plain.rsplit(".", 1)[1]].media_type)
        for file, gz in ((plain, False), (name, True)):
            url = n(urls.absolute(root, urls.dump(file)))
            dist = n(urls.absolute(root, urls.void(file)))
            t += [T(ds, N.dcat.distribution, dist), T(dist, rtype, N.dcat.Distribution),
                  T(dist, N.dcat.downloadURL, url), T(dist, N.dcat.mediaType, media)]
            if gz:
                t.append(T(dist, N.dcat.compressFormat, n(GZIP_MEDIA_TYPE)))
            else:
                t.append(T(ds, N.void.dataDump, url))
    for name, (prop, _, target) in LINK_TARGETS.items():  # five-star: where the data links out, and how often
        if links.get(name):
            ls = n(urls.absolute(root, urls.void(f"linkset-{name}")))
            t += [T(ds, N.void.subset, ls), T(ls, rtype, N.void.Linkset), T(ls, N.void.linkPredicate, prop),
                  T(ls, N.void.subjectsTarget, ds), T(ls, N.void.objectsTarget, n(target)),
                  T(ls, N.void.triples, L(str(links[name]), datatype=xsd_int))]
    for i, (cls, count) in enumerate(classes):
        part = n(urls.absolute(root, urls.void(f"class-{i}")))
        t += [T(ds, N.void.classPartition, part), T(part, getattr(N.void, "class"), cls),
              T(part, N.void.entities, L(str(count), datatype=xsd_int))]
    return t


# what the endpoint answers in, as the W3C registry names formats (sd:resultFormat)
_SD_RESULT_FORMATS = [f.w3c for f in FORMATS if f.kind == "results" and f.w3c] + \
    [f.w3c for f in FORMATS if f.w3c and f.kind != "results"]


def service_description(endpoint_url: str, graph_names: list[str], *, max_rows: int | None = None,
                        timeout: float | None = None) -> list[ox.Triple]:
    """SPARQL 1.1 Service Description of the endpoint at ``endpoint_url`` over these named graphs, with the
    limits a program must know before it sends a query (our terms: SD has none for them)."""
    n, T = ox.NamedNode, ox.Triple
    endpoint = n(endpoint_url)
    rdf_type = N.rdf.type
    t = [T(endpoint, N.rkg.resultRowLimit, ox.Literal(str(max_rows), datatype=N.xsd.integer))] if max_rows else []
    if timeout:
        t.append(T(endpoint, N.rkg.queryTimeout, ox.Literal(f"{timeout:g}", datatype=N.xsd.decimal)))
    t += [T(endpoint, rdf_type, N.sd.Service),
         T(endpoint, N.sd.endpoint, endpoint),
         T(endpoint, N.sd.supportedLanguage, N.sd.SPARQL11Query),
         T(endpoint, N.sd.feature, N.sd.UnionDefaultGraph),
         T(endpoint, N.dcterms.title, ox.Literal("Results KG SPARQL endpoint", language="en"))]
    t += [T(endpoint, N.sd.resultFormat, n(W3C_FORMATS + f)) for f in _SD_RESULT_FORMATS]
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    t += [T(endpoint, N.sd.defaultDataset, dataset), T(dataset, rdf_type, N.sd.Dataset),
          T(dataset, N.sd.defaultGraph, default), T(default, rdf_type, N.sd.Graph)]
    for i, g in enumerate(graph_names):
        ng = ox.BlankNode(f"g{i}")
        t += [T(dataset, N.sd.namedGraph, ng), T(ng, rdf_type, N.sd.NamedGraph),
              T(ng, N.sd.name, n(g))]
    return t


@dataclass
class DatasetCard:
    """What a person wants to know about the dataset before using it."""

    triples: int
    reports: int
    graphs: list[tuple[str, str]]  # (graph IRI, what it holds), the shared ones; report graphs are counted
    version: str
    built: str | None  # when this version was published (UTC), for a store that knows
    dumps: list[tuple[str, str]]  # (file name, its size in words: "1.2 MB")
    classes: list[tuple[str, int]]  # (class IRI, entities)


_GRAPH_ROLES = {"ontology": "the ontology: classes, properties and concept schemes",
                "reference": "reference data: countries and regions, Strategic Plan outputs, offices",
                "shared": "outcomes, places, organisations and concepts, described once for every report",
                "statistics": "the statistics: people reached and outcome statuses, as RDF Data Cube datasets",
                "iati-organisations": "organisations of IATI activity files"}


def dataset_card(snap: Any, dumps_folder: Any, dumps: list[str]) -> DatasetCard:
    names = snap.graph_names()
    shared = [(g, role) for g in names for key, role in _GRAPH_ROLES.items() if g.endswith("/graph/" + key)]
    reports = sum(1 for g in names if "/graph/report/" in g)
    built = None
    if dumps_folder is not None and dumps_folder.is_dir():
        built = datetime.fromtimestamp(dumps_folder.stat().st_mtime, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    sizes = [(name, _size((dumps_folder / name).stat().st_size) if dumps_folder is not None and
              (dumps_folder / name).is_file() else "") for name in dumps]
    classes = [(r["class"].value, int(r["n"].value)) for r in snap.query(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)")]
    return DatasetCard(len(snap), reports, shared, snap.version, built, sizes, classes)


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{max(1, round(n / 1e3))} kB"




def named_graph(snap: Any, urls: Urls, root: str, iri: str) -> list[ox.Triple]:
    """What a named graph's IRI answers: a VoID description (its size, the dataset it is part of, where to
    query it) and ``void:dataDump`` links to its whole content as TriG and N-Quads; a graph IRI is a name,
    not a 404."""
    n, T, L = ox.NamedNode, ox.Triple, ox.Literal
    g = n(iri)
    size = sum(1 for _ in snap.quads(None, None, None, g))
    role = next((r for key, r in _GRAPH_ROLES.items() if iri.endswith("/graph/" + key)),
                "what one report says" if "/graph/report/" in iri else "a named graph of the dataset")
    return [T(g, N.rdf.type, N.void.Dataset), T(g, N.rdf.type, N.sd.NamedGraph),
            T(g, N.sd.name, g), T(g, N.rdfs.label, L(f"Named graph: {role}", language="en")),
            T(g, N.void.triples, L(str(size), datatype=N.xsd.integer)),
            T(g, N.dcterms.isPartOf, n(urls.iris.whole_dataset())),
            T(g, N.void.sparqlEndpoint, n(urls.absolute(root, SPARQL))),
            *(T(g, N.void.dataDump, n(urls.absolute(root, urls.entity_format(iri, ext) or "")))
              for ext in (".trig", ".nq"))]
