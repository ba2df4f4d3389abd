"""The reference graph: curated partners, places, Strategic Plan concepts and IATI codelists as RDF.

Built once per build from the gazetteer and the bundled codelists; report and IATI graphs
link to its nodes, and it is validated with every graph that does.
"""
from __future__ import annotations

import re

import pycountry
from pyoxigraph import Triple

from kg import codelists, offices
from kg.gazetteer import Gazetteer, Organisation, Place
from kg.links import load_links
from kg.rdf import terms as t
from kg.rdf.graph import Emitter, NamedGraph
from kg.rdf.terms import n
from kg.uris import IRIs
from kg.vocab import CC_BY_4, N

ORG_KIND = {"un-entity": N.rkg.UNEntity, "government": N.rkg.Government, "civil-society": N.rkg.CivilSociety,
            "donor": N.rkg.Donor, "private-sector": N.rkg.PrivateSector, "academic": N.rkg.Academic,
            "other": N.rkg.OtherOrganisation}
PLACE_TYPE = {"country": N.rkg.Country, "region": N.rkg.Region, "district": N.rkg.District, "cercle": N.rkg.Cercle,
              "commune": N.rkg.Commune, "city": N.rkg.City}
SP_SCHEME = "strategic-plan"
CURRENCY_SCHEME = "currencies"
# each plan period numbers its results its own way (DOMAIN.md): 2022-2025 codes are SP_D_0.<n>…
SP_PERIODS = {"2018-2021": "strategic-plan-2018-2021", "2022-2025": "strategic-plan-2022-2025"}


def sp_period(code: str) -> str:
    """The plan period a Strategic Plan code belongs to, from its shape."""
    return "2022-2025" if re.match(r"^SP_[DO]_0\.", code) else "2018-2021"
REFERENCE_GRAPH = "reference"


