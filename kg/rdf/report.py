"""Records and facts to RDF: the only place that decides which triples we write."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, Triple

from kg import codelists
from kg.extract import Evidence, SectionFacts, strip_alignment
from kg.gazetteer import Gazetteer, Organisation, Place
from kg.rdf import terms as t
from kg.rdf.terms import n
from kg.read.report import OutcomeSection, ReportRecord
from kg.uris import IRIs
from kg.vocab import RKG, SDMX_CODE, N

STATUS = {"achieved": RKG.Achieved, "partially-achieved": RKG.PartiallyAchieved,
          "not-achieved": RKG.NotAchieved, "not-stated": RKG.StatusNotStated}
UNIT = {"people": RKG.People, "count": RKG.Count, "XOF": RKG.XOF, "hectare": RKG.Hectare,
        "percent": RKG.Percent}
BREAKDOWN = {"sex": RKG.BySex, "place": RKG.ByPlace, "category": RKG.ByCategory, "subset": RKG.Subset}
SEX = {"F": SDMX_CODE["sex-F"], "M": SDMX_CODE["sex-M"]}
ORG_KIND = {"un-entity": RKG.UNEntity, "government": RKG.Government, "civil-society": RKG.CivilSociety,
            "donor": RKG.Donor, "private-sector": RKG.PrivateSector, "academic": RKG.Academic,
            "other": RKG.OtherOrganisation}
PLACE_TYPE = {"country": RKG.Country, "region": RKG.Region, "district": RKG.District, "cercle": RKG.Cercle,
              "commune": RKG.Commune, "city": RKG.City}
FINDING = {"inferred-alignment": (RKG.InferredAlignment, RKG.Completeness),
           "duplicate-passage": (RKG.DuplicatePassage, RKG.Uniqueness),
           "rejoined-paragraph": (RKG.RejoinedParagraph, RKG.Consistency),
           "malformed-number": (RKG.MalformedNumber, RKG.Accuracy),
           "glued-number": (RKG.GluedNumber, RKG.Accuracy),
           "parts-do-not-add-up": (RKG.PartsDoNotAddUp, RKG.Consistency),
           "share-mismatch": (RKG.ShareMismatch, RKG.Consistency),
           # IATI files (kg/rdf/iati.py)
           "unknown-code": (RKG.UnknownCode, RKG.Consistency),
           "missing-value": (RKG.MissingValue, RKG.Completeness)}
SP_SCHEME = "strategic-plan"
REFERENCE_GRAPH = "reference"
# Countries whose first-level subdivisions are reference data (the curated table covers them)
_QUOTE_CONTEXT = 32

@dataclass
class Emitter:
    """Collects the triples of one named graph, deduplicating as it goes."""

    graph: NamedNode
    triples: list[Triple] = field(default_factory=list)
    # triples about nodes other reports describe too (outcomes, places, organisations, SP
    # concepts): the build validates these across reports, since each report alone can't
    # show that two of them disagree
    shared: list[Triple] = field(default_factory=list)
    _seen: set[Triple] = field(default_factory=set)
    _sharing: bool = False

    def add(self, s: NamedNode, p: NamedNode, o) -> None:  # any pyoxigraph term
        t = Triple(s, p, o)
        if t not in self._seen:
            self._seen.add(t)
            self.triples.append(t)
            if self._sharing:
                self.shared.append(t)

    @contextmanager
    def sharing(self) -> Iterator[None]:
        self._sharing = True
        try:
            yield
        finally:
            self._sharing = False


@dataclass
class NamedGraph:
    """Triples and the name of the graph they belong in (quads are made only when a format needs them)."""

    name: NamedNode
    triples: list[Triple]
    shared: list[Triple] = field(default_factory=list)

    def quads(self) -> list:
        from pyoxigraph import Quad

        g = self.name
        return [Quad(t.subject, t.predicate, t.object, g) for t in self.triples]


def finding_triples(e: Emitter, f: NamedNode, body: NamedNode, kind: str, message: str, target: NamedNode,
                    reported_in: NamedNode, source: NamedNode) -> None:
    """A quality finding, the same for report text and IATI files: only where it was read differs
    (``source``, a text span or an XML element, and ``reported_in``, a report or an activity)."""
    ftype, dim = FINDING[kind]
    e.add(f, N.rdf.type, N.rkg.QualityFinding)
    e.add(f, N.rdf.type, N.dqv.QualityAnnotation)
    e.add(f, N.rkg.findingType, n(ftype))
    e.add(f, N.dqv.inDimension, n(dim))
    e.add(f, N.oa.motivatedBy, N.dqv.qualityAssessment)
    e.add(f, N.oa.hasTarget, target)
    e.add(f, N.oa.hasBody, body)
    e.add(body, N.rdf.type, N.oa.TextualBody)
    e.add(body, N.rdf.value, t.text(message))
    e.add(f, N.rdfs.label, t.text(message))
    e.add(f, N.rkg.reportedIn, reported_in)
    e.add(f, N.prov.wasDerivedFrom, source)
    e.add(target, N.dqv.hasQualityAnnotation, f)


class ReferenceData:
    """What lives in the reference graph, so report graphs describe only the rest."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        curated_countries = {p.country for p in gazetteer.places.values() if p.type in ("city", "commune", "cercle")}
        self.place_keys = {
            p.key for p in gazetteer.places.values()
            if p.type == "country" or p.country in curated_countries
        }
        self.org_keys = set(gazetteer.orgs)
        self.sp_codes = set(gazetteer.sp_codes)


