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

from conftest import REPO
from kg import settings

import kg as _kg

KG = [sys.executable, "-m", "kg"]
# subprocesses import the same kg as this test process (installed, or the source tree)
_PATH = {"PYTHONPATH": os.pathsep.join([str(Path(_kg.__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **_PATH, **(env or {})}, timeout=120)


@pytest.mark.parametrize("cmd", [[], ["build"], ["validate"]])
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
    assert r.returncode == 1 and "pass --country" in r.stderr
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
    for s in settings.SETTINGS:
        assert s.env in readme, s.env
