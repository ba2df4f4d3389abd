"""Places of any country: the tables first, then GeoNames towns, then spelling variants.

The gazetteer (``kg.gazetteer``) knows every country, every ISO 3166-2 subdivision and the
curated towns of ``data/places.tsv``. What it lacks, a report usually names as a capitalised
word where a place belongs ("in Mangochi", "Pemba and Metuge", "Maroua, Bertoua"): such a word
is looked up among the towns of the report's country in GeoNames (``kg.geonames``), accent- and
case-insensitively, and, failing that, matched to the country's subdivisions and towns by
spelling (``rapidfuzz``), so "Tigray" finds ISO's "Tigrai". The report's country decides: a name
is only ever looked up among that country's places.
"""
from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from kg import geonames
from kg.extract.orgs import LEADING_WORDS, ReportOrgs
from kg.gazetteer import Gazetteer, Match, Place
from kg.text import fold_key

# a capitalised name of up to four words ("Bahir Dar", "Cox's Bazar", "Montes de María")
_NAME = re.compile(r"(?<![\w'’\-])[A-ZÀ-ÖØ-Þ][\w'’\-]*(?:[ \t]+(?:(?:de|del|la|las|los|le|les|el|al|as|ar|an|da|do|"
                   r"dos|das|di|du|des|of)[ \t]+){0,2}[A-ZÀ-ÖØ-Þ][\w'’\-]*){0,3}")
# where a place stands: after these words or a list comma, or before a word that says what it is
_BEFORE = re.compile(r"(?:\b(?:in|of|from|at|to|across|around|near|between|including|and|or|both|within|"
                     r"throughout|outside|inside|towards?)\s+(?:the\s+)?|,\s*|\(\s*|/\s*)$", re.I)
_AFTER = re.compile(r"\s+(?:district|districts|municipality|municipalities|town|city|village|villages|camp|camps|"
                    r"province|provinces|region|regions|county|counties|department|departments|state|governorate|"
                    r"commune|communes|prefecture|woreda|zone|upazila|sub-district)\b", re.I)
# capitalised words that are never the place a sentence means, whatever GeoNames lists
_NEVER = frozenset(fold_key(w) for w in """
    January February March April May June July August September October November December Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday English French Spanish Portuguese Arabic Kiswahili Swahili
    Amharic Nepali Bangla Bengali Government Parliament Ministry Region District Province Country National
    Women Youth Gender Peace Security Council Committee Office Union Phase Plan Programme Project Police
    Justice Health Education Finance Agriculture Affairs Development Social Welfare Human Rights Action
    Community Communities Centre Center Network Association Women's Girls Men Boys Children Total
    North South East West Central Northern Southern Eastern Western Upper Lower New Old Saint Santa San
    Global Country Office Regional Local Urban Rural Head Mother Victoria Grace Hope Unity Liberty
    """.split())
# words that make "… District" or "… Region" a kind of area, not the name of one ("Special Administrative
# Region", "the targeted districts", "Northern Province" is ISO's already)
_GENERIC = frozenset("""special administrative autonomous capital federal metropolitan national local rural urban
    target targeted selected pilot partner other all several border neighbouring neighboring northern southern
    eastern western central remote affected participating new some many most these those each both""".split())
_FUZZY_CUTOFF = 85
_MIN_FUZZY = 5


@lru_cache(maxsize=64)
def _towns(country: str) -> dict[str, geonames.Town]:
    """Folded name -> town, for the report's country: main names first, then other Latin spellings;
    where two towns share a name, the larger (GeoNames lists the largest first)."""
    by_name: dict[str, geonames.Town] = {}
    alternates: dict[str, geonames.Town] = {}
    for t in geonames.towns(country):
        by_name.setdefault(t.keys[0], t)
        for k in t.keys[1:]:
            alternates.setdefault(k, t)
    for k, t in alternates.items():
        by_name.setdefault(k, t)
    return by_name


@lru_cache(maxsize=64)
def _spellings(gazetteer: Gazetteer, country: str) -> tuple[dict[str, Place | geonames.Town], list[str]]:
    """Names to match spelling variants against: the country's subdivisions, then its main town names."""
    names: dict[str, Place | geonames.Town] = {}
    for p in gazetteer.subdivisions(country):
        for n in (p.name, *p.alt_names):
            names.setdefault(fold_key(n), p)
    for t in geonames.towns(country):
        names.setdefault(t.keys[0], t)
    return names, list(names)


