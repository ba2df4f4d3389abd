"""The build: read -> extract -> map to RDF -> validate -> write, one report at a time.

Each report is validated on its own (with the reference nodes it links to) and
written to the sink as soon as it is done, so time and memory grow linearly with
the corpus; with several cores, reports are processed in parallel worker
processes and written in input order. Nodes that several reports describe
(outcomes, places, organisations, Strategic Plan concepts) are validated once
more across reports at the end. Sinks write to a temporary file (or store
version) that only replaces the published one when every report succeeded.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg import resources
from kg.build.iati import IatiBuild
from kg.build.inputs import INPUT_SUFFIXES, collect_inputs, ontology_graph
from kg.build.merge import STATISTICS_GRAPH, Contribution, shared_graph
from kg.build.reports import BuildContext, Options, ReportResult, jobs_for, process_report, report_results
from kg.build.result import STAGES, BuildResult, BuiltReport
from kg.build.sinks import FileSink, MemorySink, Sink, serialize_graph
from kg.errors import BuildErrors, KGError, ReportFormatError, UsageError, ValidationFailed
from kg.formats import Format
from kg.gazetteer import Gazetteer
from kg.rdf.cube import statistics_graph
from kg.uris import IRIs
from kg.validate import validate_ntriples

__all__ = ["INPUT_SUFFIXES", "STAGES", "BuildContext", "BuildResult", "BuiltReport", "FileSink", "MemorySink",
           "Options", "ReportResult", "Sink", "build", "collect_inputs", "jobs_for", "ontology_graph",
           "process_report", "serialize", "serialize_graph"]


def build(
    inputs: list[str | Path],
    *,
    iris: IRIs | None = None,
    gazetteer: Gazetteer | None = None,
    engine: str = "shacl",
    country: str | None = None,
    year: int | None = None,
    office: str | None = None,
    strict: bool = False,
    sink: Sink | None = None,
    remove: list[str] | None = None,
    keep: bool = True,
    jobs: str | int | None = 1,
    progress: Callable[[int, int, str], None] | None = None,
) -> BuildResult:
    """Build and validate every report into ``sink``; raise (and abort the sink) if one fails.

    ``keep`` holds every report's records and graph in the result (tests, small corpora);
    builds of large corpora stream to the sink with ``keep=False``. ``remove`` names reports (by key)
    to take out of the store the sink writes to.
    """
    iris = iris or IRIs()
    files = collect_inputs(inputs) if inputs or not remove else []
    iati_files = [f for f in files if f.suffix.lower() == ".xml"]
    files = [f for f in files if f.suffix.lower() != ".xml"]
    n_jobs = jobs_for(jobs, len(files))
    if keep and n_jobs > 1:
        raise UsageError("keep=True needs an in-process build (jobs=1)")
    opts = Options(iris.base, engine, country, year, sink.format.name if sink else None, keep, office, strict)
    ctx = BuildContext(opts, gazetteer)
    result = BuildResult(ctx.reference, ontology_graph())
    errors: list[KGError] = []
    keys: dict[str, str] = {}
    contributions: list[Contribution] = []
    shared: list[tuple[str, bytes]] = []  # other shared parts to check across reports (IATI organisations)
    try:
        if sink is not None:
            for g in (result.ontology, result.reference):
                sink.write_graph(g.name.value, serialize_graph(g, sink.format))
        total = len(files) + len(iati_files)
        outcomes: dict[str, list[str]] = {}
        for i, res in enumerate(report_results(ctx, files, n_jobs), start=1):
            if progress:
                progress(i, total, res.path)
            if res.error is None and res.key in keys:
                res.error = ReportFormatError(f"a second report for {res.key} (the first is {keys[res.key]})",
                                              source=res.path)
            if res.error is not None:
                errors.append(res.error)
                continue
            keys[res.key] = res.path  # type: ignore[index]
            result.warnings.extend(res.warnings)
            for stage, seconds in res.timings.items():
                result.timings[stage] += seconds
            result.counts.update(res.types)
            result.partners |= res.partners
            result.places |= res.places
            result.triples += res.triples
            result.report_graphs.append(res.graph)  # type: ignore[arg-type]
            contributions.append(Contribution.from_bytes(res.contribution))
            if res.built is not None:
                result.reports.append(res.built)
            for identifier, iri in res.outcomes:
                outcomes.setdefault(identifier, []).append(iri)
            if sink is not None and not errors:
                t0 = time.perf_counter()
                sink.write_graph(res.graph, res.chunk)  # type: ignore[arg-type]
                sink.write_contribution(res.graph, res.contribution)  # type: ignore[arg-type]
                result.timings["write"] += time.perf_counter() - t0
        if iati_files:
            iati = IatiBuild(ctx, result, sink, errors, outcomes, keep)
            for i, path in enumerate(iati_files, start=len(files) + 1):
                iati.file(path)
                if progress:
                    progress(i, total, str(path))
            org_graph = iati.organisations()
            if org_graph is not None:
                orgs = ox.serialize(org_graph.triples, format=ox.RdfFormat.N_TRIPLES)
                shared.append((str(iati_files[0].parent), orgs))
        if sink is not None:  # the reports of the published version this build leaves as they are
            kept = [Contribution.from_bytes(b) for b in sink.contributions(exclude=set(result.report_graphs))]
            gone = {str(iris.report_graph(k)) for k in remove or []}
            missing = gone - {c.graph for c in kept}
            if missing:
                raise UsageError(f"cannot remove what the store does not hold: {', '.join(sorted(missing))}")
            for name in sorted(gone):
                sink.remove_graph(name)  # type: ignore[attr-defined]
            contributions += [c for c in kept if c.graph not in gone]
        elif remove:
            raise UsageError("removing reports needs a store")
        where = {g: p for p, g in zip(keys.values(), result.report_graphs)}
        t0 = time.perf_counter()
        errors.extend(_check_shared(ctx, [(where.get(c.graph, c.graph), c.shared) for c in contributions] + shared))
        result.shared = shared_graph(contributions, ctx.iris, result.reference, result.ontology)
        result.statistics = statistics_graph(
            ctx.iris, {k: v for c in contributions for k, v in c.areas.items()},
            [tot for c in contributions for tot in c.totals],
            [(c.area, c.year, status, note) for c in contributions for status, note in c.notes], STATISTICS_GRAPH)
        errors.extend(_check_statistics(ctx, result))
        result.timings["validate"] += time.perf_counter() - t0
        result.triples += len(result.reference.triples) + len(result.ontology.triples)
        result.triples += len(result.shared.triples) + len(result.statistics.triples)
        if sink is not None and not errors:
            for g in (result.shared, result.statistics):
                sink.write_graph(g.name.value, serialize_graph(g, sink.format))
        if errors:
            raise BuildErrors(errors)
        if sink is not None:
            t0 = time.perf_counter()
            sink.commit()
            result.timings["write"] += time.perf_counter() - t0
    except BaseException:
        if sink is not None:
            sink.abort()
        raise
    return result


def _check_shared(ctx: BuildContext, shared: list[tuple[str, bytes]]) -> list[KGError]:
    """Validate, across reports, the nodes several reports describe (and the reference data); ``shared``
    holds (where it comes from, N-Triples)."""
    data = ox.serialize(ctx.reference.triples, format=ox.RdfFormat.N_TRIPLES) + b"".join(c for _, c in shared)
    report = validate_ntriples(data.decode("utf-8"), ctx.opts.engine)
    if report.conforms:
        return []
    lines = []
    for r in report.results:
        node = r.focus.strip("<>").encode("utf-8")
        where = [p for p, chunk in shared if node in chunk]
        lines.append(r.describe() + ("\n  described by: " + ", ".join(where) if where else ""))
    return [ValidationFailed("reports describe shared nodes (outcomes, places, organisations, Strategic Plan "
                             "concepts) in ways that contradict each other, or the reference data is invalid:\n"
                             + "\n".join(lines), report, source=str(resources.data_dir()))]


def _check_statistics(ctx: BuildContext, result: BuildResult) -> list[KGError]:
    """The statistics against the shapes, with the nodes they name (areas, outcomes, figures' types)."""
    assert result.statistics is not None and result.shared is not None
    data = result.statistics.triples + result.shared.triples + result.reference.triples
    report = validate_ntriples(ox.serialize(data, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), ctx.opts.engine)
    if report.conforms:
        return []
    return [ValidationFailed("the statistics merged from the reports violate the shapes:\n" + report.text(), report,
                             source=str(resources.data_dir()))]


def serialize(result: BuildResult, fmt: Format) -> bytes:
    """A kept build's graphs as one document (tests and small graphs)."""
    sink = MemorySink(fmt)
    for g in result.graphs():
        sink.write_graph(g.name.value, serialize_graph(g, fmt))
    return sink.getvalue()
