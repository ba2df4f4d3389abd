#!/usr/bin/env python3
"""Generate a synthetic IATI activity file (standard 2.03) for read benchmarks and tests.

    python benchmarks/generate_iati.py OUT.xml --activities N [--seed S] [--results R] [--indicators I]
                                       [--periods P] [--version 2.03|1.03]

Writes one ``<iati-activities version="2.03">`` file of N activities, modelled on IATI's annotated
example (``activity-standard-example-annotated.xml``) and in the element order of the 2.03 schema.
Activities come mostly from UN Women (``XM-DAC-41146-<ISO3>-<n>``), and some from UNDP
(``XM-DAC-41114-OUTPUT-<n>``) and FAO (``XM-DAC-41301-GCP/<ISO3>/<n>/<donor>``), in 22 real countries.
Each has 1-R results (UN Women's often carry a ``reference vocabulary="99"`` code such as ``MLI_D_1.2``,
which links them to the report outcome ``XM-DAC-41146-MLI_D_1.2``, or a Strategic Plan code
``SP_D_1.2``), each result I indicators, each indicator a 2019 baseline and P yearly periods. A period
has a target and an actual without dimension and, often, female and male ones. Values are written in
the forms real publishers use, so that readers have findings to record (see VALUE FORMS below).

``--version 1.03`` writes the older 1.0x flavour instead, as in The Global Fund's file
(``globalfund-1.0x-single-activity.xml``): names as element text instead of ``narrative`` children,
text codes (``role="Funding"``, ``type="Government"``, ``type="Output"``, ``measure="Unit"``,
``activity-date type="start-actual"``), reporting-org before iati-identifier, one target and one actual
per period, no dimensions, no references, no location refs, no qualitative indicators.

The output is deterministic: activity i is drawn from a random source seeded by (seed, i), so it is
the same in every file that contains it, whatever N is. The file is written as it is generated, one
activity at a time, so memory stays flat however many activities are asked for. One line goes to
stderr: activities written, bytes and seconds.

Only the standard library is used.

VALUE FORMS (the ``value`` of each baseline, target and actual; each value is drawn independently)

* Unit (measure 1) and percentage (measure 2) indicators:
  - 1%  junk: one of "n/a", "TBD", "N/A", "-" (equally likely);
  - 1%  empty: ``value=""``;
  - 98% a number:
    - unit: 3% a decimal with one digit ("12.5"); otherwise an integer. An integer of 1,000 or more is
      written with comma grouping ("20,000") 10% of the time, with space grouping 4% of the time
      (three in four of them with a space, "1 200", one in four with a no-break space U+00A0),
      plain ("20000") otherwise; smaller integers are always plain;
    - percentage: 10% a decimal with one digit ("12.5"), otherwise an integer ("45"); independently,
      20% with a percent sign ("45%", "12.5%").
* Qualitative (measure 5) indicators: the value is omitted 70% of the time and empty (``value=""``)
  30% of the time; the text is in the ``comment`` narrative, which qualitative values always have.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

VERSIONS = ("2.03", "1.03")
GENERATED = "2024-06-30T12:00:00Z"  # fixed, so the output depends only on the arguments
BASELINE_YEAR = 2019

# ---- value forms (documented in the module docstring; keep the two in step) -------------------------------------
P_JUNK = 0.01
P_EMPTY = 0.01
JUNK = ("n/a", "TBD", "N/A", "-")
P_UNIT_DECIMAL = 0.03
P_UNIT_COMMA = 0.10  # of integers >= 1000
P_UNIT_SPACE = 0.04  # of integers >= 1000
P_UNIT_NBSP = 0.25  # of the space-grouped ones
P_PCT_DECIMAL = 0.10
P_PCT_SIGN = 0.20
P_QUAL_OMITTED = 0.70  # otherwise value=""

# ---- reference data ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    iso3: str
    iso2: str
    name: str
    in_en: str  # "in Mali", "in the Philippines"
    in_fr: str  # "au Mali", "aux Philippines"
    region: str  # OECD DAC region code
    francophone: bool
    places: tuple[tuple[str, str], ...]  # (ISO 3166-2 code, name) of first-level subdivisions


def _c(iso3, iso2, name, in_en, in_fr, region, fr, places):
    return Country(iso3, iso2, name, in_en, in_fr, region, fr, tuple(tuple(p.split("=", 1)) for p in places))


COUNTRIES = (
    _c("MLI", "ML", "Mali", "in Mali", "au Mali", "289", True,
       ["ML-BKO=Bamako", "ML-4=Ségou", "ML-5=Mopti", "ML-6=Tombouctou", "ML-3=Sikasso", "ML-7=Gao"]),
    _c("NER", "NE", "Niger", "in the Niger", "au Niger", "289", True,
       ["NE-8=Niamey", "NE-6=Tillabéri", "NE-4=Maradi", "NE-7=Zinder", "NE-2=Diffa"]),
    _c("SEN", "SN", "Senegal", "in Senegal", "au Sénégal", "289", True,
       ["SN-DK=Dakar", "SN-ZG=Ziguinchor", "SN-KD=Kolda", "SN-SL=Saint-Louis", "SN-TH=Thiès"]),
    _c("KEN", "KE", "Kenya", "in Kenya", "au Kenya", "289", False,
       ["KE-30=Nairobi City", "KE-28=Mombasa", "KE-43=Turkana", "KE-24=Mandera"]),
    _c("BFA", "BF", "Burkina Faso", "in Burkina Faso", "au Burkina Faso", "289", True,
       ["BF-03=Centre", "BF-12=Sahel", "BF-09=Hauts-Bassins", "BF-01=Boucle du Mouhoun"]),
    _c("CIV", "CI", "Côte d'Ivoire", "in Côte d'Ivoire", "en Côte d'Ivoire", "289", True,
       ["CI-AB=Abidjan", "CI-YM=Yamoussoukro", "CI-SV=Savanes", "CI-MG=Montagnes"]),
    _c("CMR", "CM", "Cameroon", "in Cameroon", "au Cameroun", "289", True,
       ["CM-EN=Far North", "CM-NW=North-West", "CM-SW=South-West", "CM-CE=Centre"]),
    _c("COD", "CD", "Democratic Republic of the Congo", "in the Democratic Republic of the Congo",
       "en République démocratique du Congo", "289", True,
       ["CD-KN=Kinshasa", "CD-NK=Nord-Kivu", "CD-SK=Sud-Kivu", "CD-IT=Ituri", "CD-KC=Kasaï Central"]),
    _c("ETH", "ET", "Ethiopia", "in Ethiopia", "en Éthiopie", "289", False,
       ["ET-AA=Addis Ababa", "ET-AM=Amhara", "ET-TI=Tigray", "ET-SO=Somali", "ET-OR=Oromia"]),
    _c("UGA", "UG", "Uganda", "in Uganda", "en Ouganda", "289", False,
       ["UG-C=Central", "UG-N=Northern", "UG-E=Eastern", "UG-W=Western"]),
    _c("TZA", "TZ", "Tanzania", "in Tanzania", "en Tanzanie", "289", False,
       ["TZ-02=Dar es Salaam", "TZ-03=Dodoma", "TZ-15=Zanzibar West", "TZ-18=Mwanza"]),
    _c("MOZ", "MZ", "Mozambique", "in Mozambique", "au Mozambique", "289", False,
       ["MZ-MPM=Maputo", "MZ-P=Cabo Delgado", "MZ-N=Nampula", "MZ-S=Sofala"]),
    _c("NGA", "NG", "Nigeria", "in Nigeria", "au Nigéria", "289", False,
       ["NG-BO=Borno", "NG-AD=Adamawa", "NG-YO=Yobe", "NG-LA=Lagos", "NG-FC=Federal Capital Territory"]),
    _c("MAR", "MA", "Morocco", "in Morocco", "au Maroc", "189", True,
       ["MA-06=Casablanca-Settat", "MA-04=Rabat-Salé-Kénitra", "MA-07=Marrakech-Safi", "MA-08=Drâa-Tafilalet"]),
    _c("JOR", "JO", "Jordan", "in Jordan", "en Jordanie", "589", False,
       ["JO-AM=Amman", "JO-IR=Irbid", "JO-MA=Mafraq", "JO-AZ=Zarqa"]),
    _c("BGD", "BD", "Bangladesh", "in Bangladesh", "au Bangladesh", "689", False,
       ["BD-C=Dhaka", "BD-B=Chattogram", "BD-H=Mymensingh", "BD-E=Rajshahi"]),
    _c("NPL", "NP", "Nepal", "in Nepal", "au Népal", "689", False,
       ["NP-P3=Bagmati", "NP-P2=Madhesh", "NP-P6=Karnali", "NP-P7=Sudurpashchim"]),
    _c("KHM", "KH", "Cambodia", "in Cambodia", "au Cambodge", "789", False,
       ["KH-12=Phnom Penh", "KH-17=Siem Reap", "KH-2=Battambang", "KH-18=Preah Sihanouk"]),
    _c("COL", "CO", "Colombia", "in Colombia", "en Colombie", "489", False,
       ["CO-ANT=Antioquia", "CO-CHO=Chocó", "CO-NAR=Nariño", "CO-CAU=Cauca", "CO-DC=Bogotá"]),
    _c("GTM", "GT", "Guatemala", "in Guatemala", "au Guatemala", "389", False,
       ["GT-01=Guatemala", "GT-16=Alta Verapaz", "GT-14=Quiché", "GT-13=Huehuetenango"]),
    _c("HTI", "HT", "Haiti", "in Haiti", "en Haïti", "389", True,
       ["HT-OU=Ouest", "HT-AR=Artibonite", "HT-ND=Nord", "HT-SD=Sud"]),
    _c("PHL", "PH", "Philippines", "in the Philippines", "aux Philippines", "789", False,
       ["PH-00=National Capital Region", "PH-14=Bangsamoro", "PH-13=Caraga", "PH-07=Central Visayas"]),
)
REGIONS = {
    "189": "North of Sahara, regional", "289": "South of Sahara, regional",
    "389": "Caribbean & Central America, regional", "489": "South America, regional",
    "589": "Middle East, regional", "689": "South & Central Asia, regional", "789": "Far East Asia, regional",
}
# DAC 5-digit purpose codes, with the 1.0x-era names the older flavour writes as element text.
SECTORS = {
    "15170": "Women's equality organisations and institutions", "15180": "Ending violence against women and girls",
    "15160": "Human rights", "13010": "Population policy and administrative management",
    "11110": "Education policy and administrative management", "12220": "Basic health care",
    "16010": "Social/ welfare services", "43010": "Multisector aid",
}

# 2.03 code -> 1.0x text, for the older flavour.
ORG_TYPE_1X = {"10": "Government", "15": "Other Public Sector", "21": "International NGO", "22": "National NGO",
               "40": "Multilateral", "70": "Private Sector", "80": "Academic, Training and Research"}
ROLE_1X = {"1": "Funding", "2": "Accountable", "3": "Extending", "4": "Implementing"}
STATUS_1X = {"1": "Pipeline/identification", "2": "Implementation", "3": "Completion", "4": "Post-completion",
             "5": "Cancelled"}
DATE_TYPE_1X = {"1": "start-planned", "2": "start-actual", "3": "end-planned", "4": "end-actual"}
RESULT_TYPE_1X = {"1": "Output", "2": "Outcome", "3": "Impact"}
MEASURE_1X = {"1": "Unit", "2": "Percentage"}


@dataclass(frozen=True)
class Publisher:
    ref: str
    name: str
    name_fr: str
    weight: float


UN_WOMEN = Publisher("XM-DAC-41146", "UN Women", "ONU Femmes", 0.80)
UNDP = Publisher("XM-DAC-41114", "United Nations Development Programme",
                 "Programme des Nations Unies pour le développement", 0.12)
FAO = Publisher("XM-DAC-41301", "Food and Agriculture Organization of the United Nations",
                "Organisation des Nations Unies pour l'alimentation et l'agriculture", 0.08)
PUBLISHERS = (UN_WOMEN, UNDP, FAO)
FAO_DONORS = ("EC", "SWE", "NOR", "GER", "USA", "CAN")

# (ref or "", type, name): funders and UN partners. "" means the publisher gave no ref.
FUNDERS = (
    ("GB-GOV-1", "10", "UK - Foreign, Commonwealth & Development Office"),
    ("XM-DAC-41114", "40", "United Nations Development Programme"),
    ("XM-DAC-41140", "40", "World Food Programme"),
    ("XM-DAC-41301", "40", "Food and Agriculture Organization of the United Nations"),
    ("", "10", "Government of Canada"),
    ("", "10", "Embassy of Sweden"),
    ("", "40", "United Nations Peacebuilding Fund"),
)
# Implementing partners of a country: (type, name template); made-up refs XX-ABC-<n> are stable per
# (country, partner), so the same partner has the same ref in every activity.
NGOS = (
    ("22", "Association of Women Jurists of {c}"), ("22", "Network of Women Mediators"),
    ("22", "National Federation of Rural Women"), ("21", "Women's Leadership Institute"),
    ("22", "Coalition of Young Women Leaders"), ("21", "Women's Rights & Development Network"),
    ("70", "Sahel Microfinance Ltd"), ("80", "National University, Gender Studies Centre"),
    ("22", "Platform of Women Entrepreneurs"), ("22", "Union of Women Farmers' Cooperatives"),
)
GOVERNMENT = (
    ("10", "Ministry of Women, Children and Family Affairs"), ("10", "Ministry of Gender and Social Affairs"),
    ("10", "Ministry of Finance and Economic Planning"), ("15", "National Institute of Statistics"),
    ("15", "National Human Rights Commission"), ("10", "Ministry of Justice"),
)

# UN Women's seven areas: (English title, French title, aim, sectors). Results of UN Women activities
# are coded <ISO3>_D_<area>.<m> (m 1-4), as the report outcomes are.
THEMES = {
    1: ("Women's leadership and political participation {in_en}",
        "Leadership et participation politique des femmes {in_fr}",
        "increase women's participation and leadership in political institutions and processes",
        ("15170", "15160")),
    2: ("Women's economic empowerment and climate-resilient agriculture {in_en}",
        "Autonomisation économique des femmes et agriculture résiliente {in_fr}",
        "help rural women secure access to, control over and use of productive resources",
        ("43010", "16010", "15170", "11110")),
    3: ("Ending violence against women & girls {in_en}",
        "Mettre fin aux violences faites aux femmes et aux filles {in_fr}",
        "prevent violence against women and girls and widen survivors' access to quality essential services",
        ("15180", "12220", "15160")),
    4: ("Women, peace and security, and humanitarian action {in_en}",
        "Femmes, paix et sécurité, et action humanitaire {in_fr}",
        "ensure women play a greater role in, and are better served by, peace and humanitarian efforts",
        ("15170", "15160", "16010")),
    5: ("Gender-responsive planning, budgeting and statistics {in_en}",
        "Planification, budgétisation et statistiques sensibles au genre {in_fr}",
        "make national and local plans and budgets gender-responsive and produce better gender statistics",
        ("15170", "13010")),
    6: ("Global norms and standards on gender equality: support to national partners {in_en}",
        "Normes mondiales sur l'égalité des sexes : appui aux partenaires nationaux {in_fr}",
        "strengthen and implement global norms and policies on gender equality at national level",
        ("15160", "15170")),
    7: ("UN system coordination for gender equality {in_en}",
        "Coordination du système des Nations Unies pour l'égalité des sexes {in_fr}",
        "strengthen UN system coordination on gender equality and the empowerment of women",
        ("15170", "43010")),
}
OUTCOMES = {
    1: "Women and men participate equally in decision-making at national and local levels",
    2: "Rural women secure access to, control over and use of productive resources",
    3: "Women and girls live a life free from violence, and survivors access quality essential services",
    4: "Women play a greater role in and are better served by peace, humanitarian response and recovery",
    5: "National and local plans and budgets are gender-responsive and gender statistics are used",
    6: "Global norms and policies on gender equality are strengthened and implemented at national level",
    7: "The UN system coherently contributes to progress on gender equality",
}
OUTPUTS = {
    1: "Women candidates and elected women have the skills to lead and campaign",
    2: "Women's cooperatives have access to finance, markets and climate-resilient technologies",
    3: "Communities, including men and boys, are mobilised to prevent violence against women",
    4: "Women mediators and women's organisations take part in local peace committees",
    5: "Ministries have the tools to plan and budget for gender equality",
    6: "National partners report on the Beijing Platform for Action and CEDAW",
    7: "The UN country team's gender scorecard is implemented",
}
SP_CODES = tuple(f"SP_D_{n}.{m}" for n, k in ((1, 2), (2, 2), (3, 2), (4, 2), (5, 1), (6, 1), (7, 1))
                 for m in range(1, k + 1))


@dataclass(frozen=True)
class IndicatorSpec:
    title: str
    measure: str  # "1" unit, "2" percentage, "5" qualitative
    ascending: bool
    scale: int  # typical size of a value (unit) or baseline percentage
    by_sex: bool  # can be disaggregated by sex


INDICATORS = (
    IndicatorSpec("Number of women trained in leadership and public speaking", "1", True, 400, False),
    IndicatorSpec("Number of survivors of gender-based violence who received essential services", "1", True,
                  2500, True),
    IndicatorSpec("Number of people reached by campaigns on positive masculinity", "1", True, 30000, True),
    IndicatorSpec("Number of women-led enterprises with access to credit", "1", True, 600, False),
    IndicatorSpec("Number of rural women using climate-resilient agricultural practices", "1", True, 8000, False),
    IndicatorSpec("Number of laws and policies reviewed from a gender perspective", "1", True, 12, False),
    IndicatorSpec("Number of hectares of land allocated to women's cooperatives", "1", True, 1500, False),
    IndicatorSpec("Number of girls < 18 years old married in the target communes", "1", False, 900, False),
    IndicatorSpec("Number of people in humanitarian settings using safe spaces & services", "1", True, 5000, True),
    IndicatorSpec("Percentage of seats held by women in local councils", "2", True, 22, False),
    IndicatorSpec("Proportion of the national budget allocated to gender equality", "2", True, 4, False),
    IndicatorSpec("Proportion of ever-partnered women subjected to violence in the previous 12 months", "2", False,
                  35, False),
    IndicatorSpec("Percentage of adults with an account at a financial institution", "2", True, 30, True),
    IndicatorSpec("Percentage of women among mediators in local peace committees", "2", True, 18, False),
    IndicatorSpec("Extent to which the national action plan on UNSCR 1325 is implemented", "5", True, 0, False),
    IndicatorSpec("Status of the draft law on gender parity in elected positions", "5", True, 0, False),
    IndicatorSpec("Degree to which gender statistics are used in national planning", "5", True, 0, False),
)
UNIT_INDICATORS = tuple(s for s in INDICATORS if s.measure == "1")
PCT_INDICATORS = tuple(s for s in INDICATORS if s.measure == "2")
QUAL_INDICATORS = tuple(s for s in INDICATORS if s.measure == "5")
QUAL_STATES = ("Not started", "Draft submitted to the Council of Ministers", "Under review by the technical committee",
               "Partially implemented; regional plans pending", "Adopted and in force")
COMMENTS = ("Source: ministry administrative data", "Figures for {place} only",
            "Data collection delayed by insecurity; partial figures", "Revised after the mid-term review",
            "Source: National Institute of Statistics & UN Women monitoring", 'Includes the "Women Count" survey')
BASELINE_COMMENTS = ("Baseline from the 2019 Demographic and Health Survey", "Baseline set by the inception study",
                     "Estimate; no survey data before 2019")


# ---- records -------------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Org:
    ref: str  # "" when the publisher gives none
    type: str  # OrganisationType code
    role: str  # OrganisationRole code
    name: str


@dataclass(slots=True)
class Value:
    value: str | None  # None: attribute omitted
    sex: str = ""  # "", "female", "male"
    location: str = ""  # a location ref of the activity
    comment: str = ""


@dataclass(slots=True)
class Period:
    year: int
    targets: list[Value]
    actuals: list[Value]


@dataclass(slots=True)
class Indicator:
    spec: IndicatorSpec
    ascending: str  # as written: "1"/"0" or "true"/"false"
    references: list[tuple[str, str]]  # (vocabulary, code)
    baseline: Value
    periods: list[Period]


@dataclass(slots=True)
class Result:
    type: str
    title: str
    description: str
    references: list[tuple[str, str]]
    indicators: list[Indicator]


@dataclass(slots=True)
class Activity:
    identifier: str
    publisher: Publisher
    country: Country
    title: str
    title_fr: str
    description: str
    description_fr: str
    objectives: str
    status: str
    dates: list[tuple[str, str]]  # (ActivityDateType code, iso date)
    last_updated: str
    participants: list[Org]
    countries: list[tuple[Country, int]]
    region: tuple[str, int] | None
    locations: list[tuple[str, str]]
    sectors: list[tuple[str, int]]
    results: list[Result] = field(default_factory=list)


# ---- drawing an activity -------------------------------------------------------------------------------------------
def _weighted(rng: random.Random, pairs):
    r = rng.random() * sum(w for _x, w in pairs)
    for x, w in pairs:
        r -= w
        if r < 0:
            return x
    return pairs[-1][0]


def _split100(rng: random.Random, k: int, total: int = 100) -> list[int]:
    """k positive integers summing to total, the first the largest."""
    if k == 1:
        return [total]
    cuts = sorted(rng.sample(range(1, total // 5), k - 1))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [total // 5])]
    parts = [5 * p for p in parts]
    parts[0] += total - sum(parts)
    return sorted(parts, reverse=True)


def _the(name: str) -> str:
    """An organisation's name as it reads in a sentence: "the Ministry of Justice", but "UN Women"."""
    return name if name.startswith(("UN ", "UK ", "Sahel ")) else "the " + name


