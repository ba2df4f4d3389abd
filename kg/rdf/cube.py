"""The statistics as W3C RDF Data Cube datasets: people reached, by outcome, and outcome statuses.

Three datasets, one structure each (an observation carries every dimension of its dataset,
and no two observations of a dataset share all their dimension values):

- ``dataset/people-reached``: area x year x sex -> ``rkg:peopleReached``;
- ``dataset/people-reached-by-outcome``: the same and the outcome; a dataset total is its
  outcomes' values added, so it is never below one of them;
- ``dataset/outcome-status``: country (or office) x year x status -> ``rkg:outcomeCount``.

Every observation lists what it adds (``prov:wasDerivedFrom``: figures, or progress notes)
and whether it is an upper bound (``rkg:upperBound``). The counting rule is ``kg/stats.py``.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import NamedNode

from kg import stats
from kg.gazetteer import Gazetteer
from kg.offices import office
from kg.rdf import terms as t
from kg.rdf.graph import Emitter, NamedGraph
from kg.rdf.report import SEX as REPORT_SEX
from kg.rdf.report import STATUS as REPORT_STATUS
from kg.rdf.terms import n
from kg.uris import IRIs
from kg.vocab import N

PEOPLE = "people-reached"
BY_OUTCOME = "people-reached-by-outcome"
STATUS = "outcome-status"
SEX = {**REPORT_SEX, "T": getattr(N.sdmx_code, "sex-T")}  # everyone, beside the sexes figures carry
SEX_WORD = {"F": "Women", "M": "Men", "T": "People"}
STATUS_CONCEPT = REPORT_STATUS  # one mapping of status names to concepts, the report mapper's
STATUS_WORD = {"achieved": "achieved", "partially-achieved": "partially achieved", "not-achieved": "not achieved",
               "on-track": "on track", "delayed": "delayed", "not-stated": "status not stated"}


@dataclass(frozen=True)
class Structure:
    name: str
    label: str
    dimensions: tuple[NamedNode, ...]
    measure: NamedNode


STRUCTURES = (
    Structure(PEOPLE, "People reached, by area, year and sex",
              (N.rkg.refArea, N.rkg.refYear, N.rkg.sex), N.rkg.peopleReached),
    Structure(BY_OUTCOME, "People reached, by area, year, sex and outcome",
              (N.rkg.refArea, N.rkg.refYear, N.rkg.sex, N.rkg.outcome), N.rkg.peopleReached),
    Structure(STATUS, "Progress notes, by country or office, year and achievement status",
              (N.rkg.refArea, N.rkg.refYear, N.rkg.outcomeStatus), N.rkg.outcomeCount),
)


def area_of(area: str, iris: IRIs, gazetteer: Gazetteer) -> tuple[str, str]:
    """(IRI, name) of an area: a place key's place, else an office code's office. "Mopti (region)" and
    "Mopti (city)" are two places."""
    p = gazetteer.places.get(area)
    if p is not None:
        return str(iris.place(area)), p.name if p.type == "country" else f"{p.name} ({p.type})"
    o = office(area)
    return str(iris.office(area)), o.name if o is not None else area


def _structure(e: Emitter, iris: IRIs, s: Structure, comment: str) -> None:
    ds, dsd = n(iris.dataset(s.name)), n(iris.structure(s.name))
    e.add(ds, N.rdf.type, N.qb.DataSet)
    e.add(ds, N.dcterms.identifier, t.plain(s.name))  # what queries find it by, whatever the base IRI
    e.add(ds, N.rdfs.label, t.text(s.label))
    e.add(ds, N.dcterms.title, t.text(s.label))
    e.add(ds, N.rdfs.comment, t.text(comment))
    e.add(ds, N.qb.structure, dsd)
    e.add(dsd, N.rdf.type, N.qb.DataStructureDefinition)
    e.add(dsd, N.rdfs.label, t.text(f"Structure of “{s.label}”"))
    parts = [(N.qb.dimension, d) for d in s.dimensions]
    parts += [(N.qb.measure, s.measure), (N.qb.attribute, N.rkg.upperBound)]
    for order, (kind, prop) in enumerate(parts, start=1):
        c = n(iris.component(s.name, prop.value.rsplit("#", 1)[1]))
        e.add(dsd, N.qb.component, c)
        e.add(c, N.rdf.type, N.qb.ComponentSpecification)
        e.add(c, kind, prop)
        if kind == N.qb.dimension:
            e.add(c, N.qb.order, t.integer(order))
        if kind == N.qb.attribute:
            e.add(c, N.qb.componentRequired, t.boolean(True))


_PEOPLE_COMMENT = ("Counted by one rule (see rkg:peopleReached): figures of people, where they are placed, each person "
                   "once within a breakdown tree; a sum over several trees is an upper bound (rkg:upperBound).")


def statistics_triples(e: Emitter, iris: IRIs, areas: dict[str, tuple[str, str]], totals: Iterable[stats.Total],
                       notes: Iterable[tuple[str, int, str, str]]) -> None:
    """``totals`` are per outcome, from every report; ``notes`` are (area, year, status, note IRI); ``areas``
    gives each area's IRI and name (``area_of``)."""
    _structure(e, iris, STRUCTURES[0], _PEOPLE_COMMENT)
    _structure(e, iris, STRUCTURES[1], _PEOPLE_COMMENT + " A dataset total is its outcomes' values added.")
    _structure(e, iris, STRUCTURES[2], "Each progress note (one outcome in one report) counted once, by the status "
                                       "it states.")
    per_outcome = list(totals)
    for name, merged in ((PEOPLE, stats.merge([per_outcome])), (BY_OUTCOME, stats.merge([per_outcome],
                                                                                          by_outcome=True))):
        for tot in merged:
            _people(e, iris, areas, name, tot)
    by_status: dict[tuple[str, int, str], list[str]] = {}
    for area, year, status, note in notes:
        by_status.setdefault((area, year, status), []).append(note)
    for (area, year, status), members in sorted(by_status.items()):
        obs = n(iris.observation(STATUS, area, year, status))
        _observation(e, iris, STATUS, obs, area, year, areas)
        e.add(obs, N.rkg.outcomeStatus, STATUS_CONCEPT[status])
        e.add(obs, N.rkg.outcomeCount, t.integer(len(members)))
        e.add(obs, N.rkg.upperBound, t.boolean(False))
        e.add(obs, N.rdfs.label, t.text(f"Outcomes {STATUS_WORD[status]}, {areas[area][1]}, {year}: "
                                        f"{len(members)}"))
        for note in sorted(members):
            e.add(obs, N.prov.wasDerivedFrom, n(note))


