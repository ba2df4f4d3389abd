"""The shape every mapper writes into: an emitter of triples, a named graph, and quality findings.

Shared by the report mapper (``kg.rdf.report``) and the IATI mapper (``kg.rdf.iati``).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Triple

from kg.rdf import terms as t
from kg.uris import IRIs
from kg.vocab import N

FINDING = {"inferred-alignment": (N.rkg.InferredAlignment, N.rkg.Completeness),
           "duplicate-passage": (N.rkg.DuplicatePassage, N.rkg.Uniqueness),
           "rejoined-paragraph": (N.rkg.RejoinedParagraph, N.rkg.Consistency),
           "empty-narrative": (N.rkg.EmptyNarrative, N.rkg.Completeness),
           "long-statement": (N.rkg.LongStatement, N.rkg.Completeness),
           "cut-heading": (N.rkg.CutHeading, N.rkg.Completeness),
           "unread-status": (N.rkg.UnreadStatus, N.rkg.Completeness),
           "untitled-concept": (N.rkg.UntitledConcept, N.rkg.Completeness),
           "malformed-number": (N.rkg.MalformedNumber, N.rkg.Accuracy),
           "glued-number": (N.rkg.GluedNumber, N.rkg.Accuracy),
           "parts-do-not-add-up": (N.rkg.PartsDoNotAddUp, N.rkg.Consistency),
           "share-mismatch": (N.rkg.ShareMismatch, N.rkg.Consistency),
           # IATI files (kg/rdf/iati.py)
           "unknown-code": (N.rkg.UnknownCode, N.rkg.Consistency),
           "missing-value": (N.rkg.MissingValue, N.rkg.Completeness)}


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

    def is_sharing(self) -> bool:
        return self._sharing

    def share(self, triples: list[Triple]) -> None:
        """Also list already-emitted triples as shared (a shared node came to depend on them)."""
        have = set(self.shared)
        self.shared.extend(t for t in triples if t not in have)

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
    e.add(f, N.rkg.findingType, ftype)
    e.add(f, N.dqv.inDimension, dim)
    e.add(f, N.oa.motivatedBy, N.dqv.qualityAssessment)
    e.add(f, N.oa.hasTarget, target)
    e.add(f, N.oa.hasBody, body)
    e.add(body, N.rdf.type, N.oa.TextualBody)
    e.add(body, N.rdf.value, t.text(message))
    e.add(f, N.rdfs.label, t.text(message))
    e.add(f, N.rkg.reportedIn, reported_in)
    e.add(f, N.prov.wasDerivedFrom, source)
    e.add(target, N.dqv.hasQualityAnnotation, f)


# kinds of nodes (kg/uris.py) that several reports describe: described once, in the shared graph
SHARED_KINDS = frozenset({"outcome", "place", "org", "sp", "currency"})
# what a report says about a shared node that is its own: where it read it, and its findings about it
_OWN = frozenset({N.prov.wasDerivedFrom.value, N.dqv.hasQualityAnnotation.value})


def describes_shared_node(t: Triple, iris: IRIs) -> bool:
    """True for a triple of a shared node's description, the same whichever report states it."""
    if t.predicate.value in _OWN:
        return False
    parsed = iris.parse(t.subject.value)
    return parsed is not None and parsed.kind in SHARED_KINDS
