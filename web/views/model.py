"""What a page shows, as plain data for the templates, and the small formatting rules they share.

Nothing here knows HTTP or HTML; every string is raw and escaped by the templates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from kg.vocab import OUTPUT_PREFIXES

_NS_BY_LENGTH = sorted(((ns, p) for p, ns in OUTPUT_PREFIXES.items()), key=lambda kv: -len(kv[0]))
_LOCAL = re.compile(r"^[A-Za-z_][\w.-]*$")
KIND_NAMES = {"report": "Report", "note": "Progress note", "figure": "Figure", "mention": "Mention",
              "finding": "Quality finding", "span": "Text span", "outcome": "Outcome", "org": "Organisation",
              "place": "Place", "sp": "Strategic Plan", "scheme": "Concept scheme", "graph": "Graph",
              "report-graph": "Graph", "activity": "IATI activity", "activity-graph": "Graph",
              "iati-result": "IATI result", "indicator": "Indicator", "baseline": "Baseline", "target": "Target",
              "actual": "Actual", "period": "Indicator period", "code": "IATI code",
              "activity-finding": "Quality finding", "office": "Office", "dataset": "Statistics dataset",
              "structure": "Dataset structure", "observation": "Observation", "outcome-observation": "Observation"}


def compact(iri: str) -> str | None:
    """``rkg:Report`` for an IRI in one of our prefixes, else None."""
    for ns, prefix in _NS_BY_LENGTH:
        if iri.startswith(ns):
            local = iri[len(ns):]
            if _LOCAL.match(local):
                return f"{prefix}:{local}"
    return None


def expand(name: str) -> str:
    """The IRI of a compact name (``oa:hasSource``); anything else is returned as given."""
    prefix, _, local = name.partition(":")
    ns = OUTPUT_PREFIXES.get(prefix)
    if ns is not None and _LOCAL.match(local):
        return ns + local
    return name


def local_name(iri: str) -> str:
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return tail or iri


def format_number(value: object) -> str:
    """1234567 → '1,234,567'; decimals keep their fraction; anything else as given."""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d:,.2f}".rstrip("0").rstrip(".")


# ---- values ----------------------------------------------------------------------------------


def natural(s: str) -> list[object]:
    """Sort key that puts figure/2 before figure/10."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def short_sp(v: Value) -> Value:
    """A Strategic Plan concept in a table cell: its code, with the full label as the title."""
    code, sep, _ = v.text.partition(": ")
    if sep:
        return Value(code, iri=v.iri, href=v.href, curie=v.text)
    return v


def is_fragment(term: Any, iri: str) -> bool:
    return isinstance(term, ox.BlankNode) or (isinstance(term, ox.NamedNode) and term.value.startswith(iri + "#"))


@dataclass
class Value:
    """One RDF term as shown: its text (a label for IRIs), where it links, and literal details."""

    text: str
    iri: str | None = None
    href: str | None = None
    datatype: str | None = None
    lang: str | None = None
    long: bool = False
    curie: str | None = None
    note: str | None = None  # a few words telling apart values of the same name ("Region")
    roles: list[Role] = field(default_factory=list)  # a partner's roles in a note, as its words state them


@dataclass
class Role:
    """A partner's role in a passage (rkg:partnerRole) and the words that state it (rkg:roleEvidence)."""

    key: str  # the concept's notation: donor, implementing-partner, supported-institution, collaborating-partner
    label: str
    href: str | None
    cue: str  # as written: "with funding from"


@dataclass
class PropertyValues:
    iri: str
    label: str
    curie: str | None
    values: list[Value]


@dataclass
class Fragment:
    """A node described on the page of the IRI it is a fragment of (a span's selectors, a finding's body)."""

    anchor: str
    iri: str
    properties: list[PropertyValues]


@dataclass
class Quote:
    """A source sentence with the span of a fact marked, and where it is in which report."""

    role: str
    before: str
    exact: str
    after: str
    start: int | None
    end: int | None
    span: Value
    report: Value | None
    long: bool = False


@dataclass
class Finding:
    iri: str
    href: str | None
    message: str
    type: Value | None
    dimension: Value | None
    target: Value | None


@dataclass
class IncomingGroup:
    iri: str
    label: str
    curie: str | None
    param: str
    anchor: str
    count: int
    page: int
    pages: int
    items: list[Value]
    source_text: bool = False  # the text spans read from a report (oa:hasSource): shown folded



@dataclass
class NoteRow:
    """One progress note as a row: outcome, report, year, status, alignment and counts."""

    note: Value
    outcome: Value | None
    identifier: str
    year: str
    report: Value | None
    country: Value | None
    status: Value | None
    status_key: str
    alignments: list[Value]
    inferred: bool
    partners: int
    places: int
    figures: int


@dataclass
class FigureRow:
    figure: Value
    number: str
    source_text: str
    unit: Value | None
    sex: Value | None
    counts: str
    places: list[Value]
    part_of: Value | None
    breakdown: Value | None
    quote: Quote | None
    findings: list[Finding]


@dataclass
class Count:
    """A number of people from the statistics: the observations it adds, and whether it is "up to"."""

    value: int
    text: str
    up_to: bool
    parts: list[Value]  # the observations added (one for a place)


@dataclass
class OutcomeCard:
    """One outcome of a report, as the summary an analyst quotes: what was aimed at, how far it got, with
    whom, where, for how many people, and how many findings qualify it."""

    row: NoteRow
    statement: str
    partners: list[Value]
    regions: list[tuple[Value | None, list[Value]]]  # (region, places within it); None: country-wide
    reached: Reached | None
    findings: int


@dataclass
class Reached:
    year: str
    women: Count | None
    men: Count | None
    everyone: Count | None


@dataclass
class Involvement:
    """Every progress note that involves a partner, place or Strategic Plan concept, with totals."""

    notes: list[NoteRow]
    more: bool
    n_notes: int
    n_outcomes: int
    countries: list[Value]
    years: list[str]
    places: list[Value]
    reached: list[Reached]


@dataclass
class Entity:
    iri: str
    path: str | None
    kind: str | None
    kind_name: str
    label: str
    types: list[Value]
    properties: list[PropertyValues]
    fragments: list[Fragment]
    quotes: list[Quote]
    findings: list[Finding]
    incoming: list[IncomingGroup]
    downloads: list[tuple[str, str, str]]
    section: dict[str, Any] = field(default_factory=dict)
