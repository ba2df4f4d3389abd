"""Figures in narrative text: numbers with what they count, unit, sex, place and totals.

The rules follow how the reports write figures (DOMAIN.md): "1149 women and young
people (322 men and 827 women)", "150 police officers (45 of them women)",
"5391 displaced people, including 5162 women", "132 men (63%)", "XOF 26,000,000",
"225,376,950 CFA francs", "349.822 ha". Numbers whose digit grouping is broken
("102,4517") are kept as text with no value: guessing would publish a wrong fact.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal

from text_to_num import text2num

from kg.extract import currency
from kg.text import Sentence

_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_INT = re.compile(r"^\d+$")
_SPACED = re.compile(r"(?<![\d,.])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.]\d)")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DECIMAL = re.compile(r"^\d+\.\d+$")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\s*$", re.I)
_MONTH_AFTER = re.compile(rf"^\s*(?:{_MONTHS})\b", re.I)
# numbers that name something rather than count it: "Resolution 1325", "SDG 5.2", "law N°052"
_NAMING = re.compile(
    r"(?:N°|\bNo\.?|\bNr\.?|#|\b(?:[Rr]esolutions?|UNSCR|SCR|SDGs?|Goals?|Targets?|[Ll]aws?|[Dd]ecrees?|"
    r"[Aa]rticles?|Art\.|[Aa]cts?|[Oo]rdinances?|[Pp]hases?|[Pp]illars?|[Oo]utcomes?|[Oo]utputs?|"
    r"[Ii]ndicators?|[Ss]ections?|[Cc]hapters?|[Pp]ages?|[Aa]nnex(?:es)?|[Ll]evels?|[Tt]ier|[Cc]ommunes?|"
    r"[Pp]aragraphs?|[Vv]ersion|[Cc]ategory|[Gg]rade|[Pp]rovinces?|[Zz]ones?|[Ww]ards?|[Hh]elplines?|"
    r"[Hh]otlines?|[Tt]oll-free(?:\s+(?:line|number))?|(?:short\s+)?[Cc]ode|[Nn]umber))\s*$")
_SCALE = re.compile(r"\s*(million|billion|thousand)\b", re.I)
_SCALES = {"thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_ORDINAL = re.compile(r"^(?:st|nd|rd|th)\b")
_PERCENT_AFTER = re.compile(r"^\s*(?:%|per\s*cent\b|percent\b)")
# a scale glued to a number only counts next to a currency: "1.3MUS$", "US$ 2.5M"
_SHORT_SCALE = re.compile(r"\s?(?P<scale>mn|bn|M|m|B|K|k)")
# numbers written as words: a run of number words, valued by text2num; "one" alone is never a figure
_UNITS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen")
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
_WORD_NUMBER = re.compile(
    rf"\b(?:(?:{'|'.join(_TENS.split())})(?:[-\s](?:{'|'.join(_UNITS.split()[:9])}))?|"
    rf"(?:{'|'.join(_UNITS.split())}))(?:\s+(?:hundred|thousand|million)(?:\s+(?:and\s+)?"
    rf"(?:(?:{'|'.join(_TENS.split())})(?:[-\s](?:{'|'.join(_UNITS.split()[:9])}))?|(?:{'|'.join(_UNITS.split())})))?)*\b",
    re.I)
_OF_THESE = re.compile(r"\s+of\s+(?:these|those|the|its|their)\s+(?=[a-z])", re.I)
_WERE = re.compile(r"\s+(?:were|are|was|is|have\s+been|had\s+been)\s+", re.I)
# a bare number set against the figure before it counts the same thing
_COMPARED = re.compile(r"\b(?:compared\s+(?:with|to)|up\s+from|down\s+from|against|versus|vs\.?|from|"
                       r"instead\s+of|rather\s+than)\s+(?:only\s+|just\s+|some\s+|about\s+)?$", re.I)
# a footnote's own number at the start of its line: "3 The Act was passed in …"
_FOOTNOTE_LINE = re.compile(r"(?:^|\n)[ \t]*$")
# what a duration or an age looks like around a number: not a count of anything reached
_DURATION_AFTER = re.compile(r"(?:\s*-\s*|\s+)(?:days?|weeks?|months?|years?|hours?|minutes?|nights?)\b"
                             , re.I)
_AGE_BEFORE = re.compile(r"\b(?:aged|ages?|age\s+of|ages\s+of|between\s+the\s+ages\s+of|under\s+the\s+age\s+of)"
                         r"\s+(?:\d+\s*(?:to|-|–|and)\s*)?$", re.I)
_AGE_AFTER = re.compile(r"(?:\s*-\s*|\s+)years?(?:\s*-\s*|\s+)old\b|\s*(?:-\s*)?year-olds?\b", re.I)
_HA_AFTER = re.compile(r"^\s*(?:ha|hectares?)\b", re.I)
_WORD = re.compile(r"\s*([A-Za-z][\w'’\-]*\+?)")
_OF_THEM = re.compile(r"\s+of\s+(?:them|whom)\b(?:\s+(?:were\s+|are\s+)?([A-Za-z]+))?", re.I)
_SEX_PAREN = re.compile(r"\s*\(\s*(men|women|male|female|males|females|boys|girls)\s*\)", re.I)
_LOOKBACK_OF = re.compile(r"([A-Za-z][\w'’\-]*)\s+of\s+"
                          r"(?:more\s+than\s+|over\s+|at\s+least\s+|about\s+|some\s+|nearly\s+|almost\s+)?$", re.I)
_LOOKBACK_TO = re.compile(r"([A-Za-z][\w'’\-]*(?:\s+of\s+[A-Za-z][\w'’\-]*)?)\s+"
                          r"(?:to|at|of|by|reached|reaching)\s+$", re.I)
_INCLUDING = re.compile(r"^[\s,]*(?:including|of\s+whom|among\s+them|among\s+whom|among\s+which)\s", re.I)
_OF_WHICH = re.compile(r"\bof\s+which\b", re.I)
_THIS_GROUP = re.compile(r"^\s*(?:this|the)\s+group\s+(?:was|is|were|comprised|consisted\s+of|included)\b", re.I)
_SHARE_GAP = re.compile(r"^[\s(\-–—]*(?:or\s+)?[\s(\-–—]*$")
_LIST_BREAK = re.compile(r"\b(?:were|was|are|is|have|has|had|will|benefit|benefited)\b", re.I)

_STOP = frozenset(
    """in of from to with were was is are have has had will who which that for on at by through into
    including the a an as per over more than each this these their its whose where when while during after
    before under within among between since across against but or if so then also not be been being can
    could should would may might must do did does our your his her they them we it""".split()
)
# verbs that end what a figure counts without the "-ed" the phrase reader stops at
_IRREGULAR_VERBS = frozenset(
    """won took made got became began held met went set gave ran saw built sold paid left brought taught
    kept found told spent sent lost rose fell grew led""".split()
)
_FEMALE = frozenset("women woman girls girl female females".split())
_MALE = frozenset("men man boys boy male males".split())
_PEOPLE = frozenset(
    """people persons person women woman men man girls girl boys boy beneficiaries members participants
    officers journalists communicators teenagers leaders officials councilors councillors counsellors counselors
    agents directors managers actors farmers youth youths adolescents children individuals residents voters
    candidates aspirants staff trainers trainees students survivors victims refugees returnees migrants volunteers
    mediators judges magistrates prosecutors lawyers paralegals police representatives entrepreneurs producers
    workers midwives parliamentarians ministers mayors visitors relays observers statisticians nurses doctors
    teachers pupils learners graduates employees clients patients users callers herders pastoralists fishers
    traders vendors artisans activists advocates champions defenders mentors coaches facilitators enumerators
    experts specialists consultants researchers academics delegates deputies senators councillors chiefs elders
    imams priests clerics soldiers peacekeepers personnel cadets recruits inmates detainees prisoners
    displaced newcomers settlers owners founders heads widows mothers fathers parents wives husbands
    daughters sons orphans persons-with-disabilities""".split()
)
# a head noun naming people by what they do: "statisticians", "prosecutors", "service providers"
_PEOPLE_SUFFIX = re.compile(r"(?:ists|ians|ors|ers|ees|ants)$")
_NOT_PEOPLE = frozenset(
    """sectors indicators factors doors floors errors corridors centers centres papers numbers letters orders
    matters computers containers chapters quarters registers folders posters banners clusters layers filters
    waters borders headquarters markers meters metres liters litres kilometers kilometres committees fees
    restaurants grants plants plans donors partners tractors motors monitors chambers towers shelters corners
    elevators generators charters tenders powers offers answers barriers dossiers ledgers degrees guarantees
    trailers fibers fibres gutters exporters importers suppliers manufacturers retailers wholesalers
    processors distributors""".split()
)
# "focal points", "community relays": what the words name only together
_PEOPLE_PHRASES = ("focal points", "focal persons", "human rights defenders", "local elected", "elected officials")
_MAX_WORDS = 6


@dataclass
class RawFigure:
    """A figure before it is tied to the others; offsets are logical (TextView) offsets."""

    index: int
    start: int
    end: int  # end of the number
    unit_end: int  # end of the number and its unit
    phrase_end: int
    raw: str
    value: Decimal | None
    unit: str
    counts: str
    sex: str | None
    sentence: int
    glued: bool = False
    ambiguous: bool = False  # "12.500 women": a count cannot be fractional, '.' may group thousands
    part_of: int | None = None
    part_kind: str | None = None  # sex | place | category | subset
    share_of: int | None = None
    places: list[str] = field(default_factory=list)
    place_group: str | None = None


def parse_number(raw: str) -> Decimal | None:
    """The value of a number as written, or None when its digit grouping is broken."""
    if _INT.match(raw):
        return Decimal(raw)
    if _GROUPED.match(raw):
        return Decimal(raw.replace(",", ""))
    if _DECIMAL.match(raw):
        return Decimal(raw)
    return None


def _skip(text: str, a: int, b: int, raw: str, money_next: bool = False) -> tuple[bool, bool]:
    """(skip, glued): numbers that are not figures — identifiers, dates, years, list and footnote markers."""
    prev = text[a - 1] if a else " "
    before = text[max(0, a - 12) : a]
    after = text[b : b + 12]
    glued = False
    if prev in "_/" or (prev == "." and a >= 2 and text[a - 2].isdigit()):
        return True, False
    if prev == "-" and a >= 2 and text[a - 2].isalpha():
        return True, False  # Covid-19
    if _NAMING.search(text[max(0, a - 24) : a]):
        return True, False
    if re.match(r"[-/]\d", text[b : b + 2]) or (prev == "-" and a >= 2 and text[a - 2].isdigit()):
        return True, False  # "Law 2015-052", "2020/2021", a phone number
    if prev.isalpha():
        if re.search(r"[a-z]{3}$", before) and len(raw) >= 3:
            glued = True  # "region14668"
        elif re.search(r"[A-Za-z]{2}$", before) and len(raw) <= 2 and not text[b : b + 1].isalnum():
            return True, False  # a footnote mark after a word: "the law3", "Police4"
        else:
            return True, False  # a code such as G5
    if prev == "." and a >= 2 and text[a - 2].isalpha():
        glued = True  # "waste.225,376,950"
    nxt = text[b : b + 1]
    if nxt.isalpha() and _ORDINAL.match(text[b:]):
        return True, False
    if nxt.isalpha() and not _HA_AFTER.match(after) and not money_next:
        return True, False  # "3D", "5G" (but "1.3MUS$" is an amount)
    if nxt == "." and text[b + 1 : b + 2].isdigit():
        return True, False
    if _MONTH_BEFORE.search(text[max(0, a - 12) : a]) or _MONTH_AFTER.match(after):
        return True, False
    if prev == "(" and nxt == ")" and _INT.match(raw) and not raw.startswith("0") and int(raw) <= 20:
        return True, False  # "(1) participation in …"
    if len(raw) <= 2 and _FOOTNOTE_LINE.search(text[max(0, a - 4) : a]) and re.match(r" [A-Z]", text[b : b + 2]):
        return True, False  # a footnote's number at the start of its line
    if len(raw) == 4 and _INT.match(raw) and 1950 <= int(raw) <= 2100:
        m = _WORD.match(text[b:])
        if not (m and m.group(1).lower() in _PEOPLE):
            return True, False  # a year: "in 2021", "2020 budget"
    return False, glued


def _phrase(text: str, p: int) -> tuple[str, int]:
    """What a figure counts: the words after it, up to a stop word, verb or punctuation."""
    words: list[str] = []
    end = p
    while len(words) < _MAX_WORDS:
        m = _WORD.match(text, end)
        if not m:
            break
        w = m.group(1)
        lw = w.lower()
        if lw in ("and", "of"):
            nxt = _WORD.match(text, m.end())
            if (not words or not nxt or nxt.group(1).lower() in _STOP
                    or text[m.end(): nxt.start(1)].strip() or re.match(r"\s*\d", text[m.end():])):
                break
            if lw == "and" and words[-1].lower() in _PEOPLE and _unit_for(" ".join(
                    w.group(1) for w in _words_after(text, m.end(), 2))) != "people":
                break  # "3,720 displaced women and girls and vocational training": a new list item
            words.append(w)
            end = m.end()
            continue
        if lw in _STOP or lw in _IRREGULAR_VERBS:
            break
        if (words and lw.endswith("ed") and "-" not in w and lw not in ("displaced", "trained", "skilled")
                and not all(x.lower().endswith(("ed", "ly")) for x in words)):
            break  # "300 women trained", but "two formed armed movements", "312 newly elected women"
        words.append(w)
        end = m.end()
    while words and words[-1].lower() in ("and", "of"):
        words.pop()
    if words and words[-1].lower() not in _PEOPLE and text[end : end + 1] == ",":
        # "31 national, regional and PSC directors and managers": adjectives listed with commas
        longer = re.match(r"((?:,?\s*(?:and\s+)?[A-Za-z][\w'’\-]*){1,8})", text[end:])
        if longer:
            tail = re.findall(r"[A-Za-z][\w'’\-]*", longer.group(1))
            numbers = [i for i, x in enumerate(tail) if _WORD_NUMBER.fullmatch(x)]
            tail = tail[: numbers[0]] if numbers else tail  # "3,480 calls, and twenty-five lawyers": a new figure
            for k in range(len(tail), 0, -1):
                if tail[k - 1].lower() in _PEOPLE and not any(w.lower() in _STOP - {"and"} for w in tail[:k]):
                    words += tail[:k]
                    break
    if not words:
        return "", p
    first = text.index(words[0], p)
    idx = first
    for w in words:
        idx = text.index(w, idx) + len(w)
    return " ".join(text[first:idx].split()), idx


def _words_after(text: str, p: int, n: int) -> list[re.Match[str]]:
    out = []
    while len(out) < n and (m := _WORD.match(text, p)):
        out.append(m)
        p = m.end()
    return out


def _sex_of(phrase: str) -> str | None:
    """Sex of what a phrase counts: "women farmers", "additional women"; none for "women and men"."""
    head = phrase.lower().split(" of ")[0].split()
    if not head:
        return None
    # "women and girls", "men and boys": every part names the same sex; "women and men", "women and
    # young people" name no one sex
    parts = [p.split() for p in " ".join(head).split(" and ")]
    while len(parts) > 1 and len(parts[0]) == 1 and parts[0][0] not in _PEOPLE | _FEMALE | _MALE:
        parts = parts[1:]  # "pregnant and breastfeeding women": an adjective of the last noun
    found = []
    for i, words in enumerate(parts):
        sexes = {"F" for w in words if w in _FEMALE} | {"M" for w in words if w in _MALE}
        first_sex = [w for w in parts[0][:-1] if w in _FEMALE | _MALE]
        if not sexes and i and len(parts[0]) > 1 and first_sex and len(words) <= 2:
            # "women candidates and activists", "newly elected women mayors and vice-mayors": the sex word
            # qualifies every noun of the list (but "women and young people" names two groups)
            continue
        if len(sexes) != 1:
            return None
        found.append(sexes.pop())
    return found[0] if len(set(found)) == 1 else None


def _pure_sex(f: RawFigure) -> bool:
    """A part that splits its total by sex ("322 men"), not a category that happens to be male."""
    return bool(f.sex) and f.counts.lower() in _FEMALE | _MALE


def _unit_for(phrase: str) -> str:
    """People when the phrase names people: a word of the list, or a head noun of an agent's shape."""
    head = phrase.lower().split(" of ")[0]
    # a possessive qualifies the noun after it: "fathers' clubs", "women's cooperatives" are not people
    words = [w for w in head.split() if not w.endswith(("'", "’", "'s", "’s"))]
    if any(w in _PEOPLE for w in words) or any(p in head for p in _PEOPLE_PHRASES):
        return "people"
    # each listed noun's head: its first plural word ("service providers", "women-owned businesses won …")
    heads = [next((w.rsplit("-", 1)[-1] for w in part.split() if w.endswith("s") and not w.endswith(("'", "’"))), "")
             for part in head.split(" and ")]
    if heads and all(_PEOPLE_SUFFIX.search(w) and w not in _NOT_PEOPLE for w in heads):
        return "people"
    return "count"


