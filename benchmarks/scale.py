#!/usr/bin/env python3
"""How build, push, queries and pages scale with the corpus: embedded store versus Oxigraph server.

    python benchmarks/scale.py [--sizes 1000 10000] [--runs 3] [--pages 40] [--keep DIR] [--json FILE [--reuse]]
                               [--embedded-only]

For each size N (corpus from ``benchmarks/generate.py``, not timed):

1. build: ``python -m kg build CORPUS --store STORE -q`` into a fresh embedded store (timed; triples
   counted in the store);
2. push: starts ``oxigraph serve --union-default-graph`` on a fresh folder and runs ``python -m kg push``
   (timed: triples/s as ``kg push`` reports them, including its closing check of every graph's count);
3. queries: serves the embedded store (``kg serve --store``) and the remote (``kg serve --endpoint``) on
   127.0.0.1 and runs each example query of ``ontology/queries/`` through both /sparql endpoints
   ``--runs`` times (median; the first run is included, since most queries are asked once);
   queries marked "# export:" (they return every figure, part or finding) are also read whole, in-process,
   once: rows and rows per second;
4. pages: fetches ``--pages`` report and outcome pages (HTML) from the server on the remote, each twice
   (the first uncached: every page is a new IRI; the second from the page cache), and reports p50 and
   p95; then the hub pages, the partner and the place that most progress notes name, once from each
   server (uncached).

Rows are capped at KG_MAX_ROWS=10000 by both servers (the query still runs to completion: ORDER BY
needs every row); KG_QUERY_TIMEOUT (default here 300 s) stops a query, which the table says.
Prints one table per size and a closing table with the growth ratios between consecutive sizes
(time ratio / size ratio: 1.0 is linear). Servers are stopped at the end whatever happens.
Timings are printed, never asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QUERIES = sorted((ROOT / "ontology" / "queries").glob("*.rq"))
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
       "KG_QUERY_TIMEOUT": os.environ.get("KG_QUERY_TIMEOUT", "300"), "KG_MAX_ROWS": "10000", "KG_WEB_WORKERS": "1"}
BASE_IRI = "https://w3id.org/results-kg/id/"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kg(*args: str) -> tuple[float, str]:
    t = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, env=ENV)
    if r.returncode:
        raise SystemExit(f"kg {args[0]} failed ({r.returncode}): {r.stderr[-2000:]}")
    return time.monotonic() - t, r.stdout


def wait(url: str, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not come up")


def fetch(url: str, accept: str, data: bytes | None = None) -> tuple[float, bytes]:
    req = urllib.request.Request(url, data=data, headers={"Accept": accept})
    t = time.monotonic()
    with urllib.request.urlopen(req, timeout=900) as r:
        body = r.read()
    return time.monotonic() - t, body


def sparql(base: str, query: str) -> tuple[float | None, int]:
    """Seconds and rows of one query through /sparql; None when the server stopped it (its time limit)."""
    data = urllib.parse.urlencode({"query": query}).encode()
    try:
        seconds, body = fetch(base + "/sparql", "application/sparql-results+json", data)
    except urllib.error.HTTPError as e:
        if e.code in (503, 504):
            return None, 0
        raise
    return seconds, len(json.loads(body)["results"]["bindings"])


def serve(args: list[str]) -> tuple[str, subprocess.Popen]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    base = f"http://127.0.0.1:{port}"
    wait(base + "/healthz")
    return base, proc


def stop(proc: subprocess.Popen | None) -> None:
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        raise SystemExit("the oxigraph server is needed: pip install oxigraph")
    return found


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run_size(n: int, work: Path, runs: int, pages: int, earlier: dict | None = None,
             only: list[str] | None = None, remote_too: bool = True) -> dict:
    """One size; with ``earlier`` (a previous run's figures) the kept store and Oxigraph folder are reused;
    without ``remote_too`` only the embedded store is measured (no Oxigraph server, no push)."""
    corpus, store, oxdir = work / f"corpus-{n}", work / f"store-{n}", work / f"oxigraph-{n}"
    if earlier:
        if not (store / "CURRENT").is_file() or (remote_too and not oxdir.is_dir()):
            raise SystemExit(f"--reuse: no kept store and Oxigraph folder for {n} reports in {work}")
        print(f"[{n}] reusing {store} and {oxdir} (build and push figures from the earlier run)", file=sys.stderr)
        build_s = earlier["build_s"]
    else:
        if not corpus.is_dir():
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(corpus), "--count", str(n)], check=True,
                           env=ENV, stdout=subprocess.DEVNULL)
        shutil.rmtree(store, ignore_errors=True)
        print(f"[{n}] building …", file=sys.stderr, flush=True)
        build_s, _ = kg("build", str(corpus), "--store", str(store), "-q")
    sys.path.insert(0, str(ROOT))
    from kg.store import open_store

    snap = open_store(store).snapshot()
    triples = len(snap)
    graphs = len(snap.graph_names())
    del snap
    procs: list[subprocess.Popen] = []
    push_s = repush_s = None
    try:
        local_base, p1 = serve(["--store", str(store)])
        procs.append(p1)
        remote, remote_base = local_base + "/sparql", None  # what lookups and pages use without a remote
        if remote_too:
            if not earlier:
                shutil.rmtree(oxdir, ignore_errors=True)
                oxdir.mkdir()
            port = free_port()
            procs.append(subprocess.Popen([oxigraph_binary(), "serve", "--location", str(oxdir), "--bind",
                                           f"127.0.0.1:{port}", "--union-default-graph"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            remote = f"http://127.0.0.1:{port}"
            wait(remote + "/query?query=ASK%7B%7D")
            if earlier:
                push_s = earlier["push_s"]
            else:
                print(f"[{n}] pushing {triples:,} triples …", file=sys.stderr, flush=True)
                push_s, out = kg("push", "--store", str(store), "--endpoint", remote + "/query", "--graph-store",
                                 remote + "/store", "-q")
                print(f"[{n}] {out.strip()}", file=sys.stderr)
            repush_s, _ = kg("push", "--store", str(store), "--endpoint", remote + "/query", "--graph-store",
                             remote + "/store", "-q")
            remote_base, p2 = serve(["--endpoint", remote + "/query"])
            procs.append(p2)
            remote += "/query"
        queries = []
        for q in (q for q in QUERIES if only is None or q.stem in only):
            text = q.read_text(encoding="utf-8")
            row = {"query": q.stem}
            # an export has more rows than /sparql sends (it refuses such a result, 422): time its first page
            http_text = text + "\nLIMIT 10000" if "# export:" in text else text
            for name, base in (("embedded", local_base), ("remote", remote_base)):
                if base is None:
                    row[name], row[name + "_rows"] = "not run", 0
                    continue
                times, count = [], 0
                for _ in range(runs):
                    s, count = sparql(base, http_text)
                    times.append(s)
                    if s is None:
                        break
                row[name] = None if None in times else statistics.median(times)
                row[name + "_rows"] = count
            if "# export:" in text:  # every row, read in-process: the export's rate, not the row cap's
                t0 = time.monotonic()
                row["export_rows"] = sum(1 for _ in open_store(store).snapshot().query(text))
                row["export_s"] = time.monotonic() - t0
            queries.append(row)
            print(f"[{n}] {q.stem}: embedded {_s(row['embedded'])}, remote {_s(row['remote'])}"
                  + (f", export {row['export_rows']:,} rows in {row['export_s']:.1f} s" if "export_s" in row else ""),
                  file=sys.stderr, flush=True)
        _, body = fetch(remote, "application/sparql-results+json", urllib.parse.urlencode({"query": (
            "SELECT ?x WHERE { { ?x a <https://w3id.org/results-kg/def#Report> } UNION "
            f"{{ ?x a <https://w3id.org/results-kg/def#Outcome> }} }} LIMIT {pages:d}")}).encode())
        iris = [b["x"]["value"] for b in json.loads(body)["results"]["bindings"]]
        page_times, cached_times, page_errors = [], [], []
        for iri in iris:
            t0 = time.monotonic()
            try:
                path = "/id/" + urllib.parse.quote(iri[len(BASE_IRI):])
                s, _ = fetch((remote_base or local_base) + path, "text/html")
                page_times.append(s)
                cached_times.append(fetch((remote_base or local_base) + path, "text/html")[0])  # again: cached
            except urllib.error.HTTPError as e:  # a 504 is a page past the time limit: counted, not fatal
                page_errors.append({"iri": iri, "status": e.code, "seconds": time.monotonic() - t0})
                print(f"[{n}] page {iri}: HTTP {e.code} after {time.monotonic() - t0:.1f} s", file=sys.stderr)
        page_times.sort()
        cached_times.sort()
        hubs = []  # the partner and the place most progress notes name, uncached, from both servers
        for kind, prop in (("partner", "partner"), ("place", "place")):
            _, body = fetch(remote, "application/sparql-results+json", urllib.parse.urlencode({"query": (
                f"SELECT ?x (COUNT(?n) AS ?c) WHERE {{ ?n <https://w3id.org/results-kg/def#{prop}> ?x }} "
                "GROUP BY ?x ORDER BY DESC(?c) LIMIT 1")}).encode())
            (hub,) = json.loads(body)["results"]["bindings"]
            path = "/id/" + urllib.parse.quote(hub["x"]["value"][len(BASE_IRI):])
            row = {"kind": kind, "iri": hub["x"]["value"], "notes": int(hub["c"]["value"])}
            for name, base in (("embedded", local_base), ("remote", remote_base)):
                if base is None:
                    row[name] = "not run"
                    continue
                try:
                    row[name], _ = fetch(base + path, "text/html")
                except urllib.error.HTTPError as e:
                    row[name] = None
                    print(f"[{n}] hub page {path}: HTTP {e.code}", file=sys.stderr)
            hubs.append(row)
            print(f"[{n}] {kind} page ({row['notes']:,} notes): embedded {_s(row['embedded'])}, remote "
                  f"{_s(row['remote'])}", file=sys.stderr, flush=True)
    finally:
        for p in procs:
            stop(p)
    return {"reports": n, "graphs": graphs, "triples": triples, "build_s": build_s, "push_s": push_s,
            "repush_s": repush_s, "queries": queries, "pages": len(page_times), "page_errors": page_errors,
            "page_p50": page_times[len(page_times) // 2] if page_times else None,
            "page_p95": page_times[max(0, int(len(page_times) * 0.95) - 1)] if page_times else None,
            "cached_p50": cached_times[len(cached_times) // 2] if cached_times else None,
            "cached_p95": cached_times[max(0, int(len(cached_times) * 0.95) - 1)] if cached_times else None,
            "store_bytes": du(store), "oxigraph_bytes": du(oxdir) if remote_too else None, "hubs": hubs}


def _s(seconds: float | str | None) -> str:
    if isinstance(seconds, str):
        return seconds  # "not run"
    return "stopped at the time limit" if seconds is None else f"{seconds:.3f}"


def _gb(size: int | None) -> str:
    return "not run" if size is None else f"{size / 1e9:.2f}"


def _per(triples: int, seconds: float | None) -> str:
    return "not run | not run" if seconds is None else f"{seconds:.1f} | {triples / seconds:,.0f}"


def _ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1000:.0f}"


def _failed(r: dict) -> str:
    errors = r.get("page_errors", [])
    if not errors:
        return "0"
    codes = sorted({e["status"] for e in errors})
    return f"{len(errors)} of {r['pages'] + len(errors)} (HTTP {', '.join(map(str, codes))})"


def report(results: list[dict]) -> None:
    print("\n| reports | triples | build s | build triples/s | push s | push triples/s | re-push s "
          "| store GB | Oxigraph GB | page p50 ms | page p95 ms | pages failed |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['reports']:,} | {r['triples']:,} | {r['build_s']:.1f} | {r['triples'] / r['build_s']:,.0f} "
              f"| {_per(r['triples'], r['push_s'])} | {_s(r['repush_s'] or 'not run')} "
              f"| {r['store_bytes'] / 1e9:.2f} | {_gb(r['oxigraph_bytes'])} "
              f"| {_ms(r['page_p50'])} | {_ms(r['page_p95'])} | {_failed(r)} |")
    print("\nExample queries through /sparql, median seconds (rows):\n")
    head = " | ".join(f"{r['reports']:,} embedded | {r['reports']:,} remote" for r in results)
    print(f"| query | {head} |")
    print("|---|" + "---:|" * (2 * len(results)))
    names = list(dict.fromkeys(q["query"] for r in results for q in r["queries"]))
    for name in names:
        cells = []
        for r in results:
            q = next((q for q in r["queries"] if q["query"] == name), None)
            cells.append("not run | not run" if q is None else f"{_s(q['embedded'])} ({q['embedded_rows']:,}) | "
                                                                 f"{_s(q['remote'])} ({q['remote_rows']:,})")
        print(f"| {name} | {' | '.join(cells)} |")
    print("\nReport and outcome pages, HTML, uncached (first fetch) and cached (the same page again), ms:\n")
    print("| reports | pages | uncached p50 | uncached p95 | cached p50 | cached p95 |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['reports']:,} | {r['pages']} | {_ms(r['page_p50'])} | {_ms(r['page_p95'])} "
              f"| {_ms(r.get('cached_p50'))} | {_ms(r.get('cached_p95'))} |")
    print("\nExports (every row, read in-process from the embedded store):\n")
    print("| query | reports | rows | seconds | rows/s |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        for q in r["queries"]:
            if "export_s" in q:
                print(f"| {q['query']} | {r['reports']:,} | {q['export_rows']:,} | {q['export_s']:.1f} "
                      f"| {q['export_rows'] / q['export_s']:,.0f} |")
    print("\nHub pages (the partner and the place most notes name; uncached HTML), seconds:\n")
    print("| reports | page | notes | embedded | remote |")
    print("|---:|---|---:|---:|---:|")
    for r in results:
        for h in r.get("hubs", []):
            print(f"| {r['reports']:,} | {h['kind']} | {h['notes']:,} | {_s(h['embedded'])} | {_s(h['remote'])} |")
    for a, b in zip(results, results[1:]):
        size = b["reports"] / a["reports"]
        pages = f"page p50 ×{b['page_p50'] / a['page_p50']:.2f} " if a["page_p50"] and b["page_p50"] else ""
        push = (f"push time ×{b['push_s'] / a['push_s']:.2f} (÷ size {b['push_s'] / a['push_s'] / size:.2f}), "
                if a["push_s"] and b["push_s"] else "")
        print(f"\n{a['reports']:,} → {b['reports']:,} reports (×{size:g}): triples ×{b['triples'] / a['triples']:.2f}, "
              f"build time ×{b['build_s'] / a['build_s']:.2f} (÷ size {b['build_s'] / a['build_s'] / size:.2f}), "
              f"{push}{pages}(1.00 is linear)")
        for qa in a["queries"]:
            qb = next((q for q in b["queries"] if q["query"] == qa["query"]), None)
            if qb and isinstance(qa["embedded"], float) and isinstance(qb["embedded"], float) and qa["embedded"] > 0:
                print(f"  {qa['query']}: embedded ×{qb['embedded'] / qa['embedded']:.2f} "
                      f"(÷ size {qb['embedded'] / qa['embedded'] / size:.2f})")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--pages", type=int, default=40)
    p.add_argument("--keep", type=Path, help="work folder to keep (corpora are reused from it)")
    p.add_argument("--reuse", action="store_true",
                   help="reuse the store and Oxigraph folder kept in --keep by an earlier run of these sizes, and "
                        "its build and push figures from --json; measures re-push, queries and pages again")
    p.add_argument("--queries", nargs="+", metavar="NAME", help="run only these example queries (file stems)")
    p.add_argument("--no-queries", action="store_true", help="run no example query (pages only)")
    p.add_argument("--embedded-only", action="store_true",
                   help="measure the embedded store only (no Oxigraph server, no push): the 10,000-report size "
                        "otherwise needs about an hour of push and 15 GB more disk")
    p.add_argument("--json", type=Path, help="add this run's figures to this JSON file and print the table over "
                                             "all runs in it (sizes measured by separate runs, one table)")
    args = p.parse_args(argv)
    if args.reuse and not (args.keep and args.json):
        p.error("--reuse needs --keep and --json")
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        earlier = json.loads(args.json.read_text()) if args.json and args.json.exists() else []
        results = []
        for n in args.sizes:
            before = next((r for r in earlier if r["reports"] == n), None) if args.reuse else None
            if args.reuse and before is None:
                raise SystemExit(f"--reuse: {args.json} has no figures for {n} reports")
            results.append(run_size(n, work, args.runs, args.pages, before, [] if args.no_queries else args.queries,
                                    remote_too=not args.embedded_only))
            if args.json:
                earlier = [r for r in earlier if r["reports"] != n] + [results[-1]]
                args.json.write_text(json.dumps(earlier, indent=1))
            done = [r for r in (earlier if args.json else results) if "triples" in r]  # not seeds of --reuse
            report(sorted(done, key=lambda r: r["reports"]))
        json.dump(results, sys.stderr)
        print(file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
