"""Curated names of organisations and places, and finding them in text.

Tables live in ``data/`` (partners.tsv, places.tsv); countries and first-level
regions come from ISO 3166 via pycountry. Matching is case- and
accent-insensitive on names, case-sensitive on acronyms, whole words only.
"""
from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry

from kg import resources
from kg.errors import InputError
from kg.text import fold, fold_key

ORG_KINDS = ("un-entity", "government", "civil-society", "donor", "private-sector", "academic", "other")
PLACE_TYPES = ("country", "region", "district", "cercle", "commune", "city")
# A bare name shared by a region and a town means the region, unless one of these
# comes right before it ("Urban Commune of Ségou", "the city of Mopti").
_TOWN_QUALIFIER = re.compile(
    r"(?:\b(?:urban|rural)\s+)?\b(?:commune|city|cities|town|towns|municipality|village)\s+(?:of|de)\s+$", re.I
)
_NAME_AFTER = re.compile(r"[ \t]+(?!(?:District|Province|Region|County|State|City|Department|Governorate|"
                         r"Municipality)\b)[A-Z][a-z]")
_FEATURE_BEFORE = re.compile(r"\b(?:Lake|River|Gulf\s+of|Bay\s+of|Mount|Sea\s+of)\s+$")
_LIST_GAP = re.compile(r"\s*(?:\([^()]*\)\s*)?(?:,\s*(?:and\s+)?|and\s+|&\s*)$")


@dataclass(frozen=True)
class Organisation:
    key: str
    name: str
    acronyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    kind: str = "other"
    iati_id: str | None = None
    discovered: bool = False
    country: str = ""  # ISO alpha-2 of a national organisation: its names only mean it in that country's reports
    langs: tuple[tuple[str, str], ...] = ()  # (alias, language) of names not in English ("ONU Femmes", "fr")

    def lang(self, name: str) -> str:
        """The language a name of this organisation is in: English unless the table says otherwise."""
        return dict(self.langs).get(name, "en")


@dataclass(frozen=True)
class Place:
    key: str
    name: str
    type: str
    alt_names: tuple[str, ...] = ()
    parent: str | None = None
    iso_code: str | None = None
    country: str = ""  # ISO alpha-2 of the country it lies in
    geonames: int | None = None  # GeoNames id of a town found through kg.geonames
    discovered: bool = False  # found by how the text writes it ("Bombali District"), in no table


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    key: str
    text: str


def _split(cell: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in cell.split("|") if v.strip())


def _read_tsv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    except OSError as e:
        raise InputError(f"cannot read reference table: {e.strerror}", source=str(path)) from None
    if not rows or any(c not in rows[0] for c in columns):
        raise InputError(f"reference table must have columns {', '.join(columns)}", source=str(path), line=1)
    return rows


def _alternation(names: list[str]) -> str:
    # longest first so "World Bank Group" wins over "World Bank"
    parts = sorted({n for n in names if n}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in parts)


