"""Every format in one registry, keyed by media type: RDF syntaxes, SPARQL results, HTML.

Adding a format is one entry here. Each ``Format`` carries its file extensions, its
aliases (the short names of ``?format=`` and other spellings of its media type) and
the broader media types a generic client may ask for when it means this one
(``application/json``); the CLI, the stores, the query results and the web app's
content negotiation only look formats up here.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import QueryResultsFormat, RdfFormat

from kg.errors import UsageError

GRAPH, DATASET, RESULTS, PAGE, OTHER = "graph", "dataset", "results", "page", "other"


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extensions: tuple[str, ...]
    label: str
    kind: str  # GRAPH (triples), DATASET (named graphs too), RESULTS (SPARQL results), PAGE (HTML) or OTHER
    oxigraph: RdfFormat | QueryResultsFormat | None = None
    rdflib: str | None = None
    aliases: tuple[str, ...] = ()  # ?format= names and other media types that name exactly this format
    generic: tuple[str, ...] = ()  # broader media types a client may send meaning this one (or another)
    w3c: str | None = None  # its name in the W3C registry of format IRIs (http://www.w3.org/ns/formats/)

    @property
    def datasets(self) -> bool:
        """Whether it can carry named graphs."""
        return self.kind == DATASET

    @property
    def is_rdf(self) -> bool:
        return self.kind in (GRAPH, DATASET)

    @property
    def short(self) -> str:
        """The short name links and ``?format=`` use (the first alias: ``ttl``, ``json``)."""
        return self.aliases[0] if self.aliases else self.name


FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", (".ttl",), "Turtle", GRAPH, RdfFormat.TURTLE, "turtle",
           ("ttl", "turtle", "n3", "application/turtle", "application/x-turtle", "text/rdf+n3", "text/n3"),  # valid N3
           w3c="Turtle"),
    Format("ntriples", "application/n-triples", (".nt",), "N-Triples", GRAPH, RdfFormat.N_TRIPLES, "nt",
           ("nt", "ntriples"), ("text/plain",), w3c="N-Triples"),  # Virtuoso labels N-Triples text/plain
    Format("nquads", "application/n-quads", (".nq",), "N-Quads", DATASET, RdfFormat.N_QUADS, "nquads", ("nq",)),
    Format("trig", "application/trig", (".trig",), "TriG", DATASET, RdfFormat.TRIG, "trig", ("trig",)),
    Format("jsonld", "application/ld+json", (".jsonld", ".json"), "JSON-LD", GRAPH, RdfFormat.JSON_LD, "json-ld",
           ("jsonld", "json-ld", "application/x-json+ld", "json"), ("application/json",), w3c="JSON-LD"),
    Format("rdfxml", "application/rdf+xml", (".rdf", ".owl", ".xml"), "RDF/XML", GRAPH, RdfFormat.RDF_XML, "xml",
           ("rdf", "rdfxml", "rdf+xml"), ("application/xml", "text/xml"), w3c="RDF_XML"),
    Format("results-json", "application/sparql-results+json", (".srj",), "JSON", RESULTS, QueryResultsFormat.JSON,
           aliases=("json", "srj"), generic=("application/json",), w3c="SPARQL_Results_JSON"),
    Format("results-xml", "application/sparql-results+xml", (".srx",), "XML", RESULTS, QueryResultsFormat.XML,
           aliases=("xml", "srx"), generic=("application/xml", "text/xml"), w3c="SPARQL_Results_XML"),
    Format("results-csv", "text/csv", (".csv",), "CSV", RESULTS, QueryResultsFormat.CSV, aliases=("csv",),
           w3c="SPARQL_Results_CSV"),
    Format("results-tsv", "text/tab-separated-values", (".tsv",), "TSV", RESULTS, QueryResultsFormat.TSV,
           aliases=("tsv",), w3c="SPARQL_Results_TSV"),
    Format("html", "text/html", (".html",), "HTML", PAGE, aliases=("html",), generic=("application/xhtml+xml",)),
    # not negotiated: what the health check, the dumps and SPARQL requests are sent as
    Format("json", "application/json", (".json",), "JSON", OTHER),
    Format("gzip", "application/gzip", (".gz",), "gzip", OTHER),
    Format("sparql-query", "application/sparql-query", (".rq",), "SPARQL query", OTHER),
    Format("sparql-update", "application/sparql-update", (".ru",), "SPARQL update", OTHER),
    Format("form", "application/x-www-form-urlencoded", (), "HTML form", OTHER),
)
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS}
BY_NAME = {f.name: f for f in FORMATS}
RDF_FORMATS = tuple(f for f in FORMATS if f.is_rdf)
BY_EXTENSION = {ext: f for f in RDF_FORMATS for ext in f.extensions}  # file names name RDF files
_BY_ALIAS = {a: f for f in FORMATS for a in f.aliases}


def named(name: str) -> list[Format]:
    """Every format a ``?format=`` value or media type names, in the registry's order: "xml" is RDF/XML
    for a graph and SPARQL results XML for a table, so the resource picks among them."""
    n = name.strip().lower()
    return [f for f in FORMATS if n == f.media_type or n in f.aliases or n in f.generic or n == f.name]

TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG = (BY_NAME[n] for n in ("turtle", "ntriples", "jsonld", "rdfxml", "trig"))
HTML = BY_NAME["html"]
SPARQL_JSON = BY_NAME["results-json"]

# what SELECT results are offered in, in order of preference; ASK has no CSV or TSV
RESULT_TYPES = [f.media_type for f in FORMATS if f.kind == RESULTS]
BOOLEAN_TYPES = RESULT_TYPES  # ASK in CSV and TSV too, as Jena writes them (outside the W3C recommendations)
# what linked-data URLs and CONSTRUCT/DESCRIBE results are offered in, in order of preference
GRAPH_MEDIA_TYPES = [f.media_type for f in (TURTLE, JSONLD, RDFXML, NTRIPLES)]
# the explicit-format URL suffixes of linked data (/id/x.ttl): each format's first extension
GRAPH_EXTENSIONS = {BY_MEDIA_TYPE[m].extensions[0]: m for m in GRAPH_MEDIA_TYPES}


def _bare(media_type: str) -> str:
    return media_type.split(";")[0].strip().lower()


def resolve(value: str) -> Format | None:
    """The format a ``?format=`` value names: an alias, a media type, a name or an extension, else None."""
    v = value.strip().lower()
    return _BY_ALIAS.get(v) or BY_MEDIA_TYPE.get(v) or BY_NAME.get(v) or BY_EXTENSION.get("." + v.lstrip("."))


def for_path(path: str | Path) -> Format:
    """The format a file name implies ("graph.ttl" -> Turtle; ".gz" is looked through)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in BY_EXTENSION:
        return BY_EXTENSION[suffixes[-1]]
    known = ", ".join(sorted(BY_EXTENSION))
    raise UsageError(f"cannot tell the RDF format of {str(path)!r} from its extension (known: {known})")


