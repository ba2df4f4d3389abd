#!/usr/bin/env python3
"""How fast IATI activity files are read and built, and whether memory stays flat as files grow.

    python benchmarks/iati.py [--activities 10000] [--factor 10] [--build-large] [--keep DIR]

Generates (``benchmarks/generate_iati.py``, not timed) a file of N activities and one ``--factor``
times larger, then, each in a fresh process so that peak memory is that run's own:

1. read: ``kg.read.iati.read_activities`` over the whole file, nothing else: activities/s, MB/s and
   peak resident memory (the reader streams, so this must not grow with the file);
2. build: ``kg build FILE -o OUT.nq`` (read, map to RDF, SHACL-validate in batches, write N-Quads):
   activities/s, triples/s, the time spent in SHACL, and peak memory. By default only the N-activity
   file is built; ``--build-large`` builds the larger one too (about ``--factor`` times as long).

Prints a table. Timings and memory are printed, never asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}

_READ = r"""
import json, resource, sys, time
from kg.read.iati import Activity, ActivityProblem, read_activities
t0 = time.perf_counter()
n = bad = results = values = 0
for item in read_activities(sys.argv[1]):
    if isinstance(item, Activity):
        n += 1
        results += len(item.results)
        values += sum(len(i.baselines) + sum(len(p.targets) + len(p.actuals) for p in i.periods)
                      for r in item.results for i in r.indicators)
    elif isinstance(item, ActivityProblem):
        bad += 1
seconds = time.perf_counter() - t0
print(json.dumps({"activities": n, "problems": bad, "results": results, "values": values, "seconds": seconds,
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

_BUILD = r"""
import json, resource, sys, time
from kg.build import FileSink, build
t0 = time.perf_counter()
result = build([sys.argv[1]], sink=FileSink(sys.argv[2]), keep=False, jobs=1)
seconds = time.perf_counter() - t0
print(json.dumps({"activities": len(result.activity_graphs), "skipped": len(result.skipped),
                  "triples": result.triples, "seconds": seconds, "timings": result.timings,
                  "summary": result.summary(), "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def generate(path: Path, n: int) -> None:
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate_iati.py"), str(path), "--activities", str(n)],
                       check=True, env=ENV)


def child(code: str, *args: str) -> dict:
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=ENV)
    if r.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--activities", type=int, default=10_000)
    p.add_argument("--factor", type=int, default=10)
    p.add_argument("--build-large", action="store_true", help="build the larger file too")
    p.add_argument("--keep", type=Path, help="folder to keep the generated files in (and reuse them from)")
    args = p.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-iati-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in (args.activities, args.activities * args.factor):
            xml = work / f"activities-{n}.xml"
            print(f"[{n}] generating …", file=sys.stderr, flush=True)
            generate(xml, n)
            print(f"[{n}] reading …", file=sys.stderr, flush=True)
            read = child(_READ, str(xml))
            built = None
            if n == args.activities or args.build_large:
                print(f"[{n}] building …", file=sys.stderr, flush=True)
                out = work / f"activities-{n}.nq"
                built = child(_BUILD, str(xml), str(out))
                out.unlink(missing_ok=True)
            rows.append({"n": n, "mb": xml.stat().st_size / 1e6, "read": read, "build": built})
            print(json.dumps(rows[-1]), file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("\n| activities | file MB | read s | read activities/s | read MB/s | read peak MB "
          "| build s | build activities/s | build triples/s | triples | SHACL s | skipped | build peak MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        rd, b = r["read"], r["build"]
        cells = [f"{r['n']:,}", f"{r['mb']:.1f}", f"{rd['seconds']:.1f}", f"{rd['activities'] / rd['seconds']:,.0f}",
                 f"{r['mb'] / rd['seconds']:.1f}", f"{rd['peak_kb'] / 1024:.0f}"]
        if b:
            cells += [f"{b['seconds']:.1f}", f"{b['activities'] / b['seconds']:,.0f}",
                      f"{b['triples'] / b['seconds']:,.0f}", f"{b['triples']:,}", f"{b['timings']['validate']:.1f}",
                      f"{b['skipped']:,}", f"{b['peak_kb'] / 1024:.0f}"]
        else:
            cells += ["not built"] + [""] * 6
        print("| " + " | ".join(cells) + " |")
    small, large = rows
    print(f"\nreader peak memory: {small['read']['peak_kb'] / 1024:.0f} MB for {small['n']:,} activities, "
          f"{large['read']['peak_kb'] / 1024:.0f} MB for {large['n']:,} "
          f"(×{large['read']['peak_kb'] / small['read']['peak_kb']:.2f} for a file ×{large['mb'] / small['mb']:.1f})")
    if small["build"] and large["build"]:
        print(f"build peak memory: {small['build']['peak_kb'] / 1024:.0f} MB, "
              f"{large['build']['peak_kb'] / 1024:.0f} MB "
              f"(×{large['build']['peak_kb'] / small['build']['peak_kb']:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