def _observation(e: Emitter, iris: IRIs, dataset: str, obs: NamedNode, area: str, year: int,
                 areas: dict[str, tuple[str, str]]) -> None:
    e.add(obs, N.rdf.type, N.qb.Observation)
    e.add(obs, N.qb.dataSet, n(iris.dataset(dataset)))
    e.add(obs, N.rkg.refArea, n(areas[area][0]))
    e.add(obs, N.rkg.refYear, t.gyear(year))


def _people(e: Emitter, iris: IRIs, areas: dict[str, tuple[str, str]], dataset: str, tot: stats.Total) -> None:
    obs = n(iris.observation(dataset, tot.area, tot.year, tot.sex, tot.outcome))
    _observation(e, iris, dataset, obs, tot.area, tot.year, areas)
    e.add(obs, N.rkg.sex, SEX[tot.sex])
    if tot.outcome is not None:
        e.add(obs, N.rkg.outcome, n(tot.outcome))
    value = int(tot.value)
    e.add(obs, N.rkg.peopleReached, t.integer(value))
    e.add(obs, N.rkg.upperBound, t.boolean(tot.upper_bound))
    words = f"{SEX_WORD[tot.sex]} reached, {areas[tot.area][1]}, {tot.year}"
    if tot.outcome is not None:
        words += f", {tot.addends[0].outcome.rsplit('-', 1)[-1]}"
    e.add(obs, N.rdfs.label, t.text(f"{words}: {'up to ' if tot.upper_bound else ''}{value:,}"))
    for a in tot.addends:
        e.add(obs, N.prov.wasDerivedFrom, n(iris.figure(a.report, a.outcome, a.figure)))


def statistics_graph(iris: IRIs, areas: dict[str, tuple[str, str]], totals: Iterable[stats.Total],
                     notes: Iterable[tuple[str, int, str, str]], name: str) -> NamedGraph:
    e = Emitter(n(iris.graph(name)))
    statistics_triples(e, iris, areas, totals, notes)
    return NamedGraph(e.graph, e.triples)
