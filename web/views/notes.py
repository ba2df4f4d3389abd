"""The sections of report, outcome, progress-note, figure and finding pages, and of the partner,
place and Strategic Plan pages that list every progress note involving them, with totals."""
from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.vocab import N, sparql_prologue
from web.views.model import Involvement, UnitTotal, Value, format_number, natural
from web.views.reader import Reader
from web.views.sections import section

MAX_INVOLVED = 500  # progress notes listed on a partner, place or Strategic Plan page
_Q = sparql_prologue()

REPORT_FINDINGS = _Q + "SELECT DISTINCT ?r ?f WHERE { ?f a rkg:QualityFinding ; rkg:reportedIn ?r } ORDER BY ?f"

# which progress notes involve a partner, a place (or a place within it, or the country
# reported on) and a Strategic Plan concept (or a narrower one)
_INVOLVES = {
    "org": "?note rkg:partner ?x .",
    "place": "{ ?note rkg:place/rkg:within* ?x } UNION { ?note rkg:reportedIn/rkg:country ?x }",
    "sp": "?note rkg:alignedTo/skos:broader* ?x .",
}
INVOLVED_NOTES = {kind: _Q + f"SELECT DISTINCT ?x ?note WHERE {{ ?note a rkg:ProgressNote . {pattern} }}"
                  for kind, pattern in _INVOLVES.items()}
# Women reached, by the rule of ontology/queries/partially-achieved.rq: a figure about women
# counts unless it is part of another women figure, or part of a total that a women figure
# split by sex already counts. (MINUS, not FILTER NOT EXISTS: engines evaluate a MINUS once, while a
# FILTER NOT EXISTS with a property path can be re-evaluated for every figure, which is quadratic.)
WOMEN_REACHED = {kind: _Q + f"""SELECT ?x (SUM(?v) AS ?women) (COUNT(DISTINCT ?f) AS ?figures) WHERE {{
  {{ SELECT DISTINCT ?x ?note WHERE {{ ?note a rkg:ProgressNote . {pattern} }} }}
  ?note rkg:figure ?f .
  ?f rkg:sex sdmx-code:sex-F ; rdf:value ?v .
  MINUS {{ ?f rkg:partOf+ ?t . ?t rkg:sex sdmx-code:sex-F }}
  MINUS {{
    ?f rkg:partOf+ ?total .
    ?other rkg:partOf ?total ; rkg:breakdown rkg:BySex ; rkg:sex sdmx-code:sex-F .
    FILTER(?other != ?f)
  }}
}} GROUP BY ?x""" for kind, pattern in _INVOLVES.items()}
# Totals by unit of the figures that are not part of another one (parts would count twice);
# percentages are never added.
UNIT_TOTALS = {kind: _Q + f"""SELECT ?x ?unit (SUM(?v) AS ?total) (COUNT(DISTINCT ?f) AS ?figures) WHERE {{
  {{ SELECT DISTINCT ?x ?note WHERE {{ ?note a rkg:ProgressNote . {pattern} }} }}
  ?note rkg:figure ?f .
  ?f rkg:unit ?unit ; rdf:value ?v .
  MINUS {{ ?f rkg:partOf ?whole }}
  FILTER(?unit != rkg:Percent)
}} GROUP BY ?x ?unit ORDER BY ?unit""" for kind, pattern in _INVOLVES.items()}


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



def involvement(rd: Reader, kind: str, node: ox.NamedNode) -> Involvement:
    notes = [r["note"] for r in rd.snap.query(INVOLVED_NOTES[kind], bindings={"x": node})]
    rows = [rd.note_row(n) for n in notes[:MAX_INVOLVED]]
    rows.sort(key=lambda r: (r.country.text if r.country else "", r.year, r.identifier))
    outcomes = {rd.one(n, N.rkg.about) for n in notes} - {None}
    countries: dict[str, Value] = {}
    years: set[str] = set()
    places: dict[Any, None] = {}
    for r in rows:
        if r.country is not None and r.country.iri:
            countries.setdefault(r.country.iri, r.country)
        if r.year:
            years.add(r.year)
    if kind == "org":
        for n in notes[:MAX_INVOLVED]:
            for p in rd.objects(n, N.rkg.place):
                places.setdefault(p, None)
    women, women_figures = None, 0
    for r in rd.snap.query(WOMEN_REACHED[kind], bindings={"x": node}):
        if r["women"] is not None:
            women, women_figures = format_number(r["women"].value), int(r["figures"].value)
    totals = [UnitTotal(rd.value(r["unit"]), format_number(r["total"].value), int(r["figures"].value))
              for r in rd.snap.query(UNIT_TOTALS[kind], bindings={"x": node}) if r["total"] is not None]
    return Involvement(
        notes=rows, more=len(notes) > MAX_INVOLVED, n_notes=len(notes), n_outcomes=len(outcomes),
        countries=sorted(countries.values(), key=lambda v: v.text), years=sorted(years),
        places=rd.places(places), women=women,
        women_figures=women_figures, unit_totals=totals,
    )