class Gazetteer:
    """Everything we can recognise by name; immutable once loaded."""

    def __init__(self, orgs: list[Organisation], places: list[Place],
                 sp_codes: dict[str, tuple[str, str]] | None = None) -> None:
        self.sp_codes = sp_codes or {}  # code -> (kind, title) of the UN Women Strategic Plan
        self.orgs = {o.key: o for o in orgs}
        self.places = {p.key: p for p in places}
        # the places of the tables, before any report registers a town or a discovered place: the reference
        # graph is made of these alone, so it is the same whichever reports a process built before
        self.table_places = frozenset(self.places)
        self.reporting_org = self.orgs.get("un-women")
        self._org_matchers: dict[str, tuple[dict[str, list[str]], dict[str, list[str]], re.Pattern[str],
                                            re.Pattern[str]]] = {}
        self._place_matchers: dict[str, tuple[re.Pattern[str], dict[str, list[Place]], re.Pattern[str] | None]] = {}

    # ---- organisations ----------------------------------------------------------
    def _org_tables(self) -> tuple[dict[str, list[str]], dict[str, list[str]], re.Pattern[str], re.Pattern[str]]:
        """Every name and acronym, each with the organisations it can mean, and one pattern for each
        (compiled once; a report's country picks among the meanings at match time)."""
        if "" not in self._org_matchers:
            by_name: dict[str, list[str]] = {}
            by_acronym: dict[str, list[str]] = {}
            for o in self.orgs.values():
                for n in (o.name, *o.aliases):
                    by_name.setdefault(fold_key(n), []).append(o.key)
                for a in o.acronyms:
                    by_acronym.setdefault(a, []).append(o.key)
            self._org_matchers[""] = (
                by_name, by_acronym,
                re.compile(rf"(?<![\w-])(?:{_alternation(list(by_name))})(?![\w-])"),
                re.compile(rf"(?<![\w-])(?:{_alternation(list(by_acronym))})(?![\w-])"))
        return self._org_matchers[""]

    def _meaning(self, keys: list[str], country: str) -> str | None:
        """Which organisation a name means in a report about ``country``: every international one, and
        the national ones of that country only ("Ministry of Gender" is Mali's only in Mali's reports)."""
        for k in keys:
            if not self.orgs[k].country or self.orgs[k].country == country:
                return k
        return None

    def org_by_name_or_acronym(self, name: str, country: str = "") -> Organisation | None:
        by_name, by_acronym, _, _ = self._org_tables()
        key = self._meaning(by_name.get(fold_key(name), []), country) or \
            self._meaning(by_acronym.get(name.strip(), []), country)
        return self.orgs.get(key) if key else None

    def find_orgs(self, text: str, country: str = "") -> list[Match]:
        """Known organisations named in ``text``, by name, alias or acronym; no overlaps."""
        by_name, by_acronym, names, acronyms = self._org_tables()
        hits: list[Match] = []
        folded = fold(text)
        for m in names.finditer(folded):
            key = self._meaning(by_name[" ".join(m.group(0).split())], country)
            if key:
                hits.append(Match(m.start(), m.end(), key, text[m.start() : m.end()]))
        for m in acronyms.finditer(text):
            key = self._meaning(by_acronym[m.group(0)], country)
            if key:
                hits.append(Match(m.start(), m.end(), key, m.group(0)))
        return no_overlaps(hits)

    # ---- places -----------------------------------------------------------------
    def _matcher(self, country: str) -> tuple[re.Pattern[str], dict[str, list[Place]], re.Pattern[str] | None]:
        if country not in self._place_matchers:
            names: dict[str, list[Place]] = {}
            short: dict[str, list[Place]] = {}
            for p in self.places.values():
                if p.geonames is None and (p.type == "country" or p.country == country):
                    for n in (p.name, *p.alt_names):
                        target = short if len(n) <= 3 else names
                        target.setdefault(fold_key(n) if target is names else n, []).append(p)
            pattern = re.compile(rf"(?<![\w-])(?:{_alternation(list(names))})(?![\w-])")
            short_pattern = re.compile(rf"(?<![\w-])(?:{_alternation(list(short))})(?![\w-])") if short else None
            self._place_matchers[country] = (pattern, {**names, **short}, short_pattern)
        return self._place_matchers[country]

    def find_places(self, text: str, country: str, exclude: list[tuple[int, int]] = ()) -> list[Match]:
        """Places named in ``text``: all countries, plus the subdivisions and towns of ``country``."""
        pattern, names, short = self._matcher(country)
        folded = fold(text)
        raw: list[tuple[int, int, list[Place]]] = []
        for m in pattern.finditer(folded):
            raw.append((m.start(), m.end(), names[" ".join(m.group(0).split())]))
        if short:
            for m in short.finditer(text):
                raw.append((m.start(), m.end(), names[m.group(0)]))
        hits = []
        prev_town_end = -1
        for s, e, candidates in sorted(raw, key=lambda r: r[0]):
            if any(a <= s < b or a < e <= b for a, b in exclude):
                continue
            if any(c.type == "country" for c in candidates) and (
                    _FEATURE_BEFORE.search(text, max(0, s - 12), s) or _NAME_AFTER.match(text, e)):
                # "Lake Chad": a lake; "the Mali Country Office", "Uganda Women Entrepreneurship Programme":
                # the country is part of a name, and the name is not a place
                continue
            # "the cities of Segou (80 men …) and Mopti (31 men …)": the qualifier carries over a list
            listed = prev_town_end >= 0 and _LIST_GAP.match(text, prev_town_end, s) is not None
            place = self._choose(candidates, text[:s], listed)
            if place.type in ("city", "commune", "cercle") and len(candidates) > 1:
                prev_town_end = e
            elif not listed:
                prev_town_end = -1
            hits.append(Match(s, e, place.key, text[s:e]))
        return no_overlaps(hits)

    @staticmethod
    def _choose(candidates: list[Place], before: str, listed: bool = False) -> Place:
        if len(candidates) == 1:
            return candidates[0]
        towns = [p for p in candidates if p.type in ("city", "commune", "cercle")]
        # a name that is a country and one of its subdivisions (Guatemala, Djibouti) means the country
        larger = sorted((p for p in candidates if p.type not in ("city", "commune", "cercle")),
                        key=lambda p: p.type != "country")
        if towns and (listed or _TOWN_QUALIFIER.search(before[-60:])):
            return towns[0]
        return (larger or candidates)[0]

    def register(self, place: Place) -> Place:
        """Add a place found outside the tables (a GeoNames town), so its lineage and description resolve;
        the same key always names the same place, so registering twice changes nothing."""
        return self.places.setdefault(place.key, place)

    def subdivisions(self, country: str) -> list[Place]:
        """The ISO subdivisions of a country (both levels), for spelling variants."""
        return [p for p in self.places.values() if p.country == country and p.iso_code and p.type != "country"]

    def lineage(self, key: str) -> list[Place]:
        """The place and every place it lies within, innermost first."""
        out = []
        seen = set()
        while key and key in self.places and key not in seen:
            seen.add(key)
            p = self.places[key]
            out.append(p)
            key = p.parent or ""
        return out


