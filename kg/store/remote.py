"""The remote store: any SPARQL 1.1 database, spoken to only through the standards.

Reading is SPARQL 1.1 Query through SPARQLWrapper (POST, form-encoded, content
negotiation only). Results are parsed by pyoxigraph as they stream in, so a row cap
or a deadline stops reading early, and callers get the same result objects as from
the embedded store.

Writing is one named graph per request: a SPARQL 1.1 Graph Store HTTP Protocol PUT
(replace semantics), or, where the store has no Graph Store URL, one SPARQL 1.1
Update request ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } }``. Either
is one transaction in the store, so a graph is always wholly old or wholly new.

Bookkeeping lives in the remote data itself, so no other state is needed:

* every graph written carries one triple ``<g> rkg:graphDigest "…"`` (sent in the same
  request as its data). A push skips graphs whose digest already matches: pushing
  twice changes nothing, and rerunning an interrupted push finishes it;
* when every graph is written, the graph ``<base>graph/publication`` gets
  ``dcterms:identifier`` = the digest of all graph digests. That is the version
  readers cache by; it changes only when some graph did.
"""
from __future__ import annotations

import base64
import http.client
import hashlib
import io
import re
import shutil
import socket
import tempfile
import threading
from collections import OrderedDict
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pyoxigraph as ox

from kg import settings
from kg.errors import QueryError, RemoteError, RemoteTimeout, UsageError
from kg.formats import BY_NAME, for_media_type, results_format_for_media_type
from kg.query import form_of
from kg.uris import IRIs
from kg.vocab import PREFIXES, RKG

_RECHECK_SECONDS = 1.0  # how often a reader asks the remote for its version
_PREFETCH_BATCH = 100  # subjects described per request
_DESCRIBED_MAX = 50_000  # subjects whose descriptions a snapshot keeps
_DESCRIBED_MAX_QUADS = 5_000  # a subject saying more than this is fetched each time, not kept
_COUNT_BATCH = 100  # graphs counted per request when a push is checked
_DIGEST = ox.NamedNode(str(RKG.graphDigest))
_IDENTIFIER = ox.NamedNode(PREFIXES["dcterms"] + "identifier")
_NT = BY_NAME["ntriples"].media_type
_ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_ACCEPT_RDF = "application/n-triples, text/turtle;q=0.9, text/plain;q=0.5"

# The store's own queries. Values (the publication graph, graph names, subjects) are never
# written into this text: ``bind`` and ``bind_rows`` add them as VALUES blocks of validated terms.
_Q = f"PREFIX rkg: <{PREFIXES['rkg']}>\nPREFIX dcterms: <{PREFIXES['dcterms']}>\n"
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


def safe_url(url: str) -> str:
    """A URL as it may be shown: without user name, password or query string."""
    try:
        p = urllib.parse.urlsplit(url)
        host = p.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if p.port:
            host = f"{host}:{p.port}"
    except ValueError:
        return "(an invalid URL)"
    return urllib.parse.urlunsplit((p.scheme, host, p.path, "", ""))


def _check_url(url: str, what: str) -> str:
    try:
        p = urllib.parse.urlsplit(url)
        p.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        raise UsageError(f"{what} is not a valid URL (check the host and port)") from None
    if p.scheme not in ("http", "https") or not p.hostname:
        raise UsageError(f"{what} must be an http:// or https:// URL, not {safe_url(url) or url[:40]!r}")
    if p.username or p.password:
        raise UsageError(f"{what}: put credentials in KG_REMOTE_USER/KG_REMOTE_PASSWORD or KG_REMOTE_TOKEN, "
                         "not in the URL")
    return url


@dataclass(frozen=True)
class Remote:
    """Where a remote store is and how to talk to it. Credentials come from the environment only."""

    query_url: str
    graph_store_url: str | None = None
    update_url: str | None = None
    timeout: float = 300.0
    _auth: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, endpoint: str | None = None, graph_store: str | None = None,
                      update: str | None = None) -> "Remote":
        query_url = settings.get("endpoint", endpoint)
        if not query_url:
            raise UsageError("no remote endpoint: give --endpoint URL or set KG_ENDPOINT")
        gsp = settings.get("graph_store", graph_store) or None
        upd = settings.get("update_endpoint", update) or None
        token = settings.credential("remote_token")
        user = settings.credential("remote_user")
        auth: dict[str, str] = {}
        if token:
            auth["Authorization"] = f"Bearer {token}"
        elif user:
            pair = f"{user}:{settings.credential('remote_password')}".encode("utf-8")
            auth["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return cls(_check_url(query_url, "the endpoint"), gsp and _check_url(gsp, "the graph store URL"),
                   upd and _check_url(upd, "the update URL"), float(settings.get("remote_timeout")), auth)

    @property
    def writable(self) -> bool:
        return bool(self.graph_store_url or self.update_url)