def _iso(rng: random.Random, year: int) -> str:
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def number_text(rng: random.Random, measure: str, x: float) -> str | None:
    """``x`` written in one of the VALUE FORMS (None: attribute omitted)."""
    if measure == "5":
        return None if rng.random() < P_QUAL_OMITTED else ""
    r = rng.random()
    if r < P_JUNK:
        return rng.choice(JUNK)
    if r < P_JUNK + P_EMPTY:
        return ""
    if measure == "2":
        text = f"{x:.1f}" if rng.random() < P_PCT_DECIMAL else str(round(x))
        if text.endswith(".0"):
            text = text[:-1] + str(rng.randint(1, 9))
        return text + "%" if rng.random() < P_PCT_SIGN else text
    if rng.random() < P_UNIT_DECIMAL:
        return f"{int(x)}.{rng.randint(1, 9)}"
    n = round(x)
    if n >= 1000:
        r = rng.random()
        if r < P_UNIT_COMMA:
            return f"{n:,}"
        if r < P_UNIT_COMMA + P_UNIT_SPACE:
            sep = "\u00a0" if rng.random() < P_UNIT_NBSP else " "
            return f"{n:,}".replace(",", sep)
    return str(n)


def _values(rng: random.Random, spec: IndicatorSpec, x: float, sexes: tuple[str, ...], act: Activity,
            year: int, kind: str) -> list[Value]:
    """The target or actual values of one period: the total first, then one per sex (for unit indicators,
    female and male add up to the total before the values are written)."""
    places = act.locations
    out: list[Value] = []
    if spec.measure == "1":
        x = float(round(x))
        female = float(round(x * rng.uniform(0.45, 0.75))) if sexes else 0.0
    for sex in ("",) + sexes:
        if spec.measure == "1":
            v = female if sex == "female" else x - female if sex == "male" else x
        elif spec.measure == "2" and sex:
            v = min(100.0, max(0.0, x + rng.uniform(-8, 8)))
        else:
            v = x
        val = Value(number_text(rng, spec.measure, v), sex)
        if places and rng.random() < 0.2:
            val.location = rng.choice(places)[0]
        if spec.measure == "5":
            val.comment = (rng.choice(QUAL_STATES) if kind == "actual" else "Adopted and in force") + f" ({year})"
        elif rng.random() < 0.15:
            place = rng.choice(places)[1] if places else act.country.name
            val.comment = rng.choice(COMMENTS).format(place=place)
        out.append(val)
    return out