def discovered_key(country: str, name: str) -> str:
    """The key of a place the text itself introduces ("Bombali District"): one per country and name."""
    return f"{country}-x-" + re.sub(r"[^a-z0-9]+", "-", fold_key(name)).strip("-")


def _place(found: Place | geonames.Town, country: str) -> Place:
    """The place of a town, made only when a report names it (a country has thousands)."""
    if isinstance(found, Place):
        return found
    return Place(f"gn-{found.geonameid}", found.name, "city", (), country, None, country, found.geonameid)


_LIST_GAP = re.compile(r"\s*(?:,|and|or|&|,\s*and)\s*")


def _in_place_context(text: str, a: int, b: int, places: list[tuple[int, int]]) -> bool:
    """After "in", "from", a list comma …; before "district", "province" …; or listed beside a place
    already found ("covering Sudurpaschim and Karnali provinces")."""
    if _BEFORE.search(text[max(0, a - 30) : a]) or _AFTER.match(text, b):
        return True
    return any((_LIST_GAP.fullmatch(text, b, x) is not None) or (_LIST_GAP.fullmatch(text, y, a) is not None)
               for x, y in places if x >= b or y <= a)


# a list of names anchored by what they are: "Kenema and Bombali districts", "the districts of Dhanusha,
# Saptari and Kailali", "Bombali District" (read token by token: a regular expression for such lists
# backtracks exponentially on long runs of capitalised words)
_KINDS = {"district": "district", "districts": "district", "county": "district", "counties": "district",
          "upazila": "district", "upazilas": "district", "woreda": "district", "woredas": "district",
          "province": "region", "provinces": "region", "region": "region", "regions": "region",
          "department": "region", "departments": "region", "governorate": "region", "governorates": "region",
          "state": "region", "states": "region", "municipality": "commune", "municipalities": "commune",
          "commune": "commune", "communes": "commune"}
_KIND_WORD = re.compile(r"\b(?:" + "|".join(sorted(_KINDS, key=len, reverse=True)) + r")\b", re.I)
_TOKEN = re.compile(r"[^\W\d_][\w'’\-]*|,")
_MAX_LISTED = 8


def _names(tokens: list[re.Match[str]], backwards: bool) -> list[tuple[int, int]]:
    """The names of a list read from next to a kind word: runs of capitalised words joined by commas
    and "and", at most a few."""
    seq = list(reversed(tokens)) if backwards else tokens
    names: list[tuple[int, int]] = []
    run: list[re.Match[str]] = []
    prev: re.Match[str] | None = None
    for t in seq:
        word = t.group(0)
        if prev is not None:
            gap = t.string[min(prev.end(), t.end()) : max(prev.start(), t.start())]
            if re.search(r"[.;:!?()]", gap):
                break  # a sentence ends: "… Sudurpashchim Province. In Dhanusha, Saptari and Kailali districts"
        prev = t
        if word[0].isupper() and word != ",":
            run.append(t)
            if len(run) > 3:
                break
            continue
        if not run:
            break
        names.append((min(x.start() for x in run), max(x.end() for x in run)))
        run = []
        if len(names) >= _MAX_LISTED or word not in (",", "and"):
            break
    if run and len(run) <= 3:
        names.append((min(x.start() for x in run), max(x.end() for x in run)))
    return names


def discover_places(text: str, country: str, gazetteer: Gazetteer, taken: list[tuple[int, int]]) -> list[Match]:
    """Names the text itself says are districts, provinces, municipalities … of the report's country,
    though no table has them: each becomes a place of that country, flagged as discovered."""
    if not country:
        return []
    out: list[Match] = []
    for k in _KIND_WORD.finditer(text):
        word = k.group(0).lower()
        kind = _KINDS[word]
        plural = word.endswith("s")
        spans: list[tuple[int, int]] = []
        before = list(_TOKEN.finditer(text, max(0, k.start() - 160), k.start()))
        if before and text[before[-1].end() : k.start()].strip() == "":
            found = _names(before, backwards=True)
            spans += found if plural else found[:1]
        of = re.compile(r"\s+of\s+").match(text, k.end())
        if plural and of:
            spans += _names(list(_TOKEN.finditer(text, of.end(), of.end() + 160)), backwards=False)
        for a, b in spans:
            name = text[a:b]
            while name.split()[0].lower() in LEADING_WORDS and len(name.split()) > 1:  # "In Dhanusha"
                cut = len(name.split()[0]) + 1
                name, a = name[cut:].lstrip(), a + cut
            if (fold_key(name) in _NEVER or name.lower() in LEADING_WORDS or re.search(r"[\d_]", name)
                    or {w.lower() for w in name.split()} & _GENERIC
                    or any(x < b and a < y for x, y in taken) or any(m.start == a for m in out)):
                continue
            place = Place(discovered_key(country, name), name, kind, (), country, None, country, discovered=True)
            end = a + len(name)
            if not plural and a + len(name) <= k.start() and not text[a + len(name) : k.start()].strip():
                end = k.end()  # "Kurdistan Region", "Bombali District": the mention is the whole name
            out.append(Match(a, end, gazetteer.register(place).key, text[a:end]))
    return sorted(out, key=lambda m: m.start)