# ---- HTTP: no redirects, and a hard deadline -------------------------------------------------
#
# Every request to the remote goes through one opener that (1) never follows a redirect, so
# credentials are only ever sent to the URL that was configured, and (2) records each
# connection it opens, so a timer can shut the socket down at the deadline: a remote that
# trickles its headers or body byte by byte is cut off on time, not after each read's timeout.

# the socket each thread is using (kept even after urllib closes the connection object: the
# response still reads from it)
_CONNECTIONS: dict[int, socket.socket] = {}


class _TrackedHTTP(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _CONNECTIONS[threading.get_ident()] = self.sock


class _TrackedHTTPS(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _CONNECTIONS[threading.get_ident()] = self.sock


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_TrackedHTTP, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_TrackedHTTPS, req, context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx becomes an HTTPError, reported with the configured URL


_OPENER = urllib.request.build_opener(_HTTPHandler, _HTTPSHandler, _NoRedirect)


def _install_opener() -> None:
    """SPARQLWrapper opens URLs with its module's ``urlopener``; make that ours, once, for this process."""
    import SPARQLWrapper.Wrapper as wrapper

    wrapper.urlopener = _OPENER.open


_install_opener()


class _Deadline:
    """Shuts the connection of the calling thread down when ``seconds`` have passed."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.fired = False
        self.sock: socket.socket | None = None  # once the response is in: this request's own socket
        self._thread = threading.get_ident()
        _CONNECTIONS.pop(self._thread, None)
        self._timer = threading.Timer(max(0.01, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        # before the response: the thread's current connection is ours (the request is synchronous);
        # after: only our own socket, since the thread may have moved on to another request
        sock = self.sock if self.sock is not None else _CONNECTIONS.get(self._thread)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def bind(self) -> None:
        """The response has arrived: from now on the deadline concerns its socket only."""
        self.sock = _CONNECTIONS.pop(self._thread, None)

    def cancel(self) -> None:
        self._timer.cancel()
        if self.sock is None:
            _CONNECTIONS.pop(self._thread, None)


class _Body(io.RawIOBase):
    """An HTTP response body that raises RemoteTimeout once the deadline has passed."""

    def __init__(self, resp: Any, deadline: _Deadline, where: str) -> None:
        self.resp = resp
        self.deadline = deadline
        self.where = where

    @property
    def timed_out(self) -> bool:
        return self.deadline.fired

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self.deadline.fired:
            raise RemoteTimeout(f"the remote store did not answer in time ({self.where})")
        try:
            n = self.resp.readinto(b)
        except (OSError, ValueError, http.client.HTTPException):
            if self.deadline.fired:
                raise RemoteTimeout(f"the remote store did not answer in time ({self.where})") from None
            raise
        if self.deadline.fired:
            raise RemoteTimeout(f"the remote store did not answer in time ({self.where})")
        return n or 0

    def close(self) -> None:
        self.deadline.cancel()
        try:
            self.resp.close()
        finally:
            super().close()


def _media_type(resp: Any) -> str:
    return (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def _remote_error(e: BaseException, url: str, what: str, user: bool = False) -> RemoteError | QueryError:
    """One message for every way a remote request can fail (never with credentials in it)."""
    where = safe_url(url)
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, QueryBadFormed, Unauthorized

    if isinstance(e, (socket.timeout, TimeoutError)) or (
            isinstance(e, urllib.error.URLError) and isinstance(e.reason, (socket.timeout, TimeoutError))):
        return RemoteTimeout(f"the remote store did not answer in time ({what})", source=where)
    if isinstance(e, QueryBadFormed):
        msg = str(e).split("Response:", 1)[-1].strip()[:500]
        if user:  # a query we parsed but the engine does not support
            return QueryError("the remote store rejected the query (it accepts a narrower SPARQL than ours)")
        return RemoteError(f"the remote store rejected one of our queries: {msg}", source=where)
    if isinstance(e, Unauthorized) or (isinstance(e, urllib.error.HTTPError) and e.code in (401, 403)):
        return RemoteError(f"the remote store refused our credentials ({what}): set KG_REMOTE_USER and "
                           "KG_REMOTE_PASSWORD, or KG_REMOTE_TOKEN", source=where)
    if isinstance(e, urllib.error.HTTPError) and 300 <= e.code < 400:
        return RemoteError(f"the remote store answered with a redirect ({e.code}); redirects are not followed, so "
                           "credentials only go where configured: give the final URL", source=where)
    if isinstance(e, urllib.error.HTTPError):
        try:
            body = e.read(500).decode("utf-8", "replace").strip()
        except OSError:
            body = ""
        return RemoteError(f"the remote store answered {e.code} {e.reason} ({what}){': ' + body if body else ''}",
                           source=where)
    if isinstance(e, SPARQLWrapperException):
        return RemoteError(f"the remote store failed ({what}): {str(e)[:300]}", source=where)
    reason = getattr(e, "reason", None) or getattr(e, "strerror", None) or e
    return RemoteError(f"cannot reach the remote store ({what}): {reason}; check that it is running and the URL "
                       "is right", source=where)


class RemoteStore:
    """The store interface over a remote SPARQL 1.1 database (see the module docstring)."""

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
                named_graphs: list[str] | None = None, what: str = "query", user: bool = False) -> tuple[_Body, str]:
        """POST a query; the streaming body and its media type. Every failure is a KGError."""
        from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

        url = self.remote.query_url
        sw = SPARQLWrapper(url)
        sw.setMethod(POST)
        sw.setOnlyConneg(True)
        for g in default_graphs or []:
            sw.addParameter("default-graph-uri", g)
        for g in named_graphs or []:
            sw.addParameter("named-graph-uri", g)
        sw.setRequestMethod(URLENCODED)  # the one way every engine reads (Virtuoso 7 ignores a direct POST)
        sw.setQuery(sparql)
        # SPARQLWrapper guesses the form with a regex that can take a query for an update (a prefix
        # named "load:", an empty prefix) and would then post it as update=; we know it is a query
        sw.queryType = form_of(sparql)
        sw.addCustomHttpHeader("Accept", accept)
        for k, v in self.remote._auth.items():
            sw.addCustomHttpHeader(k, v)
        sw.setTimeout(max(1, int(timeout + 0.999)))
        deadline = _Deadline(timeout)
        try:
            resp = sw.query().response
        except Exception as e:  # noqa: BLE001 - urllib, socket and SPARQLWrapper errors, mapped in one place
            deadline.cancel()
            if deadline.fired:
                raise RemoteTimeout(f"the remote store did not answer in time ({what})", source=self.path) from None
            raise _remote_error(e, url, what, user=user) from None
        deadline.bind()
        return _Body(resp, deadline, what), _media_type(resp)

    def _http(self, method: str, url: str, body: bytes | None = None, content_type: str | None = None,
              what: str = "write") -> bytes:
        headers = dict(self.remote._auth)
        if content_type:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        deadline = _Deadline(self.remote.timeout)
        try:
            with _OPENER.open(req, timeout=self.remote.timeout) as resp:
                return resp.read()
        except Exception as e:  # noqa: BLE001
            if deadline.fired:
                raise RemoteTimeout(f"the remote store did not answer in time ({what})", source=safe_url(url)) \
                    from None
            raise _remote_error(e, url, what) from None
        finally:
            deadline.cancel()

    def select(self, sparql: str, *, timeout: float | None = None, **dataset: Any) -> Iterator[ox.QuerySolution]:
        body, mt = self.request(sparql, accept=_ACCEPT_RESULTS, timeout=timeout or self.query_timeout, **dataset)
        res = self._solutions(body, mt)
        if not hasattr(res, "variables"):
            body.close()
            raise RemoteError("the remote store answered a SELECT with a boolean", source=self.path)
        return _GuardedSolutions(res, body, self.path)

    def _solutions(self, body: _Body, mt: str) -> Any:
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

    def snapshot(self) -> "RemoteSnapshot":
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
            self._http("PUT", url, ntriples, _NT, what=f"PUT graph {name}")
        elif r.update_url:
            for update in _update_requests(name, ntriples):
                self._http("POST", r.update_url, update.encode("utf-8"), "application/sparql-update; charset=utf-8",
                           what=f"update graph {name}")
        else:
            raise UsageError("the remote store is read-only to us: give --graph-store URL (SPARQL 1.1 Graph Store "
                             "Protocol) or --update URL (SPARQL 1.1 Update)")

    def query_service(self, **limits: Any):  # noqa: ANN201 - kg.query.RemoteQueryService
        """Users' queries are checked here and run on the remote, within the deadline."""
        from kg.query import RemoteQueryService

        return RemoteQueryService(self, **limits)

    def sink(self, **_: Any) -> "RemoteSink":
        return RemoteSink(self)


_BLOCK = 4000  # triples per GRAPH block: Virtuoso's SPARQL compiler fails on larger ones
_MAX_REQUEST = 8 << 20  # bytes per update request: Virtuoso refuses requests over 10 MB


def _update_requests(name: str, ntriples: bytes) -> list[str]:
    """SPARQL Update text replacing graph ``name``: one request (one transaction) unless it is very large.

    ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } GRAPH <g> { … } }``: the triples
    go in blocks of 4,000, which every engine accepts. A graph over 8 MB of N-Triples needs
    several requests (the first replaces, the rest add), and so is not replaced atomically:
    give a Graph Store URL for such graphs where the engine's PUT is transactional.
    """
    g = str(ox.NamedNode(name))
    # N-Triples lines end in LF only (U+2028 and friends may stand unescaped inside literals)
    lines = [line + "\n" for line in ntriples.decode("utf-8").split("\n") if line.strip()]
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
              timeout: float | None = None, user: bool = False):  # noqa: ANN201 - pyoxigraph results
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

    def quads(self, subject=None, predicate=None, obj=None, graph=None) -> Iterator[ox.Quad]:  # noqa: ANN001
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


def _parse_failure(body: _Body, e: BaseException, where: str) -> RemoteError:
    if body.timed_out:
        return RemoteTimeout("the remote store did not answer in time", source=where)
    return RemoteError(f"the remote store sent results that cannot be read: {e}", source=where)


def _guarded(items: Iterator[Any], body: _Body, where: str) -> Iterator[Any]:
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

    def __init__(self, res: ox.QuerySolutions, body: _Body, where: str) -> None:
        self.variables = res.variables
        self._it = _guarded(res, body, where)
        self._body = body

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        return self._it

    def __next__(self) -> ox.QuerySolution:
        return next(self._it)

    def close(self) -> None:
        self._body.close()


# ---- publishing ----------------------------------------------------------------------------------


def canonical(ntriples: bytes) -> tuple[bytes, str, int]:
    """Sorted N-Triples lines of a graph, their digest, and the number of triples."""
    lines = sorted(line for line in ntriples.split(b"\n") if line.strip())
    body = b"\n".join(lines) + (b"\n" if lines else b"")
    return body, hashlib.sha256(body).hexdigest(), len(lines)


@dataclass
class PushResult:
    pushed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    triples: int = 0  # triples sent
    seconds: float = 0.0
    version: str = ""
    verified: int = 0


def publish(store: RemoteStore, graphs: Iterable[tuple[str, bytes]], *, total: int | None = None,
            progress: Callable[[int, int, str, str], None] | None = None) -> PushResult:
    """Write each (graph name, N-Triples) whose digest differs on the remote; then version; then verify counts."""
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
            line = f"{ox.NamedNode(name)} {_DIGEST} {ox.Literal(digest)} .\n".encode("utf-8")
            store.put_graph(name, body + line)
            remote[name] = digest
            result.pushed.append(name)
            result.triples += count + 1
            state = "pushed"
        if progress:
            progress(i, max(n, i), name, state)
    version = hashlib.sha256("".join(f"{g} {d}\n" for g, d in sorted(remote.items())).encode("utf-8")).hexdigest()
    if store.current() != version:
        pub = ox.NamedNode(store.publication)
        store.put_graph(store.publication,
                        f"{pub} {_IDENTIFIER} {ox.Literal(version)} .\n".encode("utf-8"))
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
    """

    format = BY_NAME["ntriples"]

    def __init__(self, store: RemoteStore) -> None:
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


def open_remote(endpoint: str | None = None, *, graph_store: str | None = None, update: str | None = None,
                base_iri: str | None = None, query_timeout: float | None = None) -> RemoteStore:
    remote = Remote.from_settings(endpoint, graph_store, update)
    return RemoteStore(remote, IRIs(settings.get("base_iri", base_iri)),
                       query_timeout=float(query_timeout or settings.get("query_timeout")))