class ReferenceData:
    """What lives in the reference graph, so report graphs describe only the rest."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        tabled = [gazetteer.places[k] for k in gazetteer.table_places]
        curated_countries = {p.country for p in tabled if p.type in ("city", "commune", "cercle")}
        self.place_keys = {p.key for p in tabled if p.type == "country" or p.country in curated_countries}
        self.org_keys = set(gazetteer.orgs)
        self.sp_codes = set(gazetteer.sp_codes)


def sp_parent(code: str) -> str | None:
    """SP_D_1.2 -> SP_D_1; SP_D_1.2A -> SP_D_1.2; SP_D_1A -> SP_D_1; SP_D_0.1.4 -> SP_D_0.1."""
    m = re.match(r"^(SP_[DO]_[0-9.]*[0-9])([A-Za-z])$", code)
    if m:
        return m.group(1)
    m = re.match(r"^(SP_[DO]_[0-9.]+)\.[0-9]+$", code)
    return m.group(1) if m else None


def untitled_label(code: str) -> str:
    """A label for a code whose title nobody gave us: what the code says (which kind of result, which number,
    which plan period), and that the title is unknown; never the bare code and never an invented title."""
    m = re.match(r"^SP_([DO])_(.+)$", code)
    kind, number = ("Development" if m.group(1) == "D" else "Organisational effectiveness", m.group(2)) if m else \
        ("Strategic Plan", code)
    return f"{kind} result {number} of the {sp_period(code)} Strategic Plan (title not known)"


def sp_concept_triples(e: Emitter, iris: IRIs, code: str, title: str | None) -> None:
    c = n(iris.sp(code))
    e.add(c, N.rdf.type, N.skos.Concept)
    e.add(c, N.skos.notation, t.plain(code))
    e.add(c, N.skos.inScheme, n(iris.scheme(SP_SCHEME)))
    period = n(iris.scheme(SP_PERIODS[sp_period(code)]))
    e.add(c, N.skos.inScheme, period)
    e.add(c, N.skos.prefLabel, t.text(title or untitled_label(code)))
    if not title:
        e.add(c, N.skos.editorialNote, t.text(
            f"No title is known for {code}: data/sp_codes.tsv has none and no report read gave one; the label "
            "says what kind of result the code names, never a title of our own."))
    parent = sp_parent(code)
    if parent:
        e.add(c, N.skos.broader, n(iris.sp(parent)))
    else:
        e.add(c, N.skos.topConceptOf, n(iris.scheme(SP_SCHEME)))
        e.add(c, N.skos.topConceptOf, period)


def currency_triples(e: Emitter, iris: IRIs, code: str) -> None:
    """A currency unit, by ISO 4217 code, named as pycountry (ISO 4217) names it."""
    c = n(iris.currency(code))
    cur = pycountry.currencies.get(alpha_3=code)
    name = cur.name if cur is not None else code
    e.add(c, N.rdf.type, N.skos.Concept)
    e.add(c, N.rdf.type, N.rkg.Currency)
    e.add(c, N.skos.prefLabel, t.text(name))
    e.add(c, N.rdfs.label, t.text(name))
    e.add(c, N.skos.notation, t.plain(code))
    e.add(c, N.skos.inScheme, n(iris.scheme(CURRENCY_SCHEME)))


def org_triples(e: Emitter, iris: IRIs, o: Organisation) -> None:
    s = n(iris.org(o.key))
    e.add(s, N.rdf.type, N.org.Organization)
    e.add(s, N.skos.prefLabel, t.text(o.name))
    e.add(s, N.rdfs.label, t.text(o.name))
    for a in (*o.acronyms, *o.aliases):
        e.add(s, N.skos.altLabel, t.text(a, o.lang(a)))
    if o.iati_id:
        e.add(s, N.dcterms.identifier, t.plain(o.iati_id))
    e.add(s, N.rkg.organisationKind, ORG_KIND[o.kind])
    if o.discovered:
        e.add(s, N.rkg.discovered, t.boolean(True))


def place_triples(e: Emitter, iris: IRIs, p: Place) -> None:
    s = n(iris.place(p.key))
    e.add(s, N.rdf.type, N.rkg.Place)
    e.add(s, N.skos.prefLabel, t.text(p.name, None))
    e.add(s, N.rdfs.label, t.text(p.name, None))
    for a in p.alt_names:
        e.add(s, N.skos.altLabel, t.text(a, None))
    if p.iso_code:
        e.add(s, N.rkg.iso3166Code, t.plain(p.iso_code))
    e.add(s, N.rkg.placeType, PLACE_TYPE[p.type])
    if p.parent:
        e.add(s, N.rkg.within, n(iris.place(p.parent)))
    links = load_links().get(p.iso_code) if p.iso_code else None
    geonames = p.geonames if p.geonames is not None else links.geonames if links else None
    if geonames is not None:  # the same place in GeoNames' own linked data (a town found there, or an ISO place)
        e.add(s, N.skos.exactMatch, n(iris.geonames(geonames)))
    if links is not None and links.wikidata:
        e.add(s, N.skos.exactMatch, n(iris.wikidata(links.wikidata)))
    if links is not None and links.m49:
        e.add(s, N.rkg.unM49Code, t.plain(links.m49))
    if p.discovered:
        e.add(s, N.rkg.discovered, t.boolean(True))


def reference_graph(gazetteer: Gazetteer, iris: IRIs) -> NamedGraph:
    """The reference graph: curated organisations and places, ISO places, the SP scheme."""
    ref = ReferenceData(gazetteer)
    e = Emitter(n(iris.graph(REFERENCE_GRAPH)))
    for o in gazetteer.orgs.values():
        org_triples(e, iris, o)
    for key in sorted(ref.place_keys):
        place_triples(e, iris, gazetteer.places[key])
    scheme = n(iris.scheme(SP_SCHEME))
    e.add(scheme, N.rdf.type, N.skos.ConceptScheme)
    e.add(scheme, N.skos.prefLabel, t.text("UN Women Strategic Plan outcomes, outputs and indicators"))
    e.add(scheme, N.rdfs.label, t.text("UN Women Strategic Plan outcomes, outputs and indicators"))
    for period, key in SP_PERIODS.items():
        label = t.text(f"UN Women Strategic Plan {period}: outcomes, outputs and indicators")
        ps = n(iris.scheme(key))
        e.add(ps, N.rdf.type, N.skos.ConceptScheme)
        e.add(ps, N.skos.prefLabel, label)
        e.add(ps, N.rdfs.label, label)
    cs = n(iris.scheme(CURRENCY_SCHEME))
    e.add(cs, N.rdf.type, N.skos.ConceptScheme)
    e.add(cs, N.skos.prefLabel, t.text("Currencies (ISO 4217), as units of amounts of money"))
    e.add(cs, N.rdfs.label, t.text("Currencies (ISO 4217), as units of amounts of money"))
    for o in offices.table().values():  # the tabled offices; a country office's area is its country
        s = n(iris.office(o.code))
        e.add(s, N.rdf.type, N.rkg.Office)
        e.add(s, N.skos.prefLabel, t.text(o.name))
        e.add(s, N.rdfs.label, t.text(o.name))
        e.add(s, N.skos.notation, t.plain(o.code))
        if o.country:
            e.add(s, N.rkg.country, n(iris.place(o.country)))
    for code, (_kind, title) in sorted(gazetteer.sp_codes.items()):
        sp_concept_triples(e, iris, code, title)
        parent = sp_parent(code)
        if parent and parent not in gazetteer.sp_codes:
            sp_concept_triples(e, iris, parent, None)
    for code in list(gazetteer.sp_codes):
        parent = sp_parent(code)
        if parent:
            e.add(n(iris.sp(parent)), N.skos.narrower, n(iris.sp(code)))
    return NamedGraph(e.graph, e.triples + codelist_triples(iris))


def codelist_triples(iris: IRIs) -> list[Triple]:
    """The IATI codelists we bundle, as SKOS concept schemes (for the reference graph)."""
    e = Emitter(n(iris.graph(REFERENCE_GRAPH)))
    for key, scheme in codelists.SCHEMES.items():
        sch = n(iris.scheme(key))
        e.add(sch, N.rdf.type, N.skos.ConceptScheme)
        label = f"IATI {scheme.label} codelist" + (f" ({scheme.owner})" if scheme.owner != "IATI" else "")
        e.add(sch, N.skos.prefLabel, t.text(label))
        e.add(sch, N.rdfs.label, t.text(label))
        e.add(sch, N.dcterms.source, n(scheme.url))
        e.add(sch, N.dcterms.license, n(CC_BY_4))
        e.add(sch, N.dcterms.rights, t.text('IATI Standard (http://iatistandard.org/), CC BY 4.0' +
                                    (f"; the list is the {scheme.owner}'s" if scheme.owner != "IATI" else "")))
        for code in codelists.load(key).codes.values():
            c = n(iris.code(key, code.code))
            e.add(c, N.rdf.type, N.skos.Concept)
            e.add(c, N.skos.notation, t.plain(code.code))
            e.add(c, N.skos.prefLabel, t.text(code.name))
            e.add(c, N.rdfs.label, t.text(code.name))
            e.add(c, N.skos.inScheme, sch)
            e.add(c, N.skos.topConceptOf, sch)
            if code.withdrawn:
                e.add(c, N.owl.deprecated, t.boolean(True))
    return e.triples
