"""Where a build's graphs go (a file in any registry format, or memory), one graph at a time.

Each graph is serialised as a chunk that concatenates with the others into one valid
document; a sink writes to a temporary file that replaces the output only on ``commit``.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Protocol

import pyoxigraph as ox

from kg import resources
from kg.errors import OutputError, UsageError
from kg.formats import Format, for_path
from kg.rdf import NamedGraph
from kg.vocab import OUTPUT_PREFIXES

_PREFIXES = OUTPUT_PREFIXES


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

    def write_contribution(self, name: str, data: bytes) -> None:
        """Keep a report graph's contribution (kg/build/merge.py) for later builds; only stores keep them."""
        ...

    def contributions(self, exclude: set[str]) -> Iterator[bytes]:
        """The kept contributions of report graphs this build does not replace (a store's published version)."""
        ...

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
        self._out: IO[bytes] = (gzip.GzipFile(fileobj=self._raw, mode="wb", mtime=0) if self.path.suffix == ".gz"
                                else self._raw)
        if self.format.name == "jsonld":
            self._write(b'{\n"@context": ' + json.dumps(_context(), indent=1).encode("utf-8") + b',\n"@graph": [\n')
        if self.format.name == "rdfxml":
            self._nt = tempfile.TemporaryFile()  # noqa: SIM115 - open until commit converts it, or abort

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

    def write_contribution(self, name: str, data: bytes) -> None:
        """A file holds one whole build: nothing to keep for the next."""

    def contributions(self, exclude: set[str]) -> Iterator[bytes]:
        return iter(())

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

    def write_contribution(self, name: str, data: bytes) -> None:
        pass

    def contributions(self, exclude: set[str]) -> Iterator[bytes]:
        return iter(())

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
