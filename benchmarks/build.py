#!/usr/bin/env python3
"""Benchmark the whole build (read -> extract -> map -> validate -> serialize) on synthetic corpora.

    python benchmarks/build.py [--sizes 100 1000] [--validator shacl|pyshacl] [--keep DIR] [--seed S]
                               [--compare-validators]

For each size a corpus is generated with ``benchmarks/generate.py`` (not timed), then
built in a fresh subprocess so that peak memory (the child's own ru_maxrss) belongs
to that size alone. The child calls ``kg.build.build`` and ``write_output`` to an
N-Triples file and prints its timings as JSON; this script prints a table, the
scaling ratios and PASS/FAIL lines against the targets (informative: the exit code
is 0 whatever they say).

``--compare-validators`` times only the validation of a 100-report corpus with both
engines (``kg.validate.validate_quads``) on exactly the graphs the build validates.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# stage seconds are summed over reports; with several worker processes they add up to
# more than the wall-clock total (that is the point of the workers)
STAGES = ("read", "extract", "map", "validate", "serialize", "write")

TARGET_TRIPLES_PER_S = 50_000
TARGET_TIME_RATIO = 11.0  # 1,000 reports vs 100
TARGET_PEAK_MB = 1024  # for 1,000 reports


# ---- child processes -----------------------------------------------------------------------------------------------
def _peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def _children_peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def child_build(corpus: str, output: str, engine: str, jobs: str) -> None:
    t0 = time.perf_counter()
    from kg.build import FileSink, build  # imports are part of a real run

    t1 = time.perf_counter()
    result = build([corpus], engine=engine, sink=FileSink(Path(output)), keep=False, jobs=jobs)
    t2 = time.perf_counter()
    t3 = t2
    peak_build = _peak_mb()
    # the largest process: the parent or one of its worker processes (each holds one report at a time)
    peak = max(_peak_mb(), _children_peak_mb())
    summary = result.summary()
    print(json.dumps({
        "timings": result.timings, "summary": summary, "import_s": t1 - t0, "build_s": t2 - t1,
        "write_s": t3 - t2, "total_s": t3 - t1, "peak_mb": peak, "peak_build_mb": peak_build,
        "output_bytes": Path(output).stat().st_size,
    }))


def _quads(x) -> list:  # a list of quads, or a graph object with .quads()
    return list(x.quads()) if hasattr(x, "quads") and callable(x.quads) else list(x)


def child_compare(corpus: str) -> None:
    """Validate exactly what the build validates (each report with the reference nodes it links to, then the
    reference graph), once per engine; only the validate_quads calls are timed."""
    from kg.build import build
    from kg.build.reports import linked_reference
    from kg.validate import validate_triples

    result = build([corpus], engine="shacl", keep=True, jobs=1)
    reference = result.reference.triples
    by_subject: dict = {}
    for t in reference:
        by_subject.setdefault(t.subject.value, []).append(t)
    graphs = [r.graph.triples + linked_reference(r.graph.triples, by_subject) for r in result.reports]
    graphs.append(reference)
    out = {"reports": len(result.reports), "triples": sum(len(g) for g in graphs)}
    for engine in ("shacl", "pyshacl"):
        validate_triples(graphs[0], engine)  # load the shapes once, as a build does for its first report
        t0 = time.perf_counter()
        ok = all(validate_triples(g, engine).conforms for g in graphs)
        out[engine] = {"seconds": time.perf_counter() - t0, "conforms": ok}
    print(json.dumps(out))


def _run_child(args: list[str]) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-5000:])
        raise SystemExit(f"benchmark child failed (exit {proc.returncode}): {' '.join(args)}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["wall_s"] = wall
    return data


# ---- parent --------------------------------------------------------------------------------------------------------
def _generate(dest: Path, size: int, seed: int) -> float:
    sys.path.insert(0, str(HERE))
    import generate  # benchmarks/generate.py

    t0 = time.perf_counter()
    generate.generate(dest, size, seed)
    return time.perf_counter() - t0


def _table(rows: list[dict]) -> str:
    head = ["size", "reports", "triples", "total s", "reports/s", "triples/s", *STAGES, "peak MB"]
    lines = []
    for r in rows:
        s, t = r["summary"], r["total_s"]
        lines.append([f"{r['size']:,}", f"{s['reports']:,}", f"{s['triples']:,}", f"{t:.1f}",
                      f"{s['reports'] / t:.1f}", f"{s['triples'] / t:,.0f}",
                      *(f"{r['timings'][k]:.1f}" for k in STAGES), f"{r['peak_mb']:,.0f}"])
    widths = [max(len(h), *(len(row[i]) for row in lines)) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:>{w}}}" for w in widths)
    out = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*row) for row in lines]
    return "\n".join(out)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child-build"]:
        child_build(*argv[1:5])
        return 0
    if argv[:1] == ["--child-compare"]:
        child_compare(argv[1])
        return 0
    p = argparse.ArgumentParser(description="Benchmark the Results KG build on synthetic reports.")
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="corpus sizes (default: 100 1000)")
    p.add_argument("--validator", choices=("shacl", "pyshacl"), default="shacl", help="SHACL engine (default shacl)")
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep corpora and outputs under DIR (default: temp dir)")
    p.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    p.add_argument("--jobs", default="auto", help="worker processes for the build (default auto: one per CPU)")
    p.add_argument("--compare-validators", action="store_true",
                   help="also time validation alone with both engines on a 100-report corpus")
    args = p.parse_args(argv)
    sizes = sorted(set(args.sizes))
    if any(s < 1 for s in sizes):
        p.error("sizes must be positive")

    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    corpora: dict[int, Path] = {}
    try:
        for size in sizes:
            corpus = work / f"n{size}" / "reports"
            if corpus.exists():
                shutil.rmtree(corpus)
            gen_s = _generate(corpus, size, args.seed)
            corpora[size] = corpus
            mb = sum(f.stat().st_size for f in corpus.glob("*.txt")) / 1e6
            print(f"[{size}] generated {size} reports ({mb:.1f} MB) in {gen_s:.1f}s (not timed); building "
                  f"with {args.validator} ...", file=sys.stderr, flush=True)
            data = _run_child(["--child-build", str(corpus), str(work / f"n{size}" / "out.nt"), args.validator,
                               args.jobs])
            data["size"] = size
            rows.append(data)
            print(f"[{size}] built in {data['total_s']:.1f}s (child wall {data['wall_s']:.1f}s), peak "
                  f"{data['peak_mb']:,.0f} MB", file=sys.stderr, flush=True)

        print(f"\nResults KG build benchmark (validator: {args.validator}, jobs: {args.jobs}, seed {args.seed}; "
              f"corpus generation not timed)\n")
        print(_table(rows))
        print("\n(total = wall-clock seconds of build() streaming to an N-Triples file, excluding interpreter "
              "start and imports; stage columns are seconds summed over reports, across worker processes; "
              "peak MB = the largest ru_maxrss of the build process and its workers)")
        for r in rows:
            print(f"  {r['size']:,} reports: peak {r['peak_mb']:,.0f} MB (build process alone "
                  f"{r['peak_build_mb']:,.0f} MB); output {r['output_bytes'] / 1e6:,.0f} MB")
        small, large = rows[0], rows[-1]
        if len(rows) > 1:
            t_ratio = large["total_s"] / small["total_s"]
            m_ratio = large["peak_mb"] / small["peak_mb"]
            print(f"\nlargest/smallest ({large['size']:,} vs {small['size']:,} reports, "
                  f"{large['size'] / small['size']:.0f}x the input): time {t_ratio:.2f}x, peak memory {m_ratio:.2f}x")
        print("\nTargets (informative, not asserted):")
        for r in rows:
            tps = r["summary"]["triples"] / r["total_s"]
            print(f"  {_verdict(tps >= TARGET_TRIPLES_PER_S)}  whole build >= {TARGET_TRIPLES_PER_S:,} triples/s "
                  f"at {r['size']:,} reports: {tps:,.0f} triples/s")
        by_size = {r["size"]: r for r in rows}
        if 100 in by_size and 1000 in by_size:
            ratio = by_size[1000]["total_s"] / by_size[100]["total_s"]
            print(f"  {_verdict(ratio <= TARGET_TIME_RATIO)}  time ratio 1,000 vs 100 reports <= "
                  f"{TARGET_TIME_RATIO:g}x: {ratio:.2f}x")
        else:
            print("  n/a   time ratio 1,000 vs 100 reports: run with --sizes 100 1000")
        if 1000 in by_size:
            peak = by_size[1000]["peak_mb"]
            print(f"  {_verdict(peak < TARGET_PEAK_MB)}  peak memory < 1 GB for 1,000 reports: {peak:,.0f} MB")
        else:
            print("  n/a   peak memory for 1,000 reports: run with --sizes including 1000")

        if args.compare_validators:
            corpus = corpora.get(100)
            if corpus is None:
                corpus = work / "n100" / "reports"
                if corpus.exists():
                    shutil.rmtree(corpus)
                _generate(corpus, 100, args.seed)
            print("\n[compare] validating the 100-report corpus with both engines ...", file=sys.stderr, flush=True)
            c = _run_child(["--child-compare", str(corpus)])
            rs, py = c["shacl"], c["pyshacl"]
            print(f"\nValidation only, {c['reports']} reports + reference graph ({c['triples']:,} triples "
                  f"validated per engine):")
            print(f"  shacl   {rs['seconds']:8.2f} s  conforms={rs['conforms']}")
            print(f"  pyshacl {py['seconds']:8.2f} s  conforms={py['conforms']}")
            print(f"  pyshacl / shacl = {py['seconds'] / rs['seconds']:.1f}x")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"\nkept corpora and outputs under {work}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
