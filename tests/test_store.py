"""The embedded store: versions published atomically, readers unaffected by writers."""
from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.errors import BuildErrors, StoreError
from kg.store import open_store

REPORT_GRAPH = "https://w3id.org/results-kg/id/graph/report/MLI-2021"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(snap) -> int:
    return int(next(iter(snap.query(COUNT)))["n"].value)


def test_build_into_store_publishes_graphs_and_dumps(tmp_path, seed_path):
    st = open_store(tmp_path / "st")
    assert st.is_empty()
    build([seed_path], sink=st.sink(), keep=False)
    snap = st.snapshot()
    assert snap.version == "v000001"
    assert REPORT_GRAPH in snap.graph_names()
    assert "https://w3id.org/results-kg/id/graph/reference" in snap.graph_names()
    assert sorted(p.name for p in st.dumps_dir("v000001").iterdir()) == [
        "results-kg.nq.gz", "results-kg.nt.gz", "results-kg.trig.gz", "results-kg.ttl.gz"]


def test_rebuild_replaces_the_report_graph_and_old_readers_keep_their_version(tmp_path, seed_path, seed_text):
    st = open_store(tmp_path / "st")
    build([seed_path], sink=st.sink(), keep=False)
    old = st.snapshot()
    before = _count(old)
    changed = tmp_path / "MLI-2021.txt"
    changed.write_text(seed_text.split("OUTCOME XM-DAC-41146-MLI_D_2.1")[0], encoding="utf-8")  # one outcome left
    build([changed], sink=st.sink(), keep=False)
    new = open_store(tmp_path / "st").snapshot()
    assert new.version == "v000002"
    assert _count(new) < before  # the report graph was replaced, not added to
    assert _count(old) == before  # a reader of v000001 still sees v000001 whole
    notes = "SELECT (COUNT(*) AS ?n) WHERE { ?x a <https://w3id.org/results-kg/def#ProgressNote> }"
    assert int(next(iter(new.query(notes)))["n"].value) == 1


def test_failed_build_leaves_the_published_version(tmp_path, seed_path):
    st = open_store(tmp_path / "st")
    build([seed_path], sink=st.sink(), keep=False)
    bad = tmp_path / "bad.txt"
    bad.write_text("Progress in Mali in 2022\n\nOUTCOME\n\nx\n")
    with pytest.raises(BuildErrors):
        build([seed_path, bad], sink=st.sink(), keep=False)
    assert st.current() == "v000001"
    assert not [p for p in (tmp_path / "st" / "versions").iterdir() if p.name.startswith(".new")]


def test_one_writer_at_a_time(tmp_path, seed_path):
    st = open_store(tmp_path / "st")
    first = st.sink()
    with pytest.raises(StoreError, match="locked: another process .* is writing"):
        st.sink()
    first.abort()
    st.sink().abort()


def test_not_a_store_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="not a folder"):
        open_store(tmp_path / "file")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    with pytest.raises(StoreError, match="not a Results KG store"):
        open_store(tmp_path / "other")
    with pytest.raises(StoreError, match="empty"):
        open_store(tmp_path / "new").snapshot()


def test_kg_load_puts_any_rdf_file_in_a_named_graph(tmp_path):
    data = tmp_path / "d.ttl"
    data.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b \"Ségou\" .\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "kg", "load", str(data), "--graph", "http://example.org/g",
                        "--store", str(tmp_path / "st")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    snap = open_store(tmp_path / "st").snapshot()
    assert snap.graph_names() == ["http://example.org/g"]
    quads = list(snap.quads(None, None, None, ox.NamedNode("http://example.org/g")))
    assert [q.object.value for q in quads] == ["Ségou"]
    bad = tmp_path / "bad.ttl"
    bad.write_text("ex:a ex:b .\n")
    r = subprocess.run([sys.executable, "-m", "kg", "load", str(bad), "--store", str(tmp_path / "st")],
                       capture_output=True, text=True)
    assert r.returncode == 1 and f"{bad}:1" in r.stderr and "Traceback" not in r.stderr
    assert open_store(tmp_path / "st").current() == "v000001"
