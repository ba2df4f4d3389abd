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

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pyoxigraph import NamedNode

from kg import codelists
from kg.read.iati import Activity, CodeRef, IatiFile, Narrative, OrgRef, Value, parse_value
from kg.rdf import terms as t
from kg.rdf.mapping import Emitter, NamedGraph, ReferenceData
from kg.rdf.terms import n
from kg.uris import IRIs
from kg.vocab import DQV, OA, ORG, RKG, SDMX_CODE
from kg.extract.gazetteer import _slug  # one slug rule for organisation keys

ORGANISATIONS_GRAPH = "iati-organisations"
_IATI_ORG_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9]+-[A-Za-z0-9.\-]+$")
_SEX = {"female": "F", "f": "F", "women": "F", "woman": "F", "girls": "F", "male": "M", "m": "M", "men": "M",
        "man": "M", "boys": "M"}
_SEX_NODE = {"F": n(SDMX_CODE["sex-F"]), "M": n(SDMX_CODE["sex-M"])}
_UNIT = {"1": n(RKG.Count), "2": n(RKG.Percent)}
_DATE_PROPERTY = {"1": n(RKG.plannedStart), "2": n(RKG.actualStart), "3": n(RKG.plannedEnd), "4": n(RKG.actualEnd)}
_VALUE_CLASS = {"baseline": n(RKG.Baseline), "target": n(RKG.Target), "actual": n(RKG.Actual)}
# IATI OrganisationType -> the coarse kind every organisation node has (rkg:organisationKind)
_ORG_KIND = {"10": RKG.Government, "11": RKG.Government, "15": RKG.Government, "21": RKG.CivilSociety,
             "22": RKG.CivilSociety, "23": RKG.CivilSociety, "24": RKG.CivilSociety, "60": RKG.Donor,
             "70": RKG.PrivateSector, "71": RKG.PrivateSector, "72": RKG.PrivateSector, "73": RKG.PrivateSector,
             "80": RKG.Academic}