@lru_cache(maxsize=16)
def report_places(text: str, country: str, gazetteer: Gazetteer, orgs: ReportOrgs) -> re.Pattern[str] | None:
    """Places the report itself says are districts, provinces … anywhere in it, so a section that names
    one without saying so ("1,850 women in Dhanusha") still finds it. ``orgs``: the report's own
    organisations, whose names hold no place."""
    spans = [(h.start, h.end) for h in [*gazetteer.find_orgs(text, country), *orgs.find(text)]]
    found = discover_places(text, country, gazetteer, spans)
    names = sorted({gazetteer.places[m.key].name for m in found}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<![\w'’\-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w'’\-])")


def find_more_places(text: str, countries: list[str], gazetteer: Gazetteer, taken: list[tuple[int, int]],
                     places: list[tuple[int, int]], reported: re.Pattern[str] | None = None) -> list[Match]:
    """Places in ``text`` the gazetteer's tables did not find, outside ``taken`` spans (organisation
    names, places already found at ``places``). ``countries``: the report's country, or for an office
    reporting for none, the countries the text names."""
    found_all: list[Match] = []
    for country in countries:
        found_all += _find(text, country, gazetteer, taken + [(m.start, m.end) for m in found_all], places)
    if len(countries) == 1:
        found_all += discover_places(text, countries[0], gazetteer,
                                     taken + places + [(m.start, m.end) for m in found_all])
        if reported is not None:
            busy = taken + places + [(m.start, m.end) for m in found_all]
            for m in reported.finditer(text):
                if not any(x < m.end() and m.start() < y for x, y in busy):
                    found_all.append(Match(m.start(), m.end(), discovered_key(countries[0], m.group(0)), m.group(0)))
    return found_all


def _find(text: str, country: str, gazetteer: Gazetteer, taken: list[tuple[int, int]],
          places: list[tuple[int, int]]) -> list[Match]:
    towns = _towns(country)
    names, choices = _spellings(gazetteer, country)
    out: list[Match] = []
    for m in _NAME.finditer(text):
        words = list(re.finditer(r"\S+", m.group(0)))
        i = 0
        while i < len(words):
            found = None
            for j in range(len(words), i, -1):  # the longest name first: "Bahir Dar" before "Bahir"
                a, b = m.start() + words[i].start(), m.start() + words[j - 1].end()
                candidate = re.sub(r"['’]s?$", "", text[a:b])  # "Guatemala's": the place is Guatemala
                b = a + len(candidate)
                key = fold_key(candidate)
                # a longer name may hold a place found before ("Ecatepec de Morelos", "Mexico City"): the
                # longer one wins, the shorter is dropped by the caller
                inside = [(x, y) for x, y in places if a <= x and y <= b and (x, y) != (a, b)]
                blocked = [(x, y) for x, y in taken if x < b and a < y and (x, y) not in inside]
                if key in _NEVER or blocked or \
                        not _in_place_context(text, a, b, places + [(o.start, o.end) for o in out]):
                    continue
                town: Place | geonames.Town | None = towns.get(key)
                if town is None and len(candidate) >= _MIN_FUZZY:
                    hit = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
                    if hit is not None and hit[0][:1] == key[:1]:
                        town = names[hit[0]]
                if town is not None:
                    found = (j, Match(a, b, gazetteer.register(_place(town, country)).key, candidate))
                    break
            if found is None:
                i += 1
                continue
            i, match = found
            out.append(match)
    return out