def name_key(prefix: str, name: str) -> str:
    """The key of an organisation known only by its name as written: ``<prefix>-<slug>-<6 hex of the name>``.

    Reports use ``x`` (names found by the "Full Name (ACRONYM)" pattern), IATI files ``n`` (participating
    organisations without an identifier); the exact name is in the hash, so spellings never merge.
    """
    return f"{prefix}-{_slug(name)}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:6]}"


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(s)).strip("-")[:60]


def no_overlaps(hits: list[Match]) -> list[Match]:
    """Keep the longest match where matches overlap, then order by position."""
    out: list[Match] = []
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if all(h.end <= o.start or h.start >= o.end for o in out):
            out.append(h)
    return sorted(out, key=lambda h: h.start)


def _iso_places(alt_names: dict[str, tuple[str, ...]]) -> list[Place]:
    """Countries and their subdivisions from ISO 3166 (pycountry), with the common spellings of
    ``data/subdivision_names.tsv`` ("Amhara" for ISO's "Amara")."""
    out = []
    for c in pycountry.countries:
        alts = tuple(dict.fromkeys(
            n for n in (getattr(c, "common_name", None), getattr(c, "official_name", None)) if n and n != c.name
        ))
        out.append(Place(c.alpha_2, c.name, "country", alts, None, c.alpha_2, c.alpha_2))
    first: dict[str, set[str]] = {}
    second: dict[tuple[str, str], list] = {}
    for s in pycountry.subdivisions:
        if s.parent_code:
            second.setdefault((s.country_code, fold_key(s.name)), []).append(s)
            continue
        first.setdefault(s.country_code, set()).add(fold_key(s.name))
        kind = "district" if "district" in s.type.lower() else "region"
        out.append(Place(s.code, s.name, kind, alt_names.get(s.code, ()), s.country_code, s.code, s.country_code))
    # second-level units (Malawi's districts, Sierra Leone's districts) where the name is the country's
    # only unit of that name: an ambiguous one is left to the towns gazetteer and the report's context
    for (cc, key), units in second.items():
        if len(units) == 1 and key not in first.get(cc, set()):
            s = units[0]
            out.append(Place(s.code, s.name, "district", alt_names.get(s.code, ()), s.parent_code, s.code, cc))
    return out


def load_gazetteer(data_dir: Path | None = None) -> Gazetteer:
    """Load the reference tables (cached for the default folder)."""
    if data_dir is None:
        return _default_gazetteer()
    return _load(Path(data_dir))


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    return _load(resources.data_dir())


_LANG_TAG = re.compile(r"(.+)@([a-z]{2,3}(?:-[A-Za-z0-9]+)*)")


def _tagged(names: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Names as the table writes them, "Programme des Nations Unies pour le développement@fr": the name
    (which the reader matches in text) and its language (which its label carries)."""
    plain, langs = [], []
    for n in names:
        m = _LANG_TAG.fullmatch(n)
        plain.append(m.group(1) if m else n)
        if m:
            langs.append((m.group(1), m.group(2)))
    return tuple(plain), tuple(langs)


def _load(data_dir: Path) -> Gazetteer:
    orgs = []
    path = data_dir / "partners.tsv"
    for n, row in enumerate(_read_tsv(path, ("key", "name", "acronyms", "aliases", "kind", "iati_org_id")), start=2):
        if row["kind"] not in ORG_KINDS:
            raise InputError(f"unknown organisation kind {row['kind']!r} (expected one of {', '.join(ORG_KINDS)})",
                             source=str(path), line=n)
        aliases, langs = _tagged(_split(row["aliases"]))
        orgs.append(Organisation(row["key"], row["name"], _split(row["acronyms"]), aliases,
                                 row["kind"], row["iati_org_id"] or None, country=(row.get("country") or "").strip(),
                                 langs=langs))
    names_path = data_dir / "subdivision_names.tsv"
    alt_names = {r["code"]: _split(r["alt_names"]) for r in _read_tsv(names_path, ("code", "alt_names"))}
    places = _iso_places(alt_names)
    known = {p.key: p for p in places}
    path = data_dir / "places.tsv"
    rows = _read_tsv(path, ("key", "name", "alt_names", "type", "parent"))
    pending = {r["key"]: r for r in rows}
    for n, row in enumerate(rows, start=2):
        if row["type"] not in PLACE_TYPES:
            raise InputError(f"unknown place type {row['type']!r}", source=str(path), line=n)
        parent = row["parent"] or None
        if parent and parent not in known and parent not in pending:
            raise InputError(f"parent {parent!r} is neither an ISO 3166 code nor a key of this table",
                             source=str(path), line=n)
    def country_of(key: str) -> str:
        while key in pending:
            key = pending[key]["parent"]
        return known[key].country if key in known else ""
    for row in rows:
        places.append(Place(row["key"], row["name"], row["type"], _split(row["alt_names"]), row["parent"] or None,
                            None, country_of(row["key"])))
    path = data_dir / "sp_codes.tsv"
    sp = {r["code"]: (r["kind"], r["title"]) for r in _read_tsv(path, ("code", "kind", "title")) if r["code"]}
    return Gazetteer(orgs, places, sp)
