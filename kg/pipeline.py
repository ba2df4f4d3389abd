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
from kg.rdf import ReferenceData, map_report, reference_quads
from kg.read import ReportRecord, read_report
from kg.uris import IRIs, ONTOLOGY
from kg.validate import ValidationReport, validate_quads
from kg.vocab import PREFIXES, RKG

STAGES = ("read", "extract", "map", "validate", "serialize")
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class BuiltReport:
    record: ReportRecord
    facts: list[SectionFacts]
    quads: list[ox.Quad]
    validation: ValidationReport


@dataclass
class BuildResult:
    reports: list[BuiltReport]
    reference: list[ox.Quad]
    ontology: list[ox.Quad]
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    def quads(self) -> list[ox.Quad]:
        out = list(self.ontology) + list(self.reference)
        for r in self.reports:
            out.extend(r.quads)
        return out

    def summary(self) -> dict[str, int]:
        types: Counter[str] = Counter()
        partners: set[str] = set()
        places: set[str] = set()
        for r in self.reports:
            for q in r.quads:
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
            "triples": len(self.quads()),
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


def ontology_quads() -> list[ox.Quad]:
    graph = ox.NamedNode(ONTOLOGY)
    with resources.ontology_file().open("rb") as f:
        return [ox.Quad(t.subject, t.predicate, t.object, graph)
                for t in ox.parse(f, format=ox.RdfFormat.TURTLE)]


def _closure(reference: list[ox.Quad]) -> dict[str, list[ox.Quad]]:
    by_subject: dict[str, list[ox.Quad]] = {}
    for q in reference:
        by_subject.setdefault(q.subject.value, []).append(q)
    return by_subject


def _linked_reference(quads: list[ox.Quad], by_subject: dict[str, list[ox.Quad]]) -> list[ox.Quad]:
    """The reference quads a report graph links to (and what those link to: places within places)."""
    out: list[ox.Quad] = []
    seen: set[str] = set()
    todo = [q.object.value for q in quads if isinstance(q.object, ox.NamedNode)]
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
    reference = reference_quads(gazetteer, iris)
    by_subject = _closure(reference)
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
            quads = map_report(record, facts, iris, ref)
            t3 = time.perf_counter()
            report = validate_quads(quads + _linked_reference(quads, by_subject), engine)
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
        built.append(BuiltReport(record, facts, quads, report))
    t0 = time.perf_counter()
    ref_report = validate_quads(reference, engine)
    timings["validate"] += time.perf_counter() - t0
    if not ref_report.conforms:
        errors.append(ValidationFailed(f"the reference data violates the shapes\n{ref_report.text()}", ref_report,
                                       source=str(resources.data_dir())))
    if errors:
        raise BuildErrors(errors)
    return BuildResult(built, reference, ontology_quads(), timings)


class BuildErrors(InputError):
    """Every report that failed, so one run shows all of them."""

    def __init__(self, errors: list[KGError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
        self.exit_code = max(e.exit_code for e in errors)

    def __str__(self) -> str:
        return self.message


def _sorted_quads(quads: list[ox.Quad]) -> list[ox.Quad]:
    """Group by graph and subject so Turtle/TriG output reads one resource at a time."""
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject)))


def serialize(result: BuildResult, fmt: Format) -> bytes:
    quads = _sorted_quads(result.quads())
    prefixes = {k: v for k, v in PREFIXES.items() if k != "sh"}
    prefixes["rdf"] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    if fmt.name == "jsonld":
        return _jsonld(quads)
    if fmt.datasets:
        return ox.serialize(quads, format=fmt.oxigraph, prefixes=prefixes if fmt.name == "trig" else None)
    triples = list(dict.fromkeys(q.triple for q in quads))
    kw = {"prefixes": prefixes} if fmt.name in ("turtle", "rdfxml") else {}
    return ox.serialize(triples, format=fmt.oxigraph, **kw)


def _jsonld(quads: list[ox.Quad]) -> bytes:
    """JSON-LD compacted with our published context (ontology/context.jsonld)."""
    import rdflib

    nt = ox.serialize(list(dict.fromkeys(q.triple for q in quads)), format=ox.RdfFormat.N_TRIPLES)
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
