#!/usr/bin/env python3
"""Generate realistic synthetic UN Women country results reports for benchmarks.

    python benchmarks/generate.py OUT_DIR --count N [--seed S]

Writes N plain-text reports (``NER-2019.txt`` …), one per distinct (country, year)
pair, in the format of ``data/reports/MLI-2021.txt`` and with its defects at about
the same rate: a passage repeated after a page break, a paragraph split
mid-sentence, broken digit grouping, parts that do not add up, a word or a full
stop glued to a number. Names come from ``data/partners.tsv``, ``data/places.tsv``
(Mali) and pycountry (other countries' first-level subdivisions), so the extractor
finds partners, places and figures as it would in a real report.

The output is deterministic for a given seed and count (each report is seeded by
seed, country and year, so report NER-2019 is the same text in every corpus that
contains it). Pairs come first from years 2015-2030 (249 countries x 16 years =
3,984 pairs); larger corpora extend the years outwards (2014, 2031, 2013, …) within
the reader's 1990-2100 range, so up to 27,639 distinct reports exist.
"""
from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

CORE_YEARS = range(2015, 2031)
MIN_YEAR, MAX_YEAR = 1990, 2100
MONTHS = ("January February March April May June July August September October November December").split()

# Partners that only make sense in Mali (named after Malian bodies or the mission there).
MALI_ONLY = {
    "minusma", "api-mali", "national-transitional-council-mali", "urtel", "bnda", "agreement-monitoring-committee",
    "office-high-representative-agreement", "national-solidarity-directorate-mali",
    "ministry-reconciliation-peace-cohesion", "tfo-canada",
}
# Not in partners.tsv: written "Full Name (ACRONYM)" so the extractor discovers them.
DISCOVERABLE = [
    ("Association of Women Jurists", "AWJ"), ("Network of Women Mediators", "NWM"),
    ("National Federation of Rural Women", "NFRW"), ("Women's Leadership Institute", "WLI"),
    ("Coalition of Young Women Leaders", "CYWL"), ("Observatory of Gender Equality", "OGE"),
    ("Platform of Women Entrepreneurs", "PWE"), ("Union of Women Farmers' Cooperatives", "UWFC"),
    ("National Council of Women Councillors", "NCWC"), ("Forum of Women Parliamentarians", "FWP"),
]
TOPICS = [
    "gender-responsive planning and budgeting", "women's land rights", "the elimination of gender-based violence",
    "positive masculinity", "women's political participation", "gender mainstreaming in humanitarian action",
    "gender-responsive procurement", "climate-resilient agricultural practices", "women, peace and security",
    "the revision of the electoral lists", "financial literacy and savings groups", "leadership and public speaking",
    "gender equality standards and women's empowerment", "the prevention and referral of GBV cases",
    "women's economic empowerment", "the collection and use of gender statistics",
]
THEMES = {
    1: ["people live in a rule of law, an environment of peace and accountability through strong public institutions, "
        "media and civil society exercising their roles and responsibilities for effective and inclusive governance",
        "women and men participate equally in decision-making at national and local levels and institutions are "
        "accountable for gender equality commitments"],
    2: ["people, particularly the most vulnerable, participate in the economy and benefit from strong, inclusive and "
        "resilient growth that creates decent jobs",
        "communities are managing natural resources and the environment in a sustainable and equitable manner and "
        "are more resilient to the adverse effects of climate change"],
    3: ["vulnerable people have improved access to social welfare services, including in humanitarian context",
        "women and girls live a life free from violence and harmful practices, and survivors access quality "
        "essential services"],
    4: ["people are resilient to conflict, live reconciled and in harmony in a peaceful and secure environment that "
        "respects human rights and positive cultural traditions",
        "women play a greater role in and are better served by humanitarian response and recovery efforts"],
    5: ["national and local plans and budgets are gender-responsive and financing for gender equality increases",
        "gender statistics are produced, analysed and used to inform policies and programmes"],
    6: ["a comprehensive and dynamic set of global norms and policies on gender equality is strengthened and "
        "implemented at national level"],
    7: ["the United Nations system coherently and systematically contributes to progress on gender equality and "
        "the empowerment of women"],
}
SP_OUTPUTS = {
    1: ["More women of all ages fully participate, lead and engage in political institutions and processes",
        "More national and local plans and budgets are gender-responsive"],
    2: ["More women own, launch and better manage small, medium and large enterprises",
        "More rural women secure access to, control over and use of productive resources"],
    3: ["More countries and stakeholders are better able to prevent violence against women and girls",
        "More women and girls use available, accessible and quality essential services"],
    4: ["More commitments on women, peace and security are implemented by Member States and the UN system, and "
        "more gender equality advocates influence peace and security processes",
        "More women play a greater role and are better served by humanitarian response and recovery efforts"],
    5: ["More and better quality gender statistics are available and accessible"],
    6: ["The capacity of governments and stakeholders is strengthened to assess progress in implementation of the "
        "Beijing Platform for Action, and other global normative and policy frameworks"],
    7: ["The UN system coordination on gender equality is strengthened"],
}


