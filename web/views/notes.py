"""The sections of report, outcome, progress-note, figure and finding pages, and of the partner,
place and Strategic Plan pages that list every progress note involving them, with totals."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kg import stats
from kg.rdf import cube
from kg.vocab import N, sparql_prologue
from web.views.model import Count, Involvement, Reached, format_number, natural
from web.views.reader import Reader, best_text, first
from web.views.sections import section

MAX_INVOLVED = 200  # progress notes listed on a partner, place or Strategic Plan page
_Q = sparql_prologue()

REPORT_FINDINGS = _Q + "SELECT DISTINCT ?r ?f WHERE { ?f a rkg:QualityFinding ; rkg:reportedIn ?r } ORDER BY ?f"

# which progress notes involve a partner, a place (or a place within it, or the country
# reported on) and a Strategic Plan concept (or a narrower one). The path from ?x runs in a
# sub-select so that engines start from ?x: written as one pattern, Oxigraph scans every
# rkg:place triple first (90 ms against 6 ms at 100 reports, growing with the corpus).
_INVOLVES = {
    "org": "?note rkg:partner ?x .",
    "place": "{ { SELECT ?x ?p WHERE { ?p rkg:within* ?x } } ?note rkg:place ?p }"
             " UNION { ?r rkg:country ?x . ?note rkg:reportedIn ?r }",
    "sp": "{ SELECT ?x ?sp WHERE { ?sp skos:broader* ?x } } ?note rkg:alignedTo ?sp .",
}
INVOLVED_NOTES = {kind: _Q + f"SELECT DISTINCT ?x ?note WHERE {{ {pattern} ?note a rkg:ProgressNote . }}"
                  for kind, pattern in _INVOLVES.items()}
# People reached, from the statistics (kg/rdf/cube.py, counted by the rule of kg/stats.py): a place's
# own observations; a partner's or a Strategic Plan concept's are those of the outcomes it is named in
# (or aligned to), at their report's country (or office), added up: an upper bound, since one person
# may be reached by several outcomes.
PEOPLE_OF_AREA = _Q + """SELECT ?x ?obs ?year ?sex ?n ?upTo WHERE {
  ?ds dcterms:identifier "people-reached" .
  ?obs qb:dataSet ?ds ; rkg:refArea ?x ; rkg:refYear ?year ; rkg:sex ?sex ;
       rkg:peopleReached ?n ; rkg:upperBound ?upTo .
} ORDER BY ?year ?obs"""
SEX_KEY = {getattr(N.sdmx_code, f"sex-{k}").value: k for k in "FMT"}


def reached_totals(rd: Reader, kind: str, node: ox.NamedNode,
                   outcomes: Iterable[tuple[ox.NamedNode, str, str]] = ()) -> list[Reached]:
    """People reached by year, women, men and everyone, from the statistics; each number with its addends.

    A place reads its own observations. A partner or a Strategic Plan concept adds the outcome-level
    observations of ``outcomes`` ((outcome, area key, year): the outcomes it is named in, at their
    report's country or office). Those observations are named by their dimension values
    (``kg.uris``), so they are read by IRI, in one batch, whatever the size of the corpus.
    """
    found: list[tuple[Any, str, str, int, bool]] = []  # (observation, year, sex, value, upper bound)
    if kind == "place":
        for r in rd.snap.query(PEOPLE_OF_AREA, bindings={"x": node}):
            found.append((r["obs"], r["year"].value, SEX_KEY[r["sex"].value], int(r["n"].value),
                          r["upTo"].value == "true"))
    else:
        wanted = [(ox.NamedNode(str(rd.iris.observation(cube.BY_OUTCOME, area, int(year), sex, outcome.value))),
                   year, sex) for outcome, area, year in sorted(set(outcomes)) if year.isdigit()
                  for sex in stats.SEXES]
        rd.snap.prefetch([o for o, _, _ in wanted])
        for obs, year, sex in wanted:
            value = rd.integer(obs, N.rkg.peopleReached)
            if value is not None:
                found.append((obs, year, sex, value, rd.text(obs, N.rkg.upperBound) == "true"))
    by_year: dict[str, dict[str, list[tuple[Any, int, bool]]]] = {}
    for obs, year, sex, value, up_to in found:
        by_year.setdefault(year, {}).setdefault(sex, []).append((obs, value, up_to))
    out = []
    for year, sexes in sorted(by_year.items()):
        counts = {}
        for sex, obs in sexes.items():
            total = sum(v for _, v, _ in obs)
            counts[sex] = Count(total, format_number(str(total)), len(obs) > 1 or any(u for _, _, u in obs),
                                rd.values([o for o, _, _ in obs]))
        out.append(Reached(year, counts.get("F"), counts.get("M"), counts.get("T")))
    return out


@section("report")
def section_report(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    notes = [s for s in rd.subjects(N.rkg.reportedIn, node) if N.rkg.ProgressNote in rd.objects(s, N.rdf.type)]
    rows = sorted((rd.note_row(n) for n in notes), key=lambda r: (r.identifier, r.note.iri or ""))
    statuses: dict[str, list[Any]] = {}
    for r in rows:
        if r.status is not None:
            statuses.setdefault(r.status.text, [r.status, r.status_key, 0])[2] += 1
    findings = [rd.finding(r["f"]) for r in rd.snap.query(REPORT_FINDINGS, bindings={"r": node})]
    return {"notes": rows, "statuses": [tuple(v) for v in statuses.values()],
            "findings": sorted(findings, key=lambda x: natural(x.iri)),
            "country": rd.value_or_none(rd.one(node, N.rkg.country)),
            "year": rd.text(node, N.rkg.year) or "", "data_as_of": rd.text(node, N.rkg.dataAsOf) or ""}


@section("outcome")
def section_outcome(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    rows = sorted((rd.note_row(n) for n in rd.subjects(N.rkg.about, node)),
                  key=lambda r: (r.year, r.country.text if r.country else ""))
    return {"notes": rows, "statement": rd.text(node, N.rkg.statement) or "",
            "identifier": rd.text(node, N.dcterms.identifier) or ""}


@section("note")
def section_note(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    figures = sorted(rd.objects(node, N.rkg.figure), key=lambda f: natural(f.value))
    figure_rows = [rd.figure_row(f) for f in figures]
    return {"row": rd.note_row(node), "figures": figure_rows,
            "partners": rd.values(rd.objects(node, N.rkg.partner)),
            "places": rd.places(rd.objects(node, N.rkg.place)),
            "narrative": rd.text(node, N.rkg.narrative) or "",
            "figure_findings": sum(len(r.findings) for r in figure_rows)}


@section("figure")
def section_figure(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    parts = sorted(rd.subjects(N.rkg.partOf, node), key=lambda f: natural(f.value))
    return {"row": rd.figure_row(node), "parts": [rd.figure_row(p) for p in parts]}


@section("finding", "activity-finding")
def section_finding(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    return {"finding": rd.finding(node)}


@section("org")
def section_org(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    return {"involvement": involvement(rd, "org", node)}


@section("place")
def section_place(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    return {"involvement": involvement(rd, "place", node)}


@section("sp")
def section_sp(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    return {"involvement": involvement(rd, "sp", node)}



@section("observation", "outcome-observation")
def section_observation(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    """How a number of the statistics was counted: what it adds, each with its sentence."""
    added = sorted(rd.objects(node, N.prov.wasDerivedFrom), key=lambda x: natural(x.value))
    figures = [rd.figure_row(a) for a in added if rd.kind(a.value) == "figure"]
    notes = [rd.note_row(a) for a in added if rd.kind(a.value) == "note"]
    people = rd.integer(node, N.rkg.peopleReached)
    count = rd.integer(node, N.rkg.outcomeCount)
    up_to = rd.text(node, N.rkg.upperBound) == "true"
    return {"figures": figures, "notes": notes, "up_to": up_to,
            "number": format_number(str(people if people is not None else count or 0)),
            "sum": " + ".join(f.number for f in figures) if figures else "",
            "dataset": rd.value_or_none(rd.one(node, N.qb.dataSet)), "rule": rd.value(N.rkg.peopleReached)}


def involvement(rd: Reader, kind: str, node: ox.NamedNode) -> Involvement:
    """Every progress note involving ``node``, summed up; the first MAX_INVOLVED listed.

    The summary reads a few facts per note, fetched in batches; only listed notes get a full row,
    so a partner named in thousands of notes costs little more than one named in a hundred.
    """
    notes = [r["note"] for r in rd.snap.query(INVOLVED_NOTES[kind], bindings={"x": node})]
    rd.snap.prefetch(notes)
    says = {n: rd.outgoing(n) for n in notes}
    about = {n: (first(s.get(N.rkg.about)), best_text(s.get(N.rkg.year, ())) or "", first(s.get(N.rkg.reportedIn)))
             for n, s in says.items()}
    reports = {r for _, _, r in about.values() if r is not None}
    rd.snap.prefetch(reports)
    areas = {r: report_area(rd, r) for r in reports}  # (area IRI, area key) of each report
    countries = {a[0] for a in areas.values() if a is not None and rd.kind(a[0].value) == "place"}
    country_of = {r: a[0] for r, a in areas.items() if a is not None and a[0] in countries}
    outcomes = {(o, areas[r][1], y) for o, y, r in about.values() if o is not None and areas.get(r) is not None}

    def order(n: Any) -> tuple[str, str, str]:
        outcome, year, report = about[n]
        country = country_of.get(report)
        identifier = (best_text(says[n].get(N.dcterms.identifier, ()))
                      or (best_text(rd.outgoing(outcome).get(N.dcterms.identifier, ())) if outcome is not None
                          else None) or "")
        return (rd.label(country.value) if country is not None else "", year, identifier)

    listed = sorted(notes, key=order)[:MAX_INVOLVED]
    rows = [rd.note_row(n) for n in listed]
    places: dict[Any, None] = {}
    if kind == "org":
        for n in listed:
            for p in says[n].get(N.rkg.place, ()):
                places.setdefault(p, None)
    return Involvement(
        notes=rows, more=len(notes) > MAX_INVOLVED, n_notes=len(notes),
        n_outcomes=len({o for o, _, _ in about.values() if o is not None}),
        countries=rd.values(countries), years=sorted({y for _, y, _ in about.values() if y}),
        places=rd.places(places), reached=reached_totals(rd, kind, node, outcomes),
    )


def report_area(rd: Reader, report: Any) -> tuple[ox.NamedNode, str] | None:
    """The area a report's figures count for when they name no place: its country, else its office
    (the rule of kg/stats.py), as (IRI, key)."""
    says = rd.outgoing(report)
    country = first(says.get(N.rkg.country))
    if isinstance(country, ox.NamedNode):
        parsed = rd.iris.parse(country.value)
        return (country, parsed.keys[0]) if parsed is not None and parsed.kind == "place" else None
    code = best_text(says.get(N.rkg.office, ()))
    return (ox.NamedNode(str(rd.iris.office(code))), code) if code else None
