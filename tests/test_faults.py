"""Faults: builds killed at random points while the store is served; damaged and locked stores.

The fault-injection test alternates the seed report between two versions (one figure
changed) and kills each ``kg build --store`` at a random moment of its run, at least
20 times, while a real ``kg serve`` answers a reader that queries the report's graph
the whole time. Every answer, during and after each kill, must be the old graph or
the new one, and the store must open cleanly after each kill.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import random
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

from kg.store import open_store

from helpers import ENV, SEED, free_port as _free_port

RUNS = int(os.environ.get("KG_FAULT_RUNS", "24"))
GRAPH = "https://w3id.org/results-kg/id/graph/report/MLI-2021"
QUERY = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"


def kg(*args: str, **kw) -> subprocess.CompletedProcess:  # noqa: ANN003
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          env={**os.environ, **ENV}, timeout=300, **kw)


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

    port = _free_port()
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
    rng = random.Random(20261129)
    outcomes = {"killed": 0, "finished": 0}
    try:
        durations = []  # how long a whole build takes while the store is being read: kills land anywhere in it
        for target in (new_report, old_report):
            t0 = time.monotonic()
            assert kg("build", str(target), "--store", str(store), "-q").returncode == 0
            durations.append(time.monotonic() - t0)
        full = max(durations)
        for run in range(RUNS):
            target = new_report if answer_of_store(store) == old else old_report
            proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(target), "--store", str(store), "-q"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **ENV})
            time.sleep(rng.uniform(0, full * 1.15))
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            outcomes["killed" if proc.returncode == -signal.SIGKILL else "finished"] += 1
            after = answer_of_store(store)  # the store opens cleanly and holds one whole version
            assert after in (old, new), f"run {run}: the report graph is neither the old nor the new one"
            assert open_store(store).snapshot().graph_names()  # and every graph is there
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
    assert len(seen) > RUNS and set(seen) <= {old, new}, "a reader saw a graph that was neither old nor new"
    assert outcomes["killed"] >= RUNS // 2, outcomes  # most kills landed inside a build
    assert seen.count(old) and seen.count(new), "the reader saw the graph change while builds were killed"
    print(f"\n{RUNS} runs: {outcomes}, reader answers: {len(seen)} ({seen.count(old)} old, {seen.count(new)} new)")


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
                 ["serve", "--store", str(small_store), "--port", str(_free_port())]):
        r = kg(*args)
        assert r.returncode == 3, (args[0], r.returncode, r.stderr[-500:])
        assert "Traceback" not in r.stderr
        assert str(small_store) in r.stderr and "damaged" in r.stderr and "kg build --store" in r.stderr
