"""The sections of report, outcome, progress-note, figure and finding pages, and of the partner,
place and Strategic Plan pages that list every progress note involving them, with totals."""
from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from kg import stats
from kg.rdf import cube
from kg.store.index import index_for
from kg.vocab import SDG_KOS, N, sparql_prologue
from web.views.model import Count, Involvement, OutcomeCard, Reached, Value, format_number, local_name, natural
from web.views.narrative import marked_narrative
from web.views.reader import Reader
from web.views.sections import section

MAX_INVOLVED = 100  # progress notes listed on a partner, place or Strategic Plan page (the rest: SPARQL)
_Q = sparql_prologue()

REPORT_FINDINGS = _Q + "SELECT DISTINCT ?r ?f WHERE { ?f a rkg:QualityFinding ; rkg:reportedIn ?r } ORDER BY ?f"


def reached_totals(rd: Reader, kind: str, node: ox.NamedNode) -> list[Reached]:
    """People reached by year, women, men and everyone, from the statistics; each number with its addends.

    A place reads its own observations. A partner or a Strategic Plan concept adds the outcome-level
    observations of the outcomes it is named in (or aligned to), at their report's country or office.
    Both through the browse index (kg/store/index.py, made from the cube): one query whatever the corpus size.
    """
    index = index_for(rd.snap)
    addends = index.reached_in(node.value) if kind == "place" else index.reached_by_outcomes(kind, node.value)
    # labelled by the index: a partner's total may add a thousand outcomes' observations
    found = [(Value(a.label or a.obs, iri=a.obs, href=rd.urls.href(a.obs)), a.year, a.sex, a.value, a.up_to)
             for a in addends]
    by_year: dict[str, dict[str, list[tuple[Any, int, bool]]]] = {}
    for obs, year, sex, value, up_to in found:
        by_year.setdefault(year, {}).setdefault(sex, []).append((obs, value, up_to))
    out = []
    for year, sexes in sorted(by_year.items()):
        counts = {}
        for sex, obs in sexes.items():
            total = sum(v for _, v, _ in obs)
            parts = [o for o, _, _ in obs]
            counts[sex] = Count(total, format_number(str(total)), len(obs) > 1 or any(u for _, _, u in obs),
                                sorted(parts, key=lambda v: (v.text.casefold(), v.iri or "")))
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
    area = report_area(rd, node)
    year = rd.text(node, N.rkg.year) or ""
    cards = [outcome_card(rd, r, area, year) for r in rows]
    by_type: dict[str, int] = {}
    for f in findings:
        name = f.type.text if f.type is not None else "Other"
        by_type[name] = by_type.get(name, 0) + 1
    return {"notes": rows, "cards": cards, "statuses": [tuple(v) for v in statuses.values()],
            "findings": sorted(findings, key=lambda x: natural(x.iri)),
            "findings_by_type": sorted(((t, n, None, None) for t, n in by_type.items()), key=lambda r: (-r[1], r[0])),
            "country": rd.value_or_none(rd.one(node, N.rkg.country)),
            "reached": area_reached(rd, area, year), "year": year,
            "data_as_of": rd.text(node, N.rkg.dataAsOf) or ""}


def report_area(rd: Reader, report: Any) -> tuple[ox.NamedNode, str] | None:
    """The area a report's figures count for when they name no place (kg/stats.py): its country, else
    its office; as (IRI, key of the statistics' observation IRIs)."""
    country = rd.one(report, N.rkg.country)
    if isinstance(country, ox.NamedNode):
        parsed = rd.iris.parse(country.value)
        return (country, parsed.keys[0]) if parsed is not None and parsed.kind == "place" else None
    code = rd.text(report, N.rkg.office)
    return (ox.NamedNode(str(rd.iris.office(code))), code) if code else None