def _received(media_type: str, kinds: tuple[str, ...]) -> Format | None:
    """The format of a response's Content-Type among ``kinds`` (parameters and case ignored, aliases known)."""
    mt = _bare(media_type)
    for f in FORMATS:
        if f.kind in kinds and (mt == f.media_type or mt in f.aliases or mt in f.generic):
            return f
    return None


def for_media_type(media_type: str) -> Format | None:
    """The RDF format a Content-Type names, else None."""
    return _received(media_type, (GRAPH, DATASET))


def results_format_for_media_type(media_type: str) -> QueryResultsFormat | None:
    """The query results format a Content-Type names, else None."""
    f = _received(media_type, (RESULTS,))
    return f.oxigraph if f is not None else None  # type: ignore[return-value]


def accept_header(formats: Iterable[Format], *, generic: bool = False) -> str:
    """An Accept header asking for ``formats`` in order of preference (q falling by 0.1 a step, down to 0.5)."""
    parts: list[str] = []
    for i, f in enumerate(formats):
        q = max(0.5, round(1.0 - 0.1 * i, 1))
        types = [f.media_type] + (list(f.generic) if generic else [])
        for j, mt in enumerate(types):
            qq = q if j == 0 else 0.5
            parts.append(mt if qq == 1.0 else f"{mt};q={qq:g}")
    return ", ".join(parts)


JSONLD_PROFILE = "http://www.w3.org/ns/json-ld#"  # the JSON-LD 1.1 profile IRIs: #expanded, #compacted, #flattened


def serialize_triples(triples, media_type: str, profile: str = "compacted") -> bytes:  # pyoxigraph triples
    """Triples in one of the registry's formats, with our prefixes where the syntax has them. JSON-LD is
    compacted with our context, every node object at the top level of ``@graph`` (so compacted and flattened
    at once), unless the ``expanded`` profile is asked for: full IRIs, no context."""
    import pyoxigraph as ox

    from kg.vocab import OUTPUT_PREFIXES

    fmt = BY_MEDIA_TYPE.get(media_type)
    if fmt is None or fmt.kind != GRAPH:
        raise UsageError(f"cannot write triples as {media_type}")
    if fmt.name in ("turtle", "rdfxml"):
        return ox.serialize(triples, format=fmt.oxigraph, prefixes=OUTPUT_PREFIXES)
    if fmt.name == "jsonld":
        return _compact_jsonld(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), expanded=profile == "expanded")
    return ox.serialize(triples, format=fmt.oxigraph)


def _compact_jsonld(ntriples: bytes, expanded: bool = False) -> bytes:
    """JSON-LD as people write it: our context inline, ``@type``, compact IRIs and terms (rdflib compacts;
    pyoxigraph writes expanded JSON-LD with rdf:type as a property, which framing by type cannot find)."""
    import rdflib

    g = rdflib.Graph()
    g.parse(data=ntriples, format="nt")
    if expanded:
        return g.serialize(format="json-ld").encode("utf-8")
    return g.serialize(format="json-ld", context=_jsonld_context(), auto_compact=True).encode("utf-8")


@functools.cache
def _jsonld_context() -> dict:
    """Our JSON-LD context, read once per process (every JSON-LD answer uses it)."""
    import json

    from kg import resources

    return json.loads(resources.context_file().read_text(encoding="utf-8"))["@context"]
