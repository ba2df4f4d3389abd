"""IATI activity records to RDF: one named graph per activity, and the shared IATI nodes.

Indicator values are ``rkg:Figure``s (as ``rkg:Baseline``/``rkg:Target``/``rkg:Actual``)
with the same value, unit, sex and place terms as report figures, so one query reads
both sources. Every node points with ``prov:wasDerivedFrom`` to the XML element it
came from (file, line and XPath). Organisations known by their IATI identifier are the
reference nodes the reports link to; the others are described once per build in the
``graph/iati-organisations`` graph (``organisations_graph``), not in each activity's
graph, so that two activities naming one organisation differently cannot contradict
each other and the union of graphs holds each description once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from pyoxigraph import NamedNode

from kg import codelists
from kg.gazetteer import name_key
from kg.rdf import terms as t
from kg.rdf.graph import Emitter, NamedGraph, finding_triples
from kg.rdf.reference import ReferenceData
from kg.rdf.terms import n
from kg.read.iati import Activity, CodeRef, IatiFile, Narrative, OrgRef, Value, parse_value
from kg.uris import IRIs
from kg.vocab import N

ORGANISATIONS_GRAPH = "iati-organisations"
_IATI_ORG_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9]+-[A-Za-z0-9.\-]+$")
_SEX = {"female": "F", "f": "F", "women": "F", "woman": "F", "girls": "F", "male": "M", "m": "M", "men": "M",
        "man": "M", "boys": "M"}
_SEX_NODE = {"F": getattr(N.sdmx_code, "sex-F"), "M": getattr(N.sdmx_code, "sex-M")}
_UNIT = {"1": N.rkg.Count, "2": N.rkg.Percent}
_DATE_PROPERTY = {"1": N.rkg.plannedStart, "2": N.rkg.actualStart, "3": N.rkg.plannedEnd, "4": N.rkg.actualEnd}
_VALUE_CLASS = {"baseline": N.rkg.Baseline, "target": N.rkg.Target, "actual": N.rkg.Actual}
# IATI OrganisationType -> the coarse kind every organisation node has (rkg:organisationKind)
_ORG_KIND = {"10": N.rkg.Government, "11": N.rkg.Government, "15": N.rkg.Government, "21": N.rkg.CivilSociety,
             "22": N.rkg.CivilSociety, "23": N.rkg.CivilSociety, "24": N.rkg.CivilSociety, "60": N.rkg.Donor,
             "70": N.rkg.PrivateSector, "71": N.rkg.PrivateSector, "72": N.rkg.PrivateSector, "73": N.rkg.PrivateSector,
             "80": N.rkg.Academic}


@dataclass
class IatiOrganisation:
    """An organisation an activity names that the reference data does not hold."""

    key: str
    ref: str | None
    names: list[tuple[str, str | None]]
    type: str | None  # an IATI OrganisationType code, if known


@dataclass
class MappedActivity:
    graph: NamedGraph
    organisations: list[IatiOrganisation] = field(default_factory=list)
    linked: int = 0


def _lang(nar: Narrative, default: str | None) -> str | None:
    return nar.lang or default


def _first(narratives: list[Narrative]) -> Narrative | None:
    """The narrative to label with: the first English one, else the first."""
    en = [x for x in narratives if (x.lang or "en").lower().startswith("en")]
    return (en or narratives)[0] if narratives else None


def _label_of(narratives: list[Narrative]) -> str | None:
    first = _first(narratives)
    return first.text if first else None


class ActivityMapper:
    """Maps one activity into its named graph."""

    def __init__(self, act: Activity, file: IatiFile, iris: IRIs, ref: ReferenceData,
                 outcomes: dict[str, list[str]]) -> None:
        self.a, self.file, self.iris, self.ref, self.outcomes = act, file, iris, ref, outcomes
        self.e = Emitter(n(iris.activity_graph(act.identifier)))
        self.node = n(iris.activity(act.identifier))
        self.orgs: dict[str, IatiOrganisation] = {}
        self.linked = 0
        self._by_iati_id = _orgs_by_iati_id(ref)
        self._countries = _countries(ref)

    # ---- helpers -----------------------------------------------------------------------
    def text(self, s: NamedNode, p: NamedNode, narratives: list[Narrative]) -> None:
        for x in narratives:
            self.e.add(s, p, t.text(x.text, _lang(x, self.a.lang)))

    def provenance(self, s: NamedNode, line: int, xpath: str) -> NamedNode:
        el = n(self.iris.xml_element(s.value))
        e = self.e
        e.add(s, N.prov.wasDerivedFrom, el)
        e.add(el, N.rdf.type, N.rkg.XmlElement)
        e.add(el, N.oa.hasSource, self.node)
        e.add(el, N.rkg.xpath, t.plain(xpath))
        e.add(el, N.rkg.line, t.positive(line))
        return el

    def concept(self, scheme: str, value: str | None, s: NamedNode, p: NamedNode, what: str, line: int,
                xpath: str) -> None:
        """Link ``s`` to the concept for ``value`` in ``scheme``, or record that the code is unknown."""
        if not value:
            return
        code = codelists.load(scheme).lookup(value)
        if code is None:
            self.finding("unknown-code", f"{what} {value!r} is not a code of IATI's {codelists.SCHEMES[scheme].file} "
                                         "codelist; kept as written, not linked", s, line, xpath)
            return
        self.e.add(s, p, n(self.iris.code(scheme, code.code)))

    def finding(self, kind: str, message: str, target: NamedNode, line: int, xpath: str) -> None:
        f = n(self.iris.activity_finding(self.a.identifier, target.value, kind, message))
        source = self.provenance(f, line, xpath)
        finding_triples(self.e, f, n(self.iris.activity_finding_body(f.value)), kind, message, target, self.node,
                        source)

    def org(self, o: OrgRef) -> NamedNode | None:
        """The node of an organisation: the reference node for a known IATI identifier or name."""
        name = _label_of(o.names)
        if o.ref and o.ref in self._by_iati_id:
            return n(self.iris.org(self._by_iati_id[o.ref]))
        if not o.ref and name:
            known = self.ref.gazetteer.org_by_name_or_acronym(name)
            if known is not None:
                return n(self.iris.org(known.key))
        if not o.ref and not name:
            return None
        key = o.ref or name_key("n", name or "")
        entry = self.orgs.setdefault(key, IatiOrganisation(key, o.ref, [], None))
        for x in o.names:
            if (x.text, x.lang or self.a.lang) not in entry.names:
                entry.names.append((x.text, x.lang or self.a.lang))
        if o.type and entry.type is None:
            code = codelists.load("iati-organisation-type").lookup(o.type)
            if code is not None:
                entry.type = code.code
            else:
                self.finding("unknown-code", f"organisation type {o.type!r} is not a code of IATI's OrganisationType "
                                             "codelist; kept as written, not linked", self.node, o.where.line,
                             o.where.xpath)
        return n(self.iris.org(key))

    # ---- the activity ----------------------------------------------------------------------
    def map(self) -> MappedActivity:
        a, e, s, iris = self.a, self.e, self.node, self.iris
        e.add(s, N.rdf.type, N.rkg.Activity)
        e.add(s, N.dcterms.identifier, t.plain(a.identifier))
        title = _first(a.titles)
        e.add(s, N.rdfs.label, t.text(title.text, _lang(title, a.lang)) if title else t.plain(a.identifier))
        self.text(s, N.dcterms.title, a.titles)
        self.text(s, N.dcterms.description, a.descriptions)
        e.add(s, N.rkg.sourceFile, t.plain(Path(a.source).name))
        e.add(s, N.rkg.sha256, t.plain(self.file.sha256))
        if a.version:
            e.add(s, N.rkg.iatiVersion, t.plain(a.version))
        self.provenance(s, a.where.line, a.where.xpath)
        if a.reporting_org is not None:
            rep = self.org(a.reporting_org)
            if rep is not None:
                e.add(s, N.dcterms.publisher, rep)
        for k, o in enumerate(a.participating):
            org = self.org(o)
            if org is None:
                continue
            part = n(iris.participation(s.value, k))
            e.add(s, N.rkg.participation, part)
            e.add(part, N.rdf.type, N.rkg.Participation)
            e.add(part, N.rkg.organisation, org)
            e.add(part, N.rdfs.label, t.text(f"{_label_of(o.names) or o.ref} in {a.identifier}", None))
            self.concept("iati-organisation-role", o.role, part, N.rkg.role, "organisation role", o.where.line,
                         o.where.xpath)
            e.add(s, N.rkg.partner, org)
        self.concept("iati-activity-status", a.status, s, N.rkg.activityStatus, "activity status", a.where.line,
                     a.where.xpath)
        for kind, day in sorted(a.dates.items()):
            e.add(s, _DATE_PROPERTY[kind], t.xsd_date(day))
        for c in a.countries:
            code = c.code.upper()
            if code in self._countries:
                e.add(s, N.rkg.recipientCountry, n(iris.place(code)))
            else:
                self.finding("unknown-code", f"recipient country {c.code!r} is not an ISO 3166-1 alpha-2 code",
                             s, c.where.line, c.where.xpath)
        for r in a.regions:
            if (r.vocabulary or "1") == "1":
                self.concept("iati-region", r.code, s, N.rkg.recipientRegion, "region", r.where.line, r.where.xpath)
        for sec in a.sectors:
            vocabulary = _SECTOR_VOCABULARY_1X.get(sec.vocabulary or "1", sec.vocabulary or "1")
            scheme = {"1": "iati-sector", "2": "iati-sector-category"}.get(vocabulary)
            if scheme:
                self.concept(scheme, sec.code, s, N.rkg.sector, "sector", sec.where.line, sec.where.xpath)
            else:
                self.finding("unknown-code", f"sector {sec.code!r} of vocabulary {sec.vocabulary!r}: only the DAC "
                                             "5-digit (1) and 3-digit (2) sector lists are linked; kept out",
                             s, sec.where.line, sec.where.xpath)
        for res in a.results:
            self.result(res)
        return MappedActivity(NamedGraph(e.graph, e.triples), list(self.orgs.values()), self.linked)

    def references(self, s: NamedNode, refs: list[CodeRef]) -> list[str]:
        codes = []
        for k, r in enumerate(refs):
            node = n(self.iris.code_reference(s.value, k))
            self.e.add(s, N.rkg.reference, node)
            self.e.add(node, N.rdf.type, N.rkg.CodeReference)
            self.e.add(node, N.skos.notation, t.plain(r.code))
            if r.vocabulary:
                self.e.add(node, N.rkg.vocabulary, t.plain(r.vocabulary))
            if r.code in self.ref.sp_codes:
                self.e.add(node, N.rkg.alignedTo, n(self.iris.sp(r.code)))
            codes.append(r.code)
        return codes

    def result(self, res) -> None:  # kg.read.iati.Result
        a, e, iris = self.a, self.e, self.iris
        s = n(iris.iati_result(a.identifier, res.key))
        e.add(self.node, N.rkg.result, s)
        e.add(s, N.rdf.type, N.rkg.IatiResult)
        type_code = codelists.load("iati-result-type").lookup(res.type)
        type_name = type_code.name.lower() if type_code else "result"
        e.add(s, N.rdfs.label, t.text(_label_of(res.titles) or f"{type_name} of {a.identifier}", None))
        self.text(s, N.dcterms.title, res.titles)
        self.text(s, N.dcterms.description, res.descriptions)
        self.concept("iati-result-type", res.type, s, N.rkg.resultType, "result type", res.where.line,
                     res.where.xpath)
        self.provenance(s, res.where.line, res.where.xpath)
        org_id = a.reporting_org.ref if a.reporting_org and a.reporting_org.ref else None
        linked: set[str] = set()
        for code in self.references(s, res.references):
            for candidate in (code, f"{org_id}-{code}" if org_id else None):
                for outcome in self.outcomes.get(candidate or "", ()):
                    if outcome not in linked:
                        linked.add(outcome)
                        e.add(s, N.rkg.describesOutcome, n(outcome))
        self.linked += len(linked)
        for ind in res.indicators:
            self.indicator(s, res.key, ind)

    def indicator(self, result: NamedNode, rkey: str, ind) -> None:  # kg.read.iati.Indicator
        a, e, iris = self.a, self.e, self.iris
        s = n(iris.indicator(a.identifier, rkey, ind.key))
        e.add(result, N.rkg.indicator, s)
        e.add(s, N.rdf.type, N.rkg.Indicator)
        e.add(s, N.rdfs.label, t.text(_label_of(ind.titles) or f"indicator of {a.identifier}", None))
        self.text(s, N.dcterms.title, ind.titles)
        self.text(s, N.dcterms.description, ind.descriptions)
        measure = codelists.load("iati-indicator-measure").lookup(ind.measure)
        self.concept("iati-indicator-measure", ind.measure, s, N.rkg.measure, "indicator measure", ind.where.line,
                     ind.where.xpath)
        if ind.ascending is not None:
            e.add(s, N.rkg.ascending, t.boolean(ind.ascending))
        self.provenance(s, ind.where.line, ind.where.xpath)
        self.references(s, ind.references)
        mcode = measure.code if measure else None
        for b in ind.baselines:
            v = n(iris.baseline(a.identifier, rkey, ind.key, b.key))
            e.add(s, N.rkg.baseline, v)
            self.value(v, b, s, mcode)
            if b.year and re.fullmatch(r"\d{4}", b.year.strip()):
                e.add(v, N.rkg.year, t.gyear(int(b.year)))
            if b.iso_date:
                try:
                    e.add(v, N.dcterms.date, t.xsd_date(date.fromisoformat(b.iso_date.strip()[:10])))
                except ValueError:
                    pass
        for p in ind.periods:
            ps = n(iris.period(a.identifier, rkey, ind.key, p.key))
            e.add(s, N.rkg.period, ps)
            e.add(ps, N.rdf.type, N.rkg.IndicatorPeriod)
            e.add(ps, N.rdfs.label, t.text(f"{p.start.isoformat()} to {p.end.isoformat()}", None))
            e.add(ps, N.rkg.periodStart, t.xsd_date(p.start))
            e.add(ps, N.rkg.periodEnd, t.xsd_date(p.end))
            self.provenance(ps, p.where.line, p.where.xpath)
            for which, values in (("target", p.targets), ("actual", p.actuals)):
                for val in values:
                    v = n(iris.period_value(which, a.identifier, rkey, ind.key, p.key, val.key))
                    e.add(ps, N.rkg.target if which == "target" else N.rkg.actual, v)
                    e.add(v, N.rkg.inPeriod, ps)
                    self.value(v, val, s, mcode)

    def value(self, v: NamedNode, val: Value, indicator: NamedNode, measure: str | None) -> None:
        e = self.e
        e.add(v, N.rdf.type, N.rkg.Figure)
        e.add(v, N.rdf.type, N.rkg.IndicatorValue)
        e.add(v, N.rdf.type, _VALUE_CLASS[val.kind])
        e.add(v, N.rkg.indicator, indicator)
        written = val.text if val.text is not None else ""
        e.add(v, N.rkg.sourceText, t.plain(written))
        number, problem = parse_value(val.text)
        if number is not None:
            e.add(v, N.rdf.value, t.number(number))
        if measure in _UNIT:
            e.add(v, N.rkg.unit, _UNIT[measure])
        qualifiers = []
        for k, d in enumerate(val.dimensions):
            node = n(self.iris.dimension(v.value, k))
            e.add(v, N.rkg.dimension, node)
            e.add(node, N.rdf.type, N.rkg.Disaggregation)
            e.add(node, N.rkg.dimensionName, t.plain(d.name))
            e.add(node, N.rdf.value, t.plain(d.value))
            sex = _SEX.get(d.value.lower()) if d.name.lower() in ("sex", "gender") else None
            if sex:
                e.add(v, N.rkg.sex, _SEX_NODE[sex])
            qualifiers.append(d.value)
        for ref in val.locations:
            e.add(v, N.rkg.locationRef, t.plain(ref))
            if ref.upper() in self.ref.place_keys:
                e.add(v, N.rkg.place, n(self.iris.place(ref.upper())))
        extra = ", ".join(qualifiers + val.locations)
        e.add(v, N.rdfs.label, t.text(f"{val.kind} {written or '(no value)'}" + (f" ({extra})" if extra else ""), None))
        for c in val.comments:
            e.add(v, N.rdfs.comment, t.text(c.text, _lang(c, self.a.lang)))
        self.provenance(v, val.where.line, val.where.xpath)
        if problem:
            self.finding("malformed-number", f"{val.kind} {problem}", v, val.where.line, val.where.xpath)
        elif number is None and measure in _UNIT:
            self.finding("missing-value", f"a {val.kind} of a {'unit' if measure == '1' else 'percentage'} indicator "
                                          "without a value", v, val.where.line, val.where.xpath)


# 1.0x files name the sector vocabulary in words
_SECTOR_VOCABULARY_1X = {"DAC": "1", "DAC-3": "2"}


@lru_cache(maxsize=8)
def _orgs_by_iati_id(ref: ReferenceData) -> dict[str, str]:
    """IATI organisation identifier -> key of the reference organisation (made once, not per activity)."""
    return {o.iati_id: o.key for o in ref.gazetteer.orgs.values() if o.iati_id}


@lru_cache(maxsize=8)
def _countries(ref: ReferenceData) -> frozenset[str]:
    """The ISO 3166-1 codes of the reference places (a recipient country is a country, not a region)."""
    return frozenset(k for k in ref.place_keys if ref.gazetteer.places[k].type == "country")


def map_activity(act: Activity, file: IatiFile, iris: IRIs, ref: ReferenceData,
                 outcomes: dict[str, list[str]] | None = None) -> MappedActivity:
    return ActivityMapper(act, file, iris, ref, outcomes or {}).map()


def organisations_graph(orgs: dict[str, IatiOrganisation], iris: IRIs) -> NamedGraph:
    """Every organisation the activities name that the reference data lacks, each described once.

    The first name met (in input order) is the preferred label; other names are alternative labels.
    """
    e = Emitter(n(iris.graph(ORGANISATIONS_GRAPH)))
    for key, o in orgs.items():
        s = n(iris.org(key))
        e.add(s, N.rdf.type, N.org.Organization)
        name, lang = o.names[0] if o.names else (o.ref or key, None)
        e.add(s, N.skos.prefLabel, t.text(name, lang or "und"))
        e.add(s, N.rdfs.label, t.text(name, lang or "und"))
        for other, olang in o.names[1:]:
            if other != name:
                e.add(s, N.skos.altLabel, t.text(other, olang or "und"))
        if o.ref and _IATI_ORG_ID.match(o.ref):
            e.add(s, N.dcterms.identifier, t.plain(o.ref))
        e.add(s, N.rkg.organisationKind, _ORG_KIND.get(o.type or "", N.rkg.OtherOrganisation))
        if o.type:
            e.add(s, N.rkg.iatiOrganisationType, n(iris.code("iati-organisation-type", o.type)))
    return NamedGraph(e.graph, e.triples)


def merge_organisations(into: dict[str, IatiOrganisation], found: list[IatiOrganisation]) -> None:
    for o in found:
        have = into.get(o.key)
        if have is None:
            into[o.key] = IatiOrganisation(o.key, o.ref, list(o.names), o.type)
            continue
        for nm in o.names:
            if nm not in have.names:
                have.names.append(nm)
        have.type = have.type or o.type
