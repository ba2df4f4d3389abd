"""SHACL: our graphs conform, broken graphs fail with the expected result, and the
fast engine on the build path agrees with pySHACL, the reference, result for result."""
from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest

from kg.errors import RDFSyntaxError
from kg.validate import parse_rdf_file, validate_quads
from kg.vocab import RKG

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
VALUE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#value")
IDENT = ox.NamedNode("http://purl.org/dc/terms/identifier")
DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
N = lambda t: ox.NamedNode(str(t))  # noqa: E731


def _data(built):
    return [q for q in built.quads() if q.graph_name.value != "https://w3id.org/results-kg/def"]


def _first(quads, pred, cls=None):
    subjects = {q.subject for q in quads if q.predicate == RDF_TYPE and q.object == N(cls)} if cls else None
    return next(q for q in quads if q.predicate == pred and (subjects is None or q.subject in subjects))


def _break(quads, kind):
    """Return (broken quads, expected (focus, path suffix, component))."""
    q = list(quads)
    if kind == "missing-status":
        st = _first(q, N(RKG.status))
        q.remove(st)
        return q, (st.subject, "#status>", "MinCountConstraintComponent")
    if kind == "bad-identifier":
        idq = _first(q, IDENT, RKG.Outcome)
        q.remove(idq)
        q.append(ox.Quad(idq.subject, IDENT, ox.Literal("MLI-1.2"), idq.graph_name))
        return q, (idq.subject, "/identifier>", "PatternConstraintComponent")
    if kind == "year-out-of-range":
        yq = _first(q, N(RKG.year), RKG.Report)
        q.remove(yq)
        q.append(ox.Quad(yq.subject, yq.predicate, ox.Literal("1850", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#gYear")), yq.graph_name))
        return q, (yq.subject, "#year>", "PatternConstraintComponent")
    if kind == "figure-without-provenance":
        figs = {x.subject for x in q if x.predicate == RDF_TYPE and x.object == N(RKG.Figure)}
        dq = next(x for x in q if x.subject in figs and x.predicate == DERIVED)
        q.remove(dq)
        return q, (dq.subject, "#wasDerivedFrom>", "MinCountConstraintComponent")
    if kind == "part-of-non-figure":
        pq = _first(q, N(RKG.partOf))
        q.remove(pq)
        report = _first(q, N(RKG.country)).subject
        q.append(ox.Quad(pq.subject, pq.predicate, report, pq.graph_name))
        return q, (pq.subject, "#partOf>", "ClassConstraintComponent")
    if kind == "two-values":
        vq = _first(q, VALUE, RKG.Figure)
        q.append(ox.Quad(vq.subject, VALUE, ox.Literal("7", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer")), vq.graph_name))
        return q, (vq.subject, "#value>", "MaxCountConstraintComponent")
    raise AssertionError(kind)


KINDS = ["missing-status", "bad-identifier", "year-out-of-range", "figure-without-provenance",
         "part-of-non-figure", "two-values"]


@pytest.mark.parametrize("engine", ["shacl", "pyshacl"])
def test_seed_graph_conforms(built, engine):
    report = validate_quads(_data(built), engine)
    assert report.conforms, report.text()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("engine", ["shacl", "pyshacl"])
def test_broken_graph_fails_with_expected_result(built, kind, engine):
    quads, (focus, path, component) = _break(_data(built), kind)
    report = validate_quads(quads, engine)
    assert not report.conforms
    hits = [r for r in report.results if r.focus == str(focus) and (r.path or "").endswith(path)
            and r.component == component]
    assert hits, report.text()
    assert hits[0].shape and hits[0].message
    assert hits[0].focus in report.text()


@pytest.mark.parametrize("kind", KINDS)
def test_fast_engine_agrees_with_pyshacl(built, kind):
    quads, _ = _break(_data(built), kind)
    fast = validate_quads(quads, "shacl")
    ref = validate_quads(quads, "pyshacl")
    assert fast.conforms == ref.conforms
    assert [r.key() for r in fast.results] == [r.key() for r in ref.results]


def test_kg_validate_cli(tmp_path, built):
    from kg.build import serialize
    from kg.formats import BY_NAME

    good = tmp_path / "good.ttl"
    good.write_bytes(serialize(built, BY_NAME["turtle"]))
    bad_quads, _ = _break(_data(built), "missing-status")
    bad = tmp_path / "bad.nt"
    bad.write_bytes(ox.serialize([q.triple for q in bad_quads], format=ox.RdfFormat.N_TRIPLES))
    ok = subprocess.run([sys.executable, "-m", "kg", "validate", str(good)], capture_output=True, text=True)
    assert ok.returncode == 0 and "conforms" in ok.stdout
    fail = subprocess.run([sys.executable, "-m", "kg", "validate", str(bad)], capture_output=True, text=True)
    assert fail.returncode == 1
    assert "MinCountConstraintComponent" in fail.stderr and "focus:" in fail.stderr and "Traceback" not in fail.stderr


@pytest.mark.parametrize("name, content, line", [
    ("broken.ttl", "@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:a ex:b \"unterminated .\n", 3),
    ("broken.nt", "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n", 2),
])
def test_malformed_rdf_names_file_and_line(tmp_path, name, content, line):
    p = tmp_path / name
    p.write_text(content)
    with pytest.raises(RDFSyntaxError) as e:
        parse_rdf_file(p)
    assert e.value.source == str(p) and e.value.line == line
    r = subprocess.run([sys.executable, "-m", "kg", "validate", str(p)], capture_output=True, text=True)
    assert r.returncode == 1 and f"{p}:{line}" in r.stderr and "Traceback" not in r.stderr
