"""`kg serve` under ordinary traffic, on loopback, in bounded loops: slow and idle clients, a quick clean stop,
a publish under reads, the worker count. Speeds are measured by benchmarks/serve.py, never asserted here."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from helpers import ENV, SEED, free_port, run_kg

SLOW, IDLE = 120, 60  # together far more than the 2 workers x 8 threads that 15 slow clients used to exhaust


def _start(store: Path, log: Path, *args: str, env: dict | None = None) -> tuple[str, subprocess.Popen]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port), *args],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, env={**os.environ, **ENV, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return base, proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("kg serve did not start: " + log.read_text()[-2000:])


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "store"
    assert run_kg("build", str(SEED), "--store", str(path), "-q").returncode == 0
    return path


def _children(pid: int) -> set[int]:
    """Every process descended from ``pid`` (workers, their query executors)."""
    out: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        out |= {int(k) for k in kids}
        todo += [int(k) for k in kids]
    return out


def test_slow_and_idle_clients_never_block_a_normal_request(live_server):
    """Slow clients send a request a byte at a time and idle ones send nothing, together far more connections
    than the server has Python threads; normal requests meanwhile are each answered within 1 s."""
    port = int(live_server.rsplit(":", 1)[1])
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(IDLE)]
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(SLOW)]
    stop = threading.Event()

    def drip() -> None:
        for s in slow:
            s.send(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while not stop.wait(0.5):
            for s in slow:
                try:
                    s.send(b"X")
                except OSError:
                    pass

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        time.sleep(1)
        for path in ("/healthz", "/id/org/undp", "/sparql?query=ASK%7B%7D") * 4:
            t = time.monotonic()
            with urllib.request.urlopen(live_server + path, timeout=5) as r:
                assert r.status == 200
            assert time.monotonic() - t < 1.0, path
    finally:
        stop.set()
        dripper.join(5)
        for s in idle + slow:
            s.close()


def test_a_stop_is_quick_and_leaves_no_process(store, tmp_path):
    """SIGTERM with a request stalled halfway: the server exits within 3 s, with status 0, no worker dies of
    a signal, and no worker or query executor outlives it."""
    base, proc = _start(store, tmp_path / "serve.log")
    family = _children(proc.pid)
    assert len(family) >= 4  # 2 workers and their executors
    stalled = socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])))
    stalled.send(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    time.sleep(0.5)
    t = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(10)
    took = time.monotonic() - t
    stalled.close()
    log = (tmp_path / "serve.log").read_text()
    assert code == 0 and took < 3.0, (code, took, log[-1500:])
    assert "SIGSEGV" not in log and "SIGABRT" not in log and "Traceback" not in log
    time.sleep(0.5)
    assert not [p for p in family if Path(f"/proc/{p}").exists() and "zombie" not in
                Path(f"/proc/{p}/status").read_text().lower()], "a worker or executor outlived the server"


def test_sighup_reloads_the_workers_without_a_failed_request(store, tmp_path):
    base, proc = _start(store, tmp_path / "serve.log")
    try:
        workers = _children(proc.pid)
        failures, done = [], threading.Event()

        def read() -> None:
            while not done.is_set():
                try:
                    urllib.request.urlopen(base + "/id/org/undp", timeout=5).read()
                except OSError as e:
                    failures.append(e)

        readers = [threading.Thread(target=read) for _ in range(2)]
        for r in readers:
            r.start()
        proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 20
        while time.time() < deadline and not (set(_children(proc.pid)) - workers):
            time.sleep(0.2)
        time.sleep(2)
        done.set()
        for r in readers:
            r.join(10)
        assert set(_children(proc.pid)) - workers, "no new worker after SIGHUP"
        assert failures == []
    finally:
        proc.terminate()
        proc.wait(10)


def test_publishing_under_reads_fails_no_request_and_serves_the_new_version_at_once(store, tmp_path):
    """Two new versions published by `kg build --store` while 4 clients read: no request fails, and a
    request after each publish sees the new version within 2 s."""
    served = tmp_path / "store"
    shutil.copytree(store, served)
    base, proc = _start(served, tmp_path / "serve.log")
    failures: list[str] = []
    done = threading.Event()
    count = [0]

    def read() -> None:
        while not done.is_set():
            for path in ("/id/report/MLI-2021", "/sparql?query=ASK%7B%7D", "/healthz"):
                try:
                    with urllib.request.urlopen(base + path, timeout=10) as r:
                        r.read()
                    count[0] += 1
                except (OSError, urllib.error.HTTPError) as e:
                    failures.append(f"{path}: {e}")

    readers = [threading.Thread(target=read) for _ in range(4)]
    for r in readers:
        r.start()
    try:
        for round_ in (1, 2):
            text = SEED.read_text(encoding="utf-8").replace("Mali", "Mali", 1) + f"\n\n{'  ' * round_}\n"
            report = tmp_path / f"MLI-2021-{round_}.txt"
            report.write_text(text, encoding="utf-8")
            r = run_kg("build", str(report), "--store", str(served), "-q")
            assert r.returncode == 0, r.stderr
            published = (served / "CURRENT").read_text().strip()
            deadline = time.time() + 2
            seen = None
            while time.time() < deadline:
                seen = urllib.request.urlopen(base + "/healthz", timeout=5).read().decode()
                if published in seen:
                    break
                time.sleep(0.05)
            assert published in (seen or ""), (published, seen)
    finally:
        done.set()
        for r in readers:
            r.join(20)
        proc.terminate()
        proc.wait(10)
    assert failures == [] and count[0] > 50, (failures[:5], count[0])


def test_workers_auto_and_a_bad_count(store, tmp_path):
    base, proc = _start(store, tmp_path / "serve.log", "--workers", "auto")
    try:
        assert len([p for p in _children(proc.pid) if "kg.query.executor" not in
                    Path(f"/proc/{p}/cmdline").read_text()]) == len(os.sched_getaffinity(0))
    finally:
        proc.terminate()
        proc.wait(10)
    r = run_kg("serve", "--store", str(store), "--workers", "0")
    assert r.returncode == 2 and "--workers" in r.stderr and "Traceback" not in r.stderr


def test_a_repeated_query_is_answered_the_same_and_a_volatile_one_afresh(live_server):
    """The same GET query on the same version gets the same bytes and ETag (replayed without running it
    again), and a 304 for that ETag; a query asking for fresh identifiers (STRUUID) is run every time."""
    def get(query: str, headers: dict | None = None) -> tuple[int, object, bytes]:
        req = urllib.request.Request(live_server + "/sparql?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json", **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    q = "SELECT ?p ?o WHERE { <https://w3id.org/results-kg/id/org/undp> ?p ?o }"
    answers = [get(q) for _ in range(3)]
    assert {a[0] for a in answers} == {200} and len({a[2] for a in answers}) == 1
    assert len({a[1]["ETag"] for a in answers}) == 1 and answers[0][1]["Access-Control-Allow-Origin"] == "*"
    assert answers[2][1]["X-Content-Type-Options"] == "nosniff"  # the framework's headers, replayed too
    status, _, body = get(q, {"If-None-Match": answers[0][1]["ETag"]})
    assert status == 304 and body == b""
    fresh = {get("SELECT (STRUUID() AS ?u) WHERE {}")[2] for _ in range(3)}
    assert len(fresh) == 3


def test_the_proxys_scheme_names_the_absolute_urls(live_server):
    """Behind the documented TLS proxy (X-Forwarded-For and -Proto from 127.0.0.1), the service description names the
    endpoint as clients reach it."""
    req = urllib.request.Request(live_server + "/sparql", headers={"Accept": "application/n-triples",
                                                                    "X-Forwarded-For": "203.0.113.7",
                                                                    "X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read().decode()
    host = live_server.split("://", 1)[1]
    assert f"<https://{host}/sparql> <http://www.w3.org/ns/sparql-service-description#endpoint>" in body