def _candidates(text: str, money: currency.Matchers) -> list[tuple[int, int, str, Decimal | None, bool]]:
    """(start, end, as written, value, written in words) of every number, in text order."""
    out = [(m.start(), m.end(), m.group(0), None, False) for m in _NUMBER.finditer(text)]
    for m in _SPACED.finditer(text):
        # "480 000 dirhams", "FCFA 5 000 000": thousands grouped by spaces, read only next to a currency
        if money.after.match(text, m.end()) or money.before.search(text[max(0, m.start() - 12) : m.start()]):
            out = [c for c in out if c[1] <= m.start() or c[0] >= m.end()]
            out.append((m.start(), m.end(), m.group(0), Decimal(re.sub(r"\D", "", m.group(0))), False))
    for m in _WORD_NUMBER.finditer(text):
        words = m.group(0)
        if words.lower() == "one":
            continue  # "one of the", "one another": never a count we can trust
        try:
            value = Decimal(text2num(" ".join(words.lower().split()), "en"))
        except ValueError:
            continue  # not a number text2num can read ("forty five thousand and" cut short)
        out.append((m.start(), m.end(), words, value, True))
    return sorted(out)


def _money_scale(text: str, a: int, b: int, money: currency.Matchers) -> bool:
    """A short scale glued to an amount: "1.3MUS$", "US$ 2.5M" (never "5m" of cable, "3k run")."""
    sc = _SHORT_SCALE.match(text, b)
    if sc is None:
        return False
    if money.after.match(text, sc.end()):
        return True
    return bool(money.before.search(text[max(0, a - 8) : a])) and not text[sc.end() : sc.end() + 1].isalpha()


