"""RDF formats in one registry, keyed by media type and file extension.

Adding a format is one entry here; the CLI, the store and (later) the web app's
content negotiation all read this table.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import QueryResultsFormat, RdfFormat

from kg.errors import UsageError


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extensions: tuple[str, ...]
    oxigraph: RdfFormat
    rdflib: str
    datasets: bool  # can carry named graphs
    label: str


FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", (".ttl",), RdfFormat.TURTLE, "turtle", False, "Turtle"),
    Format("ntriples", "application/n-triples", (".nt",), RdfFormat.N_TRIPLES, "nt", False, "N-Triples"),
    Format("nquads", "application/n-quads", (".nq",), RdfFormat.N_QUADS, "nquads", True, "N-Quads"),
    Format("trig", "application/trig", (".trig",), RdfFormat.TRIG, "trig", True, "TriG"),
    Format("jsonld", "application/ld+json", (".jsonld", ".json"), RdfFormat.JSON_LD, "json-ld", False, "JSON-LD"),
    Format("rdfxml", "application/rdf+xml", (".rdf", ".owl", ".xml"), RdfFormat.RDF_XML, "xml", False, "RDF/XML"),
)
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS}
# other names servers give these formats (N-Triples is valid text/plain, as Virtuoso labels it)
_RDF_ALIASES = {"text/plain": "application/n-triples", "application/x-turtle": "text/turtle"}
BY_NAME = {f.name: f for f in FORMATS}
BY_EXTENSION = {ext: f for f in FORMATS for ext in f.extensions}


def for_path(path: str | Path) -> Format:
    """The format a file name implies ("graph.ttl" -> Turtle; ".gz" is looked through)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in BY_EXTENSION:
        return BY_EXTENSION[suffixes[-1]]
    known = ", ".join(sorted(BY_EXTENSION))
    raise UsageError(f"cannot tell the RDF format of {str(path)!r} from its extension (known: {known})")


def for_media_type(media_type: str) -> Format | None:
    """The RDF format a Content-Type names (parameters and case ignored; common aliases known), else None."""
    mt = media_type.split(";")[0].strip().lower()
    return BY_MEDIA_TYPE.get(_RDF_ALIASES.get(mt, mt))


# SPARQL query results formats, in the order the endpoint offers them for SELECT
RESULTS_FORMATS: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
_RESULTS_ALIASES = {"application/json": "application/sparql-results+json",
                    "application/xml": "application/sparql-results+xml"}


def results_format_for_media_type(media_type: str) -> QueryResultsFormat | None:
    """The query results format a Content-Type names (aliases known), else None."""
    mt = media_type.split(";")[0].strip().lower()
    return RESULTS_FORMATS.get(_RESULTS_ALIASES.get(mt, mt))


def for_name_or_media_type(value: str) -> Format:
    f = BY_NAME.get(value) or BY_MEDIA_TYPE.get(value) or BY_EXTENSION.get("." + value.lstrip("."))
    if f is None:
        raise UsageError(f"unknown RDF format {value!r} (known: {', '.join(BY_NAME)})")
    return f


# what linked-data URLs and CONSTRUCT/DESCRIBE results are offered in, in order of preference
GRAPH_MEDIA_TYPES = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]
# the explicit-format URL suffixes of linked data (/id/x.ttl): each format's first extension
GRAPH_EXTENSIONS = {BY_MEDIA_TYPE[m].extensions[0]: m for m in GRAPH_MEDIA_TYPES}


def serialize_triples(triples, media_type: str) -> bytes:  # noqa: ANN001 - pyoxigraph triples
    """Triples in one of the registry's formats, with our prefixes where the syntax has them."""
    import pyoxigraph as ox

    from kg.vocab import OUTPUT_PREFIXES

    fmt = BY_MEDIA_TYPE.get(media_type)
    if fmt is None or fmt.datasets:
        raise UsageError(f"cannot write triples as {media_type}")
    if fmt.name in ("turtle", "rdfxml"):
        return ox.serialize(triples, format=fmt.oxigraph, prefixes=OUTPUT_PREFIXES)
    return ox.serialize(triples, format=fmt.oxigraph)
