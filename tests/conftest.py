"""Shared fixtures: the seed report, a build of it, and a real embedded store to query."""
from __future__ import annotations

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
