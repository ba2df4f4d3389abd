"""What a figure counts, in words: the phrase after a number, whether it names people, and their sex.

Shared knowledge of English the figure reader (``kg.extract.figures``) leans on: number words,
nouns of people, stop words and verbs that end a phrase. Kept apart from the reading of numbers
because it is a subject of its own, and the one that grows with every new office's wording.
"""
from __future__ import annotations

import re

# numbers written as words: a run of number words, valued by text2num; "one" alone is never a figure
_UNITS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen")
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
WORD_NUMBER = re.compile(
    rf"\b(?:(?:{'|'.join(_TENS.split())})(?:[-\s](?:{'|'.join(_UNITS.split()[:9])}))?|"
    rf"(?:{'|'.join(_UNITS.split())}))(?:\s+(?:hundred|thousand|million)(?:\s+(?:and\s+)?"
    rf"(?:(?:{'|'.join(_TENS.split())})(?:[-\s](?:{'|'.join(_UNITS.split()[:9])}))?|(?:{'|'.join(_UNITS.split())})))?)*\b",
    re.I)

WORD = re.compile(r"\s*([A-Za-z][\w'’\-]*\+?)")

STOP = frozenset(
    """in of from to with were was is are have has had will who which that for on at by through into
    including the a an as per over more than each this these their its whose where when while during after
    before under within among between since across against but or if so then also not be been being can
    could should would may might must do did does our your his her they them we it""".split()
)
# verbs that end what a figure counts without the "-ed" the phrase reader stops at
IRREGULAR_VERBS = frozenset(
    """won took made got became began held met went set gave ran saw built sold paid left brought taught
    kept found told spent sent lost rose fell grew led""".split()
)
FEMALE = frozenset("women woman girls girl female females".split())
MALE = frozenset("men man boys boy male males".split())
PEOPLE = frozenset(
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
    daughters sons orphans persons-with-disabilities recipients applicants respondents claimants veterans
    spouses servicemen servicewomen heads""".split()
)
# a head noun naming people by what they do: "statisticians", "prosecutors", "service providers"
PEOPLE_SUFFIX = re.compile(r"(?:ists|ians|ors|ers|ees|ants)$")
NOTPEOPLE = frozenset(
    """sectors indicators factors doors floors errors corridors centers centres papers numbers letters orders
    matters computers containers chapters quarters registers folders posters banners clusters layers filters
    waters borders headquarters markers meters metres liters litres kilometers kilometres committees fees
    restaurants grants plants plans donors partners tractors motors monitors chambers towers shelters corners
    elevators generators charters tenders powers offers answers barriers dossiers ledgers degrees guarantees
    trailers fibers fibres gutters exporters importers suppliers manufacturers retailers wholesalers
    processors distributors newspapers centres centers""".split()
)
# "focal points", "community relays": what the words name only together
PEOPLE_PHRASES = ("focal points", "focal persons", "human rights defenders", "local elected", "elected officials")
MAX_WORDS = 6



def phrase(text: str, p: int) -> tuple[str, int]:
    """What a figure counts: the words after it, up to a stop word, verb or punctuation."""
    words: list[str] = []
    end = p
    while len(words) < MAX_WORDS:
        m = WORD.match(text, end)
        if not m:
            break
        w = m.group(1)
        lw = w.lower()
        if lw in ("and", "of"):
            nxt = WORD.match(text, m.end())
            if (not words or not nxt or nxt.group(1).lower() in STOP
                    or text[m.end(): nxt.start(1)].strip() or re.match(r"\s*\d", text[m.end():])):
                break
            if lw == "and" and words[-1].lower() in PEOPLE and unit_for(" ".join(
                    w.group(1) for w in words_after(text, m.end(), 2))) != "people":
                break  # "3,720 displaced women and girls and vocational training": a new list item
            words.append(w)
            end = m.end()
            continue
        if lw in STOP or lw in IRREGULAR_VERBS:
            break
        if (words and lw.endswith("ed") and "-" not in w and lw not in ("displaced", "trained", "skilled")
                and not all(x.lower().endswith(("ed", "ly")) for x in words)):
            break  # "300 women trained", but "two formed armed movements", "312 newly elected women"
        words.append(w)
        end = m.end()
    while words and words[-1].lower() in ("and", "of"):
        words.pop()
    if words and words[-1].lower() not in PEOPLE and text[end : end + 1] == ",":
        # "31 national, regional and PSC directors and managers": adjectives listed with commas
        longer = re.match(r"((?:,?\s*(?:and\s+)?[A-Za-z][\w'’\-]*){1,8})", text[end:])
        if longer:
            tail = re.findall(r"[A-Za-z][\w'’\-]*", longer.group(1))
            numbers = [i for i, x in enumerate(tail) if WORD_NUMBER.fullmatch(x)]
            tail = tail[: numbers[0]] if numbers else tail  # "3,480 calls, and twenty-five lawyers": a new figure
            for k in range(len(tail), 0, -1):
                if tail[k - 1].lower() in PEOPLE and not any(w.lower() in STOP - {"and"} for w in tail[:k]):
                    words += tail[:k]
                    break
    if not words:
        return "", p
    first = text.index(words[0], p)
    idx = first
    for w in words:
        idx = text.index(w, idx) + len(w)
    return " ".join(text[first:idx].split()), idx


def words_after(text: str, p: int, n: int) -> list[re.Match[str]]:
    out = []
    while len(out) < n and (m := WORD.match(text, p)):
        out.append(m)
        p = m.end()
    return out


def sex_of(phrase: str) -> str | None:
    """Sex of what a phrase counts: "women farmers", "additional women"; none for "women and men"."""
    head = phrase.lower().split(" of ")[0].split()
    if not head:
        return None
    # "women and girls", "men and boys": every part names the same sex; "women and men", "women and
    # young people" name no one sex
    parts = [p.split() for p in " ".join(head).split(" and ")]
    while len(parts) > 1 and not any(w in (PEOPLE - {"displaced"}) | FEMALE | MALE or w.endswith("s")
                                     for w in parts[0]):
        parts = parts[1:]  # "pregnant and breastfeeding women", "internally displaced and returnee women"
    found = []
    for i, words in enumerate(parts):
        sexes = {"F" for w in words if w in FEMALE} | {"M" for w in words if w in MALE}
        first_sex = [w for w in parts[0][:-1] if w in FEMALE | MALE]
        if not sexes and i and len(parts[0]) > 1 and first_sex and len(words) <= 2:
            # "women candidates and activists", "newly elected women mayors and vice-mayors": the sex word
            # qualifies every noun of the list (but "women and young people" names two groups)
            continue
        if len(sexes) != 1:
            return None
        found.append(sexes.pop())
    return found[0] if len(set(found)) == 1 else None



def unit_for(phrase: str) -> str:
    """People when the phrase names people: a word of the list, or a head noun of an agent's shape."""
    head = phrase.lower().split(" of ")[0]
    # a possessive qualifies the noun after it: "fathers' clubs", "women's cooperatives" are not people
    words = [w for w in head.split() if not w.endswith(("'", "’", "'s", "’s"))]
    last = words[-1] if words else ""
    if last in NOTPEOPLE:
        return "count"  # the noun counted is the last: "3 youth centres", "12 newspapers"
    if any(w in PEOPLE for w in words) or any(p in head for p in PEOPLE_PHRASES):
        return "people"
    # each listed noun's head: its first plural word ("service providers", "women-owned businesses won …")
    heads = [next((w.rsplit("-", 1)[-1] for w in part.split() if w.endswith("s") and not w.endswith(("'", "’"))), "")
             for part in head.split(" and ")]
    if heads and all(PEOPLE_SUFFIX.search(w) and w not in NOTPEOPLE for w in heads):
        return "people"
    return "count"
