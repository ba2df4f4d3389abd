"""Reading what a page shows from one snapshot: labels, values, quotes, findings, table rows.

A ``Reader`` answers with triple-pattern lookups and fixed queries (values bound, never
spliced into query text), remembering labels for the page's lifetime. Entity pages,
their sections and the IATI pages all read through it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kg.store.index import IndexedNote
from kg.uris import ONTOLOGY
from kg.vocab import PARTNER_ROLES, N
from web.urls import Urls
from web.views.model import (
    FigureRow,
    Finding,
    NoteRow,
    Quote,
    Role,
    Value,
    compact,
    format_number,
    local_name,
    natural,
    short_sp,
)

ROLE_ORDER = list(PARTNER_ROLES)  # the order the scheme lists them
LONG_TEXT = 200  # literals longer than this are shown as a paragraph
LONG_QUOTE = 600  # quotes longer than this are folded away (<details>)
ONTOLOGY_GRAPH = ox.NamedNode(ONTOLOGY)  # the named graph the ontology is published in
_XSD_STRING = N.xsd.string.value
_RDF_LANG_STRING = N.rdf.langString.value


class Reader:
    """Reads what one page shows from one snapshot (labels are remembered for the page's lifetime)."""

    def __init__(self, snapshot: Any, urls: Urls) -> None:
        self.snap = snapshot
        self.urls = urls
        self.iris = urls.iris
        self._labels: dict[str, str] = {}
        self._prop_labels: dict[str, str] = {}
        self._outgoing: dict[Any, dict[ox.NamedNode, list[Any]]] = {}

    # -- small lookups --
    def objects(self, s: Any, p: ox.NamedNode, graph: ox.NamedNode | None = None) -> list[Any]:
        seen: dict[Any, None] = {}
        for q in self.snap.quads(s, p, None, graph):
            seen.setdefault(q.object, None)
        return list(seen)

    def subjects(self, p: ox.NamedNode, o: Any) -> list[Any]:
        seen: dict[Any, None] = {}
        for q in self.snap.quads(None, p, o, None):
            seen.setdefault(q.subject, None)
        return list(seen)

    def one(self, s: Any, p: ox.NamedNode) -> Any:
        for q in self.snap.quads(s, p, None, None):
            return q.object
        return None

    def text(self, s: Any, p: ox.NamedNode, graph: ox.NamedNode | None = None) -> str | None:
        """The literal value of ``s p ?``, preferring English or untagged text."""
        return best_text(self.objects(s, p, graph))

    def outgoing(self, s: Any) -> dict[ox.NamedNode, list[Any]]:
        """Everything ``s`` says, by property, in one lookup (remembered for the page): a table row
        reads a dozen properties of one resource, and one scan of its triples beats a lookup each."""
        cached = self._outgoing.get(s)
        if cached is None:
            cached = {}
            for q in self.snap.quads(s, None, None, None):
                values = cached.setdefault(q.predicate, [])
                if q.object not in values:
                    values.append(q.object)
            self._outgoing[s] = cached
        return cached

    def integer(self, s: Any, p: ox.NamedNode) -> int | None:
        o = self.one(s, p)
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
        node = ox.NamedNode(iri)
        kind = self.kind(iri)
        text = self.text(node, N.skos.prefLabel) or self.text(node, N.rdfs.label)
        if kind == "sp":
            notation = self.text(node, N.skos.notation)
            if notation and text and notation != text:
                text = f"{notation}: {text}"
            text = text or notation
        if not text and kind == "span":
            exact = self.span_exact(node)
            if exact is not None:
                text = "“" + (exact if len(exact) <= 80 else exact[:79] + "…") + "”"
        if not text:
            text = self.text(node, N.skos.notation) or self.text(node, N.dcterms.identifier)
        if not text:
            path = self.urls.entity(iri)
            text = compact(iri) or (iri[len(self.iris.base):] if path else iri)
        self._labels[iri] = text
        return text

    def prop_label(self, iri: str) -> str:
        """A property's rdfs:label from the ontology graph, else its local name in words ("wasDerivedFrom":
        "was derived from"), so a page never mixes words with camelCase."""
        cached = self._prop_labels.get(iri)
        if cached is None:
            cached = self.text(ox.NamedNode(iri), N.rdfs.label, ONTOLOGY_GRAPH) or words(local_name(iri))
            self._prop_labels[iri] = cached
        return cached

    def value(self, term: Any) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(self.label(term.value), iri=term.value, href=self.urls.href(term.value),
                         curie=compact(term.value))
        if isinstance(term, ox.Literal):
            dt = term.datatype.value if term.datatype else None
            shown = None if term.language or dt in (None, _XSD_STRING, _RDF_LANG_STRING) else compact(dt) or dt
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
        return self._noted(terms, N.rkg.placeType)

    def orgs(self, terms: Iterable[Any]) -> list[Value]:
        """Organisations sorted by name, each with its kind (donor, government, civil society...)."""
        return self._noted(terms, N.rkg.organisationKind)

    def partners(self, notes: Iterable[Any]) -> list[Value]:
        """The notes' partners (sorted by name, with their kind), each with the roles the notes' words state:
        a role is read per mention, so one partner may fund one passage and be supported in another."""
        notes = list(notes)
        out = self.orgs({o for n in notes for o in self.objects(n, N.rkg.partner)})
        by_iri = {v.iri: v for v in out}
        for n in notes:
            for m in self.objects(n, N.rkg.mention):
                role = self.one(m, N.rkg.partnerRole)
                target, cue = self.one(m, N.rkg.refersTo), self.one(m, N.rkg.roleEvidence)
                partner = by_iri.get(target.value) if isinstance(target, ox.NamedNode) else None
                if partner is None or not isinstance(role, ox.NamedNode) or cue is None:
                    continue
                key = self.text(role, N.skos.notation) or local_name(role.value)
                if all(r.key != key for r in partner.roles):
                    partner.roles.append(Role(key, self.label(role.value), self.value(role).href,
                                              self.span_exact(cue) or ""))
        for v in out:
            v.roles.sort(key=lambda r: ROLE_ORDER.index(r.key) if r.key in ROLE_ORDER else len(ROLE_ORDER))
        return out

    def _noted(self, terms: Iterable[Any], prop: ox.NamedNode) -> list[Value]:
        """Values sorted by name, each noted with the label of its ``prop`` (a type or a kind)."""
        out = self.values(terms)
        for v in out:
            note = self.one(ox.NamedNode(v.iri), prop) if v.iri else None
            if isinstance(note, ox.NamedNode):
                v.note = self.label(note.value)
        return out

    # -- entity page --

    def span_exact(self, span: Any) -> str | None:
        for sel in self.objects(span, N.oa.hasSelector):
            exact = self.text(sel, N.oa.exact)
            if exact is not None:
                return exact
        return None

    def span_parts(self, span: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for sel in self.objects(span, N.oa.hasSelector):
            for key, prop in (("exact", N.oa.exact), ("prefix", N.oa.prefix), ("suffix", N.oa.suffix)):
                text = self.text(sel, prop)
                if text is not None:
                    out.setdefault(key, text)
            for key, prop in (("start", N.oa.start), ("end", N.oa.end)):
                n = self.integer(sel, prop)
                if n is not None:
                    out.setdefault(key, n)
        return out

    def quote(self, span: Any, role: str) -> Quote | None:
        """The sentence around a span with the span marked (or its own text with context)."""
        parts = self.span_parts(span)
        exact = parts.get("exact")
        if exact is None:
            return None
        start, end = parts.get("start"), parts.get("end")
        before, after = "", ""
        sentence = self.one(span, N.rkg.sentence)
        placed = False
        if sentence is not None and sentence != span:
            sp = self.span_parts(sentence)
            text, s_start = sp.get("exact"), sp.get("start")
            if text is not None:
                at = start - s_start if start is not None and s_start is not None else -1
                if not (at >= 0 and text[at:at + len(exact)] == exact):
                    at = text.find(exact)
                if at >= 0:
                    before, after = text[:at], text[at + len(exact):]
                    placed = True
        if not placed:
            before = ("…" + parts["prefix"]) if parts.get("prefix") else ""
            after = (parts["suffix"] + "…") if parts.get("suffix") else ""
        source = self.one(span, N.oa.hasSource)
        return Quote(role, before, exact, after, start, end, self.value(span),
                     self.value(source) if source is not None else None,
                     long=len(before) + len(exact) + len(after) > LONG_QUOTE)
    def finding(self, f: Any) -> Finding:
        body = self.one(f, N.oa.hasBody)
        message = (self.text(body, N.rdf.value) if body is not None else None) or self.text(f, N.rdfs.label) or ""
        ftype, dim, target = self.one(f, N.rkg.findingType), self.one(f, N.dqv.inDimension), self.one(f, N.oa.hasTarget)
        return Finding(f.value, self.urls.href(f.value), message,
                       self.value(ftype) if ftype is not None else None,
                       self.value(dim) if dim is not None else None,
                       self.value(target) if target is not None else None)

    def findings_about(self, nodes: Iterable[Any]) -> list[Finding]:
        found: dict[Any, None] = {}
        for node in nodes:
            for f in self.subjects(N.oa.hasTarget, node) + self.objects(node, N.dqv.hasQualityAnnotation):
                if isinstance(f, ox.NamedNode):
                    found.setdefault(f, None)
        return sorted((self.finding(f) for f in found), key=lambda x: natural(x.iri))

    # -- rows --
    def note_row(self, note: Any) -> NoteRow:
        says = self.outgoing(note)
        outcome, report, status, inferred = (first(says.get(p)) for p in (
            N.rkg.about, N.rkg.reportedIn, N.rkg.status, N.rkg.alignmentInferred))
        country = first(self.outgoing(report).get(N.rkg.country)) if report is not None else None
        identifier = (best_text(says.get(N.dcterms.identifier, ()))
                      or (best_text(self.outgoing(outcome).get(N.dcterms.identifier, ())) if outcome else None) or "")
        status_key = ""
        if status is not None:
            code = self.text(status, N.skos.notation) or local_name(status.value)
            status_key = re.sub(r"[^a-z-]", "", code.lower())
        return NoteRow(
            note=self.value(note), outcome=self.value(outcome) if outcome is not None else None,
            identifier=identifier, year=best_text(says.get(N.rkg.year, ())) or "",
            report=self.value(report) if report is not None else None,
            country=self.value(country) if country is not None else None,
            status=self.value(status) if status is not None else None, status_key=status_key,
            alignments=[short_sp(self.value(a)) for a in says.get(N.rkg.alignedTo, ())],
            inferred=isinstance(inferred, ox.Literal) and inferred.value == "true",
            partners=len(says.get(N.rkg.partner, ())), places=len(says.get(N.rkg.place, ())),
            figures=len(says.get(N.rkg.figure, ())),
        )

    def indexed_note_row(self, n: IndexedNote) -> NoteRow:
        """A note's row from the browse index (long lists): the same row as ``note_row``, with only the
        labels read from the graph."""
        status = ox.NamedNode(n.status) if n.status else None
        status_key = ""
        if status is not None:
            code = self.text(status, N.skos.notation) or local_name(status.value)
            status_key = re.sub(r"[^a-z-]", "", code.lower())
        return NoteRow(
            note=self.value(ox.NamedNode(n.iri)), outcome=self.iri_value(n.outcome), identifier=n.identifier,
            year=n.year, report=self.iri_value(n.report), country=self.iri_value(n.country),
            status=self.iri_value(n.status), status_key=status_key,
            alignments=[short_sp(self.value(ox.NamedNode(a))) for a in n.alignments], inferred=n.inferred,
            partners=n.partners, places=n.places, figures=n.figures,
        )

    def iri_value(self, iri: str | None) -> Value | None:
        return self.value(ox.NamedNode(iri)) if iri else None

    def figure_row(self, f: Any) -> FigureRow:
        number = self.one(f, N.rdf.value)
        unit, sex, part_of, breakdown = (self.one(f, p) for p in (N.rkg.unit, N.rkg.sex, N.rkg.partOf, N.rkg.breakdown))
        spans = self.objects(f, N.prov.wasDerivedFrom)
        return FigureRow(
            figure=self.value(f), number=format_number(number.value) if isinstance(number, ox.Literal) else "",
            source_text=self.text(f, N.rkg.sourceText) or "",
            unit=self.value(unit) if unit is not None else None, sex=self.value(sex) if sex is not None else None,
            counts=self.text(f, N.rkg.counts) or "", places=self.values(self.objects(f, N.rkg.place)),
            part_of=self.value(part_of) if part_of is not None else None,
            breakdown=self.value(breakdown) if breakdown is not None else None,
            quote=self.quote(spans[0], "Read from") if spans else None, findings=self.findings_about([f]),
        )

    def value_or_none(self, term: Any) -> Value | None:
        return self.value(term) if term is not None else None

    def context_line(self, iri: str) -> str:
        """A few words that tell apart entities of the same name (a search hit): type and parent."""
        node = ox.NamedNode(iri)
        kind = self.kind(iri)
        if kind == "place":
            ptype = self.one(node, N.rkg.placeType)
            parent = self.one(node, N.rkg.within)
            words = self.label(ptype.value) if isinstance(ptype, ox.NamedNode) else "Place"
            return f"{words} in {self.label(parent.value)}" if isinstance(parent, ox.NamedNode) else words
        if kind == "org":
            okind = self.one(node, N.rkg.organisationKind)
            return self.label(okind.value) if isinstance(okind, ox.NamedNode) else ""
        if kind == "note":
            status = self.one(node, N.rkg.status)
            return self.label(status.value) if isinstance(status, ox.NamedNode) else ""
        if kind == "report":
            return self.text(node, N.rkg.year) or ""
        return ""


def first(values: Iterable[Any] | None) -> Any:
    """The first of a property's values, or None."""
    return next(iter(values), None) if values else None


def best_text(values: Iterable[Any]) -> str | None:
    """The value of the English or untagged literal among ``values`` (the least, for a stable choice)."""
    best: tuple[int, str] | None = None
    for o in values:
        if not isinstance(o, ox.Literal):
            continue
        lang = (o.language or "").lower()
        rank = 0 if lang in ("", "en") or lang.startswith("en-") else 1
        if best is None or (rank, o.value) < best:
            best = (rank, o.value)
    return best[1] if best else None


def words(name: str) -> str:
    """A camelCase or snake_case name as words: "hasSelector" -> "has selector", "iso3166Code" -> "iso3166 code"."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|_", " ", name)
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in spaced.split())
