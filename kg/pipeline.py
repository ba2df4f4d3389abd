"""The build: read -> extract -> map to RDF -> validate, one report at a time.

Each report is validated on its own (with the reference nodes it links to), so
the cost grows linearly with the corpus and a broken report is named alone.
Nothing is written unless every report reads and validates.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from kg import resources
from kg.errors import InputError, KGError, ReportFormatError, UsageError, ValidationFailed
from kg.extract import Gazetteer, SectionFacts, extract_section, load_gazetteer
from kg.formats import Format, for_path
from kg.rdf import NamedGraph, ReferenceData, map_report, reference_graph
from kg.read import ReportRecord, read_report
from kg.uris import IRIs, ONTOLOGY
from kg.validate import ValidationReport, validate_triples
from kg.vocab import PREFIXES, RKG

STAGES = ("read", "extract", "map", "validate", "serialize")
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class BuiltReport:
    record: ReportRecord
    facts: list[SectionFacts]
    graph: NamedGraph
    validation: ValidationReport


@dataclass
class BuildResult:
    reports: list[BuiltReport]
    reference: NamedGraph
    ontology: NamedGraph
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    def graphs(self) -> list[NamedGraph]:
        """Every named graph of the build: ontology, reference data, one per report."""
        return [self.ontology, self.reference] + [r.graph for r in self.reports]

    def quads(self) -> list[ox.Quad]:
        out: list[ox.Quad] = []
        for g in self.graphs():
            out.extend(g.quads())
        return out

    def triple_count(self) -> int:
        return sum(len(g.triples) for g in self.graphs())

    def summary(self) -> dict[str, int]:
        types: Counter[str] = Counter()
        partners: set[str] = set()
        places: set[str] = set()
        for r in self.reports:
            for q in r.graph.triples:
                p = q.predicate.value
                if p == _RDF_TYPE:
                    types[q.object.value] += 1
                elif p == str(RKG.partner):
                    partners.add(q.object.value)
                elif p == str(RKG.place):
                    places.add(q.object.value)
        return {
            "reports": types[str(RKG.Report)],
            "outcomes": types[str(RKG.Outcome)],
            "progress notes": types[str(RKG.ProgressNote)],
            "partners": len(partners),
            "places": len(places),
            "figures": types[str(RKG.Figure)],
            "findings": types[str(RKG.QualityFinding)],
            "triples": self.triple_count(),
        }


def collect_inputs(inputs: list[str | Path]) -> list[Path]:
    """Report files named, and the .txt files of folders named (sorted, so builds are repeatable)."""
    files: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            files.extend(sorted(x for x in p.rglob("*.txt") if x.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise UsageError(f"no such file or folder: {p}")
    if not files:
        raise UsageError("no reports to build (expected .txt files)")
    return files


def ontology_graph() -> NamedGraph:
    with resources.ontology_file().open("rb") as f:
        return NamedGraph(ox.NamedNode(ONTOLOGY), [q.triple for q in ox.parse(f, format=ox.RdfFormat.TURTLE)])


def _closure(reference: list[ox.Triple]) -> dict[str, list[ox.Triple]]:
    by_subject: dict[str, list[ox.Triple]] = {}
    for q in reference:
        by_subject.setdefault(q.subject.value, []).append(q)
    return by_subject


def _linked_reference(triples: list[ox.Triple], by_subject: dict[str, list[ox.Triple]]) -> list[ox.Triple]:
    """The reference triples a report graph links to (and what those link to: places within places)."""
    out: list[ox.Triple] = []
    seen: set[str] = set()
    todo = list({q.object.value for q in triples if isinstance(q.object, ox.NamedNode)})
    while todo:
        iri = todo.pop()
        if iri in seen or iri not in by_subject:
            continue
        seen.add(iri)
        for q in by_subject[iri]:
            out.append(q)
            if isinstance(q.object, ox.NamedNode):
                todo.append(q.object.value)
    return out


def build(
    inputs: list[str | Path],
    *,
    iris: IRIs | None = None,
    gazetteer: Gazetteer | None = None,
    engine: str = "shacl",
    country: str | None = None,
    year: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> BuildResult:
    """Build and validate every report; raise before anything is written if one fails."""
    iris = iris or IRIs()
    gazetteer = gazetteer or load_gazetteer()
    files = collect_inputs(inputs)
    ref = ReferenceData(gazetteer)
    timings = dict.fromkeys(STAGES, 0.0)
    reference = reference_graph(gazetteer, iris)
    by_subject = _closure(reference.triples)
    errors: list[KGError] = []
    built: list[BuiltReport] = []
    keys: dict[str, Path] = {}
    for i, path in enumerate(files, start=1):
        if progress:
            progress(i, len(files), str(path))
        try:
            t0 = time.perf_counter()
            record = read_report(path, country=country, year=year)
            t1 = time.perf_counter()
            if record.key in keys:
                raise ReportFormatError(f"a second report for {record.key} (the first is {keys[record.key]})",
                                        source=str(path))
            keys[record.key] = path
            facts = [extract_section(record, s, gazetteer) for s in record.sections]
            t2 = time.perf_counter()
            graph = map_report(record, facts, iris, ref)
            t3 = time.perf_counter()
            report = validate_triples(graph.triples + _linked_reference(graph.triples, by_subject), engine)
            t4 = time.perf_counter()
        except KGError as e:
            errors.append(e)
            continue
        timings["read"] += t1 - t0
        timings["extract"] += t2 - t1
        timings["map"] += t3 - t2
        timings["validate"] += t4 - t3
        if not report.conforms:
            errors.append(ValidationFailed(f"the graph built from this report violates the shapes\n{report.text()}",
                                           report, source=str(path)))
            continue
        built.append(BuiltReport(record, facts, graph, report))
    t0 = time.perf_counter()
    ref_report = validate_triples(reference.triples, engine)
    timings["validate"] += time.perf_counter() - t0
    if not ref_report.conforms:
        errors.append(ValidationFailed(f"the reference data violates the shapes\n{ref_report.text()}", ref_report,
                                       source=str(resources.data_dir())))
    if errors:
        raise BuildErrors(errors)
    return BuildResult(built, reference, ontology_graph(), timings)


class BuildErrors(InputError):
    """Every report that failed, so one run shows all of them."""

    def __init__(self, errors: list[KGError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
        self.exit_code = max(e.exit_code for e in errors)

    def __str__(self) -> str:
        return self.message


def _union(result: BuildResult) -> list[ox.Triple]:
    """All triples, each once, grouped by subject so Turtle reads one resource at a time."""
    seen: dict[ox.Triple, None] = {}
    for g in result.graphs():
        seen.update(dict.fromkeys(g.triples))
    return sorted(seen, key=lambda t: str(t.subject)) if len(seen) < 2_000_000 else list(seen)


def serialize(result: BuildResult, fmt: Format) -> bytes:
    prefixes = {k: v for k, v in PREFIXES.items() if k != "sh"}
    prefixes["rdf"] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    if fmt.name == "jsonld":
        return _jsonld(_union(result))
    if fmt.name == "nquads":
        return ox.serialize(result.quads(), format=fmt.oxigraph)
    if fmt.name == "trig":
        quads = []
        for g in result.graphs():
            quads.extend(NamedGraph(g.name, sorted(g.triples, key=lambda t: str(t.subject))).quads())
        return ox.serialize(quads, format=fmt.oxigraph, prefixes=prefixes)
    if fmt.name == "ntriples":
        return ox.serialize(_unique(result), format=fmt.oxigraph)
    return ox.serialize(_union(result), format=fmt.oxigraph, prefixes=prefixes)


def _unique(result: BuildResult) -> list[ox.Triple]:
    seen: dict[ox.Triple, None] = {}
    for g in result.graphs():
        seen.update(dict.fromkeys(g.triples))
    return list(seen)


def _jsonld(triples: list[ox.Triple]) -> bytes:
    """JSON-LD compacted with our published context (ontology/context.jsonld)."""
    import rdflib

    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    g = rdflib.Graph()
    g.parse(data=nt.decode("utf-8"), format="nt")
    context = json.loads(resources.context_file().read_text(encoding="utf-8"))["@context"]
    return g.serialize(format="json-ld", context=context, auto_compact=True).encode("utf-8")


def write_output(result: BuildResult, output: Path) -> Format:
    """Write atomically: a temporary file renamed over the target, so a failure leaves the old file."""
    fmt = for_path(output)
    t0 = time.perf_counter()
    data = serialize(result, fmt)
    if output.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".kg-", dir=str(output.parent))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    result.timings["serialize"] += time.perf_counter() - t0
    return fmt