def draw_indicator(rng: random.Random, act: Activity, periods: int, version: str) -> Indicator:
    if version == "1.03":
        pool = UNIT_INDICATORS if rng.random() < 0.75 else PCT_INDICATORS
    else:
        pool = _weighted(rng, [(UNIT_INDICATORS, 0.70), (PCT_INDICATORS, 0.20), (QUAL_INDICATORS, 0.10)])
    spec = rng.choice(pool)
    truth = "1" if spec.ascending else "0"
    if rng.random() < 0.1:
        truth = "true" if spec.ascending else "false"
    refs = []
    if rng.random() < 0.3:
        refs.append(("1", str(rng.randint(1000, 9999))))
    if rng.random() < 0.2:
        refs.append(("9", f"5.{rng.randint(1, 6)}.{rng.randint(1, 2)}"))
    sexes: tuple[str, ...] = ()
    if spec.by_sex:
        sexes = _weighted(rng, [((), 0.3), (("female",), 0.2), (("female", "male"), 0.5)])
    # a trajectory: baseline, then a target and an actual a year
    if spec.measure == "1":
        base = max(1.0, spec.scale * rng.uniform(0.2, 1.0))
        step = rng.uniform(0.05, 0.4) * (1 if spec.ascending else -0.5)
    else:
        base = max(1.0, spec.scale * rng.uniform(0.5, 1.5))
        step = rng.uniform(1, 5) * (1 if spec.ascending else -1)
    baseline = Value(number_text(rng, spec.measure, base))
    if spec.measure == "5":
        baseline.comment = rng.choice(QUAL_STATES[:3])
    elif rng.random() < 0.3:
        baseline.comment = rng.choice(BASELINE_COMMENTS)
    first = 2020 + rng.choice((0, 0, 1, 2))
    out = []
    target = base
    for p in range(periods):
        year = first + p
        if spec.measure == "1":
            target = target * (1 + step)
        else:
            target = min(100.0, max(0.0, target + step))
        actual = target * rng.uniform(0.5, 1.3) if spec.measure == "1" else \
            min(100.0, max(0.0, target + rng.uniform(-6, 6)))
        out.append(Period(year, _values(rng, spec, target, sexes, act, year, "target"),
                          _values(rng, spec, actual, sexes, act, year, "actual")))
    return Indicator(spec, truth, refs, baseline, out)


