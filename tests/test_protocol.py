"""The published service over real HTTP: `kg serve` (Granian) on loopback, driven by SPARQLWrapper,
by plain HTTP requests, and by the W3C SPARQL 1.1 Protocol test manifest."""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from helpers import KASEI, QUERY_TIMEOUT, W3C, server_store
from kg.uris import IRIs
from web.urls import Urls


@pytest.fixture(scope="module")
def server(live_server):
    return live_server


def _request(base: str, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    conn.close()
    return r.status, hdrs, data


def _get(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return _request(base, "GET", path, headers=headers)


def _wrapper(base: str, query: str) -> SPARQLWrapper:
    w = SPARQLWrapper(base + "/sparql")
    w.setQuery(query)
    return w


# ---- SPARQLWrapper: every query form and result format ----------------------------------

SELECT = ("PREFIX rkg: <https://w3id.org/results-kg/def#> SELECT ?note ?status WHERE { ?note rkg:status ?status } "
          "ORDER BY ?note")


@pytest.mark.parametrize("method", ["GET", POST, POSTDIRECTLY])
def test_select_json_with_every_request_method(server, method):
    w = _wrapper(server, SELECT)
    w.setReturnFormat(JSON)
    if method == POSTDIRECTLY:
        w.setMethod(POST)
        w.setRequestMethod(POSTDIRECTLY)
    elif method == POST:
        w.setMethod(POST)
    rows = w.query().convert()["results"]["bindings"]
    assert len(rows) == 8
    assert {r["status"]["value"].rsplit("#", 1)[1] for r in rows} == {"PartiallyAchieved", "NotAchieved",
                                                                       "StatusNotStated"}


def test_select_xml_csv_tsv(server):
    w = _wrapper(server, SELECT)
    w.setReturnFormat(XML)
    doc = w.query().convert()
    assert len(doc.getElementsByTagName("result")) == 8
    w.setReturnFormat(CSV)
    csv_text = w.query().convert().decode("utf-8")
    assert csv_text.splitlines()[0] == "note,status" and len(csv_text.strip().splitlines()) == 9
    w.setReturnFormat(TSV)
    tsv = w.query().convert().decode("utf-8").splitlines()
    assert tsv[0] == "?note\t?status" and tsv[1].startswith("<https://w3id.org/results-kg/id/note/")


def test_ask_json_and_xml(server):
    w = _wrapper(server, "ASK { ?s a <https://w3id.org/results-kg/def#Report> }")
    w.setReturnFormat(JSON)
    assert w.query().convert()["boolean"] is True
    w.setReturnFormat(XML)
    assert w.query().convert().getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt, parser", [(TURTLE, "turtle"), (RDFXML, "xml"), (JSONLD, "json-ld"), (N3, "turtle")])
def test_construct_and_describe_in_rdf_formats(server, fmt, parser):
    q = ("CONSTRUCT { ?r <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { ?r a "
         "<https://w3id.org/results-kg/def#Report> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    w = _wrapper(server, q)
    w.setReturnFormat(fmt)
    res = w.query().convert()
    g = res if isinstance(res, rdflib.Graph) else rdflib.Graph().parse(data=res, format=parser)
    assert len(g) == 1
    w = _wrapper(server, "DESCRIBE <https://w3id.org/results-kg/id/report/MLI-2021>")
    w.setReturnFormat(fmt)
    res = w.query().convert()
    g = res if isinstance(res, rdflib.Graph) else rdflib.Graph().parse(data=res, format=parser)
    assert (rdflib.URIRef("https://w3id.org/results-kg/id/report/MLI-2021"), None, None) in g


# ---- the W3C SPARQL 1.1 Protocol test suite (query tests) ---------------------------------

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")


def _manifest_tests() -> list[tuple[str, list[dict]]]:
    g = rdflib.Graph().parse(W3C / "manifest.ttl", format="turtle")
    manifest = next(g.subjects(rdflib.RDF.type, MF.Manifest))
    entries = list(rdflib.collection.Collection(g, g.value(manifest, MF.entries)))
    tests = []
    for e in entries:
        name = str(e).rsplit("#", 1)[1]
        # The endpoint is read-only by design: the update tests that expect success do not apply.
        if not (name.startswith("query_") or name.startswith("bad_")):
            continue
        action = g.value(e, MF.action)
        requests = []
        for req in rdflib.collection.Collection(g, g.value(action, HT.requests)):
            body_node = g.value(req, HT.body)
            headers = {}
            hlist = g.value(req, HT.headers)
            if hlist is not None:
                for h in rdflib.collection.Collection(g, hlist):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            resp = g.value(req, HT.resp)
            requests.append({
                "method": str(g.value(req, HT.methodName)),
                "path": str(g.value(req, HT.absolutePath)),
                "body": str(g.value(body_node, CNT.chars)) if body_node is not None else None,
                "encoding": str(g.value(body_node, CNT.characterEncoding) or "UTF-8") if body_node is not None else None,
                "headers": headers,
                "status": {str(s).rsplit("#", 1)[1] for s in g.objects(resp, MF.expectedStatus)},
                "boolean": g.value(resp, MF.expectedBoolean),
                "format": str(g.value(resp, MF.expectedFormat) or ""),
            })
        tests.append((name, requests))
    return tests


W3C_TESTS = _manifest_tests()


def test_the_manifest_has_the_query_tests():
    names = {n for n, _ in W3C_TESTS}
    assert {"query_post_form", "query_dataset_full", "query_multiple_dataset", "bad_query_non_utf8",
            "bad_query_wrong_media_type", "bad_update_get"} <= names
    assert len([n for n in names if n.startswith("query_")]) == 13


@pytest.mark.parametrize("name, requests", W3C_TESTS, ids=[n for n, _ in W3C_TESTS])
def test_w3c_protocol(server, name, requests):
    for req in requests:
        path = req["path"].replace("/sparql/", "/sparql", 1)
        body = None
        if req["body"] is not None:
            body = req["body"].encode("utf-8")
            if req["encoding"].upper() not in ("UTF-8", "UTF8"):
                body = req["body"].encode(req["encoding"])
        status, headers, data = _request(server, req["method"], path, body, req["headers"])
        classes = {f"StatusCode{status // 100}xx"}
        assert classes & req["status"], f"{name}: {status} not in {req['status']}: {data[:300]!r}"
        if status >= 400:
            continue
        ctype = headers.get("content-type", "").split(";")[0]
        if req["format"] == "boolean" or req["boolean"] is not None:
            assert ctype in ("application/sparql-results+json", "application/sparql-results+xml")
            value = json.loads(data)["boolean"] if ctype.endswith("json") else \
                ET.fromstring(data).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"
            if req["boolean"] is not None:
                assert value == req["boolean"].toPython(), name
        elif req["format"] == "tabular":
            assert ctype in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                             "text/tab-separated-values")
        elif req["format"] == "RDF":
            assert ctype in ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")


# ---- linked data over HTTP -----------------------------------------------------------------


def test_content_negotiation_with_q_values_and_406(server):
    status, h, body = _get(server, "/id/report/MLI-2021",
                           {"Accept": "application/rdf+xml;q=0.5, text/turtle;q=0.9, text/html;q=0.1"})
    assert status == 200 and h["content-type"].startswith("text/turtle") and "Accept" in h["vary"]
    assert b"rkg:Report" in body
    status, h, body = _get(server, "/id/report/MLI-2021", {"Accept": "text/html"})
    assert status == 200 and h["content-type"].startswith("text/html")
    status, h, body = _get(server, "/id/report/MLI-2021", {"Accept": "image/png"})
    assert status == 406 and b"text/turtle" in body and b"application/ld+json" in body


@pytest.mark.parametrize("ext, ctype, parser", [(".ttl", "text/turtle", "turtle"), (".nt", "application/n-triples", "nt"),
                                                (".rdf", "application/rdf+xml", "xml"),
                                                (".jsonld", "application/ld+json", "json-ld")])
def test_explicit_format_urls(server, ext, ctype, parser):
    status, h, body = _get(server, "/id/place/ML-4" + ext)
    assert status == 200 and h["content-type"].startswith(ctype)
    g = rdflib.Graph().parse(data=body, format=parser)
    place = rdflib.URIRef("https://w3id.org/results-kg/id/place/ML-4")
    assert (place, rdflib.URIRef("https://w3id.org/results-kg/def#iso3166Code"), rdflib.Literal("ML-4")) in g
    assert (None, None, place) in g  # incoming links are part of the description


def test_etag_and_304(server):
    status, h, _ = _get(server, "/id/place/ML-4", {"Accept": "text/turtle"})
    assert status == 200 and h["etag"] and "max-age" in h["cache-control"]
    status, h2, body = _get(server, "/id/place/ML-4", {"Accept": "text/turtle", "If-None-Match": h["etag"]})
    assert status == 304 and body == b""
    status, h3, _ = _get(server, "/id/place/ML-4", {"Accept": "application/ld+json", "If-None-Match": h["etag"]})
    assert status == 200 and h3["etag"] != h["etag"]


def test_unknown_iri_is_404_with_a_search_box(server):
    status, h, body = _get(server, "/id/place/Atlantis", {"Accept": "text/html"})
    assert status == 404 and b"<form" in body and b"search" in body.lower()


def test_non_ascii_iri_round_trips(server, make_app):
    status, _, body = _get(server, "/id/place/S%C3%A9gou-test", {"Accept": "application/n-triples"})
    assert status == 200 and '"Ségou test"'.encode() in body
    assert "<https://w3id.org/results-kg/id/place/Ségou-test>".encode() in body
    # the IRI form (unescaped) is read the same way by the app; over HTTP, as HTTP/1.1 requires, clients
    # send request lines percent-encoded, as browsers do
    app = make_app(server_store(server))  # the same store, read in-process
    r = app.test_client().get("/id/place/Ségou-test", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and '"Ségou test"'.encode() in r.data


def test_ontology_shapes_void_dumps_health(server):
    status, h, body = _get(server, "/def", {"Accept": "text/turtle"})
    assert status == 200 and b"rkg:ProgressNote" in body
    status, h, body = _get(server, "/def", {"Accept": "text/html"})
    assert status == 200 and b"Progress note" in body
    status, h, body = _get(server, "/shapes", {"Accept": "text/turtle"})
    assert status == 200 and b"sh:NodeShape" in body
    status, h, body = _get(server, "/.well-known/void", {"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=body, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert (None, void.sparqlEndpoint, rdflib.URIRef(server + "/sparql")) in g
    dumps = list(g.objects(None, void.dataDump))
    assert len(dumps) == 4
    for url in dumps:  # the RDF itself (plain to a client that does not ask for gzip), and the gzip file beside it
        status, h, data = _get(server, urllib.parse.urlsplit(str(url)).path)
        assert status == 200 and data[:2] != b"\x1f\x8b" and h["content-type"].split(";")[0] in (
            "application/n-triples", "text/turtle", "application/trig", "application/n-quads")
        status, h, data = _get(server, urllib.parse.urlsplit(str(url)).path + ".gz")
        assert status == 200 and data[:2] == b"\x1f\x8b"
    status, h, body = _get(server, "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"


def test_void_counts_what_count_star_counts(server):
    """VoID's triple count is what a federating engine counts through the endpoint: the default
    graph is a set, so COUNT(*), the distinct triples and void:triples agree."""
    _, _, body = _get(server, "/.well-known/void", {"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=body, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dataset = rdflib.URIRef(IRIs().whole_dataset())
    declared = int(g.value(dataset, void.triples))
    counted = {}
    for name, q in (("all", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
                    ("distinct", "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")):
        w = _wrapper(server, q)
        w.setReturnFormat(JSON)
        counted[name] = int(w.query().convert()["results"]["bindings"][0]["n"]["value"])
    assert declared == counted["all"] == counted["distinct"] > 10_000
    # a subset per named graph, each with the size a COUNT over that graph gives
    subsets = [s for s in g.objects(dataset, void.subset) if (s, rdflib.RDF.type, void.Linkset) not in g]
    w = _wrapper(server, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    w.setReturnFormat(JSON)
    sizes = {b["g"]["value"]: int(b["n"]["value"]) for b in w.query().convert()["results"]["bindings"]}
    assert {str(s): int(g.value(s, void.triples)) for s in subsets} == sizes and len(sizes) >= 5
    # a linkset per dataset we link to, counting what a query counts
    for name, prefix in (("wikidata", "http://www.wikidata.org/entity/"), ("geonames", "https://sws.geonames.org/")):
        linkset = rdflib.URIRef(server + f"/.well-known/void#linkset-{name}")
        assert (dataset, void.subset, linkset) in g and (linkset, rdflib.RDF.type, void.Linkset) in g
        w = _wrapper(server, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?o WHERE { "
                     f"?s <http://www.w3.org/2004/02/skos/core#exactMatch> ?o FILTER(STRSTARTS(STR(?o), '{prefix}')) }} }}")
        w.setReturnFormat(JSON)
        assert int(g.value(linkset, void.triples)) == int(w.query().convert()["results"]["bindings"][0]["n"]["value"]) > 250


def test_service_description_for_programs_and_query_page_for_browsers(server):
    status, h, body = _get(server, "/sparql", {"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=body, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (rdflib.URIRef(server + "/sparql"), sd.endpoint, rdflib.URIRef(server + "/sparql")) in g
    assert (None, sd.name, rdflib.URIRef(KASEI + "data1.rdf")) in g
    status, h, _ = _get(server, "/sparql", {"Accept": "text/html"})
    assert status in (302, 303) and "/query" in h["location"]


# ---- safe by default --------------------------------------------------------------------


def _count_triples(server: str) -> int:
    w = _wrapper(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    w.setReturnFormat(JSON)
    return int(w.query().convert()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("how", ["form", "direct", "get", "query-param"])
def test_updates_are_refused_and_change_nothing(server, how):
    before = _count_triples(server)
    update = "DELETE WHERE { ?s ?p ?o }"
    if how == "form":
        r = _request(server, "POST", "/sparql", urllib.parse.urlencode({"update": update}).encode(),
                     {"Content-Type": "application/x-www-form-urlencoded"})
    elif how == "direct":
        r = _request(server, "POST", "/sparql", update.encode(), {"Content-Type": "application/sparql-update"})
    elif how == "get":
        r = _get(server, "/sparql?" + urllib.parse.urlencode({"update": update}))
    else:
        r = _get(server, "/sparql?" + urllib.parse.urlencode({"query": update}))
    assert 400 <= r[0] < 500
    assert _count_triples(server) == before


def test_service_is_refused_without_any_outbound_connection(server):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(1.5)
    port = listener.getsockname()[1]
    q = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    status, _, body = _get(server, "/sparql?" + urllib.parse.urlencode({"query": q}))
    assert status == 400 and b"SERVICE" in body
    for variant in (f"select * {{ service silent <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
                    f"SELECT * WHERE {{ # comment\n SeRvIcE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"):
        assert _get(server, "/sparql?" + urllib.parse.urlencode({"query": variant}))[0] == 400
    with pytest.raises(socket.timeout):
        listener.accept()  # nobody ever connected
    listener.close()


def test_runaway_query_is_stopped_and_others_keep_being_answered(server):
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    result: dict = {}

    def run() -> None:
        t0 = time.time()
        result["status"] = _get(server, "/sparql?" + urllib.parse.urlencode({"query": runaway}))[0]
        result["seconds"] = time.time() - t0

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.5)
    answered = []
    while t.is_alive():
        t0 = time.time()
        status, _, _ = _get(server, "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))
        answered.append((status, time.time() - t0))
        time.sleep(0.2)
    t.join()
    assert result["status"] == 503
    assert QUERY_TIMEOUT - 0.5 < result["seconds"] < QUERY_TIMEOUT + 5
    assert answered and all(s == 200 for s, _ in answered)
    assert max(d for _, d in answered) < QUERY_TIMEOUT  # not queued behind the runaway query
    assert _get(server, "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))[0] == 200


def test_a_result_over_the_row_limit_is_refused_never_cut(server):
    """Programs never read a cut result as whole: over the limit a query gets 422 naming it; with its own
    LIMIT it is answered whole; the service description states the limit and the timeout."""
    from urllib.error import HTTPError

    for q in ("SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"):
        w = _wrapper(server, q)
        w.setReturnFormat(JSON if q.startswith("SELECT") else TURTLE)
        with pytest.raises(HTTPError) as e:
            w.query()
        assert e.value.code == 422 and b"1,000" in e.value.read() and "x-sparql-maxrows" not in e.value.headers
    w = _wrapper(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 1000")
    w.setReturnFormat(JSON)
    assert len(w.query().convert()["results"]["bindings"]) == 1000
    _, _, body = _get(server, "/sparql", {"Accept": "text/turtle"})
    sd = rdflib.Graph().parse(data=body, format="turtle")
    rkg = rdflib.Namespace("https://w3id.org/results-kg/def#")
    assert int(sd.value(rdflib.URIRef(server + "/sparql"), rkg.resultRowLimit)) == 1000
    assert float(sd.value(rdflib.URIRef(server + "/sparql"), rkg.queryTimeout)) == QUERY_TIMEOUT


def test_a_federating_engine_gets_an_error_not_a_wrong_count(server):
    """Oxigraph federating through our endpoint (SERVICE): counting every triple fails with our 422, where
    it used to count the first 1,000 and say nothing; paged with LIMIT it counts right."""
    engine = ox.Store()
    with pytest.raises(OSError, match="422"):
        list(engine.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{server}/sparql> {{ ?s ?p ?o }} }}"))
    total = 0
    for offset in range(0, 1_000_000, 1000):  # the paging a client does once it knows the limit
        (row,) = engine.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{server}/sparql> {{ SELECT * WHERE "
                              f"{{ ?s ?p ?o }} ORDER BY ?s ?p ?o LIMIT 1000 OFFSET {offset} }} }}")
        total += int(row["n"].value)
        if int(row["n"].value) < 1000:
            break
    w = _wrapper(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    w.setReturnFormat(JSON)
    assert total == int(w.query().convert()["results"]["bindings"][0]["n"]["value"]) > 10_000


def test_query_length_and_syntax_errors_are_400_with_position(server):
    status, _, body = _get(server, "/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p }"}))
    assert status == 400 and b"1:" in body
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30000
    status, _, body = _request(server, "POST", "/sparql", long_query.encode(),
                               {"Content-Type": "application/sparql-query"})
    assert status == 400 and b"limit" in body


def test_cors_on_reads(server):
    status, h, _ = _get(server, "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}), {"Origin": "https://x.example"})
    assert h["access-control-allow-origin"] == "*"
    status, h, _ = _request(server, "OPTIONS", "/sparql", headers={
        "Origin": "https://x.example", "Access-Control-Request-Method": "POST"})
    assert status == 204 and "POST" in h["access-control-allow-methods"]


def test_hyphenated_prefix_names_are_not_keywords(server):
    # regression: "PREFIX sdmx-code: <…>" was read as the keyword-like word "sdmx"
    q = ("PREFIX sdmx-code: <http://purl.org/linked-data/sdmx/2009/code#> PREFIX rkg: <https://w3id.org/results-kg/def#> "
         "SELECT (COUNT(?f) AS ?n) WHERE { ?f rkg:sex sdmx-code:sex-F }")
    status, _, body = _get(server, "/sparql?" + urllib.parse.urlencode({"query": q}))
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0


@pytest.mark.parametrize("path, accept", [("/", "text/html"), ("/search?q=segou", "text/html"), ("/query", "text/html"),
                                          ("/def", "text/html"), ("/.well-known/void", "text/turtle"),
                                          ("/shapes", "text/turtle"), ("/healthz", "application/json")])
def test_every_representation_can_be_revalidated(server, path, accept):
    status, h, _ = _get(server, path, {"Accept": accept})
    assert status == 200 and h.get("etag") and h.get("cache-control")
    if "no-store" not in h["cache-control"]:
        status, _, body = _get(server, path, {"Accept": accept, "If-None-Match": h["etag"]})
        assert status == 304 and body == b""


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ ?s ?p ?o .SERVICE <http://127.0.0.1:{port}/sparql> {{ ?a ?b ?c }} }} LIMIT 1",
    "PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ?o . OPTIONAL {{ ?s ex:a\\# ?o }} "
    "SERVICE <http://127.0.0.1:{port}/a> {{ ?a ?b ?c }} }} LIMIT 1",
    "PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ex:a\\' ?o . SERVICE <http://127.0.0.1:{port}/h> {{ ?a ?b ?c }} "
    "FILTER(?o = 'x') }}",
    "SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/u> {{ ?a ?b ?c }} }}",
    # second review: a variable, a language tag or a boolean glued to SERVICE by a '.', and \u0022
    # escapes that the spec undoes everywhere but engines only inside strings
    "SELECT * WHERE {{ ?s ?p ?o.SERVICE <http://127.0.0.1:{port}/v> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ ?s ?p \"x\"@en.SERVICE <http://127.0.0.1:{port}/l> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ ?s ?p true.SERVICE <http://127.0.0.1:{port}/t> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ BIND(\"a\\u0022 != \" AS ?a) SERVICE <http://127.0.0.1:{port}/q> {{ ?x ?y ?w }} "
    "BIND(\" || \\u0022d\" AS ?z) }}",
])
def test_service_hidden_by_lexical_tricks_is_still_refused(server, template):
    # regressions from review: a '.' before SERVICE, escapes in prefixed names, \u escapes
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(1.0)
    q = template.format(port=listener.getsockname()[1])
    status, _, body = _get(server, "/sparql?" + urllib.parse.urlencode({"query": q}))
    assert status == 400 and b"SERVICE" in body
    with pytest.raises(socket.timeout):
        listener.accept()
    listener.close()


def test_query_executors_have_no_network_where_the_system_allows_it():
    import subprocess
    import sys

    from kg.query.executor import _sandbox

    prefix = _sandbox()
    if not prefix:
        pytest.skip("unprivileged network namespaces are not available here; the lexical check is the guard")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    code = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2)"
    r = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and ("unreachable" in r.stderr or "refused" in r.stderr)
    listener.close()


def test_from_in_the_query_is_honoured(server):
    def count(q: str) -> int:
        status, _, body = _get(server, "/sparql?" + urllib.parse.urlencode({"query": q}))
        assert status == 200, body
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    whole = count("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    onto = count("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/results-kg/def> { ?s ?p ?o }")
    assert 0 < onto < whole
    assert count("SELECT (COUNT(*) AS ?n) FROM <urn:nothing> { ?s ?p ?o }") == 0


def test_queries_the_engine_cannot_evaluate_are_400_and_the_executor_survives(server):
    q = "SELECT ?t { BIND(TRIPLE(<a:b>, <a:b>, <a:b>) AS ?t) }"
    for fmt in ("json", "xml", "csv", "tsv"):
        status, _, body = _get(server, "/sparql?" + urllib.parse.urlencode({"query": q, "format": fmt}))
        assert status in (200, 400), body
    status, _, _ = _get(server, "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}))
    assert status == 200


def test_head_wildcards_and_oversized_bodies(server):
    status, h, body = _request(server, "HEAD", "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}))
    assert status == 200 and body == b""
    status, h, body = _get(server, "/sparql", {"Accept": "*/*"})
    assert status == 200 and h["content-type"].startswith("text/turtle")  # programs get the Service Description
    status, h, body = _get(server, "/sparql?" + urllib.parse.urlencode({"query": "SELEC"}), {"Accept": "*/*"})
    assert status == 400 and h["content-type"].startswith("text/plain") and "Accept" in h["vary"]
    status, h, body = _get(server, "/id/place/ML-4", {"Accept": "*/*;q=0"})
    assert status == 406
    status, h, body = _request(server, "POST", "/sparql", b"ASK {}" + b" " * (3 << 20),
                               {"Content-Type": "application/sparql-query"})
    assert status == 413


def test_a_5000_character_search_gets_our_400_page_from_the_real_server(server):
    """A long request line reaches the app, which answers with its own page (gunicorn used to send a bare 414)."""
    status, _, body = _get(server, "/search?q=" + "x" * 5000, {"Accept": "text/html"})
    assert status == 400 and b"at most 200 are searched" in body and b"Results KG" in body


def test_sparqlwrapper_defaults_work_for_every_query_form(server):
    """SPARQLWrapper's default return format for CONSTRUCT and DESCRIBE sends format=xml with an RDF/XML
    Accept header: "xml" names RDF/XML for a graph, so the answer is RDF/XML, not a 406."""
    for query in ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2",
                  "DESCRIBE <https://w3id.org/results-kg/id/org/undp>"):
        w = _wrapper(server, query)  # no setReturnFormat: the library's defaults
        g = w.query().convert()
        assert isinstance(g, rdflib.Graph) and len(g) > 0, query
    doc = _wrapper(server, "ASK { ?s ?p ?o }").query().convert()  # SPARQL results XML, as a DOM
    assert doc.getElementsByTagName("boolean")[0].firstChild.data == "true"
    doc = _wrapper(server, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1").query().convert()
    assert len(doc.getElementsByTagName("result")) == 1


def test_entity_documents_accept_every_turtle_spelling(server):
    for accept in ("application/x-turtle", "text/n3", "application/turtle", "text/turtle;q=0.9, */*;q=0.1"):
        status, h, body = _get(server, "/id/org/undp", {"Accept": accept})
        assert status == 200 and h["content-type"].startswith("text/turtle"), accept
        assert len(rdflib.Graph().parse(data=body, format="turtle")) > 3
    # a format the document cannot take is set aside for the Accept header, not a 406
    status, h, _ = _get(server, "/id/org/undp?format=json", {"Accept": "application/rdf+xml"})
    assert status == 200 and h["content-type"].startswith("application/ld+json")
    status, h, body = _get(server, "/id/org/undp", {"Accept": "image/png"})
    assert status == 406 and b"text/turtle" in body  # what is available


def test_dumps_load_from_their_url_in_rdflib_and_pyoxigraph(server):
    import gzip

    import pyoxigraph as ox

    url = server + "/dumps/results-kg.nt"
    g = rdflib.Graph().parse(url)  # rdflib's reader: no Accept-Encoding, the media type decides the parser
    with urllib.request.urlopen(url) as r:
        assert r.headers.get_content_type() == "application/n-triples" and "Content-Encoding" not in r.headers
        quads = list(ox.parse(r, format=ox.RdfFormat.N_TRIPLES))
    assert len(g) == len(quads) > 10_000
    ds = rdflib.Dataset()
    ds.parse(server + "/dumps/results-kg.trig", format="trig")
    assert len(list(ds.graphs())) > 3
    # the N-Quads dump: every graph's triples with their graph, the same quads as the TriG
    with urllib.request.urlopen(server + "/dumps/results-kg.nq") as r:
        assert r.headers.get_content_type() == "application/n-quads"
        nquads = set(ox.parse(r, format=ox.RdfFormat.N_QUADS))
    with urllib.request.urlopen(server + "/dumps/results-kg.trig") as r:
        assert nquads == set(ox.parse(r, format=ox.RdfFormat.TRIG)) and len({q.graph_name for q in nquads}) > 3
    # a client that accepts gzip gets the file as it is stored, with the encoding said
    status, h, body = _get(server, "/dumps/results-kg.nt", {"Accept-Encoding": "gzip"})
    assert status == 200 and h["content-encoding"] == "gzip" and h["content-type"].startswith("application/n-triples")
    assert len([x for x in gzip.decompress(body).splitlines() if x.strip()]) == len(quads)
    assert "accept-encoding" in h["vary"].lower()
    # DCAT says which is which
    _, _, body = _get(server, "/.well-known/void", {"Accept": "text/turtle"})
    void = rdflib.Graph().parse(data=body, format="turtle")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    types = {str(o) for o in void.objects(None, dcat.mediaType)}
    assert "http://www.iana.org/assignments/media-types/application/n-triples" in types
    assert len(list(void.subjects(dcat.compressFormat, None))) == 4


def test_named_graph_iris_answer_with_their_description(server):
    for path in ("/id/graph/report/MLI-2021", "/id/graph/reference", "/id/graph/statistics"):
        status, h, body = _get(server, path, {"Accept": "text/turtle"})
        assert status == 200, path
        g = rdflib.Graph().parse(data=body, format="turtle")
        iri = rdflib.URIRef("https://w3id.org/results-kg" + path)
        void = rdflib.Namespace("http://rdfs.org/ns/void#")
        (size,) = list(g.objects(iri, void.triples))
        w = _wrapper(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
        w.setReturnFormat(JSON)
        assert int(size) == int(w.query().convert()["results"]["bindings"][0]["n"]["value"]) > 0
        # its content, whole (a graph is never cut), as TriG and N-Quads: from its links and by negotiation
        contents = sorted(str(c) for c in g.objects(iri, void.dataDump))
        assert [c.rsplit(".", 1)[1] for c in contents] == ["nq", "trig"]
        for url, fmt in zip(contents, ("nquads", "trig")):
            status, h, data = _get(server, urllib.parse.urlsplit(url).path)
            ds = rdflib.Dataset().parse(data=data, format=fmt)
            assert status == 200 and {str(c.identifier) for c in ds.graphs() if len(c)} == {str(iri)}
            assert len(ds.graph(iri)) == int(size)
        status, h, data = _get(server, path, {"Accept": "application/n-quads"})
        assert status == 200 and len([x for x in data.splitlines() if x.strip()]) == int(size)
    status, h, body = _get(server, "/id/graph/report/MLI-2021", {"Accept": "text/html"})
    assert status == 200 and b"Named graph" in body


def test_ask_answers_in_csv_and_tsv_as_jena_writes_them(server):
    for accept, body in (("text/csv", b"_askResult\r\ntrue\r\n"), ("text/tab-separated-values", b"?_askResult\ntrue\n")):
        status, h, data = _get(server, "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}),
                               {"Accept": accept})
        assert status == 200 and h["content-type"].startswith(accept) and data == body


def test_a_negotiated_description_names_its_document(server):
    status, h, _ = _get(server, "/id/org/undp", {"Accept": "text/turtle"})
    assert status == 200 and h["content-location"] == "/id/org/undp.ttl"
    status, h, _ = _get(server, "/id/org/undp", {"Accept": "application/ld+json"})
    assert h["content-location"] == "/id/org/undp.jsonld"
    status, _, body = _get(server, "/id/org/undp.ttl")
    assert status == 200 and b"undp" in body


def test_jsonld_is_compact_with_our_context_and_types_and_the_same_graph(server):
    from rdflib.compare import isomorphic

    status, h, body = _get(server, "/id/report/MLI-2021", {"Accept": "application/ld+json"})
    doc = json.loads(body)
    assert status == 200 and isinstance(doc.get("@context"), dict) and "rkg" in doc["@context"]
    text = body.decode("utf-8")
    assert '"@type"' in text and '"rdf:type"' not in text and "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" not in text
    _, _, ttl = _get(server, "/id/report/MLI-2021", {"Accept": "text/turtle"})
    graphs = []
    for data, fmt, ext in ((body, "json-ld", ".jsonld"), (ttl, "turtle", ".ttl")):
        g = rdflib.Graph().parse(data=data, format=fmt)
        g.remove((rdflib.URIRef(server + "/id/report/MLI-2021" + ext), None, None))  # each names its own document
        graphs.append(g)
    assert isomorphic(*graphs)


def test_an_entity_document_names_its_topic_licence_dataset_and_what_it_leaves_out(server):
    """One httpRange-14 practice: the thing's IRI answers 200 with a description document, named by
    Content-Location, that says it is about the thing (foaf:primaryTopic), under which licence, in which
    dataset; a document listing only some incoming links says where all of them are."""
    foaf, void = rdflib.Namespace("http://xmlns.com/foaf/0.1/"), rdflib.Namespace("http://rdfs.org/ns/void#")
    rkg = rdflib.Namespace("https://w3id.org/results-kg/def#")
    for path, fmt, ext in (("/id/org/undp", "turtle", ".ttl"), ("/id/report/MLI-2021", "json-ld", ".jsonld")):
        g = rdflib.Graph().parse(server + path + ext, format=fmt)  # rdflib reads it from its URL
        doc = rdflib.URIRef(server + path + ext)
        assert g.value(doc, foaf.primaryTopic) == rdflib.URIRef(IRIs().base + path[len("/id/"):])
        assert g.value(doc, rdflib.namespace.DCTERMS.license) == rdflib.URIRef(
            "https://creativecommons.org/licenses/by/4.0/")
        assert g.value(doc, void.inDataset) == rdflib.URIRef(IRIs().whole_dataset())
    undp = rdflib.Graph().parse(server + "/id/org/undp.ttl", format="turtle")
    assert undp.value(rdflib.URIRef(server + "/id/org/undp.ttl"), rkg.allIncomingLinks) is None  # nothing left out
    report = rdflib.Graph().parse(server + "/id/report/MLI-2021.ttl", format="turtle")
    everything = report.value(rdflib.URIRef(server + "/id/report/MLI-2021.ttl"), rkg.allIncomingLinks)
    topic = rdflib.URIRef(IRIs().report("MLI-2021"))
    listed = len([s for s, _ in report.subject_predicates(topic) if s != rdflib.URIRef(server + "/id/report/MLI-2021.ttl")])
    status, _, body = _get(server, urllib.parse.urlsplit(str(everything)).path + "?" +
                           urllib.parse.urlsplit(str(everything)).query, {"Accept": "application/sparql-results+json"})
    all_links = json.loads(body)["results"]["bindings"]
    assert status == 200 and listed == 200 < len(all_links)


def test_the_dataset_is_named_under_the_base_with_dates_subsets_examples_and_vocabularies(server):
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dcterms = rdflib.namespace.DCTERMS
    dataset = rdflib.URIRef(IRIs().whole_dataset())
    for path in ("/.well-known/void", "/id/dataset"):  # the dataset's IRI dereferences to the same description
        status, h, body = _get(server, path, {"Accept": "text/turtle"})
        g = rdflib.Graph().parse(data=body, format="turtle")
        assert status == 200 and (dataset, rdflib.RDF.type, void.Dataset) in g
    issued, modified = g.value(dataset, dcterms.issued), g.value(dataset, dcterms.modified)
    assert issued.datatype == rdflib.XSD.dateTime and issued.toPython() <= modified.toPython()
    vocabularies = {str(v) for v in g.objects(dataset, void.vocabulary)}
    assert {"https://w3id.org/results-kg/def#", "http://www.w3.org/ns/oa#", "http://purl.org/linked-data/cube#"} \
        <= vocabularies
    examples = list(g.objects(dataset, void.exampleResource))
    assert len(examples) >= 5
    for e in examples:  # each example answers, as its page and as RDF
        status, _, _ = _get(server, Urls(IRIs()).entity(str(e)), {"Accept": "text/turtle"})
        assert status == 200, e
    kinds = {}
    for e in examples:
        w = _wrapper(server, f"SELECT ?t WHERE {{ <{e}> a ?t }}")  # an IRI from the server's own answer
        w.setReturnFormat(JSON)
        kinds[str(e)] = {b["t"]["value"].rsplit("#", 1)[1] for b in w.query().convert()["results"]["bindings"]}
    assert {"Report", "ProgressNote", "Outcome", "Place", "Observation"} <= set().union(*kinds.values())
    (place,) = [e for e, k in kinds.items() if "Place" in k]
    w = _wrapper(server, f"ASK {{ ?report <https://w3id.org/results-kg/def#country> <{place}> }}")
    w.setReturnFormat(JSON)
    assert w.query().convert()["boolean"], "a country the reports name, not the first ISO code"


def test_pyld_frames_a_report_by_type_and_reads_the_graph_turtle_gives(server):
    """PyLD, a JSON-LD processor nobody here wrote: framing a report's document by our type finds the
    report; its RDF is the Turtle's graph; the expanded profile is honoured (no context, full IRIs), the
    same graph again; the Content-Type names the form sent."""
    from pyld import jsonld
    from rdflib.compare import isomorphic

    path = "/id/report/MLI-2021"
    status, h, body = _get(server, path, {"Accept": "application/ld+json"})
    doc = json.loads(body)
    assert status == 200 and h["content-type"].endswith('profile="http://www.w3.org/ns/json-ld#compacted"')
    framed = jsonld.frame(doc, {"@context": doc["@context"], "@type": "Report"})
    assert [n["@id"] for n in jsonld.expand(framed)] == [str(IRIs().report("MLI-2021"))]  # the report, only it
    assert framed["type"] == "Report" and framed["year"] == "2021"  # our terms ("id", "type" alias @id, @type)

    def graph(nquads: str, ext: str) -> rdflib.Graph:
        g = rdflib.Graph().parse(data=nquads, format="nquads")
        g.remove((rdflib.URIRef(server + path + ext), None, None))  # each document names itself
        return g

    _, _, ttl = _get(server, path, {"Accept": "text/turtle"})
    turtle = rdflib.Graph().parse(data=ttl, format="turtle")
    turtle.remove((rdflib.URIRef(server + path + ".ttl"), None, None))
    assert isomorphic(graph(jsonld.to_rdf(doc, {"format": "application/n-quads"}), ".jsonld"), turtle)
    status, h, body = _get(server, path, {"Accept": 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"'})
    expanded = json.loads(body)
    assert status == 200 and h["content-type"].endswith('#expanded"') and isinstance(expanded, list)
    assert "@context" not in body.decode() and jsonld.expand(expanded) == expanded
    assert isomorphic(graph(jsonld.to_rdf(expanded, {"format": "application/n-quads"}), ".jsonld"), turtle)


# Apache Jena's default Accept headers (org.apache.jena.riot.WebContent): riot and ARQ send these
JENA_GRAPH = "text/turtle,application/n-triples;q=0.9,application/ld+json;q=0.8,application/rdf+xml;q=0.7,*/*;q=0.5"
JENA_DATASET = ("application/trig,application/n-quads;q=0.9,text/x-nquads;q=0.8,application/x-trig;q=0.7,"
                "application/ld+json;q=0.5,*/*;q=0.5")
JENA_RDF = JENA_GRAPH.rsplit(",", 1)[0] + "," + JENA_DATASET


def test_rdflib_and_jena_defaults_read_things_graphs_and_constructs(server):
    """rdflib reading a thing's IRI with its own Accept header (the syntax from our Content-Type), and Jena's
    graph, dataset and RDF Accept headers on an entity, a named graph and a CONSTRUCT."""
    g = rdflib.Graph().parse(server + "/id/org/undp")
    assert (rdflib.URIRef(IRIs().org("undp")), rdflib.namespace.SKOS.prefLabel, None) in g
    for accept in (JENA_GRAPH, JENA_RDF):
        status, h, body = _get(server, "/id/org/undp", {"Accept": accept})
        assert status == 200 and h["content-type"].startswith("text/turtle")
        rdflib.Graph().parse(data=body, format="turtle")
    status, h, _ = _get(server, "/id/graph/report/MLI-2021", {"Accept": JENA_DATASET})
    assert status == 200 and h["content-type"].startswith("application/trig")  # a dataset reader gets the content
    status, h, _ = _get(server, "/id/graph/report/MLI-2021", {"Accept": JENA_GRAPH})
    assert status == 200 and h["content-type"].startswith("text/turtle")  # a graph reader gets the description
    q = "CONSTRUCT WHERE { ?s a <https://w3id.org/results-kg/def#Outcome> }"
    status, h, body = _get(server, "/sparql?" + urllib.parse.urlencode({"query": q}), {"Accept": JENA_GRAPH})
    assert status == 200 and h["content-type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=body, format="turtle")) >= 8