def _not_counted(text: str, a: int, b: int) -> bool:
    """Durations ("three days", "a 5-day course", "for 6 months") and ages ("aged 15 to 24", "18 years old")."""
    return bool(_DURATION_AFTER.match(text, b) or _AGE_AFTER.match(text, b)
                or _AGE_BEFORE.search(text[max(0, a - 40) : a]))


def scan(text: str, sents: list[Sentence], country: str = "") -> list[RawFigure]:
    """Find every figure in ``text`` (logical offsets); ``country`` (ISO alpha-2) decides currency forms."""
    starts = [s.start for s in sents]
    money = currency.matchers(country)
    out: list[RawFigure] = []
    for a, b, raw, word_value, in_words in _candidates(text, money):
        glued = False
        if in_words:
            if text[a - 1 : a].isalnum() or text[b : b + 1].isalnum():
                continue
        else:
            money_next = _money_scale(text, a, b, money)
            skip, glued = _skip(text, a, b, raw, money_next=bool(money_next))
            if skip:
                continue
        if _not_counted(text, a, b):
            continue
        value = word_value if word_value is not None else parse_number(raw)
        unit_end = b
        if (sc := _SCALE.match(text, b)) and value is not None:
            value *= _SCALES[sc.group(1).lower()]  # "XOF 2.3 billion", "1.5 million people"
            unit_end = b = sc.end()
        elif (sc := _SHORT_SCALE.match(text, b)) and value is not None and not in_words and \
                _money_scale(text, a, b, money):
            value *= currency.SHORT_SCALES[sc["scale"]]  # "1.3MUS$", "US$ 2.5M"
            unit_end = b = sc.end()
        rest = text[b:]
        unit = ""
        if (u := _PERCENT_AFTER.match(rest)):
            unit, unit_end = "percent", b + u.end()
        elif (u := money.after.match(rest)):
            unit, unit_end = currency.code_of(u["form"], money), b + u.end()
        elif (u := _HA_AFTER.match(rest)):
            unit, unit_end = "hectare", b + u.end()
        elif (u := money.before.search(text[max(0, a - 24) : a])):
            unit = currency.code_of(u["form"], money)
        p = unit_end
        if text[a - 1 : a] == "(" and text[b : b + 1] == ")":
            p = b + 1  # "(03) training of trainers workshops"
        counts, phrase_end = "", p
        sex = None
        if (of_them := _OF_THEM.match(text, p)):
            counts, phrase_end = of_them.group(1) or "", of_them.end()
            named = _sex_of(counts) or (counts.lower() in _PEOPLE and counts)
            if not named and out:
                # "96 women leaders, 40 of them from displaced households", "1,150 of them obtained
                # land": "them" are what the figure before counts
                counts, sex, phrase_end = out[-1].counts, out[-1].sex, p
                unit = unit or out[-1].unit
            else:
                sex = _sex_of(counts)
        elif unit and unit not in ("people", "count", "percent"):  # an amount of money or an area
            nxt = re.match(r"\s+(?:in|of)\s+", text[p:])
            if nxt:
                counts, phrase_end = _phrase(text, p + nxt.end())
            if not counts:
                lb = _LOOKBACK_OF.search(text[max(0, a - 60) : a])
                counts = lb.group(1) if lb else ("area" if unit == "hectare" else "amount")
        elif unit == "percent":
            counts, phrase_end = _phrase(text, p)
            if not counts:
                lb = _LOOKBACK_TO.search(text[max(0, a - 60) : a])
                counts = lb.group(1) if lb else "share"
        else:
            inherited = None
            these = _OF_THESE.match(text, p)
            if these:
                p = these.end()  # "Thirty-four of these leaders"
            counts, phrase_end = _phrase(text, p)
            if these and counts and not _sex_of(counts):
                # "these leaders" are the ones counted before: "412 women leaders … Thirty-four of these leaders"
                last = counts.split()[-1].lower()
                before = next((f for f in reversed(out) if f.counts and f.counts.split()[-1].lower() == last), None)
                if before is not None:
                    inherited = before.sex
            if not counts and (were := _WERE.match(text, p)):
                # "of whom 3,602 were women and girls"; "and 9 were placed": what came before
                said, end = _phrase(text, were.end())
                if _sex_of(said) or _unit_for(said) == "people":
                    counts, phrase_end = said, end
                elif out and out[-1].sentence == bisect.bisect_right(starts, a) - 1 and out[-1].unit == "people":
                    counts, unit, inherited = out[-1].counts, out[-1].unit, out[-1].sex
            sex = _sex_of(counts) or inherited
            if (sp := _SEX_PAREN.match(text, phrase_end)):
                sex = "F" if sp.group(1).lower() in _FEMALE else "M"
            if counts and counts.split()[0].lower() in ("of",):
                counts = ""
            if not counts and out and _COMPARED.search(text[max(0, a - 30) : a]) and out[-1].sentence == (
                    bisect.bisect_right(starts, a) - 1):
                # "318 women now hold seats, compared with 127 at the start": the same thing, counted before
                counts, sex, unit = out[-1].counts, out[-1].sex, out[-1].unit
        if not unit:
            unit = "people" if (sex or _unit_for(counts) == "people") else "count"
        if unit != "people":
            sex = None  # "45% of whom are women" is a share, not a count of women
        k = bisect.bisect_right(starts, a) - 1
        fractional_count = (unit in ("people", "count") and value is not None
                            and value != value.to_integral_value())
        out.append(RawFigure(len(out), a, a + len(raw), unit_end, phrase_end, raw,
                             None if fractional_count else value, unit, counts, sex, max(k, 0), glued,
                             ambiguous=fractional_count))
    return out


