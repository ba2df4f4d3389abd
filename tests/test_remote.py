"""The remote store against real SPARQL databases: Oxigraph server and Virtuoso.

Each engine test runs once per engine. An engine is the server CI started (its URL in
KG_TEST_OXIGRAPH / KG_TEST_VIRTUOSO), or one these tests start themselves: ``oxigraph
serve`` from the ``oxigraph`` package of the test extras, Virtuoso with
``scripts/virtuoso.sh`` where ``virtuoso-t`` is installed. A missing engine is a skip on
a developer machine and a failure in CI. Clients are real too: ``kg push``, ``kg build``
and ``kg serve`` as subprocesses, SPARQLWrapper against the served endpoint.
"""
from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from helpers import ENV, REPO, SEED
from helpers import free_port as _free_port
from kg.store import open_store
from kg.store.http import Remote
from kg.store.publish import canonical
from kg.store.remote import RemoteStore
from kg.uris import IRIs

CI = os.environ.get("CI") == "true"
EXAMPLES = sorted((REPO / "ontology" / "queries").glob("*.rq"))
MALI_IATI = REPO / "tests" / "iati" / "mali-2021.xml"
DIGEST = "https://w3id.org/results-kg/def#graphDigest"


@dataclass
class Engine:
    name: str
    query: str
    graph_store: str | None
    update: str | None
    stop: object = None  # a callable that stops a server we started
    notes: list[str] = field(default_factory=list)

    def args(self) -> list[str]:
        out = ["--endpoint", self.query]
        if self.graph_store:
            out += ["--graph-store", self.graph_store]
        if self.update:
            out += ["--update", self.update]
        return out

    def store(self) -> RemoteStore:
        return RemoteStore(Remote(self.query, self.graph_store, self.update, 60.0), IRIs(), query_timeout=30)

    def clear(self) -> None:
        """Drop every graph we publish (CI shares one server between modules; Virtuoso ignores DROP ALL)."""
        store = self.store()
        graphs = [*store.digests(), store.publication]
        update = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
        req = urllib.request.Request(self.update or self.query, data=urllib.parse.urlencode({"update": update}).encode(),
                                     method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
        urllib.request.urlopen(req, timeout=60).read()
        assert not store.digests() and store.current() is None


def _wait_http(url: str, seconds: float = 60) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=10).read()
            return True
        except urllib.error.HTTPError:
            return True  # it answers
        except OSError:
            time.sleep(0.2)
    return False


def oxigraph_binary() -> str | None:
    return shutil.which("oxigraph") or next((str(p) for p in [Path(sys.executable).parent / "oxigraph"] if p.exists()),
                                            None)


