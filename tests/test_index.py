"""The browse index (kg/store/index.py): built with each version, pruned with it, rebuilt in the cache for a
store without one, and saying exactly what the graph and the cube say (checked against SPARQL written the
plain way, on the seed here and on a 100-report corpus in test_statistics)."""
from __future__ import annotations

from collections import defaultdict

import pytest

from helpers import PREFIXES, SEED
from kg.build import build
from kg.store import index as ix
from kg.store import open_store

# what "involves" means, as plain SPARQL: the oracle the index is checked against
INVOLVED = {
    "org": PREFIXES + "SELECT DISTINCT ?x ?note WHERE { ?note a rkg:ProgressNote ; rkg:partner ?x }",
    "place": PREFIXES + """SELECT DISTINCT ?x ?note WHERE { ?note a rkg:ProgressNote .
        { ?note rkg:place/rkg:within* ?x } UNION { ?note rkg:reportedIn/rkg:country/rkg:within* ?x } }""",
    "sp": PREFIXES + "SELECT DISTINCT ?x ?note WHERE { ?note a rkg:ProgressNote ; rkg:alignedTo/skos:broader* ?x }",
}
NOTE_FACTS = PREFIXES + """SELECT ?note ?outcome ?year ?area WHERE { ?note a rkg:ProgressNote ; rkg:about ?outcome ;
    rkg:year ?year ; rkg:reportedIn ?r .
    { ?r rkg:country ?area } UNION { ?r rkg:office ?code FILTER NOT EXISTS { ?r rkg:country ?c }
                                     ?area a rkg:Office ; skos:notation ?code } }"""
OBSERVATIONS = PREFIXES + """SELECT ?obs ?ds ?area ?year ?sex ?n ?outcome WHERE {
  ?obs qb:dataSet/dcterms:identifier ?ds ; rkg:refArea ?area ; rkg:refYear ?year ; rkg:sex ?sex ; rkg:peopleReached ?n .
  OPTIONAL { ?obs rkg:outcome ?outcome } }"""
SEX = {"http://purl.org/linked-data/sdmx/2009/code#sex-" + k: k for k in "FMT"}


def index_agrees_with_graph(snap, index: ix.BrowseIndex, sample: int | None = None) -> int:
    """Every (or every n-th) partner, place and concept: the same notes, outcomes, years and countries as
    SPARQL finds, and the same people-reached addends as the cube holds. Returns how many were checked."""
    facts = {r["note"].value: (r["outcome"].value, r["year"].value, r["area"].value) for r in snap.query(NOTE_FACTS)}
    obs = defaultdict(list)
    for r in snap.query(OBSERVATIONS):
        key = (r["ds"].value, r["area"].value, r["year"].value, SEX[r["sex"].value],
               r["outcome"].value if r["outcome"] is not None else None)
        obs[key].append((r["obs"].value, int(r["n"].value)))
    checked = 0
    for kind, query in INVOLVED.items():
        notes = defaultdict(set)
        for r in snap.query(query):
            notes[r["x"].value].add(r["note"].value)
        nodes = sorted(notes)
        for node in nodes[::max(1, len(nodes) // sample)] if sample else nodes:
            found = ix.BrowseIndex.involved(index, kind, node, 10**9)
            assert {n.iri for n in found.notes} == notes[node], (kind, node)
            assert found.n_notes == len(notes[node])
            assert found.n_outcomes == len({facts[n][0] for n in notes[node] if n in facts})
            assert set(found.years) == {facts[n][1] for n in notes[node] if n in facts}
            assert set(found.countries) == {facts[n][2] for n in notes[node] if n in facts}
            if kind == "place":
                want = sorted((o, y, s, v) for (ds, a, y, s, _), found_obs in obs.items()
                              if ds == "people-reached" and a == node for o, v in found_obs)
                got = sorted((a.obs, a.year, a.sex, a.value) for a in index.reached_in(node))
            else:  # the outcomes it is named in, at their report's country (or office), each once
                keys = {facts[n] for n in notes[node] if n in facts}
                want = sorted((o, y, s, v) for outcome, y, area in keys for s in "FMT"
                              for o, v in obs.get(("people-reached-by-outcome", area, y, s, outcome), []))
                got = sorted((a.obs, a.year, a.sex, a.value) for a in index.reached_by_outcomes(kind, node))
            assert got == want, (kind, node)
            checked += 1
    return checked


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    st = open_store(tmp_path_factory.mktemp("index") / "st")
    build([SEED], sink=st.sink(), keep=False)
    return st


def test_each_published_version_has_its_index_beside_it(seed_store):
    snap = seed_store.snapshot()
    beside = snap.location.with_name(snap.location.name + ix.INDEX_SUFFIX)
    assert beside.is_file()
    assert ix.index_for(snap).path == beside


def test_the_seed_index_says_what_the_graph_and_the_cube_say(seed_store):
    snap = seed_store.snapshot()
    index = ix.index_for(snap)
    assert index_agrees_with_graph(snap, index) > 40
    # the partner the issue names: UNDP, two Mali outcomes in 2021
    undp = index.involved("org", "https://w3id.org/results-kg/id/org/undp", 100)
    assert undp.years == ["2021"] and undp.countries == ["https://w3id.org/results-kg/id/place/ML"]
    assert {a.sex for a in index.reached_by_outcomes("org", "https://w3id.org/results-kg/id/org/undp")} >= {"F"}


def test_a_store_without_an_index_gets_one_in_the_cache(tmp_path, monkeypatch):
    st = open_store(tmp_path / "st")
    build([SEED], sink=st.sink(), keep=False)
    snap = st.snapshot()
    snap.location.with_name(snap.location.name + ix.INDEX_SUFFIX).unlink()  # as a store published before indexes
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    index = ix.index_for(snap)
    assert index.path.parent == tmp_path / "cache" / "results-kg" / "index" and index.path.is_file()
    assert index_agrees_with_graph(snap, index, sample=5) > 5


def test_indexes_go_with_their_versions(tmp_path):
    st = open_store(tmp_path / "st")
    for _ in range(5):  # the store keeps three versions; their indexes go with them
        build([SEED], sink=st.sink(), keep=False)
    versions = sorted(p.name for p in (tmp_path / "st" / "versions").iterdir() if p.is_dir() and "." not in p.name)
    indexes = sorted(p.name for p in (tmp_path / "st" / "versions").glob("*" + ix.INDEX_SUFFIX))
    assert indexes == [v + ix.INDEX_SUFFIX for v in versions] and len(versions) == 3
    assert not list((tmp_path / "st" / "versions").glob(".*"))  # nothing half-written left


def test_an_unreadable_index_is_rebuilt_not_served(tmp_path, monkeypatch):
    st = open_store(tmp_path / "st")
    build([SEED], sink=st.sink(), keep=False)
    snap = st.snapshot()
    beside = snap.location.with_name(snap.location.name + ix.INDEX_SUFFIX)
    beside.write_bytes(b"not a database")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    index = ix.index_for(snap)
    assert index.path != beside and index.involved("org", "https://w3id.org/results-kg/id/org/undp", 5).n_notes == 2


def test_an_index_is_written_whole_or_not_at_all(tmp_path, monkeypatch, seed_store):
    target = tmp_path / "x.sqlite"
    monkeypatch.setattr(ix, "_SCHEMA", "CREATE TABLE broken (;")  # the database refuses to be written
    with pytest.raises(ix.sqlite3.Error):
        ix.build_index(seed_store.snapshot(), target)
    assert list(tmp_path.iterdir()) == []  # no index, and no half-written file beside it