def draw_results(rng: random.Random, act: Activity, results: int, indicators: int, periods: int,
                 version: str, theme: int) -> list[Result]:
    if results < 1:
        return []
    k = rng.randint(1, results)
    pairs = [(n, m) for n in range(1, 8) for m in range(1, 5)]
    codes = rng.sample(pairs, k) if k <= len(pairs) else [rng.choice(pairs) for _ in range(k)]
    codes[0] = (theme, codes[0][1])
    types = [("1", 0.40), ("2", 0.45), ("3", 0.10)] + ([("9", 0.05)] if version == "2.03" else [])
    out = []
    for n, m in codes:
        rtype = _weighted(rng, types)
        title = OUTPUTS[n] if rtype == "1" else OUTCOMES[n]
        refs = []
        if act.publisher is UN_WOMEN:
            if rng.random() < 0.7:
                refs.append(("99", f"{act.country.iso3}_D_{n}.{m}"))
            if rng.random() < 0.3:
                refs.append(("99", rng.choice(SP_CODES)))
        description = f"{title} {act.country.in_en}. Partner: {_the(rng.choice(act.participants).name)}."
        inds = [draw_indicator(rng, act, periods, version) for _ in range(indicators)]
        out.append(Result(rtype, title, description, refs, inds))
    return out