def start_oxigraph(folder: Path, *, union: bool = True) -> tuple[str, subprocess.Popen]:
    port = _free_port()
    cmd = [oxigraph_binary(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(cmd + (["--union-default-graph"] if union else []), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    assert _wait_http(base + "/query?query=ASK%7B%7D"), "oxigraph serve did not start"
    return base, proc


def _missing(what: str) -> None:
    if CI:
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not available here")


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def engine(request, tmp_path_factory):
    name = request.param
    if name == "oxigraph":
        base = os.environ.get("KG_TEST_OXIGRAPH")
        proc = None
        if not base:
            if not oxigraph_binary():
                _missing("the oxigraph server (pip install oxigraph)")
            base, proc = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
        eng = Engine(name, base + "/query", base + "/store", base + "/update")
        eng.stop = proc and (lambda: (proc.terminate(), proc.wait(20)))
    else:
        base = os.environ.get("KG_TEST_VIRTUOSO")
        folder = None
        if not base:
            if not shutil.which("virtuoso-t"):
                _missing("Virtuoso (Debian package virtuoso-opensource)")
            folder = tmp_path_factory.mktemp("virtuoso")
            http_port, sql_port = _free_port(), _free_port()
            r = subprocess.run(["bash", str(REPO / "scripts" / "virtuoso.sh"), "start", str(folder), str(http_port),
                                str(sql_port)], capture_output=True, text=True, timeout=180)
            assert r.returncode == 0, r.stdout + r.stderr
            base = f"http://127.0.0.1:{http_port}"
        eng = Engine(name, base + "/sparql", None, base + "/sparql")
        eng.stop = folder and (lambda: subprocess.run(["bash", str(REPO / "scripts" / "virtuoso.sh"), "stop",
                                                       str(folder)], capture_output=True, timeout=120))
    eng.clear()
    yield eng
    if eng.stop:
        eng.stop()


def kg(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          env={**os.environ, **ENV, **(env or {})}, timeout=timeout)


def local_digests(store_path: Path) -> dict[str, tuple[str, int]]:
    """What a push of this local store must leave on the remote: (digest, triples incl. the digest) per graph."""
    store = open_store(store_path)
    snap = store.snapshot()
    out = {}
    for g in snap.graph_names():
        nt = store.ntriples(snap, g)  # the graph as built
        assert len(list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))) == len(list(snap.quads(graph=ox.NamedNode(g))))
        _, digest, n = canonical(nt)
        out[g] = (digest, n + 1)
    return out


def remote_state(eng: Engine) -> dict[str, tuple[str, int]]:
    st = eng.store()
    digests = st.digests()
    counts = st.counts(digests)
    return {g: (d, counts[g]) for g, d in digests.items()}


def rows(results, loose: bool = False) -> list[tuple]:
    """Query results as comparable rows (terms as N-Triples strings), sorted.

    ``loose`` forgives what SPARQL leaves to the engine or Virtuoso is known to do
    differently (see docs/deploy.md): the order of GROUP_CONCAT's items and the language
    tag of its result, and a boolean expression's value returned as the integer 0 or 1.
    """
    if isinstance(results, ox.QueryBoolean):
        return [(bool(results),)]

    def term(t) -> str:
        if t is None:
            return ""
        if loose and isinstance(t, ox.Literal):
            value = {"true": "1", "false": "0"}.get(t.value, t.value) if t.datatype.value.endswith(
                ("#boolean", "#integer")) else t.value
            return ", ".join(sorted(value.split(", ")))
        return str(t)
    return sorted(tuple(term(t) for t in sol) for sol in results)


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory) -> Path:
    """The seed report and an IATI file: graphs of ontology, reference, report, activity, IATI organisations."""
    path = tmp_path_factory.mktemp("seed") / "store"
    r = kg("build", str(SEED), str(MALI_IATI), "--store", str(path), "-q")
    assert r.returncode == 0, r.stderr
    return path


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> tuple[Path, Path]:
    """Two local stores of the same 16 generated reports, the second with one figure changed in each."""
    root = tmp_path_factory.mktemp("corpora")
    gen = subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), str(root / "a"), "--count", "16"],
                         capture_output=True, text=True, env={**os.environ, **ENV})
    assert gen.returncode == 0, gen.stderr
    (root / "b").mkdir()
    for f in sorted((root / "a").glob("*.txt")):
        text, n = re.subn(r"\b(\d{2,3}) women\b", lambda m: f"{int(m.group(1)) + 1} women", f.read_text("utf-8"),
                          count=1)
        assert n == 1
        (root / "b" / f.name).write_text(text, encoding="utf-8")
    stores = []
    for name in ("a", "b"):
        r = kg("build", str(root / name), "--store", str(root / f"store-{name}"), "-q")
        assert r.returncode == 0, r.stderr
        stores.append(root / f"store-{name}")
    return stores[0], stores[1]


# ---- push ------------------------------------------------------------------------------------


def test_push_publishes_every_graph_and_answers_like_the_embedded_store(engine, seed_store):
    engine.clear()
    r = kg("push", "--store", str(seed_store), *engine.args())
    assert r.returncode == 0, r.stderr
    assert "verified the triple counts of 7 graphs" in r.stdout
    expected = local_digests(seed_store)
    assert remote_state(engine) == expected
    # every triple once: the default graph is a set, as on the embedded store (issue 12)
    every = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    counts = [int(next(iter(engine.store().snapshot().query(q)))["n"].value) for q in (every, distinct)]
    assert counts[0] == counts[1] > 10_000
    # the shipped example queries give the same answers from the remote as from the embedded store
    local = open_store(seed_store).snapshot()
    remote = engine.store().snapshot()
    assert EXAMPLES
    loose = engine.name == "virtuoso"
    for q in EXAMPLES:
        text = q.read_text(encoding="utf-8")
        assert rows(remote.query(text), loose) == rows(local.query(text), loose), q.name