def _sp_parent(code: str) -> str | None:
    """SP_D_1.2 -> SP_D_1; SP_D_1.2A -> SP_D_1.2; SP_D_1A -> SP_D_1; SP_D_0.1.4 -> SP_D_0.1."""
    m = re.match(r"^(SP_[DO]_[0-9.]*[0-9])([A-Za-z])$", code)
    if m:
        return m.group(1)
    m = re.match(r"^(SP_[DO]_[0-9.]+)\.[0-9]+$", code)
    return m.group(1) if m else None


def _sp_concept(e: Emitter, iris: IRIs, code: str, title: str | None) -> None:
    c = n(iris.sp(code))
    e.add(c, N.rdf.type, N.skos.Concept)
    e.add(c, N.skos.notation, t.plain(code))
    e.add(c, N.skos.inScheme, n(iris.scheme(SP_SCHEME)))
    e.add(c, N.skos.prefLabel, t.text(title) if title else t.text(code, None))
    parent = _sp_parent(code)
    if parent:
        e.add(c, N.skos.broader, n(iris.sp(parent)))
    else:
        e.add(c, N.skos.topConceptOf, n(iris.scheme(SP_SCHEME)))


def _org(e: Emitter, iris: IRIs, o: Organisation) -> None:
    s = n(iris.org(o.key))
    e.add(s, N.rdf.type, N.org.Organization)
    e.add(s, N.skos.prefLabel, t.text(o.name))
    e.add(s, N.rdfs.label, t.text(o.name))
    for a in (*o.acronyms, *o.aliases):
        e.add(s, N.skos.altLabel, t.text(a))
    if o.iati_id:
        e.add(s, N.dcterms.identifier, t.plain(o.iati_id))
    e.add(s, N.rkg.organisationKind, n(ORG_KIND[o.kind]))
    if o.discovered:
        e.add(s, N.rkg.discovered, t.boolean(True))


def _place(e: Emitter, iris: IRIs, p: Place) -> None:
    s = n(iris.place(p.key))
    e.add(s, N.rdf.type, N.rkg.Place)
    e.add(s, N.skos.prefLabel, t.text(p.name, None))
    e.add(s, N.rdfs.label, t.text(p.name, None))
    for a in p.alt_names:
        e.add(s, N.skos.altLabel, t.text(a, None))
    if p.iso_code:
        e.add(s, N.rkg.iso3166Code, t.plain(p.iso_code))
    e.add(s, N.rkg.placeType, n(PLACE_TYPE[p.type]))
    if p.parent:
        e.add(s, N.rkg.within, n(iris.place(p.parent)))


