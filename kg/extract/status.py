"""Achievement status of an outcome, from the sentence that states it."""
from __future__ import annotations

import re

from kg.extract.model import Evidence, StatusFact
from kg.text import Sentence, TextView, sentences

# "The outcome was not achieved", "This outcome was partially achieved",
# "The outcome is partially achieved during the course of 2021", "was fully achieved".
# The subject must be the outcome: "This result was achieved through …" is not a status.
_STATUS = re.compile(
    r"\b(?:the|this)\s+outcome\s+(?:was|is|has\s+been|were|have\s+been)\s+"
    r"(?P<q>not\s+|partially\s+|partly\s+|fully\s+|largely\s+)?(?:been\s+)?achieved\b",
    re.I,
)
_MAP = {"not": "not-achieved", "partially": "partially-achieved", "partly": "partially-achieved",
        "largely": "partially-achieved", "fully": "achieved", "": "achieved"}


def find_status(view: TextView, sents: list[Sentence] | None = None) -> StatusFact:
    for s in sents if sents is not None else sentences(view.text):
        m = _STATUS.search(s.text)
        if m:
            q = (m["q"] or "").strip().lower()
            span = view.to_source(s.start + m.start(), s.start + m.end())
            return StatusFact(_MAP[q], Evidence(span, view.to_source(s.start, s.end)))
    return StatusFact("not-stated", None)
