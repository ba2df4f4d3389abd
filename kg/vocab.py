"""Closed namespaces for every term the code writes.

The Results KG terms are defined in ``ontology/results-kg.ttl``; this module mirrors
that file so a misspelt term fails at import time (``_fail = True``) instead of
silently writing a triple nobody can query. ``tests/test_ontology.py`` checks
that the two lists agree in both directions.
"""
from __future__ import annotations

from collections.abc import Iterable

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SH, SKOS, VOID, XSD, DefinedNamespace

RKG_NS = "https://w3id.org/results-kg/def#"


class RKG(DefinedNamespace):
    """The Results KG ontology (prefix ``rkg:``)."""

    _NS = Namespace(RKG_NS)
    _fail = True

    # classes
    Area: URIRef
    Office: URIRef
    # statistics (RDF Data Cube components)
    refArea: URIRef
    refYear: URIRef
    outcome: URIRef
    outcomeStatus: URIRef
    peopleReached: URIRef
    outcomeCount: URIRef
    upperBound: URIRef
    Report: URIRef
    Outcome: URIRef
    ProgressNote: URIRef
    Figure: URIRef
    Place: URIRef
    Mention: URIRef
    TextSpan: URIRef
    QualityFinding: URIRef
    AchievementStatus: URIRef
    Unit: URIRef
    Currency: URIRef
    OrganisationKind: URIRef
    PartnerRole: URIRef
    PlaceType: URIRef
    FindingType: URIRef
    Breakdown: URIRef
    ResultKind: URIRef

    # properties
    country: URIRef
    year: URIRef
    dataAsOf: URIRef
    statement: URIRef
    office: URIRef
    alignedTo: URIRef
    alignmentInferred: URIRef
    about: URIRef
    reportedIn: URIRef
    status: URIRef
    statusEvidence: URIRef
    narrative: URIRef
    partner: URIRef
    place: URIRef
    mention: URIRef
    refersTo: URIRef
    figure: URIRef
    unit: URIRef
    sex: URIRef
    partOf: URIRef
    breakdown: URIRef
    resultKind: URIRef
    shareOf: URIRef
    counts: URIRef
    sourceText: URIRef
    iso3166Code: URIRef
    within: URIRef
    placeType: URIRef
    organisationKind: URIRef
    partnerRole: URIRef
    roleEvidence: URIRef
    sentence: URIRef
    findingType: URIRef
    sourceFile: URIRef
    sha256: URIRef
    graphDigest: URIRef
    discovered: URIRef
    allIncomingLinks: URIRef
    unM49Code: URIRef
    resultRowLimit: URIRef
    queryTimeout: URIRef

    # concept schemes and their concepts
    AchievementStatusScheme: URIRef
    Achieved: URIRef
    PartiallyAchieved: URIRef
    NotAchieved: URIRef
    OnTrack: URIRef
    Delayed: URIRef
    StatusNotStated: URIRef

    UnitScheme: URIRef
    People: URIRef
    Count: URIRef
    Hectare: URIRef
    Percent: URIRef

    OrganisationKindScheme: URIRef
    UNEntity: URIRef
    Government: URIRef
    CivilSociety: URIRef
    Donor: URIRef
    PrivateSector: URIRef
    Academic: URIRef
    OtherOrganisation: URIRef

    PartnerRoleScheme: URIRef
    FundingPartner: URIRef
    ImplementingPartner: URIRef
    SupportedInstitution: URIRef
    CollaboratingPartner: URIRef

    PlaceTypeScheme: URIRef
    Country: URIRef
    Region: URIRef
    District: URIRef
    Cercle: URIRef
    Commune: URIRef
    City: URIRef

    FindingTypeScheme: URIRef
    InferredAlignment: URIRef
    DuplicatePassage: URIRef
    RejoinedParagraph: URIRef
    EmptyNarrative: URIRef
    LongStatement: URIRef
    CutHeading: URIRef
    UnreadStatus: URIRef
    UntitledConcept: URIRef
    MalformedNumber: URIRef
    GluedNumber: URIRef
    PartsDoNotAddUp: URIRef
    ShareMismatch: URIRef

    ResultKindScheme: URIRef
    DevelopmentResult: URIRef
    OrganisationalEffectivenessResult: URIRef

    BreakdownScheme: URIRef
    BySex: URIRef
    ByPlace: URIRef
    ByCategory: URIRef
    Subset: URIRef

    # IATI activities (kg/read/iati.py, kg/rdf/iati.py)
    Activity: URIRef
    IatiResult: URIRef
    Indicator: URIRef
    IndicatorPeriod: URIRef
    IndicatorValue: URIRef
    Baseline: URIRef
    Target: URIRef
    Actual: URIRef
    Participation: URIRef
    CodeReference: URIRef
    Disaggregation: URIRef
    XmlElement: URIRef
    result: URIRef
    indicator: URIRef
    period: URIRef
    baseline: URIRef
    target: URIRef
    actual: URIRef
    inPeriod: URIRef
    resultType: URIRef
    measure: URIRef
    reference: URIRef
    describesOutcome: URIRef
    participation: URIRef
    organisation: URIRef
    role: URIRef
    iatiOrganisationType: URIRef
    activityStatus: URIRef
    sector: URIRef
    recipientCountry: URIRef
    recipientRegion: URIRef
    dimension: URIRef
    periodStart: URIRef
    periodEnd: URIRef
    ascending: URIRef
    vocabulary: URIRef
    plannedStart: URIRef
    actualStart: URIRef
    plannedEnd: URIRef
    actualEnd: URIRef
    iatiVersion: URIRef
    dimensionName: URIRef
    locationRef: URIRef
    xpath: URIRef
    line: URIRef
    UnknownCode: URIRef
    MissingValue: URIRef

    # data-quality dimensions (dqv:Dimension instances)
    Accuracy: URIRef
    Consistency: URIRef
    Uniqueness: URIRef
    Completeness: URIRef


