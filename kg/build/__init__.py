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
from kg.build.reports import BuildContext, Options, ReportResult, jobs_for, process_report, report_results
from kg.build.result import STAGES, BuildResult, BuiltReport
from kg.build.sinks import FileSink, MemorySink, Sink, serialize_graph
from kg.errors import BuildErrors, KGError, ReportFormatError, UsageError, ValidationFailed
from kg.formats import Format
from kg.gazetteer import Gazetteer
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
    keep: bool = True,
    jobs: str | int | None = 1,
    progress: Callable[[int, int, str], None] | None = None,
) -> BuildResult:
    """Build and validate every report into ``sink``; raise (and abort the sink) if one fails.

    ``keep`` holds every report's records and graph in the result (tests, small corpora);
    builds of large corpora stream to the sink with ``keep=False``.
    """
    iris = iris or IRIs()
    files = collect_inputs(inputs)
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
    shared: list[bytes] = []
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
            shared.append(res.shared_nt)
            if res.built is not None:
                result.reports.append(res.built)
            for identifier, iri in res.outcomes:
                outcomes.setdefault(identifier, []).append(iri)
            if sink is not None and not errors:
                t0 = time.perf_counter()
                sink.write_graph(res.graph, res.chunk)  # type: ignore[arg-type]
                result.timings["write"] += time.perf_counter() - t0
        if iati_files:
            iati = IatiBuild(ctx, result, sink, errors, outcomes, keep)
            for i, path in enumerate(iati_files, start=len(files) + 1):
                iati.file(path)
                if progress:
                    progress(i, total, str(path))
            org_graph = iati.organisations()
            if org_graph is not None:
                shared.append(ox.serialize(org_graph.triples, format=ox.RdfFormat.N_TRIPLES))
                keys[org_graph.name.value] = str(iati_files[0].parent)
        t0 = time.perf_counter()
        errors.extend(_check_shared(ctx, result, shared, keys))
        result.timings["validate"] += time.perf_counter() - t0
        result.triples += len(result.reference.triples) + len(result.ontology.triples)
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


def _check_shared(ctx: BuildContext, result: BuildResult, shared: list[bytes], keys: dict[str, str]) -> list[KGError]:
    """Validate, across reports, the nodes several reports describe (and the reference data)."""
    data = ox.serialize(ctx.reference.triples, format=ox.RdfFormat.N_TRIPLES) + b"".join(shared)
    report = validate_ntriples(data.decode("utf-8"), ctx.opts.engine)
    if report.conforms:
        return []
    lines = []
    for r in report.results:
        node = r.focus.strip("<>").encode("utf-8")
        where = [p for (k, p), chunk in zip(keys.items(), shared) if node in chunk]
        lines.append(r.describe() + ("\n  described by: " + ", ".join(where) if where else ""))
    return [ValidationFailed("reports describe shared nodes (outcomes, places, organisations, Strategic Plan "
                             "concepts) in ways that contradict each other, or the reference data is invalid:\n"
                             + "\n".join(lines), report, source=str(resources.data_dir()))]


def serialize(result: BuildResult, fmt: Format) -> bytes:
    """A kept build's graphs as one document (tests and small graphs)."""
    sink = MemorySink(fmt)
    for g in result.graphs():
        sink.write_graph(g.name.value, serialize_graph(g, fmt))
    return sink.getvalue()
