"""Closed namespaces for every term the code writes.

The Results KG terms are defined in ``ontology/results-kg.ttl``; this module mirrors
that file so a misspelt term fails at import time (``_fail = True``) instead of
silently writing a triple nobody can query. ``tests/test_ontology.py`` checks
that the two lists agree in both directions.
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

RKG_NS = "https://w3id.org/results-kg/def#"


class RKG(DefinedNamespace):
    """The Results KG ontology (prefix ``rkg:``)."""

    _NS = Namespace(RKG_NS)
    _fail = True

    # classes
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
    OrganisationKind: URIRef
    PlaceType: URIRef
    FindingType: URIRef
    Breakdown: URIRef

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
    shareOf: URIRef
    counts: URIRef
    sourceText: URIRef
    iso3166Code: URIRef
    within: URIRef
    placeType: URIRef
    organisationKind: URIRef
    sentence: URIRef
    findingType: URIRef
    sourceFile: URIRef
    sha256: URIRef
    graphDigest: URIRef
    discovered: URIRef

    # concept schemes and their concepts
    AchievementStatusScheme: URIRef
    Achieved: URIRef
    PartiallyAchieved: URIRef
    NotAchieved: URIRef
    StatusNotStated: URIRef

    UnitScheme: URIRef
    People: URIRef
    Count: URIRef
    XOF: URIRef
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
    MalformedNumber: URIRef
    GluedNumber: URIRef
    PartsDoNotAddUp: URIRef
    ShareMismatch: URIRef

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


# W3C's registry of format IRIs (sd:resultFormat values): an open list, read not written by us
FORMATS = Namespace("http://www.w3.org/ns/formats/")

PREFIXES: dict[str, str] = {
    "rkg": RKG_NS,
    "oa": str(OA._NS),
    "dqv": str(DQV._NS),
    "sdmx-code": str(SDMX_CODE._NS),
    "org": str(ORG._NS),
    "prov": str(PROV._NS),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "sh": "http://www.w3.org/ns/shacl#",
}
# prefixes declared in what we serialise (data never uses sh:)
OUTPUT_PREFIXES: dict[str, str] = {k: v for k, v in PREFIXES.items() if k != "sh"}