class OA(DefinedNamespace):
    """The subset of the W3C Web Annotation vocabulary we write."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    SpecificResource: URIRef
    TextPositionSelector: URIRef
    TextQuoteSelector: URIRef
    TextualBody: URIRef
    Annotation: URIRef
    hasSource: URIRef
    hasSelector: URIRef
    hasTarget: URIRef
    hasBody: URIRef
    motivatedBy: URIRef
    start: URIRef
    end: URIRef
    exact: URIRef
    prefix: URIRef
    suffix: URIRef


class DQV(DefinedNamespace):
    """The subset of the W3C Data Quality Vocabulary we write."""

    _NS = Namespace("http://www.w3.org/ns/dqv#")
    _fail = True

    QualityAnnotation: URIRef
    Dimension: URIRef
    inDimension: URIRef
    qualityAssessment: URIRef
    hasQualityAnnotation: URIRef


class SDMX_CODE(DefinedNamespace):
    """SDMX cross-domain codes for sex, as used with the RDF Data Cube."""

    _NS = Namespace("http://purl.org/linked-data/sdmx/2009/code#")
    _fail = True

    sex: URIRef
    Sex: URIRef
    _extras = ["sex-F", "sex-M", "sex-T"]


class QB(DefinedNamespace):
    """The subset of the W3C RDF Data Cube Vocabulary we write (the statistics)."""

    _NS = Namespace("http://purl.org/linked-data/cube#")
    _fail = True

    DataSet: URIRef
    DataStructureDefinition: URIRef
    ComponentSpecification: URIRef
    Observation: URIRef
    DimensionProperty: URIRef
    MeasureProperty: URIRef
    AttributeProperty: URIRef
    dataSet: URIRef
    structure: URIRef
    component: URIRef
    dimension: URIRef
    measure: URIRef
    attribute: URIRef
    order: URIRef
    componentRequired: URIRef
    componentAttachment: URIRef
    codeList: URIRef


class ORG(DefinedNamespace):
    """The subset of the W3C Organization Ontology we write."""

    _NS = Namespace("http://www.w3.org/ns/org#")
    _fail = True

    Organization: URIRef


class PROV(DefinedNamespace):
    """The subset of PROV-O we write."""

    _NS = Namespace("http://www.w3.org/ns/prov#")
    _fail = True

    wasDerivedFrom: URIRef
    Entity: URIRef

class SD(DefinedNamespace):
    """The subset of the SPARQL 1.1 Service Description vocabulary we write."""

    _NS = Namespace("http://www.w3.org/ns/sparql-service-description#")
    _fail = True

    Service: URIRef
    Dataset: URIRef
    Graph: URIRef
    NamedGraph: URIRef
    endpoint: URIRef
    supportedLanguage: URIRef
    SPARQL11Query: URIRef
    feature: URIRef
    UnionDefaultGraph: URIRef
    resultFormat: URIRef
    defaultDataset: URIRef
    defaultGraph: URIRef
    namedGraph: URIRef
    name: URIRef


# vocabularies we link to, never write terms of: the UN SDG knowledge organisation system (goals, targets,
# indicators), Wikidata's items, GeoNames' features (kg/uris.py mints their IRIs)
SDG_KOS = "http://metadata.un.org/sdg/"
UN_DOCUMENTS = "https://undocs.org/"  # the UN's resolver of document symbols: undocs.org/S/RES/1325(2000)
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
GEONAMES_FEATURE = "https://sws.geonames.org/"
# partner roles: the notation extraction writes -> the concept of rkg:PartnerRoleScheme, in the scheme's order
PARTNER_ROLES: dict[str, str] = {"donor": "FundingPartner", "implementing-partner": "ImplementingPartner",
                                 "supported-institution": "SupportedInstitution",
                                 "collaborating-partner": "CollaboratingPartner"}
# what others publish that a narrative cites: mention kind -> (the note's link to it, the IRIs' namespace)
CITED: dict[str, tuple[URIRef, str]] = {"sdg": (DCTERMS.subject, SDG_KOS),
                                        "resolution": (DCTERMS.references, UN_DOCUMENTS)}
# W3C's registry of format IRIs (sd:resultFormat values): an open list, read not written by us
W3C_FORMATS = "http://www.w3.org/ns/formats/"
# the licence the dataset and the IATI codelists it carries are published under
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"

PREFIXES: dict[str, str] = {
    "rkg": RKG_NS,
    "oa": str(OA._NS),
    "dqv": str(DQV._NS),
    "sdmx-code": str(SDMX_CODE._NS),
    "qb": str(QB._NS),
    "org": str(ORG._NS),
    "prov": str(PROV._NS),
    "skos": str(SKOS._NS),
    "dcterms": str(DCTERMS._NS),
    "rdfs": str(RDFS._NS),
    "owl": str(OWL._NS),
    "xsd": str(XSD._NS),
    "rdf": str(RDF._NS),
    "sh": str(SH._NS),
}
# prefixes declared in what we serialise (data never uses sh:)
OUTPUT_PREFIXES: dict[str, str] = {k: v for k, v in PREFIXES.items() if k != "sh"}


def sparql_prologue(prefixes: Iterable[str] | None = None) -> str:
    """The PREFIX lines of a fixed query: the named prefixes, or every one the data uses.

    The one place prologues are written, so a query's ``rkg:`` always means the ontology's namespace.
    """
    names = list(prefixes) if prefixes is not None else list(OUTPUT_PREFIXES)
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in names)


# ---- the same terms as pyoxigraph nodes ----------------------------------------------------------


def _term_names(ns: type[DefinedNamespace]) -> list[str]:
    names = [n for cls in ns.__mro__ for n in getattr(cls, "__annotations__", {}) if not n.startswith("_")]
    return list(dict.fromkeys(names + list(getattr(ns, "_extras", []))))


class Nodes:
    """The terms of one closed namespace as pyoxigraph ``NamedNode`` objects: ``N.rkg.partner``.

    Built from the same ``DefinedNamespace`` classes the mapping writes with, so a misspelt
    name raises ``AttributeError`` instead of reading nothing. Names that are not Python
    identifiers (``sex-F``, ``class``) are reached with ``getattr``.
    """

    def __init__(self, ns: type[DefinedNamespace]) -> None:
        from pyoxigraph import NamedNode

        base = str(ns._NS)
        self.namespace = base
        for name in _term_names(ns):
            setattr(self, name, NamedNode(base + name))

    def __getattr__(self, name: str) -> object:  # only reached for names that are not terms
        raise AttributeError(f"{name!r} is not a term of <{self.__dict__.get('namespace', '?')}>")


class _AllNodes:
    """``N.<prefix>.<term>`` for every namespace in ``PREFIXES`` (and a few we only read or describe)."""

    def __init__(self) -> None:
        for prefix, ns in {"rkg": RKG, "oa": OA, "dqv": DQV, "sdmx_code": SDMX_CODE, "qb": QB, "org": ORG, "prov": PROV,
                           "sd": SD, "skos": SKOS, "dcterms": DCTERMS, "rdfs": RDFS, "owl": OWL, "xsd": XSD,
                           "rdf": RDF, "sh": SH, "dcat": DCAT, "void": VOID, "foaf": FOAF}.items():
            setattr(self, prefix, Nodes(ns))


N = _AllNodes()