def number_words_last(figs: list[RawFigure]) -> list[RawFigure]:
    """Figures numbered digits first, then numbers written in words, each in text order.

    A figure's IRI carries its index; numbers in words were read later than digits, and putting
    them after keeps every earlier figure's IRI (the seed report's among them) where it was.
    """
    order = [f for f in figs if f.raw[:1].isdigit()] + [f for f in figs if not f.raw[:1].isdigit()]
    new = {f.index: i for i, f in enumerate(order)}
    for f in order:
        f.index = new[f.index]
        f.part_of = new[f.part_of] if f.part_of is not None else None
        f.share_of = new[f.share_of] if f.share_of is not None else None
    return order


def _groups(text: str, s: Sentence) -> list[tuple[int, int, int]]:
    """Balanced bracket groups of a sentence: (open, close, depth)."""
    stack: list[int] = []
    out = []
    for i in range(s.start, s.end):
        ch = text[i]
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            o = stack.pop()
            out.append((o, i, len(stack) + 1))
    # an unclosed group runs to the end of the sentence ("(20 Women -64.51%- and 11 Men (35.49%)")
    for o in stack:
        out.append((o, s.end, stack.index(o) + 1))
    return out


def _depth_group(groups: list[tuple[int, int, int]], pos: int) -> tuple[int, int, int] | None:
    inner = None
    for g in groups:
        if g[0] < pos < g[1] and (inner is None or g[2] > inner[2]):
            inner = g
    return inner