def reference_graph(gazetteer: Gazetteer, iris: IRIs) -> NamedGraph:
    """The reference graph: curated organisations and places, ISO places, the SP scheme."""
    ref = ReferenceData(gazetteer)
    e = Emitter(n(iris.graph(REFERENCE_GRAPH)))
    for o in gazetteer.orgs.values():
        _org(e, iris, o)
    for key in sorted(ref.place_keys):
        _place(e, iris, gazetteer.places[key])
    scheme = n(iris.scheme(SP_SCHEME))
    e.add(scheme, N.rdf.type, N.skos.ConceptScheme)
    e.add(scheme, N.skos.prefLabel, t.text("UN Women Strategic Plan outcomes, outputs and indicators"))
    e.add(scheme, N.rdfs.label, t.text("UN Women Strategic Plan outcomes, outputs and indicators"))
    for code, (_kind, title) in sorted(gazetteer.sp_codes.items()):
        _sp_concept(e, iris, code, title)
        parent = _sp_parent(code)
        if parent and parent not in gazetteer.sp_codes:
            _sp_concept(e, iris, parent, None)
    for code in list(gazetteer.sp_codes):
        parent = _sp_parent(code)
        if parent:
            e.add(n(iris.sp(parent)), N.skos.narrower, n(iris.sp(code)))
    return NamedGraph(e.graph, e.triples + codelist_triples(iris))


def codelist_triples(iris: IRIs) -> list[Triple]:
    """The IATI codelists we bundle, as SKOS concept schemes (for the reference graph)."""
    e = Emitter(n(iris.graph(REFERENCE_GRAPH)))
    for key, scheme in codelists.SCHEMES.items():
        sch = n(iris.scheme(key))
        e.add(sch, N.rdf.type, N.skos.ConceptScheme)
        label = f"IATI {scheme.label} codelist" + (f" ({scheme.owner})" if scheme.owner != "IATI" else "")
        e.add(sch, N.skos.prefLabel, t.text(label))
        e.add(sch, N.rdfs.label, t.text(label))
        e.add(sch, N.dcterms.source, n(scheme.url))
        e.add(sch, N.dcterms.license, n("https://creativecommons.org/licenses/by/4.0/"))
        e.add(sch, N.dcterms.rights, t.text('IATI Standard (http://iatistandard.org/), CC BY 4.0' +
                                    (f"; the list is the {scheme.owner}'s" if scheme.owner != "IATI" else "")))
        for code in codelists.load(key).codes.values():
            c = n(iris.code(key, code.code))
            e.add(c, N.rdf.type, N.skos.Concept)
            e.add(c, N.skos.notation, t.plain(code.code))
            e.add(c, N.skos.prefLabel, t.text(code.name))
            e.add(c, N.rdfs.label, t.text(code.name))
            e.add(c, N.skos.inScheme, sch)
            e.add(c, N.skos.topConceptOf, sch)
            if code.withdrawn:
                e.add(c, N.owl.deprecated, t.boolean(True))
    return e.triples



