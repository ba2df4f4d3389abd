"""Plain records of extracted facts; offsets are source offsets into the report text."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

Span = tuple[int, int]


@dataclass(frozen=True)
class Evidence:
    """Where a fact came from: the exact characters and the sentence around them."""

    span: Span
    sentence: Span


@dataclass
class StatusFact:
    status: str  # achieved | partially-achieved | not-achieved | on-track | delayed | not-stated
    evidence: Evidence | None
    candidate: Evidence | None = None  # not stated: a sentence that seems to say it in unknown words


@dataclass
class AlignmentFact:
    code: str
    title: str | None
    inferred: bool
    span: Span | None  # the "(related to SP_…: …)" text, when stated


@dataclass
class MentionFact:
    kind: str  # "org" | "place" | "sdg" (a goal, target or indicator: key "5", "5.2", "5.5.1") | "resolution"
    # (a Security Council resolution: key its document symbol, "S/RES/1325(2000)")
    key: str
    evidence: Evidence
    role: str | None = None  # an organisation's part in the passage, where a cue says it (kg/extract/roles.py)
    role_evidence: Evidence | None = None  # the cue's characters


@dataclass
class FigureFact:
    index: int
    source_text: str  # the number as written ("102,4517")
    value: Decimal | None  # None when the number is malformed
    unit: str  # people | count | XOF | hectare | percent
    counts: str
    evidence: Evidence
    sex: str | None = None  # "F" | "M"
    places: list[str] = field(default_factory=list)
    part_of: int | None = None
    breakdown: str | None = None  # sex | place | category | subset, with part_of
    share_of: int | None = None


@dataclass
class FindingFact:
    type: str  # a FindingType notation, e.g. "parts-do-not-add-up"
    message: str
    span: Span
    target: str  # "outcome" | "note" | "figure:<index>"


@dataclass
class SectionFacts:
    status: StatusFact
    alignment: AlignmentFact | None
    mentions: list[MentionFact]
    figures: list[FigureFact]
    findings: list[FindingFact]
    discovered: dict[str, object]  # key -> gazetteer.Organisation found by pattern
