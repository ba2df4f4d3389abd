"""pyoxigraph literals, and nodes for IRIs that are not vocabulary terms (those are ``kg.vocab.N``).

Graphs are built as pyoxigraph quads, not rdflib triples: rdflib's ``Graph.add``
runs at about 30,000 triples/s here, below the build's whole budget, while
pyoxigraph builds and serialises in Rust (see benchmarks/build.py).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from pyoxigraph import Literal, NamedNode

from kg.vocab import N


@lru_cache(maxsize=4096)
def n(iri: str) -> NamedNode:
    """A NamedNode for an IRI (vocabulary terms are rdflib URIRefs, i.e. str)."""
    return NamedNode(str(iri))


def text(value: str, lang: str | None = "en") -> Literal:
    return Literal(value, language=lang) if lang else Literal(value)


def plain(value: str) -> Literal:
    return Literal(value)


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=N.xsd.integer)


def nni(value: int) -> Literal:
    return Literal(str(value), datatype=N.xsd.nonNegativeInteger)


def positive(value: int) -> Literal:
    return Literal(str(value), datatype=N.xsd.positiveInteger)


def number(value: Decimal) -> Literal:
    """xsd:integer for whole numbers as written, xsd:decimal otherwise ("37.5")."""
    if value == value.to_integral_value() and value.as_tuple().exponent >= 0:
        return Literal(format(value, "f"), datatype=N.xsd.integer)  # not int(): no 4,300-digit limit
    return Literal(format(value, "f"), datatype=N.xsd.decimal)


def boolean(value: bool) -> Literal:
    return Literal("true" if value else "false", datatype=N.xsd.boolean)


def gyear(value: int) -> Literal:
    return Literal(f"{value:04d}", datatype=N.xsd.gYear)


def xsd_date(value: date) -> Literal:
    return Literal(value.isoformat(), datatype=N.xsd.date)
