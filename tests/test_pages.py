"""The HTML browser: home, entity pages, search and the query page, on a real store.

Every test builds on the seed report (data/reports/MLI-2021.txt) written into an
embedded store in a temporary folder, and reads pages through Flask's test client.
Expected numbers are computed from the graph itself where they can be, so the tests
check what the pages show against what the store holds.
"""
from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlencode, urlparse

import pyoxigraph as ox
import pytest
from markupsafe import escape

from helpers import PREFIXES, SEED
from kg import resources
from kg.build import build
from kg.store import open_store
from kg.store.index import index_for
from kg.uris import IRIs
from web.urls import Urls
from web.views.entity import PAGE_SIZE

HTML = {"Accept": "text/html"}
IRI = IRIs()
URLS = Urls(IRI)
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS = "http://www.w3.org/2004/02/skos/core#"
RKG = "https://w3id.org/results-kg/def#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module")
def snap(store_path):
    return open_store(store_path).snapshot()


def rows(snap, query: str, **bindings) -> list[dict[str, str | None]]:
    """Rows of a fixed query; bound variables must be projected (pyoxigraph substitutes only those)."""
    res = snap.query(PREFIXES + query, bindings=bindings or None)
    names = [v.value for v in res.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in res]


def get(client, url: str, status: int = 200) -> str:
    resp = client.get(url, headers=HTML)
    assert resp.status_code == status, (url, resp.status_code, resp.get_data(as_text=True)[:500])
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


def main(page: str) -> str:
    """The page's <main>: what the page shows, without the navigation."""
    return page[page.index("<main"):page.index("</main>")]


# ---- home ------------------------------------------------------------------------------------


def test_home_lists_the_report_counts_and_example_queries(client, snap):
    page = get(client, "/")
    assert '<meta name="viewport"' in page
    body = main(page)
    # the report, linked to its page, with its country and year
    row = re.search(r'<tr class="report-row">(.*?)</tr>', body, re.S)
    assert row is not None
    assert 'href="/id/report/MLI-2021"' in row.group(1)
    assert ">Mali<" in row.group(1) and ">2021<" in row.group(1)
    # the tiles count what the reports describe, as the graph does, and open the lists
    for query, name, path in [
            ("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a rkg:ProgressNote }", "Outcomes, year by year", "outcomes"),
            ("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?n2 rkg:figure ?x }", "Figures", "figures"),
            ("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a rkg:QualityFinding }", "Quality findings", "findings"),
            ("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?note a rkg:ProgressNote ; rkg:place ?x }",
             "Places named in the reports", "places"),
            ("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?note rkg:partner ?x }", "Partners", "partners")]:
        n = int(rows(snap, query)[0]["n"])
        assert (f'<a href="/list/{path}"><span class="count">{n:,}</span> <span class="what">{name}</span></a>'
                in body), name
    assert '<span class="count">18</span> <span class="what">Places named in the reports</span>' in body
    assert '<span class="count">27</span> <span class="what">Partners</span>' in body
    # every example query, by its question, opens the query page prefilled
    examples = sorted(resources.queries_dir().glob("*.rq"))
    assert examples
    for path in examples:
        question = path.read_text(encoding="utf-8").splitlines()[0].split("question:", 1)[1].strip()
        assert str(escape(question)) in body
        assert f'href="/query?example={path.stem}"' in body


# ---- entity pages ----------------------------------------------------------------------------


def test_report_page_summarises_each_outcome(client, snap):
    """The summary an analyst quotes: per outcome its full statement, status, Strategic Plan output, partners,
    places by region, people reached (from the cube) and findings; a status bar; the spans folded away."""
    page = get(client, "/id/report/MLI-2021")
    body = main(page)
    assert "<h1>Progress in Mali country in 2021</h1>" in body
    cards = re.findall(r'<article class="outcome-card"[^>]*>(.*?)</article>', body, re.S)
    assert len(cards) == 8
    expected = {r["id"]: (r["key"], r["statement"]) for r in rows(snap, """
        SELECT ?r ?id ?key ?statement WHERE { ?n a rkg:ProgressNote ; rkg:reportedIn ?r ; dcterms:identifier ?id ;
                                   rkg:status/skos:notation ?key ; rkg:about/rkg:statement ?statement }""",
        r=ox.NamedNode(IRI.report("MLI-2021")))}
    assert len(expected) == 8
    for card in cards:
        ident = re.search(r">(XM-DAC-41146-MLI_D_[\d.]+)</a>", card).group(1)
        key, statement = expected[ident]
        assert f'class="badge status-{key}"' in card, ident
        assert re.search(r'href="/id/sp/SP_D_[\d.]+"', card)  # Strategic Plan alignment, linked
        assert f'<p class="statement">{escape(statement)}</p>' in card  # whole, never cut mid-word
    assert sorted(k for k, _ in expected.values()).count("partially-achieved") == 5
    # the status bar: a drawing with its numbers as text
    (svg,) = re.findall(r'<figure class="chart status-bar">\s*<svg[^>]*role="img".*?</svg>', body, re.S)
    assert "<title id=\"sb-title\">Status of 8 progress notes</title>" in svg and "Partially achieved: 5" in svg
    # MLI_D_1.1: up to 868 women (827 + 41, the rule of the cube), partners named, places by region
    card11 = next(c for c in cards if ">XM-DAC-41146-MLI_D_1.1<" in c)
    assert re.search(r">up to 868</a> women", card11)
    assert "United Nations Development Programme" in card11 and "<dt>Places</dt>" in card11
    # MLI_D_1.2: no partner, 13 places, grouped under their regions
    card12 = next(c for c in cards if ">XM-DAC-41146-MLI_D_1.2<" in c)
    assert "<dt>Partners" not in card12
    places = re.search(r'<ul class="regions">(.*?)</ul>', card12, re.S).group(1)
    assert len(set(re.findall(r'href="(/id/place/[^"]+)"', places))) >= 13
    # the report's quality findings, download links in every format, the text spans folded under "Source text"
    assert body.count('<li class="finding">') >= 17
    for ext in (".ttl", ".jsonld", ".rdf", ".nt"):
        assert f'href="/id/report/MLI-2021{ext}"' in body
    assert re.search(r"<details><summary><h3>Source text: spans read from it", body)
    assert f'<input id="iri" class="iri-input" type="text" readonly value="{IRI.report("MLI-2021")}">' in body


