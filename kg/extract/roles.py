"""The part an organisation plays in a passage, where the words around its name say so.

A role is read only from an explicit cue and never guessed from what kind of organisation it is:
"with funding from the Government of Japan" (donor), "implemented by ARGA", "ARGA, our implementing
partner" (implementing partner), "UN Women supported the Ministry of Gender", "the capacities of 211
members of the BMG were improved" (supported institution), "in close partnership with FBA, MINUSMA and
the Ministry of …" (collaborating partner). A cue covers the list of names that follows it, as long as
only commas, brackets and "and" stand between them; the cue's own characters are kept as the role's
evidence. A name with no cue has no role: most mentions have none, and that is the honest answer.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from kg.gazetteer import Match
from kg.text import Sentence
from kg.vocab import PARTNER_ROLES

DONOR, IMPLEMENTING, SUPPORTED, COLLABORATING = PARTNER_ROLES  # the scheme's notations, defined in kg.vocab

_I = re.I
# cues the names follow; each pattern ends where the first name may start
_BEFORE: tuple[tuple[str, re.Pattern[str]], ...] = (
    (DONOR, re.compile(
        r"\b(?:(?:co-?)?(?:funded|financed|sponsored)\s+by"
        r"|(?:(?:with|through|thanks\s+to)\s+(?:the\s+)?(?:generous\s+)?)?(?:funding|funds|financing|grants?|(?:financial|funding)\s+(?:support|contributions?))\s+(?:from|provided\s+by)"
        r"|financial\s+(?:support|contributions?)\s+of"
        r"|donors?(?:\s*[,:]|\s+(?:such\s+as|including|namely|like))?)\s+", _I)),
    (IMPLEMENTING, re.compile(
        r"\b(?:(?:implementing\s+partners?|responsible\s+part(?:y|ies))(?:\s*[,:(]|\s+(?:such\s+as|including|namely|like))?"
        r"|(?:implemented|executed|carried\s+out|delivered|conducted)\s+by)\s+", _I)),
    (SUPPORTED, re.compile(
        r"\b(?:supported|supports|support(?:ing)?\s+to|assisted|assistance\s+to|trained|training\s+(?:of|for)"
        r"|strengthened|strengthening|equipped|accompanied|coached"
        r"|capacit(?:y|ies)\s+of|capacity[\s-]building\s+(?:of|for))\s+", _I)),
    (COLLABORATING, re.compile(
        r"\b(?:in\s+(?:close\s+|strong\s+|strategic\s+)?(?:partnership|collaboration|cooperation|coordination|conjunction)"
        r"\s+with"
        r"|partnerships?\s+(?:such\s+as\s+)?(?:those\s+)?with"
        r"|(?:worked|working|works|collaborated|collaborating|partnered|partnering|cooperated)\s+(?:\w+\s+){0,2}?with"
        r"|with\s+the\s+(?:technical\s+)?(?:support|assistance|help|involvement|participation|collaboration)\s+(?:of|from)"
        r"|jointly\s+with|together\s+with|alongside)\s+", _I)),
)
# what may stand between a cue and the first name
_LEAD = re.compile(r"(?:the\s+)?", _I)
# what may stand between two names of one list: "FBA (FBA), MINUSMA and the Ministry …"
_GAP = re.compile(r"[\s,;()]*(?:(?:and|or|as\s+well\s+as|&)\s+)?(?:the\s+)?[\s(]*", _I)
_AND = re.compile(r"\b(?:and|or|as\s+well\s+as)\b|&", _I)
_ENDS = re.compile(r"(?:\s*\)|\s*\([A-Za-z&/\-]{2,12}\))*\s*(?:[.;:]|$)")
# a cue after the name, set off by a comma or a bracket: "ARGA, our implementing partner", "NDI (implementing
# partner)"; not "UNFPA implementing partners were trained", where the words name UNFPA's partners
_AFTER = re.compile(r"\s*(?:\([A-Za-z&/\-]{2,12}\)\s*)?[,(]\s*"
                    r"(?P<cue>(?:(?:UN\s+Women's|our|its|their|an?|the|as|one\s+of)\s+)*"
                    r"(?:implementing\s+partners?|responsible\s+part(?:y|ies)))\b", _I)
# "members of the BMG", "115 members (41 women) of the NTC", "key actors of the National Police", in a sentence
# about building capacity
_MEMBERS = re.compile(r"\b(?P<noun>members|officials|staff|actors|agents|officers|personnel|representatives|employees|"
                      r"executives|managers|judges|magistrates|parliamentarians|deputies|commissioners|focal\s+points)"
                      r"(?:\s*\([^.;]{0,60}?)?\s+of\s+(?:the\s+)?$", _I)
_CAPACITY = re.compile(r"\b(?:strengthen\w*|train\w*|reinforc\w*|capacit\w*|skills|knowledge|coach\w*|equipped)\b", _I)

Cue = tuple[str, tuple[int, int]]  # (role, the cue's characters in the text)


def find_roles(text: str, hits: Sequence[Match], sents: Sequence[Sentence]) -> dict[int, Cue]:
    """Index of a name in ``hits`` (sorted, not overlapping) -> its role and the cue that says so."""
    out: dict[int, Cue] = {}
    starts = [h.start for h in hits]
    sent_starts = [s.start for s in sents]
    cues = [(role, cue.start(), cue.end(), cue.end()) for role, pattern in _BEFORE for cue in pattern.finditer(text)]
    for h in hits:
        members = _MEMBERS.search(text, max(0, h.start - 90), h.start)
        if members is not None and _CAPACITY.search(_sentence_of(text, sents, sent_starts, h.start)):
            # the cue is the noun ("members"): what stands between it and the name may hold figures
            cues.append((SUPPORTED, members.start(), members.end(), members.end("noun")))
    for role, a, b, said in sorted(cues, key=lambda c: c[2]):
        k = _first_after(starts, b)
        if k is None or _LEAD.fullmatch(text, b, hits[k].start) is None:
            continue
        for j in _listed(text, hits, k):  # the cue covers the list that follows it; a nearer cue, sorted later, wins
            out[j] = (role, (a, a + len(text[a:said].rstrip())))  # the cue's words, not the space after
    for k, h in enumerate(hits):
        after = _AFTER.match(text, h.end)
        if after is not None:
            out[k] = (IMPLEMENTING, after.span("cue"))
    return out


def _listed(text: str, hits: Sequence[Match], k: int) -> list[int]:
    """The names listed from ``hits[k]`` on. A comma may also end a fronted phrase ("With funding from Irish
    Aid, the Foundation … mobilised"): unless an "and" follows it or the list ends the sentence, the name
    after the last comma is the clause's subject, not one more of the list."""
    listed, gaps = [k], []
    while k + 1 < len(hits) and (gap := _GAP.fullmatch(text, hits[k].end, hits[k + 1].start)) is not None:
        k += 1
        listed.append(k)
        gaps.append(gap.group(0))
    commas = [i for i, g in enumerate(gaps) if "," in g or ";" in g]
    if commas:
        last = commas[-1]
        joined = any(_AND.search(g) for g in gaps[last:])
        if not joined and not _ENDS.match(text, hits[listed[-1]].end):
            return listed[: last + 1]
    return listed


def _first_after(starts: list[int], pos: int) -> int | None:
    k = bisect.bisect_left(starts, pos)
    return k if k < len(starts) else None


def _sentence_of(text: str, sents: Sequence[Sentence], starts: list[int], pos: int) -> str:
    k = bisect.bisect_right(starts, pos) - 1
    return text[sents[k].start : sents[k].end] if k >= 0 else text
