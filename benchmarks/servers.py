#!/usr/bin/env python3
"""Which HTTP server for `kg serve`: candidates side by side on the same app, store and machine.

    python benchmarks/servers.py --store STORE [--servers granian gunicorn waitress] [--slow 500] [--idle 200]
                                 [--seconds 10] [--connections 4]

Each candidate serves ``web.wsgi:app`` (the app ``kg serve`` runs) on 127.0.0.1 with 2 workers (waitress:
one process) and 8 Python threads each; candidates that are not installed are skipped with a note
(``pip install gunicorn waitress`` to compare all three; Granian is what ``kg serve`` runs). For each:

1. slow clients: ``--slow`` connections send a request line and headers a byte every 2 s and ``--idle``
   connections send nothing; meanwhile a normal ``GET /healthz`` every 0.2 s, for ``--seconds``:
   answered, failed (no answer within 5 s), p50 and worst latency;
2. small queries: ``wrk`` (Debian's) with ``--connections`` connections for ``--seconds`` on the
   outgoing triples of one entity, as JSON: the same query (replayed from the answer cache after the
   first time) and, with a Lua script, a different entity and a numbered comment per request (no two
   alike: every one runs in an executor);
3. memory: the resident memory of the server's processes (workers and query executors) after the load.

All traffic goes to 127.0.0.1 and every phase stops by itself; servers are stopped at the end whatever
happens. Figures are printed, never asserted; the load generator shares the machine with the server.
"""
from __future__ import annotations

import argparse
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
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
ENTITY = "https://w3id.org/results-kg/id/org/undp"
OXIGRAPH_DB = ""  # set in main when the oxigraph server is compared
OXIGRAPH_PORT = 0
SMALL = "SELECT ?p ?o WHERE {{ <{}> ?p ?o }}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def command(name: str, port: int) -> list[str] | None:
    bindir = Path(sys.executable).parent
    if name == "granian":
        exe = bindir / "granian"
        return [str(exe), "--interface", "wsgi", "--host", HOST, "--port", str(port), "--workers", "2",
                "--blocking-threads", "8", "--no-ws", "--http", "1", "web.wsgi:app"] if exe.exists() else None
    if name == "gunicorn":
        exe = bindir / "gunicorn"
        return [str(exe), "-w", "2", "-k", "gthread", "--threads", "8", "-b", f"{HOST}:{port}",
                "web.wsgi:app"] if exe.exists() else None
    if name == "oxigraph":  # the engine alone, for the ratio: reads the store's N-Quads dump (see main)
        exe = bindir / "oxigraph"
        return [str(exe), "serve-read-only", "--location", OXIGRAPH_DB, "--bind", f"{HOST}:{port}",
                "--union-default-graph"] if exe.exists() else None
    if name == "waitress":
        exe = bindir / "waitress-serve"
        return [str(exe), f"--listen={HOST}:{port}", "--threads=8", "--connection-limit=2000",
                "web.wsgi:app"] if exe.exists() else None
    raise SystemExit(f"unknown server {name}")


def start(cmd: list[str], store: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "KG_STORE": str(store), "PYTHONPATH": str(ROOT)}
    with log.open("wb") as f:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(port: int, seconds: float = 60) -> None:
    """Until the server answers 20 times in a row (every worker started), then 3 s for it to settle."""
    deadline, streak = time.time() + seconds, 0
    while time.time() < deadline and streak < 20:
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/query?query=ASK%7B%7D" if port == OXIGRAPH_PORT
                                   else f"http://{HOST}:{port}/healthz", timeout=2).read()
            streak += 1
        except OSError:
            streak = 0
            time.sleep(0.2)
    if streak < 20:
        raise RuntimeError(f"no server on port {port}")
    time.sleep(3)


def stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(wait)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def slow_clients(port: int, n_slow: int, n_idle: int, seconds: float, path: str = "/healthz") -> dict:
    idle = [socket.create_connection((HOST, port)) for _ in range(n_idle)]
    slow = []
    for _ in range(n_slow):
        s = socket.create_connection((HOST, port))
        s.send(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        slow.append(s)
    done = threading.Event()

    def drip() -> None:
        while not done.wait(2):
            for s in slow:
                try:
                    s.send(b"X")
                except OSError:
                    pass

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    latencies, failed = [], 0
    end = time.time() + seconds
    try:
        while time.time() < end:
            t = time.monotonic()
            try:
                urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=5).read()
                latencies.append((time.monotonic() - t) * 1000)
            except OSError:
                failed += 1
            time.sleep(0.2)
    finally:
        done.set()
        for s in idle + slow:
            s.close()
    return {"answered": len(latencies), "failed": failed,
            "p50_ms": statistics.median(latencies) if latencies else None,
            "max_ms": max(latencies) if latencies else None}


