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

import gzip
import io
import json
import multiprocessing
import os
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterator, Protocol

import pyoxigraph as ox

from kg import resources
from kg.errors import BuildErrors, KGError, OutputError, ReportFormatError, UsageError, ValidationFailed
from kg.extract import Gazetteer, SectionFacts, extract_section, load_gazetteer
from kg.formats import BY_NAME, Format, for_path
from kg.rdf import NamedGraph, ReferenceData, map_report, reference_graph
from kg.read import ReportRecord, read_report
from kg.read.iati import Activity, ActivityProblem, IatiFile, IatiFormatError, read_activities
from kg.rdf.iati import IatiOrganisation, MappedActivity, map_activity, merge_organisations, organisations_graph
from kg.uris import IRIs, ONTOLOGY
from kg.validate import ValidationReport, validate_ntriples, validate_triples
from rdflib.namespace import DCTERMS, RDF

from kg.vocab import OUTPUT_PREFIXES, RKG

STAGES = ("read", "extract", "map", "validate", "serialize", "write")
_RDF_TYPE = str(RDF.type)
_PREFIXES = OUTPUT_PREFIXES
# below this many reports, worker processes cost more to start than they save
_MIN_PARALLEL = 8


# ---- records of a build --------------------------------------------------------------


@dataclass
class BuiltReport:
    """One report's records, facts and graph (kept only when the caller asks for them)."""

    record: ReportRecord
    facts: list[SectionFacts]
    graph: NamedGraph
    validation: ValidationReport


@dataclass
class ReportResult:
    """What processing one report file yields; crosses process boundaries, so plain data."""

    path: str
    key: str | None = None
    graph: str | None = None
    error: KGError | None = None
    chunk: bytes = b""
    shared_nt: bytes = b""
    triples: int = 0
    types: Counter = field(default_factory=Counter)
    partners: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    outcomes: list[tuple[str, str]] = field(default_factory=list)  # (IATI result identifier, outcome IRI)
    timings: dict[str, float] = field(default_factory=dict)
    built: BuiltReport | None = None


@dataclass
class BuildResult:
    reference: NamedGraph
    ontology: NamedGraph
    reports: list[BuiltReport] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    counts: Counter = field(default_factory=Counter)
    partners: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    triples: int = 0
    report_graphs: list[str] = field(default_factory=list)
    # IATI activities left out, each with what is wrong with it (the rest of their file is built)
    skipped: list[KGError] = field(default_factory=list)
    # what was read but left out of an activity that was built (a malformed activity-date)
    warnings: list[KGError] = field(default_factory=list)
    activity_graphs: list[str] = field(default_factory=list)
    links: int = 0  # IATI results linked to report outcomes

    kept_graphs: list[NamedGraph] = field(default_factory=list)  # activity and organisation graphs (keep=True)

    def graphs(self) -> list[NamedGraph]:
        """Every named graph of the build (needs ``keep=True`` for the report and activity graphs)."""
        return [self.ontology, self.reference] + [r.graph for r in self.reports] + self.kept_graphs

    def quads(self) -> list[ox.Quad]:
        out: list[ox.Quad] = []
        for g in self.graphs():
            out.extend(g.quads())
        return out

    def summary(self) -> dict[str, int]:
        return {
            "reports": self.counts[str(RKG.Report)],
            "outcomes": self.counts[str(RKG.Outcome)],
            "progress notes": self.counts[str(RKG.ProgressNote)],
            "partners": len(self.partners),
            "places": len(self.places),
            "figures": self.counts[str(RKG.Figure)],
            "findings": self.counts[str(RKG.QualityFinding)],
            **({"activities": self.counts[str(RKG.Activity)], "IATI results": self.counts[str(RKG.IatiResult)],
                "indicators": self.counts[str(RKG.Indicator)], "indicator values": self.counts[str(RKG.IndicatorValue)],
                "linked outcomes": self.links, "skipped": len(self.skipped)}
               if self.activity_graphs or self.skipped else {}),
            "triples": self.triples,
        }


