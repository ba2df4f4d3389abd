#!/usr/bin/env python3
"""Extraction quality on the hand-annotated corpus (tests/corpus): precision, recall, F1 per measure.

    python benchmarks/corpus.py [--set dev|holdout] [--misses]

Prints one table per set and one for both; ``--misses`` lists every disagreement with the gold
files (what was missed, what was spurious), which is where to look when a score drops.
The scoring rules are in tests/corpus/README.md; tests/test_corpus.py holds the thresholds.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import corpus_score


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=corpus_score.SETS)
    ap.add_argument("--misses", action="store_true", help="list every disagreement with the gold files")
    args = ap.parse_args()
    for which in ([args.set] if args.set else [*corpus_score.SETS, None]):
        s = corpus_score.score(which)
        print(f"\n## {which or 'all'}")
        for k, v in corpus_score.table(s):
            print(f"  {k:<30} {v}")
        for e in s.errors:
            print(f"  refused: {e}")
        if args.misses:
            for m in s.misses:
                print(f"  - {m}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
