"""The remote store: any SPARQL 1.1 database, spoken to only through the standards.

Reading is SPARQL 1.1 Query through SPARQLWrapper (POST, form-encoded, content
negotiation only). Results are parsed by pyoxigraph as they stream in, so a row cap
or a deadline stops reading early, and callers get the same result objects as from
the embedded store.

Writing (``kg.store.publish``) is one named graph per request, each one transaction.
The HTTP client, with its deadline and its refusal of redirects, is ``kg.store.http``.

Bookkeeping lives in the remote data itself, so no other state is needed:

* every graph written carries one triple ``<g> rkg:graphDigest "…"`` (sent in the same
  request as its data). A push skips graphs whose digest already matches: pushing
  twice changes nothing, and rerunning an interrupted push finishes it;
* when every graph is written, the graph ``<base>graph/publication`` gets
  ``dcterms:identifier`` = the digest of all graph digests. That is the version
  readers cache by; it changes only when some graph did.
"""
from __future__ import annotations

import io
import re
import threading
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox

from kg import settings
from kg.errors import RemoteError, RemoteTimeout, UsageError
from kg.formats import BY_NAME, accept_header, for_media_type, results_format_for_media_type
from kg.query import form_of
from kg.store.http import Body, Remote, post_query, safe_url, send
from kg.store.publish import RemoteSink, update_requests
from kg.uris import IRIs
from kg.vocab import sparql_prologue

_RECHECK_SECONDS = 1.0  # how often a reader asks the remote for its version
_PREFETCH_BATCH = 100  # subjects described per request
_DESCRIBED_MAX = 50_000  # subjects whose descriptions a snapshot keeps
_DESCRIBED_MAX_QUADS = 5_000  # a subject saying more than this is fetched each time, not kept
_COUNT_BATCH = 100  # graphs counted per request when a push is checked
_NT = BY_NAME["ntriples"].media_type
_ACCEPT_RESULTS = accept_header([BY_NAME["results-json"], BY_NAME["results-xml"]])
_ACCEPT_RDF = accept_header([BY_NAME["ntriples"], BY_NAME["turtle"]], generic=True)

# The store's own queries. Values (the publication graph, graph names, subjects) are never
# written into this text: ``bind`` and ``bind_rows`` add them as VALUES blocks of validated terms.
_Q = sparql_prologue(["rkg", "dcterms"])
VERSION = _Q + "SELECT ?v WHERE { GRAPH ?pub { ?pub dcterms:identifier ?v } }"
UNION_PROBE = _Q + "ASK WHERE { ?pub dcterms:identifier ?v }"  # true if the default graph holds named graphs' data
DIGESTS = _Q + "SELECT ?g ?d WHERE { GRAPH ?g { ?g rkg:graphDigest ?d } }"
GRAPH_NAMES = _Q + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g rkg:graphDigest ?d } }"
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
SIZE = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
# subjects ?x and, in the same request, the resources they link to (whose labels a page shows)
# what subjects say, in every graph. The resources they link to are fetched with the same query in a
# second request, not joined in this one: engines plan that join as a scan of every quad (Oxigraph at
# 59 million triples: over 60 s per page, against 0.15 s for two requests)
OUTGOING = """SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?x ?p ?o } BIND(?x AS ?s) }"""


