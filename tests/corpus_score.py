"""Score the extraction against the hand-annotated corpus (tests/corpus/README.md says what counts).

Shared by ``tests/test_corpus.py`` (which fails below the thresholds of issue 11) and
``benchmarks/corpus.py`` (which prints the scores). Extraction runs through the library as
``kg build`` runs it: ``read_report`` with the page's options, then ``extract_section``.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from kg.errors import KGError
from kg.extract import extract_section
from kg.gazetteer import load_gazetteer
from kg.read import read_report
from kg.text import fold_key

CORPUS = Path(__file__).resolve().parent / "corpus"
SETS = ("dev", "holdout", "fresh")


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Tally) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass
class Ratio:
    right: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.right / self.total if self.total else 1.0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1


@dataclass
class Scores:
    pages: int = 0
    outcomes: Ratio = field(default_factory=Ratio)  # gold outcomes read, with the right identifier
    status: Ratio = field(default_factory=Ratio)
    boundary: Ratio = field(default_factory=Ratio)  # statement end and narrative start right
    label: Ratio = field(default_factory=Ratio)
    alignment: Ratio = field(default_factory=Ratio)
    office: Ratio = field(default_factory=Ratio)  # office and country of the page right
    skipped: Ratio = field(default_factory=Ratio)  # damaged sections reported at the right line
    figures: Tally = field(default_factory=Tally)
    sex: Ratio = field(default_factory=Ratio)
    partners: Tally = field(default_factory=Tally)
    places: Tally = field(default_factory=Tally)
    errors: list[str] = field(default_factory=list)  # pages the reader refused
    misses: list[str] = field(default_factory=list)  # one line per disagreement, to read when a score drops


def pages(which: str | None = None) -> list[Path]:
    """The gold files of one set (or of every set), in name order."""
    sets = [which] if which else list(SETS)
    return sorted(p for s in sets for p in (CORPUS / s).glob("*.gold.json"))


def _same(a: str, b: str) -> bool:
    return _norm(a) == _norm(b)


def _norm(s: str) -> str:
    k = fold_key(s).replace("’", "'")
    return k[4:] if k.startswith("the ") else k


def _match_entities(gold: list[list[str]], found: dict[str, set[str]], kind: str, where: str,
                    misses: list[str]) -> Tally:
    """Gold entities (lists of forms) against found entities (key -> forms seen): by any shared form."""
    t = Tally()
    matched: set[int] = set()
    for key, forms in found.items():
        hit = [i for i, g in enumerate(gold) if any(_same(f, x) for f in forms for x in g)]
        if not hit:
            t.fp += 1
            misses.append(f"{where}: spurious {kind} {sorted(forms)} ({key})")
        matched.update(hit)
    t.tp = len(matched)
    for i, g in enumerate(gold):
        if i not in matched:
            t.fn += 1
            misses.append(f"{where}: missed {kind} {g}")
    return t


def score_page(gold_path: Path, scores: Scores) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    text_path = gold_path.with_name(gold_path.name.replace(".gold.json", ".txt"))
    name = f"{gold_path.parent.name}/{text_path.name}"
    opts = gold.get("options") or {}
    scores.pages += 1
    try:
        record = read_report(text_path, country=opts.get("country"), year=opts.get("year"),
                             office=opts.get("office"))
    except KGError as e:
        scores.errors.append(f"{name}: {e}")
        for g in gold["outcomes"]:
            scores.outcomes.add(False)
            scores.status.add(False)
            scores.figures.fn += len(g["figures"])
            scores.partners.fn += len(g["partners"])
            scores.places.fn += len(g["places"])
        return
    gaz = load_gazetteer()
    got_country = record.country.alpha2 if record.country else None
    ok = record.office is not None and record.office.code == gold["office"] and got_country == gold["country"]
    scores.office.add(ok)
    if not ok:
        scores.misses.append(f"{name}: office/country {record.office and record.office.code}/{got_country}, "
                             f"gold {gold['office']}/{gold['country']}")
    want_skips = sorted(s["line"] for s in gold.get("skipped", []))
    got_skips = sorted(d.line for d in record.damage)
    for line in want_skips:
        scores.skipped.add(line in got_skips)
    for line in set(got_skips) - set(want_skips):
        scores.skipped.add(False)
        scores.misses.append(f"{name}: section at line {line} left out, gold keeps it")
    by_id = {s.identifier: s for s in record.sections}
    for extra in set(by_id) - {g["id"] for g in gold["outcomes"]}:
        scores.misses.append(f"{name}: outcome {extra} read, not in gold")
    for g in gold["outcomes"]:
        where = f"{name} {g['id'].rsplit('-', 1)[-1]}"
        sec = by_id.get(g["id"])
        scores.outcomes.add(sec is not None)
        if sec is None:
            scores.misses.append(f"{where}: outcome not read")
            scores.status.add(False)
            scores.figures.fn += len(g["figures"])
            scores.partners.fn += len(g["partners"])
            scores.places.fn += len(g["places"])
            continue
        facts = extract_section(record, sec, gaz)
        scores.status.add(facts.status.status == g["status"])
        if facts.status.status != g["status"]:
            scores.misses.append(f"{where}: status {facts.status.status}, gold {g['status']}")
        narrative = " ".join(sec.narrative.text.split())
        statement = " ".join(sec.statement.split())
        ok = (statement.endswith(" ".join(g["statement_end"].split()))
              and narrative.startswith(" ".join(g["narrative_start"].split())))
        scores.boundary.add(ok)
        if not ok:
            scores.misses.append(f"{where}: statement ends {statement[-50:]!r}, narrative starts {narrative[:50]!r}")
        # gold gives a label line's "Outcome N"; the reader keeps the whole line ("Outcome 1: Political …")
        want_label = g.get("label") or None
        ok = (sec.label is None and want_label is None) or bool(
            sec.label and want_label and re.match(re.escape(want_label) + r"(?!\d)", sec.label))
        scores.label.add(ok)
        if not ok:
            scores.misses.append(f"{where}: label {sec.label!r}, gold {want_label!r}")
        stated = facts.alignment.code if facts.alignment and not facts.alignment.inferred else None
        scores.alignment.add(stated == g.get("sp"))
        if stated != g.get("sp"):
            scores.misses.append(f"{where}: stated alignment {stated}, gold {g.get('sp')}")
        # figures: a multiset match on (value, unit); sex scored on the matched pairs
        want = Counter()
        want_sex: dict[tuple, list] = {}
        for f in g["figures"]:
            k = (Decimal(f["value"]).normalize(), f["unit"])
            want[k] += 1
            want_sex.setdefault(k, []).append(f.get("sex"))
        got: dict[tuple, list] = {}
        for f in facts.figures:
            k = (f.value.normalize() if f.value is not None else None, f.unit)
            got.setdefault(k, []).append(f)
        t = Tally()
        for k, fs in got.items():
            n = min(len(fs), want.get(k, 0))
            t.tp += n
            t.fp += len(fs) - n
            for f in fs[n:]:
                scores.misses.append(f"{where}: spurious figure {f.source_text!r} {f.unit} ({f.counts})")
            gold_sexes = list(want_sex.get(k, []))
            for f in fs[:n]:
                # pair with a gold figure of the same sex when there is one
                s = f.sex if f.sex in gold_sexes else gold_sexes[0]
                gold_sexes.remove(s)
                if f.sex or s:
                    scores.sex.add(f.sex == s)
                    if f.sex != s:
                        scores.misses.append(f"{where}: figure {f.source_text!r} sex {f.sex}, gold {s}")
        for k, n in want.items():
            missing = n - min(n, len(got.get(k, [])))
            t.fn += missing
            if missing:
                scores.misses.append(f"{where}: missed figure {k[0]} {k[1]} (x{missing})")
        scores.figures.add(t)
        orgs: dict[str, set[str]] = {}
        places: dict[str, set[str]] = {}
        for m in facts.mentions:
            if m.kind not in ("org", "place"):
                continue
            surface = record.text[m.evidence.span[0]:m.evidence.span[1]]
            forms = (orgs if m.kind == "org" else places).setdefault(m.key, set())
            forms.add(surface)
            if m.kind == "org" and (paren := re.fullmatch(r"(.+?)\s*\(([^()]+)\)", surface, re.S)):
                forms.update(paren.groups())  # a discovered "Full Name (ACRONYM)" is both forms
        scores.partners.add(_match_entities(g["partners"], orgs, "partner", where, scores.misses))
        scores.places.add(_match_entities(g["places"], places, "place", where, scores.misses))


def score(which: str | None = None) -> Scores:
    s = Scores()
    for p in pages(which):
        score_page(p, s)
    return s


def table(s: Scores) -> list[tuple[str, str]]:
    """The figures to print: (measure, value)."""
    return [
        ("pages / outcomes", f"{s.pages} / {s.outcomes.total}"),
        ("outcomes read", f"{s.outcomes.right}/{s.outcomes.total}"),
        ("status right", f"{s.status.right}/{s.status.total}"),
        ("statement/narrative boundary", f"{s.boundary.right}/{s.boundary.total}"),
        ("label lines", f"{s.label.right}/{s.label.total}"),
        ("stated SP alignment", f"{s.alignment.right}/{s.alignment.total}"),
        ("office and country", f"{s.office.right}/{s.office.total}"),
        ("damaged sections reported", f"{s.skipped.right}/{s.skipped.total}"),
        ("figures precision / recall", f"{s.figures.precision:.3f} / {s.figures.recall:.3f} "
                                       f"({s.figures.tp} right, {s.figures.fp} spurious, {s.figures.fn} missed)"),
        ("sex of figures", f"{s.sex.value:.3f} ({s.sex.right}/{s.sex.total})"),
        ("partners P / R / F1", f"{s.partners.precision:.3f} / {s.partners.recall:.3f} / {s.partners.f1:.3f} "
                                f"({s.partners.tp} right, {s.partners.fp} spurious, {s.partners.fn} missed)"),
        ("places P / R / F1", f"{s.places.precision:.3f} / {s.places.recall:.3f} / {s.places.f1:.3f} "
                              f"({s.places.tp} right, {s.places.fp} spurious, {s.places.fn} missed)"),
        ("pages refused", str(len(s.errors))),
    ]
