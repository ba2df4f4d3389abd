"""Achievement status of an outcome, from the sentence that states it.

The phrasings ("was achieved", "was not reached", "was partially met") are a table,
``data/status_phrases.tsv``, so a new office's wording is one row. The subject must be
the outcome: "This result was achieved through …" is not a status.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache

from kg import resources
from kg.extract.model import Evidence, StatusFact
from kg.text import Sentence, TextView, sentences

STATUSES = ("achieved", "partially-achieved", "not-achieved", "on-track", "delayed")


@lru_cache(maxsize=1)
def phrases() -> dict[str, str]:
    """Phrase (lower case, single spaces) -> status, from the table; an unknown status there is an error."""
    out: dict[str, str] = {}
    with (resources.data_dir() / "status_phrases.tsv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            phrase, status = " ".join(row["phrase"].lower().split()), row["status"].strip()
            if status not in STATUSES:
                raise ValueError(f"data/status_phrases.tsv: {phrase!r} has status {status!r}, not one of {STATUSES}")
            out[phrase] = status
    return out


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    # longest first, so "not fully achieved" wins over "achieved"; an optional "been" may stand between words
    alts = sorted(phrases(), key=len, reverse=True)
    words = "|".join(r"\s+(?:been\s+)?".join(map(re.escape, p.split())) for p in alts)
    return re.compile(
        rf"{_SUBJECT}\s+(?:(?P<negated>{_NEGATED})|{_VERB})\s+(?:been\s+)?(?:still\s+)?(?:{_RATED}\s+)?"
        rf"(?P<phrase>{words})(?![\w-])", re.I)


# the outcome, or progress towards it, is the subject: "This result was achieved through …" is not a status
_SUBJECT = r"\b(?:(?:the|this)\s+outcome|progress\s+(?:towards?|on)\s+(?:the|this)\s+outcome)"
_VERB = r"(?:was|is|were|has\s+been|have\s+been|has|have|remains|remained)"
# "could not be achieved": the phrase read with a negation ("achieved" becomes not achieved)
_NEGATED = r"(?:could\s+not|cannot|can\s*not|was\s+not\s+able\s+to|did\s+not)\s+be"
# "the outcome is rated partially achieved", "was assessed as on track"
_RATED = r"(?:rated|considered|assessed\s+as|deemed|judged(?:\s+to\s+be)?|reported\s+as|classified\s+as)"
# a sentence that speaks of the outcome's progress in words the table does not have ("The outcome was
# mostly realised"): kept as the candidate, so the finding can quote it
_CANDIDATE = re.compile(rf"{_SUBJECT}\s+{_VERB}\s+(?:not\s+|only\s+|been\s+|largely\s+|mostly\s+)*[a-z-]+ed\b",
                        re.I)


def find_status(view: TextView, sents: list[Sentence] | None = None) -> StatusFact:
    """The first sentence that states the status; else "not-stated", with a candidate sentence if one
    seems to state it in words the table lacks."""
    table = phrases()
    pattern = _pattern()
    candidate = None
    for s in sents if sents is not None else sentences(view.text):
        m = pattern.search(s.text)
        if m:
            phrase = " ".join(w for w in m["phrase"].lower().split() if w not in ("been", "still"))
            span = view.to_source(s.start + m.start(), s.start + m.end())
            status = table[phrase]
            if m["negated"]:  # "could not be achieved", "could not be fully met"
                status = {"achieved": "not-achieved", "on-track": "delayed"}.get(status, status)
            return StatusFact(status, Evidence(span, view.to_source(s.start, s.end)))
        if candidate is None and (c := _CANDIDATE.search(s.text)):
            candidate = Evidence(view.to_source(s.start + c.start(), s.start + c.end()), view.to_source(s.start, s.end))
    return StatusFact("not-stated", None, candidate)