_FINDING = {"malformed-number": (RKG.MalformedNumber, RKG.Accuracy),
            "unknown-code": (RKG.UnknownCode, RKG.Consistency),
            "missing-value": (RKG.MissingValue, RKG.Completeness)}


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
        self._findings = 0
        self.linked = 0
        self._by_iati_id = {o.iati_id: o.key for o in ref.gazetteer.orgs.values() if o.iati_id}

    # ---- helpers -----------------------------------------------------------------------
    def text(self, s: NamedNode, p: NamedNode, narratives: list[Narrative]) -> None:
        for x in narratives:
            self.e.add(s, p, t.text(x.text, _lang(x, self.a.lang)))

    def provenance(self, s: NamedNode, line: int, xpath: str) -> NamedNode:
        el = n(self.iris.xml_element(s.value))
        e = self.e
        e.add(s, t.WAS_DERIVED_FROM, el)
        e.add(el, t.TYPE, n(RKG.XmlElement))
        e.add(el, n(OA.hasSource), self.node)
        e.add(el, n(RKG.xpath), t.plain(xpath))
        e.add(el, n(RKG.line), t.positive(line))
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
        self._findings += 1
        f = n(self.iris.activity_finding(self.a.identifier, self._findings - 1))
        ftype, dim = _FINDING[kind]
        e = self.e
        e.add(f, t.TYPE, n(RKG.QualityFinding))
        e.add(f, t.TYPE, n(DQV.QualityAnnotation))
        e.add(f, n(RKG.findingType), n(ftype))
        e.add(f, n(DQV.inDimension), n(dim))
        e.add(f, n(OA.motivatedBy), n(DQV.qualityAssessment))
        e.add(f, n(OA.hasTarget), target)
        body = n(f.value + "#body")
        e.add(f, n(OA.hasBody), body)
        e.add(body, t.TYPE, n(OA.TextualBody))
        e.add(body, t.VALUE, t.text(message))
        e.add(f, t.LABEL, t.text(message))
        e.add(f, n(RKG.reportedIn), self.node)
        self.provenance(f, line, xpath)
        e.add(target, n(DQV.hasQualityAnnotation), f)

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
        key = o.ref or f"n-{_slug(name or '')}-{_hash6(name or '')}"
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
        e.add(s, t.TYPE, n(RKG.Activity))
        e.add(s, t.IDENTIFIER, t.plain(a.identifier))
        title = _first(a.titles)
        e.add(s, t.LABEL, t.text(title.text, _lang(title, a.lang)) if title else t.plain(a.identifier))
        self.text(s, t.TITLE, a.titles)
        self.text(s, t.DESCRIPTION, a.descriptions)
        e.add(s, n(RKG.sourceFile), t.plain(Path(a.source).name))
        e.add(s, n(RKG.sha256), t.plain(self.file.sha256))
        if a.version:
            e.add(s, n(RKG.iatiVersion), t.plain(a.version))
        self.provenance(s, a.where.line, a.where.xpath)
        if a.reporting_org is not None:
            rep = self.org(a.reporting_org)
            if rep is not None:
                e.add(s, t.PUBLISHER, rep)
        for k, o in enumerate(a.participating, start=1):
            org = self.org(o)
            if org is None:
                continue
            part = n(f"{s.value}#participation-{k}")
            e.add(s, n(RKG.participation), part)
            e.add(part, t.TYPE, n(RKG.Participation))
            e.add(part, n(RKG.organisation), org)
            e.add(part, t.LABEL, t.text(f"{_label_of(o.names) or o.ref} in {a.identifier}", None))
            self.concept("iati-organisation-role", o.role, part, n(RKG.role), "organisation role", o.where.line,
                         o.where.xpath)
            e.add(s, n(RKG.partner), org)
        self.concept("iati-activity-status", a.status, s, n(RKG.activityStatus), "activity status", a.where.line,
                     a.where.xpath)
        for kind, day in sorted(a.dates.items()):
            e.add(s, _DATE_PROPERTY[kind], t.xsd_date(day))
        for c in a.countries:
            code = c.code.upper()
            if code in self.ref.place_keys:
                e.add(s, n(RKG.recipientCountry), n(iris.place(code)))
            else:
                self.finding("unknown-code", f"recipient country {c.code!r} is not an ISO 3166-1 alpha-2 code",
                             s, c.where.line, c.where.xpath)
        for r in a.regions:
            if (r.vocabulary or "1") == "1":
                self.concept("iati-region", r.code, s, n(RKG.recipientRegion), "region", r.where.line, r.where.xpath)
        for sec in a.sectors:
            scheme = {"1": "iati-sector", "2": "iati-sector-category"}.get(sec.vocabulary or "1")
            if scheme:
                self.concept(scheme, sec.code, s, n(RKG.sector), "sector", sec.where.line, sec.where.xpath)
        for res in a.results:
            self.result(res)
        return MappedActivity(NamedGraph(e.graph, e.triples), list(self.orgs.values()), self.linked)

    def references(self, s: NamedNode, refs: list[CodeRef]) -> list[str]:
        codes = []
        for k, r in enumerate(refs, start=1):
            node = n(f"{s.value}#reference-{k}")
            self.e.add(s, n(RKG.reference), node)
            self.e.add(node, t.TYPE, n(RKG.CodeReference))
            self.e.add(node, t.NOTATION, t.plain(r.code))
            if r.vocabulary:
                self.e.add(node, n(RKG.vocabulary), t.plain(r.vocabulary))
            if r.code in self.ref.sp_codes:
                self.e.add(node, n(RKG.alignedTo), n(self.iris.sp(r.code)))
            codes.append(r.code)
        return codes

    def result(self, res) -> None:  # noqa: ANN001 - kg.read.iati.Result
        a, e, iris = self.a, self.e, self.iris
        s = n(iris.iati_result(a.identifier, res.key))
        e.add(self.node, n(RKG.result), s)
        e.add(s, t.TYPE, n(RKG.IatiResult))
        type_code = codelists.load("iati-result-type").lookup(res.type)
        type_name = type_code.name.lower() if type_code else "result"
        e.add(s, t.LABEL, t.text(_label_of(res.titles) or f"{type_name} of {a.identifier}", None))
        self.text(s, t.TITLE, res.titles)
        self.text(s, t.DESCRIPTION, res.descriptions)
        self.concept("iati-result-type", res.type, s, n(RKG.resultType), "result type", res.where.line,
                     res.where.xpath)
        self.provenance(s, res.where.line, res.where.xpath)
        org_id = a.reporting_org.ref if a.reporting_org and a.reporting_org.ref else None
        for code in self.references(s, res.references):
            for candidate in (code, f"{org_id}-{code}" if org_id else None):
                for outcome in self.outcomes.get(candidate or "", ()):
                    e.add(s, n(RKG.describesOutcome), n(outcome))
                    self.linked += 1
        for ind in res.indicators:
            self.indicator(s, res.key, ind)

    def indicator(self, result: NamedNode, rkey: str, ind) -> None:  # noqa: ANN001 - kg.read.iati.Indicator
        a, e, iris = self.a, self.e, self.iris
        s = n(iris.indicator(a.identifier, rkey, ind.key))
        e.add(result, n(RKG.indicator), s)
        e.add(s, t.TYPE, n(RKG.Indicator))
        e.add(s, t.LABEL, t.text(_label_of(ind.titles) or f"indicator of {a.identifier}", None))
        self.text(s, t.TITLE, ind.titles)
        self.text(s, t.DESCRIPTION, ind.descriptions)
        measure = codelists.load("iati-indicator-measure").lookup(ind.measure)
        self.concept("iati-indicator-measure", ind.measure, s, n(RKG.measure), "indicator measure", ind.where.line,
                     ind.where.xpath)
        if ind.ascending is not None:
            e.add(s, n(RKG.ascending), t.boolean(ind.ascending))
        self.provenance(s, ind.where.line, ind.where.xpath)
        self.references(s, ind.references)
        mcode = measure.code if measure else None
        for b in ind.baselines:
            v = n(iris.baseline(a.identifier, rkey, ind.key, b.key))
            e.add(s, n(RKG.baseline), v)
            self.value(v, b, s, mcode)
            if b.year and re.fullmatch(r"\d{4}", b.year.strip()):
                e.add(v, n(RKG.year), t.gyear(int(b.year)))
            if b.iso_date:
                try:
                    e.add(v, t.DATE, t.xsd_date(date.fromisoformat(b.iso_date.strip()[:10])))
                except ValueError:
                    pass
        for p in ind.periods:
            ps = n(iris.period(a.identifier, rkey, ind.key, p.key))
            e.add(s, n(RKG.period), ps)
            e.add(ps, t.TYPE, n(RKG.IndicatorPeriod))
            e.add(ps, t.LABEL, t.text(f"{p.start.isoformat()} to {p.end.isoformat()}", None))
            e.add(ps, n(RKG.periodStart), t.xsd_date(p.start))
            e.add(ps, n(RKG.periodEnd), t.xsd_date(p.end))
            self.provenance(ps, p.where.line, p.where.xpath)
            for which, values in (("target", p.targets), ("actual", p.actuals)):
                for val in values:
                    v = n(iris.period_value(which, a.identifier, rkey, ind.key, p.key, val.key))
                    e.add(ps, n(RKG.target if which == "target" else RKG.actual), v)
                    e.add(v, n(RKG.inPeriod), ps)
                    self.value(v, val, s, mcode)

    def value(self, v: NamedNode, val: Value, indicator: NamedNode, measure: str | None) -> None:
        e = self.e
        e.add(v, t.TYPE, n(RKG.Figure))
        e.add(v, t.TYPE, n(RKG.IndicatorValue))
        e.add(v, t.TYPE, _VALUE_CLASS[val.kind])
        e.add(v, n(RKG.indicator), indicator)
        written = val.text if val.text is not None else ""
        e.add(v, n(RKG.sourceText), t.plain(written))
        number, problem = parse_value(val.text)
        if number is not None:
            e.add(v, t.VALUE, t.number(number))
        if measure in _UNIT:
            e.add(v, n(RKG.unit), _UNIT[measure])
        qualifiers = []
        for d in val.dimensions:
            node = n(f"{v.value}#dimension-{_slug(d.name) or 'unnamed'}")
            e.add(v, n(RKG.dimension), node)
            e.add(node, t.TYPE, n(RKG.Disaggregation))
            e.add(node, n(RKG.dimensionName), t.plain(d.name))
            e.add(node, t.VALUE, t.plain(d.value))
            sex = _SEX.get(d.value.lower()) if d.name.lower() in ("sex", "gender") else None
            if sex:
                e.add(v, n(RKG.sex), _SEX_NODE[sex])
            qualifiers.append(d.value)
        for ref in val.locations:
            e.add(v, n(RKG.locationRef), t.plain(ref))
            if ref.upper() in self.ref.place_keys:
                e.add(v, n(RKG.place), n(self.iris.place(ref.upper())))
        extra = ", ".join(qualifiers + val.locations)
        e.add(v, t.LABEL, t.text(f"{val.kind} {written or '(no value)'}" + (f" ({extra})" if extra else ""), None))
        for c in val.comments:
            e.add(v, t.COMMENT, t.text(c.text, _lang(c, self.a.lang)))
        self.provenance(v, val.where.line, val.where.xpath)
        if problem:
            self.finding("malformed-number", f"{val.kind} {problem}", v, val.where.line, val.where.xpath)
        elif number is None and measure in _UNIT:
            self.finding("missing-value", f"a {val.kind} of a {'unit' if measure == '1' else 'percentage'} indicator "
                                          "without a value", v, val.where.line, val.where.xpath)


def _hash6(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()[:6]


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
        e.add(s, t.TYPE, n(ORG.Organization))
        name, lang = o.names[0] if o.names else (o.ref or key, None)
        e.add(s, t.PREF_LABEL, t.text(name, lang or "und"))
        e.add(s, t.LABEL, t.text(name, lang or "und"))
        for other, olang in o.names[1:]:
            if other != name:
                e.add(s, t.ALT_LABEL, t.text(other, olang or "und"))
        if o.ref and _IATI_ORG_ID.match(o.ref):
            e.add(s, t.IDENTIFIER, t.plain(o.ref))
        e.add(s, n(RKG.organisationKind), n(_ORG_KIND.get(o.type or "", RKG.OtherOrganisation)))
        if o.type:
            e.add(s, n(RKG.iatiOrganisationType), n(iris.code("iati-organisation-type", o.type)))
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
