"""Repairs the reader makes to report text, each kept as data to publish as a quality finding.

Reports repeat passages across page breaks, sometimes with a corrected typo; the reader keeps
one copy and says which it dropped.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from kg.text import TextView, fold_key, sentences

# A later sentence at least this similar to an earlier one repeats it (page-break copies
# differ in a word or a typo); shorter sentences are left alone, they repeat naturally.
_NEAR_DUPLICATE = 0.9
_MIN_DUPLICATE_CHARS = 40


@dataclass
class Repair:
    """A change the reader made to the text, to be published as a quality finding."""

    kind: str  # "rejoined-paragraph" | "duplicate-passage" | "empty-narrative" | "long-statement"
    span: tuple[int, int]  # source characters concerned (the gap, or the dropped copy)
    detail: str
    kept: tuple[int, int] | None = None  # for duplicates: the copy we kept


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def drop_duplicates(view: TextView) -> tuple[TextView, list[Repair]]:
    """Drop sentences that repeat an earlier sentence of the same section.

    Reports repeat passages across page breaks, sometimes with a corrected typo; a
    near-verbatim copy counts as a repeat. Of two copies we keep the first unless
    only the second has balanced brackets (the seed's "(749 including 21) men").
    """
    sents = sentences(view.text)
    keys = [fold_key(s.text) for s in sents]
    words = [set(k.split()) for k in keys]
    dropped: set[int] = set()
    pairs: dict[int, int] = {}  # dropped index -> kept index
    for j in range(len(sents)):
        lj = len(keys[j])
        if lj < _MIN_DUPLICATE_CHARS:
            continue
        for i in range(j):
            li = len(keys[i])
            if i in dropped or li < _MIN_DUPLICATE_CHARS:
                continue
            if keys[i] == keys[j]:
                ratio = 1.0
            else:
                # cheap bounds first: lengths, then shared words; difflib only for likely copies
                if 2 * min(li, lj) / (li + lj) < _NEAR_DUPLICATE:
                    continue
                shared = len(words[i] & words[j])
                if shared < _NEAR_DUPLICATE * 0.85 * max(len(words[i]), len(words[j])):
                    continue
                sm = difflib.SequenceMatcher(None, keys[i], keys[j], autojunk=False)
                if sm.quick_ratio() < _NEAR_DUPLICATE:
                    continue
                ratio = sm.ratio()
            if ratio >= _NEAR_DUPLICATE:
                if ratio < 1.0 and not _balanced(sents[i].text) and _balanced(sents[j].text):
                    drop, keep = i, j
                else:
                    drop, keep = j, i
                dropped.add(drop)
                pairs[drop] = keep
                break
    if not dropped:
        return view, []
    # group consecutive dropped sentences into passages
    runs: list[list[int]] = []
    for k in sorted(dropped):
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    repairs = []
    cuts = []
    for run in runs:
        a, b = sents[run[0]].start, sents[run[-1]].end
        cuts.append((a, b))
        kept = [pairs[k] for k in run]
        ka, kb = sents[min(kept)].start, sents[max(kept)].end
        exact = all(keys[k] == keys[pairs[k]] for k in run)
        how = "verbatim" if exact else "near-verbatim"
        repairs.append(Repair(
            "duplicate-passage", view.to_source(a, b),
            f"{how} repeat of {len(run)} sentence(s) dropped; one copy kept",
            kept=view.to_source(ka, kb),
        ))
    return view.without(cuts), repairs