class RemoteStore:
    """The store interface over a remote SPARQL 1.1 database (see the module docstring)."""

    kind = "remote"

    def __init__(self, remote: Remote, iris: IRIs, *, query_timeout: float = 10.0) -> None:
        self.remote = remote
        self.iris = iris
        self.path = safe_url(remote.query_url)  # what messages and cache keys name
        self.publication = str(iris.graph("publication"))
        self.query_timeout = query_timeout
        self._snapshot: RemoteSnapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._union: bool | None = None
        self._failure: tuple[float, RemoteError] | None = None

    # ---- raw requests ------------------------------------------------------------------------
    def request(self, sparql: str, *, accept: str, timeout: float, default_graphs: list[str] | None = None,
                named_graphs: list[str] | None = None, what: str = "query", user: bool = False) -> tuple[Body, str]:
        """POST a query; the streaming body and its media type. Every failure is a KGError."""
        return post_query(self.remote, sparql, accept=accept, timeout=timeout, default_graphs=default_graphs,
                          named_graphs=named_graphs, what=what, user=user)

    def select(self, sparql: str, *, timeout: float | None = None, **dataset: Any) -> Iterator[ox.QuerySolution]:
        body, mt = self.request(sparql, accept=_ACCEPT_RESULTS, timeout=timeout or self.query_timeout, **dataset)
        res = self._solutions(body, mt)
        if not hasattr(res, "variables"):
            body.close()
            raise RemoteError("the remote store answered a SELECT with a boolean", source=self.path)
        return _GuardedSolutions(res, body, self.path)

    def _solutions(self, body: Body, mt: str) -> Any:
        fmt = results_format_for_media_type(mt)
        if fmt is None:
            body.close()
            raise RemoteError(f"the remote store answered a query with {mt or 'no content type'}, not SPARQL results",
                              source=self.path)
        try:
            return ox.parse_query_results(io.BufferedReader(body), format=fmt)
        except (SyntaxError, OSError, ValueError) as e:
            body.close()
            raise _parse_failure(body, e, self.path) from None

    # ---- versions --------------------------------------------------------------------------
    def current(self) -> str | None:
        rows = list(self.select(bind(VERSION, {"pub": ox.NamedNode(self.publication)})))
        value = rows[0]["v"] if rows else None
        if rows and not isinstance(value, ox.Literal):
            raise RemoteError("the remote store answered the version query with something else", source=self.path)
        return value.value if value is not None else None

    def is_empty(self) -> bool:
        return self.current() is None

    def snapshot(self) -> RemoteSnapshot:
        now = time.monotonic()
        snap = self._snapshot
        if snap is not None and now - self._checked < _RECHECK_SECONDS:
            return snap
        failure = self._failure
        if failure is not None and now - failure[0] < _RECHECK_SECONDS:
            raise failure[1]  # the remote just failed: do not make every waiting request try again
        try:
            version = self.current()  # not under the lock: a slow remote must not queue every thread
        except RemoteError as e:
            self._failure = (time.monotonic(), e)
            raise
        self._failure = None
        if version is None:
            raise RemoteError("the remote store holds no Results KG publication yet: run 'kg push' or "
                              "'kg build --endpoint'", source=self.path)
        with self._lock:
            self._checked = time.monotonic()
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = RemoteSnapshot(self, version)
            return self._snapshot

    def union_default(self) -> bool:
        """Whether the remote's default graph is the union of its named graphs (probed once)."""
        if self._union is None:
            q = bind(UNION_PROBE, {"pub": ox.NamedNode(self.publication)})
            body, mt = self.request(q, accept=_ACCEPT_RESULTS, timeout=self.query_timeout)
            try:
                res = self._solutions(body, mt)
                self._union = isinstance(res, ox.QueryBoolean) and bool(res)
            finally:
                body.close()
        return self._union

    def dates(self) -> tuple[None, None]:
        """A remote store does not say when it was written."""
        return None, None

    def dumps_dir(self, version: str) -> None:
        """A remote store keeps no dump files; its own Graph Store endpoint serves the graphs."""
        return None

    # ---- the bookkeeping of pushes ---------------------------------------------------------
    def digests(self) -> dict[str, str]:
        rows = self.select(DIGESTS, timeout=self.remote.timeout)
        return {r["g"].value: r["d"].value for r in rows}

    def counts(self, graphs: Iterable[str]) -> dict[str, int]:
        """Triples per graph on the remote, 100 graphs per request (each count uses the graph's index)."""
        names = list(graphs)
        out = dict.fromkeys(names, 0)
        for i in range(0, len(names), _COUNT_BATCH):
            batch = [ox.NamedNode(g) for g in names[i:i + _COUNT_BATCH]]
            for r in self.select(bind_rows(COUNTS, "g", batch), timeout=self.remote.timeout):
                out[r["g"].value] = int(r["n"].value)
        return out

    def put_graph(self, name: str, ntriples: bytes) -> None:
        """Replace graph ``name`` with ``ntriples`` in one request (one transaction on the remote)."""
        r = self.remote
        if r.graph_store_url:
            sep = "&" if "?" in r.graph_store_url else "?"
            url = f"{r.graph_store_url}{sep}{urllib.parse.urlencode({'graph': name})}"
            send(self.remote, "PUT", url, ntriples, _NT, what=f"PUT graph {name}")
        elif r.update_url:
            for update in update_requests(name, ntriples):
                send(self.remote, "POST", r.update_url, update.encode("utf-8"),
                     BY_NAME["sparql-update"].media_type + "; charset=utf-8", what=f"update graph {name}")
        else:
            raise UsageError("the remote store is read-only to us: give --graph-store URL (SPARQL 1.1 Graph Store "
                             "Protocol) or --update URL (SPARQL 1.1 Update)")

    def query_service(self, **limits: Any):  # kg.query.service.RemoteQueryService
        """Users' queries are checked here and run on the remote, within the deadline."""
        from kg.query.service import RemoteQueryService

        return RemoteQueryService(self, **limits)

    def sink(self, **_: Any) -> RemoteSink:
        return RemoteSink(self)


