"""What a build yields: counts, timings and, for small builds, the graphs themselves."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import KGError
from kg.extract import SectionFacts
from kg.rdf import NamedGraph
from kg.read import ReportRecord
from kg.validate import ValidationReport
from kg.vocab import RKG

STAGES = ("read", "extract", "map", "validate", "serialize", "write")


@dataclass
class BuiltReport:
    """One report's records, facts and graph (kept only when the caller asks for them)."""

    record: ReportRecord
    facts: list[SectionFacts]
    graph: NamedGraph
    validation: ValidationReport


@dataclass
class BuildResult:
    reference: NamedGraph
    ontology: NamedGraph
    reports: list[BuiltReport] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    counts: Counter = field(default_factory=Counter)
    partners: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    triples: int = 0
    report_graphs: list[str] = field(default_factory=list)
    # IATI activities left out, each with what is wrong with it (the rest of their file is built)
    skipped: list[KGError] = field(default_factory=list)
    # what was read but left out of an activity that was built (a malformed activity-date), and report
    # sections built with nothing to read (an empty narrative, a statement that swallowed it)
    warnings: list[KGError] = field(default_factory=list)
    activity_graphs: list[str] = field(default_factory=list)
    links: int = 0  # IATI results linked to report outcomes

    kept_graphs: list[NamedGraph] = field(default_factory=list)  # activity and organisation graphs (keep=True)
    shared: NamedGraph | None = None  # shared nodes, described once (kg/build/merge.py)
    statistics: NamedGraph | None = None  # the statistics cube (kg/rdf/cube.py)

    def graphs(self) -> list[NamedGraph]:
        """Every named graph of the build (needs ``keep=True`` for the report and activity graphs)."""
        merged = [g for g in (self.shared, self.statistics) if g is not None]
        return [self.ontology, self.reference, *merged] + [r.graph for r in self.reports] + self.kept_graphs

    def quads(self) -> list[ox.Quad]:
        out: list[ox.Quad] = []
        for g in self.graphs():
            out.extend(g.quads())
        return out

    def summary(self) -> dict[str, int]:
        return {
            "reports": self.counts[str(RKG.Report)],
            "outcomes": self.counts[str(RKG.Outcome)],
            "progress notes": self.counts[str(RKG.ProgressNote)],
            "partners": len(self.partners),
            "places": len(self.places),
            "figures": self.counts[str(RKG.Figure)],
            "findings": self.counts[str(RKG.QualityFinding)],
            **({"activities": self.counts[str(RKG.Activity)], "IATI results": self.counts[str(RKG.IatiResult)],
                "indicators": self.counts[str(RKG.Indicator)], "indicator values": self.counts[str(RKG.IndicatorValue)],
                "linked outcomes": self.links, "skipped": len(self.skipped)}
               if self.activity_graphs or self.skipped else {}),
            "triples": self.triples,
        }
