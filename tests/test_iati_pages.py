"""IATI pages in the browser: targets against actuals, and report outcomes and IATI results linked both ways."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from helpers import PREFIXES, SEED
from kg import resources
from kg.build import build
from kg.store import open_store

HTML = {"Accept": "text/html"}
MALI = Path(__file__).resolve().parent / "iati" / "mali-2021.xml"
ACTIVITY = "/id/activity/XM-DAC-41146-MLI-2021-GOV"
ID = "https://w3id.org/results-kg/id/"
TRICKY = """<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity>
  <iati-identifier>XX-ESC/2021 &lt;1&gt;</iati-identifier>
  <reporting-org ref="XX-ESC" type="21"><narrative>&lt;b&gt;NGO&lt;/b&gt;</narrative></reporting-org>
  <title><narrative>&lt;script&gt;alert(1)&lt;/script&gt;</narrative></title>
  <result type="1"><title><narrative>&lt;img src=x onerror=alert(2)&gt;</narrative></title>
   <indicator measure="1"><title><narrative>&lt;/svg&gt;&lt;script&gt;alert(3)&lt;/script&gt;</narrative></title>
    <period><period-start iso-date="2021-01-01"/><period-end iso-date="2021-12-31"/>
     <target value="&lt;10&gt;"/><actual value="5"/></period>
   </indicator>
  </result>
 </iati-activity>
</iati-activities>
"""


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    """The seed, an IATI file about its outcomes, and an activity whose texts carry markup."""
    folder = tmp_path_factory.mktemp("iati-pages")
    tricky = folder / "tricky.xml"
    tricky.write_text(TRICKY, encoding="utf-8")
    build([SEED, MALI, tricky], sink=open_store(folder / "st").sink(), keep=False)
    return folder / "st"


def page(client, url: str) -> str:
    resp = client.get(url, headers=HTML)
    assert resp.status_code == 200, (url, resp.status_code)
    body = resp.get_data(as_text=True)
    return body[body.index("<main"):body.index("</main>")]


def _bars(svg: str) -> list[tuple[str, float, str]]:
    return [(m[0], float(m[1]), m[2]) for m in
            re.findall(r'<rect class="bar (\w+)"[^>]* height="([\d.]+)"><title>([^<]*)</title>', svg)]


def test_the_activity_page_shows_targets_against_actuals(client):
    body = page(client, ACTIVITY)
    assert "Women&#39;s leadership and political participation in Mali" in body
    for who in ("United Nations Development Programme", "UN Women", "Ministère de la Promotion de la Femme"):
        assert who in body
    svgs = re.findall(r"<svg.*?</svg>", body, re.S)
    assert len(svgs) == 2  # the unit and the percentage indicator; the qualitative one has no numbers
    bars = _bars(svgs[0])
    heights = {title.split(" (")[0]: h for _, h, title in bars}
    assert set(heights) == {"target 20,000", "actual 15,250", "target 25,000"}
    # bar heights are proportional to the values
    assert heights["actual 15,250"] / heights["target 25,000"] == pytest.approx(15250 / 25000, rel=0.01)
    # the table has every value, disaggregated ones and unreadable ones with why
    assert "(female, ML-4)" in body and "as written: 102,4517" in body and "broken digit grouping" in body
    assert "as written: 12.5%" in body or "12.5" in body


def test_an_outcome_page_lists_the_iati_results_and_they_link_back(client, app):
    snap = app.extensions["kg"].snapshot()
    [row] = [r for r in snap.query(PREFIXES + "SELECT ?r ?o WHERE { ?r rkg:describesOutcome ?o }")]
    result, outcome = row["r"].value, row["o"].value
    outcome_page = page(client, "/id/" + outcome[len(ID):])
    section = outcome_page[outcome_page.index('id="iati-results"'):]
    assert f'href="/id/{result[len(ID):]}"' in section and f'href="{ACTIVITY}"' in section
    result_page = page(client, "/id/" + result[len(ID):])
    linked = result_page[result_page.index("linked-outcomes"):]
    assert f'href="/id/{outcome[len(ID):]}"' in linked.split("</p>")[0]
    assert "SP_D_1.2" in result_page  # its Strategic Plan reference, linked to the concept
    assert result_page.count("<svg") == 2


def test_an_indicator_and_a_value_page_say_where_in_the_file_they_were_read(client, app):
    snap = app.extensions["kg"].snapshot()
    rows = [r for r in snap.query(PREFIXES + """SELECT ?v ?line WHERE {
        ?v a rkg:Actual ; rkg:sourceText "9,300" ; prov:wasDerivedFrom/rkg:line ?line }""")]
    value_iri, line = rows[0]["v"].value, rows[0]["line"].value
    body = page(client, "/id/" + value_iri[len(ID):])
    assert f"<code>mali-2021.xml</code>, line {line}" in body
    assert MALI.read_text(encoding="utf-8").splitlines()[int(line) - 1].strip().startswith("<actual")
    assert "/iati-activities/iati-activity[1]/result[1]/indicator[1]/period[1]/actual[2]" in body
    indicator = value_iri.rsplit("/period/", 1)[0]
    assert "<svg" in page(client, "/id/" + indicator[len(ID):])


def test_everything_from_the_file_is_escaped_and_a_slash_in_an_identifier_resolves(client):
    iri_path = "/id/activity/XX-ESC%2F2021%20%3C1%3E"
    body = page(client, iri_path)
    assert "<script>alert" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body and "</svg><script>" not in body
    assert "&lt;/svg&gt;&lt;script&gt;alert(3)" in body  # in the chart's title and label too
    assert page(client, iri_path.replace("%2F", "%2f")) == body  # escapes are case-insensitive
    turtle = client.get(iri_path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and b"Activity" in turtle.data


@pytest.mark.parametrize("name", [p.stem for p in sorted(resources.queries_dir().glob("*.rq"))])
def test_every_example_query_returns_rows_on_reports_and_iati(client, name):
    body = page(client, f"/query?example={name}")
    table = re.search(r'<table class="results">(.*?)</table>', body, re.S)
    assert table is not None and re.search(r"<tr><td>", table.group(1)), name


def test_the_women_query_adds_up_both_sources(app):
    store = app.extensions["kg"].snapshot()
    text = (resources.queries_dir() / "women-across-sources.rq").read_text(encoding="utf-8")
    got = {r["source"].value: int(r["women"].value) for r in store.query(text)}
    assert got["IATI actual"] == 9300
    assert got["report narrative"] > 0


def test_the_home_page_counts_iati_activities(client):
    body = page(client, "/")
    assert '<span class="count">2</span> <span class="what">IATI activities</span>' in body  # Mali's, the tricky one


def test_a_slash_in_an_identifier_resolves_through_the_real_server(store_path, tmp_path):
    """The server decodes %2F before the app sees the path; the IRI is found all the same."""
    import subprocess
    import sys
    import time
    import urllib.request

    from helpers import ENV, free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store_path), "--port", str(port),
                             "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **ENV})
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        req = urllib.request.Request(base + "/id/activity/XX-ESC%2F2021%20%3C1%3E", headers={"Accept": "text/turtle"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200 and b"Activity" in r.read()
    finally:
        proc.terminate()
        proc.wait(10)