class RemoteSnapshot:
    """The remote's data at one published version, with the embedded snapshot's methods."""

    def __init__(self, store: RemoteStore, version: str) -> None:
        self.store = store
        self.version = version
        self.location = store.path
        self._names: list[str] | None = None
        self._size: int | None = None
        self._described: OrderedDict[str, list[ox.Quad]] = OrderedDict()
        self._lock = threading.Lock()

    def _dataset(self, default_graphs: list[str] | None, named_graphs: list[str] | None,
                 union_default: bool) -> dict[str, list[str] | None]:
        if default_graphs is not None or named_graphs is not None:
            return {"default_graphs": default_graphs, "named_graphs": named_graphs}
        if union_default and not self.store.union_default():
            names = self.graph_names()  # no union default graph on this engine: name every graph
            return {"default_graphs": names, "named_graphs": names}
        return {}

    def query(self, sparql: str, *, bindings: dict | None = None, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, union_default: bool = True,
              timeout: float | None = None, user: bool = False):  # pyoxigraph results
        """Run one of the library's queries on the remote; ``bindings`` become a VALUES block of typed terms."""
        text = bind(sparql, bindings) if bindings else sparql
        dataset = self._dataset(default_graphs, named_graphs, union_default)
        return run_remote(self.store, text, timeout=timeout or self.store.query_timeout, user=user, **dataset)

    def prefetch(self, nodes: Iterable[Any]) -> None:
        """Fetch what many subjects say, in a few requests, before a page asks about each of them.

        A page shows labels of every resource it links to; one request per label would cost
        a round trip each. Descriptions are kept for this version (bounded), so later pages
        reuse them too.
        """
        wanted = list(dict.fromkeys(n.value for n in nodes if isinstance(n, ox.NamedNode)))
        with self._lock:
            wanted = [w for w in wanted if w not in self._described]
        found = self._outgoing(wanted)
        # and what they link to (labels, types), so the page can name every link
        linked = {q.object.value for quads in found.values() for q in quads if isinstance(q.object, ox.NamedNode)}
        with self._lock:
            linked = [w for w in linked if w not in self._described and w not in found]
        found.update(self._outgoing(sorted(linked)))
        self._keep(found)

    def _outgoing(self, subjects: list[str]) -> dict[str, list[ox.Quad]]:
        found: dict[str, list[ox.Quad]] = {w: [] for w in subjects}
        for i in range(0, len(subjects), _PREFETCH_BATCH):
            batch = subjects[i:i + _PREFETCH_BATCH]
            rows = self.query(bind_rows(OUTGOING, "x", [ox.NamedNode(w) for w in batch]), union_default=False)
            for r in rows:
                found.setdefault(r["s"].value, []).append(ox.Quad(r["s"], r["p"], r["o"], r["g"]))
        return found

    def _keep(self, found: dict[str, list[ox.Quad]]) -> None:
        if found:
            with self._lock:
                for w, quads in found.items():
                    quads = list(dict.fromkeys(quads))  # a neighbour of two subjects came twice
                    if len(quads) <= _DESCRIBED_MAX_QUADS:
                        self._described[w] = quads
                        self._described.move_to_end(w)
                while len(self._described) > _DESCRIBED_MAX:
                    self._described.popitem(last=False)

    def quads(self, subject=None, predicate=None, obj=None, graph=None) -> Iterator[ox.Quad]:
        terms = {"s": subject, "p": predicate, "o": obj, "g": graph}
        if any(isinstance(t, ox.BlankNode) for t in terms.values()):
            return iter(())  # blank node labels are not stable across requests to a remote store
        if isinstance(subject, ox.NamedNode):
            self.prefetch([subject])
            with self._lock:
                known = self._described.get(subject.value)
            if known is not None:
                return iter([q for q in known if (predicate is None or q.predicate == predicate)
                             and (obj is None or q.object == obj) and (graph is None or q.graph_name == graph)])
        rows = self.query(QUADS, bindings={k: v for k, v in terms.items() if v is not None}, union_default=False)
        return (ox.Quad(r["s"] if subject is None else subject, r["p"] if predicate is None else predicate,
                        r["o"] if obj is None else obj, r["g"] if graph is None else graph) for r in rows)

    def graph_names(self) -> list[str]:
        if self._names is None:
            rows = self.query(GRAPH_NAMES, union_default=False)
            self._names = sorted(r["g"].value for r in rows)
        return self._names

    def __len__(self) -> int:
        if self._size is None:
            rows = list(self.query(SIZE, union_default=False))
            self._size = int(rows[0]["n"].value)
        return self._size


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind(sparql: str, bindings: dict[str, Any]) -> str:
    """Put values into one of the library's own queries as a VALUES block at the start of its WHERE.

    SPARQL has no protocol for bound parameters, so values travel as a VALUES block of
    terms that pyoxigraph has validated and writes in N-Triples syntax (an IRI cannot
    contain '>', a literal's quotes are escaped): data, never query syntax. Only the
    library's fixed queries get bindings; a user's query is sent as written.
    """
    return _with_values(sparql, list(bindings), [list(bindings.values())])


