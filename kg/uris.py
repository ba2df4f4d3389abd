"""Every IRI the project mints, and the inverse that parses them back.

IRIs are deterministic (the same input always gives the same IRI) and readable.
The base is a setting (``KG_BASE_IRI``); the web app routes ``/id/<rest>`` with
``parse`` so that every minted IRI resolves.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from rdflib import URIRef

from kg.errors import UsageError
from kg.vocab import GEONAMES_FEATURE, RKG_NS, SDG_KOS, UN_DOCUMENTS, WIKIDATA_ENTITY

DEFAULT_BASE = "https://w3id.org/results-kg/id/"
ONTOLOGY = RKG_NS[:-1]  # the ontology's IRI, without the '#' its terms follow; also the name of its graph

# kind -> path template; each {} is one path segment
_TEMPLATES: dict[str, str] = {
    "report": "report/{}",
    "note": "note/{}/{}",
    "figure": "note/{}/{}/figure/{}",
    "mention": "note/{}/{}/mention/{}",
    "finding": "finding/{}/{}",
    "span": "span/{}/{}",
    "outcome": "outcome/{}/{}",
    "org": "org/{}",
    "place": "place/{}",
    "sp": "sp/{}",
    "currency": "currency/{}",
    "scheme": "scheme/{}",
    "graph": "graph/{}",
    # the whole dataset (VoID, DCAT): its statistics' datasets are named under it
    "whole-dataset": "dataset",
    "report-graph": "graph/report/{}",
    "office": "office/{}",
    # the statistics (kg/rdf/cube.py): RDF Data Cube datasets, their structures and observations; an
    # observation is named by its dimension values, so it is the same IRI in every build
    "dataset": "dataset/{}",
    "structure": "dataset/{}/structure",
    "observation": "dataset/{}/{}/{}/{}",
    "outcome-observation": "dataset/{}/{}/{}/{}/{}/{}",
    # IATI activities (kg/read/iati.py): results, indicators, baselines, periods and values have no
    # identifiers in IATI; their keys are minted by ``element_key`` (see its docstring and the README)
    "activity": "activity/{}",
    "activity-graph": "graph/activity/{}",
    "activity-finding": "activity/{}/finding/{}",
    "iati-result": "activity/{}/result/{}",
    "indicator": "activity/{}/result/{}/indicator/{}",
    "baseline": "activity/{}/result/{}/indicator/{}/baseline/{}",
    "period": "activity/{}/result/{}/indicator/{}/period/{}",
    "target": "activity/{}/result/{}/indicator/{}/period/{}/target/{}",
    "actual": "activity/{}/result/{}/indicator/{}/period/{}/actual/{}",
    # a code of an IATI codelist, as a SKOS concept of the scheme ``scheme/<scheme>``
    "code": "code/{}/{}",
}
_BASE = re.compile(r"^https?://(?:[^\s<>\"{}|\\^`?#%]|%[0-9A-Fa-f]{2})+/$")
_SAFE_CHARS = "-._~:@!$&'()*+,;="
_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")
_PATTERNS = [
    (kind, re.compile("^" + re.escape(t).replace(r"\{\}", "([^/]+)") + "$"))
    for kind, t in sorted(_TEMPLATES.items(), key=lambda kv: -kv[1].count("/"))
]


@dataclass(frozen=True)
class Parsed:
    kind: str
    keys: tuple[str, ...]


def statement_digest(statement: str) -> str:
    """Short hash of an outcome statement (whitespace collapsed, nothing else changed).

    Part of the outcome's identity (DOMAIN.md: the same identifier is reused with a
    different statement in a later strategic-note period). Hashing the statement as
    published, rather than a looser form, keeps one rkg:statement per outcome IRI.
    """
    core = " ".join(statement.split())
    return hashlib.sha256(core.encode("utf-8")).hexdigest()[:8]


def element_key(content: str, seen: dict[str, int]) -> str:
    """The key of an IATI element that has no identifier: a hash of what identifies it, plus its position.

    ``content`` is what identifies the element among its siblings (a result's type and title, an
    indicator's measure and title, a value's dimensions and locations; see kg/read/iati.py). The key is
    the first 8 hex digits of its SHA-256, and, for the second and later siblings with the same content,
    ``-2``, ``-3``, … in document order. Re-reading a file gives the same keys; inserting, removing or
    editing one element leaves its siblings' keys alone (plain positions would renumber every later
    sibling). ``seen`` counts the contents met so far among one element's siblings.
    """
    digest = hashlib.sha256(" ".join(content.split()).encode("utf-8")).hexdigest()[:8]
    seen[digest] = seen.get(digest, 0) + 1
    return digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"


class IRIs:
    """Mints IRIs under one base."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        if not _BASE.match(base):
            raise UsageError(f"base IRI {base!r} must be an http(s) IRI ending in '/', "
                             "without '?', '#' or malformed %-escapes")
        self.base = base

    def _mint(self, kind: str, *keys: object) -> URIRef:
        segs = [k if isinstance(k, str) and _SAFE.match(k) else quote(str(k), safe=_SAFE_CHARS) for k in keys]
        return URIRef(self.base + _TEMPLATES[kind].format(*segs))

    def report(self, report_key: str) -> URIRef:
        return self._mint("report", report_key)

    def report_graph(self, report_key: str) -> URIRef:
        return self._mint("report-graph", report_key)

    def graph(self, name: str) -> URIRef:
        return self._mint("graph", name)

    def whole_dataset(self) -> URIRef:
        """The dataset everything here is part of (``void:inDataset`` of every document)."""
        return self._mint("whole-dataset")

    def outcome(self, identifier: str, statement: str) -> URIRef:
        return self._mint("outcome", identifier, statement_digest(statement))

    def note(self, report_key: str, identifier: str) -> URIRef:
        return self._mint("note", report_key, identifier)

    def figure(self, report_key: str, identifier: str, index: int) -> URIRef:
        return self._mint("figure", report_key, identifier, index + 1)

    def mention(self, report_key: str, identifier: str, start: int) -> URIRef:
        return self._mint("mention", report_key, identifier, start)

    def finding(self, report_key: str, index: int) -> URIRef:
        return self._mint("finding", report_key, index + 1)

    def span(self, report_key: str, start: int, end: int) -> URIRef:
        return self._mint("span", report_key, f"{start}-{end}")

    def selector(self, report_key: str, start: int, end: int, which: str) -> URIRef:
        """A span's position or quote selector: a fragment of the span's IRI, described on its page."""
        return URIRef(f"{self.span(report_key, start, end)}#{which}")

    def finding_body(self, report_key: str, index: int) -> URIRef:
        return URIRef(f"{self.finding(report_key, index)}#body")

    def org(self, key: str) -> URIRef:
        return self._mint("org", key)

    def place(self, key: str) -> URIRef:
        return self._mint("place", key)

    def sp(self, code: str) -> URIRef:
        return self._mint("sp", code)

    @staticmethod
    def geonames(geonameid: int) -> URIRef:
        """GeoNames' own IRI of a place (its linked-data "concept" IRI, with the trailing slash)."""
        return URIRef(f"{GEONAMES_FEATURE}{int(geonameid)}/")

    @staticmethod
    def wikidata(qid: str) -> URIRef:
        """Wikidata's concept IRI of an item ("Q912" -> http://www.wikidata.org/entity/Q912)."""
        if not (qid[:1] == "Q" and qid[1:].isdigit()):
            raise ValueError(f"not a Wikidata item: {qid!r}")
        return URIRef(f"{WIKIDATA_ENTITY}{qid}")

    @staticmethod
    def un_document(symbol: str) -> URIRef:
        """A UN document by its symbol, at the UN's own resolver ("S/RES/1325(2000)")."""
        return URIRef(UN_DOCUMENTS + symbol)

    @staticmethod
    def sdg(code: str) -> URIRef:
        """The UN SDG knowledge organisation system's IRI of a goal ("5"), target ("5.2", "5.c") or indicator
        ("5.5.1" -> C050501). An indicator of a lettered target ("5.c.1") has no IRI we know how to mint:
        callers pass its target ("5.c") instead."""
        parts = code.split(".")
        if len(parts) == 3 and not all(p.isdigit() for p in parts):
            raise ValueError(f"no SDG IRI for indicator {code!r} of a lettered target")
        if len(parts) == 3:
            return URIRef(SDG_KOS + "C" + "".join(f"{int(p):02d}" for p in parts))
        return URIRef(SDG_KOS + code)

    def currency(self, code: str) -> URIRef:
        """A currency as a unit, by its ISO 4217 code."""
        return self._mint("currency", code)

    def scheme(self, name: str) -> URIRef:
        return self._mint("scheme", name)

    def office(self, code: str) -> URIRef:
        """A UN Women office by the code its result identifiers carry (MLI, WCA): the area of a report for no
        country."""
        return self._mint("office", code)

    # ---- statistics ----------------------------------------------------------------------
    def dataset(self, name: str) -> URIRef:
        return self._mint("dataset", name)

    def structure(self, dataset: str) -> URIRef:
        return self._mint("structure", dataset)

    def component(self, dataset: str, name: str) -> URIRef:
        """One component (dimension, measure or attribute) of a dataset's structure."""
        return URIRef(f"{self.structure(dataset)}#{name}")

    def observation(self, dataset: str, area: str, year: int, last: str, outcome: str | None = None) -> URIRef:
        """An observation, by its dimension values (``last`` is the sex or the status code); with an outcome
        IRI minted here, the outcome's identifier and statement digest too."""
        if outcome is None:
            return self._mint("observation", dataset, area, year, last)
        parsed = self.parse(outcome)
        if parsed is None or parsed.kind != "outcome":
            raise ValueError(f"not an outcome IRI: {outcome}")
        return self._mint("outcome-observation", dataset, area, year, last, *parsed.keys)

    # ---- IATI ----------------------------------------------------------------------------
    def activity(self, identifier: str) -> URIRef:
        return self._mint("activity", identifier)

    def activity_graph(self, identifier: str) -> URIRef:
        return self._mint("activity-graph", identifier)

    def activity_finding(self, identifier: str, target: str, kind: str, message: str) -> URIRef:
        """A finding about an IATI element, keyed by what it says about what, not by its number:
        a finding elsewhere in the activity appearing or going away leaves this one's IRI alone."""
        key = hashlib.sha256(f"{target}\n{kind}\n{message}".encode()).hexdigest()[:8]
        return self._mint("activity-finding", identifier, key)

    def iati_result(self, activity: str, result: str) -> URIRef:
        return self._mint("iati-result", activity, result)

    def indicator(self, activity: str, result: str, indicator: str) -> URIRef:
        return self._mint("indicator", activity, result, indicator)

    def baseline(self, activity: str, result: str, indicator: str, baseline: str) -> URIRef:
        return self._mint("baseline", activity, result, indicator, baseline)

    def period(self, activity: str, result: str, indicator: str, period: str) -> URIRef:
        return self._mint("period", activity, result, indicator, period)

    def period_value(self, which: str, activity: str, result: str, indicator: str, period: str,
                     value: str) -> URIRef:
        """A period's target or actual (``which``)."""
        if which not in ("target", "actual"):
            raise ValueError(which)
        return self._mint(which, activity, result, indicator, period, value)

    def code(self, scheme: str, code: str) -> URIRef:
        return self._mint("code", scheme, code)

    def xml_element(self, fact: str) -> URIRef:
        """Where in an IATI file a fact was read: a fragment of the fact's IRI, described on its page."""
        return URIRef(f"{fact}#xml")

    def activity_finding_body(self, finding: str) -> URIRef:
        return URIRef(f"{finding}#body")

    def participation(self, activity: str, index: int) -> URIRef:
        """An organisation's part in an activity, by position: the k-th participating-org element."""
        return URIRef(f"{activity}#participation-{index + 1}")

    def code_reference(self, element: str, index: int) -> URIRef:
        """The k-th reference element of a result or indicator."""
        return URIRef(f"{element}#reference-{index + 1}")

    def dimension(self, value: str, index: int) -> URIRef:
        """The k-th dimension of a baseline, target or actual (names may repeat, or be in any script)."""
        return URIRef(f"{value}#dimension-{index + 1}")

    def parse(self, iri: str) -> Parsed | None:
        """(kind, keys) of an IRI minted here, or None for any other IRI."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :].split("#", 1)[0]
        for kind, pattern in _PATTERNS:
            m = pattern.match(rest)
            if m:
                return Parsed(kind, tuple(unquote(g) for g in m.groups()))
        return None
