"""The IATI files of a build, read in the main process (each file is one stream).

Each activity becomes a graph of its own, or is skipped with its error; the
organisations activities name that the reference data lacks get one graph, written last.
"""
from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox

from kg.build.reports import BuildContext, linked_reference
from kg.build.result import BuildResult
from kg.build.sinks import Sink, serialize_graph
from kg.errors import KGError, ValidationFailed
from kg.rdf import NamedGraph
from kg.rdf.iati import IatiOrganisation, MappedActivity, map_activity, merge_organisations, organisations_graph
from kg.read.iati import Activity, ActivityProblem, IatiFile, IatiFormatError, read_activities
from kg.validate import validate_triples
from kg.vocab import N

_RDF_TYPE = N.rdf.type.value

# activities validated together: one SHACL run costs about the same for one activity as for
# dozens, and a failing batch is validated again one activity at a time to find the culprit
_IATI_BATCH = 64


class IatiBuild:
    """The IATI files of one build: each activity becomes a graph, or is skipped with its error."""

    def __init__(self, ctx: BuildContext, result: BuildResult, sink: Sink | None, errors: list[KGError],
                 outcomes: dict[str, list[str]], keep: bool) -> None:
        self.ctx, self.result, self.sink, self.errors, self.outcomes, self.keep = (
            ctx, result, sink, errors, outcomes, keep)
        self.orgs: dict[str, IatiOrganisation] = {}
        self.seen: dict[str, str] = {}  # activity identifier -> file:line of its first occurrence

    def file(self, path: Path) -> None:
        header: IatiFile | None = None
        batch: list[tuple[Activity, MappedActivity]] = []
        timings = self.result.timings
        try:
            t0 = time.perf_counter()
            for item in read_activities(path):
                t1 = time.perf_counter()
                timings["read"] += t1 - t0
                if isinstance(item, IatiFile):
                    header = item
                elif isinstance(item, ActivityProblem):
                    self.result.skipped.append(item.error)
                elif item.identifier in self.seen:
                    self.result.skipped.append(IatiFormatError(
                        f"activity {item.identifier}: a second activity with this identifier (the first is at "
                        f"{self.seen[item.identifier]}); left out", source=str(path), line=item.where.line))
                else:
                    assert header is not None
                    self.seen[item.identifier] = f"{path}:{item.where.line}"
                    self.result.warnings.extend(
                        IatiFormatError(f"activity {item.identifier}: {message}; left out of its graph",
                                        source=str(path), line=line) for line, message in item.problems)
                    batch.append((item, map_activity(item, header, self.ctx.iris, self.ctx.ref, self.outcomes)))
                    timings["map"] += time.perf_counter() - t1
                    if len(batch) >= _IATI_BATCH:
                        self._flush(batch)
                        batch = []
                t0 = time.perf_counter()
            self._flush(batch)
        except KGError as e:  # the file itself is broken: the build fails and writes nothing
            self.errors.append(e)

    def _validation_data(self, batch: list[tuple[Activity, MappedActivity]]) -> list[ox.Triple]:
        orgs: dict[str, IatiOrganisation] = {}
        triples: list[ox.Triple] = []
        for _, m in batch:
            merge_organisations(orgs, m.organisations)
            triples.extend(m.graph.triples)
        org_triples = organisations_graph(orgs, self.ctx.iris).triples if orgs else []
        return triples + org_triples + linked_reference(triples + org_triples, self.ctx.by_subject)

    def _flush(self, batch: list[tuple[Activity, MappedActivity]]) -> None:
        if not batch:
            return
        t0 = time.perf_counter()
        report = validate_triples(self._validation_data(batch), self.ctx.opts.engine)
        good = batch
        if not report.conforms:
            good = []
            for act, m in batch:
                one = validate_triples(self._validation_data([(act, m)]), self.ctx.opts.engine)
                if one.conforms:
                    good.append((act, m))
                else:
                    self.result.skipped.append(ValidationFailed(
                        f"activity {act.identifier}: its graph violates the shapes; left out\n{one.text()}", one,
                        source=act.source, line=act.where.line))
        self.result.timings["validate"] += time.perf_counter() - t0
        for _act, m in good:
            self._write(m)

    def _write(self, m: MappedActivity) -> None:
        result = self.result
        merge_organisations(self.orgs, m.organisations)
        for t in m.graph.triples:
            if t.predicate.value == _RDF_TYPE:
                result.counts[t.object.value] += 1
        result.triples += len(m.graph.triples)
        result.links += m.linked
        result.activity_graphs.append(m.graph.name.value)
        if self.keep:
            result.kept_graphs.append(m.graph)
        if self.sink is not None and not self.errors:
            t0 = time.perf_counter()
            chunk = serialize_graph(m.graph, self.sink.format)
            t1 = time.perf_counter()
            self.sink.write_graph(m.graph.name.value, chunk)
            result.timings["serialize"] += t1 - t0
            result.timings["write"] += time.perf_counter() - t1

    def organisations(self) -> NamedGraph | None:
        """The graph of the organisations activities named that the reference data lacks (written last)."""
        if not self.orgs:
            return None
        g = organisations_graph(self.orgs, self.ctx.iris)
        self.result.triples += len(g.triples)
        if self.keep:
            self.result.kept_graphs.append(g)
        if self.sink is not None and not self.errors:
            self.sink.write_graph(g.name.value, serialize_graph(g, self.sink.format))
        return g
