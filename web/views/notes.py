"""The sections of report, outcome, progress-note, figure and finding pages, and of the partner,
place and Strategic Plan pages that list every progress note involving them, with totals."""
from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.vocab import N, sparql_prologue
from web.views.model import Count, Involvement, Reached, Value, format_number, natural
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
# People reached, from the statistics (kg/rdf/cube.py, counted by the rule of kg/stats.py): a place's
# own observations; a partner's or a Strategic Plan concept's are those of the outcomes it is named in
# (or aligned to), at their report's country (or office), added up: an upper bound, since one person
# may be reached by several outcomes.
PEOPLE_OF_AREA = _Q + """SELECT ?x ?obs ?year ?sex ?n ?upTo WHERE {
  ?ds dcterms:identifier "people-reached" .
  ?obs qb:dataSet ?ds ; rkg:refArea ?x ; rkg:refYear ?year ; rkg:sex ?sex ;
       rkg:peopleReached ?n ; rkg:upperBound ?upTo .
} ORDER BY ?year ?obs"""
_NAMED_IN = {"org": "?note rkg:partner ?x .", "sp": "?note rkg:alignedTo/skos:broader* ?x ."}
PEOPLE_OF_OUTCOMES = {kind: _Q + f"""SELECT ?x ?obs ?year ?sex ?n ?upTo WHERE {{
  {{ SELECT DISTINCT ?x ?outcome ?area ?year WHERE {{
      ?note a rkg:ProgressNote . {pattern}
      ?note rkg:about ?outcome ; rkg:year ?year ; rkg:reportedIn ?r .
      {{ ?r rkg:country ?area }}
      UNION {{ ?r rkg:office ?code . FILTER NOT EXISTS {{ ?r rkg:country ?c }}
               ?area a rkg:Office ; skos:notation ?code }}
  }} }}
  ?ds dcterms:identifier "people-reached-by-outcome" .
  ?obs qb:dataSet ?ds ; rkg:outcome ?outcome ; rkg:refArea ?area ; rkg:refYear ?year ; rkg:sex ?sex ;
       rkg:peopleReached ?n ; rkg:upperBound ?upTo .
}} ORDER BY ?year ?obs""" for kind, pattern in _NAMED_IN.items()}
SEX_KEY = {getattr(N.sdmx_code, f"sex-{k}").value: k for k in "FMT"}


def reached_totals(rd: Reader, kind: str, node: ox.NamedNode) -> list[Reached]:
    """People reached by year, women, men and everyone, from the statistics; each number with its addends."""
    query = PEOPLE_OF_AREA if kind == "place" else PEOPLE_OF_OUTCOMES[kind]
    by_year: dict[str, dict[str, list[tuple[Any, int, bool]]]] = {}
    for r in rd.snap.query(query, bindings={"x": node}):
        by_year.setdefault(r["year"].value, {}).setdefault(SEX_KEY[r["sex"].value], []).append(
            (r["obs"], int(r["n"].value), r["upTo"].value == "true"))
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
    return Involvement(
        notes=rows, more=len(notes) > MAX_INVOLVED, n_notes=len(notes), n_outcomes=len(outcomes),
        countries=sorted(countries.values(), key=lambda v: v.text), years=sorted(years),
        places=rd.places(places), reached=reached_totals(rd, kind, node),
    )
