"""The ontology and the code's closed namespace agree; every term is labelled and defined."""
from __future__ import annotations

import json

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import resources
from kg.vocab import RKG, RKG_NS


def _ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(resources.ontology_file())


def test_vocab_and_ontology_define_the_same_terms():
    g = _ontology()
    in_file = {str(s)[len(RKG_NS):] for s in g.subjects() if str(s).startswith(RKG_NS)}
    in_code = set(RKG.__annotations__)
    assert in_file == in_code, (in_file - in_code, in_code - in_file)


def test_every_term_has_label_definition_and_is_defined_by():
    g = _ontology()
    onto = rdflib.URIRef("https://w3id.org/results-kg/def")
    assert (onto, RDF.type, OWL.Ontology) in g
    for name in RKG.__annotations__:
        term = RKG[name]
        assert g.value(term, RDFS.label), name
        assert g.value(term, SKOS.definition), name
        assert (term, RDFS.isDefinedBy, onto) in g, name


def test_concept_schemes_are_consistent():
    g = _ontology()
    for scheme in (s for s in g.subjects(RDF.type, SKOS.ConceptScheme) if str(s).startswith(RKG_NS)):
        tops = set(g.objects(scheme, SKOS.hasTopConcept))
        members = set(g.subjects(SKOS.inScheme, scheme))
        assert tops == members, scheme
        for c in members:
            assert g.value(c, SKOS.notation) and g.value(c, SKOS.prefLabel), c


def test_a_misspelt_term_fails_at_once():
    import pytest

    with pytest.raises(AttributeError):
        RKG.Reprot  # noqa: B018


def test_context_covers_every_property_and_parses():
    ctx = json.loads(resources.context_file().read_text(encoding="utf-8"))["@context"]
    g = _ontology()
    props = {str(p)[len(RKG_NS):] for p in g.subjects(RDF.type, OWL.ObjectProperty)} | \
            {str(p)[len(RKG_NS):] for p in g.subjects(RDF.type, OWL.DatatypeProperty)}
    props = {p for p in props if "#" not in p and "/" not in p}
    assert props <= set(ctx), props - set(ctx)
    doc = {"@context": ctx, "@id": "https://w3id.org/results-kg/id/report/X", "year": "2021", "breakdown": "rkg:BySex"}
    parsed = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    assert (None, RKG.year, rdflib.Literal("2021", datatype=rdflib.XSD.gYear)) in parsed


def test_partner_roles_are_the_schemes_concepts_with_their_notations():
    """kg.vocab.PARTNER_ROLES, which extraction, mapping and pages read, says what the ontology says."""
    from kg.vocab import PARTNER_ROLES

    g = _ontology()
    scheme = RKG.PartnerRoleScheme
    concepts = set(g.objects(scheme, rdflib.SKOS.hasTopConcept))
    assert {RKG[term] for term in PARTNER_ROLES.values()} == concepts
    for notation, term in PARTNER_ROLES.items():
        assert str(g.value(RKG[term], rdflib.SKOS.notation)) == notation