def _observed(rd: Reader, year: str, obs: dict[str, ox.NamedNode]) -> Reached | None:
    """Women, men and everyone from the cube's observations named ``obs`` (by sex); None when none exists."""
    counts = {}
    for sex, iri in obs.items():
        value = rd.integer(iri, N.rkg.peopleReached)
        if value is not None:
            counts[sex] = Count(value, format_number(str(value)), rd.text(iri, N.rkg.upperBound) == "true",
                                [rd.value(iri)])
    return Reached(year, counts.get("F"), counts.get("M"), counts.get("T")) if counts else None


def outcome_reached(rd: Reader, outcome: Any, area: tuple[ox.NamedNode, str] | None, year: str) -> Reached | None:
    """The people an outcome reached in its report's year, at the report's country or office: the cube's
    outcome-level observations, read by their IRIs (named by their dimension values)."""
    if area is None or outcome is None or not year.isdigit():
        return None
    return _observed(rd, year, {sex: ox.NamedNode(str(rd.iris.observation(cube.BY_OUTCOME, area[1], int(year), sex,
                                                                           outcome.value)))
                                for sex in stats.SEXES})


def area_reached(rd: Reader, area: tuple[ox.NamedNode, str] | None, year: str) -> Reached | None:
    if area is None or not year.isdigit():
        return None
    return _observed(rd, year, {sex: ox.NamedNode(str(rd.iris.observation(cube.PEOPLE, area[1], int(year), sex)))
                                for sex in stats.SEXES})


FIRST_LEVEL = {N.rkg.Region, N.rkg.District}  # the units a country's places are grouped by


def by_region(rd: Reader, places: list[Any]) -> list[tuple[Value | None, list[Value]]]:
    """Places grouped under the region (or district) they lie in; a country, or a place in no region,
    under None ("country-wide or unplaced")."""
    groups: dict[Any, list[Any]] = {}
    for p in places:
        key, cur, seen = None, p, set()
        while isinstance(cur, ox.NamedNode) and cur not in seen:
            seen.add(cur)
            if rd.one(cur, N.rkg.placeType) in FIRST_LEVEL:
                key = cur
                break
            cur = rd.one(cur, N.rkg.within)
        members = groups.setdefault(key, [])
        if p != key:
            members.append(p)
    out = [(rd.value(k) if k is not None else None, rd.places(v)) for k, v in groups.items()]
    return sorted(out, key=lambda g: (g[0] is None, g[0].text.casefold() if g[0] else ""))


def outcome_card(rd: Reader, row: Any, area: tuple[ox.NamedNode, str] | None, year: str) -> OutcomeCard:
    note = ox.NamedNode(row.note.iri)
    outcome = ox.NamedNode(row.outcome.iri) if row.outcome and row.outcome.iri else None
    figures = rd.objects(note, N.rkg.figure)
    return OutcomeCard(
        row=row, statement=(rd.text(outcome, N.rkg.statement) if outcome is not None else None) or "",
        partners=rd.partners([note]), regions=by_region(rd, rd.objects(note, N.rkg.place)),
        reached=outcome_reached(rd, outcome, area, year), findings=len(rd.findings_about([note, *figures])),
    )


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
    narrative = rd.text(node, N.rkg.narrative) or ""
    outcome = rd.one(node, N.rkg.about)
    return {"row": rd.note_row(node), "figures": figure_rows,
            "partners": rd.partners([node]),
            "places": rd.places(rd.objects(node, N.rkg.place)),
            "sdgs": rd.values(o for o in rd.objects(node, N.dcterms.subject) if o.value.startswith(SDG_KOS)),
            "resolutions": rd.values(rd.objects(node, N.dcterms.references)),
            "narrative": narrative, "paragraphs": marked_narrative(rd, node, narrative),
            "statement": (rd.text(outcome, N.rkg.statement) if outcome is not None else None) or "",
            "figure_findings": sum(len(r.findings) for r in figure_rows)}