# ---- inputs ----------------------------------------------------------------------------


INPUT_SUFFIXES = (".txt", ".xml")


def collect_inputs(inputs: list[str | Path]) -> list[Path]:
    """Files named, and the reports (.txt) and IATI files (.xml) of folders named (sorted, so builds repeat).

    An unreadable folder is an error, not a silent gap in the corpus.
    """
    files: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            def fail(e: OSError) -> None:
                raise UsageError(f"cannot read folder: {e.strerror}", source=e.filename or str(p))
            found = []
            for root, dirs, names in os.walk(p, onerror=fail):
                dirs.sort()
                found.extend(Path(root) / n for n in names if n.endswith(INPUT_SUFFIXES))
            files.extend(sorted(found))
        elif p.is_file():
            files.append(p)
        elif p.exists() or p.is_symlink():
            raise UsageError("not a file or folder", source=str(p))
        else:
            raise UsageError(f"no such file or folder: {p}")
    if not files:
        raise UsageError("no reports to build (expected .txt reports or .xml IATI activity files)")
    return files


def ontology_graph() -> NamedGraph:
    with resources.ontology_file().open("rb") as f:
        return NamedGraph(ox.NamedNode(ONTOLOGY), [q.triple for q in ox.parse(f, format=ox.RdfFormat.TURTLE)])


# ---- serialising one graph ------------------------------------------------------------


def _by_subject(triples: list[ox.Triple]) -> list[ox.Triple]:
    return sorted(triples, key=lambda t: t.subject.value)


def serialize_graph(g: NamedGraph, fmt: Format) -> bytes:
    """One named graph in ``fmt``, as a chunk that concatenates with others into one valid file."""
    if fmt.name in ("ntriples", "rdfxml"):  # RDF/XML is assembled from N-Triples at the end
        return ox.serialize(g.triples, format=ox.RdfFormat.N_TRIPLES)
    if fmt.name == "nquads":
        return ox.serialize(g.quads(), format=ox.RdfFormat.N_QUADS)
    if fmt.name == "turtle":  # prefixes may be declared again before each chunk
        return ox.serialize(_by_subject(g.triples), format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES) + b"\n"
    if fmt.name == "trig":
        sorted_graph = NamedGraph(g.name, _by_subject(g.triples))
        return ox.serialize(sorted_graph.quads(), format=ox.RdfFormat.TRIG, prefixes=_PREFIXES) + b"\n"
    if fmt.name == "jsonld":
        return _jsonld_items(g.triples)
    raise UsageError(f"cannot write {fmt.label}")


def _context() -> dict:
    return json.loads(resources.context_file().read_text(encoding="utf-8"))["@context"]


def _jsonld_items(triples: list[ox.Triple]) -> bytes:
    """The node objects of a graph compacted with our published context, as JSON array items."""
    import rdflib

    g = rdflib.Graph()
    g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    doc = json.loads(g.serialize(format="json-ld", context=_context(), auto_compact=True))
    items = doc.get("@graph", [doc] if doc and set(doc) - {"@context"} else [])
    for it in items:
        it.pop("@context", None)
    return ",\n".join(json.dumps(it, ensure_ascii=False, sort_keys=True) for it in items).encode("utf-8")


# ---- sinks -------------------------------------------------------------------------------


class Sink(Protocol):
    """Where graphs go. Nothing is visible to readers until ``commit``."""

    format: Format

    def write_graph(self, name: str, chunk: bytes) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


