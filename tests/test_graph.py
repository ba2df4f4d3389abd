"""The built graph, queried with SPARQL in a real embedded store (Oxigraph)."""
from __future__ import annotations

import rdflib
from rdflib.compare import isomorphic

from helpers import PREFIXES, select
from kg.build import build, serialize
from kg.formats import BY_NAME


def test_eight_outcomes_of_mali_2021_each_complete(store):
    rows = select(store, PREFIXES + """
    SELECT ?id ?status ?sp (COUNT(DISTINCT ?partner) AS ?partners) (COUNT(DISTINCT ?place) AS ?places)
           (COUNT(DISTINCT ?fig) AS ?figures)
    WHERE {
      ?report a rkg:Report ; rkg:country/rkg:iso3166Code "ML" ; rkg:year "2021"^^<http://www.w3.org/2001/XMLSchema#gYear> .
      ?note rkg:reportedIn ?report ; rkg:about ?o ; rkg:status/skos:notation ?status .
      ?o a rkg:Outcome ; dcterms:identifier ?id ; rkg:alignedTo/skos:notation ?sp .
      OPTIONAL { ?note rkg:partner ?partner }
      OPTIONAL { ?note rkg:place ?place }
      OPTIONAL { ?note rkg:figure ?fig }
    } GROUP BY ?id ?status ?sp ORDER BY ?id""")
    assert len(rows) == 8
    got = {r["id"].rsplit("-", 1)[1]: r for r in rows}
    assert got["MLI_D_1.2"]["status"] == "not-achieved" and got["MLI_D_1.2"]["sp"] == "SP_D_1.2"
    assert got["MLI_D_2.2"]["status"] == "not-stated"
    assert sum(1 for r in rows if r["status"] == "partially-achieved") == 5
    for ident, r in got.items():
        assert int(r["figures"]) > 0, ident
        assert int(r["partners"]) > 0 or ident == "MLI_D_1.2", ident
    assert int(got["MLI_D_1.1"]["places"]) >= 3


def test_quality_findings_are_published_with_dqv(store):
    rows = select(store, PREFIXES + """
    SELECT ?type (COUNT(?f) AS ?n) WHERE {
      ?f a rkg:QualityFinding, dqv:QualityAnnotation ; rkg:findingType/skos:notation ?type ;
         dqv:inDimension ?dim ; oa:hasTarget ?t ; oa:hasBody/rdf:value ?msg ; prov:wasDerivedFrom ?span .
      ?t dqv:hasQualityAnnotation ?f .
    } GROUP BY ?type""")
    counts = {r["type"]: int(r["n"]) for r in rows}
    assert counts == {"inferred-alignment": 3, "duplicate-passage": 3, "rejoined-paragraph": 2,
                      "malformed-number": 4, "glued-number": 2, "parts-do-not-add-up": 3,
                      "untitled-concept": 3}  # SP_D_2.1, SP_D_2.2, SP_D_3.1: inferred, and no title anywhere


def test_every_figure_traces_to_its_exact_characters(store, seed_text):
    rows = select(store, PREFIXES + """
    SELECT ?fig ?text ?start ?end ?exact ?source ?file WHERE {
      ?fig a rkg:Figure ; rkg:sourceText ?text ; prov:wasDerivedFrom ?span .
      ?span oa:hasSource ?source ; oa:hasSelector ?p, ?q .
      ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?exact .
      ?source rkg:sourceFile ?file .
    }""")
    # 96 in digits, less two durations ("(3 days)", "6 years after"), plus six in words ("nine communes",
    # "two rounds", "six communes", "three signatory parties", "two formed armed movements", "two groups")
    assert len(rows) == 100
    assert sorted(r["text"] for r in rows if not r["text"][0].isdigit()) == ["nine", "six", "three", "two", "two",
                                                                            "two"]
    for r in rows:
        assert seed_text[int(r["start"]) : int(r["end"])] == r["exact"] == r["text"]
        assert r["file"] == "MLI-2021.txt"


def test_every_text_derived_node_has_provenance(store):
    rows = select(store, PREFIXES + """
    SELECT ?s ?type WHERE {
      VALUES ?type { rkg:Figure rkg:Mention rkg:ProgressNote rkg:Outcome rkg:QualityFinding }
      { ?s a ?type } UNION { ?s rkg:discovered true . BIND(org:Organization AS ?type) }
      FILTER NOT EXISTS { ?s prov:wasDerivedFrom ?span . ?span a rkg:TextSpan }
    }""")
    assert rows == []


