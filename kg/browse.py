"""What the HTML browser shows: entity pages, the home page's summary, search, query results.

Plain data for the templates of ``web/pages.py``, read from a store ``Snapshot`` with
fixed queries (values bound, never spliced into query text) and triple-pattern
lookups. Nothing here knows HTTP or HTML; every string is returned raw and escaped by
the templates.
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterable

import pyoxigraph as ox

from kg import resources
from kg.text import fold_key
from kg.uris import ONTOLOGY, IRIs
from kg.vocab import OUTPUT_PREFIXES, PREFIXES, RKG, RKG_NS

PAGE_SIZE = 50  # incoming links per property per page
MAX_INVOLVED = 500  # progress notes listed on a partner, place or Strategic Plan page
MAX_TABLE_ROWS = 1000  # query result rows shown in HTML (downloads have them all)
LONG_TEXT = 200  # literals longer than this are shown as a paragraph
LONG_QUOTE = 600  # quotes longer than this are folded away (<details>)

_RDF = PREFIXES["rdf"]
_RDFS = PREFIXES["rdfs"]
_SKOS = PREFIXES["skos"]
_DCT = PREFIXES["dcterms"]
_OA = PREFIXES["oa"]
_DQV = PREFIXES["dqv"]
_PROV = PREFIXES["prov"]
_XSD = PREFIXES["xsd"]
_N = ox.NamedNode

RDF_TYPE = _N(_RDF + "type")
RDF_VALUE = _N(_RDF + "value")
RDFS_LABEL = _N(_RDFS + "label")
PREF_LABEL = _N(_SKOS + "prefLabel")
NOTATION = _N(_SKOS + "notation")
IDENTIFIER = _N(_DCT + "identifier")
PUBLISHER = _N(_DCT + "publisher")
WAS_DERIVED_FROM = _N(_PROV + "wasDerivedFrom")
HAS_SELECTOR = _N(_OA + "hasSelector")
HAS_SOURCE = _N(_OA + "hasSource")
HAS_TARGET = _N(_OA + "hasTarget")
HAS_BODY = _N(_OA + "hasBody")
EXACT, PREFIX, SUFFIX = _N(_OA + "exact"), _N(_OA + "prefix"), _N(_OA + "suffix")
START, END = _N(_OA + "start"), _N(_OA + "end")
HAS_QUALITY = _N(_DQV + "hasQualityAnnotation")
IN_DIMENSION = _N(_DQV + "inDimension")
ONTOLOGY_GRAPH = _N(ONTOLOGY)


def _rkg(name: str) -> ox.NamedNode:
    """A term of ours, through the closed namespace: a misspelt name fails when the module loads."""
    return _N(str(getattr(RKG, name)))


TEXT_SPAN = _rkg("TextSpan")
SENTENCE = _rkg("sentence")
STATUS_EVIDENCE = _rkg("statusEvidence")
FINDING_TYPE = _rkg("findingType")
REPORTED_IN = _rkg("reportedIn")
ABOUT = _rkg("about")
YEAR = _rkg("year")
COUNTRY = _rkg("country")
STATUS = _rkg("status")
ALIGNED_TO = _rkg("alignedTo")
ALIGNMENT_INFERRED = _rkg("alignmentInferred")
PARTNER = _rkg("partner")
PLACE = _rkg("place")
FIGURE = _rkg("figure")
UNIT = _rkg("unit")
SEX = _rkg("sex")
PART_OF = _rkg("partOf")
BREAKDOWN = _rkg("breakdown")
COUNTS = _rkg("counts")
SOURCE_TEXT = _rkg("sourceText")
DATA_AS_OF = _rkg("dataAsOf")
STATEMENT = _rkg("statement")
NARRATIVE = _rkg("narrative")

_ALL_PREFIXES = OUTPUT_PREFIXES
_NS_BY_LENGTH = sorted(((ns, p) for p, ns in _ALL_PREFIXES.items()), key=lambda kv: -len(kv[0]))
_LOCAL = re.compile(r"^[A-Za-z_][\w.-]*$")

_Q = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in _ALL_PREFIXES.items()) + "\n"

# ---- fixed queries (the bound variables are projected: pyoxigraph substitutes only those) ------------

INCOMING_COUNTS = _Q + "SELECT ?o ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?o ?p"
INCOMING_PAGE = _Q + "SELECT DISTINCT ?o ?p ?s WHERE { ?s ?p ?o } ORDER BY ?s"
CLASS_COUNTS = _Q + "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c"
REPORTS = _Q + """SELECT ?r ?year ?country (COUNT(DISTINCT ?note) AS ?notes) WHERE {
  ?r a rkg:Report .
  OPTIONAL { ?r rkg:year ?year }
  OPTIONAL { ?r rkg:country ?country }
  OPTIONAL { ?note a rkg:ProgressNote ; rkg:reportedIn ?r }
} GROUP BY ?r ?year ?country"""
SEARCH_LABELS = _Q + """SELECT ?s ?p ?l WHERE {
  VALUES ?p { skos:prefLabel skos:altLabel rdfs:label skos:notation dcterms:identifier rkg:iso3166Code }
  ?s ?p ?l .
  FILTER(isIRI(?s) && isLiteral(?l))
}"""
REPORT_FINDINGS = _Q + "SELECT DISTINCT ?r ?f WHERE { ?f a rkg:QualityFinding ; rkg:reportedIn ?r } ORDER BY ?f"

# which progress notes involve a partner, a place (or a place within it, or the country
# reported on) and a Strategic Plan concept (or a narrower one)
_INVOLVES = {
    "org": "?note rkg:partner ?x .",
    "place": "{ ?note rkg:place/rkg:within* ?x } UNION { ?note rkg:reportedIn/rkg:country ?x }",
    "sp": "?note rkg:alignedTo/skos:broader* ?x .",
}
INVOLVED_NOTES = {kind: _Q + f"SELECT DISTINCT ?x ?note WHERE {{ ?note a rkg:ProgressNote . {pattern} }}"
                  for kind, pattern in _INVOLVES.items()}
# Women reached, by the rule of ontology/queries/partially-achieved.rq: a figure about women
# counts unless it is part of another women figure, or part of a total that a women figure
# split by sex already counts. (MINUS, not FILTER NOT EXISTS: engines evaluate a MINUS once, while a
# FILTER NOT EXISTS with a property path can be re-evaluated for every figure, which is quadratic.)
WOMEN_REACHED = {kind: _Q + f"""SELECT ?x (SUM(?v) AS ?women) (COUNT(DISTINCT ?f) AS ?figures) WHERE {{
  {{ SELECT DISTINCT ?x ?note WHERE {{ ?note a rkg:ProgressNote . {pattern} }} }}
  ?note rkg:figure ?f .
  ?f rkg:sex sdmx-code:sex-F ; rdf:value ?v .
  MINUS {{ ?f rkg:partOf+ ?t . ?t rkg:sex sdmx-code:sex-F }}
  MINUS {{
    ?f rkg:partOf+ ?total .
    ?other rkg:partOf ?total ; rkg:breakdown rkg:BySex ; rkg:sex sdmx-code:sex-F .
    FILTER(?other != ?f)
  }}
}} GROUP BY ?x""" for kind, pattern in _INVOLVES.items()}
# Totals by unit of the figures that are not part of another one (parts would count twice);
# percentages are never added.
UNIT_TOTALS = {kind: _Q + f"""SELECT ?x ?unit (SUM(?v) AS ?total) (COUNT(DISTINCT ?f) AS ?figures) WHERE {{
  {{ SELECT DISTINCT ?x ?note WHERE {{ ?note a rkg:ProgressNote . {pattern} }} }}
  ?note rkg:figure ?f .
  ?f rkg:unit ?unit ; rdf:value ?v .
  MINUS {{ ?f rkg:partOf ?whole }}
  FILTER(?unit != rkg:Percent)
}} GROUP BY ?x ?unit ORDER BY ?unit""" for kind, pattern in _INVOLVES.items()}

HOME_CLASSES = [
    (RKG_NS + "Report", "Reports"), (RKG_NS + "Outcome", "Outcomes"), (RKG_NS + "ProgressNote", "Progress notes"),
    (RKG_NS + "Figure", "Figures"), (PREFIXES["org"] + "Organization", "Organisations"),
    (RKG_NS + "Place", "Places"), (RKG_NS + "QualityFinding", "Quality findings"),
    (RKG_NS + "Mention", "Mentions"), (RKG_NS + "TextSpan", "Text spans"),
]
IATI_CLASSES = [(RKG_NS + "Activity", "IATI activities"), (RKG_NS + "IatiResult", "IATI results"),
                (RKG_NS + "Indicator", "Indicators"), (RKG_NS + "IndicatorValue", "Baselines, targets and actuals")]
KIND_NAMES = {"report": "Report", "note": "Progress note", "figure": "Figure", "mention": "Mention",
              "finding": "Quality finding", "span": "Text span", "outcome": "Outcome", "org": "Organisation",
              "place": "Place", "sp": "Strategic Plan", "scheme": "Concept scheme", "graph": "Graph",
              "report-graph": "Graph", "activity": "IATI activity", "activity-graph": "Graph",
              "iati-result": "IATI result", "indicator": "Indicator", "baseline": "Baseline", "target": "Target",
              "actual": "Actual", "period": "Indicator period", "code": "IATI code",
              "activity-finding": "Quality finding"}
_KIND_RANK = {"org": 0, "place": 0, "sp": 0, "outcome": 0, "report": 0, "note": 1, "scheme": 1, "finding": 2,
              "figure": 2}
DOWNLOADS = [("Turtle", ".ttl", "text/turtle"), ("JSON-LD", ".jsonld", "application/ld+json"),
             ("RDF/XML", ".rdf", "application/rdf+xml"), ("N-Triples", ".nt", "application/n-triples")]
SELECT_FORMATS = [("JSON", "json"), ("XML", "xml"), ("CSV", "csv"), ("TSV", "tsv")]
BOOLEAN_FORMATS = SELECT_FORMATS[:2]  # CSV and TSV have no boolean results
GRAPH_FORMATS = [("Turtle", "ttl"), ("JSON-LD", "jsonld"), ("RDF/XML", "rdf"), ("N-Triples", "nt")]


# ---- IRIs -------------------------------------------------------------------------------------


def local_path(iris: IRIs, iri: str) -> str | None:
    """The browsable path of an IRI minted under our base (``<base>rest`` → ``/id/rest``), else None."""
    if not iri.startswith(iris.base) or len(iri) == len(iris.base):
        return None
    return "/id/" + iri[len(iris.base):]


def href(iris: IRIs, iri: str) -> str | None:
    """Where a link to an IRI goes: its page here, the ontology page for our terms, else the IRI itself.

    Only http(s) IRIs become links (an IRI such as ``javascript:…`` in the data is shown, never linked).
    """
    path = local_path(iris, iri)
    if path is not None:
        return path
    if iri == ONTOLOGY or iri == ONTOLOGY + "#":
        return "/def"
    if iri.startswith(ONTOLOGY + "#"):
        return "/def#" + iri[len(ONTOLOGY) + 1:]
    if iri.startswith(("http://", "https://")):
        return iri
    return None


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
    ns = _ALL_PREFIXES.get(prefix)
    if ns is not None and _LOCAL.match(local):
        return ns + local
    return name


def _local_name(iri: str) -> str:
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
class UnitTotal:
    unit: Value
    total: str
    figures: int


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
    women: str | None
    women_figures: int
    unit_totals: list[UnitTotal]


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


# ---- the browser -----------------------------------------------------------------------------


class Browser:
    """Reads what one page shows from one snapshot (labels are remembered for the page's lifetime)."""

    def __init__(self, snapshot: Any, iris: IRIs) -> None:
        self.snap = snapshot
        self.iris = iris
        self._labels: dict[str, str] = {}
        self._prop_labels: dict[str, str] = {}

    # -- small lookups --
    def _objects(self, s: Any, p: ox.NamedNode, graph: ox.NamedNode | None = None) -> list[Any]:
        seen: dict[Any, None] = {}
        for q in self.snap.quads(s, p, None, graph):
            seen.setdefault(q.object, None)
        return list(seen)

    def _subjects(self, p: ox.NamedNode, o: Any) -> list[Any]:
        seen: dict[Any, None] = {}
        for q in self.snap.quads(None, p, o, None):
            seen.setdefault(q.subject, None)
        return list(seen)

    def _one(self, s: Any, p: ox.NamedNode) -> Any:
        for q in self.snap.quads(s, p, None, None):
            return q.object
        return None

    def _text(self, s: Any, p: ox.NamedNode, graph: ox.NamedNode | None = None) -> str | None:
        """The literal value of ``s p ?``, preferring English or untagged text."""
        best: tuple[int, str] | None = None
        for o in self._objects(s, p, graph):
            if not isinstance(o, ox.Literal):
                continue
            lang = (o.language or "").lower()
            rank = 0 if lang in ("", "en") or lang.startswith("en-") else 1
            if best is None or (rank, o.value) < best:
                best = (rank, o.value)
        return best[1] if best else None

    def _int(self, s: Any, p: ox.NamedNode) -> int | None:
        o = self._one(s, p)
        try:
            return int(o.value) if isinstance(o, ox.Literal) else None
        except ValueError:
            return None

    def kind(self, iri: str) -> str | None:
        parsed = self.iris.parse(iri)
        return parsed.kind if parsed else None

    def label(self, iri: str) -> str:
        """skos:prefLabel, else rdfs:label, else a notation, identifier or quote, else a short name."""
        cached = self._labels.get(iri)
        if cached is not None:
            return cached
        node = _N(iri)
        kind = self.kind(iri)
        text = self._text(node, PREF_LABEL) or self._text(node, RDFS_LABEL)
        if kind == "sp":
            notation = self._text(node, NOTATION)
            if notation and text and notation != text:
                text = f"{notation}: {text}"
            text = text or notation
        if not text and kind == "span":
            exact = self._span_exact(node)
            if exact is not None:
                text = "“" + (exact if len(exact) <= 80 else exact[:79] + "…") + "”"
        if not text:
            text = self._text(node, NOTATION) or self._text(node, IDENTIFIER)
        if not text:
            path = local_path(self.iris, iri)
            text = compact(iri) or (path[len("/id/"):] if path else iri)
        self._labels[iri] = text
        return text

    def prop_label(self, iri: str) -> str:
        """A property's rdfs:label from the ontology graph, else its local name."""
        cached = self._prop_labels.get(iri)
        if cached is None:
            cached = self._text(_N(iri), RDFS_LABEL, ONTOLOGY_GRAPH) or _local_name(iri)
            self._prop_labels[iri] = cached
        return cached

    def value(self, term: Any) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(self.label(term.value), iri=term.value, href=href(self.iris, term.value),
                         curie=compact(term.value))
        if isinstance(term, ox.Literal):
            dt = term.datatype.value if term.datatype else None
            shown = None if term.language or dt in (None, _XSD + "string", _RDF + "langString") else compact(dt) or dt
            return Value(term.value, datatype=shown, lang=term.language or None, long=len(term.value) > LONG_TEXT)
        if isinstance(term, ox.BlankNode):
            return Value("_:" + term.value)
        return Value(str(term))

    def values(self, terms: Iterable[Any]) -> list[Value]:
        terms = list(terms)
        self.snap.prefetch(terms)  # one request for all their labels on a remote store
        return sorted((self.value(t) for t in terms), key=lambda v: (v.text.casefold(), v.iri or ""))

    def places(self, terms: Iterable[Any]) -> list[Value]:
        """Places sorted by name, each with its type, since several places share a name (Ségou)."""
        out = self.values(terms)
        for v in out:
            ptype = self._one(_N(v.iri), _rkg("placeType")) if v.iri else None
            if isinstance(ptype, ox.NamedNode):
                v.note = self.label(ptype.value)
        return out

    # -- entity page --
    def entity(self, iri: str, page: int = 1, page_prop: str | None = None) -> Entity | None:
        """Everything an entity's page shows, or None if the IRI is in no triple."""
        try:
            node = _N(iri)
        except ValueError:
            return None
        outgoing = list(dict.fromkeys(q.triple for q in self.snap.quads(node, None, None, None)))
        incoming = self._incoming(node, page, page_prop)
        if not outgoing and not incoming:
            return None
        kind = self.kind(iri)
        types = [t.object for t in outgoing if t.predicate == RDF_TYPE]
        type_values = sorted((self._class_value(t) for t in types),
                             key=lambda v: (not (v.iri or "").startswith(RKG_NS), v.text))
        properties = self._properties([t for t in outgoing if t.predicate != RDF_TYPE])
        fragments = []
        nested = {t.object for t in outgoing if _is_fragment(t.object, iri)}
        for frag in sorted(nested, key=lambda n: str(n)):
            triples = list(dict.fromkeys(q.triple for q in self.snap.quads(frag, None, None, None)))
            anchor = frag.value.split("#", 1)[1] if isinstance(frag, ox.NamedNode) else "b-" + frag.value
            fragments.append(Fragment(anchor, str(frag.value), self._properties(triples)))
        path = local_path(self.iris, iri)
        entity = Entity(
            iri=iri, path=path, kind=kind,
            kind_name=KIND_NAMES.get(kind or "", type_values[0].text if type_values else "Resource"),
            label=self.label(iri), types=type_values, properties=properties, fragments=fragments,
            quotes=self._quotes(node, kind), findings=self.findings_about([node]), incoming=incoming,
            downloads=[(name, path + ext, media) for name, ext, media in DOWNLOADS] if path else [],
        )
        sections = {"finding": self._section_finding, "activity-finding": self._section_finding, "report": self._section_report, "outcome": self._section_outcome, "note": self._section_note,
                    "figure": self._section_figure, "org": self._section_org, "place": self._section_place,
                    "sp": self._section_sp}
        if kind in sections:
            entity.section = sections[kind](node)
        from kg.browse_iati import SECTIONS, IatiPages  # IATI pages build on this module

        if kind in SECTIONS:
            entity.section = getattr(IatiPages(self), SECTIONS[kind])(node)
        elif kind == "outcome":
            entity.section["iati"] = IatiPages(self).outcome_links(node)
        return entity

    def _class_value(self, term: Any) -> Value:
        v = self.value(term)
        if isinstance(term, ox.NamedNode):
            v.text = self._text(term, RDFS_LABEL, ONTOLOGY_GRAPH) or _local_name(term.value)
        return v

    def _properties(self, triples: list[ox.Triple]) -> list[PropertyValues]:
        self.snap.prefetch([t.object for t in triples] + [t.predicate for t in triples])
        by_prop: dict[str, list[Any]] = {}
        for t in triples:
            by_prop.setdefault(t.predicate.value, []).append(t.object)
        out = [PropertyValues(p, self.prop_label(p), compact(p), self.values(dict.fromkeys(objs)))
               for p, objs in by_prop.items()]
        first = [PREF_LABEL.value, _SKOS + "altLabel", RDFS_LABEL.value, IDENTIFIER.value, NOTATION.value]
        return sorted(out, key=lambda pv: (first.index(pv.iri) if pv.iri in first else len(first),
                                           pv.label.casefold()))

    def _incoming(self, node: ox.NamedNode, page: int, page_prop: str | None) -> list[IncomingGroup]:
        groups = []
        for row in self.snap.query(INCOMING_COUNTS, bindings={"o": node}):
            p = row["p"].value
            count = int(row["n"].value)
            pages = max(1, -(-count // PAGE_SIZE))
            wanted = page if page_prop is None or expand(page_prop) == p else 1
            current = min(max(wanted, 1), pages)
            rows = self.snap.query(INCOMING_PAGE, bindings={"o": node, "p": _N(p)})
            start = (current - 1) * PAGE_SIZE
            subjects = []
            for i, r in enumerate(rows):
                if i >= start + PAGE_SIZE:
                    break
                if i >= start:
                    subjects.append(r["s"])
            self.snap.prefetch(subjects)
            items = [self.value(s) for s in subjects]
            param = compact(p) or p
            groups.append(IncomingGroup(p, self.prop_label(p), compact(p), param,
                                        "in-" + re.sub(r"[^A-Za-z0-9_-]+", "-", param), count, current, pages,
                                        items))
        return sorted(groups, key=lambda g: (g.label.casefold(), g.iri))

    # -- provenance --
    def _span_exact(self, span: Any) -> str | None:
        for sel in self._objects(span, HAS_SELECTOR):
            exact = self._text(sel, EXACT)
            if exact is not None:
                return exact
        return None

    def _span_parts(self, span: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for sel in self._objects(span, HAS_SELECTOR):
            for key, prop in (("exact", EXACT), ("prefix", PREFIX), ("suffix", SUFFIX)):
                text = self._text(sel, prop)
                if text is not None:
                    out.setdefault(key, text)
            for key, prop in (("start", START), ("end", END)):
                n = self._int(sel, prop)
                if n is not None:
                    out.setdefault(key, n)
        return out

    def quote(self, span: Any, role: str) -> Quote | None:
        """The sentence around a span with the span marked (or its own text with context)."""
        parts = self._span_parts(span)
        exact = parts.get("exact")
        if exact is None:
            return None
        start, end = parts.get("start"), parts.get("end")
        before, after = "", ""
        sentence = self._one(span, SENTENCE)
        placed = False
        if sentence is not None and sentence != span:
            sp = self._span_parts(sentence)
            text, s_start = sp.get("exact"), sp.get("start")
            if text is not None:
                at = start - s_start if start is not None and s_start is not None else -1
                if not (0 <= at and text[at:at + len(exact)] == exact):
                    at = text.find(exact)
                if at >= 0:
                    before, after = text[:at], text[at + len(exact):]
                    placed = True
        if not placed:
            before = ("…" + parts["prefix"]) if parts.get("prefix") else ""
            after = (parts["suffix"] + "…") if parts.get("suffix") else ""
        source = self._one(span, HAS_SOURCE)
        return Quote(role, before, exact, after, start, end, self.value(span),
                     self.value(source) if source is not None else None,
                     long=len(before) + len(exact) + len(after) > LONG_QUOTE)

    def _quotes(self, node: ox.NamedNode, kind: str | None) -> list[Quote]:
        spans: list[tuple[Any, str]] = []
        if kind == "span" or TEXT_SPAN in self._objects(node, RDF_TYPE):
            spans.append((node, "This span"))
        spans += [(s, "Read from") for s in self._objects(node, WAS_DERIVED_FROM)]
        spans += [(s, "Status stated in") for s in self._objects(node, STATUS_EVIDENCE)]
        out = []
        for span, role in spans:
            q = self.quote(span, role)
            if q is not None:
                out.append(q)
        return out

    def finding(self, f: Any) -> Finding:
        body = self._one(f, HAS_BODY)
        message = (self._text(body, RDF_VALUE) if body is not None else None) or self._text(f, RDFS_LABEL) or ""
        ftype, dim, target = self._one(f, FINDING_TYPE), self._one(f, IN_DIMENSION), self._one(f, HAS_TARGET)
        return Finding(f.value, href(self.iris, f.value), message,
                       self.value(ftype) if ftype is not None else None,
                       self.value(dim) if dim is not None else None,
                       self.value(target) if target is not None else None)

    def findings_about(self, nodes: Iterable[Any]) -> list[Finding]:
        found: dict[Any, None] = {}
        for node in nodes:
            for f in self._subjects(HAS_TARGET, node) + self._objects(node, HAS_QUALITY):
                if isinstance(f, ox.NamedNode):
                    found.setdefault(f, None)
        return sorted((self.finding(f) for f in found), key=lambda x: _natural(x.iri))

    # -- rows --
    def note_row(self, note: Any) -> NoteRow:
        outcome = self._one(note, ABOUT)
        report = self._one(note, REPORTED_IN)
        country = self._one(report, COUNTRY) if report is not None else None
        status = self._one(note, STATUS)
        identifier = self._text(note, IDENTIFIER) or (self._text(outcome, IDENTIFIER) if outcome else None) or ""
        status_key = ""
        if status is not None:
            status_key = re.sub(r"[^a-z-]", "", (self._text(status, NOTATION) or _local_name(status.value)).lower())
        inferred = self._one(note, ALIGNMENT_INFERRED)
        return NoteRow(
            note=self.value(note), outcome=self.value(outcome) if outcome is not None else None,
            identifier=identifier, year=self._text(note, YEAR) or "",
            report=self.value(report) if report is not None else None,
            country=self.value(country) if country is not None else None,
            status=self.value(status) if status is not None else None, status_key=status_key,
            alignments=[_short_sp(self.value(a)) for a in self._objects(note, ALIGNED_TO)],
            inferred=isinstance(inferred, ox.Literal) and inferred.value == "true",
            partners=len(self._objects(note, PARTNER)), places=len(self._objects(note, PLACE)),
            figures=len(self._objects(note, FIGURE)),
        )

    def figure_row(self, f: Any) -> FigureRow:
        number = self._one(f, RDF_VALUE)
        unit, sex, part_of, breakdown = (self._one(f, p) for p in (UNIT, SEX, PART_OF, BREAKDOWN))
        spans = self._objects(f, WAS_DERIVED_FROM)
        return FigureRow(
            figure=self.value(f), number=format_number(number.value) if isinstance(number, ox.Literal) else "",
            source_text=self._text(f, SOURCE_TEXT) or "",
            unit=self.value(unit) if unit is not None else None, sex=self.value(sex) if sex is not None else None,
            counts=self._text(f, COUNTS) or "", places=self.values(self._objects(f, PLACE)),
            part_of=self.value(part_of) if part_of is not None else None,
            breakdown=self.value(breakdown) if breakdown is not None else None,
            quote=self.quote(spans[0], "Read from") if spans else None, findings=self.findings_about([f]),
        )

    # -- sections by kind --
    def _section_report(self, node: ox.NamedNode) -> dict[str, Any]:
        notes = [s for s in self._subjects(REPORTED_IN, node) if _rkg("ProgressNote") in self._objects(s, RDF_TYPE)]
        rows = sorted((self.note_row(n) for n in notes), key=lambda r: (r.identifier, r.note.iri or ""))
        statuses: dict[str, list[Any]] = {}
        for r in rows:
            if r.status is not None:
                statuses.setdefault(r.status.text, [r.status, r.status_key, 0])[2] += 1
        findings = [self.finding(r["f"]) for r in self.snap.query(REPORT_FINDINGS, bindings={"r": node})]
        return {"notes": rows, "statuses": [tuple(v) for v in statuses.values()],
                "findings": sorted(findings, key=lambda x: _natural(x.iri)),
                "country": self._value_or_none(self._one(node, COUNTRY)),
                "year": self._text(node, YEAR) or "", "data_as_of": self._text(node, DATA_AS_OF) or ""}

    def _section_outcome(self, node: ox.NamedNode) -> dict[str, Any]:
        rows = sorted((self.note_row(n) for n in self._subjects(ABOUT, node)),
                      key=lambda r: (r.year, r.country.text if r.country else ""))
        return {"notes": rows, "statement": self._text(node, STATEMENT) or "",
                "identifier": self._text(node, IDENTIFIER) or ""}

    def _section_note(self, node: ox.NamedNode) -> dict[str, Any]:
        figures = sorted(self._objects(node, FIGURE), key=lambda f: _natural(f.value))
        figure_rows = [self.figure_row(f) for f in figures]
        return {"row": self.note_row(node), "figures": figure_rows,
                "partners": self.values(self._objects(node, PARTNER)),
                "places": self.places(self._objects(node, PLACE)),
                "narrative": self._text(node, NARRATIVE) or "",
                "figure_findings": sum(len(r.findings) for r in figure_rows)}

    def _section_figure(self, node: ox.NamedNode) -> dict[str, Any]:
        parts = sorted(self._subjects(PART_OF, node), key=lambda f: _natural(f.value))
        return {"row": self.figure_row(node), "parts": [self.figure_row(p) for p in parts]}

    def _section_finding(self, node: ox.NamedNode) -> dict[str, Any]:
        return {"finding": self.finding(node)}

    def _section_org(self, node: ox.NamedNode) -> dict[str, Any]:
        return {"involvement": self.involvement("org", node)}

    def _section_place(self, node: ox.NamedNode) -> dict[str, Any]:
        return {"involvement": self.involvement("place", node)}

    def _section_sp(self, node: ox.NamedNode) -> dict[str, Any]:
        return {"involvement": self.involvement("sp", node)}

    def _value_or_none(self, term: Any) -> Value | None:
        return self.value(term) if term is not None else None

    def involvement(self, kind: str, node: ox.NamedNode) -> Involvement:
        notes = [r["note"] for r in self.snap.query(INVOLVED_NOTES[kind], bindings={"x": node})]
        rows = [self.note_row(n) for n in notes[:MAX_INVOLVED]]
        rows.sort(key=lambda r: (r.country.text if r.country else "", r.year, r.identifier))
        outcomes = {self._one(n, ABOUT) for n in notes} - {None}
        countries: dict[str, Value] = {}
        years: set[str] = set()
        places: dict[Any, None] = {}
        for r in rows:
            if r.country is not None and r.country.iri:
                countries.setdefault(r.country.iri, r.country)
            if r.year:
                years.add(r.year)
        if kind == "org":
            for n in notes[:MAX_INVOLVED]:
                for p in self._objects(n, PLACE):
                    places.setdefault(p, None)
        women, women_figures = None, 0
        for r in self.snap.query(WOMEN_REACHED[kind], bindings={"x": node}):
            if r["women"] is not None:
                women, women_figures = format_number(r["women"].value), int(r["figures"].value)
        totals = [UnitTotal(self.value(r["unit"]), format_number(r["total"].value), int(r["figures"].value))
                  for r in self.snap.query(UNIT_TOTALS[kind], bindings={"x": node}) if r["total"] is not None]
        return Involvement(
            notes=rows, more=len(notes) > MAX_INVOLVED, n_notes=len(notes), n_outcomes=len(outcomes),
            countries=sorted(countries.values(), key=lambda v: v.text), years=sorted(years),
            places=self.places(places), women=women,
            women_figures=women_figures, unit_totals=totals,
        )

    def context_line(self, iri: str) -> str:
        """A few words that tell apart entities of the same name (a search hit): type and parent."""
        node = _N(iri)
        kind = self.kind(iri)
        if kind == "place":
            ptype = self._one(node, _rkg("placeType"))
            parent = self._one(node, _rkg("within"))
            words = self.label(ptype.value) if isinstance(ptype, ox.NamedNode) else "Place"
            return f"{words} in {self.label(parent.value)}" if isinstance(parent, ox.NamedNode) else words
        if kind == "org":
            okind = self._one(node, _rkg("organisationKind"))
            return self.label(okind.value) if isinstance(okind, ox.NamedNode) else ""
        if kind == "note":
            status = self._one(node, STATUS)
            return self.label(status.value) if isinstance(status, ox.NamedNode) else ""
        if kind == "report":
            return self._text(node, YEAR) or ""
        return ""

    # -- home page --
    def summary(self) -> dict[str, Any]:
        counts = {r["c"].value: int(r["n"].value) for r in self.snap.query(CLASS_COUNTS)
                  if isinstance(r["c"], ox.NamedNode)}
        classes = [(name, counts.get(c, 0), c) for c, name in HOME_CLASSES]
        classes += [(name, counts[c], c) for c, name in IATI_CLASSES if counts.get(c)]  # only when there are some
        reports = []
        for r in self.snap.query(REPORTS):
            country = r["country"]
            reports.append({"report": self.value(r["r"]), "year": r["year"].value if r["year"] else "",
                            "country": self.value(country) if country is not None else None,
                            "notes": int(r["notes"].value)})
        reports.sort(key=lambda x: (x["country"].text if x["country"] else "", x["year"]))
        return {"classes": classes, "reports": reports, "triples": len(self.snap) if hasattr(self.snap, "__len__")
                else None}


def _is_fragment(term: Any, iri: str) -> bool:
    return isinstance(term, ox.BlankNode) or (isinstance(term, ox.NamedNode) and term.value.startswith(iri + "#"))


def _short_sp(v: Value) -> Value:
    """A Strategic Plan concept in a table cell: its code, with the full label as the title."""
    code, sep, _ = v.text.partition(": ")
    if sep:
        return Value(code, iri=v.iri, href=v.href, curie=v.text)
    return v


def _natural(s: str) -> list[object]:
    """Sort key that puts figure/2 before figure/10."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def class_query(class_iri: str) -> str:
    """A query listing the instances of a class (for the home page's counts to link to)."""
    return (f"PREFIX rdfs: <{_RDFS}>\n"
            f"SELECT ?item ?label WHERE {{\n  ?item a {ox.NamedNode(class_iri)} .\n"
            "  OPTIONAL { ?item rdfs:label ?label }\n}\nORDER BY ?item\nLIMIT 100\n")


# ---- example queries -------------------------------------------------------------------------


@dataclass
class Example:
    name: str
    question: str
    text: str


def example_queries(folder: Path | None = None) -> list[Example]:
    """The shipped example queries, each with the question its first line asks."""
    out = []
    for path in sorted((folder or resources.queries_dir()).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        m = re.match(r"#\s*question:\s*(.*)", first)
        out.append(Example(path.stem, m.group(1).strip() if m else path.stem, text))
    return out


# ---- search ----------------------------------------------------------------------------------


@dataclass
class Hit:
    iri: str
    href: str | None
    label: str
    matched: str | None
    kind: str
    rank: tuple


_LABEL_ORDER = {PREF_LABEL.value: 0, RDFS_LABEL.value: 1, IDENTIFIER.value: 2, NOTATION.value: 3}


class SearchIndex:
    """Every label, acronym, notation and identifier, folded (case and accents), for one snapshot version."""

    def __init__(self, snapshot: Any, iris: IRIs) -> None:
        self.version = getattr(snapshot, "version", None)
        self.iris = iris
        names: dict[str, dict[str, list[str]]] = {}
        for row in snapshot.query(SEARCH_LABELS):
            s = row["s"].value
            if "#" in s[len(iris.base):] and s.startswith(iris.base):
                continue  # selectors and bodies are shown on their parent's page
            kind = _kind_of(iris, s)
            if kind in ("mention", "span"):
                continue  # a mention's label is the name of what it refers to, which is indexed
            names.setdefault(s, {}).setdefault(row["p"].value, []).append(row["l"].value)
        self.entries: list[tuple[str, str, str, str]] = []  # (folded key, text, subject, kind)
        self.labels: dict[str, str] = {}
        for s, by_prop in names.items():
            kind = _kind_of(iris, s)
            self.labels[s] = _display_label(kind, by_prop)
            for texts in by_prop.values():
                for text in dict.fromkeys(texts):
                    self.entries.append((fold_key(text), text, s, kind))

    def search(self, query: str, limit: int = 50) -> tuple[int, list[Hit]]:
        """(number of matches, the best ``limit``): exact, then prefix, word-prefix, substring, all words."""
        q = fold_key(query)
        if not q:
            return 0, []
        words = q.split()
        best: dict[str, tuple[int, str]] = {}
        for key, text, s, _kind in self.entries:
            if key == q:
                level = 0
            elif key.startswith(q):
                level = 1
            elif (" " + q) in (" " + re.sub(r"[^\w]+", " ", key)) or re.search(r"\b" + re.escape(q), key):
                level = 2
            elif q in key:
                level = 3
            elif len(words) > 1 and all(w in key for w in words):
                level = 4
            else:
                continue
            if s not in best or level < best[s][0]:
                best[s] = (level, text)
        hits = []
        for s, (level, text) in best.items():
            kind = _kind_of(self.iris, s)
            label = self.labels.get(s, text)
            rank = (level, _KIND_RANK.get(kind, 3), len(label), label.casefold(), s)
            hits.append(Hit(s, href(self.iris, s), label, text if fold_key(text) != fold_key(label) else None,
                            _kind_name(kind, s), rank))
        hits.sort(key=lambda h: h.rank)
        return len(hits), hits[:limit]


def _kind_of(iris: IRIs, iri: str) -> str:
    parsed = iris.parse(iri)
    if parsed is not None:
        return parsed.kind
    if iri.startswith(ONTOLOGY):
        return "term"
    return "other"


def _kind_name(kind: str, iri: str) -> str:
    if kind == "term":
        return "Ontology term"
    return KIND_NAMES.get(kind, "Resource")


def _display_label(kind: str, by_prop: dict[str, list[str]]) -> str:
    ordered = sorted(((rank, texts) for p, texts in by_prop.items() if (rank := _LABEL_ORDER.get(p)) is not None),
                     key=lambda kv: kv[0])
    label = ordered[0][1][0] if ordered else next(iter(by_prop.values()))[0]
    if kind == "sp":
        notation = (by_prop.get(NOTATION.value) or [None])[0]
        if notation and notation != label:
            return f"{notation}: {label}"
    return label


# ---- per-version cache -----------------------------------------------------------------------


class VersionCache:
    """Values computed once per snapshot version (search index, home summary); old versions dropped."""

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
        self._data: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, version: str, name: str, factory: Callable[[], Any]) -> Any:
        key = (version, name)
        with self._lock:
            if key in self._data:
                return self._data[key]
        value = factory()
        with self._lock:
            self._data[key] = value
            versions = list(dict.fromkeys(v for v, _ in self._data))
            for old in versions[:-self.keep]:
                for k in [k for k in self._data if k[0] == old]:
                    del self._data[k]
        return value


# ---- query results as a table ----------------------------------------------------------------


@dataclass
class Cell:
    text: str
    href: str | None = None
    kind: str = "literal"
    datatype: str | None = None
    lang: str | None = None


@dataclass
class ResultTable:
    form: str
    columns: list[str]
    rows: list[list[Cell | None]]
    boolean: bool | None
    total: int
    truncated: bool


def result_table(iris: IRIs, form: str, body: bytes, media_type: str, truncated: bool,
                 limit: int = MAX_TABLE_ROWS) -> ResultTable:
    """SPARQL JSON results (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE) as table rows."""
    if media_type == "application/sparql-results+json":
        data = json.loads(body.decode("utf-8"))
        if "boolean" in data:
            return ResultTable(form, [], [], bool(data["boolean"]), 0, False)
        columns = list(data.get("head", {}).get("vars", []))
        bindings = data.get("results", {}).get("bindings", [])
        rows = [[_json_cell(iris, b.get(c)) for c in columns] for b in bindings[:limit]]
        return ResultTable(form, columns, rows, None, len(bindings), truncated)
    triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    rows = [[_term_cell(iris, t.subject), _term_cell(iris, t.predicate), _term_cell(iris, t.object)]
            for t in triples[:limit]]
    return ResultTable(form, ["subject", "predicate", "object"], rows, None, len(triples), truncated)


def _iri_cell(iris: IRIs, iri: str) -> Cell:
    return Cell(compact(iri) or iri, href(iris, iri), "uri")


def _json_cell(iris: IRIs, b: dict[str, str] | None) -> Cell | None:
    if b is None:
        return None
    if b.get("type") == "uri":
        return _iri_cell(iris, b["value"])
    if b.get("type") == "bnode":
        return Cell("_:" + b["value"], kind="bnode")
    dt = b.get("datatype")
    return Cell(b.get("value", ""), datatype=(compact(dt) or dt) if dt else None, lang=b.get("xml:lang"))


def _term_cell(iris: IRIs, t: Any) -> Cell:
    if isinstance(t, ox.NamedNode):
        return _iri_cell(iris, t.value)
    if isinstance(t, ox.BlankNode):
        return Cell("_:" + t.value, kind="bnode")
    if isinstance(t, ox.Literal):
        dt = t.datatype.value if t.datatype else None
        shown = None if t.language or dt in (None, _XSD + "string") else compact(dt) or dt
        return Cell(t.value, datatype=shown, lang=t.language or None)
    return Cell(str(t))