def draw_participants(rng: random.Random, pub: Publisher, country: Country, ci: int) -> list[Org]:
    k = _weighted(rng, [(1, 0.15), (2, 0.35), (3, 0.30), (4, 0.20)])
    slots: list[Org] = []
    ref, typ, name = rng.choice(FUNDERS)
    slots.append(Org(ref, typ, "1", name))
    if rng.random() < 0.5:
        slots.append(Org(pub.ref, "40", "2", pub.name))
    if rng.random() < 0.2:
        slots.append(Org("XM-DAC-41114", "40", "3", "United Nations Development Programme"))
    partners = []
    for j in rng.sample(range(len(NGOS)), 3):
        typ, name = NGOS[j]
        ref = f"XX-ABC-{1000 + 20 * ci + j}" if rng.random() < 0.7 else ""
        partners.append(Org(ref, typ, "4", name.format(c=country.name)))
    typ, name = rng.choice(GOVERNMENT)
    partners.insert(rng.randint(0, 3), Org("", typ, "4", name))
    slots.extend(partners)
    return slots[:k]


def draw_activity(i: int, seed: int, results: int, indicators: int, periods: int, version: str) -> Activity:
    """Activity number ``i`` (from 1) of every file made with ``seed``."""
    rng = random.Random(f"{seed}:{i}")
    pub = _weighted(rng, [(p, p.weight) for p in PUBLISHERS])
    ci = rng.randrange(len(COUNTRIES))
    country = COUNTRIES[ci]
    if pub is UN_WOMEN:
        ident = f"{pub.ref}-{country.iso3}-{i}"
    elif pub is UNDP:
        ident = f"{pub.ref}-OUTPUT-{i:08d}"
    else:
        ident = f"{pub.ref}-GCP/{country.iso3}/{i:03d}/{rng.choice(FAO_DONORS)}"
    theme = rng.randint(1, 7)
    title_en, title_fr, aim, sectors = THEMES[theme]
    fmt = {"in_en": country.in_en, "in_fr": country.in_fr}
    french = rng.random() < (0.5 if country.francophone else 0.05)
    participants = draw_participants(rng, pub, country, ci)
    partner = next((o.name for o in participants if o.role == "4"), participants[0].name)
    description = (f"The programme works with {_the(partner)} and other national partners {country.in_en} to {aim}. "
                   f"Phase {rng.randint(1, 3)} builds on the results of the \"Women Count\" and Spotlight initiatives.")
    description_fr = (f"Le programme travaille avec ses partenaires nationaux {country.in_fr} "
                      f"pour l'égalité des sexes et l'autonomisation des femmes.") if french else ""
    objectives = f"To {aim}." if rng.random() < 0.3 else ""
    status = _weighted(rng, [("1", 0.05), ("2", 0.60), ("3", 0.10), ("4", 0.20), ("5", 0.05)])
    start = rng.randint(2018, 2022)
    end = start + rng.randint(2, 5)
    dates = [("1", _iso(rng, start))]
    if status in ("2", "3", "4"):
        dates.append(("2", _iso(rng, start)))
    dates.append(("3", _iso(rng, end)))
    if status == "4":
        dates.append(("4", _iso(rng, end)))
    last = rng.randint(2023, 2024)
    last_updated = f"{_iso(rng, last)}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
    # where: countries (the identifier's first), sometimes the region, percentages summing to 100
    region = None
    country_total = 100
    if rng.random() < 0.15:
        pct = rng.choice((10, 20, 25, 30))
        region = (country.region, pct)
        country_total = 100 - pct
    countries = [country]
    if rng.random() < 0.2:
        countries.append(rng.choice([c for c in COUNTRIES if c.region == country.region and c is not country]
                                    or [c for c in COUNTRIES if c is not country]))
    shares = [country_total]
    if len(countries) == 2:
        second = rng.choice((5, 10, 15, 20, 25, 30))  # country_total is at least 70
        shares = [country_total - second, second]
    nloc = _weighted(rng, [(0, 0.40), (1, 0.35), (2, 0.25)])
    locations = rng.sample(country.places, nloc)
    nsec = rng.randint(1, min(3, len(sectors)))
    secs = rng.sample(sectors, nsec)
    act = Activity(
        identifier=ident, publisher=pub, country=country,
        title=title_en.format(**fmt), title_fr=title_fr.format(**fmt) if french else "",
        description=description, description_fr=description_fr, objectives=objectives,
        status=status, dates=dates, last_updated=last_updated, participants=participants,
        countries=list(zip(countries, shares)), region=region, locations=locations,
        sectors=list(zip(secs, _split100(rng, nsec))),
    )
    act.results = draw_results(rng, act, results, indicators, periods, version, theme)
    return act


