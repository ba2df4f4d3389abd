"""People reached: the one counting rule for every total the product publishes (issue 12).

A report's narrative states figures of people, some of them parts of others ("1149 women and
young people (322 men and 827 women)", then the same 1149 by place: Bamako 749 with 578 women,
Ségou 120 women, Mopti 169 women). Adding every women figure counts the same women several
times. The rule, for an area, a year and a sex (women, men, everyone):

1. Only figures with unit people and a whole number as value (a malformed number never counts).
2. A figure counts for the smallest place that contains all its own places (``rkg:place``), and
   for every place that contains that one; a figure with no place counts for the report's country
   (or, for an office reporting for no country, for the office, which also counts every placed figure
   of its report). A place merely named in the same note does not make a figure count for it.
3. Within one breakdown tree (a total and its parts, transitively) each person is counted once:
   a figure that qualifies is taken whole and its parts are not looked at; otherwise one breakdown
   of it is taken (by sex first, then by category, then by place; each subset alone), and the
   disjoint parts of that breakdown add up. So a total is never added to one of its parts, and two
   breakdowns of the same people (by sex and by place) are never added together.
4. Separate trees add up, within a note and across outcomes and reports, but they may count the
   same people twice (the 4,505 women farmers of a programme are likely among its 14,668 women
   beneficiaries; one woman can be reached by two programmes): a total with addends from more than
   one tree is an upper bound ("up to"). Only a total drawn from one tree (a figure, or disjoint
   parts of one breakdown) is exact.

Every total keeps its addends (report, outcome, figure index), so anyone can check the sum.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from kg.extract import FigureFact, SectionFacts
from kg.gazetteer import Gazetteer
from kg.read.report import OutcomeSection, ReportRecord

SEXES = ("F", "M", "T")  # women, men, everyone (SDMX sex-F, sex-M, sex-T)
_ORDER = ("sex", "category", "place")


@dataclass(frozen=True)
class Addend:
    report: str  # report key, "MLI-2021"
    outcome: str  # IATI result identifier
    figure: int  # the figure's index in its note
    value: Decimal
    tree: int  # the index of the total at the top of the figure's breakdown tree


@dataclass
class Total:
    area: str  # a place key, or an office code for an office reporting for no country
    year: int
    sex: str
    addends: list[Addend] = field(default_factory=list)
    outcome: str | None = None  # the outcome's IRI, for a total of one outcome

    def key(self) -> tuple:
        return (self.area, self.year, self.sex, self.outcome or "")

    @property
    def value(self) -> Decimal:
        return sum((a.value for a in self.addends), Decimal(0))

    @property
    def outcomes(self) -> set[tuple[str, str]]:
        return {(a.report, a.outcome) for a in self.addends}

    @property
    def upper_bound(self) -> bool:
        """Addends from several breakdown trees may count the same people: the sum is at most that many."""
        return len({(a.report, a.outcome, a.tree) for a in self.addends}) > 1


def _area_of(f: FigureFact, report: ReportRecord, gazetteer: Gazetteer) -> str:
    """The smallest place containing every place of the figure; the report's country (or office) if none."""
    if f.places:
        lineages = [[p.key for p in gazetteer.lineage(k)] for k in f.places]
        rest = [set(x) for x in lineages[1:]]
        for key in lineages[0]:
            if all(key in x for x in rest):
                return key
    return report.country.alpha2 if report.country is not None else report.office.code  # type: ignore[union-attr]


def _areas(area: str, gazetteer: Gazetteer) -> list[str]:
    """The area and every place containing it (an office code stands alone)."""
    if area not in gazetteer.places:
        return [area]
    return [p.key for p in gazetteer.lineage(area)]


def _counted(figures: list[FigureFact], within: dict[int, set[str]], area: str,
             sex: str) -> list[tuple[int, FigureFact]]:
    """The figures of one note that count for ``area`` and ``sex``, each person once (rules 3 and 4)."""
    children: dict[int, list[FigureFact]] = {}
    for f in figures:
        if f.part_of is not None:
            children.setdefault(f.part_of, []).append(f)

    def qualifies(f: FigureFact) -> bool:
        return (f.unit == "people" and f.value is not None and f.value == f.value.to_integral_value()
                and area in within[f.index]
                and (sex == "T" or f.sex == sex))

    def best(f: FigureFact) -> list[FigureFact]:
        if qualifies(f):
            return [f]
        kids = children.get(f.index, [])
        groups = [[k for k in kids if k.breakdown == kind] for kind in _ORDER]
        groups += [[k] for k in kids if k.breakdown not in _ORDER]  # each subset alone: they may overlap
        for group in groups:
            taken = [x for k in group for x in best(k)]
            if taken:
                return taken
        return []

    out: list[tuple[int, FigureFact]] = []
    for root in (f for f in figures if f.part_of is None):
        out += [(root.index, f) for f in best(root)]
    return out


def people_reached(report: ReportRecord, facts: Iterable[SectionFacts], gazetteer: Gazetteer,
                   outcome_of: Callable[[OutcomeSection], str] | None = None) -> list[Total]:
    """Every (area, sex) total of one report, by the rule above; one report is one year.

    With ``outcome_of`` (a section's outcome IRI), the totals are per outcome instead: the
    report's totals are these added up, so no total is ever below one of its outcomes'.
    """
    totals: dict[tuple, Total] = {}
    for section, sf in zip(report.sections, facts):
        people = [f for f in sf.figures if f.unit == "people"]
        if not people:
            continue
        outcome = outcome_of(section) if outcome_of else None
        within = {f.index: set(_areas(_area_of(f, report, gazetteer), gazetteer)) for f in sf.figures}
        if report.country is None:  # an office reporting for no country: its total is every figure of its report
            for areas in within.values():
                areas.add(report.office.code)  # type: ignore[union-attr]
        areas = {a for f in people if f.value is not None for a in within[f.index]}
        for area in sorted(areas):
            for sex in SEXES:
                for root, f in _counted(sf.figures, within, area, sex):
                    t = totals.setdefault((area, sex, outcome), Total(area, report.year, sex, outcome=outcome))
                    t.addends.append(Addend(report.key, section.identifier, f.index, f.value,  # type: ignore[arg-type]
                                            root))
    return sorted(totals.values(), key=_order)


def _order(t: Total) -> tuple:
    return (t.area, t.year, SEXES.index(t.sex), t.outcome or "")


def merge(reports: Iterable[list[Total]], *, by_outcome: bool = False) -> list[Total]:
    """Totals of several reports added by area, year and sex (and outcome): a cheap merge of per-report results."""
    out: dict[tuple, Total] = {}
    for totals in reports:
        for t in totals:
            outcome = t.outcome if by_outcome else None
            m = out.setdefault((t.area, t.year, t.sex, outcome), Total(t.area, t.year, t.sex, outcome=outcome))
            m.addends += t.addends
    return sorted(out.values(), key=_order)


def to_data(totals: list[Total]) -> list[dict]:
    """Totals as JSON-able data, kept with a store version so a later build can merge them unread."""
    return [{"area": t.area, "year": t.year, "sex": t.sex, "outcome": t.outcome,
             "addends": [[a.report, a.outcome, a.figure, str(a.value), a.tree] for a in t.addends]} for t in totals]


def from_data(data: list[dict]) -> list[Total]:
    return [Total(d["area"], d["year"], d["sex"],
                  [Addend(r, o, i, Decimal(v), tree) for r, o, i, v, tree in d["addends"]],
                  d.get("outcome")) for d in data]
