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
from kg.extract.counted import (
    FEMALE,
    MALE,
    PEOPLE,
    WORD,
    WORD_NUMBER,
    phrase,
    sex_of,
    unit_for,
)
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
    r"[Hh]otlines?|[Tt]oll-free(?:\s+(?:line|number))?|(?:short\s+)?[Cc]ode))\s*$")
_SCALE = re.compile(r"\s*(million|billion|thousand)\b", re.I)
_SCALES = {"thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_ORDINAL = re.compile(r"^(?:st|nd|rd|th)\b")
_PERCENT_AFTER = re.compile(r"^\s*(?:%|per\s*cent\b|percent\b)")
# a scale glued to a number only counts next to a currency: "1.3MUS$", "US$ 2.5M"
_SHORT_SCALE = re.compile(r"\s?(?P<scale>mn|bn|M|m|B|K|k)")
_OF_THESE = re.compile(r"\s+of\s+(?:these|those|the|its|their)\s+(?=[a-z\d])", re.I)
_WERE = re.compile(r"\s+(?:were|are|was|is|have\s+been|had\s+been)\s+", re.I)
_OF_THESE_BEFORE = re.compile(r"\b(?:of|among)\s+(?:these|them|whom|those)\s*,?\s*$", re.I)
_PHONE = re.compile(r"\+?\d{2,4}(?:[ \-]\d{2,4})+")
_AFTER_WERE_SEX = re.compile(r"\s+(?:were|are|was|is)\s+(?:all\s+)?(women|men|girls|boys|female|male|females|males)\b",
                             re.I)
# a bare number set against the figure before it counts the same thing
_COMPARED = re.compile(r"\b(?:compared\s+(?:with|to)|up\s+from|down\s+from|against|versus|vs\.?|from|"
                       r"instead\s+of|rather\s+than|(?:a\s+)?target\s+of|out\s+of|including|of\s+(?:these|them),?)"
                       r"\s+(?:only\s+|just\s+|some\s+|about\s+)?$", re.I)
# a footnote's own number at the start of its line: "3 The Act was passed in …"
_FOOTNOTE_LINE = re.compile(r"(?:^|\n)[ \t]*$")
# what a duration or an age looks like around a number: not a count of anything reached
_DURATION_AFTER = re.compile(r"(?:\s*-\s*|\s+)(?:days?|weeks?|months?|years?|hours?|minutes?|nights?)\b"
                             , re.I)
_AGE_BEFORE = re.compile(r"\b(?:aged|ages?|age\s+of|ages\s+of|between\s+the\s+ages\s+of|under\s+the\s+age\s+of)"
                         r"\s+(?:\d+\s*(?:to|-|–|and)\s*)?$", re.I)
_AGE_AFTER = re.compile(r"(?:\s*-\s*|\s+)years?(?:\s*-\s*|\s+)old\b|\s*(?:-\s*)?year-olds?\b", re.I)
_HA_AFTER = re.compile(r"^\s*(?:ha|hectares?)\b", re.I)
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
    if (named := _NAMING.search(text[max(0, a - 24) : a])) and not (
            named.group(0).strip() == "SDG" and (parse_number(raw) or 0) > 17):
        return True, False  # "SDG 5" is a goal; "SDG 2,300,000" are Sudanese pounds
    if _is_phone(text, a, b):
        return True, False  # "(+249 912 300 471)", "(116 123)": a telephone number
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
        m = WORD.match(text[b:])
        if not (m and m.group(1).lower() in PEOPLE):
            return True, False  # a year: "in 2021", "2020 budget"
    return False, glued


def _pure_sex(f: RawFigure) -> bool:
    """A part that splits its total by sex ("322 men"), not a category that happens to be male."""
    return bool(f.sex) and f.counts.lower() in FEMALE | MALE


def _candidates(text: str, money: currency.Matchers) -> list[tuple[int, int, str, Decimal | None, bool]]:
    """(start, end, as written, value, written in words) of every number, in text order."""
    out = [(m.start(), m.end(), m.group(0), None, False) for m in _NUMBER.finditer(text)]
    for m in _SPACED.finditer(text):
        # "480 000 dirhams", "FCFA 5 000 000": thousands grouped by spaces, read only next to a currency
        if money.after.match(text, m.end()) or money.before.search(text[max(0, m.start() - 12) : m.start()]):
            out = [c for c in out if c[1] <= m.start() or c[0] >= m.end()]
            out.append((m.start(), m.end(), m.group(0), Decimal(re.sub(r"\D", "", m.group(0))), False))
    for m in WORD_NUMBER.finditer(text):
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


def _is_phone(text: str, a: int, b: int) -> bool:
    """A number inside brackets that hold only a telephone number: groups of digits, maybe a "+"."""
    open_ = text.rfind("(", max(0, a - 24), a)
    close = text.find(")", b, b + 24)
    return open_ >= 0 and close >= 0 and _PHONE.fullmatch(text[open_ + 1 : close].strip()) is not None


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
            if counts:  # "612 of them displaced women living in …": the whole phrase, not its first word
                counts, phrase_end = phrase(text, of_them.start(1))
            named = sex_of(counts) or (unit_for(counts) == "people" and counts)
            them = next((f for f in reversed(out) if f.unit in ("people", "count")), None)
            if not named and them is not None:
                # "96 women leaders, 40 of them from displaced households", "1,150 of them obtained
                # land": "them" are what the figure before counts
                counts, sex, phrase_end = them.counts, them.sex, p
                unit = unit or them.unit
            else:
                # "410 of them were veterans": of the women before, so women too
                sex = sex_of(counts) or (them.sex if them is not None else None)
        elif unit and unit not in ("people", "count", "percent"):  # an amount of money or an area
            nxt = re.match(r"\s+(?:in|of)\s+", text[p:])
            if nxt:
                counts, phrase_end = phrase(text, p + nxt.end())
            if not counts:
                lb = _LOOKBACK_OF.search(text[max(0, a - 60) : a])
                counts = lb.group(1) if lb else ("area" if unit == "hectare" else "amount")
        elif unit == "percent":
            counts, phrase_end = phrase(text, p)
            if not counts:
                lb = _LOOKBACK_TO.search(text[max(0, a - 60) : a])
                counts = lb.group(1) if lb else "share"
        else:
            inherited = None
            these = _OF_THESE.match(text, p)
            if these:
                p = these.end()  # "Thirty-four of these leaders"
                if (n := re.match(r"[\d,]+\s+", text[p:])):
                    p += n.end()  # "240 of the 410 officers trained were women"
            counts, phrase_end = phrase(text, p)
            if (counts and _OF_THESE_BEFORE.search(text[max(0, a - 20) : a]) and "-" not in counts.split()[0]
                    and counts.split()[0].lower().endswith("ed") and unit_for(counts) != "people"):
                counts, phrase_end = "", p  # "Of these, 320 received start-up grants": a verb, not what is counted
            if these and counts and not sex_of(counts):
                # "these leaders" are the ones counted before: "412 women leaders … Thirty-four of these leaders"
                last = counts.split()[-1].lower()
                before = next((f for f in reversed(out) if f.counts and f.counts.split()[-1].lower() == last), None)
                if before is not None:
                    inherited = before.sex
            if not counts and (were := _WERE.match(text, p)):
                # "of whom 3,602 were women and girls"; "and 9 were placed": what came before
                said, end = phrase(text, were.end())
                if sex_of(said) or unit_for(said) == "people":
                    counts, phrase_end = said, end
                elif out and out[-1].sentence == bisect.bisect_right(starts, a) - 1 and out[-1].unit == "people":
                    counts, unit, inherited = out[-1].counts, out[-1].unit, out[-1].sex
            sex = sex_of(counts) or inherited
            if not sex and (ws := _AFTER_WERE_SEX.match(text, phrase_end)) and unit_for(counts) == "people":
                sex = "F" if ws.group(1).lower() in FEMALE else "M"  # "1,750 of the recipients were women"
            if (sp := _SEX_PAREN.match(text, phrase_end)):
                sex = "F" if sp.group(1).lower() in FEMALE else "M"
            if counts and counts.split()[0].lower() in ("of",):
                counts = ""
            earlier = next((f for f in reversed(out) if f.unit in ("people", "count") and f.counts
                            and f.sentence >= bisect.bisect_right(starts, a) - 1), None)
            if not counts and earlier is not None and _COMPARED.search(text[max(0, a - 30) : a]):
                # "318 women now hold seats, compared with 127 at the start", "120 women, including 45 from
                # villages", "18 advisers, against a target of 25": the same thing, counted before
                counts, sex, unit = earlier.counts, earlier.sex, earlier.unit
        if not unit:
            unit = "people" if (sex or unit_for(counts) == "people") else "count"
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
        total = figs[f.part_of] if f.part_of is not None else None
        if total is not None and f.sex is None and f.unit == "people" and total.sex and f.part_kind != "sex":
            f.sex = total.sex  # "2,140 women, including 600 heads of household": the heads are women
    for f in figs:
        kids = [g for g in figs if g.part_of == f.index]
        if not f.counts and any(g.unit == "people" for g in kids):
            # "106 (80 men … and 26 women …)", "Bamako (749 including 211 men …)"
            owner = figs[f.part_of] if f.part_of is not None else None
            f.counts = owner.counts if owner is not None and owner.counts else "people"
            f.unit = "people"
        elif f.part_kind == "subset" and f.counts in ("area", "amount") and f.part_of is not None:
            f.counts = figs[f.part_of].counts