def wrk(port: int, seconds: float, connections: int, script: Path | None = None, path: str = "/sparql") -> float | None:
    exe = shutil.which("wrk")
    if exe is None:
        return None
    q = urllib.parse.urlencode({"query": SMALL.format(ENTITY)})
    cmd = [exe, "-t", "2", "-c", str(connections), "-d", f"{int(seconds)}s", "-H",
           "Accept: application/sparql-results+json"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, f"http://{HOST}:{port}{path}?{q}"], capture_output=True, text=True).stdout
    rate = next((line.split()[-1] for line in out.splitlines() if line.startswith("Requests/sec")), None)
    errors = next((line for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line), "")
    if errors:
        print(f"    wrk: {errors.strip()}")
    return float(rate) if rate else None


def rotating_script(folder: Path, store: Path) -> Path:
    """A wrk script asking for a different entity each request, with a comment numbering the request, so no
    two requests are the same text: every one misses the caches and runs in an executor (or the engine)."""
    from kg.store import open_store

    snap = open_store(store).snapshot()
    subjects = [r["s"].value for r in snap.query("SELECT DISTINCT ?s WHERE { ?s a ?t } LIMIT 5000")]
    lines = ",\n".join('"' + urllib.parse.quote(SMALL.format(s)) + '"' for s in subjects)
    path = folder / "rotate.lua"
    path.write_text(f"queries = {{\n{lines}\n}}\ni = 0\nrequest = function()\n  i = i + 1\n"
                    "  local path = string.match(wrk.path, '^[^?]*')\n"
                    "  return wrk.format(nil, path .. '?query=' .. queries[(i % #queries) + 1] .. '%0A%23' .. i)\n"
                    "end\n")
    return path


def load_oxigraph(store: Path, folder: Path) -> None:
    """The store's published version, from its N-Quads dump, in an Oxigraph database (then optimized)."""
    import gzip

    current = (store / "CURRENT").read_text().strip()
    nq = folder.with_suffix(".nq")
    with gzip.open(store / "versions" / f"{current}.dumps" / "results-kg.nq.gz", "rb") as src, nq.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    exe = str(Path(sys.executable).parent / "oxigraph")
    subprocess.run([exe, "load", "--location", str(folder), "--file", str(nq), "--format", "nq"], check=True,
                   capture_output=True)
    subprocess.run([exe, "optimize", "--location", str(folder)], check=True, capture_output=True)


def rss_mb(pid: int) -> float:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            continue
    return total / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--servers", nargs="+", default=["granian", "gunicorn", "waitress"])
    ap.add_argument("--slow", type=int, default=500)
    ap.add_argument("--idle", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--oxigraph", action="store_true", help="also Oxigraph's own server on the same data (the ratio)")
    args = ap.parse_args(argv)
    global OXIGRAPH_DB, OXIGRAPH_PORT
    sys.path.insert(0, str(ROOT))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        script = rotating_script(Path(tmp), args.store)
        names = list(args.servers)
        if args.oxigraph:
            OXIGRAPH_DB = str(Path(tmp) / "oxigraph")
            load_oxigraph(args.store, Path(OXIGRAPH_DB))
            names.append("oxigraph")
        for name in names:
            port = free_port()
            if name == "oxigraph":
                OXIGRAPH_PORT = port
            cmd = command(name, port)
            if cmd is None:
                print(f"{name}: not installed, skipped (pip install {name})")
                continue
            proc = start(cmd, args.store, Path(tmp) / f"{name}.log")
            try:
                wait_ready(port)
                print(f"{name}: slow clients ...", flush=True)
                path = "/query" if name == "oxigraph" else "/sparql"
                slow = slow_clients(port, args.slow, args.idle, args.seconds,
                                    "/query?query=ASK%7B%7D" if name == "oxigraph" else "/healthz")
                print(f"{name}: small queries ...", flush=True)
                same = wrk(port, args.seconds, args.connections, path=path)
                rotating = wrk(port, args.seconds, args.connections, script, path=path)
                rows.append((name, slow, same, rotating, rss_mb(proc.pid)))
            finally:
                stop(proc)
    print(f"\n{args.slow} slow + {args.idle} idle clients, normal requests every 0.2 s for {args.seconds:g} s; "
          f"wrk with {args.connections} connections on one entity's outgoing triples (JSON)\n")
    print("| server | answered | failed | p50 ms | worst ms | same query req/s | a new entity each req/s | RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    engine = next((r for r in rows if r[0] == "oxigraph"), None)
    for name, s, same, rot, mb in rows:
        def f(v: float | None, fmt: str = "{:,.0f}") -> str:
            return "-" if v is None else fmt.format(v)
        print(f"| {name} | {s['answered']} | {s['failed']} | {f(s['p50_ms'], '{:.1f}')} | {f(s['max_ms'], '{:.0f}')} "
              f"| {f(same)} | {f(rot)} | {mb:,.0f} |")
    if engine is not None and engine[2] and engine[3]:
        print("\nRatio to Oxigraph's own server (req/s, same query / a new entity each):")
        for name, _, same, rot, _ in rows:
            if name != "oxigraph" and same and rot:
                print(f"  {name}: {same / engine[2]:.2f}x / {rot / engine[3]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