# ---- reference names ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Partner:
    key: str
    name: str
    acronyms: tuple[str, ...]
    aliases: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class PlaceName:
    name: str
    kind: str  # region | town | commune-bamako | country
    label: str = ""  # "region", "province", … for "the province of X"


def _split(cell: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in (cell or "").split("|") if v.strip())


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_partners() -> list[Partner]:
    return [Partner(r["key"], r["name"], _split(r["acronyms"]), _split(r["aliases"]), r["kind"])
            for r in _read_tsv(DATA / "partners.tsv") if r["key"] != "un-women"]


_CLEAN_NAME = re.compile(r"^[A-ZÀ-Ý][^\d(),;/\[\]]{2,38}$")
_LABELS = {"region", "province", "state", "county", "district", "governorate", "department", "prefecture",
           "municipality", "parish", "division", "oblast", "canton", "emirate", "island", "wilaya"}


def load_places(alpha2: str) -> list[PlaceName]:
    out: list[PlaceName] = []
    for s in sorted(pycountry.subdivisions.get(country_code=alpha2) or [], key=lambda s: s.code):
        if s.parent_code or not _CLEAN_NAME.match(s.name):
            continue
        label = s.type.lower() if s.type.lower() in _LABELS else ""
        out.append(PlaceName(s.name, "region", label))
    if alpha2 == "ML":
        for r in _read_tsv(DATA / "places.tsv"):
            if not r["key"].startswith("ML-"):
                continue
            names = (r["name"], *_split(r["alt_names"]))
            if r["key"].startswith("ML-BKO-commune"):
                out.append(PlaceName(names[0], "commune-bamako"))
            elif r["type"] in ("city", "commune", "cercle"):
                for nm in names[:2]:  # with and without accents
                    out.append(PlaceName(nm, "town", r["type"]))
        out.append(PlaceName("Segou", "region", "region"))  # the unaccented spelling of the reports
    return out


# ---- numbers -----------------------------------------------------------------------------------------------------
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+$")


def grouped(n: int) -> str:
    return f"{n:,}"


def broken(n: int, rng: random.Random) -> str:
    """A number with broken digit grouping, as in "102,4517", "1,36080" or "4,495,41"."""
    d = str(n)
    cands = {d[:i] + "," + d[i:] for i in range(1, len(d))}
    for head in (1, 2, 3):  # groups of three from the left, leaving a short tail
        groups = [d[:head]] + [d[i:i + 3] for i in range(head, len(d), 3)]
        cands.add(",".join(g for g in groups if g))
    cands = sorted(x for x in cands if not _GROUPED.match(x))
    return rng.choice(cands)


