"""SHACL validation against ``ontology/shapes.ttl``; results are data, the caller decides.

Two engines sit behind one interface: pySHACL, the reference named by the design,
and the Rust ``shacl`` package, about 40x faster, used on the build path only
because ``tests/test_validate.py`` proves it reports the same results on our shapes
(the seed, and graphs broken on purpose). ``KG_VALIDATOR`` picks one.
"""
from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDFS, SH

from kg import resources
from kg.errors import RDFSyntaxError, UsageError

ENGINES = ("shacl", "pyshacl")


@dataclass(frozen=True)
class ValidationResult:
    focus: str
    path: str | None
    value: str | None
    severity: str  # Violation | Warning | Info
    message: str
    shape: str  # the label of the node shape the constraint belongs to
    component: str  # e.g. MinCountConstraintComponent

    def key(self) -> tuple[str, str | None, str | None, str]:
        """What two engines must agree on."""
        return (self.focus, self.path, self.value, self.component)

    def describe(self) -> str:
        parts = [f"{self.severity}: {self.message}", f"  focus: {self.focus}"]
        if self.path:
            parts.append(f"  path:  {self.path}")
        if self.value:
            parts.append(f"  value: {self.value}")
        parts.append(f"  shape: {self.shape} ({self.component})")
        return "\n".join(parts)


@dataclass
class ValidationReport:
    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    engine: str = ""
    triples: int = 0

    def text(self) -> str:
        if self.conforms:
            return f"conforms ({self.triples} triples, {self.engine})"
        head = f"{len(self.results)} SHACL result(s) ({self.engine}):"
        return "\n".join([head] + [r.describe() for r in self.results])


@lru_cache(maxsize=1)
def _shapes_text() -> str:
    return resources.shapes_file().read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _rust_shapes():  # shacl.Shapes
    import shacl

    return shacl.Shapes.from_turtle(_shapes_text())


@lru_cache(maxsize=1)
def _shapes_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data=_shapes_text(), format="turtle")
    return g


def _shape_label(shape: rdflib.term.Node) -> str:
    g = _shapes_graph()
    root = shape
    for parent in g.subjects(SH.property, shape):
        root = parent
        break
    label = g.value(root, RDFS.label)
    return str(label) if label else str(root)


def _component(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].strip("<>")


def _nt(term: rdflib.term.Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, rdflib.BNode):
        return "_:b"
    return term.n3()


def validate_ntriples(data: str, engine: str = "shacl") -> ValidationReport:
    """Validate N-Triples (or Turtle) text against our shapes."""
    triples = data.count("\n")
    if engine == "shacl":
        report = _rust_shapes().validate_text(data, format="turtle")
        results = []
        for r in report.results:
            results.append(ValidationResult(
                focus=r.focus_node, path=r.path or None, value=r.value or None,
                severity=_component(r.severity_iri).replace("sh:", ""),
                message=(r.message or "") or _component(r.component_iri),
                shape=_root_label(r.root_shape), component=_component(r.component_iri)))
        return ValidationReport(bool(report.conforms), _sorted(results), "shacl", triples)
    if engine == "pyshacl":
        import pyshacl

        g = rdflib.Graph()
        rdflib_log = logging.getLogger("rdflib.term")
        level = rdflib_log.level
        rdflib_log.setLevel(logging.CRITICAL)  # an ill-typed literal is the shapes' business, not a log trace
        try:
            g.parse(data=data, format="nt" if data.lstrip()[:1] in ("<", "_", "") else "turtle")
        finally:
            rdflib_log.setLevel(level)
        conforms, report_graph, _ = pyshacl.validate(g, shacl_graph=_shapes_graph(), advanced=False,
                                                     inference="none", allow_warnings=True)
        results = []
        for res in report_graph.subjects(rdflib.RDF.type, SH.ValidationResult):
            msg = report_graph.value(res, SH.resultMessage)
            shape = report_graph.value(res, SH.sourceShape)
            comp = report_graph.value(res, SH.sourceConstraintComponent)
            results.append(ValidationResult(
                focus=_nt(report_graph.value(res, SH.focusNode)) or "",
                path=_nt(report_graph.value(res, SH.resultPath)),
                value=_nt(report_graph.value(res, SH.value)),
                severity=str(report_graph.value(res, SH.resultSeverity)).rsplit("#", 1)[-1],
                message=str(msg) if msg else _component(str(comp)),
                shape=_shape_label(shape) if shape is not None else "",
                component=_component(str(comp))))
        return ValidationReport(bool(conforms), _sorted(results), "pyshacl", triples)
    raise UsageError(f"unknown validator {engine!r} (expected one of {', '.join(ENGINES)})")


def _root_label(root: str | None) -> str:
    if not root:
        return ""
    if root.startswith("<") and root.endswith(">"):
        label = _shapes_graph().value(rdflib.URIRef(root[1:-1]), RDFS.label)
        return str(label) if label else root
    return root


def _sorted(results: list[ValidationResult]) -> list[ValidationResult]:
    return sorted(results, key=lambda r: (r.focus, r.path or "", r.component, r.value or ""))


def validate_triples(triples: Iterable[ox.Triple], engine: str = "shacl") -> ValidationReport:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return validate_ntriples(data, engine)


def validate_quads(quads: Iterable[ox.Quad], engine: str = "shacl") -> ValidationReport:
    """Validate the union of the given quads (graph names are ignored)."""
    return validate_triples([q.triple for q in quads], engine)


def parse_rdf_file(path: Path) -> list[ox.Quad]:
    """Any RDF file from the formats registry (optionally .gz), as quads; errors name the line."""
    from kg.formats import for_path

    fmt = for_path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise RDFSyntaxError(f"cannot read: {e.strerror}", source=str(path)) from None
    if path.suffix == ".gz":
        import gzip
        import zlib

        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise RDFSyntaxError(f"not a valid gzip file ({e})", source=str(path)) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte-order mark is not part of any RDF syntax
    try:
        return list(ox.parse(io.BytesIO(data), format=fmt.oxigraph, base_iri=Path(path).resolve().as_uri()))
    except SyntaxError as e:
        line = getattr(e, "lineno", None)
        col = getattr(e, "offset", None)
        raise RDFSyntaxError(f"not valid {fmt.label}: {e.msg if hasattr(e, 'msg') else e}",
                             source=str(path), line=line, column=col) from None
    except (ValueError, UnicodeDecodeError) as e:
        raise RDFSyntaxError(f"not valid {fmt.label}: {e}", source=str(path)) from None


def validate_file(path: Path, engine: str = "shacl") -> ValidationReport:
    return validate_quads(parse_rdf_file(Path(path)), engine)
