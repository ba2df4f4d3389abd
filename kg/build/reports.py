"""One report file through read -> extract -> map -> validate -> serialise; in worker processes when parallel.

Failures become data (``ReportResult.error``), so one broken report never stops the
others from being checked and every failing report of a run can be listed.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.build.merge import Contribution, descriptions
from kg.build.result import BuiltReport
from kg.build.sinks import serialize_graph
from kg.errors import KGError, ReportFormatError, UsageError, ValidationFailed
from kg.extract import extract_section, strip_alignment
from kg.formats import BY_NAME
from kg.gazetteer import Gazetteer, load_gazetteer
from kg.rdf import NamedGraph, ReferenceData, map_report, reference_graph
from kg.rdf.cube import area_of
from kg.read import read_report
from kg.read.report import WARNING_KINDS
from kg.stats import people_reached
from kg.uris import IRIs
from kg.validate import validate_triples
from kg.vocab import RKG, N

_RDF_TYPE = N.rdf.type.value
# below this many reports, worker processes cost more to start than they save
_MIN_PARALLEL = 8


@dataclass
class ReportResult:
    """What processing one report file yields; crosses process boundaries, so plain data."""

    path: str
    key: str | None = None
    graph: str | None = None
    error: KGError | None = None
    chunk: bytes = b""
    contribution: bytes = b""  # kg.build.merge.Contribution: its part of the shared and statistics graphs
    triples: int = 0
    types: Counter = field(default_factory=Counter)
    partners: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    outcomes: list[tuple[str, str]] = field(default_factory=list)  # (IATI result identifier, outcome IRI)
    timings: dict[str, float] = field(default_factory=dict)
    built: BuiltReport | None = None
    # what was built but may be incomplete (a section with nothing to read), to print with file and line
    warnings: list[KGError] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    base_iri: str
    engine: str
    country: str | None
    year: int | None
    chunk_format: str | None  # a formats.BY_NAME key, or None for no chunk
    keep: bool
    office: str | None = None
    strict: bool = False  # damage (a cut heading) fails the report instead of leaving a section out


class BuildContext:
    """Per-process state: loaded once in each worker, not at import time."""

    def __init__(self, opts: Options, gazetteer: Gazetteer | None = None) -> None:
        self.opts = opts
        self.iris = IRIs(opts.base_iri)
        self.gazetteer = gazetteer or load_gazetteer()
        self.ref = ReferenceData(self.gazetteer)
        self.reference = reference_graph(self.gazetteer, self.iris)
        self.by_subject: dict[str, list[ox.Triple]] = {}
        for t in self.reference.triples:
            self.by_subject.setdefault(t.subject.value, []).append(t)
        self.fmt = BY_NAME[opts.chunk_format] if opts.chunk_format else None


_WORKER: BuildContext | None = None


def _init_worker(opts: Options) -> None:
    global _WORKER
    _WORKER = BuildContext(opts)


def _work(path: str) -> ReportResult:
    assert _WORKER is not None
    return process_report(_WORKER, path)


def linked_reference(triples: list[ox.Triple], by_subject: dict[str, list[ox.Triple]]) -> list[ox.Triple]:
    """The reference triples a report graph links to (and what those link to: places within places)."""
    out: list[ox.Triple] = []
    seen: set[str] = set()
    todo = list({t.object.value for t in triples if isinstance(t.object, ox.NamedNode)})
    while todo:
        iri = todo.pop()
        if iri in seen or iri not in by_subject:
            continue
        seen.add(iri)
        for t in by_subject[iri]:
            out.append(t)
            if isinstance(t.object, ox.NamedNode):
                todo.append(t.object.value)
    return out


def process_report(ctx: BuildContext, path: str) -> ReportResult:
    """Read, extract, map, validate and serialise one report; failures become data."""
    res = ReportResult(path)
    timings = res.timings
    try:
        t0 = time.perf_counter()
        record = read_report(path, country=ctx.opts.country, year=ctx.opts.year, office=ctx.opts.office,
                             strict=ctx.opts.strict)
        t1 = time.perf_counter()
        facts = [extract_section(record, s, ctx.gazetteer) for s in record.sections]
        t2 = time.perf_counter()
        graph = map_report(record, facts, ctx.iris, ctx.ref)
        t3 = time.perf_counter()
        report = validate_triples(graph.triples + linked_reference(graph.triples, ctx.by_subject), ctx.opts.engine)
        t4 = time.perf_counter()
    except KGError as e:
        res.error = e
        return res
    timings.update(read=t1 - t0, extract=t2 - t1, map=t3 - t2, validate=t4 - t3)
    res.key, res.graph = record.key, graph.name.value
    res.warnings = [ReportFormatError(d.detail, source=path, line=d.line) for d in record.damage]
    res.warnings += [ReportFormatError(r.detail.replace(f" (line {sec.line})", ""), source=path, line=sec.line)
                     for sec in record.sections for r in sec.repairs if r.kind in WARNING_KINDS]
    if not report.conforms:
        res.error = ValidationFailed(f"the graph built from this report violates the shapes\n{report.text()}",
                                     report, source=path)
        return res
    # what the report says about shared nodes goes to the shared graph (kg/build/merge.py), the rest is its own
    described = set(descriptions(graph.shared, ctx.iris))
    own = NamedGraph(graph.name, [t for t in graph.triples if t not in described], graph.shared)
    partner, place = str(RKG.partner), str(RKG.place)
    for t in graph.triples:
        p = t.predicate.value
        if p == _RDF_TYPE:
            res.types[t.object.value] += 1
        elif p == partner:
            res.partners.add(t.object.value)
        elif p == place:
            res.places.add(t.object.value)
    res.triples = len(own.triples)
    outcome_type, identifier = str(RKG.Outcome), N.dcterms.identifier.value
    outcomes = {t.subject.value for t in graph.triples
                if t.predicate.value == _RDF_TYPE and t.object.value == outcome_type}
    res.outcomes = [(t.object.value, t.subject.value) for t in graph.triples
                    if t.predicate.value == identifier and t.subject.value in outcomes]
    totals = people_reached(record, facts, ctx.gazetteer,
                            outcome_of=lambda s: str(ctx.iris.outcome(s.identifier, strip_alignment(s.statement))))
    area = record.country.alpha2 if record.country is not None else record.office.code  # type: ignore[union-attr]
    notes = [(f.status.status, str(ctx.iris.note(record.key, s.identifier))) for s, f in zip(record.sections, facts)]
    t5 = time.perf_counter()
    if ctx.fmt is not None:
        res.chunk = serialize_graph(own, ctx.fmt)
    areas = {a: area_of(a, ctx.iris, ctx.gazetteer) for a in {area} | {tot.area for tot in totals}}
    res.contribution = Contribution(graph.name.value, ox.serialize(graph.shared, format=ox.RdfFormat.N_TRIPLES), area,
                                    record.year, totals, notes, areas).to_bytes()
    timings["serialize"] = time.perf_counter() - t5
    if ctx.opts.keep:
        res.built = BuiltReport(record, facts, own, report)
    return res


def jobs_for(setting: str | int | None, n_files: int) -> int:
    if setting in (None, "", "auto"):
        jobs = os.cpu_count() or 1
    else:
        try:
            jobs = int(setting)  # type: ignore[arg-type]
        except ValueError:
            raise UsageError(f"jobs must be a whole number or 'auto', not {setting!r}") from None
        if jobs < 1:
            raise UsageError("jobs must be at least 1")
    return 1 if n_files < _MIN_PARALLEL else min(jobs, n_files)


def report_results(ctx: BuildContext, files: list[Path], n_jobs: int) -> Iterator[ReportResult]:
    if n_jobs == 1:
        for f in files:
            yield process_report(ctx, str(f))
        return
    # spawn, not fork: the parent holds Rust thread pools and file handles a fork would copy badly
    mp = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(n_jobs, mp_context=mp, initializer=_init_worker, initargs=(ctx.opts,)) as pool:
        yield from pool.map(_work, [str(f) for f in files], chunksize=4)
