"""What the browser shows on the pages of IATI activities, results, indicators and their values.

An indicator is shown as a table of its baselines and of the targets and actuals of
each period, and as a small bar chart of target against actual per period. The chart
is computed here as geometry (plain numbers) and drawn as SVG by the template, so the
page needs no script and every label goes through the template's escaping.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from kg.vocab import N
from web.views.model import Finding, Value, format_number, natural
from web.views.reader import Reader
from web.views.sections import section

DATES = [("Planned start", N.rkg.plannedStart), ("Actual start", N.rkg.actualStart),
         ("Planned end", N.rkg.plannedEnd), ("Actual end", N.rkg.actualEnd)]
MAX_INDICATORS = 60  # indicators drawn on an activity page; the rest are listed on their results' pages

# chart geometry, in SVG user units
_PLOT_H = 140
_TOP = 18
_LEFT = 56
_GROUP_W = 64
_BAR_W = 22
_BOTTOM = 38


@dataclass
class Source:
    """Where in an IATI file a fact was read."""

    file: str
    line: str
    xpath: str


@dataclass
class Cell:
    """One baseline, target or actual as a table cell."""

    value: Value
    number: str  # the number read, formatted; empty when the text is no number
    written: str  # as written in the file
    qualifiers: str  # sex, other dimensions, locations
    headline: bool  # neither disaggregated nor tied to a location
    findings: list[Finding]
    amount: Decimal | None = None
    unit: str | None = None  # the unit's IRI


@dataclass
class PeriodRow:
    period: Value
    start: str
    end: str
    targets: list[Cell]
    actuals: list[Cell]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # target | actual
    title: str


@dataclass
class Chart:
    width: float
    height: float
    plot_top: float
    plot_bottom: float
    left: float
    bars: list[Bar]
    labels: list[tuple[float, str]]  # x of each period's label, the label
    ticks: list[tuple[float, str]]  # y of each gridline, its number
    unit: str


@dataclass
class IndicatorView:
    indicator: Value
    measure: Value | None
    ascending: bool | None
    baselines: list[Cell]
    periods: list[PeriodRow]
    chart: Chart | None
    unit: str = ""
    findings: list[Finding] = field(default_factory=list)


def _decimal(term: Any) -> Decimal | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


def chart(periods: list[PeriodRow], unit: str) -> Chart | None:
    """Target against actual per period, for the values that are neither disaggregated nor located."""
    pairs = []
    for p in periods:
        t = next((c.amount for c in p.targets if c.headline and c.amount is not None), None)
        a = next((c.amount for c in p.actuals if c.headline and c.amount is not None), None)
        if t is not None or a is not None:
            pairs.append((p, t, a))
    if not pairs:
        return None
    top = max(v for _, t, a in pairs for v in (t, a) if v is not None)
    top = top if top > 0 else Decimal(1)
    bottom = _TOP + _PLOT_H
    bars, labels = [], []
    for i, (p, t, a) in enumerate(pairs):
        x0 = _LEFT + i * _GROUP_W + 8
        for j, (kind, v) in enumerate((("target", t), ("actual", a))):
            if v is None or v < 0:
                continue
            h = float(v / top) * _PLOT_H
            bars.append(Bar(x0 + j * (_BAR_W + 2), round(bottom - h, 1), _BAR_W, round(h, 1), kind,
                            f"{kind} {format_number(v)}{unit} ({p.start} to {p.end})"))
        labels.append((x0 + _BAR_W + 1, p.end[:4] if p.start[:4] == p.end[:4] else f"{p.start[:7]}–{p.end[:7]}"))
    ticks = [(round(bottom - _PLOT_H * f, 1), format_number((top * Decimal(str(f))).normalize())) for f in (0, 0.5, 1)]
    return Chart(width=_LEFT + len(pairs) * _GROUP_W + 16, height=bottom + _BOTTOM, plot_top=_TOP,
                 plot_bottom=bottom, left=_LEFT, bars=bars, labels=labels, ticks=ticks, unit=unit)


class IatiPages:
    """The IATI sections of entity pages, read through one ``Reader`` (and so one snapshot)."""

    def __init__(self, b: Reader) -> None:
        self.b = b

    def source(self, node: Any) -> Source | None:
        b = self.b
        for el in b.objects(node, N.prov.wasDerivedFrom):
            xpath = b.text(el, N.rkg.xpath)
            if xpath is None:
                continue
            activity = b.one(el, N.oa.hasSource)
            return Source(b.text(activity, N.rkg.sourceFile) or "" if activity is not None else "",
                          b.text(el, N.rkg.line) or "", xpath)
        return None

    def cell(self, v: Any) -> Cell:
        b = self.b
        amount = _decimal(b.one(v, N.rdf.value))
        quals = []
        sex = b.one(v, N.rkg.sex)
        for d in b.objects(v, N.rkg.dimension):
            name, val = b.text(d, N.rkg.dimensionName) or "", b.text(d, N.rdf.value) or ""
            quals.append(val if name.lower() in ("sex", "gender") else f"{name}: {val}")
        locations = sorted(o.value for o in b.objects(v, N.rkg.locationRef) if isinstance(o, ox.Literal))
        quals += locations
        unit = b.one(v, N.rkg.unit)
        return Cell(b.value(v), format_number(amount) if amount is not None else "", b.text(v, N.rkg.sourceText) or "",
                    ", ".join(quals), not quals and sex is None, b.findings_about([v]), amount,
                    unit.value if unit is not None else None)

    def indicator_view(self, ind: Any) -> IndicatorView:
        b = self.b
        b.snap.prefetch([ind])
        measure = b.one(ind, N.rkg.measure)
        asc = b.one(ind, N.rkg.ascending)
        rows = []
        periods = b.objects(ind, N.rkg.period)
        b.snap.prefetch(periods)
        for p in periods:
            values = b.objects(p, N.rkg.target) + b.objects(p, N.rkg.actual)
            b.snap.prefetch(values)
            rows.append(PeriodRow(b.value(p), b.text(p, N.rkg.periodStart) or "", b.text(p, N.rkg.periodEnd) or "",
                                  [self.cell(v) for v in sorted(b.objects(p, N.rkg.target), key=lambda n: n.value)],
                                  [self.cell(v) for v in sorted(b.objects(p, N.rkg.actual), key=lambda n: n.value)]))
        rows.sort(key=lambda r: (r.start, r.end))
        units = {c.unit for r in rows for c in r.targets + r.actuals if c.unit}
        unit = "%" if units == {N.rkg.Percent.value} else ""
        baselines = [self.cell(v) for v in sorted(b.objects(ind, N.rkg.baseline), key=lambda n: n.value)]
        return IndicatorView(b.value(ind), b.value(measure) if measure is not None else None,
                             None if asc is None else asc.value in ("true", "1"), baselines, rows,
                             chart(rows, unit), unit, b.findings_about([ind]))

    def _activity_of(self, node: Any) -> Any:
        found = self.b.subjects(N.rkg.result, node)
        return found[0] if found else None

    # -- sections --
    def activity(self, node: Any) -> dict[str, Any]:
        b = self.b
        results = sorted(b.objects(node, N.rkg.result), key=lambda n: natural(n.value))
        b.snap.prefetch(results)
        participants = []
        for part in b.objects(node, N.rkg.participation):
            org, role = b.one(part, N.rkg.organisation), b.one(part, N.rkg.role)
            if org is not None:
                participants.append((b.value(org), b.value(role) if role is not None else None))
        participants.sort(key=lambda pr: (pr[1].text if pr[1] else "~", pr[0].text))
        shown, indicators = 0, []
        for r in results:
            for ind in sorted(b.objects(r, N.rkg.indicator), key=lambda n: natural(n.value)):
                if shown < MAX_INDICATORS:
                    indicators.append((b.value(r), self.indicator_view(ind)))
                shown += 1
        publisher = b.one(node, N.dcterms.publisher)
        status = b.one(node, N.rkg.activityStatus)
        return {"identifier": b.text(node, N.dcterms.identifier) or "",
                "publisher": b.value(publisher) if publisher is not None else None,
                "status": b.value(status) if status is not None else None,
                "dates": [(name, b.text(node, p)) for name, p in DATES if b.text(node, p)],
                "countries": b.places(b.objects(node, N.rkg.recipientCountry)),
                "sectors": b.values(b.objects(node, N.rkg.sector)),
                "participants": participants,
                "results": [self.result_row(r) for r in results],
                "indicators": indicators, "more_indicators": max(0, shown - MAX_INDICATORS),
                "source": self.source(node)}

    def result_row(self, r: Any) -> dict[str, Any]:
        b = self.b
        rtype = b.one(r, N.rkg.resultType)
        return {"result": b.value(r), "type": b.value(rtype) if rtype is not None else None,
                "indicators": len(b.objects(r, N.rkg.indicator)),
                "outcomes": b.values(b.objects(r, N.rkg.describesOutcome))}

    def result(self, node: Any) -> dict[str, Any]:
        b = self.b
        activity = self._activity_of(node)
        refs = []
        for ref in b.objects(node, N.rkg.reference):
            aligned = b.one(ref, N.rkg.alignedTo)
            refs.append((b.text(ref, N.skos.notation) or "", b.text(ref, N.rkg.vocabulary) or "",
                         b.value(aligned) if aligned is not None else None))
        return {"row": self.result_row(node), "activity": b.value(activity) if activity is not None else None,
                "references": sorted(refs, key=lambda r: r[:2]),
                "indicators": [self.indicator_view(i) for i in sorted(b.objects(node, N.rkg.indicator),
                                                                       key=lambda n: natural(n.value))],
                "source": self.source(node)}

    def indicator(self, node: Any) -> dict[str, Any]:
        b = self.b
        results = b.subjects(N.rkg.indicator, node)
        result = next((r for r in results if N.rkg.IatiResult in b.objects(r, N.rdf.type)), None)
        activity = self._activity_of(result) if result is not None else None
        return {"view": self.indicator_view(node), "result": b.value(result) if result is not None else None,
                "activity": b.value(activity) if activity is not None else None, "source": self.source(node)}

    def value(self, node: Any) -> dict[str, Any]:
        b = self.b
        ind = b.one(node, N.rkg.indicator)
        period = b.one(node, N.rkg.inPeriod)
        return {"cell": self.cell(node), "indicator": b.value(ind) if ind is not None else None,
                "period": b.value(period) if period is not None else None, "source": self.source(node),
                "label": b.text(node, N.rdfs.label) or ""}

    def outcome_links(self, outcome: Any) -> list[dict[str, Any]]:
        """The IATI results that describe a report outcome, with their activities."""
        b = self.b
        out = []
        for r in sorted(b.subjects(N.rkg.describesOutcome, outcome), key=lambda n: n.value):
            activity = self._activity_of(r)
            out.append({"result": b.value(r), "activity": b.value(activity) if activity is not None else None,
                        "indicators": len(b.objects(r, N.rkg.indicator))})
        return out


@section("activity")
def activity_section(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    return IatiPages(rd).activity(node)


@section("iati-result")
def result_section(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    return IatiPages(rd).result(node)


@section("indicator")
def indicator_section(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    return IatiPages(rd).indicator(node)


@section("baseline", "target", "actual")
def value_section(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    return IatiPages(rd).value(node)


@section("outcome")
def outcome_results(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    """A report outcome's page lists the IATI results that describe it."""
    return {"iati": IatiPages(rd).outcome_links(node)}
