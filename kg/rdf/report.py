"""A report's records and extracted facts as RDF: its graph, one per report (mirrors ``kg/read/report.py``)."""
from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, Triple

from kg.extract import Evidence, SectionFacts, strip_alignment
from kg.rdf import terms as t
from kg.rdf.graph import Emitter, NamedGraph, finding_triples
from kg.rdf.reference import (
    ReferenceData,
    currency_triples,
    org_triples,
    place_triples,
    sp_concept_triples,
    sp_parent,
    untitled_label,
)
from kg.rdf.terms import n
from kg.read.report import OutcomeSection, ReportRecord
from kg.text import shorten
from kg.uris import IRIs
from kg.vocab import CITED, PARTNER_ROLES, N

STATUS = {"achieved": N.rkg.Achieved, "partially-achieved": N.rkg.PartiallyAchieved,
          "not-achieved": N.rkg.NotAchieved, "on-track": N.rkg.OnTrack, "delayed": N.rkg.Delayed,
          "not-stated": N.rkg.StatusNotStated}
# units that are concepts of the ontology; any other unit is an ISO 4217 currency code (kg.rdf.reference)
UNIT = {"people": N.rkg.People, "count": N.rkg.Count, "hectare": N.rkg.Hectare, "percent": N.rkg.Percent}
RESULT_KIND = {"D": N.rkg.DevelopmentResult, "O": N.rkg.OrganisationalEffectivenessResult}
ROLE = {key: getattr(N.rkg, term) for key, term in PARTNER_ROLES.items()}
BREAKDOWN = {"sex": N.rkg.BySex, "place": N.rkg.ByPlace, "category": N.rkg.ByCategory, "subset": N.rkg.Subset}
SEX = {"F": getattr(N.sdmx_code, "sex-F"), "M": getattr(N.sdmx_code, "sex-M")}

