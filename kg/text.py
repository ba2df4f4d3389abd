"""Text utilities shared by the readers and the extractors.

Everything here preserves character offsets: extracted facts must point at the
exact characters of the source they came from, even after we repair the text.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    low = c.lower()
    base = "".join(ch for ch in unicodedata.normalize("NFKD", low) if not unicodedata.combining(ch))
    out = base or low
    return out[0] if out else c


def fold(s: str) -> str:
    """Lower-case and strip accents, one output character per input character.

    Keeping the length lets a match found in the folded text be used as an offset
    into the original ("segou" found in "Ségou" at the same position).
    """
    if s.isascii():
        return s.lower()
    table = {ord(c): _fold_char(c) for c in set(s) if ord(c) > 127}
    out = s.translate(table)
    return out.lower() if out.isascii() else "".join(_fold_char(c) for c in out)


def fold_key(s: str) -> str:
    """Folded text with whitespace collapsed: the key names and aliases are compared by."""
    return " ".join(fold(s).replace("’", "'").split())


@dataclass(frozen=True)
class Piece:
    """A run of the logical text copied verbatim from the source."""

    logical_start: int
    source_start: int
    length: int


class TextView:
    """Repaired text (paragraphs rejoined, duplicates dropped) mapped back to the source.

    The logical text is the concatenation of source ranges with joiners between
    them; ``to_source`` turns a logical span into the source span that covers it.
    """

    def __init__(self, source: str, ranges: list[tuple[int, int]], joiners: list[str]) -> None:
        if len(joiners) != max(len(ranges) - 1, 0):
            raise ValueError("one joiner between each pair of ranges")
        self.source = source
        parts: list[str] = []
        self.pieces: list[Piece] = []
        pos = 0
        for i, (s, e) in enumerate(ranges):
            if i:
                parts.append(joiners[i - 1])
                pos += len(joiners[i - 1])
            self.pieces.append(Piece(pos, s, e - s))
            parts.append(source[s:e])
            pos += e - s
        self.text = "".join(parts)
        self._starts = [p.logical_start for p in self.pieces]

    def _piece(self, i: int) -> Piece:
        k = bisect.bisect_right(self._starts, i) - 1
        return self.pieces[max(k, 0)]

    def source_offset(self, i: int, *, end: bool = False) -> int:
        """Source offset of logical offset ``i`` (a position inside a joiner snaps to a piece edge)."""
        if not self.pieces:
            return 0
        p = self._piece(i - 1 if end and i > 0 else i)
        rel = i - p.logical_start
        rel = min(max(rel, 0), p.length)
        return p.source_start + rel

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        s = self.source_offset(start)
        e = self.source_offset(end, end=True)
        return s, max(e, s)

    def without(self, drop: list[tuple[int, int]]) -> TextView:
        """A new view with the given logical spans removed (used to drop duplicate passages)."""
        keep: list[tuple[int, int]] = []
        joiners: list[str] = []
        cuts = sorted(drop)
        # walk every piece, cutting the dropped logical spans out of it
        for idx, p in enumerate(self.pieces):
            segs = [(p.logical_start, p.logical_start + p.length)]
            for cs, ce in cuts:
                nxt = []
                for a, b in segs:
                    if ce <= a or cs >= b:
                        nxt.append((a, b))
                        continue
                    if a < cs:
                        nxt.append((a, cs))
                    if ce < b:
                        nxt.append((ce, b))
                segs = nxt
            for j, (a, b) in enumerate(segs):
                a, b = _trim(self.text, a, b)
                if b <= a:
                    continue
                if keep:
                    joiners.append(self._joiner_before(idx, j))
                keep.append((p.source_start + a - p.logical_start, p.source_start + b - p.logical_start))
        return TextView(self.source, keep, joiners)

    def _joiner_before(self, piece_index: int, seg_index: int) -> str:
        if seg_index == 0 and piece_index > 0:
            p = self.pieces[piece_index]
            prev = self.pieces[piece_index - 1]
            return self.text[prev.logical_start + prev.length : p.logical_start] or " "
        return " "


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


_ABBREV = re.compile(r"(?:\b(?:No|Nos|Art|Mr|Mrs|Ms|Dr|St|Vol|approx|e\.g|i\.e|cf|vs)|N°)\.$")
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and a capital,
# a digit or an opening quote; or at a paragraph break.
_BOUNDARY = re.compile(r"([.!?][\"”’)\]]*)(\s+)(?=[\"“(\[]?[A-Z0-9])|\n\s*\n")
# A full stop glued to the next sentence's number ("waste.225,376,950 CFA francs"), or a
# word glued to a number ("region14668 women"): the source lost a space or a full stop.
GLUED = re.compile(r"(?<=[a-z]{2}\.)(?=\d)|(?<=[a-z]{3})(?=\d{2,}[\s,])")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """Split text into sentences, with logical offsets; conservative on abbreviations."""
    cuts = [0]
    for m in _BOUNDARY.finditer(text):
        if m.group(1) is not None:
            head = text[cuts[-1] : m.start(2)]
            if _ABBREV.search(head):
                continue
            cuts.append(m.end(2))
        else:
            cuts.append(m.end())
    for m in GLUED.finditer(text):
        cuts.append(m.start())
    cuts = sorted(set(cuts)) + [len(text)]
    out: list[Sentence] = []
    for a, b in zip(cuts, cuts[1:]):
        a, b = _trim(text, a, b)
        if b > a:
            out.append(Sentence(a, b, text[a:b]))
    return out


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with "…" when cut: a label never ends
    mid-word ("…strong pu…")."""
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(None, 1)[0] if " " in text[:limit + 1] else text[:limit]
    return cut.rstrip(" ,;:-–") + "…"