def test_pushing_twice_changes_nothing(engine, seed_store):
    kg("push", "--store", str(seed_store), *engine.args())
    before = remote_state(engine)
    version = engine.store().current()
    r = kg("push", "--store", str(seed_store), *engine.args())
    assert r.returncode == 0, r.stderr
    assert "pushed 0 graphs (0 triples" in r.stdout and "7 unchanged" in r.stdout
    assert remote_state(engine) == before
    assert engine.store().current() == version


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_push_leaves_graphs_old_or_new_and_a_rerun_finishes(engine, corpora, how):
    old_store, new_store = corpora
    engine.clear()
    assert kg("push", "--store", str(old_store), *engine.args()).returncode == 0
    old, new = local_digests(old_store), local_digests(new_store)
    # the 16 report graphs and the statistics merged from them
    assert old.keys() == new.keys() and sum(old[g] != new[g] for g in old) == 17
    proc = subprocess.Popen([sys.executable, "-m", "kg", "push", "--store", str(new_store), *engine.args()],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **ENV})
    seen = 0
    for line in proc.stderr:  # interrupt once a few graphs have gone
        if " pushed " in line:
            seen += 1
            if seen == 4:
                proc.send_signal(how)
                break
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0, "the push finished before it could be interrupted"
    if how == signal.SIGINT:
        assert proc.returncode == 130 and "run the same command again" in err and "Traceback" not in err
    state = remote_state(engine)
    differ = [g for g in old if old[g] != new[g]]
    assert all(state[g] in (old[g], new[g]) for g in old), "a graph is neither wholly old nor wholly new"
    done = [g for g in differ if state[g] == new[g]]
    assert 3 <= len(done) < len(differ)
    r = kg("push", "--store", str(new_store), *engine.args())
    assert r.returncode == 0, r.stderr
    assert f"pushed {len(differ) - len(done)} graphs" in r.stdout  # the rerun sends only what is still old
    assert remote_state(engine) == new


def test_a_push_leaves_the_remote_holding_exactly_the_pushed_version(engine, corpora, seed_store):
    """A graph we published before that the local store no longer has (a removed report) is emptied."""
    engine.clear()
    assert kg("push", "--store", str(corpora[0]), *engine.args()).returncode == 0
    r = kg("push", "--store", str(seed_store), *engine.args())
    assert r.returncode == 0, r.stderr
    assert "16 removed" in r.stdout
    assert remote_state(engine) == local_digests(seed_store)


def test_build_straight_into_the_remote_and_a_failed_build_writes_nothing(engine, tmp_path):
    engine.clear()
    r = kg("build", str(SEED), *engine.args())
    assert r.returncode == 0, r.stderr
    assert "graphs pushed" in r.stdout and "verified" in r.stdout
    state = remote_state(engine)
    assert "https://w3id.org/results-kg/id/graph/report/MLI-2021" in state
    version = engine.store().current()
    bad = tmp_path / "bad.txt"
    bad.write_text("Progress in Mali in 2022\n\nno outcomes here\n", encoding="utf-8")
    changed = tmp_path / "MLI-2021.txt"
    changed.write_text(SEED.read_text("utf-8").replace("211 men", "212 men"), encoding="utf-8")
    r = kg("build", str(changed), str(bad), *engine.args())
    assert r.returncode == 1 and "bad.txt" in r.stderr
    assert remote_state(engine) == state and engine.store().current() == version


# ---- serving from the remote -------------------------------------------------------------------


