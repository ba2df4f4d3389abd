"""The query services a web worker asks: a pool of local executors, or the remote store.

A query is first inspected (``kg.query.check``), then run in an executor process that
opens the published store version read-only. If it runs past the time limit the process
is killed and a fresh executor takes its place; other requests keep being served by the
other executors meanwhile. Reading stops after ``max_rows`` results and the result says it was
cut: /sparql then refuses it (422, kg.errors.ResultTooLarge), the query page shows what was read.
"""
from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import Busy, QueryError, QueryTimeout
from kg.query.check import Inspection, check_query, inspect
from kg.query.executor import Executor
from kg.query.results import QueryResult, serialize_result

_QUEUE_WAIT = 5.0  # seconds a request may wait for a free executor before 503


class QueryService:
    """A small pool of executor processes shared by a web worker's threads."""

    def __init__(self, store: Any, *, timeout: float = 10.0, max_rows: int = 10000,
                 max_query_length: int = 20000, executors: int = 2) -> None:
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_query_length = max_query_length
        self.size = max(1, executors)
        self._idle: queue.Queue[Executor] = queue.Queue()
        self._started = 0
        self._lock = threading.Lock()

    def _acquire(self) -> Executor:
        with self._lock:
            if self._started < self.size:
                self._started += 1
                return Executor()
        try:  # wait a little for a free executor (a busy server queues a few seconds, then says 503)
            return self._idle.get(timeout=min(_QUEUE_WAIT, self.timeout))
        except queue.Empty:
            raise Busy("all query processes are busy; try again shortly") from None

    def _replace(self) -> None:
        """Start a fresh executor in the background after one was killed."""
        def start() -> None:
            self._idle.put(Executor())
        threading.Thread(target=start, daemon=True).start()

    def run(self, sparql: str, *, media_type: str | None = None, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None, base_iri: str | None = None,
            inspection: Inspection | None = None) -> QueryResult:
        """Run a user's query in an executor; ``base_iri`` resolves relative IRIs (the endpoint's URL).

        ``inspection`` is the result of ``inspect`` when the caller already has it.
        """
        insp = inspection or inspect(sparql, self.max_query_length)
        snap = self.store.snapshot()
        location = str(Path(snap.location))
        ex = self._acquire()
        try:
            reply = ex.call((location, sparql, insp.form, insp.has_dataset, media_type, self.max_rows,
                             (default_graphs, named_graphs), base_iri), self.timeout)
        except TimeoutError:
            ex.kill()
            self._replace()
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped; "
                               "narrow it down or add a LIMIT") from None
        except (EOFError, OSError, BrokenPipeError):
            ex.kill()
            self._replace()
            raise QueryError("the query process failed while running this query") from None
        self._idle.put(ex)
        if reply[0] == "error":
            raise reply[1]
        _, body, mt, form, truncated = reply
        return QueryResult(body, mt, form, truncated)

    def close(self) -> None:
        while True:
            try:
                ex = self._idle.get_nowait()
            except queue.Empty:
                return
            ex.kill()

    def warm(self) -> None:
        """Start every executor now (a server does this at start so the first queries are fast)."""
        started = []
        for _ in range(self.size):
            with self._lock:
                if self._started >= self.size:
                    break
                self._started += 1
            started.append(Executor())
        for ex in started:
            self._idle.put(ex)


class RemoteQueryService:
    """Users' queries against a remote store: inspected and parsed here, run there within the deadline.

    Nothing reaches the remote unless ``inspect`` passed it (read-only, no SERVICE, length)
    and ``check_query`` parsed it (no SERVICE, no extension functions). The remote call has the
    same time limit as a local query (504 when passed; the request is abandoned and its connection
    closed), and reading stops after ``max_rows`` results, so neither a slow nor a huge answer holds
    a worker.
    """

    def __init__(self, store: Any, *, timeout: float = 10.0, max_rows: int = 10000,
                 max_query_length: int = 20000, **_: Any) -> None:
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_query_length = max_query_length

    def run(self, sparql: str, *, media_type: str | None = None, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None, base_iri: str | None = None,
            inspection: Inspection | None = None) -> QueryResult:
        insp = inspection or inspect(sparql, self.max_query_length)
        check_query(sparql, base_iri)  # parsed, never run, here: SERVICE and extension functions refused
        if base_iri:  # relative IRIs resolve against this endpoint, as they do locally
            sparql = f"BASE <{ox.NamedNode(base_iri).value}>\n{sparql}"
        snap = self.store.snapshot()
        if insp.has_dataset and default_graphs is None and named_graphs is None:
            res = snap.query(sparql, union_default=False, timeout=self.timeout, user=True)
        else:
            res = snap.query(sparql, default_graphs=default_graphs, named_graphs=named_graphs,
                             timeout=self.timeout, user=True)
        try:
            return serialize_result(res, insp.form, media_type, self.max_rows)
        finally:
            close = getattr(res, "close", None)
            if close:
                close()

    def warm(self) -> None:
        """Nothing to start: the remote store does the work."""

    def close(self) -> None:
        """Nothing to stop."""