def test_partner_and_place_are_one_node_across_outcomes(store):
    rows = select(store, PREFIXES + """
    SELECT ?org (COUNT(DISTINCT ?note) AS ?notes) WHERE { ?note rkg:partner ?org } GROUP BY ?org""")
    by = {r["org"].rsplit("/", 1)[1]: int(r["notes"]) for r in rows}
    assert by["undp"] == 2  # named in MLI_D_1.1 and MLI_D_2.2
    rows = select(store, PREFIXES + """
    SELECT ?iri ?within WHERE { ?iri rkg:iso3166Code ?code ; rkg:within ?within . FILTER(?code = "ML-4") }""")
    assert [r["within"].rsplit("/", 1)[1] for r in rows] == ["ML"]


def test_builds_are_deterministic(seed_path):
    a = serialize(build([seed_path]), BY_NAME["nquads"])
    b = serialize(build([seed_path]), BY_NAME["nquads"])
    assert sorted(a.splitlines()) == sorted(b.splitlines())


def test_report_graphs_are_named_and_reference_data_separate(built):
    quads = built.quads()
    graphs = {q.graph_name.value for q in quads}
    assert graphs == {"https://w3id.org/results-kg/id/graph/report/MLI-2021",
                      "https://w3id.org/results-kg/id/graph/reference",
                      "https://w3id.org/results-kg/id/graph/shared",
                      "https://w3id.org/results-kg/id/graph/statistics",
                      "https://w3id.org/results-kg/def"}
    # each triple in one graph only: the union of the graphs is a set, not a bag
    assert len({q.triple for q in quads}) == len(quads)
    outcome = "https://w3id.org/results-kg/id/outcome/"
    own = {"http://www.w3.org/ns/prov#wasDerivedFrom", "http://www.w3.org/ns/dqv#hasQualityAnnotation"}
    where = {q.graph_name.value.rsplit("/", 1)[1] for q in quads if q.subject.value.startswith(outcome)
             and q.predicate.value not in own}
    # described once; the report keeps where it read it and its findings about it
    assert where == {"shared"}


def test_jsonld_output_is_the_same_graph(built):
    data = serialize(built, BY_NAME["jsonld"])
    g1 = rdflib.Graph().parse(data=data, format="json-ld")
    g2 = rdflib.Graph().parse(data=serialize(built, BY_NAME["ntriples"]), format="nt")
    assert len(g1) == len(g2) > 5000
    assert isomorphic(g1, g2)
    assert b'"@context"' in data and b'"rkg": "https://w3id.org/results-kg/def#"' in data


def test_invalid_reference_data_fails_the_build_and_names_it(tmp_path, seed_path):
    import shutil

    import pytest

    from kg import resources
    from kg.errors import BuildErrors
    from kg.gazetteer import load_gazetteer

    data = tmp_path / "data"
    shutil.copytree(resources.data_dir(), data)
    partners = (data / "partners.tsv").read_text(encoding="utf-8").replace("XM-DAC-41114", "not an id", 1)
    (data / "partners.tsv").write_text(partners, encoding="utf-8")
    with pytest.raises(BuildErrors) as e:
        build([seed_path], gazetteer=load_gazetteer(data))
    assert "org/undp" in str(e.value) and "identifier" in str(e.value)


def test_names_carry_their_own_language(store):
    """French and Spanish names of organisations are tagged as such ("ONU Femmes"@fr), never as English."""
    rows = store.query(PREFIXES + "SELECT ?o ?l WHERE { ?o a org:Organization ; skos:altLabel ?l }",
                       use_default_graph_as_union=True)
    by_lang = {(r["l"].value, r["l"].language) for r in rows}
    assert ("ONU Femmes", "fr") in by_lang
    assert ("Programme des Nations Unies pour le développement", "fr") in by_lang
    french = ("Programme des", "Fonds des", "Organisation des", "Ministère", "ONU Femmes", "Union des Radios")
    assert not [t for t, lang in by_lang if lang == "en" and t.startswith(french)]


def test_no_strategic_plan_concept_is_labelled_with_its_bare_code(store):
    """A code nobody titled is labelled from what the code says and a note says the title is unknown;
    the label is never the code itself, nor a title we made up."""
    rows = select(store, PREFIXES + """SELECT ?c ?code ?label ?note WHERE {
        ?c skos:notation ?code ; skos:prefLabel ?label . FILTER(STRSTARTS(STR(?code), "SP_"))
        OPTIONAL { ?c skos:editorialNote ?note } }""")
    assert len(rows) > 20 and all(r["label"] != r["code"] for r in rows)
    untitled = {r["code"]: r["label"] for r in rows if r["note"]}
    assert untitled["SP_D_2.1"] == "Development result 2.1 of the 2018-2021 Strategic Plan (title not known)"
    assert all(label.endswith("(title not known)") for label in untitled.values())
