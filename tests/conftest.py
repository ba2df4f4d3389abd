"""Shared fixtures: the seed report, a build of it, a real embedded store, the Flask app over it,
and a real `kg serve` on loopback. Plain helpers live in tests/helpers.py."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from helpers import ENV, KASEI, QUERY_TIMEOUT, SEED, SERVED, W3C, free_port, http_get, run_kg
from kg.build import BuildResult, build
from kg.store import open_store
from web.app import create_app


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


# ---- the Flask app over a real embedded store ------------------------------------------------


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    """An embedded store with the seed built into it; a module overrides this fixture for other data."""
    path = tmp_path_factory.mktemp("pages") / "st"
    build([SEED], sink=open_store(path).sink(), keep=False)
    return path


@pytest.fixture(scope="module")
def make_app() -> Iterator[Callable[..., Any]]:
    """Apps in test configuration over a given store; their query processes are stopped afterwards."""
    made = []

    def make(store: Path | str, **config: str) -> Any:
        app = create_app({"store": str(store), "TESTING": True, **config})
        made.append(app)
        return app
    yield make
    for app in made:
        app.extensions["kg"].queries.close()


@pytest.fixture(scope="module")
def app(make_app, store_path):
    return make_app(store_path)


@pytest.fixture()
def client(app):
    return app.test_client()


# ---- a real `kg serve` on loopback, shared by the protocol and browser tests ----------------


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """A real `kg serve` on 127.0.0.1 with the seed and the W3C protocol data loaded."""
    store = tmp_path_factory.mktemp("served") / "store"
    assert run_kg("build", str(SEED), "--store", str(store), "-q").returncode == 0
    for i in (1, 2, 3):
        r = run_kg("load", str(W3C / f"data{i}.nt"), "--graph", f"{KASEI}data{i}.rdf", "--store", str(store))
        assert r.returncode == 0, r.stderr
    extra = tmp_path_factory.mktemp("extra") / "segou.ttl"
    extra.write_text('<https://w3id.org/results-kg/id/place/Ségou-test> <http://www.w3.org/2000/01/rdf-schema#label> '
                     '"Ségou test" .\n', encoding="utf-8")
    assert run_kg("load", str(extra), "--store", str(store)).returncode == 0
    port = free_port()
    env = {**os.environ, **ENV, "KG_QUERY_TIMEOUT": str(QUERY_TIMEOUT), "KG_MAX_ROWS": "1000",
           "KG_WEB_WORKERS": "2", "KG_WEB_THREADS": "8"}
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if http_get(base, "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise AssertionError("kg serve did not start: " + proc.stderr.read().decode()[-2000:])
    SERVED[base] = str(store)
    yield base
    proc.terminate()
    proc.wait(20)
