"""Running users' SPARQL queries safely: read-only, no federation, bounded time and size.

A query is first inspected here (length, form, no update, no ``SERVICE``), then run
in an executor process that opens the published store version read-only. If it runs
past the time limit the process is killed, which really stops the work, and a
fresh executor takes its place; other requests keep being served by the other
executors meanwhile. Results are cut at ``max_rows`` (the response then carries
``X-SPARQL-MaxRows``), and serialised in the executor so the web worker only relays
bytes.
"""
from __future__ import annotations

import csv
import functools
import io
import os
import json
import queue
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib.namespace import XSD

from kg.formats import GRAPH_MEDIA_TYPES, RESULTS_FORMATS, serialize_triples
from kg.errors import Busy, KGError, QueryError, QueryTimeout, ReadOnly

_NUMERIC = {str(XSD.integer), str(XSD.decimal), str(XSD.double), str(XSD.boolean)}
_XSD_STRING = str(XSD.string)
RESULT_TYPES = list(RESULTS_FORMATS)
BOOLEAN_TYPES = RESULT_TYPES[:2]  # CSV and TSV have no boolean results
GRAPH_TYPES = GRAPH_MEDIA_TYPES
_QUEUE_WAIT = 5.0  # seconds a request may wait for a free executor before 503
_UPDATE = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_NAME_CHARS = re.compile(r"(?:[\w\-.:%]|\\[_~.\-!$&'()*+,;=/?#@%])+")
_VARNAME = re.compile(r"[\w\u00B7\u0300-\u036F\u203F-\u2040]+")
_LANGTAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")


def _unescape(sparql: str) -> str:
    """SPARQL allows \\u escapes anywhere in the query text (they are undone before parsing)."""
    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"invalid escape {m.group(0)}: not a Unicode character")
        return chr(code)
    return _UCHAR.sub(char, sparql)


def _words(sparql: str) -> list[str]:
    """The bare words (keywords) of a query, found by a tokenizer that follows SPARQL's terminals.

    Comments, strings, IRIs, variables, language tags and prefixed names (with their escapes,
    such as ``ex:a\\#``) are skipped as whole tokens, so nothing can hide a keyword from this
    scan. A variable ends where SPARQL's VARNAME ends (``?o.SERVICE`` is ``?o``, ``.``,
    ``SERVICE``), and a bare word never holds a ``.`` or ``-`` (``true.SERVICE`` gives both words).
    """
    return _scan(_unescape(sparql))


def _scan(s: str) -> list[str]:
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
        elif c == "#":
            j = s.find("\n", i)
            i = n if j < 0 else j + 1
        elif c in "\"'":
            quote = s[i : i + 3] if s[i : i + 3] in ('"""', "\'\'\'") else c
            j = i + len(quote)
            while j < n and not s.startswith(quote, j):
                j += 2 if s[j] == "\\" else 1
            i = j + len(quote)
        elif c == "<" and (m := _IRIREF.match(s, i)):
            i = m.end()
        elif c in "?$":
            m = _VARNAME.match(s, i + 1)
            i = m.end() if m else i + 1
        elif c == "@":  # a language tag
            m = _LANGTAG.match(s, i + 1)
            i = m.end() if m else i + 1
        elif c.isalpha() or c in "_:\\":
            m = _NAME_CHARS.match(s, i)
            # a name never ends in '.': a final '.' ends the triple pattern and is read next
            token = (m.group(0) if m else c).rstrip(".") or c
            i += len(token)
            if ":" not in token and "\\" not in token:
                out.extend(part.upper() for part in re.split(r"[.\-]", token) if part)
        else:
            i += 1
    return out


@dataclass(frozen=True)
class Inspection:
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    has_dataset: bool = False  # the query names its own dataset (FROM / FROM NAMED)


