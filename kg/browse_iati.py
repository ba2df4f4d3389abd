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

from kg.browse import (HAS_SOURCE, IDENTIFIER, NOTATION, PUBLISHER, RDF_TYPE, RDF_VALUE, RDFS_LABEL, SEX,
                       SOURCE_TEXT, UNIT, WAS_DERIVED_FROM, Browser, Finding, Value, _natural, _rkg, format_number)

RESULT = _rkg("result")
INDICATOR = _rkg("indicator")
PERIOD = _rkg("period")
BASELINE = _rkg("baseline")
TARGET = _rkg("target")
ACTUAL = _rkg("actual")
IN_PERIOD = _rkg("inPeriod")
PERIOD_START = _rkg("periodStart")
PERIOD_END = _rkg("periodEnd")
MEASURE = _rkg("measure")
ASCENDING = _rkg("ascending")
RESULT_TYPE = _rkg("resultType")
DESCRIBES_OUTCOME = _rkg("describesOutcome")
DIMENSION = _rkg("dimension")
DIMENSION_NAME = _rkg("dimensionName")
LOCATION_REF = _rkg("locationRef")
PARTICIPATION = _rkg("participation")
ORGANISATION = _rkg("organisation")
ROLE = _rkg("role")
ACTIVITY_STATUS = _rkg("activityStatus")
RECIPIENT_COUNTRY = _rkg("recipientCountry")
SECTOR = _rkg("sector")
REFERENCE = _rkg("reference")
XPATH = _rkg("xpath")
LINE = _rkg("line")
SOURCE_FILE = _rkg("sourceFile")
DATES = [("Planned start", _rkg("plannedStart")), ("Actual start", _rkg("actualStart")),
         ("Planned end", _rkg("plannedEnd")), ("Actual end", _rkg("actualEnd"))]
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
    """The IATI sections of entity pages, read through one ``Browser`` (and so one snapshot)."""

    def __init__(self, b: Browser) -> None:
        self.b = b

    def source(self, node: Any) -> Source | None:
        b = self.b
        for el in b._objects(node, WAS_DERIVED_FROM):
            xpath = b._text(el, XPATH)
            if xpath is None:
                continue
            activity = b._one(el, HAS_SOURCE)
            return Source(b._text(activity, SOURCE_FILE) or "" if activity is not None else "",
                          b._text(el, LINE) or "", xpath)
        return None

    def cell(self, v: Any) -> Cell:
        b = self.b
        amount = _decimal(b._one(v, RDF_VALUE))
        quals = []
        sex = b._one(v, SEX)
        for d in b._objects(v, DIMENSION):
            name, val = b._text(d, DIMENSION_NAME) or "", b._text(d, RDF_VALUE) or ""
            quals.append(val if name.lower() in ("sex", "gender") else f"{name}: {val}")
        locations = sorted(o.value for o in b._objects(v, LOCATION_REF) if isinstance(o, ox.Literal))
        quals += locations
        unit = b._one(v, UNIT)
        return Cell(b.value(v), format_number(amount) if amount is not None else "", b._text(v, SOURCE_TEXT) or "",
                    ", ".join(quals), not quals and sex is None, b.findings_about([v]), amount,
                    unit.value if unit is not None else None)

    def indicator_view(self, ind: Any) -> IndicatorView:
        b = self.b
        b.snap.prefetch([ind])
        measure = b._one(ind, MEASURE)
        asc = b._one(ind, ASCENDING)
        rows = []
        periods = b._objects(ind, PERIOD)
        b.snap.prefetch(periods)
        for p in periods:
            values = b._objects(p, TARGET) + b._objects(p, ACTUAL)
            b.snap.prefetch(values)
            rows.append(PeriodRow(b.value(p), b._text(p, PERIOD_START) or "", b._text(p, PERIOD_END) or "",
                                  [self.cell(v) for v in sorted(b._objects(p, TARGET), key=lambda n: n.value)],
                                  [self.cell(v) for v in sorted(b._objects(p, ACTUAL), key=lambda n: n.value)]))
        rows.sort(key=lambda r: (r.start, r.end))
        units = {c.unit for r in rows for c in r.targets + r.actuals if c.unit}
        unit = "%" if units == {_rkg("Percent").value} else ""
        baselines = [self.cell(v) for v in sorted(b._objects(ind, BASELINE), key=lambda n: n.value)]
        return IndicatorView(b.value(ind), b.value(measure) if measure is not None else None,
                             None if asc is None else asc.value in ("true", "1"), baselines, rows,
                             chart(rows, unit), unit, b.findings_about([ind]))

    def _activity_of(self, node: Any) -> Any:
        found = self.b._subjects(RESULT, node)
        return found[0] if found else None

    # -- sections --
    def activity(self, node: Any) -> dict[str, Any]:
        b = self.b
        results = sorted(b._objects(node, RESULT), key=lambda n: _natural(n.value))
        b.snap.prefetch(results)
        participants = []
        for part in b._objects(node, PARTICIPATION):
            org, role = b._one(part, ORGANISATION), b._one(part, ROLE)
            if org is not None:
                participants.append((b.value(org), b.value(role) if role is not None else None))
        participants.sort(key=lambda pr: (pr[1].text if pr[1] else "~", pr[0].text))
        shown, indicators = 0, []
        for r in results:
            for ind in sorted(b._objects(r, INDICATOR), key=lambda n: _natural(n.value)):
                if shown < MAX_INDICATORS:
                    indicators.append((b.value(r), self.indicator_view(ind)))
                shown += 1
        publisher = b._one(node, PUBLISHER)
        status = b._one(node, ACTIVITY_STATUS)
        return {"identifier": b._text(node, IDENTIFIER) or "",
                "publisher": b.value(publisher) if publisher is not None else None,
                "status": b.value(status) if status is not None else None,
                "dates": [(name, b._text(node, p)) for name, p in DATES if b._text(node, p)],
                "countries": b.places(b._objects(node, RECIPIENT_COUNTRY)),
                "sectors": b.values(b._objects(node, SECTOR)),
                "participants": participants,
                "results": [self.result_row(r) for r in results],
                "indicators": indicators, "more_indicators": max(0, shown - MAX_INDICATORS),
                "source": self.source(node)}

    def result_row(self, r: Any) -> dict[str, Any]:
        b = self.b
        rtype = b._one(r, RESULT_TYPE)
        return {"result": b.value(r), "type": b.value(rtype) if rtype is not None else None,
                "indicators": len(b._objects(r, INDICATOR)),
                "outcomes": b.values(b._objects(r, DESCRIBES_OUTCOME))}

    def result(self, node: Any) -> dict[str, Any]:
        b = self.b
        activity = self._activity_of(node)
        refs = []
        for ref in b._objects(node, REFERENCE):
            aligned = b._one(ref, _rkg("alignedTo"))
            refs.append((b._text(ref, NOTATION) or "", b._text(ref, _rkg("vocabulary")) or "",
                         b.value(aligned) if aligned is not None else None))
        return {"row": self.result_row(node), "activity": b.value(activity) if activity is not None else None,
                "references": sorted(refs, key=lambda r: r[:2]),
                "indicators": [self.indicator_view(i) for i in sorted(b._objects(node, INDICATOR),
                                                                       key=lambda n: _natural(n.value))],
                "source": self.source(node)}

    def indicator(self, node: Any) -> dict[str, Any]:
        b = self.b
        results = b._subjects(INDICATOR, node)
        result = next((r for r in results if _rkg("IatiResult") in b._objects(r, RDF_TYPE)), None)
        activity = self._activity_of(result) if result is not None else None
        return {"view": self.indicator_view(node), "result": b.value(result) if result is not None else None,
                "activity": b.value(activity) if activity is not None else None, "source": self.source(node)}

    def value(self, node: Any) -> dict[str, Any]:
        b = self.b
        ind = b._one(node, INDICATOR)
        period = b._one(node, IN_PERIOD)
        return {"cell": self.cell(node), "indicator": b.value(ind) if ind is not None else None,
                "period": b.value(period) if period is not None else None, "source": self.source(node),
                "label": b._text(node, RDFS_LABEL) or ""}

    def outcome_links(self, outcome: Any) -> list[dict[str, Any]]:
        """The IATI results that describe a report outcome, with their activities."""
        b = self.b
        out = []
        for r in sorted(b._subjects(DESCRIBES_OUTCOME, outcome), key=lambda n: n.value):
            activity = self._activity_of(r)
            out.append({"result": b.value(r), "activity": b.value(activity) if activity is not None else None,
                        "indicators": len(b._objects(r, INDICATOR))})
        return out


SECTIONS = {"activity": "activity", "iati-result": "result", "indicator": "indicator", "baseline": "value",
            "target": "value", "actual": "value"}
