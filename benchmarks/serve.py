#!/usr/bin/env python3
"""Benchmark ``kg serve`` under load, against Oxigraph's own server on the same data.

    python benchmarks/serve.py [--reports 1000] [--seconds 20] [--concurrency 8] [--keep DIR]
                               [--seed S] [--max-requests N] [--rdflib-reports N]

1. Generates a synthetic corpus (``benchmarks/generate.py``, not timed) and builds it into a fresh
   store with ``python -m kg build CORPUS --store STORE -q`` (timed).
2. Starts ``python -m kg serve --store STORE`` on 127.0.0.1 (a free port) and waits for /healthz.
3. Loads the store's TriG dump (``STORE/versions/<CURRENT>.dumps/results-kg.trig.gz``, decompressed)
   into an Oxigraph database with ``oxigraph load`` (then ``oxigraph optimize``, as ``kg build`` optimizes each
   version it publishes) and serves it with
   ``oxigraph serve-read-only --union-default-graph`` (our /sparql also queries the union of the
   graphs), after checking that both servers answer the SPARQL scenario with the same rows.
4. Runs each scenario for ``--seconds`` (and at most ``--max-requests`` requests) with
   ``--concurrency`` threads, each with its own keep-alive ``http.client`` connection to 127.0.0.1,
   after a short untimed warm-up, recording every request's latency.
5. Prints a table (requests, errors, req/s, p50, p99), the ours/Oxigraph ratio for the SPARQL query and
   PASS/FAIL lines against the targets (informative: the exit code is 0 whatever they say).
6. For context, times the same query on rdflib's in-memory SPARQL engine (and on pyoxigraph in memory,
   on the same data) over the first ``--rdflib-reports`` report graphs of the dump.

Both servers are stopped at the end whatever happens; temporary files are removed unless --keep.
The load generator runs on the same machine as the servers and takes CPU from them: figures are
comparable with each other, not with a server measured from another machine.
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import itertools
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HOST = "127.0.0.1"  # the load generator only ever talks to this machine

QUERY = ("PREFIX rkg: <https://w3id.org/results-kg/def#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
         "SELECT ?country ?status (COUNT(DISTINCT ?note) AS ?n) WHERE { ?note a rkg:ProgressNote ; "
         "rkg:status ?status ; rkg:reportedIn/rkg:country ?country } GROUP BY ?country ?status")
FIRST_REPORT = ("PREFIX rkg: <https://w3id.org/results-kg/def#> "
                "SELECT ?r WHERE { ?r a rkg:Report } ORDER BY ?r LIMIT 1")
SPARQL_JSON = "application/sparql-results+json"

TARGET_SPARQL_RATIO = 0.5  # our /sparql req/s vs Oxigraph's
TARGET_ENTITY_P99_MS = 50.0


# ---- processes -----------------------------------------------------------------------------------------------------
def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    log: Path

    def tail(self, n: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def _start(name: str, cmd: list[str], port: int, log: Path) -> Server:
    logf = open(log, "wb")  # noqa: SIM115 - the child writes to it until it stops
    try:
        # a session of its own, so that stopping it also stops the server's workers and the query executors
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdin=subprocess.DEVNULL, stdout=logf,
                                stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        logf.close()
    return Server(name, proc, port, log)


def _stop(server: Server | None) -> None:
    if server is None or server.proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(server.proc.pid, sig)  # the group this script started, by its id
        except ProcessLookupError:
            return
        try:
            server.proc.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # workers or executors left behind in the group
        os.killpg(server.proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _get(port: int, path: str, accept: str, timeout: float = 30) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": accept})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type", ""), resp.read()
    finally:
        conn.close()


def _wait_ready(server: Server, path: str, accept: str, seconds: float) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with status {server.proc.returncode}:\n{server.tail()}")
        try:
            status, _, _ = _get(server.port, path, accept, timeout=5)
            if status == 200:
                return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{server.name} not ready after {seconds:.0f} s:\n{server.tail()}")


def _oxigraph_cli() -> str | None:
    """The ``oxigraph`` command (PyPI package ``oxigraph``): on PATH, beside this Python, or pip-installed."""
    for cand in (shutil.which("oxigraph"), str(Path(sys.executable).parent / "oxigraph")):
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            return cand
    print("installing the oxigraph CLI (pip install oxigraph) ...", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "oxigraph"], check=False)
    cand = Path(sys.executable).parent / "oxigraph"
    return str(cand) if cand.is_file() else shutil.which("oxigraph")


# ---- load generator ------------------------------------------------------------------------------------------------
@dataclass
class Scenario:
    name: str
    port: int
    path: str
    accept: str


@dataclass
class Result:
    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        if not self.latencies:
            return float("nan")
        s = sorted(self.latencies)
        return 1000 * s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))]


def _hammer(sc: Scenario, seconds: float, concurrency: int, max_requests: int) -> Result:
    """``concurrency`` threads, each with one keep-alive connection, until the deadline or the request budget."""
    res = Result(sc.name)
    budget = itertools.count()
    lock = threading.Lock()
    headers = {"Accept": sc.accept}
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def worker() -> None:
        lat: list[float] = []
        errs: dict[str, int] = {}
        conn = http.client.HTTPConnection(HOST, sc.port, timeout=60)
        start.wait()
        while time.perf_counter() < deadline[0] and next(budget) < max_requests:
            t0 = time.perf_counter()
            try:
                conn.request("GET", sc.path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                kind = None if resp.status == 200 else f"HTTP {resp.status}"
                if resp.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as e:
                kind = type(e).__name__
                conn.close()
            dt = time.perf_counter() - t0
            if kind is None:
                lat.append(dt)
            else:
                errs[kind] = errs.get(kind, 0) + 1
        conn.close()
        with lock:
            res.latencies.extend(lat)
            for k, v in errs.items():
                res.errors += v
                res.error_kinds[k] = res.error_kinds.get(k, 0) + v

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    deadline[0] = t0 + seconds
    start.wait()
    for t in threads:
        t.join()
    res.seconds = time.perf_counter() - t0
    return res


def _sequential_ms(sc: Scenario, n: int = 20) -> float:
    """Median latency of ``n`` requests one after another on one connection (no load)."""
    conn = http.client.HTTPConnection(HOST, sc.port, timeout=60)
    times = []
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            conn.request("GET", sc.path, headers={"Accept": sc.accept})
            resp = conn.getresponse()
            resp.read()
            times.append(time.perf_counter() - t0)
    finally:
        conn.close()
    return 1000 * statistics.median(times)


# ---- results -------------------------------------------------------------------------------------------------------
def _rows(body: bytes) -> set[tuple]:
    data = json.loads(body)
    out = set()
    for b in data["results"]["bindings"]:
        out.add(tuple((k, b[k]["value"]) for k in sorted(b)))
    return out


def _table(results: list[Result]) -> str:
    head = ["scenario", "requests", "errors", "req/s", "p50 ms", "p99 ms"]
    lines = [[r.name, f"{r.ok + r.errors:,}", f"{r.errors:,}", f"{r.rps:,.1f}", f"{r.pct(50):.1f}",
              f"{r.pct(99):.1f}"] for r in results]
    widths = [max(len(h), *(len(row[i]) for row in lines)) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:<{widths[0]}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    out = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*row) for row in lines]
    return "\n".join(out)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# ---- rdflib, for context -------------------------------------------------------------------------------------------
def _rdflib_context(trig: Path, n_reports: int, runs: int = 3) -> None:
    import pyoxigraph as ox
    import rdflib

    t0 = time.perf_counter()
    quads = list(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG))
    reports = sorted({q.graph_name.value for q in quads
                      if isinstance(q.graph_name, ox.NamedNode) and "/graph/report/" in q.graph_name.value})
    keep = set(reports[:n_reports]) if n_reports > 0 else set(reports)
    subset = [q for q in quads if not (isinstance(q.graph_name, ox.NamedNode) and "/graph/report/" in
                                       q.graph_name.value) or q.graph_name.value in keep]
    del quads
    nquads = ox.serialize(subset, format=ox.RdfFormat.N_QUADS)
    prep = time.perf_counter() - t0
    label = (f"all {len(reports):,} report graphs" if len(keep) == len(reports)
             else f"the first {len(keep):,} of {len(reports):,} report graphs (in IRI order)")
    print(f"\nrdflib {rdflib.__version__}, for context: the same SPARQL query, one request at a time, in process, on "
          f"{label} plus the reference and ontology graphs: {len(subset):,} quads (subset prepared with pyoxigraph "
          f"in {prep:.1f} s)", flush=True)

    mem = ox.Store()
    t0 = time.perf_counter()
    mem.bulk_extend(subset)
    ox_load = time.perf_counter() - t0
    del subset
    ox_times, ox_rows = [], 0
    for _ in range(max(runs, 5)):
        t0 = time.perf_counter()
        ox_rows = len(list(mem.query(QUERY, use_default_graph_as_union=True)))
        ox_times.append(time.perf_counter() - t0)
    del mem

    ds = rdflib.Dataset(default_union=True)
    t0 = time.perf_counter()
    ds.parse(data=nquads, format="nquads")
    rdf_load = time.perf_counter() - t0
    del nquads
    t0 = time.perf_counter()
    len(list(ds.query(QUERY)))  # the first query also pays for rdflib's one-off set-up
    rdf_first = time.perf_counter() - t0
    rdf_times, rdf_rows = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        rdf_rows = len(list(ds.query(QUERY)))
        rdf_times.append(time.perf_counter() - t0)

    rdf_med, ox_med = statistics.median(rdf_times), statistics.median(ox_times)
    print(f"  rdflib Dataset(default_union=True): load (N-Quads parse) {rdf_load:.1f} s; first query "
          f"{rdf_first * 1000:,.0f} ms, then {', '.join(f'{t * 1000:,.0f}' for t in rdf_times)} ms "
          f"(median {rdf_med * 1000:,.0f} ms), {rdf_rows} rows")
    print(f"  pyoxigraph in-memory Store (use_default_graph_as_union): load {ox_load:.1f} s; query median "
          f"{ox_med * 1000:,.1f} ms over {len(ox_times)} runs, {ox_rows} rows")
    same = "same rows count" if rdf_rows == ox_rows else f"ROW COUNTS DIFFER ({rdf_rows} vs {ox_rows})"
    print(f"  rdflib is {rdf_med / ox_med:,.0f}x slower than pyoxigraph on this query and data ({same})")


# ---- main ----------------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Benchmark kg serve against Oxigraph's server on synthetic reports.")
    p.add_argument("--reports", type=int, default=1000, help="corpus size (default 1000)")
    p.add_argument("--seconds", type=float, default=20.0, help="timed seconds per scenario (default 20)")
    p.add_argument("--concurrency", type=int, default=8, help="client threads, one connection each (default 8)")
    p.add_argument("--max-requests", type=int, default=200_000, help="most requests per scenario (default 200000)")
    p.add_argument("--warmup", type=float, default=2.0, help="untimed seconds before each scenario (default 2)")
    p.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    p.add_argument("--rdflib-reports", type=int, default=100,
                   help="report graphs loaded into rdflib for the context figure (default 100; 0 = all)")
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep corpus, store and logs under DIR (default: temp dir)")
    args = p.parse_args(argv)
    if args.reports < 1 or args.seconds <= 0 or args.concurrency < 1 or args.max_requests < 1:
        p.error("--reports, --seconds, --concurrency and --max-requests must be positive")

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    import generate  # benchmarks/generate.py

    from kg import settings

    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-serve-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus, store, oxdb = work / "reports", work / "store", work / "oxigraph-db"
    for d in (corpus, store, oxdb):
        if d.exists():
            shutil.rmtree(d)
    try:
        ours: Server | None = None
        oxi: Server | None = None
        results: list[Result] = []
        seq: dict[str, float] = {}
        trig: Path | None = None
        try:
            # 1. corpus and store
            t0 = time.perf_counter()
            generate.generate(corpus, args.reports, args.seed)
            print(f"generated {args.reports:,} reports in {time.perf_counter() - t0:.1f} s (not timed); building the "
                  "store ...", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "kg", "build", str(corpus), "--store", str(store), "-q"],
                                  cwd=ROOT, env=_env(), capture_output=True, text=True)
            build_s = time.perf_counter() - t0
            if proc.returncode != 0:
                print(f"kg build failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
                return 0
            version = (store / "CURRENT").read_text().strip()
            dump = store / "versions" / f"{version}.dumps" / "results-kg.trig.gz"
            print(f"\nResults KG serve benchmark: {args.reports:,} synthetic reports (seed {args.seed}), "
                  f"{args.concurrency} client threads x {args.seconds:g} s per scenario (+{args.warmup:g} s warm-up), "
                  f"client and servers on this machine ({os.cpu_count()} CPUs)")
            print(f"  kg build {args.reports:,} reports --store: {build_s:.1f} s (version {version}, TriG dump "
                  f"{dump.stat().st_size / 1e6:.1f} MB gzipped)", flush=True)

            # 2. our server
            port = _free_port()
            ours = _start("kg serve", [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port),
                                       "--host", HOST], port, work / "kg-serve.log")
            ready = _wait_ready(ours, "/healthz", "application/json", 180)
            print(f"  kg serve ready in {ready:.1f} s: workers {settings.get('web_workers')}, threads "
                  f"{settings.get('web_threads')}, query executors per worker {settings.get('query_executors')}",
                  flush=True)

            # 3. Oxigraph's server on the same data
            cli = _oxigraph_cli()
            if cli is None:
                print("  oxigraph CLI not available: skipping the Oxigraph scenario")
            else:
                trig = work / "results-kg.trig"
                with gzip.open(dump, "rb") as src, open(trig, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                t0 = time.perf_counter()
                proc = subprocess.run([cli, "load", "--location", str(oxdb), "--file", str(trig)],
                                      capture_output=True, text=True)
                load_s = time.perf_counter() - t0
                if proc.returncode == 0:
                    # kg build optimizes (compacts) each version before publishing it; a read-only server never
                    # compacts, so Oxigraph's database gets the same treatment
                    t0 = time.perf_counter()
                    proc = subprocess.run([cli, "optimize", "--location", str(oxdb)], capture_output=True, text=True)
                    optimize_s = time.perf_counter() - t0
                if proc.returncode != 0:
                    print(f"  oxigraph load/optimize failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
                    cli = None
                else:
                    ver = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout.strip()
                    oport = _free_port()
                    oxi = _start("oxigraph", [cli, "serve-read-only", "--location", str(oxdb), "--bind",
                                              f"{HOST}:{oport}", "--union-default-graph"], oport, work / "oxigraph.log")
                    ready = _wait_ready(oxi, "/query?" + urlencode({"query": "ASK {}"}), SPARQL_JSON, 60)
                    print(f"  {ver}: load of the decompressed TriG dump {load_s:.1f} s, optimize "
                          f"{optimize_s:.1f} s; serve-read-only "
                          f"--union-default-graph ready in {ready:.1f} s", flush=True)

            # 4. scenarios
            status, _, body = _get(port, "/sparql?" + urlencode({"query": FIRST_REPORT}), SPARQL_JSON)
            report_iri = json.loads(body)["results"]["bindings"][0]["r"]["value"]
            base = settings.get("base_iri")
            entity_path = "/id/" + report_iri[len(base):]  # minted IRIs are already percent-encoded
            scenarios = [Scenario("entity HTML", port, entity_path, "text/html"),
                         Scenario("entity Turtle", port, entity_path, "text/turtle"),
                         Scenario("ours /sparql", port, "/sparql?" + urlencode({"query": QUERY}), SPARQL_JSON)]
            if oxi is not None:
                scenarios.append(Scenario("oxigraph /query", oxi.port, "/query?" + urlencode({"query": QUERY}),
                                          SPARQL_JSON))
            print(f"  entity: {entity_path}; SPARQL: status x country, COUNT(DISTINCT ?note), via GET", flush=True)

            checks = {}
            for sc in scenarios:
                status, ctype, body = _get(sc.port, sc.path, sc.accept)
                checks[sc.name] = (status, ctype, body)
                if status != 200:
                    print(f"  WARNING {sc.name}: first request gave HTTP {status}: {body[:300]!r}")
            ours_rows = _rows(checks["ours /sparql"][2]) if checks["ours /sparql"][0] == 200 else set()
            if oxi is not None:
                ox_rows = _rows(checks["oxigraph /query"][2]) if checks["oxigraph /query"][0] == 200 else set()
                same = "the same" if ours_rows == ox_rows else "DIFFERENT"
                print(f"  rows before timing: ours {len(ours_rows)}, oxigraph {len(ox_rows)} ({same} rows)", flush=True)
            else:
                print(f"  rows before timing: ours {len(ours_rows)}", flush=True)

            for sc in scenarios:
                print(f"[{sc.name}] {args.seconds:g} s x {args.concurrency} threads ...", file=sys.stderr, flush=True)
                seq[sc.name] = _sequential_ms(sc)
                _hammer(sc, args.warmup, args.concurrency, args.max_requests)
                results.append(_hammer(sc, args.seconds, args.concurrency, args.max_requests))
        except Exception as e:  # noqa: BLE001 - a benchmark reports what went wrong and still exits 0
            print(f"\nbenchmark stopped early: {type(e).__name__}: {e}")
        finally:
            _stop(ours)
            _stop(oxi)

        # 5. figures
        if results:
            print()
            print(_table(results))
            print("\n(requests = all sent in the timed window; req/s and percentiles count successful (200) responses "
                  "only; latency is from sending the request to reading the whole body)")
            for r in results:
                if r.error_kinds:
                    print(f"  {r.name} errors: {', '.join(f'{k} x{v}' for k, v in sorted(r.error_kinds.items()))}")
            print("single-request latency, one connection, no other load (median of 20): "
                  + "; ".join(f"{k} {v:.1f} ms" for k, v in seq.items()))
            by = {r.name: r for r in results}
            print("\nTargets (informative, not asserted):")
            if "oxigraph /query" in by and by["oxigraph /query"].rps:
                ratio = by["ours /sparql"].rps / by["oxigraph /query"].rps
                print(f"  ours/oxigraph for the SPARQL query: {ratio:.2f}x ({by['ours /sparql'].rps:,.1f} vs "
                      f"{by['oxigraph /query'].rps:,.1f} req/s)")
                print(f"  {_verdict(ratio >= TARGET_SPARQL_RATIO)}  our /sparql >= {TARGET_SPARQL_RATIO:g}x Oxigraph's "
                      f"req/s: {ratio:.2f}x")
            else:
                print("  n/a   our /sparql vs Oxigraph: no Oxigraph figure")
            for name in ("entity HTML", "entity Turtle"):
                if name in by:
                    p99 = by[name].pct(99)
                    print(f"  {_verdict(p99 < TARGET_ENTITY_P99_MS)}  {name} p99 < {TARGET_ENTITY_P99_MS:g} ms: "
                          f"{p99:.1f} ms")

        # 6. rdflib, after the servers are stopped so that it has the machine to itself
        if trig is not None and trig.is_file():
            try:
                _rdflib_context(trig, args.rdflib_reports)
            except Exception as e:  # noqa: BLE001
                print(f"\nrdflib context figure failed: {type(e).__name__}: {e}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"\nkept corpus, store, Oxigraph database and server logs under {work}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
