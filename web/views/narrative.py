"""A progress note's narrative as readable paragraphs, with its partners, places and figures marked
where the text names them and linked to their pages, and the sentence that states the status marked.

The spans in the graph are positions in the report's text; the narrative is the note's text after
reading (a passage repeated across a page break is kept once), so positions are carried over by
aligning the note's source text with the narrative, and a span in a dropped repeat is not marked.
"""
from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.vocab import CITED, N
from web.views.model import Value
from web.views.reader import Reader

PARAGRAPH = 420  # characters after which a paragraph ends at the next sentence end
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(“\"])")


@dataclass
class Segment:
    text: str
    kind: str | None = None  # "org", "place", "figure": a marked name or number; "role": the words saying a role
    target: Value | None = None
    status: bool = False  # within the sentence that states the status


@dataclass
class _Mark:
    start: int
    end: int
    kind: str
    target: Any


def _aligner(source: str, narrative: str) -> Any:
    """Offset in the note's source text -> offset in the narrative (None where the narrative dropped it).
    The texts are aligned word by word (a few hundred words: milliseconds, where characters take 0.3 s)."""
    if (at := source.find(narrative)) >= 0:
        return lambda offset: offset - at if at <= offset < at + len(narrative) else None
    src = [(m.start(), m.end()) for m in re.finditer(r"\S+", source)]
    nar = [(m.start(), m.end()) for m in re.finditer(r"\S+", narrative)]
    words = difflib.SequenceMatcher(None, [source[a:b] for a, b in src], [narrative[a:b] for a, b in nar],
                                    autojunk=False)
    mapped: dict[int, int] = {}  # source word -> narrative word
    for i, j, size in words.get_matching_blocks():
        for k in range(size):
            mapped[i + k] = j + k
    starts = [a for a, _ in src]

    def to_narrative(offset: int) -> int | None:
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0 or offset >= src[i][1] or i not in mapped:
            return None
        return nar[mapped[i]][0] + offset - src[i][0]
    return to_narrative


def _cited(iri: str) -> str:
    """The kind of mark for what others publish: an SDG, a Security Council resolution."""
    return next((kind for kind, (_, namespace) in CITED.items() if iri.startswith(namespace)), "")


def marked_narrative(rd: Reader, note: ox.NamedNode, narrative: str) -> list[list[Segment]]:
    if not narrative:
        return []
    source_span = rd.one(note, N.prov.wasDerivedFrom)
    parts = rd.span_parts(source_span) if source_span is not None else {}
    source, base = parts.get("exact"), parts.get("start")
    marks: list[_Mark] = []
    status: tuple[int, int] | None = None
    if source is not None and base is not None:
        to_narrative = _aligner(source, narrative)

        def place(span: Any) -> tuple[int, int] | None:
            p = rd.span_parts(span)
            if p.get("start") is None or p.get("end") is None or p.get("end") <= p.get("start"):
                return None
            a, b = to_narrative(p["start"] - base), to_narrative(p["end"] - 1 - base)
            if a is None or b is None or b < a or narrative[a:b + 1] != p.get("exact", narrative[a:b + 1]):
                return None
            return a, b + 1

        for m in rd.objects(note, N.rkg.mention):
            target, span = rd.one(m, N.rkg.refersTo), rd.one(m, N.prov.wasDerivedFrom)
            where = place(span) if span is not None else None
            if where and isinstance(target, ox.NamedNode):
                marks.append(_Mark(*where, rd.kind(target.value) or _cited(target.value), target))
            role, cue = rd.one(m, N.rkg.partnerRole), rd.one(m, N.rkg.roleEvidence)
            said = place(cue) if cue is not None and role is not None else None
            if said:  # the words that say what the partner did: "with funding from", "in partnership with"
                marks.append(_Mark(*said, "role", role))
        for f in rd.objects(note, N.rkg.figure):
            span = rd.one(f, N.prov.wasDerivedFrom)
            where = place(span) if span is not None else None
            if where:
                marks.append(_Mark(*where, "figure", f))
        evidence = rd.one(note, N.rkg.statusEvidence)
        status = place(evidence) if evidence is not None else None
    kept: list[_Mark] = []
    for m in sorted((m for m in marks if m.kind != "role"), key=lambda m: (m.start, -(m.end - m.start))):
        if not kept or m.start >= kept[-1].end:  # the first and longest of overlapping marks
            kept.append(m)
    for m in marks:  # the words stating a role yield to names and figures
        if m.kind == "role" and not any(k.start < m.end and m.start < k.end for k in kept):
            kept.append(m)
    kept.sort(key=lambda m: m.start)
    inside = [False] * (len(narrative) + 1)
    for m in kept:
        for i in range(m.start + 1, m.end):
            inside[i] = True
    cuts, last = [0], 0
    for match in _SENTENCE_END.finditer(narrative):
        if match.end() - last >= PARAGRAPH and not inside[match.end()]:
            cuts.append(match.end())
            last = match.end()
    cuts.append(len(narrative))
    bounds = sorted({*cuts, *([status[0], status[1]] if status else []), *(x for m in kept for x in (m.start, m.end))})
    by_start = {m.start: m for m in kept}
    paragraphs: list[list[Segment]] = []
    for p0, p1 in zip(cuts, cuts[1:]):
        segs: list[Segment] = []
        points = [b for b in bounds if p0 <= b <= p1]
        for a, b in zip(points, points[1:]):
            text = narrative[a:b]
            if not text:
                continue
            m = by_start.get(a)
            in_status = status is not None and status[0] <= a < status[1]
            if m is not None and m.end == b:
                segs.append(Segment(text, m.kind, rd.value(m.target), in_status))
            else:
                segs.append(Segment(text, None, None, in_status))
        if segs:
            paragraphs.append(segs)
    return paragraphs