def test_a_note_page_reads_narrative_first_with_names_and_figures_marked(client, snap):
    body = main(get(client, "/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.1"))
    narrative = body[body.index('<div class="narrative">'):body.index("</div>", body.index('<div class="narrative">'))]
    # narrative first, then the figures, then partners and places, the property table last
    assert (body.index('<div class="narrative">') < body.index("<h2>Figures") < body.index("<h2>Partners")
            < body.index("<h2>Properties"))
    assert len(re.findall(r"<p>", narrative)) >= 3  # paragraphs, not one wall of text
    marked = re.findall(r'<a class="hl hl-(\w+)[^"]*" href="([^"]+)"[^>]*>([^<]+)</a>', narrative)
    kinds = {k for k, _, _ in marked}
    assert kinds == {"org", "place", "figure", "role"}
    assert ("figure", "827") in {(k, text) for k, _, text in marked}
    # the words that state a partner's role, linked to the role's definition: "with the support of" UN Women, NDI…
    assert ("role", "/def#CollaboratingPartner", "with the support of") in marked
    assert any(k == "place" and text == "Segou" and href.startswith("/id/place/ML-4") for k, href, text in marked)
    assert '<mark class="status-sentence"' in narrative and "This outcome was partially achieved" in narrative
    # the text between the marks is the narrative, in order, nothing lost or repeated
    plain = html.unescape(re.sub(r"<[^>]+>", "", narrative.split('<p class="legend">')[0]))
    (stored,) = [r["t"] for r in rows(snap, "SELECT ?n ?t WHERE { ?n rkg:narrative ?t }",
                                       n=ox.NamedNode(IRI.note("MLI-2021", "XM-DAC-41146-MLI_D_1.1")))]
    assert re.sub(r"\s+", " ", plain).strip() == re.sub(r"\s+", " ", stored).strip()


def test_partners_carry_the_roles_their_notes_state_and_no_other(client, snap):
    """Report cards and note pages name each partner's role where the text states it (donor, implementing
    partner, supported institution, collaborating partner), with the words as a tooltip; the roles shown are
    exactly the graph's rkg:partnerRole of the note's mentions, and a partner with none shows none."""
    graph: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for r in rows(snap, """SELECT ?id ?org ?role ?words WHERE {
            ?n a rkg:ProgressNote ; dcterms:identifier ?id ; rkg:partner ?org .
            OPTIONAL { ?n rkg:mention ?m . ?m rkg:refersTo ?org ; rkg:partnerRole/skos:notation ?role ;
                       rkg:roleEvidence/oa:hasSelector/oa:exact ?words } }"""):
        graph.setdefault((r["id"], r["org"]), set())
        if r["role"]:
            graph[(r["id"], r["org"])].add((r["role"], r["words"]))
    assert sum(1 for v in graph.values() if v) >= 10 and any(not v for v in graph.values())
    body = main(get(client, "/id/report/MLI-2021"))
    cards = re.findall(r'<article class="outcome-card"[^>]*>(.*?)</article>', body, re.S)
    seen = 0
    for card in cards:
        ident = re.search(r">(XM-DAC-41146-MLI_D_[\d.]+)</a>", card).group(1)
        for item in re.findall(r"<li><a href=\"(/id/org/[^\"]+)\">(.*?)</li>", card, re.S):
            href, rest = item
            shown = {(k, html.unescape(w)) for k, w in re.findall(
                r'class="role role-([\w-]+)" href="/def#\w+" title="the report says: “([^”]*)”"', rest)}
            expected = graph[(ident, str(IRI.org(href.rsplit("/", 1)[1])))]
            assert {k for k, _ in shown} == {k for k, _ in expected}, (ident, href)
            assert {w for _, w in shown} <= {w for _, w in expected}, (ident, href)
            seen += 1
    assert seen == len(graph)
    note = main(get(client, "/id/note/MLI-2021/XM-DAC-41146-MLI_D_6.1"))
    assert re.search(r'National Police</a> <small class="value-note">\(Government\)</small> '
                     r'<a class="role role-supported-institution"', note)