# ---- one report ----------------------------------------------------------------------------------------------------
class Ctx:
    """What the templates of one report draw from: its random source, names and numbers."""

    def __init__(self, rng: random.Random, country, year: int, partners: list[Partner], places: list[PlaceName]):
        self.rng = rng
        self.country = country
        self.year = year
        self.mali = country.alpha_2 == "ML"
        self.partners = [p for p in partners if self.mali or p.key not in MALI_ONLY]
        self.un = [p for p in self.partners if p.kind == "un-entity" and p.acronyms]
        self.places = places
        names = country_names(country)
        self.cname = names[0] if "," not in names[0] else "the country"
        self.introduced: set[str] = set()
        self.defects_parts = 0

    # names
    def org(self) -> str:
        """A partner as a report names it: "the Full Name (ACR)" the first time, then varied."""
        p = self.rng.choice(self.partners)
        return self.org_form(p)

    def org_form(self, p: Partner) -> str:
        r = self.rng.random()
        if p.acronyms and p.key not in self.introduced and r < 0.6:
            self.introduced.add(p.key)
            return f"the {p.name} ({p.acronyms[0]})"
        if p.acronyms and r < 0.8:
            return self.rng.choice(p.acronyms)
        if p.aliases and r < 0.9:
            return self.rng.choice(p.aliases)
        return f"the {p.name}"

    def acronyms(self, k: int) -> list[str]:
        ps = self.rng.sample(self.un, min(k, len(self.un)))
        return [self.rng.choice(p.acronyms[:1] * 3 + p.acronyms) for p in ps]

    def discoverable(self) -> str:
        name, acr = self.rng.choice(DISCOVERABLE)
        return f"the {name} ({acr})"

    def place_names(self, k: int) -> list[str]:
        """k place phrases, distinct, each ending with the place name (so a bracket after it belongs to it)."""
        if not self.places:
            return self.rng.sample(["the capital", "rural areas", "urban areas", "border areas", "remote areas"], k)
        pool = self.rng.sample(self.places, min(k, len(self.places)))
        out = [self.where(p) for p in pool]
        while len(out) < k:
            out.append(self.rng.choice(["rural areas", "urban areas", "border areas"]))
        return out

    def where(self, p: PlaceName) -> str:
        r = self.rng.random()
        if p.kind == "commune-bamako":
            return f"{p.name} of Bamako" if r < 0.7 else f"{p.name} de Bamako"
        if p.kind == "town":
            if p.label == "commune":
                return (f"the Rural Commune of {p.name}" if r < 0.5 else f"the commune of {p.name}")
            return (f"the Urban Commune of {p.name}" if r < 0.3 else f"the city of {p.name}" if r < 0.5 else p.name)
        if p.label and r < 0.4:
            return f"the {p.label} of {p.name}"
        return p.name

    def plist(self, k: int) -> str:
        return join(self.place_names(k))

    def topic(self) -> str:
        return self.rng.choice(TOPICS)

    # numbers
    def n(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def fmt(self, n: int) -> str:
        if n >= 10000 or (n >= 1000 and self.rng.random() < 0.3):
            return grouped(n)
        return str(n)

    def split(self, total: int, lo: float = 0.15, hi: float = 0.85) -> tuple[int, int]:
        a = max(1, min(total - 1, round(total * self.rng.uniform(lo, hi))))
        return a, total - a

    def total_of(self, parts_sum: int, p_defect: float = 0.2) -> int:
        """The stated total of some parts: usually their sum, sometimes not (a defect of the source)."""
        if self.rng.random() < p_defect:
            self.defects_parts += 1
            return parts_sum + self.rng.choice([-1, 1]) * self.rng.randint(1, max(2, parts_sum // 10))
        return parts_sum

    def pct(self, part: int, total: int) -> str:
        v = part / total * 100
        return f"{v:.0f}" if self.rng.random() < 0.5 else f"{v:.2f}"

    def money(self, lo: int = 5_000_000, hi: int = 900_000_000) -> int:
        v = self.rng.randint(lo, hi)
        return v - v % self.rng.choice([1, 10, 1000, 1_000_000 if v > 50_000_000 else 1000])


def country_names(country) -> list[str]:
    """How reports name a country: the common name first, never the inverted ISO form ("Iran, Islamic …")."""
    names = [getattr(country, "common_name", None), country.name, getattr(country, "official_name", None)]
    ok = list(dict.fromkeys(n for n in names if n and "," not in n and not n.startswith("the ")))
    return ok or [country.name]


def join(items: list[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# ---- sentence templates (figures) ----------------------------------------------------------------------------------
def t_informed(c: Ctx) -> str:
    places = c.place_names(3)
    parts, tm, tf = [], 0, 0
    for p in places:
        m, f = c.n(20, 400), c.n(40, 600)
        tm, tf = tm + m, tf + f
        parts.append(f"{p} ({m} men and {f} women)")
    total = c.total_of(tm + tf)
    return (f"{c.fmt(total)} women and young people ({tm} men and {tf} women) from {join(parts)} were informed and "
            f"sensitized on {c.topic()}, which has been underway since October 1 and will end on December 31 of "
            f"each year.")


def t_police(c: Ctx) -> str:
    n, j = c.n(40, 300), c.n(12, 90)
    k = c.n(5, n // 2)
    a, b = c.split(j)
    jt = c.total_of(a + b)
    return (f"{n} police officers ({k} of them women) and {jt} journalists ({a} men and {b} women) were trained on "
            f"{c.topic()} in {c.plist(2)}.")


def t_displaced(c: Ctx) -> str:
    n = c.n(800, 9000)
    f = c.n(n // 2, n - 10)
    return (f"{c.fmt(n)} displaced people, including {c.fmt(f)} women, in the IDP camps of {c.plist(3)} benefit from "
            f"humanitarian assistance and gradually restore their dignity.")


def t_group(c: Ctx) -> str:
    n = c.n(60, 400)
    m, f = c.split(n, 0.3, 0.7)
    return (f"The capacities of {n} members of {c.org()} and regional actors are improved on {c.topic()} in the "
            f"localities of {c.plist(3)}. This group was {m} men ({c.pct(m, n)}%) and {f} women ({c.pct(f, n)}%).")


def t_reached(c: Ctx, force_broken: bool = False) -> str:
    parts = [c.n(50_000, 400_000), c.n(50_000, 400_000), c.n(100_000, 500_000), c.n(60_000, 350_000)]
    total = c.total_of(sum(parts), 0.15)
    if force_broken or c.rng.random() < 0.3:  # the seed's sentence: the grouping of most numbers broken
        nums = [broken(total, c.rng)] + [broken(p, c.rng) if c.rng.random() < 0.6 else grouped(p) for p in parts]
    else:
        nums = [grouped(total)] + [grouped(p) for p in parts]
    return (f"{nums[0]} people, including {nums[1]} girls, {nums[2]} boys, {nums[3]} women and {nums[4]} men were "
            f"reached through behavior change communication through information and awareness sessions in the "
            f"program's intervention areas, to improve their attitudes and practices towards {c.topic()}.")


def t_list_people(c: Ctx) -> str:
    po, jo, tc, te, le, gi, rp = (c.n(50, 200), c.n(20, 80), c.n(40, 160), c.n(100, 400), c.n(30, 90),
                                  c.n(50, 200), c.n(100, 500))
    pk = c.n(5, po // 2)
    jm, jf = c.split(jo)
    lm, lf = c.split(le)
    total = c.total_of(po + jo + tc + te + le + gi + rp, 0.3)
    return (f"{total} people, including {po} police officers ({pk} of them women), {jo} journalists ({jm} men and "
            f"{jf} women) and {tc} traditional communicators (men), {te} teenagers, {le} traditional and religious "
            f"leaders ({lm} men and {lf} women), {gi} girls and {rp} resource persons and others have improved their "
            f"knowledge on human and women's rights, mainly in {c.plist(3)}.")


def t_money_income(c: Ctx) -> str:
    n, k, e = c.n(300, 4000), c.n(5, 40), c.n(5, 60)
    return (f"{c.fmt(n)} women organized into {k} cooperatives and {e} enterprises have improved their access to "
            f"markets and finance through capacity building and access to adequate production equipment, with over "
            f"XOF {grouped(c.money())} in income generated and over XOF {grouped(c.money())} in new finance acquired.")


def t_money_cfa(c: Ctx) -> str:
    return (f"{grouped(c.money())} CFA francs of financing were acquired by the women's groups supported by "
            f"{c.org()}.")


def t_money_fcfa(c: Ctx) -> str:
    x = c.money(100_000_000, 950_000_000)
    y = c.rng.randint(x // 3, x - 1)
    return (f"At least {c.n(500, 6000)} women farmers in {c.year} generated income of more than {grouped(x)} FCFA "
            f"with {grouped(y)} FCFA of profit margin.")


def t_land(c: Ctx) -> str:
    ha = round(c.rng.uniform(50, 900), 3)
    g, b = c.n(40, 200), c.n(3000, 15000)
    ha2 = round(c.rng.uniform(ha * 0.5, ha * 0.95), 2)
    g2, b2 = c.n(g // 2, g), c.n(b // 2, b)
    return (f"Thus, {ha} ha of agricultural land were acquired for {g} groups of {grouped(b)} beneficiaries, of "
            f"which {ha2} ha were secured for {g2} groups of {grouped(b2)} beneficiaries.")


def t_gardens(c: Ctx) -> str:
    k = c.n(4, 20)
    region = c.rng.choice([p.name for p in c.places if p.kind == "region"] or ["northern", "southern", "eastern"])
    return (f"To reinforce these achievements, {k} market gardening areas of {c.n(10, 90)} ha have been developed "
            f"and benefit {k} groups of {c.n(300, 2500)} women and {c.n(100, 900)} men in the {region} region.")


def t_resilience(c: Ctx) -> str:
    return (f"{c.n(2000, 20000)} women beneficiaries of the program have strengthened their resilience to climate "
            f"change with the acquisition of new knowledge in agricultural practices through training and "
            f"demonstration activities.")


def t_workshops(c: Ctx) -> str:
    return (f"This result was achieved through the holding of ({c.n(2, 9):02d}) training of trainers workshops on "
            f"{c.topic()} ({c.n(2, 5)} days) in {c.plist(3)} with the support of UN Women.")


def t_networks(c: Ctx) -> str:
    return (f"{c.n(2, 9):02d} networks of women's and civil society organizations as well as regional coalitions of "
            f"traditional and religious leaders actively involved in {c.topic()} are established and functional.")


def t_members(c: Ctx) -> str:
    n = c.n(40, 200)
    return (f"{n} members ({c.n(5, n // 2)} women) of {c.org()} were strengthened to better understand their roles "
            f"and responsibilities in order to effectively defend the priorities of citizens in general, in "
            f"particular those of youth, women, people living with disabilities and others.")


def t_registrations(c: Ctx) -> str:
    return f"So, {c.n(100, 900)} new registrations and requests for modifications were made in {c.plist(3)}."


def t_key_actors(c: Ctx) -> str:
    n = c.n(60, 200)
    m, f = c.split(n, 0.5, 0.85)
    return (f"The technical and institutional capacities of {n} ({m} men ({c.pct(m, n)}%) and {f} women "
            f"({c.pct(f, n)}%) key actors of {c.org()} were strengthened on the following themes: {c.topic()} and "
            f"{c.topic()}.")


def t_officials(c: Ctx) -> str:
    n = c.n(20, 80)
    f, m = c.split(n)
    return (f"{n} senior officials ({f} women ({c.pct(f, n)}%) and {m} men ({c.pct(m, n)}%)) of {c.org()} were "
            f"reinforced on {c.topic()} during the session on integrating gender responsive budgeting into their "
            f"plans, programs and strategies.")


def t_councilors(c: Ctx) -> str:
    n = c.n(80, 250)
    m, f = c.split(n, 0.55, 0.8)
    return (f"The capacities of {n} communal councilors, local health, social development and women's promotion "
            f"agents ({m} men or {c.pct(m, n)}% and {f} women or {c.pct(f, n)}%) were strengthened on {c.topic()}.")


def t_directors(c: Ctx) -> str:
    n = c.n(20, 60)
    f, m = c.split(n)
    return (f"{n} national, regional and local directors and managers ({f} Women -{c.pct(f, n)}%- and {m} Men "
            f"({c.pct(m, n)}%) were reinforced on gender norms and women's empowerment.")


def t_businesses(c: Ctx) -> str:
    return (f"These strategic partnerships such as those with {c.org()}, {c.org()} and {c.org()} have enabled at "
            f"least {c.n(100, 900)} women-owned businesses in the informal sector to organize, formalize and improve "
            f"their potential access to targeted markets.")


def t_procurement(c: Ctx) -> str:
    return (f"In addition, another {c.n(20, 120)} women's businesses gained a better understanding of "
            f"gender-responsive procurement (GRP) and acquired new skills in the process of responding to a UN "
            f"system tender via the online procurement platform.")


def t_representation(c: Ctx) -> str:
    k, j = c.n(2, 6), c.n(5, 20)
    return (f"The political commitment of the signatory parties to ensure the involvement of women has intensified "
            f"in {c.year} with their decision to appoint {k} additional women to {c.org()} (which will increase their "
            f"level of representation to {round(c.rng.uniform(15, 45), 1)}% when effective) and {j} women to the "
            f"{c.n(3, 7)} technical subcommissions.")


def t_statistics(c: Ctx) -> str:
    return (f"Thus, {c.n(60, 400)} people from several public administrations and institutions, public enterprises, "
            f"social security organizations, financial institutions, development partners and civil society "
            f"organizations contributed to the proposal of recommendations in terms of {c.topic()}.")


def t_budget(c: Ctx) -> str:
    return (f"{c.n(3, 40)} gender-responsive communal plans and budgets were adopted in {c.plist(2)}, for a total "
            f"of XOF {grouped(c.money(10_000_000, 300_000_000))} allocated to gender equality.")


def t_survivors(c: Ctx) -> str:
    n = c.n(150, 3000)
    f, g = c.split(n, 0.5, 0.9)
    total = c.total_of(n)
    return (f"{c.fmt(total)} survivors of gender-based violence ({f} women and {g} girls) received psychosocial, "
            f"medical and legal support through the one-stop centres of {c.plist(2)}.")


def t_candidates(c: Ctx) -> str:
    n = c.n(80, 600)
    return (f"{n} women candidates were trained in leadership and public speaking ahead of the local elections, "
            f"of which {c.n(10, n // 3)} women candidates were elected in {c.plist(2)}.")


def t_loans(c: Ctx) -> str:
    return (f"{c.n(100, 1500)} women entrepreneurs accessed credit worth {grouped(c.money())} FCFA from {c.org()} "
            f"and {c.org()}.")


def t_seats(c: Ctx) -> str:
    n = c.n(100, 400)
    m, f = c.split(n, 0.55, 0.85)
    return (f"The {n} members of the local peace committees set up in {c.plist(2)} are {m} men "
            f"({c.pct(m, n)}%) and {f} women ({c.pct(f, n)}%).")


FIGURE_TEMPLATES = [t_informed, t_police, t_displaced, t_group, t_reached, t_list_people, t_money_income,
                    t_money_cfa, t_money_fcfa, t_land, t_gardens, t_resilience, t_workshops, t_networks, t_members,
                    t_registrations, t_key_actors, t_officials, t_councilors, t_directors, t_businesses,
                    t_procurement, t_representation, t_statistics, t_budget, t_survivors, t_candidates, t_loans,
                    t_seats]


# ---- sentence templates (no figures) ------------------------------------------------------------------------------
def f_partnership(c: Ctx) -> str:
    return (f"UN Women worked in close partnership with {c.org()}, {c.org()} and {c.org()}, with the technical "
            f"support from {c.org()}.")


def f_panels(c: Ctx) -> str:
    return f"These sessions were held in the form of panels with the support of UN Women, {join(c.acronyms(4))}."


def f_recognized(c: Ctx) -> str:
    return (f"UN Women contribution is recognized by {c.acronyms(1)[0]} reports and the reports of {c.org()} in "
            f"charge of {c.topic()}.")


def f_broadcast(c: Ctx) -> str:
    p = c.place_names(3)
    return (f"These sensitization activities in {p[0]} as well as in {p[1]} and {p[2]} were covered and broadcast by "
            f"{c.org()} with the project's partner community radios to reach the largest number of people.")


def f_context(c: Ctx) -> str:
    return (f"Despite the socio-political and security context in the country as well as the Covid-19 pandemic, "
            f"which had a negative impact on the implementation of some activities, there were significant changes "
            f"in the situation of women in {c.cname} this year.")


def f_toc(c: Ctx) -> str:
    return f"Based on the context analysis to date, the theory of change is still relevant in {c.year}."


def f_agencies(c: Ctx) -> str:
    return (f"The contributions, achievements and experiences of several partners have been leveraged according to "
            f"their areas of expertise, including direct beneficiaries, the Government, UN Specialized Agencies "
            f"({join(c.acronyms(4))}), civil society/NGOs and the private sector.")


def f_land(c: Ctx) -> str:
    return (f"The governance of land management is now sensitive in several communes of intervention with the "
            f"signature of communal charters of land management that integrate women's land rights in the regions "
            f"of {c.plist(3)}.")


def f_experts(c: Ctx) -> str:
    a = c.acronyms(2)
    return (f"UN Women worked closely with the gender experts from {a[0]} and with {a[-1]} under the supervision of "
            f"the Humanitarian Coordinator and the UN Women Representative.")


def f_mechanisms(c: Ctx) -> str:
    return (f"These mechanisms have been set up in collaboration with traditional and religious leaders in the "
            f"regions of {c.plist(2)}.")


def f_transformation(c: Ctx) -> str:
    return (f"This change is a real transformation in {c.cname} and is the result of intense advocacy for women to "
            f"participate fully in negotiation and peace frameworks.")


def f_discovered(c: Ctx) -> str:
    return (f"{cap(c.discoverable())} was supported to develop a gender strategy and an action plan, which were "
            f"validated in {c.year} with {c.org()}.")


def f_dialogues(c: Ctx) -> str:
    return f"In partnership with {c.discoverable()}, community dialogues were organized in {c.plist(2)}."


def f_ict(c: Ctx) -> str:
    return (f"UN Women, in collaboration with {c.org()} and the government, has taken initiatives to improve women's "
            f"organizations' access to markets and networks using ICT to enable them to reach more profitable "
            f"markets.")


STATIC = [
    "The strategy has not been changed.",
    "The testimonies collected attest to the community's willingness to perform this civic duty.",
    "This is an opportunity to register on the lists or to change centers according to changes of residence.",
    "A platform of young people committed to the abandonment of GBV and actively mobilized to support the "
    "program's actions is also functional.",
    "The identification and systematic consideration of the specific and priority needs of women and girls now "
    "makes the response more adapted to the needs of vulnerable groups.",
    "Gradually, observations and evaluations of the training they have received show an increase in their "
    "self-confidence and public speaking skills.",
    "They recognize the importance of collaborating and coordinating with each other and with the men in their "
    "delegations before, during and after the sessions.",
    "Women's access to the various tax relief mechanisms and the relief guarantee fund has been rare and not "
    "incidental for many.",
    "A strong sensitization and advocacy process contributed to the achievement of these results.",
    "The assistance operations were carried out in complementarity with the coordinated actions of the state "
    "services and other humanitarian actors of the United Nations and national and international NGOs.",
    "These sessions allowed men to understand that they must contribute to the active participation of women in "
    "the management of their community and that this complementarity will ensure a harmonious and sustainable "
    "development.",
    "The level of participants was assessed in each of the target communes using an evaluation form.",
    "These contribute to better coordinate actions and involve all key stakeholders within the community "
    "mechanisms for the prevention and referral of GBV cases to appropriate health services.",
    "A capacity building programme should include all members of the peace mechanism, not just women, to ensure "
    "that men are open to gender issues and facilitate the consideration of their needs.",
    "This result was obtained through support in terms of capacity building of the groups, which enabled them to "
    "access financial services through the opening of bank accounts.",
    "The mood between the two groups is very positive during the training sessions and fosters the conditions for "
    "good collaboration between them.",
    "Humanitarian coordination at national and local levels has developed a more gender-sensitive agenda and "
    "programming with the support of UN Women.",
    "To note that for women involved in formal entrepreneurship, the year was one of continued challenges as many "
    "women-owned businesses are still struggling to recoup their losses and keep their businesses afloat.",
    "These sessions allowed for an increase in the number of resource persons with a clear knowledge of the "
    "applicable texts and who will serve as a lever to continue the process of information and sensitization on "
    "the topic.",
    "The beneficiaries of these sessions have become aware of the importance of this exercise and testimonies "
    "collected attest to their willingness to perform this civic duty.",
    "Before, many of the newly appointed women did not feel confident to perform their role alongside men, and the "
    "coaching they received has changed this in a visible way.",
    "They can engage in discussions on sensitive issues, express their positions and listen to those of others "
    "without tension between them, which was not the case at the beginning.",
    "They also acknowledged that they have a better understanding of gender mainstreaming and are committed to "
    "supporting the consideration of women's needs in the implementation of the national policies.",
    "The inclusion of women, particularly displaced girls, can be promoted by making their participation a "
    "fundamental criteria for the eligibility of local organisations for project funding.",
    "In addition to addressing the urgent needs of women and girls affected by conflict, a thorough analysis of "
    "the structural causes of conflict must accompany the response.",
    "This means that the dedicated theory of change as it is mentioned in the Strategic Note remains valid in "
    "practice, and no change of approach was needed during the year.",
    "The governance of the programme relied on a steering committee that met regularly and on joint monitoring "
    "missions with the national counterparts.",
    "Lessons learned show that community ownership is stronger when traditional and religious leaders are "
    "involved from the design of the activities onwards.",
    "The results achieved remain fragile and require continued investment in the capacities of national "
    "institutions and women's organizations.",
    "The programme has adapted its modalities of intervention to the security situation by relying more on local "
    "partners and community relays.",
    "A mid-term review recommended strengthening the monitoring and evaluation system and the documentation of "
    "good practices for wider dissemination.",
    "Women's organizations played a central role in the mobilization of communities and in the follow-up of the "
    "commitments made by local authorities.",
    "The digital tools introduced during the pandemic continued to be used to reach women in remote areas and to "
    "share market information.",
    "Advocacy with the authorities made it possible to include gender equality priorities in the sectoral plans "
    "under preparation.",
]
FILLER_TEMPLATES = [f_partnership, f_panels, f_recognized, f_broadcast, f_context, f_toc, f_agencies, f_land,
                    f_experts, f_mechanisms, f_transformation, f_discovered, f_dialogues, f_ict]


def status_sentence(c: Ctx) -> str | None:
    r = c.rng.random()
    if r < 0.15:
        return None
    if r < 0.45:
        return "The outcome was partially achieved."
    if r < 0.60:
        return (f"The outcome was not achieved, however some capacity building and advocacy activities are carried "
                f"out throughout the country by different actors in society on {c.topic()}.")
    if r < 0.72:
        return f"The outcome is partially achieved during the course of {c.year}."
    if r < 0.84:
        return (f"This outcome was partially achieved, so more actors were ready to ensure their responsibility and "
                f"role as incubators for the promotion of {c.topic()}.")
    if r < 0.94:
        return "The outcome was achieved."
    return f"The outcome was achieved: significant progress was made on {c.topic()} in {c.year}."


# ---- sections and report -------------------------------------------------------------------------------------------
def statement(c: Ctx, n: int, m: int, horizon: int) -> str:
    core = c.rng.choice(THEMES[n])
    if c.rng.random() < 0.85:
        core = f"By {horizon}, {core}"
    r = c.rng.random()
    if r < 0.06:  # the seed's MLI_D_2.1: a stray quote and a truncated "Related."
        return f"\"{cap(core)} Related."
    if r < 0.62:
        titles = SP_OUTPUTS[n]
        title = titles[(m - 1) % len(titles)]
        word = c.rng.choice(["related", "related", "Related"])
        colon = c.rng.choice([":", ":", " :"])
        end = c.rng.choice(["", "", "."])
        sep = c.rng.choice([" ", ". "])
        return f"{cap(core)}{sep}({word} to SP_D_{n}.{m}{colon} {title}){end}"
    return cap(core) + c.rng.choice([".", "", "."])


def narrative(c: Ctx, broken_numbers: bool = False) -> list[list[str]]:
    """Paragraphs of sentences, about 1,500-3,500 characters in all."""
    target = c.rng.randint(1500, 3500)
    figs = c.rng.sample(FIGURE_TEMPLATES, len(FIGURE_TEMPLATES))
    if broken_numbers:
        figs.remove(t_reached)
    fills = c.rng.sample(FILLER_TEMPLATES, len(FILLER_TEMPLATES))
    static = c.rng.sample(STATIC, len(STATIC))
    sents: list[str] = []
    st = status_sentence(c)
    if st:
        sents.append(st)
    size = len(st or "")
    while size < target and (figs or fills or static):
        r = c.rng.random()
        if r < 0.30 and figs:
            s = figs.pop()(c)
        elif r < 0.48 and fills:
            s = fills.pop()(c)
        elif static:
            s = static.pop()
        else:
            continue
        sents.append(s)
        size += len(s) + 1
    if broken_numbers:
        sents.insert(c.rng.randint(1, len(sents)), t_reached(c, force_broken=True))
    # one to three paragraphs
    k = c.rng.choice([1, 1, 1, 2, 2, 3])
    cuts = sorted(c.rng.sample(range(1, len(sents)), min(k - 1, max(len(sents) - 1, 0))))
    paras, prev = [], 0
    for cut in cuts + [len(sents)]:
        paras.append(sents[prev:cut])
        prev = cut
    return [p for p in paras if p]


_GLUE_NUMBER = re.compile(r"^\d{2,}[\d,.]*[\s,]")


def render_paragraph(c: Ctx, sents: list[str], glue: bool) -> str:
    """Join sentences; with ``glue``, lose one space (or full stop and space) before a number."""
    out = sents[0]
    glued = False
    for s in sents[1:]:
        if glue and not glued and _GLUE_NUMBER.match(s) and re.search(r"[a-z]{3}\.$", out):
            glued = True
            out = out + s if c.rng.random() < 0.5 else out[:-1] + s  # "waste.225,376,950" / "region14668"
        else:
            out = out + " " + s
    return out


def split_mid_sentence(c: Ctx, para: str) -> list[str]:
    """Split a paragraph by a blank line in the middle of a sentence (a page break)."""
    spots = [m.start() for m in re.finditer(r"(?<=[a-z,]) (?=[a-z]{3,} )", para)
             if 200 < m.start() < len(para) - 200 and not para[m.start() + 1:].startswith("outcome")]
    if not spots:
        return [para]
    i = c.rng.choice(spots)
    return [para[:i], para[i + 1:]]


def section_text(c: Ctx, ident: str, heading: str, n: int, m: int, horizon: int, defects: dict[str, bool]) -> str:
    paras = narrative(c, defects.get("broken", False))
    # a passage repeated verbatim after a page break
    if defects.get("duplicate"):
        cands = [i for i, p in enumerate(paras) if len(p) >= 4]
        if cands:
            i = c.rng.choice(cands)
            p = paras[i]
            a = c.rng.randint(1, len(p) - 3)
            run = p[a:a + c.rng.randint(2, 4)]
            b = c.rng.randint(a + len(run), len(p))
            paras[i:i + 1] = [p[:b], list(run) + p[b:]]
    texts = [render_paragraph(c, p, defects.get("glue", False)) for p in paras if p]
    if defects.get("split"):
        j = c.rng.randrange(len(texts))
        texts[j:j + 1] = split_mid_sentence(c, texts[j])
    body = "\n\n".join(texts)
    return f"{heading} {ident}\n\n{statement(c, n, m, horizon)}\n\n{body}\n\n"


FURNITURE = [
    "Skip to main content", "UN Women Transparency Portal", "Home", "About us", "Our global results",
    "Where we work", "Donors", "Search", "English | Français | Español", "Country results",
    "Download data (IATI)", "Share this page",
]


def report_text(country, year: int, seed: int, partners: list[Partner]) -> str:
    rng = random.Random(f"{seed}:{country.alpha_3}:{year}")
    c = Ctx(rng, country, year, partners, load_places(country.alpha_2))
    names = country_names(country)
    name = names[0] if rng.random() < 0.7 else rng.choice(names)
    portal = rng.random() < 0.15
    title = (f"Progress in {name} country in {year}" if rng.random() < 0.8 else f"Progress in {name} in {year}")
    as_of_year = min(MAX_YEAR, year + rng.randint(1, 3))
    as_of = f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {as_of_year}"
    head = []
    if portal:
        head += rng.sample(FURNITURE, rng.randint(3, 6))
        heading = "outcome"
    else:
        head += ["", ""] if rng.random() < 0.5 else []
        heading = rng.choice(["OUTCOME"] * 8 + ["Outcome"])
    head += [title, "", f"Data as of: {as_of}", ""]
    # 6-10 distinct outcome identifiers
    k = rng.randint(6, 10)
    ids = sorted(rng.sample([(n, m) for n in range(1, 8) for m in range(1, 5)], k), key=lambda x: rng.random())
    horizon = year + rng.randint(1, 4)
    # defects at about the seed's rate: each report has a few, spread over its sections
    sections = []
    dup_at = rng.randrange(k) if rng.random() < 0.9 else -1
    split_at = set(rng.sample(range(k), rng.choice([1, 1, 2, 2, 3])))
    glue_at = set(rng.sample(range(k), rng.choice([1, 2, 2, 3])))
    broken_at = rng.randrange(k) if rng.random() < 0.85 else -1
    for i, (n, m) in enumerate(ids):
        ident = f"XM-DAC-41146-{country.alpha_3}_D_{n}.{m}"
        defects = {"duplicate": i == dup_at, "split": i in split_at, "glue": i in glue_at, "broken": i == broken_at}
        sections.append(section_text(c, ident, heading, n, m, horizon, defects))
    return "\n".join(head) + "\n" + "".join(sections).rstrip("\n") + "\n"


# ---- corpus ------------------------------------------------------------------------------------------------------
def _countries() -> list:
    return sorted(pycountry.countries, key=lambda c: c.alpha_3)


def max_reports() -> int:
    return len(_countries()) * (MAX_YEAR - MIN_YEAR + 1)


def pairs(count: int, seed: int) -> list[tuple[object, int]]:
    """``count`` distinct (country, year) pairs; years 2015-2030 first, Mali always among them."""
    countries = _countries()
    if count > max_reports():
        raise SystemExit(f"generate.py: at most {max_reports():,} distinct (country, year) pairs exist")
    rng = random.Random(seed)
    core = [(c, y) for c in countries for y in CORE_YEARS]
    rng.shuffle(core)
    mali = next(i for i, (c, _y) in enumerate(core) if c.alpha_2 == "ML")
    core.insert(0, core.pop(mali))
    out = core[:count]
    lo, hi = CORE_YEARS.start - 1, CORE_YEARS.stop
    while len(out) < count:
        for y in (lo, hi):
            if MIN_YEAR <= y <= MAX_YEAR:
                ring = [(c, y) for c in countries]
                rng.shuffle(ring)
                out.extend(ring[: count - len(out)])
        lo, hi = lo - 1, hi + 1
    return out


def generate(out_dir: Path | str, count: int, seed: int = 0) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    partners = load_partners()
    written = []
    for country, year in pairs(count, seed):
        path = out_dir / f"{country.alpha_3}-{year}.txt"
        path.write_text(report_text(country, year, seed, partners), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate synthetic UN Women country results reports.")
    p.add_argument("out_dir", type=Path, help="folder to write the .txt reports into (created if missing)")
    p.add_argument("--count", type=int, required=True, help="number of reports (distinct country-year pairs)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = p.parse_args(argv)
    if args.count < 1:
        p.error("--count must be at least 1")
    files = generate(args.out_dir, args.count, args.seed)
    size = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} reports ({size / 1e6:.1f} MB) to {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