@section("figure")
def section_figure(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    parts = sorted(rd.subjects(N.rkg.partOf, node), key=lambda f: natural(f.value))
    notes = rd.subjects(N.rkg.figure, node)  # the progress note it was read in: its outcome, status and year
    return {"row": rd.figure_row(node), "parts": [rd.figure_row(p) for p in parts],
            "note": rd.note_row(notes[0]) if notes else None}


@section("finding", "activity-finding")
def section_finding(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    return {"finding": rd.finding(node)}


@section("org")
def section_org(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    return {"involvement": involvement(rd, "org", node)}


@section("place")
def section_place(rd: Reader, node: ox.NamedNode) -> dict[str, Any]:
    return {"involvement": involvement(rd, "place", node), "by_region": women_by_part(rd, node),
            "statuses_by_year": statuses_by_year(rd, node)}


STATUS_OF_AREA = _Q + """SELECT ?x ?year ?status ?n WHERE {
  ?obs rkg:refArea ?x ; rkg:outcomeStatus ?status ; rkg:refYear ?year ; rkg:outcomeCount ?n } ORDER BY ?year"""
STATUS_ORDER = ["achieved", "on-track", "partially-achieved", "delayed", "not-achieved", "not-stated"]


def statuses_by_year(rd: Reader, node: ox.NamedNode) -> list[tuple[str, list[tuple[Value, str, int]]]]:
    """How the outcomes a country (or office) reported on ended each year, from the cube's outcome-status
    dataset: a status bar a year."""
    years: dict[str, list[tuple[Value, str, int]]] = {}
    for r in rd.snap.query(STATUS_OF_AREA, bindings={"x": node}):
        status = r["status"]
        code = rd.text(status, N.skos.notation) or local_name(status.value)
        key = re.sub(r"[^a-z-]", "", code.lower())
        years.setdefault(r["year"].value, []).append((rd.value(status), key, int(r["n"].value)))
    order = {k: i for i, k in enumerate(STATUS_ORDER)}
    return [(y, sorted(v, key=lambda s: order.get(s[1], 99))) for y, v in sorted(years.items())]


def women_by_part(rd: Reader, node: ox.NamedNode) -> tuple[str, list[tuple[str, int, str | None, str | None]]]:
    """Women reached in each place directly within ``node``, in the latest year any has a count: the ranked
    bars of a country's or a region's page, (year, [(name, value, link, "up to N" or None)])."""
    index = index_for(rd.snap)
    found: dict[str, list[tuple[Any, int, bool]]] = {}
    for child in rd.subjects(N.rkg.within, node):
        for a in index.reached_in(child.value):
            if a.sex == "F":
                found.setdefault(a.year, []).append((child, a.value, a.up_to))
    if not found:
        return "", []
    year = max(found)
    rows = sorted(found[year], key=lambda r: -r[1])[:20]
    out = []
    for child, n, up in rows:
        (v,) = rd.places([child])  # its name, and its type: "Mopti (Region)" beside "Mopti (City)"
        out.append((v.text + (f" ({v.note})" if v.note else ""), n, v.href, f"up to {n:,}" if up else None))
    return year, out


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
    """Every progress note involving ``node``, summed up, from the browse index; the first MAX_INVOLVED
    listed, by country, year and identifier."""
    found = index_for(rd.snap).involved(kind, node.value, MAX_INVOLVED)
    listed = [ox.NamedNode(n.iri) for n in found.notes]
    places: dict[Any, None] = {}
    if kind == "org":
        for n in listed:
            for p in rd.objects(n, N.rkg.place):
                places.setdefault(p, None)
    countries = [ox.NamedNode(c) for c in found.countries if rd.kind(c) == "place"]
    return Involvement(
        notes=[rd.indexed_note_row(n) for n in found.notes], more=found.n_notes > len(listed), n_notes=found.n_notes,
        n_outcomes=found.n_outcomes, countries=rd.values(countries), years=found.years,
        places=rd.places(places), reached=reached_totals(rd, kind, node),
    )