def test_outcome_page_shows_its_yearly_notes(client, snap):
    outcome = rows(snap, "SELECT ?o WHERE { ?o a rkg:Outcome ; dcterms:identifier 'XM-DAC-41146-MLI_D_1.2' }")[0]["o"]
    body = main(get(client, URLS.entity(outcome)))
    assert "By 2024, people live in a rule of law" in body
    note_rows = re.findall(r'<tr class="note-row">(.*?)</tr>', body, re.S)
    assert len(note_rows) == 1
    assert 'href="/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.2"' in note_rows[0]
    assert "<td>2021</td>" in note_rows[0]
    assert 'class="badge status-not-achieved">Not achieved<' in note_rows[0]
    # its statement is read from the report: quoted with the span marked
    assert "<mark>By 2024, people live in a rule of law" in body


def test_partner_page_answers_in_how_many_outcomes_where_and_how_many_women(client, snap):
    body = main(get(client, "/id/org/undp"))
    assert "<h1>United Nations Development Programme</h1>" in body
    note_rows = re.findall(r'<tr class="note-row">(.*?)</tr>', body, re.S)
    idents = sorted(re.search(r">(XM-DAC-41146-MLI_D_[\d.]+)</a>", r).group(1) for r in note_rows)
    assert idents == ["XM-DAC-41146-MLI_D_1.1", "XM-DAC-41146-MLI_D_2.2"]
    assert "In <strong>2</strong> outcomes" in body
    assert 'href="/id/place/ML">Mali</a>' in body
    # women reached, from the statistics: MLI_D_2.2 up to 21,135 (14668 + 4505 + 1962, separate trees) and
    # MLI_D_1.1 up to 868 (827 + 41); the women by place (578, 120, 169) are parts of the 827, not added again.
    # The outcomes are added as an upper bound: one woman may be reached by both
    assert 'data-year="2021" data-sex="F" data-value="22003" data-up-to="true">up to 22,003' in body
    naive = sum(int(r["v"]) for r in rows(snap, """
        SELECT ?org ?f ?v WHERE { ?n rkg:partner ?org ; rkg:figure ?f . ?f rkg:sex sdmx-code:sex-F ; rdf:value ?v }""",
        org=ox.NamedNode(IRI.org("undp"))))
    assert naive != 22003  # adding every women figure would count some women twice
    assert f"{naive:,}" not in body


def test_place_page_for_segou_lists_the_outcomes_naming_it_or_a_place_within(client, snap):
    body = main(get(client, "/id/place/ML-4"))
    assert "<h1>Ségou</h1>" in body
    expected = {r["id"] for r in rows(snap, """
        SELECT DISTINCT ?p ?id WHERE { ?n a rkg:ProgressNote ; rkg:place/rkg:within* ?p ; dcterms:identifier ?id }""",
        p=ox.NamedNode(IRI.place("ML-4")))}
    # the city of Ségou, within the region, counts for the region
    assert "XM-DAC-41146-MLI_D_1.2" in expected and len(expected) == 6
    shown = {re.search(r">(XM-DAC-41146-MLI_D_[\d.]+)</a>", r).group(1)
             for r in re.findall(r'<tr class="note-row">(.*?)</tr>', body, re.S)}
    assert shown == expected
    assert re.search(r'href="/def#Region"[^>]*>Region</a>', body)  # its place type, by its label
    # people reached in Ségou region: only the figures placed in it (the 120 women of the town of Ségou), never
    # every figure of a note that names it (the issue measured 27,586 that way)
    assert 'data-year="2021" data-sex="F" data-value="120" data-up-to="false"' in body


def test_figure_page_quotes_its_sentence_with_the_number_marked(client):
    body = main(get(client, "/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.2/figure/1"))
    assert "<h1>03 training of trainers workshops</h1>" in body
    assert ("<blockquote>This result was achieved through the holding of (<mark>03</mark>) training of trainers "
            "workshops") in body
    assert 'href="/id/span/MLI-2021/1244-1246">characters 1244–1246</a>' in body
    assert 'href="/id/report/MLI-2021">Progress in Mali country in 2021</a>' in body  # link to the report
    # properties by their ontology labels, linked values by their labels
    assert re.search(r"<dt>unit <small", body) and re.search(r'href="/def#Count"[^>]*>Count</a>', body)
    assert 'href="/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.2">MLI_D_1.2 in 2021 (Mali)</a>' in body  # incoming link