_QUOTE_CONTEXT = 32


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
        self.untitled: list[tuple[str, tuple[int, int]]] = []  # (code, where the alignment was read)
        self._shared_spans: set[str] = set()
        self._span_triples: dict[str, list[Triple]] = {}  # a span's own triples, to share them later

    # ---- provenance -------------------------------------------------------------
    def span(self, start: int, end: int, sentence: tuple[int, int] | None = None) -> NamedNode:
        iri = str(self.iris.span(self.key, start, end))
        s = n(iri)
        if iri in self._described:
            if self.e.is_sharing() and iri not in self._shared_spans:
                # described before for the report alone; a shared node now derives from it, so the
                # cross-report check needs its description (and its sentence's) too
                self._shared_spans.add(iri)
                own = self._span_triples[iri]
                self.e.share(own)
                for tr in own:
                    if tr.subject == s and tr.predicate == N.rkg.sentence:
                        self.span(*self._span_of(tr.object.value))
            return s
        self._described.add(iri)
        if self.e.is_sharing():
            self._shared_spans.add(iri)
        e = self.e
        first = len(e.triples)
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
            sentence_node = self.span(*sentence)
            e.add(s, N.rkg.sentence, sentence_node)
        self._span_triples[iri] = [tr for tr in e.triples[first:] if tr.subject.value.split("#", 1)[0] == iri]
        return s

    def _span_of(self, iri: str) -> tuple[int, int]:
        parsed = self.iris.parse(iri)
        assert parsed is not None and parsed.kind == "span"
        a, b = parsed.keys[1].split("-")
        return int(a), int(b)

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
                place_triples(self.e, self.iris, p)

    def _unit(self, unit: str) -> NamedNode:
        if unit in UNIT:
            return UNIT[unit]
        node = n(self.iris.currency(unit))
        if unit not in self._described:
            self._described.add(unit)
            with self.e.sharing():
                currency_triples(self.e, self.iris, unit)
        return node

    def map_report(self) -> None:
        with self.e.sharing():  # the report node is the source of the shared nodes' spans
            self._map_report()

    def _map_report(self) -> None:
        r, e = self.r, self.e
        e.add(self.report, N.rdf.type, N.rkg.Report)
        label = r.title or f"Progress in {r.where} in {r.year}"
        e.add(self.report, N.rdfs.label, t.text(label))
        if r.title:
            e.add(self.report, N.dcterms.title, t.text(r.title))
        if r.office is not None:
            e.add(self.report, N.rkg.office, t.plain(r.office.code))
        if r.country is not None:
            e.add(self.report, N.rkg.country, n(self.iris.place(r.country.alpha2)))
            self._ensure_place(r.country.alpha2)
        e.add(self.report, N.rkg.year, t.gyear(r.year))
        if r.data_as_of:
            e.add(self.report, N.rkg.dataAsOf, t.xsd_date(r.data_as_of))
        if self.ref.gazetteer.reporting_org:
            e.add(self.report, N.dcterms.publisher, n(self.iris.org(self.ref.gazetteer.reporting_org.key)))
        e.add(self.report, N.rkg.sourceFile, t.plain(Path(r.source).name))
        e.add(self.report, N.rkg.sha256, t.plain(r.sha256))
        for d in r.damage:  # a section left out is said on the report, with the damaged heading as source
            self.finding(d.kind, d.detail, self.report, d.span)

    def map_section(self, sec: OutcomeSection, facts: SectionFacts) -> None:
        e, iris, r = self.e, self.iris, self.r
        statement = strip_alignment(sec.statement)
        outcome = n(iris.outcome(sec.identifier, statement))
        note = n(iris.note(self.key, sec.identifier))
        short = sec.identifier.split("-")[-1]
        untitled = False  # this report is the first to align an outcome with a code nobody titled
        with e.sharing():
            e.add(outcome, N.rdf.type, N.rkg.Outcome)
            e.add(outcome, N.dcterms.identifier, t.plain(sec.identifier))
            e.add(outcome, N.rdfs.label, t.text(f"{short}: {shorten(statement, 90)}"))
            e.add(outcome, N.rkg.statement, t.text(statement))
            if sec.label:
                e.add(outcome, N.skos.altLabel, t.text(sec.label))
            e.add(outcome, N.rkg.office, t.plain(sec.office))
            e.add(outcome, N.rkg.resultKind, RESULT_KIND[sec.kind])
            e.add(outcome, N.prov.wasDerivedFrom, self.span(*sec.statement_span))
            al = facts.alignment
            if al is not None:
                # the outcome may be aligned differently in reports of different plan periods; each
                # note says which alignment its report gives and whether it was inferred
                e.add(outcome, N.rkg.alignedTo, n(iris.sp(al.code)))
            if al is not None and al.code not in self.ref.sp_codes and al.code not in self._described:
                self._described.add(al.code)
                sp_concept_triples(e, iris, al.code, al.title)
                untitled = al.title is None
                parent = sp_parent(al.code)
                if parent and parent not in self.ref.sp_codes and parent not in self._described:
                    self._described.add(parent)
                    sp_concept_triples(e, iris, parent, None)

        if al is not None and untitled:  # said after the sections' findings, so their numbers (IRIs) stay put
            self.untitled.append((al.code, al.span or sec.heading_span))
        e.add(note, N.rdf.type, N.rkg.ProgressNote)
        if al is not None:
            e.add(note, N.rkg.alignedTo, n(iris.sp(al.code)))
            e.add(note, N.rkg.alignmentInferred, t.boolean(al.inferred))
        e.add(note, N.rdfs.label, t.text(f"{short} in {r.year} ({r.where})"))
        e.add(note, N.dcterms.identifier, t.plain(sec.identifier))
        e.add(note, N.rkg.about, outcome)
        e.add(note, N.rkg.reportedIn, self.report)
        e.add(note, N.rkg.year, t.gyear(r.year))
        e.add(note, N.rkg.status, STATUS[facts.status.status])
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
                    org_triples(e, iris, org)  # type: ignore[arg-type]
                    e.add(n(iris.org(key)), N.prov.wasDerivedFrom, self.evidence(first.evidence))
        for m in facts.mentions:
            target = n(iris.org(m.key)) if m.kind == "org" else n(iris.sdg(m.key)) if m.kind == "sdg" else \
                n(iris.un_document(m.key)) if m.kind == "resolution" else n(iris.place(m.key))
            if m.kind in ("sdg", "resolution") and f"{m.kind}:{m.key}" not in self._described:
                self._described.add(f"{m.kind}:{m.key}")
                with e.sharing():  # a label for pages and clients; the SDG system and the UN describe the rest
                    e.add(target, N.rdfs.label, t.text(_cited_label(m.kind, m.key)))
            if m.kind == "place":
                self._ensure_place(m.key)
                place = self.ref.gazetteer.places[m.key]
                if place.discovered and f"evidence:{m.key}" not in self._described:
                    self._described.add(f"evidence:{m.key}")  # a discovered place comes from its first mention
                    with e.sharing():
                        e.add(target, N.prov.wasDerivedFrom, self.evidence(m.evidence))
            mention = n(iris.mention(self.key, sec.identifier, m.evidence.span[0]))
            e.add(note, N.rkg.mention, mention)
            e.add(mention, N.rdf.type, N.rkg.Mention)
            e.add(mention, N.rkg.refersTo, target)
            e.add(mention, N.rdfs.label, t.text(r.text[m.evidence.span[0] : m.evidence.span[1]], None))
            e.add(mention, N.prov.wasDerivedFrom, self.evidence(m.evidence))
            if m.role is not None and m.role_evidence is not None:
                e.add(mention, N.rkg.partnerRole, ROLE[m.role])
                e.add(mention, N.rkg.roleEvidence, self.evidence(m.role_evidence))
            e.add(note, _MENTION_LINK[m.kind], target)

        fig_nodes = [n(iris.figure(self.key, sec.identifier, f.index)) for f in facts.figures]
        for f, fn in zip(facts.figures, fig_nodes):
            e.add(note, N.rkg.figure, fn)
            e.add(fn, N.rdf.type, N.rkg.Figure)
            unit_word = _UNIT_WORD.get(f.unit, f.unit if f.unit not in UNIT else None)
            words = f"{f.source_text} {f.counts}" if unit_word is None else f"{f.source_text} {unit_word} {f.counts}"
            e.add(fn, N.rdfs.label, t.text(words.strip()))
            if f.value is not None:
                e.add(fn, N.rdf.value, t.number(f.value))
            e.add(fn, N.rkg.sourceText, t.plain(f.source_text))
            e.add(fn, N.rkg.unit, self._unit(f.unit))
            if f.counts:
                e.add(fn, N.rkg.counts, t.text(f.counts))
            if f.sex:
                e.add(fn, N.rkg.sex, SEX[f.sex])
            for pk in f.places:
                self._ensure_place(pk)
                e.add(fn, N.rkg.place, n(iris.place(pk)))
            if f.part_of is not None:
                e.add(fn, N.rkg.partOf, fig_nodes[f.part_of])
                e.add(fn, N.rkg.breakdown, BREAKDOWN[f.breakdown or "category"])
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


