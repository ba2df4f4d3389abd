"""What each report contributes beyond its own graph, and the two graphs merged from every contribution.

A report graph holds what the report says (its notes, figures, mentions, spans, findings,
links to shared nodes, and its own provenance of them). Nodes several reports describe
(outcomes, places, organisations, Strategic Plan concepts, currencies) are described once,
in the shared graph, and the statistics are one graph too. Both are merged from the
*contributions* of every report in the published version: what the report says about
shared nodes, and its totals. A store keeps each report's contribution beside its graphs,
so a build of some reports merges its own contributions with the kept ones of all the
others, without reading them again; removing a report removes its contribution, and with
it whatever only that report said.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg import stats
from kg.rdf import NamedGraph
from kg.rdf.graph import describes_shared_node
from kg.uris import IRIs

SHARED_GRAPH = "shared"
STATISTICS_GRAPH = "statistics"


@dataclass
class Contribution:
    """One report's part of the shared and statistics graphs; kept with a store version as JSON."""

    graph: str  # the report graph's name
    shared: bytes  # N-Triples: its description of shared nodes, with the spans and report node behind them
    area: str  # the report's country (a place key) or, for a report for no country, its office code
    year: int
    totals: list[stats.Total] = field(default_factory=list)  # people reached, per outcome
    notes: list[tuple[str, str]] = field(default_factory=list)  # (status, progress note IRI)
    # every area the totals name: key -> (IRI, name); a place the report discovered is known only to its build
    areas: dict[str, tuple[str, str]] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        return json.dumps({"graph": self.graph, "shared": self.shared.decode("utf-8"), "area": self.area,
                           "year": self.year, "totals": stats.to_data(self.totals), "notes": self.notes,
                           "areas": self.areas},
                          ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Contribution:
        d = json.loads(data)
        return cls(d["graph"], d["shared"].encode("utf-8"), d["area"], d["year"], stats.from_data(d["totals"]),
                   [(s, n) for s, n in d["notes"]], {k: (v[0], v[1]) for k, v in d["areas"].items()})


def descriptions(shared: Iterable[ox.Triple], iris: IRIs) -> list[ox.Triple]:
    """The triples of a report's shared part that describe shared nodes (not the report's own provenance)."""
    return [t for t in shared if describes_shared_node(t, iris)]


def shared_graph(contributions: Iterable[Contribution], iris: IRIs, *published: NamedGraph) -> NamedGraph:
    """The union of every report's descriptions of shared nodes, less what ``published`` graphs already say.

    A set, sorted: the same reports give the same graph whatever the order they were built in.
    """
    have: set[ox.Triple] = set()
    for g in published:
        have.update(g.triples)
    out: set[ox.Triple] = set()
    for c in contributions:
        triples = (q.triple for q in ox.parse(c.shared, format=ox.RdfFormat.N_TRIPLES))
        out.update(t for t in descriptions(triples, iris) if t not in have)
    return NamedGraph(ox.NamedNode(str(iris.graph(SHARED_GRAPH))),
                      sorted(out, key=lambda t: (t.subject.value, t.predicate.value, str(t.object))))
