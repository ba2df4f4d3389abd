"""Faults: builds killed at every stage of a store write while the store is served; damaged and locked stores.

The fault-injection test alternates the seed report between two versions (one figure
changed) and kills ``kg build --store`` with SIGKILL at chosen points of the store's
write (``tests/kill_at.py`` patches kg.store.embedded in the killed process only: lock,
checkpoint, graph replacement, pieces, database load, dumps, renames, CURRENT, pruning),
while a real ``kg serve`` answers a reader that queries the report's graph the whole time.
Every kill must land; every answer, during and after each kill, must be the old graph or
the new one; the store must open cleanly after each kill and hold the old graph if the
build died before CURRENT was switched, the new one if after.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from helpers import ENV, SEED, free_port, run_kg
from kg.errors import KGError
from kg.store import open_store

KILL_AT = Path(__file__).with_name("kill_at.py")
GRAPH = "https://w3id.org/results-kg/id/graph/report/MLI-2021"
STATISTICS = "https://w3id.org/results-kg/id/graph/statistics"
# the report's graph and the statistics merged from it: a reader sees both old or both new
QUERY = f"SELECT ?s ?p ?o WHERE {{ VALUES ?g {{ <{GRAPH}> <{STATISTICS}> }} GRAPH ?g {{ ?s ?p ?o }} }}"

# (point, n, published, the state of the store write when the build dies) -- in the order a build
# reaches them; ``point`` and ``n`` as tests/kill_at.py takes them: die before (or ``after:``) the
# n-th such call kg.store.embedded makes. ``published``: CURRENT names the new version afterwards.
# A build of one report writes 5 graphs (ontology, reference, report, then shared and statistics), each as 3
# pieces (nt, ttl, trig), and after the report's graph its contribution to the merged graphs.
KILL_POINTS = [
    ("fcntl.flock", 1, False, "before taking the store's lock"),
    ("after:fcntl.flock", 1, False, "holding the lock, stray folders of killed builds not yet removed"),
    ("ox.Store.read_only", 1, False, "before the checkpoint of the published version exists"),
    ("os.link", 1, False, "checkpoint made, the published version's pieces not yet linked"),
    ("StoreSink.write_graph", 1, False, "before the first graph is replaced"),
    ("StoreSink.write_graph", 3, False, "ontology and reference replaced, before the report's graph"),
    ("gzip.compress", 8, False, "the report's pieces half replaced: N-Triples new, Turtle empty, TriG old"),
    ("StoreSink.write_contribution", 1, False, "the report's graph written, its contribution not yet kept"),
    ("StoreSink.write_graph", 5, False, "the shared graph written, the statistics not yet"),
    ("gzip.compress", 15, False, "the statistics' pieces half replaced: N-Triples new, Turtle old"),
    ("after:StoreSink.write_graph", 5, False, "every graph written, nothing committed"),
    ("StoreSink.commit", 1, False, "at the start of commit"),
    ("os.path.getsize", 1, False, "the replaced graphs removed from the checkpoint, the new ones not loaded"),
    ("os.unlink", 1, False, "the new database loaded, optimized and closed"),
    ("build_index", 1, False, "before the new version's browse index is written"),
    ("after:build_index", 1, False, "the browse index written beside the unpublished database"),
    ("_write_dumps", 1, False, "version number chosen, before the dumps"),
    ("shutil.copyfileobj", 6, False, "dumps half written: N-Triples whole, Turtle one piece in"),
    ("os.rename", 1, False, "dumps written, nothing renamed yet"),
    ("after:os.rename", 1, False, "the browse index renamed to its version's name, not published"),
    ("after:os.rename", 2, False, "the new database renamed to its version name, not published"),
    ("after:os.rename", 4, False, "the new version's index, database, pieces and dumps in place, not published"),
    ("os.replace", 1, False, "the new CURRENT written and synced to a temporary file, just before the rename"),
    ("after:os.replace", 1, True, "just after the CURRENT rename, before pruning, still holding the lock"),
    ("after:_prune>shutil.rmtree", 1, True, "pruning half done: the oldest version's database removed, "
                                            "its dumps and pieces not"),
    ("after:StoreSink.commit", 1, True, "committed, pruned and unlocked, before kg build reports"),
]


def kg(*args: str, **kw) -> subprocess.CompletedProcess:
    return run_kg(*args, **kw)


def killed_build(point: str, n: int, report: Path, store: Path) -> subprocess.CompletedProcess:
    """``kg build REPORT --store STORE`` killed by SIGKILL at ``point`` (see tests/kill_at.py)."""
    return subprocess.run([sys.executable, str(KILL_AT), point, str(n), "--", "build", str(report), "--store",
                           str(store), "-q"], capture_output=True, text=True, env={**os.environ, **ENV}, timeout=300)


def answer_of_store(path: Path) -> str:
    """The digest of the report graph as a fresh reader of the store sees it."""
    res = open_store(path).snapshot().query(QUERY, union_default=False)
    return hashlib.sha256("\n".join(sorted(f"{r['s']} {r['p']} {r['o']}" for r in res)).encode()).hexdigest()


def answer_of_server(base: str) -> str:
    url = base + "/sparql?" + urllib.parse.urlencode({"query": QUERY})
    req = urllib.request.Request(url, headers={"Accept": "text/tab-separated-values"})
    with urllib.request.urlopen(req, timeout=30) as r:
        res = ox.parse_query_results(r.read(), format=ox.QueryResultsFormat.TSV)
    return hashlib.sha256("\n".join(sorted(f"{r['s']} {r['p']} {r['o']}" for r in res)).encode()).hexdigest()


@pytest.mark.slow
def test_killed_builds_never_show_a_half_replaced_report(tmp_path):
    store = tmp_path / "store"
    old_report, new_report = tmp_path / "old" / "MLI-2021.txt", tmp_path / "new" / "MLI-2021.txt"
    for path, text in ((old_report, SEED.read_text("utf-8")),
                       (new_report, SEED.read_text("utf-8").replace("211 men", "212 men"))):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    assert kg("build", str(new_report), "--store", str(store), "-q").returncode == 0
    new = answer_of_store(store)
    assert kg("build", str(old_report), "--store", str(store), "-q").returncode == 0
    old = answer_of_store(store)
    assert old != new
    graphs = open_store(store).snapshot().graph_names()
    assert GRAPH in graphs

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, **ENV, "KG_WEB_WORKERS": "1"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            answer_of_server(base)
            break
        except OSError:
            assert time.time() < deadline, "kg serve did not start"
            time.sleep(0.2)

    seen: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.append(answer_of_server(base))
            except OSError as e:
                failures.append(repr(e))

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        for point, n, published, what in KILL_POINTS:
            where = f"killed at {point} #{n} ({what})"
            before = answer_of_store(store)
            target, target_answer = (new_report, new) if before == old else (old_report, old)
            r = killed_build(point, n, target, store)
            assert r.returncode == -signal.SIGKILL, f"{where}: the build was not killed there: exit " \
                                                    f"{r.returncode}, {r.stderr[-800:]}"
            try:
                after = answer_of_store(store)  # the store opens cleanly and holds one whole version
            except KGError as e:
                pytest.fail(f"{where}: the store does not open: {e}")
            assert after in (old, new), f"{where}: the report graph is neither the old nor the new one"
            assert after == (target_answer if published else before), \
                f"{where}: expected {'the killed build' if published else 'the published'} version's report graph"
            opened = open_store(store)
            snap = opened.snapshot()
            assert snap.graph_names() == graphs, f"{where}: graphs missing or extra"  # and every graph is there
            assert opened.dumps_dir(snap.version).is_dir() and opened.pieces_dir(snap.version).is_dir(), \
                f"{where}: the published version {snap.version} has no dumps or no pieces"
            deadline = time.time() + 10  # the server follows CURRENT (it re-reads it every 0.2 s)
            while True:
                seen.append(answer_of_server(base))  # a reader too: so both versions are surely seen
                if seen[-1] == after:
                    break
                assert time.time() < deadline, f"{where}: kg serve does not serve the published version"
                time.sleep(0.1)
        # a build after all those kills works and cleans up what the killed ones left
        assert kg("build", str(new_report), "--store", str(store), "-q").returncode == 0
        assert answer_of_store(store) == new
        assert not list((store / "versions").glob(".new-*"))
    finally:
        stop.set()
        thread.join(30)
        server.terminate()
        server.wait(20)
    assert not failures, failures[:3]
    assert len(seen) > len(KILL_POINTS) and set(seen) <= {old, new}, "a reader saw a graph that was neither old nor new"
    assert seen.count(old) and seen.count(new), "the reader saw the graph change while builds were killed"
    print(f"\n{len(KILL_POINTS)} kill points, reader answers: {len(seen)} ({seen.count(old)} old, "
          f"{seen.count(new)} new)")


# ---- damaged and locked stores ---------------------------------------------------------------------


@pytest.fixture
def small_store(tmp_path) -> Path:
    store = tmp_path / "store"
    assert kg("build", str(SEED), "--store", str(store), "-q").returncode == 0
    return store


def test_a_locked_store_names_the_path_and_what_to_do(small_store):
    with open(small_store / ".lock", "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        r = kg("build", str(SEED), "--store", str(small_store), "-q")
        assert r.returncode == 3 and "Traceback" not in r.stderr
        assert str(small_store) in r.stderr and "locked" in r.stderr and "wait until it is done" in r.stderr
        extra = small_store.parent / "extra.ttl"
        extra.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
        r = kg("load", str(extra), "--store", str(small_store))
        assert r.returncode == 3 and "locked" in r.stderr and "Traceback" not in r.stderr
    assert kg("build", str(SEED), "--store", str(small_store), "-q").returncode == 0  # free again


def test_versions_a_killed_build_never_published_do_not_push_out_the_published_one(small_store):
    """Regression: two builds killed after renaming their version but before switching CURRENT left
    two unpublished versions, which counted among the three that pruning keeps, so the next build
    deleted the version readers were using until it published (a fresh open of it then failed)."""
    published = (small_store / "CURRENT").read_text().strip()
    for _ in range(2):
        r = killed_build("after:os.rename", 1, SEED, small_store)
        assert r.returncode == -signal.SIGKILL, r.stderr[-500:]
    (small_store / ".CURRENT.99999").write_text("v999999\n")  # a switch of CURRENT a killed build did not finish
    assert (small_store / "CURRENT").read_text().strip() == published
    assert kg("build", str(SEED), "--store", str(small_store), "-q").returncode == 0
    now = (small_store / "CURRENT").read_text().strip()
    kept = sorted(p.name for p in (small_store / "versions").iterdir() if p.name.startswith("v") and "." not in p.name)
    assert kept == [published, now], kept  # the unpublished ones are gone, the one readers had is still there
    ox.Store.read_only(str(small_store / "versions" / published))  # and a reader that names it can open it
    assert not list(small_store.glob(".CURRENT.*"))
    assert int(now[1:]) == int(published[1:]) + 1  # numbering goes on from the published version


@pytest.mark.parametrize("damage", ["missing-version", "garbage-current", "corrupt-database"])
def test_a_damaged_store_names_the_path_and_what_to_do(small_store, damage, tmp_path):
    version = (small_store / "CURRENT").read_text().strip()
    if damage == "missing-version":
        (small_store / "CURRENT").write_text("v000099\n")
    elif damage == "garbage-current":
        (small_store / "CURRENT").write_bytes(b"\xff\xfe garbage")
    else:
        for f in (small_store / "versions" / version).iterdir():
            if f.name.startswith(("MANIFEST", "CURRENT")) or f.suffix == ".sst":
                f.write_bytes(b"this is not a RocksDB file" * 10)
    for args in (["build", str(SEED), "--store", str(small_store), "-q"],
                 ["serve", "--store", str(small_store), "--port", str(free_port())]):
        r = kg(*args)
        assert r.returncode == 3, (args[0], r.returncode, r.stderr[-500:])
        assert "Traceback" not in r.stderr
        assert str(small_store) in r.stderr and "damaged" in r.stderr and "kg build --store" in r.stderr