def link(text: str, sents: list[Sentence], figs: list[RawFigure],
         places: list[tuple[int, int, str]]) -> None:
    """Tie figures together: shares, disaggregations, subsets, places (in place)."""
    by_sentence: dict[int, list[RawFigure]] = {}
    for f in figs:
        by_sentence.setdefault(f.sentence, []).append(f)
    prev_people: RawFigure | None = None
    for si, s in enumerate(sents):
        fs = by_sentence.get(si, [])
        groups = _groups(text, s)
        sent_places = [p for p in places if s.start <= p[0] < s.end]
        # shares: "132 men (63%)", "110 men or 74.32%", "20 Women -64.51%-"
        for x, y in zip(fs, fs[1:]):
            if y.unit == "percent" and x.unit != "percent":
                gap = text[max(x.phrase_end, x.unit_end) : y.start]
                if _SHARE_GAP.match(gap):
                    y.share_of = x.index
        counted = [f for f in fs if f.unit != "percent"]
        grp_of = {f.index: _depth_group(groups, f.start) for f in counted}
        # bracket groups
        for g in sorted(groups, key=lambda g: g[0]):
            members = [f for f in counted if grp_of[f.index] == g]
            if not members:
                continue
            before = text[s.start : g[0]]
            place_here = next((p for p in sent_places if p[1] <= g[0] and not text[p[1] : g[0]].strip()), None)
            outside = [f for f in counted if f.start < g[0] and (grp_of[f.index] is None or grp_of[f.index][2] < g[2])
                       and (grp_of[f.index] is None or grp_of[f.index][0] < g[0] < grp_of[f.index][1]
                            or grp_of[f.index][1] < g[0])]
            owner = None
            if any(f.unit == "people" or (not f.counts and not f.unit) for f in members):
                # people in a bracket belong to people before it: "the six communes of Bamako (749 …)"
                outside = [f for f in outside if f.unit == "people" or not f.counts]
            if outside:
                cand = outside[-1]
                # the owner must be the figure this bracket qualifies, not an unrelated earlier one
                if place_here or len(before) - (cand.phrase_end - s.start) <= 120:
                    owner = cand
            inner_total = None
            if _INCLUDING.match(text[members[0].phrase_end : members[0].phrase_end + 20]) and len(members) > 1:
                inner_total = members[0]
            for f in members:
                if place_here:
                    f.place_group = place_here[2]
                if f is inner_total:
                    if owner:
                        f.part_of, f.part_kind = owner.index, "place" if place_here else "category"
                    continue
                if inner_total is not None:
                    f.part_of, f.part_kind = inner_total.index, "sex" if _pure_sex(f) else "category"
                elif owner is not None and (f.sex or place_here):
                    f.part_of = owner.index
                    f.part_kind = "place" if place_here else ("sex" if _pure_sex(f) else "category")
        # "N people, including A girls, B boys …"
        top = [f for f in counted if grp_of[f.index] is None]
        for i, t in enumerate(top):
            if not _INCLUDING.match(text[t.phrase_end : t.phrase_end + 20]):
                continue
            last_end = t.phrase_end
            for f in top[i + 1 :]:
                if f.part_of is not None or _LIST_BREAK.search(text[last_end : f.start]):
                    break
                f.part_of, f.part_kind = t.index, "sex" if _pure_sex(f) else "category"
                last_end = f.phrase_end
        # "… for 137 groups of 12,146 beneficiaries, of which 269.82 ha … 125 groups of 10,742 …"
        ow = _OF_WHICH.search(s.text)
        if ow:
            cut = s.start + ow.start()
            earlier = [f for f in top if f.start < cut]
            for f in top:
                if f.start <= cut or f.part_of is not None:
                    continue
                for t in reversed(earlier):
                    same = (f.unit == t.unit and f.unit not in ("people", "count", "percent")) or (
                        f.counts and t.counts and f.counts.split()[-1].lower() == t.counts.split()[-1].lower())
                    if same:
                        f.part_of, f.part_kind = t.index, "subset"
                        break
        # "This group was 132 men (63%) and 79 women (37%)" refers to the previous sentence's total
        if _THIS_GROUP.match(s.text) and prev_people is not None:
            for f in counted:
                if f.sex and f.part_of is None:
                    f.part_of, f.part_kind = prev_people.index, "sex"
        # places: a bracket after a place belongs to it; every other figure to the sentence's places
        keys = list(dict.fromkeys(p[2] for p in sent_places))
        for f in fs:
            if f.place_group:
                f.places = [f.place_group]
            elif f.share_of is None:
                f.places = keys
        people = [f for f in counted if f.unit == "people" and f.part_of is None]
        if people:
            prev_people = people[0]
    for f in figs:
        if f.share_of is not None:
            f.places = figs[f.share_of].places
    # a list that mixes sex words with other categories ("… 140 communicators, 150 girls") is
    # a list of categories, not a split by sex: "150 girls" must not hide the women of another part
    parts: dict[int, list[RawFigure]] = {}
    for f in figs:
        if f.part_of is not None:
            parts.setdefault(f.part_of, []).append(f)
    for group in parts.values():
        direct = [g for g in group if g.part_kind in ("sex", "category")]
        if any(g.part_kind == "category" for g in direct):
            for g in direct:
                g.part_kind = "category"
    for f in figs:
        kids = [g for g in figs if g.part_of == f.index]
        if not f.counts and any(g.unit == "people" for g in kids):
            # "106 (80 men … and 26 women …)", "Bamako (749 including 211 men …)"
            owner = figs[f.part_of] if f.part_of is not None else None
            f.counts = owner.counts if owner is not None and owner.counts else "people"
            f.unit = "people"
        elif f.part_kind == "subset" and f.counts in ("area", "amount") and f.part_of is not None:
            f.counts = figs[f.part_of].counts