# ---- writing 2.03 --------------------------------------------------------------------------------------------------
# Texts and values repeat a lot, so their escaped forms are cached (bounded, so memory stays flat).
_attr = lru_cache(maxsize=1 << 16)(quoteattr)


@lru_cache(maxsize=1 << 14)
def _narratives(en: str, fr: str = "", indent: str = "") -> str:
    out = f"{indent}<narrative>{escape(en)}</narrative>\n"
    if fr:
        out += f'{indent}<narrative xml:lang="fr">{escape(fr)}</narrative>\n'
    return out


def _value_203(tag: str, v: Value, ind: str) -> str:
    attr = "" if v.value is None else f" value={_attr(v.value)}"
    inner = ""
    if v.location:
        inner += f"{ind} <location ref={_attr(v.location)}/>\n"
    if v.sex:
        inner += f'{ind} <dimension name="sex" value="{v.sex}"/>\n'
    if v.comment:
        inner += f"{ind} <comment>\n{_narratives(v.comment, indent=ind + '  ')}{ind} </comment>\n"
    if not inner:
        return f"{ind}<{tag}{attr}/>\n"
    return f"{ind}<{tag}{attr}>\n{inner}{ind}</{tag}>\n"


def activity_203(a: Activity) -> str:
    o = [f' <iati-activity xml:lang="en" default-currency="USD" last-updated-datetime="{a.last_updated}" '
         f'hierarchy="1">\n',
         f"  <iati-identifier>{escape(a.identifier)}</iati-identifier>\n",
         f'  <reporting-org ref={_attr(a.publisher.ref)} type="40">\n',
         _narratives(a.publisher.name, a.publisher.name_fr if a.title_fr else "", "   "),
         "  </reporting-org>\n",
         "  <title>\n", _narratives(a.title, a.title_fr, "   "), "  </title>\n",
         '  <description type="1">\n', _narratives(a.description, a.description_fr, "   "), "  </description>\n"]
    if a.objectives:
        o += ['  <description type="2">\n', _narratives(a.objectives, indent="   "), "  </description>\n"]
    for org in a.participants:
        ref = f" ref={_attr(org.ref)}" if org.ref else ""
        o += [f'  <participating-org{ref} role="{org.role}" type="{org.type}">\n',
              _narratives(org.name, indent="   "), "  </participating-org>\n"]
    o.append(f'  <activity-status code="{a.status}"/>\n')
    o += [f'  <activity-date type="{t}" iso-date="{d}"/>\n' for t, d in a.dates]
    o += [f'  <recipient-country code="{c.iso2}" percentage="{p}"/>\n' for c, p in a.countries]
    if a.region:
        o.append(f'  <recipient-region code="{a.region[0]}" vocabulary="1" percentage="{a.region[1]}"/>\n')
    for ref, name in a.locations:
        o += [f"  <location ref={_attr(ref)}>\n", '   <location-reach code="1"/>\n',
              "   <name>\n", _narratives(name, indent="    "), "   </name>\n",
              '   <location-class code="1"/>\n', "  </location>\n"]
    o += [f'  <sector vocabulary="1" code="{code}" percentage="{p}"/>\n' for code, p in a.sectors]
    for r in a.results:
        o += [f'  <result type="{r.type}" aggregation-status="1">\n',
              "   <title>\n", _narratives(r.title, indent="    "), "   </title>\n",
              "   <description>\n", _narratives(r.description, indent="    "), "   </description>\n"]
        o += [f'   <reference vocabulary="{v}" code={_attr(c)}/>\n' for v, c in r.references]
        for ind in r.indicators:
            s = ind.spec
            o += [f'   <indicator measure="{s.measure}" ascending="{ind.ascending}">\n',
                  "    <title>\n", _narratives(s.title, indent="     "), "    </title>\n"]
            o += [f'    <reference vocabulary="{v}" code={_attr(c)}/>\n' for v, c in ind.references]
            b = ind.baseline
            battr = "" if b.value is None else f" value={_attr(b.value)}"
            if b.comment:
                o += [f'    <baseline year="{BASELINE_YEAR}" iso-date="{BASELINE_YEAR}-01-01"{battr}>\n',
                      "     <comment>\n", _narratives(b.comment, indent="      "), "     </comment>\n",
                      "    </baseline>\n"]
            else:
                o.append(f'    <baseline year="{BASELINE_YEAR}" iso-date="{BASELINE_YEAR}-01-01"{battr}/>\n')
            for p in ind.periods:
                o += ["    <period>\n", f'     <period-start iso-date="{p.year}-01-01"/>\n',
                      f'     <period-end iso-date="{p.year}-12-31"/>\n']
                o += [_value_203("target", v, "     ") for v in p.targets]
                o += [_value_203("actual", v, "     ") for v in p.actuals]
                o.append("    </period>\n")
            o.append("   </indicator>\n")
        o.append("  </result>\n")
    o.append(" </iati-activity>\n")
    return "".join(o)


