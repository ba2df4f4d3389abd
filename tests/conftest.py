"""Shared fixtures: the seed report, a build of it, and a real embedded store to query."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import resources
from kg.pipeline import BuildResult, build

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = resources.bundled_reports_dir() / "MLI-2021.txt"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built() -> BuildResult:
    return build([SEED])


@pytest.fixture(scope="session")
def store(built: BuildResult) -> ox.Store:
    """An in-memory Oxigraph store holding the seed's build, queried with the union default graph."""
    s = ox.Store()
    s.extend(built.quads())
    return s


def select(store: ox.Store, query: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, object]]:
    """Run a SELECT with bound values (never spliced into the text); rows as dicts of Python values."""
    res = store.query(query, use_default_graph_as_union=True, substitutions={ox.Variable(k): v for k, v in bindings.items()})
    names = [v.value for v in res.variables]
    rows = []
    for sol in res:
        rows.append({n: (sol[n].value if sol[n] is not None else None) for n in names})
    return rows


PREFIXES = """
PREFIX rkg: <https://w3id.org/results-kg/def#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dqv: <http://www.w3.org/ns/dqv#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX sdmx-code: <http://purl.org/linked-data/sdmx/2009/code#>
"""


# ---- a real `kg serve` on loopback, shared by the protocol and browser tests ----------------

import kg as _kg  # noqa: E402

W3C = SHARED / "w3c" / "protocol"
KASEI = "http://kasei.us/2009/09/sparql/data/"
# subprocesses import the same kg as the tests (installed, or the source tree)
ENV = {"PYTHONPATH": os.pathsep.join([str(Path(_kg.__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
_STORES: dict[str, str] = {}
QUERY_TIMEOUT = 3  # seconds; the protocol tests run a query that must be stopped at this limit


def server_store(base: str) -> str:
    return _STORES[base]


def _get(base: str, path: str) -> tuple[int, dict, bytes]:
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return r.status, dict(r.headers), r.read()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          env={**os.environ, **ENV, **(env or {})}, timeout=300)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """A real `kg serve` on 127.0.0.1 with the seed and the W3C protocol data loaded."""
    store = tmp_path_factory.mktemp("served") / "store"
    assert _kg("build", str(SEED), "--store", str(store), "-q").returncode == 0
    for i in (1, 2, 3):
        r = _kg("load", str(W3C / f"data{i}.nt"), "--graph", f"{KASEI}data{i}.rdf", "--store", str(store))
        assert r.returncode == 0, r.stderr
    extra = tmp_path_factory.mktemp("extra") / "segou.ttl"
    extra.write_text('<https://w3id.org/results-kg/id/place/Ségou-test> <http://www.w3.org/2000/01/rdf-schema#label> '
                     '"Ségou test" .\n', encoding="utf-8")
    assert _kg("load", str(extra), "--store", str(store)).returncode == 0
    port = _free_port()
    env = {**os.environ, **ENV, "KG_QUERY_TIMEOUT": str(QUERY_TIMEOUT), "KG_MAX_ROWS": "1000",
           "KG_WEB_WORKERS": "2", "KG_WEB_THREADS": "8"}
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if _get(base, "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise AssertionError("kg serve did not start: " + proc.stderr.read().decode()[-2000:])
    _STORES[base] = str(store)
    yield base
    proc.terminate()
    proc.wait(20)


