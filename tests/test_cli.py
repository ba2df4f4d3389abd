"""The command line as a user runs it: real subprocesses, real files, exit codes."""
from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

import kg as _kg
from helpers import REPO
from kg import settings

KG = [sys.executable, "-m", "kg"]
# subprocesses import the same kg as this test process (installed, or the source tree)
_PATH = {"PYTHONPATH": os.pathsep.join([str(Path(_kg.__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **_PATH, **(env or {})}, timeout=120)


@pytest.mark.parametrize("cmd", [[], ["build"], ["validate"], ["push"], ["load"], ["serve"], ["codelists"],
                                 ["codelists", "update"]])
def test_help_everywhere(cmd):
    r = run(*cmd, "--help")
    assert r.returncode == 0 and "usage: kg" in r.stdout


def test_no_command_and_bad_option_are_usage_errors():
    assert run().returncode == 2
    r = run("build", "--no-such-option")
    assert r.returncode == 2 and "kg: error" in r.stderr


@pytest.mark.parametrize("ext, fmt, graphs", [
    (".ttl", ox.RdfFormat.TURTLE, False), (".nt", ox.RdfFormat.N_TRIPLES, False),
    (".trig", ox.RdfFormat.TRIG, True), (".nq", ox.RdfFormat.N_QUADS, True),
    (".jsonld", ox.RdfFormat.JSON_LD, False), (".rdf", ox.RdfFormat.RDF_XML, False),
])
def test_build_writes_the_format_of_the_extension(tmp_path, ext, fmt, graphs):
    out = tmp_path / f"g{ext}"
    r = run("build", "-o", str(out))
    assert r.returncode == 0, r.stderr
    quads = list(ox.parse(path=str(out), format=fmt))
    assert len(quads) > 7000
    names = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    if graphs:
        assert "https://w3id.org/results-kg/id/graph/report/MLI-2021" in names
    for line in ("reports", "outcomes", "partners", "places", "figures", "findings", "triples"):
        assert re.search(rf"^\s+{line}\s+[\d,]+$", r.stdout, re.M), line


def test_gzip_output_and_default_output(tmp_path):
    r = run("build", "-q", "-o", str(tmp_path / "g.nt.gz"))
    assert r.returncode == 0 and r.stdout == ""
    assert gzip.decompress((tmp_path / "g.nt.gz").read_bytes()).count(b"\n") > 7000
    r = run("build", cwd=tmp_path)
    assert r.returncode == 0 and (tmp_path / "out" / "results-kg.trig").exists()


def test_bad_report_writes_nothing_and_keeps_what_was_there(tmp_path):
    out = tmp_path / "g.ttl"
    out.write_text("previous build\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("Progress in Mali country in 2021\n\nOUTCOME XM-DAC-41146-MLI_D_1.2\n\nS.\n\nOUTCOME\n\nX\n")
    r = run("build", str(bad), "-o", str(out))
    assert r.returncode == 1
    assert f"{bad}:7: outcome heading without identifier" in r.stderr
    assert "Traceback" not in r.stderr
    assert out.read_text() == "previous build\n"
    assert [p.name for p in tmp_path.iterdir()] != [] and not list(tmp_path.glob(".kg-*"))


def test_every_failing_report_is_named_in_one_run(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(b"Progress in Mali in 2021\n\nOUTCOME XM-DAC-41146-MLI_D_1.2\n\n\xff\n")
    r = run("build", str(tmp_path), "-o", str(tmp_path / "g.ttl"))
    assert r.returncode == 1
    assert "a.txt: empty report" in r.stderr and "b.txt:5:1: bytes are not valid UTF-8" in r.stderr
    assert not (tmp_path / "g.ttl").exists()


def test_country_and_year_options_for_reports_without_title(tmp_path):
    p = tmp_path / "portal.txt"
    p.write_text("Menu\nSearch\n\noutcome XM-DAC-41146-NER_D_2.1\n\nWomen have income security.\n\n"
                 "The outcome was achieved. 300 women in Niamey and Tillabéri were trained with UNDP.\n")
    r = run("build", str(p), "-o", str(tmp_path / "g.nt"))
    assert r.returncode == 1 and "pass --year" in r.stderr
    # the office code NER says the country; a --country that contradicts it is refused, with the file named
    r = run("build", str(p), "--country", "Mali", "--year", "2022", "-o", str(tmp_path / "g.nt"))
    assert r.returncode == 1 and "portal.txt: --country Mali contradicts the office NER" in r.stderr, r.stderr
    r = run("build", str(p), "--country", "Niger", "--year", "2022", "-o", str(tmp_path / "g.nt"))
    assert r.returncode == 0, r.stderr
    nt = (tmp_path / "g.nt").read_text()
    assert "report/NER-2022" in nt and "place/NE-8" in nt  # Niamey, from ISO 3166-2
    assert "place/NE-6" in nt  # Tillabéri, matched without minding the accent


def test_unknown_extension_and_missing_input_are_usage_errors(tmp_path):
    r = run("build", "-o", str(tmp_path / "g.docx"))
    assert r.returncode == 2 and "cannot tell the RDF format" in r.stderr
    r = run("build", str(tmp_path / "nope"))
    assert r.returncode == 2 and "no such file" in r.stderr


def test_base_iri_setting_from_option_and_environment(tmp_path):
    r = run("build", "-o", str(tmp_path / "a.nt"), "--base-iri", "http://localhost:8080/id/")
    assert r.returncode == 0 and "<http://localhost:8080/id/report/MLI-2021>" in (tmp_path / "a.nt").read_text()
    r = run("build", "-o", str(tmp_path / "b.nt"), env={"KG_BASE_IRI": "https://example.org/kg/"})
    assert r.returncode == 0 and "<https://example.org/kg/report/MLI-2021>" in (tmp_path / "b.nt").read_text()
    r = run("build", "-o", str(tmp_path / "c.nt"), "--base-iri", "nope")
    assert r.returncode == 2


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start.*?```(?:bash|sh)?\n(.*?)```", text, re.S)
    assert block, "README has a Quick start code block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_readme_gives_exactly_two_commands_and_ci_runs_the_test_one():
    cmds = _readme_commands()
    assert len(cmds) == 2
    main, tests = cmds
    assert "kg" in main and "pytest" in tests
    assert tests in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for s in (*settings.SETTINGS, *settings.CREDENTIALS):
        assert s.env in readme, s.env


def test_unwritable_outputs_are_clear_errors(tmp_path):
    (tmp_path / "g.ttl").mkdir()
    r = run("build", "-q", "-o", str(tmp_path / "g.ttl"))
    assert r.returncode == 3 and "is a folder" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "f.txt").write_text("x")
    r = run("build", "-q", "-o", str(tmp_path / "f.txt" / "x.ttl"))
    assert r.returncode == 3 and "cannot write here" in r.stderr and "Traceback" not in r.stderr
    assert not list(tmp_path.glob("**/.kg-*"))


def test_full_stdout_and_closed_pipe_give_no_traceback(tmp_path):
    with open("/dev/full", "w") as full:
        r = subprocess.run([*KG, "build", "-o", str(tmp_path / "a.nt")], stdout=full, stderr=subprocess.PIPE,
                           text=True, env={**os.environ, **_PATH}, timeout=120)
    assert r.returncode == 3 and "Traceback" not in r.stderr
    p = subprocess.Popen([*KG, "build", "-o", str(tmp_path / "b.nt")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env={**os.environ, **_PATH})
    p.stdout.close()  # the reader goes away before we print the summary
    _, err = p.communicate(timeout=120)
    assert b"Traceback" not in err


def test_bad_settings_are_usage_errors(tmp_path):
    for base in ("http://x/#/", "http://x/%zz/", "http://x/?q/"):
        r = run("build", "-q", "-o", str(tmp_path / "a.nt"), "--base-iri", base)
        assert r.returncode == 2 and "base IRI" in r.stderr, base
    r = run("build", "-q", "-o", str(tmp_path / "a.nt"), "--country", "Atlantis")
    assert r.returncode == 2 and "--country" in r.stderr
    r = run("build", "-q", "-o", str(tmp_path / "a.nt"), "--jobs", "many")
    assert r.returncode == 2 and "jobs" in r.stderr


def test_validate_reads_gzip_and_bom_and_names_bad_files(tmp_path, seed_path):
    good = tmp_path / "g.ttl.gz"
    assert run("build", "-q", "-o", str(good)).returncode == 0
    assert run("validate", str(good)).returncode == 0
    bad = tmp_path / "bad.ttl.gz"
    bad.write_bytes(b"not gzip at all")
    r = run("validate", str(bad))
    assert r.returncode == 1 and "not a valid gzip file" in r.stderr and "Traceback" not in r.stderr
    bom = tmp_path / "bom.ttl"
    bom.write_bytes(b"\xef\xbb\xbf" + gzip.decompress(good.read_bytes()))
    assert run("validate", str(bom)).returncode == 0


def test_reports_of_one_outcome_in_two_years_build_a_consistent_graph(tmp_path, seed_text):
    # the same outcome reported again in 2022, where the report states a different alignment
    other = seed_text.replace("Progress in Mali country in 2021", "Progress in Mali country in 2022").replace(
        "decent jobs Related.", "decent jobs (related to SP_D_2.3: Women have income security)")
    (tmp_path / "MLI-2021.txt").write_text(seed_text, encoding="utf-8")
    (tmp_path / "MLI-2022.txt").write_text(other, encoding="utf-8")
    out = tmp_path / "g.nq"
    r = run("build", str(tmp_path), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert run("validate", str(out)).returncode == 0
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    rows = list(store.query("""
        SELECT ?outcome (COUNT(DISTINCT ?note) AS ?notes) (COUNT(DISTINCT ?sp) AS ?sps) WHERE {
          ?note <https://w3id.org/results-kg/def#about> ?outcome .
          ?outcome <http://purl.org/dc/terms/identifier> "XM-DAC-41146-MLI_D_2.1" ;
                   <https://w3id.org/results-kg/def#alignedTo> ?sp .
        } GROUP BY ?outcome""", use_default_graph_as_union=True))
    assert [(int(r["notes"].value), int(r["sps"].value)) for r in rows] == [(2, 2)]


def test_parallel_build_writes_the_same_graph_as_a_serial_one(tmp_path, seed_text):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for country, code in (("Mali", "MLI"), ("Niger", "NER"), ("Senegal", "SEN"), ("Chad", "TCD"), ("Guinea", "GIN"),
                          ("Ghana", "GHA"), ("Nigeria", "NGA"), ("Benin", "BEN"), ("Togo", "TGO")):
        (corpus / f"{country}.txt").write_text(
            seed_text.replace("Progress in Mali country", f"Progress in {country} country").replace("-MLI_", f"-{code}_"),
            encoding="utf-8")
    a, b = tmp_path / "a.nq", tmp_path / "b.nq"
    ra = run("build", str(corpus), "-o", str(a), "--jobs", "1")
    rb = run("build", str(corpus), "-o", str(b), "--jobs", "2")
    assert ra.returncode == rb.returncode == 0, rb.stderr
    assert "reports                 9" in rb.stdout
    assert a.read_bytes() == b.read_bytes()


def test_broken_symlink_input_is_named(tmp_path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    r = run("build", str(tmp_path / "gone.txt"))
    assert r.returncode == 2 and "gone.txt" in r.stderr


def test_a_section_with_nothing_to_read_builds_with_a_warning_and_a_finding(tmp_path):
    """Issue 11: no silent loss. The build goes on (exit 0), says file and line, and publishes a finding."""
    page = tmp_path / "ner.txt"
    page.write_text("Progress in Niger country in 2022\n\nOUTCOME XM-DAC-41146-NER_D_2.1\n\n"
                    "Women have income security.\n\nOUTCOME XM-DAC-41146-NER_D_3.1\n\nNo violence.\n\n"
                    "The outcome was achieved.\n", encoding="utf-8")
    out = tmp_path / "ner.nt"
    r = run("build", str(page), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert f"kg build: warning: {page}:3: outcome XM-DAC-41146-NER_D_2.1 has a statement but no narrative" in r.stderr
    assert "NER_D_3.1" not in r.stderr
    assert "findings                1" in r.stdout
    assert "<https://w3id.org/results-kg/def#EmptyNarrative>" in out.read_text(encoding="utf-8")


_TORN = ("Menu\nOur reach\n\noutcome XM-DAC-41146-SEN_D_1.1\nWomen lead and participate in decision-making.\n"
         "The outcome was partially achieved. 120 women candidates were trained in Dakar.\n\n"
         "outcome XM-DAC-411\n46-SEN_D_1.2 the rest of this heading was lost.\nThe outcome was achieved.\n")


def test_a_page_cut_mid_heading_builds_what_it_contains(tmp_path):
    """Issue 11: the section under a cut heading is left out with a warning and a finding; the rest builds."""
    page = tmp_path / "sen.txt"
    page.write_text(_TORN, encoding="utf-8")
    out = tmp_path / "sen.nt"
    r = run("build", str(page), "--year", "2023", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert (f"kg build: warning: {page}:8: the outcome heading is cut off ('XM-DAC-411' is the start of an "
            "identifier); the section (lines 8-10) is left out") in r.stderr
    assert "outcomes                1" in r.stdout
    g = rdflib.Graph().parse(out, format="nt")
    rows = list(g.query("""
        PREFIX rkg: <https://w3id.org/results-kg/def#> PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?target ?exact WHERE { ?f rkg:findingType rkg:CutHeading ; oa:hasTarget ?target ;
            <http://www.w3.org/ns/prov#wasDerivedFrom>/oa:hasSelector/oa:exact ?exact }"""))
    assert [(str(t).rsplit("/", 1)[1], str(e)) for t, e in rows] == [("SEN-2023", "outcome XM-DAC-411")]


def test_strict_makes_a_cut_heading_fatal_and_writes_nothing(tmp_path):
    page = tmp_path / "sen.txt"
    page.write_text(_TORN, encoding="utf-8")
    out = tmp_path / "sen.nt"
    out.write_text("previous build\n")
    r = run("build", str(page), "--year", "2023", "--strict", "-o", str(out))
    assert r.returncode == 1
    assert f"{page}:8: the outcome heading is cut off" in r.stderr and "(--strict)" in r.stderr
    assert "Traceback" not in r.stderr
    assert out.read_text() == "previous build\n"


def test_a_regional_office_report_has_an_office_and_no_country(tmp_path):
    page = tmp_path / "wca.txt"
    page.write_text("outcome XM-DAC-41146-WCA_D_1.1\nWomen lead in the region.\n"
                    "The outcome was achieved. 40 women mediators from Senegal and Niger met in Dakar.\n",
                    encoding="utf-8")
    out = tmp_path / "wca.nt"
    r = run("build", str(page), "--office", "WCA", "--year", "2022", "-o", str(out))
    assert r.returncode == 0, r.stderr
    g = rdflib.Graph().parse(out, format="nt")
    rkg = rdflib.Namespace("https://w3id.org/results-kg/def#")
    report = rdflib.URIRef("https://w3id.org/results-kg/id/report/WCA-2022")
    assert str(g.value(report, rkg.office)) == "WCA"
    assert g.value(report, rkg.country) is None
    assert "West and Central Africa" in str(g.value(report, rdflib.RDFS.label))
    places = {str(o).rsplit("/", 1)[1] for o in g.objects(None, rkg.place)}
    assert {"SN", "NE"} <= places
    r = run("build", str(page), "--office", "MLI", "--year", "2022", "-o", str(out))
    assert r.returncode == 1 and "--office MLI contradicts the identifiers' office WCA" in r.stderr