# ---- writing 1.0x --------------------------------------------------------------------------------------------------
def activity_103(a: Activity) -> str:
    date = a.last_updated[:10]
    o = [f' <iati-activity default-currency="USD" last-updated-datetime="{date}" xml:lang="en" hierarchy="1">\n',
         f'  <reporting-org ref={_attr(a.publisher.ref)} type="40">{escape(a.publisher.name)}</reporting-org>\n',
         f"  <iati-identifier>{escape(a.identifier)}</iati-identifier>\n",
         f'  <title xml:lang="en">{escape(a.title)}</title>\n']
    if a.title_fr:
        o.append(f'  <title xml:lang="fr">{escape(a.title_fr)}</title>\n')
    o.append(f'  <description type="1">{escape(a.description)}</description>\n')
    if a.description_fr:
        o.append(f'  <description type="1" xml:lang="fr">{escape(a.description_fr)}</description>\n')
    if a.objectives:
        o.append(f'  <description type="2">{escape(a.objectives)}</description>\n')
    o.append(f'  <activity-status code="{a.status}">{STATUS_1X[a.status]}</activity-status>\n')
    o += [f'  <activity-date type="{DATE_TYPE_1X[t]}" iso-date="{d}"/>\n' for t, d in a.dates]
    for org in a.participants:
        ref = f" ref={_attr(org.ref)}" if org.ref else ""
        o.append(f'  <participating-org role="{ROLE_1X[org.role]}"{ref} type={_attr(ORG_TYPE_1X[org.type])} '
                 f'xml:lang="en">{escape(org.name)}</participating-org>\n')
    o += [f'  <recipient-country code="{c.iso2}" percentage="{p}">{escape(c.name)}</recipient-country>\n'
          for c, p in a.countries]
    if a.region:
        o.append(f'  <recipient-region code="{a.region[0]}" percentage="{a.region[1]}">'
                 f"{escape(REGIONS[a.region[0]])}</recipient-region>\n")
    for ref, name in a.locations:
        o += ["  <location>\n", '   <location-type code="ADM1"/>\n', f"   <name>{escape(name)}</name>\n",
              f'   <administrative country="{a.country.iso2}" adm1={_attr(ref)}>{escape(name)}</administrative>\n',
              "  </location>\n"]
    o += [f'  <sector vocabulary="DAC" code="{code}" percentage="{p}">{escape(SECTORS[code])}</sector>\n'
          for code, p in a.sectors]
    for r in a.results:
        o += [f'  <result type="{RESULT_TYPE_1X[r.type]}" aggregation-status="true">\n',
              f"   <title>{escape(r.title)}</title>\n", f"   <description>{escape(r.description)}</description>\n"]
        for ind in r.indicators:
            s = ind.spec
            asc = "true" if s.ascending else "false"
            o += [f'   <indicator measure="{MEASURE_1X[s.measure]}" ascending="{asc}">\n',
                  f"    <title>{escape(s.title)}</title>\n"]
            b = ind.baseline
            battr = "" if b.value is None else f" value={_attr(b.value)}"
            if b.comment:
                o.append(f'    <baseline year="{BASELINE_YEAR}"{battr}><comment>{escape(b.comment)}</comment>'
                         "</baseline>\n")
            else:
                o.append(f'    <baseline year="{BASELINE_YEAR}"{battr}/>\n')
            for p in ind.periods:
                t, v = p.targets[0], p.actuals[0]
                o += ["    <period>\n", f'     <period-start iso-date="{p.year}-01-01"/>\n',
                      f'     <period-end iso-date="{p.year}-12-31"/>\n',
                      f"     <target value={_attr(t.value or '')}/>\n",
                      f"     <actual value={_attr(v.value or '')}/>\n", "    </period>\n"]
            o.append("   </indicator>\n")
        o.append("  </result>\n")
    o.append(" </iati-activity>\n")
    return "".join(o)