def test_figure_page_shows_the_quality_finding_about_it(client):
    body = main(get(client, "/id/note/MLI-2021/XM-DAC-41146-MLI_D_2.2/figure/15"))
    findings = body[body.index('id="findings"'):]
    assert "Glued number" in findings and 'href="/id/finding/MLI-2021/10"' in findings


def test_finding_page(client):
    body = main(get(client, "/id/finding/MLI-2021/10"))
    assert '<span class="badge finding-type">Glued number</span>' in body
    assert str(escape("'waste.225,376,950': a word or full stop is glued to the number 225,376,950")) in body
    assert 'About <a href="/id/note/MLI-2021/XM-DAC-41146-MLI_D_2.2/figure/15">225,376,950 XOF financing</a>' in body
    assert re.search(r'href="/def#Accuracy"[^>]*>Accuracy</a>', body)
    assert "<mark>.225,376,950</mark>" in body
    assert 'id="body"' in body  # its #body node is described on its page


def test_span_page_marks_itself_in_its_sentence(client):
    body = main(get(client, "/id/span/MLI-2021/1244-1246"))
    assert "holding of (<mark>03</mark>) training" in body
    assert 'id="position"' in body and 'id="quote"' in body


def test_incoming_links_are_grouped_and_paged(client, snap):
    report = ox.NamedNode(IRI.report("MLI-2021"))
    spans = {q.subject.value for q in snap.quads(None, ox.NamedNode("http://www.w3.org/ns/oa#hasSource"), report)}
    pages = -(-len(spans) // PAGE_SIZE)
    assert pages > 2
    seen: list[str] = []
    for n in range(1, pages + 1):
        body = main(get(client, f"/id/report/MLI-2021?prop=oa:hasSource&page={n}"))
        group = re.search(r'<section class="incoming" id="in-oa-hasSource">(.*?)</section>', body, re.S).group(1)
        assert f'<span class="count">{len(spans)}</span>' in group
        assert f"page {n} of {pages}" in group
        links = re.findall(r'<li><a href="(/id/span/[^"]+)"', group)
        assert len(links) == (PAGE_SIZE if n < pages else len(spans) - PAGE_SIZE * (pages - 1))
        seen += links
        assert ('rel="next"' in group) == (n < pages) and ('rel="prev"' in group) == (n > 1)
        if n == 1:
            nxt = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', group).group(1))
            assert parse_qs(urlparse(nxt).query) == {"prop": ["oa:hasSource"], "page": ["2"]}
    # every span once, over all pages
    assert len(seen) == len(set(seen)) == len(spans)
    assert {IRI.base + s[len("/id/"):] for s in seen} == spans
    # other groups stay on their first page, with their own counts
    body = main(get(client, "/id/report/MLI-2021?prop=oa:hasSource&page=2"))
    reported = re.search(r'<section class="incoming" id="in-rkg-reportedIn">(.*?)</section>', body, re.S).group(1)
    reported_in = {q.subject for q in snap.quads(None, ox.NamedNode(RKG + "reportedIn"), report)}
    assert f'<span class="count">{len(reported_in)}</span>' in reported and "page " not in reported


def test_unknown_entity_is_a_404_page_with_a_search_box(client, app):
    body = get(client, "/id/report/XXX-1999", status=404)
    assert 'action="/search"' in main(body) and 'name="q"' in main(body)
    from web import pages

    with app.test_request_context("/id/report/XXX-1999"):
        assert pages.render_entity(IRI.report("XXX-1999"), "report") is None
        assert pages.render_entity(IRI.report("MLI-2021"), "report").status_code == 200


# ---- search ----------------------------------------------------------------------------------


def test_search_is_case_and_accent_insensitive(client):
    for q in ("segou", "SÉGOU", "Segou"):
        body = main(get(client, f"/search?q={q}"))
        hits = re.findall(r'<li class="hit">\s*<a href="([^"]+)">([^<]+)</a>', body)
        assert ("/id/place/ML-4", "Ségou") in hits and ("/id/place/ML-4-segou", "Ségou") in hits, q
        assert hits[0][1] == "Ségou"  # exact matches first
    assert "Region in Mali" in body


def test_search_finds_an_organisation_by_acronym(client):
    body = main(get(client, "/search?q=fba"))
    hits = re.findall(r'<li class="hit">\s*<a href="([^"]+)">([^<]+)</a>', body)
    assert hits[0] == ("/id/org/folke-bernadotte-academy", "Folke Bernadotte Academy")
    assert "<mark>FBA</mark>" in body  # the matched words, in context


def test_search_ranks_exact_and_prefix_matches_first(snap):
    index = index_for(snap)
    total, _, hits = index.search("bamako")
    assert total > 1
    assert hits[0].label == "Bamako"  # the exact name before the communes "of Bamako"
    _, _, hits = index.search("united nations dev")
    assert hits[0].iri == str(IRI.org("undp"))


def test_search_finds_the_words_of_narratives_with_snippets(client, snap):
    for q, word in (("electoral", "electoral"), ("voters", "voters"), ("Électoral", "electoral")):
        body = main(get(client, "/search?" + urlencode({"q": q})))
        hits = re.findall(r'<li class="hit">\s*<a href="([^"]+)">', body)
        assert "/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.1" in hits, q
        assert re.search(rf"<mark>{word}</mark>", body, re.I), q
    narratives = [r["n"] for r in rows(snap, 'SELECT ?n WHERE { ?n rkg:narrative ?t FILTER(CONTAINS(LCASE(?t), "voters")) }')]
    assert len(narratives) == 1  # what the graph says; search finds that note and only it among notes
    body = main(get(client, "/search?q=voters&type=ProgressNote"))
    assert re.findall(r'<li class="hit">\s*<a href="([^"]+)">', body) == ["/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.1"]


def test_search_has_type_facets_and_pages(client):
    body = main(get(client, "/search?q=a"))
    facets = dict((t, int(n.replace(",", ""))) for t, n in
                  re.findall(r'href="\?q=a&amp;type=(\w+)">[^<(]+\(([\d,]+)\)</a>', body))
    total = int(re.search(r"([\d,]+) results for", body).group(1).replace(",", ""))
    assert len(facets) >= 4 and sum(facets.values()) == total > 40
    assert body.count('<li class="hit">') == 20 and 'rel="next"' in body
    last = -(-total // 20)
    page = main(get(client, f"/search?q=a&page={last}"))
    assert page.count('<li class="hit">') == total - 20 * (last - 1) and 'rel="prev"' in page
    places = main(get(client, "/search?q=a&type=Place"))
    assert f"{facets['Place']:,} results for" in places or f"{facets['Place']} result" in places
    assert set(re.findall(r'<span class="badge kind">([^<]+)</span>', places)) == {"Place"}


def test_an_over_long_search_is_our_400_page(client):
    r = client.get("/search?q=" + "x" * 5000, headers=HTML)
    assert r.status_code == 400 and "at most 200 are searched" in r.get_data(as_text=True)
    assert "<html" in r.get_data(as_text=True)


def test_search_text_is_never_query_text(client):
    body = main(get(client, "/search?q=%22%7D%20%3B%20DROP%20ALL%20%23"))
    assert "Nothing matches" in body and str(escape('"} ; DROP ALL #')) in body


# ---- query page ------------------------------------------------------------------------------


def test_query_page_runs_an_example_and_shows_a_table(client):
    page = get(client, "/query?example=status-by-country")
    body = main(page)
    text = (resources.queries_dir() / "status-by-country.rq").read_text(encoding="utf-8")
    assert str(escape(text)) in body  # the editor is prefilled
    table = re.search(r'<table class="results">(.*?)</table>', body, re.S).group(1)
    assert re.findall(r'<th scope="col"><a href="[^"]+">(\w+)</a></th>', table) == [
        "country", "year", "status", "outcomes", "observation"]
    assert re.search(r"3 rows in \d+\.\d{3} s", body)  # the row count and the run time
    cells = re.findall(r"<tr><td>.*?</tr>", table, re.S)
    assert len(cells) == 3  # partially achieved, not achieved, not stated
    assert "Partially achieved" in table and "5" in table
    # downloads go to the SPARQL endpoint, and work
    links = [html.unescape(h) for h in re.findall(r'href="(/sparql\?[^"]+)"', body)]
    assert {parse_qs(urlparse(h).query)["format"][0] for h in links} == {"json", "xml", "csv", "tsv"}
    csv_link = next(h for h in links if h.endswith("format=csv"))
    resp = client.get(csv_link)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.get_data(as_text=True).splitlines()[0] == "country,year,status,outcomes,observation"


@pytest.mark.parametrize("name", [p.stem for p in sorted(resources.queries_dir().glob("*.rq"))
                                  if "\n# sources: IATI\n" not in p.read_text(encoding="utf-8")])
def test_every_example_query_runs_on_the_query_page_and_returns_rows(client, name):  # IATI ones: test_iati_pages
    body = main(get(client, f"/query?example={name}"))
    table = re.search(r'<table class="results">(.*?)</table>', body, re.S)
    assert table is not None and re.search(r"<tr><td>", table.group(1))


def test_query_results_link_iris_to_their_pages_and_escape_values(client):
    q = 'SELECT ?r ?t WHERE { ?r a <https://w3id.org/results-kg/def#Report> . BIND("<b>bold</b>" AS ?t) }'
    body = main(get(client, "/query?" + f"query={q}".replace(" ", "%20").replace("#", "%23")))
    # the report's name, linked, with its IRI beside it
    assert ('<a href="/id/report/MLI-2021" title="https://w3id.org/results-kg/id/report/MLI-2021">Progress in Mali '
            'country in 2021</a> <small class="curie">https://w3id.org/results-kg/id/report/MLI-2021</small>') in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body and "<b>bold</b>" not in body


def test_query_results_sort_by_a_column_and_show_plain_values(client):
    q = "SELECT ?id ?n WHERE { ?o <http://purl.org/dc/terms/identifier> ?id ; <https://w3id.org/results-kg/def#statement> ?s BIND(STRLEN(?s) AS ?n) }"
    up = main(get(client, "/query?" + urlencode({"query": q, "sort": "n"})))
    down = main(get(client, "/query?" + urlencode({"query": q, "sort": "-n"})))
    values = [int(v) for v in re.findall(r'<span class="literal" title="xsd:integer">(\d+)</span>', up)]
    assert len(values) == 8 and values == sorted(values)  # numbers by value; the datatype on hover, not in the text
    assert [int(v) for v in re.findall(r'title="xsd:integer">(\d+)</span>', down)] == sorted(values, reverse=True)
    assert 'aria-sort="ascending"' in up and 'aria-sort="descending"' in down
    assert "xsd:integer</small>" not in up


def test_example_questions_are_grouped_by_the_data_they_need(client):
    body = main(get(client, "/query"))
    reports, iati = body.index("<h3>Reports</h3>"), body.index("<h3>IATI activity files: none are loaded")
    assert reports < body.index("partially-achieved.rq") < iati < body.index("indicators-short-of-target.rq")


def test_construct_results_are_triples_with_graph_downloads(client):
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o . FILTER(?s = <https://w3id.org/results-kg/id/org/undp>) }"
    body = main(get(client, "/query?query=" + q.replace(" ", "%20")))
    assert re.findall(r'<th scope="col"><a href="[^"]+">(\w+)</a></th>', body) == ["subject", "predicate", "object"]
    assert 'href="/id/org/undp"' in body
    formats = {parse_qs(urlparse(html.unescape(h)).query)["format"][0] for h in re.findall(r'href="(/sparql\?[^"]+)"', body)}
    assert formats == {"ttl", "jsonld", "rdf", "nt"}


def test_query_syntax_error_is_a_400_page_with_the_message(client):
    page = get(client, "/query?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%7D", status=400)
    body = main(page)
    assert "Error 400" in body
    assert "syntax error" in body.lower()
    assert "SELECT * WHERE { ?s ?p }</textarea>" in body  # the query stays in the editor to fix
    assert '<table class="results">' not in body


def test_query_timeout_is_a_503_page(make_app, store_path):
    app = make_app(store_path, query_timeout="0.001")
    body = main(get(app.test_client(), "/query?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
                    status=503))
    assert "Error 503" in body and "stopped" in body


# ---- escaping --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evil_app(tmp_path_factory, make_app):
    """A store with an organisation whose label carries markup, and a javascript: IRI."""
    path = tmp_path_factory.mktemp("evil") / "st"
    st = open_store(path)
    build([SEED], sink=st.sink(), keep=False)
    org = ox.NamedNode(IRI.org("x-evil"))
    evil = "Evil <script>alert(1)</script> Group"
    quads = [ox.Quad(org, RDF_TYPE, ox.NamedNode("http://www.w3.org/ns/org#Organization")),
             ox.Quad(org, ox.NamedNode(SKOS + "prefLabel"), ox.Literal(evil, language="en")),
             ox.Quad(org, ox.NamedNode(SKOS + "altLabel"), ox.Literal("EVG", language="en")),
             ox.Quad(org, RDFS_LABEL, ox.Literal(evil, language="en")),
             ox.Quad(org, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
                     ox.NamedNode("javascript:alert(2)")),
             ox.Quad(ox.NamedNode(IRI.note("MLI-2021", "XM-DAC-41146-MLI_D_1.2")),
                     ox.NamedNode("https://w3id.org/results-kg/def#partner"), org)]
    sink = st.sink()
    sink.write_quads(quads, graph=IRI.graph("evil"))
    sink.commit()
    return make_app(path)


def _no_markup_from_data(page: str) -> None:
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page
    # the only script is the page's own, from /static
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/copy.js" defer>']


def test_labels_with_markup_are_shown_escaped(evil_app):
    client = evil_app.test_client()
    page = get(client, "/id/org/x-evil")
    _no_markup_from_data(page)
    assert "<h1>Evil &lt;script&gt;alert(1)&lt;/script&gt; Group</h1>" in page
    assert "<title>Evil &lt;script&gt;alert(1)&lt;/script&gt; Group · Results KG</title>" in page
    assert "javascript:alert(2)" in page  # shown as text, not linked
    # where the organisation is linked from other pages and found by search
    for url in ("/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.2", "/search?q=evg", "/search?q=%3Cscript%3E"):
        page = get(client, url)
        _no_markup_from_data(page)
        assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; Group" in page, url


# ---- IRIs ------------------------------------------------------------------------------------


def test_local_paths_and_links():
    assert URLS.entity(IRI.report("MLI-2021")) == "/id/report/MLI-2021"
    assert URLS.entity(IRI.place("ML-4-segou")) == "/id/place/ML-4-segou"
    assert URLS.entity("https://example.org/x") is None
    assert Urls(IRIs("http://localhost:8080/id/")).entity(IRI.report("MLI-2021")) is None
    assert URLS.href("https://w3id.org/results-kg/def#Achieved") == "/def#Achieved"
    assert URLS.href("http://www.w3.org/ns/org#Organization") == "http://www.w3.org/ns/org#Organization"
    assert URLS.href("javascript:alert(1)") is None


# ---- over the real server --------------------------------------------------------------------


def test_pages_over_kg_serve(live_server):
    """The browser as deployed: server workers, query executors, static files, non-ASCII IRIs."""
    import urllib.parse
    import urllib.request

    def fetch(path: str) -> tuple[int, dict[str, str], str]:
        req = urllib.request.Request(live_server + path, headers=HTML)
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode("utf-8")

    status, headers, page = fetch("/")
    assert status == 200 and 'href="/id/report/MLI-2021"' in page
    assert "script-src 'self'" in headers["content-security-policy"]  # so no inline script or style is used
    assert not re.search(r"<script>|\sstyle=", page)
    status, headers, css = fetch("/static/style.css")
    assert status == 200 and headers["content-type"].startswith("text/css") and "max-width" in css
    # a label and an IRI with an accent: found by its folded name, and its page resolves
    status, _, page = fetch("/search?q=" + urllib.parse.quote("segou test"))
    link = re.search(r'<li class="hit">\s*<a href="([^"]+)">Ségou test</a>', page).group(1)
    assert link == "/id/place/Ségou-test"
    status, _, page = fetch(urllib.parse.quote(link))
    assert status == 200 and "<h1>Ségou test</h1>" in page
    # the query page runs its query in the server's executors
    status, _, page = fetch("/query?example=status-by-country")
    assert status == 200 and '<table class="results">' in page


def test_dumps_are_served_from_a_store_given_by_a_relative_path(tmp_path, monkeypatch, make_app):
    """As the Quick start runs it: `kg serve` with the store folder named relative to the working directory."""
    monkeypatch.chdir(tmp_path)
    build([SEED], sink=open_store("st").sink(), keep=False)
    client = make_app("st").test_client()
    for name in ("results-kg.nt.gz", "results-kg.ttl.gz", "results-kg.trig.gz"):
        r = client.get("/dumps/" + name)
        assert r.status_code == 200 and r.data[:2] == b"\x1f\x8b", name
    monkeypatch.chdir("/")  # a server's working directory may change; the store stays where it was opened
    assert client.get("/dumps/results-kg.nt.gz").status_code == 200


def test_browsers_get_a_dataset_card_and_programs_keep_rdf(client, snap):
    body = main(get(client, "/.well-known/void"))
    assert "Creative Commons Attribution 4.0" in body and f"{len(snap):,} triples from 1 report" in body
    for name in ("results-kg.nt.gz", "results-kg.ttl.gz", "results-kg.trig.gz"):
        assert re.search(rf'href="/dumps/{re.escape(name)}">{re.escape(name)}</a> <small>\([\d.]+ (MB|kB), gzip\)', body)
    assert 'href="/sparql"' in body and "/query?example=" in body and "/graph/statistics</code>" in body
    r = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle" and b"<http://rdfs.org/ns/void#Dataset>" in r.data
    # every page links to it, and to an icon that exists
    home = get(client, "/")
    assert '<a href="/.well-known/void">Data</a>' in home and 'rel="icon" href="/static/favicon.svg"' in home
    assert client.get("/static/favicon.svg").status_code == 200
    assert client.get("/favicon.ico").status_code == 301


# ---- list pages ------------------------------------------------------------------------------


def test_list_pages_filter_by_facets_sort_and_download_the_same_rows(client, snap):
    body = main(get(client, "/list/partners"))
    kinds = {html.unescape(k).replace("+", " "): int(n)
             for k, n in re.findall(r'<li><a href="\?sort=-n&amp;kind=([^"]+)">[^<]+</a> (\d+)', body)}
    assert sum(kinds.values()) == 27 and "Government" in kinds  # every partner has one kind
    gov = main(get(client, "/list/partners?kind=Government"))
    names = re.findall(r'<tr><td><a href="/id/org/[^"]+">([^<]+)</a></td>', gov)
    assert len(names) == kinds["Government"] and f'{kinds["Government"]} partners where kind is “Government”' in gov
    want = {r["name"] for r in rows(snap, """SELECT DISTINCT ?name WHERE { ?n rkg:partner ?o .
        ?o skos:prefLabel ?name ; rkg:organisationKind/skos:prefLabel "Government"@en }""")}
    assert set(names) == want  # what the graph says
    # sorted by name, either way; the CSV and JSON downloads keep the filter
    up = re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a>', main(get(client, "/list/partners?kind=Government&sort=label")))
    down = re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a>', main(get(client, "/list/partners?kind=Government&sort=-label")))
    assert up == sorted(up, key=str.casefold) and down == list(reversed(up))
    csv_text = client.get("/list/partners?kind=Government&format=csv").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "iri,label,kind,country,number" and len(csv_text.splitlines()) == len(names) + 1
    data = client.get("/list/partners?kind=Government&format=json").get_json()
    assert {d["label"] for d in data} == want and all(d["kind"] == "Government" for d in data)


def test_the_figures_list_pages_and_filters_on_quality(client, snap):
    body = main(get(client, "/list/figures"))
    total = int(re.search(r"([\d,]+) figures", body).group(1).replace(",", ""))
    assert total == int(rows(snap, "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?x rkg:figure ?f }")[0]["n"])
    assert body.count("<tr><td>") == 50 and 'rel="next"' in body
    flagged = main(get(client, "/list/figures?" + urlencode({"finding": "with a finding"})))
    n = int(re.search(r"([\d,]+) figures? where", flagged).group(1))
    assert n == int(rows(snap, """SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?x rkg:figure ?f .
                                 ?f dqv:hasQualityAnnotation ?q }""")[0]["n"]) > 0


def test_lists_answer_at_list_and_id_and_refuse_unknown_names(client):
    for path in ("/list/", "/id/"):
        body = main(get(client, path))
        assert all(f'href="/list/{name}"' in body for name in ("reports", "outcomes", "partners", "places",
                                                              "figures", "findings"))
    assert client.get("/list/nope", headers=HTML).status_code == 404


def test_pictures_are_svg_with_their_numbers_as_text(client, snap):
    """Ranked bars of women reached by region on a country's page, findings by type on a report's page:
    drawn on the server, each with a title, a description that holds the numbers, and the cube's values."""
    body = main(get(client, "/id/place/ML"))
    (svg,) = re.findall(r'<figure class="chart bars">(.*?)</figure>', body, re.S)
    labels = re.findall(r'class="bar-label">(?:up to )?([\d,]+) · ([^<(]+?) \(', svg)
    assert labels and "<title>" in svg and "<desc>" in svg
    cube = {r["name"]: int(r["n"]) for r in rows(snap, """SELECT ?name ?n WHERE {
        ?o qb:dataSet/dcterms:identifier "people-reached" ; rkg:refArea ?a ; rkg:sex sdmx-code:sex-F ;
           rkg:refYear "2021"^^xsd:gYear ; rkg:peopleReached ?n . ?a rkg:within <https://w3id.org/results-kg/id/place/ML> ;
           skos:prefLabel ?name }""")}
    assert {name: int(n.replace(",", "")) for n, name in labels} == cube
    values = [int(n.replace(",", "")) for n, _ in labels]
    assert values == sorted(values, reverse=True)  # ranked
    report = main(get(client, "/id/report/MLI-2021"))
    (findings_svg,) = re.findall(r'<figure class="chart bars">(.*?)</figure>', report, re.S)
    counted = sum(int(n) for n, _ in re.findall(r'class="bar-label">(\d+) · ([^<]+)</text>', findings_svg))
    assert counted == report.count('<li class="finding">') >= 17


def test_a_figure_page_names_its_outcome_status_and_year(client):
    body = main(get(client, "/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.1/figure/1"))
    head = re.search(r'<p class="facts in-note">(.*?)</p>', body, re.S).group(1)
    assert ">XM-DAC-41146-MLI_D_1.1</a>" in head and "Partially achieved" in head and "2021" in head
    assert 'href="/id/place/ML"' in head


def test_a_country_page_draws_how_its_outcomes_ended_each_year(client, snap):
    body = main(get(client, "/id/place/ML"))
    (bar,) = re.findall(r'<figure class="chart status-bar">(.*?)</figure>', body, re.S)
    shown = dict((s, int(n)) for s, n in re.findall(r"([A-Z][a-z ]+): (\d+)", re.search(r"<desc[^>]*>(.*?)</desc>",
                                                                                        bar, re.S).group(1)))
    cube = {r["label"]: int(r["n"]) for r in rows(snap, """SELECT ?label ?n WHERE {
        ?o qb:dataSet/dcterms:identifier "outcome-status" ; rkg:refArea <https://w3id.org/results-kg/id/place/ML> ;
           rkg:outcomeStatus/skos:prefLabel ?label ; rkg:outcomeCount ?n }""")}
    assert shown == cube and sum(shown.values()) == 8 and "<strong>2021</strong>" in bar


def test_property_names_are_words_never_camel_case(client):
    body = main(get(client, "/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.1/figure/1"))
    names = re.findall(r"<dt>([^<]+?) <small class=\"curie\">", body)
    assert names and not [n for n in names if re.search(r"[a-z][A-Z]", n)], names


def test_sex_concepts_link_to_their_own_page_here(client):
    body = main(get(client, "/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.1/figure/2"))
    (href,) = set(re.findall(r'href="(/about\?iri=[^"]+)"', body))
    assert "sex-" in html.unescape(href)
    page = main(get(client, html.unescape(href)))
    assert "<h1>" in page and 'id="incoming"' in page  # what the graph says of it, and the figures of that sex
    assert client.get("/about?iri=https://example.org/x", headers=HTML).status_code == 404
    r = client.get(html.unescape(href), headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