# what a note says of what its narrative names: its partners, places, subjects (SDGs), references (resolutions)
_MENTION_LINK = {"org": N.rkg.partner, "place": N.rkg.place,
                 **{kind: n(str(prop)) for kind, (prop, _) in CITED.items()}}


def _cited_label(kind: str, key: str) -> str:
    if kind == "resolution":  # "S/RES/1325(2000)"
        number, year = key[len("S/RES/"):].rstrip(")").split("(")
        return f"Security Council resolution {number} ({year})"
    level = ("goal", "target", "indicator")[key.count(".")]
    return f"SDG {key}" if level == "goal" else f"SDG {level} {key}"


_UNIT_WORD = {"hectare": "ha", "percent": "%"}



def map_report(report: ReportRecord, facts: list[SectionFacts], iris: IRIs, ref: ReferenceData) -> NamedGraph:
    m = ReportMapper(report, iris, ref)
    m.map_report()
    for sec, f in zip(report.sections, facts):
        m.map_section(sec, f)
    for code, span in m.untitled:
        m.finding("untitled-concept", f"{code} has no title in data/sp_codes.tsv and this report gives none; it is "
                  f"labelled '{untitled_label(code)}' from its code", n(iris.sp(code)), span)
    return NamedGraph(m.e.graph, m.e.triples, m.e.shared)