def bind_rows(sparql: str, name: str, terms: list[Any]) -> str:
    """``bind`` for one variable and many values (the query is answered for each of them)."""
    return _with_values(sparql, [name], [[t] for t in terms])


def _with_values(sparql: str, names: list[str], rows: list[list[Any]]) -> str:
    for row in rows:
        for name, term in zip(names, row):
            if not isinstance(term, (ox.NamedNode, ox.Literal)):
                raise TypeError(f"cannot bind ?{name} to {type(term).__name__}")
    data = " ".join(f"({' '.join(str(t) for t in row)})" for row in rows)
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ {data} }}\n"
    # into every WHERE clause, sub-selects included, so each part is evaluated for these values only
    # (substituting a variable means the same thing everywhere it occurs)
    out, n = _WHERE.subn(lambda m: m.group(0) + "\n" + block, sparql)
    if not n:
        raise ValueError("a query with bindings needs a WHERE clause")
    return out


def run_remote(store: RemoteStore, sparql: str, *, timeout: float, default_graphs: list[str] | None = None,
               named_graphs: list[str] | None = None, user: bool = False) -> Any:
    """Run a query on the remote; pyoxigraph results (solutions, a boolean, or triples), read lazily."""
    form = form_of(sparql)
    if form in ("CONSTRUCT", "DESCRIBE"):
        body, mt = store.request(sparql, accept=_ACCEPT_RDF,
                                 timeout=timeout, default_graphs=default_graphs, named_graphs=named_graphs,
                                 user=user)
        fmt = for_media_type(mt)
        if fmt is None or fmt.datasets:
            body.close()
            raise RemoteError(f"the remote store answered a {form} with {mt or 'no content type'}, not RDF",
                              source=store.path)
        return _guarded(ox.parse(io.BufferedReader(body), format=fmt.oxigraph), body, store.path)
    body, mt = store.request(sparql, accept=_ACCEPT_RESULTS,
                             timeout=timeout, default_graphs=default_graphs, named_graphs=named_graphs, user=user)
    res = store._solutions(body, mt)
    if isinstance(res, ox.QueryBoolean):
        body.close()
        return res
    return _GuardedSolutions(res, body, store.path)


def _parse_failure(body: Body, e: BaseException, where: str) -> RemoteError:
    if body.timed_out:
        return RemoteTimeout("the remote store did not answer in time", source=where)
    return RemoteError(f"the remote store sent results that cannot be read: {e}", source=where)


def _guarded(items: Iterator[Any], body: Body, where: str) -> Iterator[Any]:
    """Yield from a streaming parse; a timeout or broken stream becomes our error; close when done."""
    try:
        for item in items:
            yield item.triple if isinstance(item, ox.Quad) else item
    except (SyntaxError, OSError, ValueError) as e:
        raise _parse_failure(body, e, where) from None
    finally:
        body.close()


class _GuardedSolutions:
    """Solutions read from the remote as the caller iterates, with ``variables`` like pyoxigraph's."""

    def __init__(self, res: ox.QuerySolutions, body: Body, where: str) -> None:
        self.variables = res.variables
        self._it = _guarded(res, body, where)
        self._body = body

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        return self._it

    def __next__(self) -> ox.QuerySolution:
        return next(self._it)

    def close(self) -> None:
        self._body.close()


def open_remote(endpoint: str | None = None, *, graph_store: str | None = None, update: str | None = None,
                base_iri: str | None = None, query_timeout: float | None = None) -> RemoteStore:
    remote = Remote.from_settings(endpoint, graph_store, update)
    return RemoteStore(remote, IRIs(settings.get("base_iri", base_iri)),
                       query_timeout=float(query_timeout or settings.get("query_timeout")))