def inspect(sparql: str, max_length: int) -> Inspection:
    """Check a query before anything runs it: size, read-only, no federated SERVICE."""
    if len(sparql) > max_length:
        raise QueryError(f"query is {len(sparql):,} characters long; the limit is {max_length:,}")
    if not sparql.strip():
        raise QueryError("empty query")
    words = _words(sparql)
    # \u escapes are undone before parsing by the SPARQL spec, but some engines undo them only in
    # strings and IRIs: read the text both ways, and refuse what either reading finds
    for reading in (words, _scan(sparql)):
        if "SERVICE" in reading:
            raise QueryError("federated queries (SERVICE) are not allowed: this endpoint makes no outbound requests")
        first_update = next((i for i, w in enumerate(reading) if w in _UPDATE), None)
        if first_update is not None and not _FORMS & set(reading[:first_update]):
            raise ReadOnly("this endpoint is read-only: SPARQL updates are not accepted")
    for w in words:
        if w in _FORMS:
            return Inspection(w, "FROM" in words)
        if w in _UPDATE:
            raise ReadOnly("this endpoint is read-only: SPARQL updates are not accepted")
        if w not in ("PREFIX", "BASE"):
            break
    raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue")


def form_of(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword (the library's own queries, unchecked)."""
    return next((w for w in _words(sparql) if w in _FORMS), "SELECT")


_XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def check_query(sparql: str, base_iri: str | None = None) -> None:
    """Parse a user's query here, without running it, and refuse what must not reach the remote.

    rdflib's parser gives the algebra with every IRI resolved, so nothing can hide in escapes,
    comments or odd spacing: the query is refused if it contains a SERVICE pattern, or calls
    an extension function (any function IRI but an XSD cast). Engines attach their own
    functions to IRIs and some reach outside: Virtuoso's ``bif:http_get`` fetches URLs, and
    the remote runs outside our sandbox. SPARQL's own functions are keywords, not IRIs, so a
    standard query never needs one. A syntax error is our 400, never the remote's.
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        algebra = translateQuery(parseQuery(sparql), base=base_iri).algebra
    except Exception as e:  # noqa: BLE001 - pyparsing and rdflib raise many types; all mean "cannot read"
        msg = " ".join(str(e).split())[:300]
        raise QueryError(f"SPARQL syntax error (or a construct this endpoint cannot check): {msg}") from None
    stack, seen = [algebra], set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, CompValue):
            if x.name == "ServiceGraphPattern":
                raise QueryError("federated queries (SERVICE) are not allowed: this endpoint makes no outbound "
                                 "requests")
            iri = x.get("iri") if x.name == "Function" else None
            if iri is not None and not str(iri).startswith(_XSD_NS):
                raise QueryError(f"calls to extension functions such as <{iri}> are not allowed: the remote store "
                                 "may let them reach the network or its files; use SPARQL 1.1's built-in functions")
            stack.extend(x.values())
        elif isinstance(x, (list, tuple, set)):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.values())


@dataclass
class QueryResult:
    body: bytes
    media_type: str
    form: str
    truncated: bool = False


# ---- serialising results (runs in the executor) ------------------------------------------


def _term_json(t: Any) -> dict[str, str]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != _XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": {"subject": _term_json(t.subject), "predicate": _term_json(t.predicate),
                                        "object": _term_json(t.object)}}


def _term_xml(t: Any) -> str:
    if isinstance(t, ox.Triple):
        return (f"<triple><subject>{_term_xml(t.subject)}</subject><predicate>{_term_xml(t.predicate)}</predicate>"
                f"<object>{_term_xml(t.object)}</object></triple>")
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if t.language:
        return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
    if t.datatype.value != _XSD_STRING:
        return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
    return f"<literal>{escape(t.value)}</literal>"


def _term_tsv(t: Any) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.Literal) and t.datatype.value in _NUMERIC:
        return t.value
    return str(t).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def serialize_select(variables: list[str], rows: list[list[Any]], media_type: str) -> bytes:
    if media_type == "application/sparql-results+json":
        bindings = [{v: _term_json(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if media_type == "application/sparql-results+xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head>\n<results>")
        for row in rows:
            out.append("<result>" + "".join(f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
                                            for v, t in zip(variables, row) if t is not None) + "</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8")
    if media_type == "text/csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        for row in rows:
            w.writerow(["" if t is None else ("_:" + t.value) if isinstance(t, ox.BlankNode)
                        else str(t) if isinstance(t, ox.Triple) else t.value for t in row])
        return buf.getvalue().encode("utf-8")
    if media_type == "text/tab-separated-values":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join(_term_tsv(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise QueryError(f"cannot write SELECT results as {media_type}")


def serialize_boolean(value: bool, media_type: str) -> bytes:
    if media_type == "application/sparql-results+xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode("utf-8")
    return json.dumps({"head": {}, "boolean": bool(value)}).encode("utf-8")


def execute(db: Any, sparql: str, form: str, media_type: str | None, max_rows: int,
            kwargs: dict[str, Any]) -> QueryResult:
    """Run an inspected query on an open pyoxigraph store and serialise at most ``max_rows`` results."""
    try:
        res = db.query(sparql, **kwargs)
    except SyntaxError as e:
        raise QueryError(f"SPARQL syntax error: {e}") from None
    return serialize_result(res, form, media_type, max_rows)


def serialize_result(res: Any, form: str, media_type: str | None, max_rows: int) -> QueryResult:
    """pyoxigraph results (from the embedded or a remote store) in the negotiated type, cut at ``max_rows``."""
    if isinstance(res, ox.QueryBoolean):
        mt = media_type if media_type in BOOLEAN_TYPES else BOOLEAN_TYPES[0]
        return QueryResult(serialize_boolean(bool(res), mt), mt, form)
    if isinstance(res, ox.QuerySolutions) or hasattr(res, "variables"):  # a remote store's solutions too
        variables = [v.value for v in res.variables]
        rows: list[list[Any]] = []
        truncated = False
        for sol in res:
            if len(rows) == max_rows:
                truncated = True
                break
            rows.append([sol[i] for i in range(len(variables))])
        mt = media_type if media_type in RESULT_TYPES else RESULT_TYPES[0]
        return QueryResult(serialize_select(variables, rows, mt), mt, form, truncated)
    triples = []
    truncated = False
    for t in res:
        if len(triples) == max_rows:
            truncated = True
            break
        triples.append(t)
    mt = media_type if media_type in GRAPH_TYPES else GRAPH_TYPES[0]
    body = serialize_triples(triples, mt)
    return QueryResult(body, mt, form, truncated)


def _executor_main() -> None:
    """Executor process (``python -m kg.query``): answer pickled requests on stdin until EOF."""
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
    if unshare and os.environ.get("KG_QUERY_SANDBOX", "1") != "0":
        try:
            if subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=5).returncode == 0:
                return (unshare, "-rn")
        except (OSError, subprocess.SubprocessError):
            pass
    return ()


class _Executor:
    """One executor process, talked to over pipes (independent of how the parent was started)."""

    def __init__(self) -> None:
        import subprocess
        import sys

        self.proc = subprocess.Popen([*_sandbox(), sys.executable, "-m", "kg.query"], stdin=subprocess.PIPE,
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


class QueryService:
    """A small pool of executor processes shared by a web worker's threads."""

    def __init__(self, store: Any, *, timeout: float = 10.0, max_rows: int = 10000,
                 max_query_length: int = 20000, executors: int = 2) -> None:
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_query_length = max_query_length
        self.size = max(1, executors)
        self._idle: queue.Queue[_Executor] = queue.Queue()
        self._started = 0
        self._lock = threading.Lock()

    def _acquire(self) -> _Executor:
        with self._lock:
            if self._started < self.size:
                self._started += 1
                return _Executor()
        try:  # wait a little for a free executor (a busy server queues a few seconds, then says 503)
            return self._idle.get(timeout=min(_QUEUE_WAIT, self.timeout))
        except queue.Empty:
            raise Busy("all query processes are busy; try again shortly") from None

    def _replace(self) -> None:
        """Start a fresh executor in the background after one was killed."""
        def start() -> None:
            self._idle.put(_Executor())
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
            started.append(_Executor())
        for ex in started:
            self._idle.put(ex)


class RemoteQueryService:
    """Users' queries against a remote store: inspected and parsed here, run there within the deadline.

    Nothing reaches the remote unless ``inspect`` passed it (read-only, no SERVICE, length)
    and ``check_query`` parsed it (no SERVICE, no extension functions). The remote call has the same time limit as a local query
    (504 when passed; the request is abandoned and its connection closed), and reading stops
    after ``max_rows`` results, so neither a slow nor a huge answer holds a worker.
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


def wait_until(predicate: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


if __name__ == "__main__":
    _executor_main()
