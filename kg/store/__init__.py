"""Where graphs live, behind one small interface.

``open_store(path)`` gives the embedded store (pyoxigraph on disk). Readers work on a
``Snapshot``: one published version of the data, immutable while they use it, so a
reader sees the old graphs or the new ones, never a mix. Writers ``publish`` a new
version in one step; a failed write leaves the published version as it was.
``kg.store.remote.open_remote`` gives the same two interfaces over a SPARQL 1.1 database.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from kg.store.embedded import EmbeddedStore, StoreSink


class Snapshot(Protocol):
    """One published version of the data, for reading."""

    version: str

    def query(self, sparql: str, *, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
              default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
              union_default: bool = True, timeout: float | None = None):  # pyoxigraph results
        """Run a SPARQL query; values in ``bindings`` are substituted, never spliced into the text; ``timeout``
        bounds it on a remote store (the store's query time limit when None)."""
        ...

    def quads(self, subject: ox.NamedNode | ox.BlankNode | None = None, predicate: ox.NamedNode | None = None,
              obj: object | None = None, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]: ...

    def graph_names(self) -> list[str]: ...

    def prefetch(self, nodes: Iterable[object]) -> None:
        """A hint: these subjects are about to be looked up (a remote store fetches them in one request)."""
        ...


class GraphStore(Protocol):
    kind: str  # "embedded" or "remote"
    path: Path | str  # the folder, or the remote's query URL (without credentials)

    def snapshot(self) -> Snapshot: ...

    def is_empty(self) -> bool: ...

    def sink(self) -> StoreSink: ...

    def query_service(self, **limits: object) -> object:
        """What runs users' SPARQL queries against this store, with the endpoint's limits."""
        ...


def open_store(path: str | Path) -> EmbeddedStore:
    """The embedded store in a folder; a relative path is taken from where the command runs, once, so a
    server that later hands a dump's path to Flask (which resolves relative paths in its package) finds it."""
    return EmbeddedStore(Path(path).absolute())


def open_configured(options: Mapping[str, Any] | None = None, *, kind: str = "configured",
                    read_only: bool = False) -> Any:
    """The store the settings name, the one place that chooses between embedded and remote.

    ``options`` are values given on the command line or in an app config, keyed by setting
    name (``store``, ``endpoint``, ``graph_store``, ``update_endpoint``, ``base_iri``,
    ``query_timeout``); what is missing comes from the environment, then the defaults.
    ``kind`` is ``configured`` (the remote when an endpoint is set, else the embedded store),
    ``embedded`` or ``remote`` (an error without an endpoint). A ``read_only`` remote is
    given no write URLs at all, so nothing through it can write.
    """
    from kg import settings

    o = {k: v for k, v in (options or {}).items() if v is not None}
    endpoint = settings.get("endpoint", o.get("endpoint"))
    if kind == "remote" or (kind == "configured" and endpoint):
        from kg.store.remote import open_remote

        timeout = o.get("query_timeout")
        return open_remote(o.get("endpoint"), graph_store="" if read_only else o.get("graph_store"),
                           update="" if read_only else o.get("update_endpoint"), base_iri=o.get("base_iri"),
                           query_timeout=float(timeout) if timeout is not None else None)
    return open_store(settings.get("store", str(o["store"]) if o.get("store") else None))


__all__ = ["EmbeddedStore", "GraphStore", "Snapshot", "StoreSink", "open_configured", "open_store"]
