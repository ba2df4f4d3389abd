"""pyoxigraph terms for vocabulary IRIs and literals.

Graphs are built as pyoxigraph quads, not rdflib triples: rdflib's ``Graph.add``
runs at about 30,000 triples/s here, below the build's whole budget, while
pyoxigraph builds and serialises in Rust (see benchmarks/build.py).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from pyoxigraph import Literal, NamedNode
from rdflib.namespace import RDF, RDFS, SKOS, DCTERMS, XSD, OWL

from kg.vocab import PROV

XSD_INTEGER = NamedNode(str(XSD.integer))
XSD_DECIMAL = NamedNode(str(XSD.decimal))
XSD_BOOLEAN = NamedNode(str(XSD.boolean))
XSD_GYEAR = NamedNode(str(XSD.gYear))
XSD_DATE = NamedNode(str(XSD.date))
XSD_NNI = NamedNode(str(XSD.nonNegativeInteger))
XSD_POSITIVE = NamedNode(str(XSD.positiveInteger))


@lru_cache(maxsize=4096)
def n(iri: str) -> NamedNode:
    """A NamedNode for an IRI (vocabulary terms are rdflib URIRefs, i.e. str)."""
    return NamedNode(str(iri))


TYPE = n(RDF.type)
VALUE = n(RDF.value)
LABEL = n(RDFS.label)
COMMENT = n(RDFS.comment)
PREF_LABEL = n(SKOS.prefLabel)
ALT_LABEL = n(SKOS.altLabel)
NOTATION = n(SKOS.notation)
IN_SCHEME = n(SKOS.inScheme)
TOP_CONCEPT_OF = n(SKOS.topConceptOf)
BROADER = n(SKOS.broader)
NARROWER = n(SKOS.narrower)
CONCEPT = n(SKOS.Concept)
CONCEPT_SCHEME = n(SKOS.ConceptScheme)
IDENTIFIER = n(DCTERMS.identifier)
TITLE = n(DCTERMS.title)
DESCRIPTION = n(DCTERMS.description)
DATE = n(DCTERMS.date)
RIGHTS = n(DCTERMS.rights)
PUBLISHER = n(DCTERMS.publisher)
SOURCE = n(DCTERMS.source)
LICENSE = n(DCTERMS.license)
WAS_DERIVED_FROM = n(PROV.wasDerivedFrom)
OWL_ONTOLOGY = n(OWL.Ontology)
DEPRECATED = n(OWL.deprecated)


def text(value: str, lang: str | None = "en") -> Literal:
    return Literal(value, language=lang) if lang else Literal(value)


def plain(value: str) -> Literal:
    return Literal(value)


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD_INTEGER)


def nni(value: int) -> Literal:
    return Literal(str(value), datatype=XSD_NNI)


def positive(value: int) -> Literal:
    return Literal(str(value), datatype=XSD_POSITIVE)


def number(value: Decimal) -> Literal:
    """xsd:integer for whole numbers as written, xsd:decimal otherwise ("37.5")."""
    if value == value.to_integral_value() and value.as_tuple().exponent >= 0:
        return Literal(format(value, "f"), datatype=XSD_INTEGER)  # not int(): no 4,300-digit limit
    return Literal(format(value, "f"), datatype=XSD_DECIMAL)


def boolean(value: bool) -> Literal:
    return Literal("true" if value else "false", datatype=XSD_BOOLEAN)


def gyear(value: int) -> Literal:
    return Literal(f"{value:04d}", datatype=XSD_GYEAR)


def xsd_date(value: date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD_DATE)