def start_serve(engine_args: list[str], *, timeout: float = 3, extra_env: dict | None = None,
                wait: bool = True) -> tuple[str, subprocess.Popen]:
    port = _free_port()
    env = {**os.environ, **ENV, "KG_QUERY_TIMEOUT": str(timeout), "KG_MAX_ROWS": "100", "KG_WEB_WORKERS": "1",
           **(extra_env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port), *engine_args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    if wait and not _wait_http(base + "/healthz", 60):
        proc.kill()
        raise AssertionError("kg serve did not start: " + proc.stderr.read().decode()[-2000:])
    return base, proc


def get(url: str, accept: str = "text/html", timeout: float = 30) -> tuple[int, Any, bytes]:
    req = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()  # header names are case-insensitive (HTTPMessage)
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_serve_from_the_remote_store(engine, seed_store):
    engine.clear()
    assert kg("push", "--store", str(seed_store), *engine.args()).returncode == 0
    before = remote_state(engine)
    base, proc = start_serve(["--endpoint", engine.query])  # serving needs no write URL
    try:
        client = SPARQLWrapper(base + "/sparql")
        client.setReturnFormat(JSON)
        client.setQuery("PREFIX rkg: <https://w3id.org/results-kg/def#> "
                        "SELECT ?o ?status WHERE { ?n rkg:about ?o ; rkg:status ?status }")
        bindings = client.query().convert()["results"]["bindings"]
        statuses = sorted(b["status"]["value"].rsplit("#", 1)[-1] for b in bindings)
        assert statuses.count("PartiallyAchieved") == 5 and statuses.count("NotAchieved") == 2
        client.setQuery("ASK { ?s a <https://w3id.org/results-kg/def#Outcome> }")
        assert client.query().convert()["boolean"] is True
        # the row limit applies to the remote answer: over it, refused; within its own LIMIT, whole
        status, headers, body = get(base + "/sparql?" + urllib.parse.urlencode(
            {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"}), "text/csv")
        assert status == 422 and b"100 rows" in body
        status, headers, body = get(base + "/sparql?" + urllib.parse.urlencode(
            {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100"}), "text/csv")
        assert status == 200 and body.decode().count("\r\n") == 101
        # a CONSTRUCT comes back in the negotiated syntax
        status, headers, body = get(base + "/sparql?" + urllib.parse.urlencode(
            {"query": "CONSTRUCT WHERE { ?s a <https://w3id.org/results-kg/def#Outcome> }"}), "text/turtle")
        assert status == 200 and headers["Content-Type"].startswith("text/turtle")
        assert len(list(ox.parse(body, format=ox.RdfFormat.TURTLE))) == 8
        # updates never reach the remote
        for data in ({"update": "DROP ALL"}, {"query": "DROP ALL"}):
            req = urllib.request.Request(base + "/sparql", data=urllib.parse.urlencode(data).encode(), method="POST")
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(req, timeout=10)
            assert e.value.code == 403
        assert remote_state(engine) == before
        # linked data and pages come from the remote
        status, headers, body = get(base + "/id/graph/report/MLI-2021", "text/html")
        assert status == 200 and b"MLI-2021" in body
        status, headers, body = get(base + "/id/graph/report/MLI-2021", "text/turtle")
        assert status == 200 and b"graphDigest" in body
        status, _, body = get(base + "/search?q=mopti")
        assert status == 200 and b"Mopti" in body
        status, _, body = get(base + "/", "text/html")
        assert status == 200 and b"MLI-2021" in body
        status, _, _ = get(base + "/dumps/results-kg.nt.gz", "*/*")
        assert status == 404
        # an IATI activity's page, with its chart of target against actual, from the remote
        status, _, body = get(base + "/id/activity/XM-DAC-41146-MLI-2021-GOV", "text/html")
        assert status == 200 and body.count(b'<rect class="bar actual"') == 2 and b"(female, ML-4)" in body
    finally:
        proc.terminate()
        proc.wait(20)


def test_service_is_refused_before_anything_reaches_the_remote(engine, seed_store):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    assert kg("push", "--store", str(seed_store), *engine.args()).returncode == 0
    base, proc = start_serve(["--endpoint", engine.query])
    try:
        q = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        status, _, body = get(base + "/sparql?" + urllib.parse.urlencode({"query": q}), "text/plain")
        assert status == 400 and b"SERVICE" in body
        # extension functions that reach out (Virtuoso's bif:http_get) never get to the remote either
        for q in (f'PREFIX bif: <bif:> SELECT (bif:http_get("http://127.0.0.1:{port}/") AS ?x) {{}}',
                  f'SELECT ?s WHERE {{ ?s ?p ?o FILTER(<bif:http_get>("http://127.0.0.1:{port}/")) }} LIMIT 1'):
            status, _, body = get(base + "/sparql?" + urllib.parse.urlencode({"query": q}),
                                  "application/sparql-results+json")
            assert status == 400 and b"extension functions" in body, body
        # while XSD casts and built-ins pass
        q = 'PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (xsd:integer("7") + STRLEN("ab") AS ?n) {}'
        status, _, body = get(base + "/sparql?" + urllib.parse.urlencode({"query": q}), "text/csv")
        assert status == 200 and body.decode().split()[-1] == "9"
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()
        proc.terminate()
        proc.wait(20)


# ---- failure of the remote (engine-independent) ---------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A loopback HTTP server that records requests and answers as told (slow, or 401)."""

    seen: list = []
    delay = 0.0
    status = 401

    def _answer(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        body = urllib.parse.unquote_plus(self.rfile.read(n).decode("utf-8", "replace"))
        type(self).seen.append((self.command, self.path, dict(self.headers)))
        if type(self).status == 200 and "graph/publication" in body:  # the version check answers at once
            data = (b'{"head":{},"boolean":true}' if body.lstrip().startswith("ASK") else
                    b'{"head":{"vars":["v"]},"results":{"bindings":[{"v":{"type":"literal","value":"v1"}}]}}')
            self._send(200, "application/sparql-results+json", data)
            return
        time.sleep(type(self).delay)
        self._send(type(self).status, "text/plain", b"no")

    def _send(self, status: int, ctype: str, data: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def recorder():
    _Recorder.seen = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv, f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_remote_down_or_slow_gives_502_or_504_quickly(tmp_path, seed_store, recorder):
    if not oxigraph_binary():
        _missing("the oxigraph server")
    base_ox, ox_proc = start_oxigraph(tmp_path / "ox")
    q = base_ox + "/query"
    assert kg("push", "--store", str(seed_store), "--endpoint", q, "--graph-store", base_ox + "/store").returncode == 0
    base, proc = start_serve(["--endpoint", q], timeout=2)
    try:
        assert get(base + "/id/graph/report/MLI-2021")[0] == 200
        ox_proc.kill()
        ox_proc.wait(10)
        time.sleep(1.2)  # past the version recheck
        for path, accept in (("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
                             ("/id/graph/report/MLI-2021", "text/html"), ("/", "text/html")):
            t = time.monotonic()
            status, _, body = get(base + path, accept)
            assert status == 502, (path, status, body[:200])
            assert time.monotonic() - t < 5
            assert b"data store" in body and b"Traceback" not in body
            assert f":{q.rsplit(':', 1)[1].split('/')[0]}".encode() not in body  # the remote's address stays ours
    finally:
        proc.terminate()
        proc.wait(20)
    # a remote that answers its version but is slow for anything else: 504 after the query timeout, not a hang
    srv, slow = recorder
    _Recorder.delay, _Recorder.status = 30.0, 200
    base, proc = start_serve(["--endpoint", slow + "/sparql"], timeout=2)
    try:
        for path, accept in (("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
                             ("/id/graph/report/MLI-2021", "text/html")):
            t = time.monotonic()
            status, _, body = get(base + path, accept)
            assert status == 504, (path, status, body[:200])
            assert time.monotonic() - t < 6
    finally:
        proc.terminate()
        proc.wait(20)


def test_credentials_are_sent_and_never_shown(seed_store, recorder):
    srv, url = recorder
    _Recorder.delay, _Recorder.status = 0.0, 401
    token = "s3cret-token-value"
    r = kg("push", "--store", str(seed_store), "--endpoint", url + "/query", "--graph-store", url + "/store",
           env={"KG_REMOTE_TOKEN": token})
    assert r.returncode == 3 and "refused our credentials" in r.stderr
    assert token not in r.stdout + r.stderr and "Traceback" not in r.stderr
    assert _Recorder.seen and all(h.get("Authorization") == f"Bearer {token}" for _, _, h in _Recorder.seen)
    _Recorder.seen = []
    r = kg("push", "--store", str(seed_store), "--endpoint", url + "/query", "--graph-store", url + "/store",
           env={"KG_REMOTE_USER": "ann", "KG_REMOTE_PASSWORD": "pa55word", "KG_REMOTE_TOKEN": ""})
    assert "pa55word" not in r.stdout + r.stderr
    assert _Recorder.seen[0][2].get("Authorization") == "Basic YW5uOnBhNTV3b3Jk"
    # credentials in a URL are refused, and not echoed
    r = kg("push", "--store", str(seed_store), "--endpoint", "http://ann:pa55word@127.0.0.1:9/query")
    assert r.returncode == 2 and "pa55word" not in r.stderr and "KG_REMOTE_USER" in r.stderr


def test_a_remote_whose_default_graph_is_not_the_union(tmp_path, seed_store):
    """Oxigraph without --union-default-graph: the graphs are named in each request instead."""
    if not oxigraph_binary():
        _missing("the oxigraph server")
    base, proc = start_oxigraph(tmp_path / "ox", union=False)
    try:
        eng = Engine("oxigraph-plain", base + "/query", base + "/store", None)
        assert kg("push", "--store", str(seed_store), *eng.args()).returncode == 0
        store = eng.store()
        assert store.union_default() is False
        local = open_store(seed_store).snapshot()
        for q in EXAMPLES:
            text = q.read_text(encoding="utf-8")
            assert rows(store.snapshot().query(text)) == rows(local.query(text)), q.name
    finally:
        proc.terminate()
        proc.wait(20)


def test_push_to_a_remote_that_is_not_there(seed_store):
    port = _free_port()
    t = time.monotonic()
    r = kg("push", "--store", str(seed_store), "--endpoint", f"http://127.0.0.1:{port}/query",
           "--graph-store", f"http://127.0.0.1:{port}/store")
    assert r.returncode == 3 and "cannot reach the remote store" in r.stderr and "Traceback" not in r.stderr
    assert f"127.0.0.1:{port}" in r.stderr and time.monotonic() - t < 30
    r = kg("push", "--store", str(seed_store), "--endpoint", f"http://127.0.0.1:{port}/query")
    assert r.returncode == 2 and "--graph-store" in r.stderr


@pytest.mark.parametrize("phase", ["headers", "body"])
def test_a_trickling_remote_is_cut_off_at_the_deadline(phase):
    """A remote sending a byte every 0.2 s never trips a per-read timeout; the deadline still holds."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n"
        body = b'{"head":{"vars":["v"]},"results":{"bindings":[' + b" " * 10_000
        data = head + body if phase == "headers" else body
        if phase == "body":
            conn.sendall(head)
        for i in range(len(data)):
            if stop.is_set():
                break
            try:
                conn.sendall(data[i:i + 1])
            except OSError:
                break
            time.sleep(0.2)
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/query"
    store = RemoteStore(Remote(url), IRIs(), query_timeout=2)
    t = time.monotonic()
    from kg.errors import RemoteTimeout

    with pytest.raises(RemoteTimeout):
        list(store.select("SELECT ?v WHERE { ?s ?p ?v }"))
    assert time.monotonic() - t < 4
    stop.set()
    listener.close()


def test_a_redirect_is_not_followed_and_credentials_go_nowhere_else(seed_store, recorder):
    srv, url = recorder

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(302)
            self.send_header("Location", url + "/stolen")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_PUT = do_POST

        def log_message(self, *args) -> None:
            pass

    redirector = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=redirector.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{redirector.server_address[1]}"
        r = kg("push", "--store", str(seed_store), "--endpoint", base + "/query", "--graph-store", base + "/store",
               env={"KG_REMOTE_TOKEN": "tok-123"})
        assert r.returncode == 3 and "redirect" in r.stderr and "tok-123" not in r.stderr
        assert not _Recorder.seen, "a redirect was followed"
    finally:
        redirector.shutdown()
