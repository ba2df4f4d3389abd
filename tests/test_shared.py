"""Shared nodes described once (issue 12): the default graph is a set, and builds of some reports into a
store keep every other report's contributions, while removing a report removes what only it said."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from helpers import SEED, run_kg
from kg.build import build
from kg.errors import UsageError
from kg.store import open_store

G = "https://w3id.org/results-kg/id/graph/"
MALI_OUTCOME = "https://w3id.org/results-kg/id/outcome/XM-DAC-41146-MLI_D_1.1/"


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The seed (Mali 2021), the same outcomes a year later (Mali 2022), and a Niger 2021 report."""
    folder = tmp_path_factory.mktemp("reports")
    text = SEED.read_text(encoding="utf-8")
    out = {"MLI-2021": SEED}
    out["MLI-2022"] = folder / "mali-2022.txt"
    out["MLI-2022"].write_text(text.replace("Progress in Mali country in 2021", "Progress in Mali country in 2022"),
                               encoding="utf-8")
    out["NER-2021"] = folder / "niger-2021.txt"
    out["NER-2021"].write_text(text.replace("Progress in Mali country", "Progress in Niger country")
                               .replace("-MLI_", "-NER_"), encoding="utf-8")
    return out


def graph(snap, name: str) -> set[ox.Triple]:
    return {q.triple for q in snap.quads(graph=ox.NamedNode(G + name))}


def count(snap, query: str) -> int:
    return int(next(iter(snap.query(query)))["n"].value)


def test_the_default_graph_is_a_set_and_shared_nodes_are_described_once(tmp_path, reports):
    st = open_store(tmp_path / "st")
    build(list(reports.values()), sink=st.sink(), keep=False)
    snap = st.snapshot()
    every = count(snap, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    distinct = count(snap, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    assert every == distinct == sum(1 for _ in snap.quads())
    # the outcome both Mali reports describe: one row per property value, from the shared graph alone
    (outcome,) = {q.subject.value for q in snap.quads(None, ox.NamedNode("http://purl.org/dc/terms/identifier"),
                                                      ox.Literal("XM-DAC-41146-MLI_D_1.1"), ox.NamedNode(G + "shared"))}
    rows = [(r["p"].value, str(r["o"])) for r in snap.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
                                                            bindings={"s": ox.NamedNode(outcome)})]
    assert len(rows) == len(set(rows)) and len(rows) >= 8
    # each report keeps where it read the statement
    derived = {q.graph_name.value for q in snap.quads(ox.NamedNode(outcome),
                                                       ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"))}
    assert derived == {G + "report/MLI-2021", G + "report/MLI-2022"}


def test_a_partial_build_keeps_the_others_and_removing_a_report_removes_what_only_it_said(tmp_path, reports):
    st = open_store(tmp_path / "st")
    build(list(reports.values()), sink=st.sink(), keep=False)
    everything = st.snapshot()
    shared, statistics = graph(everything, "shared"), graph(everything, "statistics")
    niger = {t for t in shared if "NER_" in t.subject.value}
    assert niger and any("/NE/" in t.subject.value for t in statistics)

    build([reports["MLI-2021"]], sink=st.sink(), keep=False)  # one report again: nothing else changes
    again = st.snapshot()
    assert graph(again, "shared") == shared and graph(again, "statistics") == statistics

    r = run_kg("build", "--store", str(tmp_path / "st"), "--remove", "NER-2021", "-q")
    assert r.returncode == 0, r.stderr
    after = st.snapshot()
    assert G + "report/NER-2021" not in after.graph_names()
    assert not {t for t in graph(after, "shared") if "NER_" in t.subject.value}
    assert not [t for t in graph(after, "statistics") if "/NE/" in t.subject.value or "NER_" in t.subject.value]

    # what is left is exactly what building the two Mali reports alone gives
    alone = open_store(tmp_path / "alone")
    build([reports["MLI-2021"], reports["MLI-2022"]], sink=alone.sink(), keep=False)
    for name in ("shared", "statistics", "reference"):
        assert graph(after, name) == graph(alone.snapshot(), name), name


def test_removing_a_report_the_store_does_not_hold_is_refused_and_changes_nothing(tmp_path):
    st = open_store(tmp_path / "st")
    build([SEED], sink=st.sink(), keep=False)
    version = st.current()
    with pytest.raises(UsageError, match="NER-2021"):
        build([], sink=st.sink(), remove=["NER-2021"], keep=False)
    assert st.current() == version
    r = run_kg("build", "--remove", "MLI-2021", "-o", str(tmp_path / "x.nq"))
    assert r.returncode == 2 and "--store" in r.stderr
