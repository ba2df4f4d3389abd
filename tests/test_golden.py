"""A small report's whole graph compared, as a graph, with a reviewed snapshot.

Regenerate after an intended change with KG_REGEN_GOLDEN=1 and review the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.build import build, serialize
from kg.formats import BY_NAME
from kg.vocab import PREFIXES

HERE = Path(__file__).parent / "golden"


def _graph(path: Path) -> rdflib.Graph:
    result = build([path])
    result.ontology.triples = []  # the ontology has its own tests; keep the snapshot about the data
    result.reference.triples = []
    g = rdflib.Graph().parse(data=serialize(result, BY_NAME["ntriples"]), format="nt")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def test_golden_graph_of_a_small_report():
    got = _graph(HERE / "mini.txt")
    snapshot = HERE / "mini.ttl"
    if os.environ.get("KG_REGEN_GOLDEN") == "1":
        got.serialize(snapshot, format="turtle")
    expected = rdflib.Graph().parse(snapshot, format="turtle")
    if not isomorphic(got, expected):
        _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
        extra = "\n".join(sorted(only_got.serialize(format="nt").splitlines()[:15]))
        missing = "\n".join(sorted(only_expected.serialize(format="nt").splitlines()[:15]))
        raise AssertionError(f"graph differs from {snapshot}\n+ built only:\n{extra}\n- snapshot only:\n{missing}")
