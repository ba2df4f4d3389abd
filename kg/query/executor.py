"""Executor processes: where users' queries run, so a runaway one can be killed.

An executor (``python -m kg.query.executor``) opens the published store version
read-only, answers pickled requests on stdin and serialises results itself, so the web
worker only relays bytes. Killing the process really stops the work.
"""
from __future__ import annotations

import functools
from typing import Any

import pyoxigraph as ox

from kg import settings
from kg.errors import KGError, QueryError
from kg.query.results import QueryResult, serialize_result


def execute(db: Any, sparql: str, form: str, media_type: str | None, max_rows: int,
            kwargs: dict[str, Any]) -> QueryResult:
    """Run an inspected query on an open pyoxigraph store and serialise at most ``max_rows`` results."""
    try:
        res = db.query(sparql, **kwargs)
    except SyntaxError as e:
        raise QueryError(f"SPARQL syntax error: {e}") from None
    return serialize_result(res, form, media_type, max_rows)


def _executor_main() -> None:
    """Executor process (``python -m kg.query.executor``): answer pickled requests on stdin until EOF."""
    import pickle
    import sys

    rfile, wfile = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but replies may go to the pipe
    dbs: dict[str, Any] = {}
    while True:
        msg = _read_msg(rfile)
        if msg is None:
            return
        # the web process inspected the query (form, dataset); the executor does not tokenize again
        location, sparql, form, has_dataset, media_type, max_rows, graphs, base_iri = msg
        try:
            if location not in dbs:
                dbs.clear()  # a newer version was published: drop the old handle
                dbs[location] = ox.Store.read_only(location)
            kwargs: dict[str, Any] = {"base_iri": base_iri} if base_iri else {}
            default_graphs, named_graphs = graphs
            if default_graphs is not None:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
            elif named_graphs is None:
                # our default graph is the union of all graphs, unless the query names its own (FROM)
                if not has_dataset:
                    kwargs["use_default_graph_as_union"] = True
            else:
                kwargs["default_graph"] = []  # a protocol dataset with only named graphs: empty default graph
            if named_graphs is not None:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
            r = execute(dbs[location], sparql, form, media_type, max_rows, kwargs)
            reply: tuple = ("ok", r.body, r.media_type, r.form, r.truncated)
        except KGError as e:
            reply = ("error", e)
        except (ValueError, OSError) as e:  # an IRI pyoxigraph rejects, a store read failure
            reply = ("error", QueryError(str(e)))
        except Exception as e:  # noqa: BLE001 - an evaluation error must not kill the executor
            reply = ("error", QueryError(f"the query cannot be evaluated: {e}"))
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        wfile.write(len(data).to_bytes(8, "big") + data)
        wfile.flush()


def _read_msg(f: Any) -> Any:
    import pickle

    head = f.read(8)
    if len(head) < 8:
        return None
    size = int.from_bytes(head, "big")
    body = f.read(size)
    if len(body) < size:
        return None
    return pickle.loads(body)


@functools.lru_cache(maxsize=1)
def _sandbox() -> tuple[str, ...]:
    """Run executors in a network namespace of their own when the system allows it.

    Defence in depth behind ``inspect``: inside ``unshare -rn`` there is no network at all,
    so even a SERVICE the check missed cannot reach anything. Where unprivileged namespaces
    are not allowed, executors run normally and ``inspect`` is the guard.
    """
    import shutil
    import subprocess

    unshare = shutil.which("unshare")
    if unshare and settings.get("query_sandbox") != "0":
        try:
            if subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=5).returncode == 0:
                return (unshare, "-rn")
        except (OSError, subprocess.SubprocessError):
            pass
    return ()


class Executor:
    """One executor process, talked to over pipes (independent of how the parent was started)."""

    def __init__(self) -> None:
        import subprocess
        import sys

        self.proc = subprocess.Popen([*_sandbox(), sys.executable, "-m", "kg.query.executor"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, close_fds=True)

    def call(self, msg: Any, timeout: float) -> Any:
        import pickle
        import select

        data = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(len(data).to_bytes(8, "big") + data)
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError
        reply = _read_msg(self.proc.stdout)
        if reply is None:
            raise EOFError
        return reply

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(2)
        except OSError:
            pass


if __name__ == "__main__":
    _executor_main()