class ReportMapper:
    """Maps one report and its extracted facts into the report's named graph."""

    def __init__(self, report: ReportRecord, iris: IRIs, ref: ReferenceData) -> None:
        self.r = report
        self.iris = iris
        self.ref = ref
        self.key = report.key
        self.e = Emitter(n(iris.report_graph(report.key)))
        self.report = n(iris.report(report.key))
        self._findings = 0
        self._described: set[str] = set()

    # ---- provenance -------------------------------------------------------------
    def span(self, start: int, end: int, sentence: tuple[int, int] | None = None) -> NamedNode:
        iri = self.iris.span(self.key, start, end)
        s = n(iri)
        if iri in self._described:
            return s
        self._described.add(iri)
        e = self.e
        e.add(s, N.rdf.type, N.rkg.TextSpan)
        e.add(s, N.oa.hasSource, self.report)
        pos = n(self.iris.selector(self.key, start, end, "position"))
        quote = n(self.iris.selector(self.key, start, end, "quote"))
        e.add(s, N.oa.hasSelector, pos)
        e.add(pos, N.rdf.type, N.oa.TextPositionSelector)
        e.add(pos, N.oa.start, t.nni(start))
        e.add(pos, N.oa.end, t.nni(end))
        e.add(s, N.oa.hasSelector, quote)
        e.add(quote, N.rdf.type, N.oa.TextQuoteSelector)
        e.add(quote, N.oa.exact, t.plain(self.r.text[start:end]))
        e.add(quote, N.oa.prefix, t.plain(self.r.text[max(0, start - _QUOTE_CONTEXT) : start]))
        e.add(quote, N.oa.suffix, t.plain(self.r.text[end : end + _QUOTE_CONTEXT]))
        if sentence and sentence != (start, end):
            e.add(s, N.rkg.sentence, self.span(*sentence))
        return s

    def evidence(self, ev: Evidence) -> NamedNode:
        return self.span(ev.span[0], ev.span[1], ev.sentence)

    def finding(self, type_: str, message: str, target: NamedNode, span: tuple[int, int]) -> None:
        self._findings += 1
        source = self.span(*span)
        finding_triples(self.e, n(self.iris.finding(self.key, self._findings - 1)),
                        n(self.iris.finding_body(self.key, self._findings - 1)), type_, message, target,
                        self.report, source)

    # ---- entities ---------------------------------------------------------------
    def _ensure_place(self, key: str) -> None:
        for p in self.ref.gazetteer.lineage(key):
            if p.key in self.ref.place_keys or p.key in self._described:
                continue
            self._described.add(p.key)
            with self.e.sharing():
                _place(self.e, self.iris, p)

    def map_report(self) -> None:
        with self.e.sharing():  # the report node is the source of the shared nodes' spans
            self._map_report()

    def _map_report(self) -> None:
        r, e = self.r, self.e
        e.add(self.report, N.rdf.type, N.rkg.Report)
        label = r.title or f"Progress in {r.country.name} in {r.year}"
        e.add(self.report, N.rdfs.label, t.text(label))
        if r.title:
            e.add(self.report, N.dcterms.title, t.text(r.title))
        e.add(self.report, N.rkg.country, n(self.iris.place(r.country.alpha2)))
        self._ensure_place(r.country.alpha2)
        e.add(self.report, N.rkg.year, t.gyear(r.year))
        if r.data_as_of:
            e.add(self.report, N.rkg.dataAsOf, t.xsd_date(r.data_as_of))
        if self.ref.gazetteer.reporting_org:
            e.add(self.report, N.dcterms.publisher, n(self.iris.org(self.ref.gazetteer.reporting_org.key)))
        e.add(self.report, N.rkg.sourceFile, t.plain(Path(r.source).name))
        e.add(self.report, N.rkg.sha256, t.plain(r.sha256))

    def map_section(self, sec: OutcomeSection, facts: SectionFacts) -> None:
        e, iris, r = self.e, self.iris, self.r
        statement = strip_alignment(sec.statement)
        outcome = n(iris.outcome(sec.identifier, statement))
        note = n(iris.note(self.key, sec.identifier))
        short = sec.identifier.split("-")[-1]
        with e.sharing():
            e.add(outcome, N.rdf.type, N.rkg.Outcome)
            e.add(outcome, N.dcterms.identifier, t.plain(sec.identifier))
            e.add(outcome, N.rdfs.label, t.text(f"{short}: {statement[:90]}{'…' if len(statement) > 90 else ''}"))
            e.add(outcome, N.rkg.statement, t.text(statement))
            e.add(outcome, N.rkg.office, t.plain(sec.office))
            e.add(outcome, N.prov.wasDerivedFrom, self.span(*sec.statement_span))
            al = facts.alignment
            if al is not None:
                # the outcome may be aligned differently in reports of different plan periods; each
                # note says which alignment its report gives and whether it was inferred
                e.add(outcome, N.rkg.alignedTo, n(iris.sp(al.code)))
            if al is not None and al.code not in self.ref.sp_codes and al.code not in self._described:
                self._described.add(al.code)
                _sp_concept(e, iris, al.code, al.title)
                parent = _sp_parent(al.code)
                if parent and parent not in self.ref.sp_codes and parent not in self._described:
                    self._described.add(parent)
                    _sp_concept(e, iris, parent, None)

        e.add(note, N.rdf.type, N.rkg.ProgressNote)
        if al is not None:
            e.add(note, N.rkg.alignedTo, n(iris.sp(al.code)))
            e.add(note, N.rkg.alignmentInferred, t.boolean(al.inferred))
        e.add(note, N.rdfs.label, t.text(f"{short} in {r.year} ({r.country.name})"))
        e.add(note, N.dcterms.identifier, t.plain(sec.identifier))
        e.add(note, N.rkg.about, outcome)
        e.add(note, N.rkg.reportedIn, self.report)
        e.add(note, N.rkg.year, t.gyear(r.year))
        e.add(note, N.rkg.status, n(STATUS[facts.status.status]))
        if facts.status.evidence:
            e.add(note, N.rkg.statusEvidence, self.evidence(facts.status.evidence))
        if sec.narrative.text:
            e.add(note, N.rkg.narrative, t.text(sec.narrative.text))
        e.add(note, N.prov.wasDerivedFrom, self.span(*sec.span))

        for key, org in facts.discovered.items():
            if key not in self._described:
                self._described.add(key)
                first = next(m for m in facts.mentions if m.kind == "org" and m.key == key)
                with e.sharing():
                    _org(e, iris, org)  # type: ignore[arg-type]
                    e.add(n(iris.org(key)), N.prov.wasDerivedFrom, self.evidence(first.evidence))
        for m in facts.mentions:
            target = n(iris.org(m.key)) if m.kind == "org" else n(iris.place(m.key))
            if m.kind == "place":
                self._ensure_place(m.key)
            mention = n(iris.mention(self.key, sec.identifier, m.evidence.span[0]))
            e.add(note, N.rkg.mention, mention)
            e.add(mention, N.rdf.type, N.rkg.Mention)
            e.add(mention, N.rkg.refersTo, target)
            e.add(mention, N.rdfs.label, t.text(r.text[m.evidence.span[0] : m.evidence.span[1]], None))
            e.add(mention, N.prov.wasDerivedFrom, self.evidence(m.evidence))
            e.add(note, N.rkg.partner if m.kind == "org" else N.rkg.place, target)

        fig_nodes = [n(iris.figure(self.key, sec.identifier, f.index)) for f in facts.figures]
        for f, fn in zip(facts.figures, fig_nodes):
            e.add(note, N.rkg.figure, fn)
            e.add(fn, N.rdf.type, N.rkg.Figure)
            words = f"{f.source_text} {f.counts}" if f.unit not in _UNIT_WORD else \
                f"{f.source_text} {_UNIT_WORD[f.unit]} {f.counts}"
            e.add(fn, N.rdfs.label, t.text(words.strip()))
            if f.value is not None:
                e.add(fn, N.rdf.value, t.number(f.value))
            e.add(fn, N.rkg.sourceText, t.plain(f.source_text))
            e.add(fn, N.rkg.unit, n(UNIT[f.unit]))
            if f.counts:
                e.add(fn, N.rkg.counts, t.text(f.counts))
            if f.sex:
                e.add(fn, N.rkg.sex, n(SEX[f.sex]))
            for pk in f.places:
                self._ensure_place(pk)
                e.add(fn, N.rkg.place, n(iris.place(pk)))
            if f.part_of is not None:
                e.add(fn, N.rkg.partOf, fig_nodes[f.part_of])
                e.add(fn, N.rkg.breakdown, n(BREAKDOWN[f.breakdown or "category"]))
            if f.share_of is not None:
                e.add(fn, N.rkg.shareOf, fig_nodes[f.share_of])
            e.add(fn, N.prov.wasDerivedFrom, self.evidence(f.evidence))

        for fd in facts.findings:
            if fd.target == "outcome":
                target = outcome
            elif fd.target.startswith("figure:"):
                target = fig_nodes[int(fd.target.split(":", 1)[1])]
            else:
                target = note
            self.finding(fd.type, fd.message, target, fd.span)


_UNIT_WORD = {"XOF": "XOF", "hectare": "ha", "percent": "%"}


def map_report(report: ReportRecord, facts: list[SectionFacts], iris: IRIs, ref: ReferenceData) -> NamedGraph:
    m = ReportMapper(report, iris, ref)
    m.map_report()
    for sec, f in zip(report.sections, facts):
        m.map_section(sec, f)
    return NamedGraph(m.e.graph, m.e.triples, m.e.shared)
