"""Organisations a report names that the curated table (data/partners.tsv) does not have.

Three ways a report names one, each giving evidence we keep (the organisation is flagged
``rkg:discovered`` and derived from its first mention):

- a name with its acronym: "Independent Election Commission (IEC)". The long form is the
  shortest run of capitalised words before the bracket whose initials spell the acronym, or
  failing that the run that holds an organisation's head word; the acronym then names it
  anywhere in the report ("experts from MoWSA" two sections later);
- a name built on a head word: "Ministry of Decentralization and Local Development",
  "State Department for Gender", "Government of Japan", "Malawi Police Service";
- an acronym listed as an example: "bodies such as FEICOM", "partners including BRAC and ASF".

A place inside such a name ("Bangladesh Bureau of Statistics") is then not a place: the
extractor reads places outside organisation names only.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from kg.gazetteer import Gazetteer, Match, Organisation, Place, name_key, no_overlaps
from kg.text import fold_key

# head words: a name holding one names an organisation (English, French, Spanish, Portuguese)
_HEADS = frozenset(
    """ministry department bureau commission council agency
    institute institution network association organisation organization office directorate
    fund foundation coalition alliance federation centre center police authority union bank committee
    chamber court parliament assembly caucus observatory secretariat university college cooperative
    platform forum movement league society trust corps mission government embassy forces army service
    board tribunal division delegation senate congress registry cabinet presidency municipality
    ministère ministerio ministério secretaría secretaria consejería registraduría defensoría procuraduría
    fiscalía contraloría instituto institut comisión comissão consejo conseil conselho agencia agence
    agência fundación fondation fundação asociación associação red réseau rede misión observatorio
    observatoire corporación federación fédération unión oficina alcaldía gobernación fondo fonds banco
    banque universidad université universidade centro movimiento mouvement colectivo collectif
    coordinadora plataforma plateforme cámara chambre corte cour asamblea assemblée congreso senado
    policía armée ejército""".split()
)
_GOVERNMENT = frozenset(
    """ministry ministries department bureau directorate secretariat government embassy police authority
    commission ministère ministerio ministério secretaría consejería registraduría defensoría procuraduría
    fiscalía contraloría parliament assembly senate congress presidency cabinet municipality forces army""".split()
)
_CIVIL = frozenset("association network foundation coalition alliance federation movement red réseau "
                   "fundación fondation asociación colectivo collectif coordinadora".split())
# long forms of acronyms that name concepts, laws or plans, not organisations
_CONCEPT_WORDS = frozenset(
    """violence plan plans goal goals budgeting budget convention act law laws policy policies strategy
    programme program programmes framework index survey system training education agenda approach
    elimination discrimination protection rights initiative project mechanism tool standard standards
    scorecard indicator indicators declaration resolution action platform-for-action economy census
    disease syndrome virus insurance""".split()
)
# words of an area's name: an acronym's long form holding one names a place, not an organisation
_AREA_WORDS = frozenset("region province district county state municipality governorate department territory".split())
# acronyms of concepts that "such as" lists can hold too
_CONCEPT_ACRONYMS = frozenset(
    """GBV SGBV VAW VAWG HIV AIDS SDG SDGs GEWE CEDAW COVID WPS NAP NAPs UNSCR ICT SMS PWD PWDs LGBTI LGBTQI IDP
    IDPs CSO CSOs NGO NGOs FGM GRB GRPB TVET TOT ToT PSEA SEA CRSV CEO MP MPs GDP DRR HDP UNDAF UNSDCF CCA RBM
    ICTs SRHR SRH EVAW EVAWG IPV DV MHPSS GBVIMS WEE WEPs WPP CSW UPR BPfA SWAP UNCT""".split()
)
# words that begin a sentence rather than a name: "The", "In", "Together" (the places reader uses them too)
LEADING_WORDS = frozenset(
    """the this these those in with through together during under as at by for from on to also however
    moreover furthermore following since after before thanks both each its their our an a and but while
    when where if although because besides despite beyond within among between across alongside via""".split()
)
_CONNECTORS = r"(?:of|the|for|and|on|in|de|des|du|la|le|las|los|del|el|et|y|pour|para|da|do|dos|das|&)"
_CAP = r"[A-ZÀ-ÖØ-Þ](?:[^\W\d_]|['’\-/])*"  # letters only: "Police4" is "Police" and a footnote mark
# a run of capitalised words, joined by the connectors of names ("Ministry of Industry, Trade and Supply")
_NAME_RUN = re.compile(rf"{_CAP}(?:(?:,?\s+{_CONNECTORS})*,?[ \t]+{_CAP})*")
_ACRONYM_PAREN = re.compile(r"\s*\((?P<acronym>(?=[A-Za-z&/\-]*[A-Z][A-Za-z&/\-]*[A-Z])[A-Z][A-Za-z&/\-]{1,11})\)")
_SPLIT = re.compile(r",?\s+and\s+(?:the\s+)?|,\s+(?:the\s+)?")
_EXAMPLES = re.compile(
    r"\b(?:such\s+as|including|namely|notably|like)\s+(?P<list>[A-Z][A-Za-z]*[A-Z][A-Za-z]*"
    r"(?:(?:,\s*|,?\s+and\s+|,?\s+or\s+)[A-Z][A-Za-z]*[A-Z][A-Za-z]*)*)")
_ACRONYM_WORD = re.compile(r"[A-Z][A-Za-z]*[A-Z][A-Za-z]*")


@dataclass(frozen=True, eq=False)  # hashed by identity: report_places caches on it
class ReportOrgs:
    """The organisations a report introduces, to find by name or acronym in any of its sections."""

    orgs: dict[str, Organisation]  # key -> organisation
    names: dict[str, str]  # folded long form -> key
    acronyms: dict[str, str]  # acronym -> key
    name_pattern: re.Pattern[str] | None
    acronym_pattern: re.Pattern[str] | None

    def find(self, text: str) -> list[Match]:
        hits: list[Match] = []
        if self.name_pattern is not None:
            for m in self.name_pattern.finditer(text):
                key = self.names.get(fold_key(m.group(0)))
                if key:
                    hits.append(Match(m.start(), m.end(), key, m.group(0)))
        if self.acronym_pattern is not None:
            for m in self.acronym_pattern.finditer(text):
                hits.append(Match(m.start(), m.end(), self.acronyms[m.group(0)], m.group(0)))
        return no_overlaps(hits)


def _words(name: str) -> list[str]:
    return [w.strip(",") for w in name.split()]


def _has_head(name: str) -> bool:
    return any(w.lower() in _HEADS for w in _words(name))


# UN Women's own offices are the reporting organisation, not partners: "Mali Country Office", "Regional Office"
_OWN_OFFICE = re.compile(r"(?:^|\s)(?:Country|Regional|Multi-Country|Liaison|Programme|Field|Sub-)\s*Office$")


def _trim(name: str) -> str:
    """Drop leading words that begin a sentence rather than the name, and trailing connectors; what is
    left is a substring of ``name`` (its spacing kept), so offsets can be found again."""
    while (m := re.match(r"\s*(\S+)\s+", name)) and m.group(1).lower() in LEADING_WORDS:
        name = name[m.end() :]
    while (m := re.search(r"[\s,]+(\S+)[\s,]*$", name)) and re.fullmatch(_CONNECTORS, m.group(1).lower()):
        name = name[: m.start()]
    name = name.strip(" \t\n\r,")
    return "" if name.lower() in LEADING_WORDS else name


def _parts(run: str) -> list[str]:
    """A run split where it lists several organisations.

    A new organisation starts at an "and" or a comma only when what follows holds a head word and
    what came before already does: "Malawi Police Service and the Ministry of Gender, Community
    Development and Social Welfare" is two; "Ministry of Women and Children Affairs" is one.
    """
    pieces = []
    pos = 0
    for m in _SPLIT.finditer(run):
        pieces.append((run[pos : m.start()], m.group(0)))
        pos = m.end()
    pieces.append((run[pos:], ""))
    out: list[str] = []
    current = ""
    for text, sep in pieces:
        # a lone word does not start a name the next piece continues: "the Government, UN Specialized
        # Agencies", "(CMA and Platform)"
        alone = len(_trim(current).split()) == 1
        if current and ((_has_head(current) and _has_head(text)) or alone):
            out.append(current)
            current = ""
        current += text + sep
    out.append(current)
    return [p for p in (_trim(x) for x in out) if p]


def _initials_match(name: str, acronym: str) -> bool:
    """Schwartz-Hearst, simplified: the acronym's capitals are the initials of the name's capitalised words."""
    caps = [c for c in acronym if c.isupper()]
    initials = [w[0].upper() for w in _words(name) if w[:1].isupper()]
    if caps == initials:
        return True
    return len(caps) >= 2 and sorted(caps) == sorted(initials)  # "National Observatory of Parity (ONP)"


def _kind(name: str) -> str:
    words = {w.lower() for w in _words(name)}
    if words & _GOVERNMENT:
        return "government"
    if words & _CIVIL:
        return "civil-society"
    if words & {"university", "universidad", "université", "universidade", "college"}:
        return "academic"
    return "other"


def _org(name: str, acronym: str | None) -> Organisation:
    # the exact name is part of the key: two reports spelling a name differently give two nodes
    return Organisation(name_key("x", name), name, (acronym,) if acronym else (), (), _kind(name), None,
                        discovered=True)


def _long_form(text: str, end: int) -> tuple[int, str] | None:
    """The run of capitalised words ending at ``end`` (right before "(ACRONYM)"), as (start, run).

    When that run holds no head word, the name may reach further back over lower-case words to one:
    "Association for the Fight against Violence against Women (ALVF)".
    """
    window = text[max(0, end - 200) : end]
    runs = list(_NAME_RUN.finditer(window))
    m = runs[-1] if runs else None
    if m is None or m.end() != len(window.rstrip()):
        return None
    start, run = end - len(window) + m.start(), m.group(0)
    if not _has_head(run):
        sentence = re.split(r"[.;:()]", window)[-1]
        offset = len(window) - len(sentence)
        words = list(re.finditer(r"\S+", sentence))
        for k in range(len(words) - 1, max(len(words) - 13, -1), -1):
            w = words[k].group(0)
            if w.lower() in _HEADS and w[:1].isupper():
                a = offset + words[k].start()
                return end - len(window) + a, window[a:].rstrip()
    return start, run


def _segments(run: str, a: int, known: list[Match], starts: list[int]) -> list[tuple[int, str]]:
    """A run cut where a known organisation stands in it ("ECOWAS and the Sahel Institute");
    ``known`` sorted by start, ``starts`` their starts."""
    out = []
    pos = 0
    k = bisect.bisect_left(starts, a)
    for h in known[k:]:
        if h.start >= a + len(run):
            break
        if a <= h.start and h.end <= a + len(run):
            out.append((a + pos, run[pos : h.start - a]))
            pos = h.end - a
    out.append((a + pos, run[pos:]))
    return [(x, seg) for x, seg in out if seg.strip(" ,")]


# a law or plan named after an organisation: "Local Government (Amendment) Bill"
_CONCEPT_AFTER = re.compile(r"(?:\s*\([^()]{1,30}\))?\s+(?:Bill|Act|Law|Policy|Plan|Strategy|Programme|Program|"
                            r"Code|Decree|Regulations?)\b")


@lru_cache(maxsize=4096)
def _without_place(name: str, gazetteer: Gazetteer, country: str) -> str:
    """"Ministry of Public Health in Herat, Balkh and Kandahar" is the ministry; the rest says where."""
    m = re.search(r"\s+in\s+(?:the\s+)?(?=[A-Z])", name)
    if m:
        where = gazetteer.find_places(name[m.end():], country)
        if where and where[0].start == 0:
            return name[: m.start()]
    return name


def discover(text: str, gazetteer: Gazetteer, country: str) -> list[tuple[Match, Organisation]]:
    """Organisations named in ``text`` that the table does not know, with where each is named."""
    out: list[tuple[Match, Organisation]] = []
    known = gazetteer.find_orgs(text, country)
    starts = [h.start for h in known]

    def taken(a: int, b: int) -> bool:
        return any(h.start < b and a < h.end for h in known) or any(m.start < b and a < m.end for m, _ in out)

    # 1. "Full Name (ACRONYM)"
    for am in _ACRONYM_PAREN.finditer(text):
        acronym = am["acronym"]
        found = _long_form(text, am.start())
        if found is None:
            continue
        start, run = found
        segments = _segments(run, start, known, starts)
        if not segments:
            continue  # the name is a known organisation's
        start, run = segments[-1]
        parts = _parts(run)
        if not parts:
            continue  # nothing left once sentence words are trimmed ("The (ABC)")
        name = parts[-1]
        if not _initials_match(name, acronym):
            # the shortest tail of the run whose initials spell the acronym, if any
            tokens = list(re.finditer(r"\S+", name))
            for k in range(len(tokens) - 1, -1, -1):
                tail = _trim(name[tokens[k].start() :])
                if tail and _initials_match(tail, acronym):
                    name = tail
                    break
        concept = {w.lower() for w in _words(name)} & (_CONCEPT_WORDS | _AREA_WORDS)
        if len(_words(name)) < 2 or not (_has_head(name) or (_initials_match(name, acronym) and not concept)) \
                or _OWN_OFFICE.search(name):
            continue  # "Bangsamoro Autonomous Region in Muslim Mindanao (BARMM)" is a place
        if gazetteer.org_by_name_or_acronym(name, country) or gazetteer.org_by_name_or_acronym(acronym, country):
            continue
        if name not in run:
            continue
        a = start + run.rindex(name)
        if not taken(a, am.end()):
            out.append((Match(a, a + len(name), "", name), _org(name, acronym)))
    # 2. names built on a head word
    for m in _NAME_RUN.finditer(text):
        for seg_start, seg in _segments(m.group(0), m.start(), known, starts):
            offset = 0
            for whole in _parts(seg):
                if seg.find(whole, offset) < 0:
                    continue
                a = seg_start + seg.index(whole, offset)
                offset = a - seg_start + len(whole)
                part = _without_place(whole, gazetteer, country)
                if len(_words(part)) < 2 or not _has_head(part) or _CONCEPT_AFTER.match(text, a + len(part)) \
                        or _OWN_OFFICE.search(part):
                    continue
                if gazetteer.org_by_name_or_acronym(part, country) or taken(a, a + len(part)):
                    continue
                out.append((Match(a, a + len(part), "", part), _org(part, None)))
    # 3. a name that ends in the report's country: "Medica Afghanistan", "HomeNet Nepal"
    place = gazetteer.places.get(country)
    if place is not None:
        names = "|".join(re.escape(n) for n in (place.name, *place.alt_names))
        for m in re.finditer(rf"(?<=[a-z,;] )(?P<name>(?P<first>[A-Z][A-Za-z]+) (?:{names}))(?![\w-])", text):
            a, b = m.start("name"), m.end("name")
            first = m["first"]
            if (first.lower() in LEADING_WORDS or first.lower() in _HEADS or gazetteer.find_places(first, country)
                    or taken(a, b) or gazetteer.org_by_name_or_acronym(m["name"], country)):
                continue
            out.append((Match(a, b, "", m["name"]), _org(m["name"], None)))
    # 4. acronyms listed as examples
    for m in _EXAMPLES.finditer(text):
        for w in _ACRONYM_WORD.finditer(m["list"]):
            acronym = w.group(0)
            a = m.start("list") + w.start()
            if (acronym in _CONCEPT_ACRONYMS or sum(c.isupper() for c in acronym) < 3
                    or gazetteer.org_by_name_or_acronym(acronym, country) or taken(a, a + len(acronym))):
                continue
            out.append((Match(a, a + len(acronym), "", acronym), _org(acronym, acronym)))
    return [(Match(m.start, m.end, o.key, m.text), o) for m, o in sorted(out, key=lambda x: x[0].start)]


@lru_cache(maxsize=256)
def _branch(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"[ \t]+(?:in[ \t]+)?(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")


def with_national_branches(text: str, hits: list[Match], country: Place) -> list[Match]:
    """A known organisation's national branch is one name: "ActionAid Bangladesh", "CARE International
    in Timor-Leste" (and the country inside it is then no place)."""
    branch = _branch((country.name, *country.alt_names))
    return [Match(h.start, b.end(), h.key, text[h.start : b.end()]) if (b := branch.match(text, h.end)) else h
            for h in hits]


@lru_cache(maxsize=16)
def report_orgs(text: str, gazetteer: Gazetteer, country: str) -> ReportOrgs:
    """What the whole report introduces (every section sees the acronyms the others define)."""
    orgs: dict[str, Organisation] = {}
    names: dict[str, str] = {}
    acronyms: dict[str, str] = {}
    for _m, org in discover(text, gazetteer, country):
        if org.key in orgs:
            continue
        orgs[org.key] = org
        names.setdefault(fold_key(org.name), org.key)
        for a in org.acronyms:
            acronyms.setdefault(a, org.key)
    name_pattern = _alternation([o.name for o in orgs.values()], fold=True)
    acronym_pattern = _alternation(list(acronyms), fold=False)
    return ReportOrgs(orgs, names, acronyms, name_pattern, acronym_pattern)


def _alternation(words: list[str], fold: bool) -> re.Pattern[str] | None:
    if not words:
        return None
    alts = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", re.I if fold else 0)
