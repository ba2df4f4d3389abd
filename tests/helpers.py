"""Plain helpers the tests share (fixtures live in conftest.py): paths, the CLI in a subprocess,
free ports, and bound SELECTs against a store."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pyoxigraph as ox

import kg as _kg
from kg import resources
from kg.vocab import sparql_prologue

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = resources.bundled_reports_dir() / "MLI-2021.txt"
W3C = SHARED / "w3c" / "protocol"
KASEI = "http://kasei.us/2009/09/sparql/data/"
# the PREFIX lines of every namespace the graph uses, for the tests' own queries
PREFIXES = sparql_prologue()
# subprocesses import the same kg as the tests (installed, or the source tree)
ENV = {"PYTHONPATH": os.pathsep.join([str(Path(_kg.__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
QUERY_TIMEOUT = 3  # seconds; the protocol tests run a query that must be stopped at this limit


def select(store: ox.Store, query: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, object]]:
    """Run a SELECT with bound values (never spliced into the text); rows as dicts of Python values."""
    res = store.query(query, use_default_graph_as_union=True,
                      substitutions={ox.Variable(k): v for k, v in bindings.items()})
    names = [v.value for v in res.variables]
    return [{n: (sol[n].value if sol[n] is not None else None) for n in names} for sol in res]


def http_get(base: str, path: str) -> tuple[int, Any, bytes]:
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return r.status, r.headers, r.read()  # header names are case-insensitive (HTTPMessage)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_kg(*args: str, env: dict | None = None, **kw: object) -> subprocess.CompletedProcess:
    """The `kg` command in a subprocess, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          env={**os.environ, **ENV, **(env or {})}, timeout=300, **kw)


SERVED: dict[str, str] = {}  # base URL of a live `kg serve` -> the store folder it serves (conftest fills it)


def server_store(base: str) -> str:
    return SERVED[base]


def chromium() -> tuple[str, str]:
    """(chromium, chromedriver) for the browser tests; skips the calling module when they are missing,
    except under CI, where a missing browser is a failure (.ci/run installs Debian's packages)."""
    import shutil

    import pytest

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (browser and driver):
        if os.environ.get("CI"):
            raise RuntimeError("CI must run the browser tests: install chromium and chromium-driver (see .ci/run)")
        pytest.skip("Debian's chromium and chromium-driver are not installed", allow_module_level=True)
    return browser, driver
