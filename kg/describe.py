"""What a resource's RDF representation holds, and the dataset's VoID description.

A resource's description is its outgoing triples (with the blank nodes and same-document
``#fragment`` nodes they lead to), its incoming links (bounded; a link points to the
rest), and the labels of the resources it links to, so a client can show them.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import pyoxigraph as ox

from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, SKOS, VOID, XSD

from kg.uris import IRIs, ONTOLOGY
from kg.vocab import DQV, FORMATS, SD

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
GZIP_MEDIA_TYPE = "http://www.iana.org/assignments/media-types/application/gzip"

MAX_INCOMING = 200
LABELS = (str(SKOS.prefLabel), str(RDFS.label))
RDF_TYPE = str(RDF.type)


@dataclass
class Description:
    triples: list[ox.Triple]
    more_incoming: bool


def exists(snap, iri: str) -> bool:  # noqa: ANN001 - a kg.store Snapshot
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    return next(iter(snap.quads(node, None, None, None)), None) is not None or \
        next(iter(snap.quads(None, None, node, None)), None) is not None


def describe(snap, iri: str) -> Description:  # noqa: ANN001
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
            first = next(iter(snap.quads(other, ox.NamedNode(label), None, None)), None)
            if first is not None:
                out[first.triple] = None
                break
    return Description(list(out), more)


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
    kinds = {str(OWL.Class): "Class", str(OWL.ObjectProperty): "Object property",
             str(OWL.DatatypeProperty): "Datatype property", str(SKOS.ConceptScheme): "Concept scheme",
             str(SKOS.Concept): "Concept", str(DQV.Dimension): "Quality dimension"}
    ns = ONTOLOGY + "#"
    info: dict[str, dict[str, str]] = {}
    for t in triples:
        s = t.subject.value if isinstance(t.subject, ox.NamedNode) else ""
        if not s.startswith(ns):
            continue
        d = info.setdefault(s, {})
        p = t.predicate.value
        if p == RDF_TYPE and t.object.value in kinds and "kind" not in d:
            d["kind"] = kinds[t.object.value]
        elif p == str(RDFS.label):
            d["label"] = t.object.value
        elif p == str(SKOS.definition):
            d["definition"] = t.object.value
    order = list(kinds.values())
    terms = [Term(s, s[len(ns):], d.get("kind", "Term"), d.get("label", s[len(ns):]), d.get("definition", ""))
             for s, d in info.items()]
    return sorted(terms, key=lambda t: (order.index(t.kind) if t.kind in order else 99, t.name))


def void(snap, iris: IRIs, root: str, dumps: list[str]) -> list[ox.Triple]:  # noqa: ANN001
    """VoID + DCAT description of the dataset: size, classes, licence, endpoint, dumps."""
    from kg.store.embedded import DUMPS

    n = ox.NamedNode
    XSD_INT = n(str(XSD.integer))
    ds = n(root + "/.well-known/void#dataset")
    rtype = n(RDF_TYPE)
    t = [ox.Triple(ds, rtype, n(VOID.Dataset)), ox.Triple(ds, rtype, n(DCAT.Dataset)),
         ox.Triple(ds, n(DCTERMS.title), ox.Literal("Results KG: UN Women country results as linked data",
                                                     language="en")),
         ox.Triple(ds, n(DCTERMS.description), ox.Literal(
             "Outcomes, progress notes, partners, places and figures read from UN Women country results reports, "
             "each fact traceable to the characters of the report it came from.", language="en")),
         ox.Triple(ds, n(DCTERMS.license), n(LICENCE)),
         ox.Triple(ds, n(DCTERMS.publisher), n(iris.org("un-women"))),
         ox.Triple(ds, n(VOID.sparqlEndpoint), n(root + "/sparql")),
         ox.Triple(ds, n(VOID.uriSpace), ox.Literal(iris.base)),
         ox.Triple(ds, n(VOID.vocabulary), n(ONTOLOGY + "#")),
         ox.Triple(ds, n(VOID.triples), ox.Literal(str(len(snap)), datatype=XSD_INT))]
    for name, _fmt in (DUMPS[k] for k in dumps):
        url = n(f"{root}/dumps/{name}")
        dist = n(f"{root}/.well-known/void#{name}")
        t += [ox.Triple(ds, n(VOID.dataDump), url), ox.Triple(ds, n(DCAT.distribution), dist),
              ox.Triple(dist, rtype, n(DCAT.Distribution)), ox.Triple(dist, n(DCAT.downloadURL), url),
              ox.Triple(dist, n(DCAT.compressFormat), n(GZIP_MEDIA_TYPE))]
    rows = snap.query("SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class")
    for i, row in enumerate(rows):
        part = n(f"{root}/.well-known/void#class-{i}")
        t += [ox.Triple(ds, n(VOID.classPartition), part), ox.Triple(part, n(VOID["class"]), row["class"]),
              ox.Triple(part, n(VOID.entities), ox.Literal(row["n"].value, datatype=XSD_INT))]
    return t


_SD_RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                      "Turtle", "N-Triples", "JSON-LD", "RDF_XML"]


def service_description(endpoint_url: str, graph_names: list[str]) -> list[ox.Triple]:
    """SPARQL 1.1 Service Description of the endpoint at ``endpoint_url`` over these named graphs."""
    n = ox.NamedNode
    endpoint = n(endpoint_url)
    rdf_type = n(RDF_TYPE)
    t = [ox.Triple(endpoint, rdf_type, n(SD.Service)),
         ox.Triple(endpoint, n(SD.endpoint), endpoint),
         ox.Triple(endpoint, n(SD.supportedLanguage), n(SD.SPARQL11Query)),
         ox.Triple(endpoint, n(SD.feature), n(SD.UnionDefaultGraph)),
         ox.Triple(endpoint, n(DCTERMS.title), ox.Literal("Results KG SPARQL endpoint", language="en"))]
    t += [ox.Triple(endpoint, n(SD.resultFormat), n(FORMATS[f])) for f in _SD_RESULT_FORMATS]
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    t += [ox.Triple(endpoint, n(SD.defaultDataset), dataset), ox.Triple(dataset, rdf_type, n(SD.Dataset)),
          ox.Triple(dataset, n(SD.defaultGraph), default), ox.Triple(default, rdf_type, n(SD.Graph))]
    for i, g in enumerate(graph_names):
        ng = ox.BlankNode(f"g{i}")
        t += [ox.Triple(dataset, n(SD.namedGraph), ng), ox.Triple(ng, rdf_type, n(SD.NamedGraph)),
              ox.Triple(ng, n(SD.name), n(g))]
    return t