# ---- the file ------------------------------------------------------------------------------------------------------
def iter_xml(activities: int, seed: int = 1, results: int = 3, indicators: int = 2, periods: int = 3,
             version: str = "2.03") -> Iterator[str]:
    """The file as text pieces: the header, one piece per activity, the footer."""
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {', '.join(VERSIONS)}, not {version!r}")
    render = activity_203 if version == "2.03" else activity_103
    yield "<?xml version='1.0' encoding='UTF-8'?>\n"
    yield f'<iati-activities version="{version}" generated-datetime="{GENERATED}">\n'
    for i in range(1, activities + 1):
        yield render(draw_activity(i, seed, results, indicators, periods, version))
    yield "</iati-activities>\n"


def write(stream: BinaryIO, activities: int, **options) -> int:
    """Write the file to a binary stream; return the number of bytes written."""
    size = 0
    for piece in iter_xml(activities, **options):
        data = piece.encode("utf-8")
        stream.write(data)
        size += len(data)
    return size


def generate(path: Path | str, activities: int, **options) -> int:
    """Write the file to ``path``; return its size in bytes."""
    with open(path, "wb", buffering=1 << 20) as f:
        return write(f, activities, **options)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate a synthetic IATI activity file (2.03, or the 1.0x flavour).")
    p.add_argument("out", type=Path, help="the XML file to write")
    p.add_argument("--activities", type=int, required=True, help="number of activities")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--results", type=int, default=3, help="at most this many results per activity, at least 1 "
                   "(default 3; 0 for none)")
    p.add_argument("--indicators", type=int, default=2, help="indicators per result (default 2)")
    p.add_argument("--periods", type=int, default=3, help="yearly periods per indicator (default 3)")
    p.add_argument("--version", choices=VERSIONS, default="2.03", help="IATI version to write (default 2.03)")
    args = p.parse_args(argv)
    if args.activities < 1:
        p.error("--activities must be at least 1 (IATI requires an iati-activity in the file)")
    if args.results < 0 or args.periods < 0:
        p.error("--results and --periods must be 0 or more")
    if args.indicators < 1:
        p.error("--indicators must be at least 1 (IATI requires an indicator in every result)")
    start = time.perf_counter()
    size = generate(args.out, args.activities, seed=args.seed, results=args.results, indicators=args.indicators,
                    periods=args.periods, version=args.version)
    secs = time.perf_counter() - start
    print(f"wrote {args.activities:,} activities, {size:,} bytes ({size / 1e6:.1f} MB) to {args.out} "
          f"in {secs:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