class FileSink:
    """A file in the format its extension names, written to a temporary file and renamed."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.format = for_path(self.path)
        self._first = True
        self._nt: IO[bytes] | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.is_dir():
                raise OutputError("is a folder; name a file such as out/results-kg.trig", source=str(self.path))
            fd, self._tmp = tempfile.mkstemp(prefix=".kg-", suffix=".part", dir=str(self.path.parent))
        except OSError as e:
            raise OutputError(f"cannot write here: {e.strerror}", source=str(e.filename or self.path)) from None
        self._raw = os.fdopen(fd, "wb")
        self._out: IO[bytes] = gzip.GzipFile(fileobj=self._raw, mode="wb", mtime=0) if self.path.suffix == ".gz" else self._raw
        if self.format.name == "jsonld":
            self._write(b'{\n"@context": ' + json.dumps(_context(), indent=1).encode("utf-8") + b',\n"@graph": [\n')
        if self.format.name == "rdfxml":
            self._nt = tempfile.TemporaryFile()

    def _write(self, data: bytes) -> None:
        try:
            self._out.write(data)
        except OSError as e:
            self.abort()
            raise OutputError(f"cannot write: {e.strerror}", source=str(self.path)) from None

    def write_graph(self, name: str, chunk: bytes) -> None:
        if not chunk:
            return
        if self._nt is not None:
            self._nt.write(chunk)
            return
        if self.format.name == "jsonld" and not self._first:
            self._write(b",\n")
        self._first = False
        self._write(chunk)

    def commit(self) -> None:
        if self._nt is not None:  # RDF/XML cannot be streamed in pieces: convert at the end
            self._nt.seek(0)
            triples = list(dict.fromkeys(ox.parse(self._nt, format=ox.RdfFormat.N_TRIPLES)))
            self._nt.close()
            self._write(ox.serialize(_by_subject(triples), format=ox.RdfFormat.RDF_XML, prefixes=_PREFIXES))
        if self.format.name == "jsonld":
            self._write(b"\n]\n}\n")
        try:
            if self._out is not self._raw:
                self._out.close()
            self._raw.flush()
            os.fsync(self._raw.fileno())
            self._raw.close()
            os.replace(self._tmp, self.path)
        except OSError as e:
            self.abort()
            raise OutputError(f"cannot write: {e.strerror}", source=str(self.path)) from None

    def abort(self) -> None:
        for f in (self._out, self._raw):
            try:
                f.close()
            except OSError:
                pass
        Path(self._tmp).unlink(missing_ok=True)


class MemorySink:
    """The whole output as bytes (tests, the web app's downloads of small graphs)."""

    def __init__(self, fmt: Format) -> None:
        self.format = fmt
        self.parts: list[bytes] = []

    def write_graph(self, name: str, chunk: bytes) -> None:
        if chunk:
            self.parts.append(chunk)

    def commit(self) -> None:
        pass

    def abort(self) -> None:
        self.parts.clear()

    def getvalue(self) -> bytes:
        if self.format.name == "jsonld":
            return (b'{\n"@context": ' + json.dumps(_context()).encode("utf-8") + b',\n"@graph": [\n'
                    + b",\n".join(self.parts) + b"\n]\n}\n")
        if self.format.name == "rdfxml":
            triples = list(dict.fromkeys(ox.parse(io.BytesIO(b"".join(self.parts)), format=ox.RdfFormat.N_TRIPLES)))
            return ox.serialize(_by_subject(triples), format=ox.RdfFormat.RDF_XML, prefixes=_PREFIXES)
        return b"".join(self.parts)


# ---- one report (runs in a worker process when the build is parallel) ---------------------


@dataclass(frozen=True)
class Options:
    base_iri: str
    engine: str
    country: str | None
    year: int | None
    chunk_format: str | None  # a formats.BY_NAME key, or None for no chunk
    keep: bool


class _Context:
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


_WORKER: _Context | None = None


def _init_worker(opts: Options) -> None:
    global _WORKER
    _WORKER = _Context(opts)


def _work(path: str) -> ReportResult:
    assert _WORKER is not None
    return process_report(_WORKER, path)


def _linked_reference(triples: list[ox.Triple], by_subject: dict[str, list[ox.Triple]]) -> list[ox.Triple]:
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


def process_report(ctx: _Context, path: str) -> ReportResult:
    """Read, extract, map, validate and serialise one report; failures become data."""
    res = ReportResult(path)
    timings = res.timings
    try:
        t0 = time.perf_counter()
        record = read_report(path, country=ctx.opts.country, year=ctx.opts.year)
        t1 = time.perf_counter()
        facts = [extract_section(record, s, ctx.gazetteer) for s in record.sections]
        t2 = time.perf_counter()
        graph = map_report(record, facts, ctx.iris, ctx.ref)
        t3 = time.perf_counter()
        report = validate_triples(graph.triples + _linked_reference(graph.triples, ctx.by_subject), ctx.opts.engine)
        t4 = time.perf_counter()
    except KGError as e:
        res.error = e
        return res
    timings.update(read=t1 - t0, extract=t2 - t1, map=t3 - t2, validate=t4 - t3)
    res.key, res.graph = record.key, graph.name.value
    if not report.conforms:
        res.error = ValidationFailed(f"the graph built from this report violates the shapes\n{report.text()}",
                                     report, source=path)
        return res
    partner, place = str(RKG.partner), str(RKG.place)
    for t in graph.triples:
        p = t.predicate.value
        if p == _RDF_TYPE:
            res.types[t.object.value] += 1
        elif p == partner:
            res.partners.add(t.object.value)
        elif p == place:
            res.places.add(t.object.value)
    res.triples = len(graph.triples)
    outcome_type, identifier = str(RKG.Outcome), str(DCTERMS.identifier)
    outcomes = {t.subject.value for t in graph.triples if t.predicate.value == _RDF_TYPE and t.object.value == outcome_type}
    res.outcomes = [(t.object.value, t.subject.value) for t in graph.triples
                    if t.predicate.value == identifier and t.subject.value in outcomes]
    t5 = time.perf_counter()
    if ctx.fmt is not None:
        res.chunk = serialize_graph(graph, ctx.fmt)
    res.shared_nt = ox.serialize(graph.shared, format=ox.RdfFormat.N_TRIPLES)
    timings["serialize"] = time.perf_counter() - t5
    if ctx.opts.keep:
        res.built = BuiltReport(record, facts, graph, report)
    return res


# ---- the build ---------------------------------------------------------------------------


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


def build(
    inputs: list[str | Path],
    *,
    iris: IRIs | None = None,
    gazetteer: Gazetteer | None = None,
    engine: str = "shacl",
    country: str | None = None,
    year: int | None = None,
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
    opts = Options(iris.base, engine, country, year, sink.format.name if sink else None, keep)
    ctx = _Context(opts, gazetteer)
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
        for i, res in enumerate(_results(ctx, files, n_jobs), start=1):
            if progress:
                progress(i, total, res.path)
            if res.error is None and res.key in keys:
                res.error = ReportFormatError(f"a second report for {res.key} (the first is {keys[res.key]})",
                                              source=res.path)
            if res.error is not None:
                errors.append(res.error)
                continue
            keys[res.key] = res.path  # type: ignore[index]
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
            iati = _IatiBuild(ctx, result, sink, errors, outcomes, keep)
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


# ---- IATI activity files (read in the main process: each file is one stream) ------------------

# activities validated together: one SHACL run costs about the same for one activity as for
# dozens, and a failing batch is validated again one activity at a time to find the culprit
_IATI_BATCH = 64


class _IatiBuild:
    """The IATI files of one build: each activity becomes a graph, or is skipped with its error."""

    def __init__(self, ctx: _Context, result: BuildResult, sink: Sink | None, errors: list[KGError],
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
        return triples + org_triples + _linked_reference(triples + org_triples, self.ctx.by_subject)

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
        for act, m in good:
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


def _results(ctx: _Context, files: list[Path], n_jobs: int) -> Iterator[ReportResult]:
    if n_jobs == 1:
        for f in files:
            yield process_report(ctx, str(f))
        return
    # spawn, not fork: the parent holds Rust thread pools and file handles a fork would copy badly
    mp = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(n_jobs, mp_context=mp, initializer=_init_worker, initargs=(ctx.opts,)) as pool:
        yield from pool.map(_work, [str(f) for f in files], chunksize=4)


def _check_shared(ctx: _Context, result: BuildResult, shared: list[bytes], keys: dict[str, str]) -> list[KGError]:
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
