"""Publishing to a remote store: ``kg push`` and the build's remote sink.

Writing is one named graph per request: a SPARQL 1.1 Graph Store HTTP Protocol PUT
(replace semantics), or, where the store has no Graph Store URL, one SPARQL 1.1
Update request ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } }``. Either
is one transaction in the store, so a graph is always wholly old or wholly new.
Every graph carries its digest (``<g> rkg:graphDigest "…"``), so a push skips graphs
already there and a rerun finishes an interrupted push; the publication graph's
``dcterms:identifier`` (the digest of all digests) is the version readers cache by.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import RemoteError, UsageError
from kg.formats import BY_NAME
from kg.vocab import N

_BLOCK = 4000  # triples per GRAPH block: Virtuoso's SPARQL compiler fails on larger ones
_MAX_REQUEST = 8 << 20  # bytes per update request: Virtuoso refuses requests over 10 MB


def update_requests(name: str, ntriples: bytes) -> list[str]:
    """SPARQL Update text replacing graph ``name``: one request (one transaction) unless it is very large.

    ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } GRAPH <g> { … } }``: the triples
    go in blocks of 4,000, which every engine accepts. A graph over 8 MB of N-Triples needs
    several requests (the first replaces, the rest add), and so is not replaced atomically:
    give a Graph Store URL for such graphs where the engine's PUT is transactional.
    """
    g = str(ox.NamedNode(name))
    # N-Triples lines end in LF only (U+2028 and friends may stand unescaped inside literals)
    lines = [line + "\n" for line in ntriples.decode("utf-8").split("\n") if line.strip()]
    if not lines:  # an emptied graph: some engines (Virtuoso) refuse an INSERT DATA with an empty GRAPH block
        return [f"DROP SILENT GRAPH {g}\n"]
    requests, blocks, size = [], [], 0
    head = f"DROP SILENT GRAPH {g} ;\n"
    for i in range(0, max(len(lines), 1), _BLOCK):
        block = f"GRAPH {g} {{\n{''.join(lines[i:i + _BLOCK])}}}\n"
        if blocks and size + len(block.encode("utf-8")) > _MAX_REQUEST:
            requests.append(f"{head}INSERT DATA {{\n{''.join(blocks)}}}\n")
            head, blocks, size = "", [], 0
        blocks.append(block)
        size += len(block.encode("utf-8"))
    requests.append(f"{head}INSERT DATA {{\n{''.join(blocks)}}}\n")
    return requests


def canonical(ntriples: bytes) -> tuple[bytes, str, int]:
    """Sorted N-Triples lines of a graph, their digest, and the number of triples."""
    lines = sorted(line for line in ntriples.split(b"\n") if line.strip())
    body = b"\n".join(lines) + (b"\n" if lines else b"")
    return body, hashlib.sha256(body).hexdigest(), len(lines)


@dataclass
class PushResult:
    pushed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    triples: int = 0  # triples sent
    seconds: float = 0.0
    version: str = ""
    verified: int = 0


def publish(store: Any, graphs: Iterable[tuple[str, bytes]], *, total: int | None = None,
            progress: Callable[[int, int, str, str], None] | None = None) -> PushResult:
    """Write each (graph name, N-Triples) whose digest differs on the remote, and empty the graphs we published
    before that are not among them; then version; then verify counts."""
    started = time.monotonic()
    remote = store.digests()
    result = PushResult()
    expected: dict[str, int] = {}
    n = total or 0
    for i, (name, nt) in enumerate(graphs, 1):
        body, digest, count = canonical(nt)
        expected[name] = count + 1  # the digest triple
        if remote.get(name) == digest:
            result.unchanged.append(name)
            state = "unchanged"
        else:
            line = f"{ox.NamedNode(name)} {N.rkg.graphDigest} {ox.Literal(digest)} .\n".encode()
            store.put_graph(name, body + line)
            remote[name] = digest
            result.pushed.append(name)
            result.triples += count + 1
            state = "pushed"
        if progress:
            progress(i, max(n, i), name, state)
    # graphs we published before that this version no longer has (a removed report): emptied, so the remote
    # holds exactly the pushed version and nothing only a removed report said
    for name in sorted(set(remote) - set(expected) - {store.publication}):
        store.put_graph(name, b"")
        del remote[name]
        result.removed.append(name)
    version = hashlib.sha256("".join(f"{g} {d}\n" for g, d in sorted(remote.items())).encode("utf-8")).hexdigest()
    if store.current() != version:
        pub = ox.NamedNode(store.publication)
        store.put_graph(store.publication,
                        f"{pub} {N.dcterms.identifier} {ox.Literal(version)} .\n".encode())
    result.version = version
    counts = store.counts(expected)
    wrong = {g: (counts.get(g, 0), n) for g, n in expected.items() if counts.get(g, 0) != n}
    if wrong:
        lines = "; ".join(f"{g}: {have:,} triples on the remote, {want:,} expected" for g, (have, want)
                          in sorted(wrong.items())[:10])
        raise RemoteError(f"verification failed for {len(wrong)} graph(s) after the push: {lines}; "
                          "run the push again", source=store.path)
    result.verified = len(expected)
    result.seconds = time.monotonic() - started
    return result


class RemoteSink:
    """The build's sink for a remote store: graphs are spooled locally, pushed only at commit.

    A build writes nothing unless every report reads and validates, so nothing reaches the
    remote before ``commit``; then each graph is replaced in one request (see ``publish``).
    The remote then holds exactly the reports of this build: the shared and statistics graphs are
    merged from every report's contribution, which only an embedded store keeps between builds. To
    update a remote report by report, build into an embedded store and ``kg push`` it.
    """

    format = BY_NAME["ntriples"]

    def __init__(self, store: Any) -> None:
        if not store.remote.writable:
            raise UsageError("the remote store is read-only to us: give --graph-store URL or --update URL")
        self.store = store
        self._dir = Path(tempfile.mkdtemp(prefix="kg-push-"))
        self._names: dict[str, Path] = {}
        self.replaced: list[str] = []
        self.progress: Callable[[int, int, str, str], None] | None = None
        self.result: PushResult | None = None

    def write_graph(self, name: str, chunk: bytes) -> None:
        path = self._names.get(name) or self._dir / f"{len(self._names):07d}.nt"
        self._names[name] = path
        path.write_bytes(chunk)
        self.replaced.append(name)

    def commit(self) -> str:
        try:
            graphs = ((name, path.read_bytes()) for name, path in self._names.items())
            self.result = publish(self.store, graphs, total=len(self._names), progress=self.progress)
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
        return self.result.version

    def abort(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def write_contribution(self, name: str, data: bytes) -> None:
        """A build straight into a remote publishes exactly its reports (see ``commit``): nothing to keep."""

    def contributions(self, exclude: set[str]) -> Iterator[bytes]:
        return iter(())
