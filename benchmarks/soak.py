#!/usr/bin/env python3
"""Soak: `kg serve` under minutes of mixed ordinary traffic, watching errors, latency and memory.

    python benchmarks/soak.py --store STORE [--minutes 10] [--clients 8]

Starts ``kg serve --store STORE`` on 127.0.0.1 and runs ``--clients`` threads for ``--minutes``, each
with its own keep-alive connection, cycling through a mix: an entity page in HTML and in Turtle (a
different entity each time, from the store's notes, organisations and places: the first visit is
uncached, later ones come from the page cache), a search, a small query, a query with a syntax error
(400 expected), a HEAD, and a path that does not exist (404 expected). Every status is checked
against what that request should get; a connection error counts as one too.

Prints per kind of request: count, unexpected answers, p50 and p99; the resident memory of the
server's processes every minute, and its growth after the first minute. Traffic goes to 127.0.0.1
only; the server is stopped at the end whatever happens. Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

from servers import HOST, ROOT, free_port, rss_mb  # benchmarks/servers.py: the same port and memory helpers


def entities(store: Path, base: str, n: int = 20000) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from kg.store import open_store

    snap = open_store(store).snapshot()
    out = []
    for cls in ("ProgressNote", "Place"):
        q = f"SELECT ?s WHERE {{ ?s a <https://w3id.org/results-kg/def#{cls}> }} LIMIT {n}"
        out += [r["s"].value for r in snap.query(q)]
    out += [r["s"].value for r in snap.query(
        "SELECT ?s WHERE { ?s a <http://www.w3.org/ns/org#Organization> } LIMIT 2000")]
    return ["/id/" + s[len(base):] for s in out if s.startswith(base)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--base-iri", default="https://w3id.org/results-kg/id/")
    args = ap.parse_args(argv)
    paths = entities(args.store, args.base_iri)
    random.Random(0).shuffle(paths)
    port = free_port()
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"soak-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(args.store), "--port", str(port)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    lat: dict[str, list[float]] = defaultdict(list)
    bad: dict[str, int] = defaultdict(int)
    memory: list[tuple[float, float]] = []
    lock = threading.Lock()
    cursor = [0]
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(3)
        small = urllib.parse.urlencode(
            {"query": "SELECT ?p ?o WHERE { <https://w3id.org/results-kg/id/org/undp> ?p ?o }"})
        broken = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p }"})
        end = time.time() + args.minutes * 60

        def client(k: int) -> None:
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            rnd = random.Random(k)
            while time.time() < end:
                with lock:  # every other round a new entity (uncached), else one of the last 200 seen (cached)
                    cursor[0] += 1
                    cached = cursor[0] % 2 == 0 and cursor[0] > 400
                    n = cursor[0] // 2
                    entity = paths[(n - rnd.randrange(1, 200)) % len(paths)] if cached else paths[n % len(paths)]
                mix = [("page " + ("cached" if cached else "uncached"), "GET", entity, "text/html", 200),
                       ("turtle", "GET", entity, "text/turtle", 200),
                       ("search", "GET", "/search?" + urllib.parse.urlencode(
                           {"q": rnd.choice(["women", "UNDP", "Ségou", "budget"])}), "text/html", 200),
                       ("small query", "GET", "/sparql?" + small, "application/sparql-results+json", 200),
                       ("failing query", "GET", "/sparql?" + broken, "application/sparql-results+json", 400),
                       ("HEAD", "HEAD", entity, "text/html", 200),
                       ("404", "GET", "/id/org/no-such-organisation-" + str(k), "text/html", 404)]
                for kind, method, path, accept, expected in mix:
                    t = time.monotonic()
                    try:
                        conn.request(method, path, headers={"Accept": accept})
                        r = conn.getresponse()
                        r.read()
                        ok = r.status == expected
                    except (OSError, http.client.HTTPException):
                        ok = False
                        conn.close()
                        conn = http.client.HTTPConnection(HOST, port, timeout=30)
                    ms = (time.monotonic() - t) * 1000
                    with lock:
                        lat[kind].append(ms)
                        if not ok:
                            bad[kind] += 1

        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        t0 = time.time()
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            memory.append((time.time() - t0, rss_mb(proc.pid)))
            time.sleep(10)
        for t in threads:
            t.join()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    total = sum(len(v) for v in lat.values())
    print(f"\n{args.clients} clients, {args.minutes:g} min, {total:,} requests, "
          f"{sum(bad.values())} unexpected answers or connection errors\n")
    print("| request | count | unexpected | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for kind in sorted(lat):
        v = sorted(lat[kind])
        p99 = v[min(len(v) - 1, int(len(v) * 0.99))]
        print(f"| {kind} | {len(v):,} | {bad[kind]} | {statistics.median(v):.1f} | {p99:.1f} |")
    after_first = [m for s, m in memory if s >= 60]
    if after_first:
        growth = (after_first[-1] - after_first[0]) / after_first[0] * 100
        print(f"\nmemory (MB, every minute): {', '.join(f'{m:,.0f}' for s, m in memory if int(s) % 60 < 10)}; "
              f"growth after the first minute: {growth:+.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
