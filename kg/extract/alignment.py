"""Link an outcome to a UN Women Strategic Plan output."""
from __future__ import annotations

import re

from kg.extract.model import AlignmentFact

# "(related to SP_D_1.2: More national …)", "(Related to SP_D_4.1 : …)"
_TRUNCATED = re.compile(r"\s+\(?related(?:\s+to)?\s*\.?\s*$", re.I)
_RELATED = re.compile(r"\(\s*related\s+to\s+(?P<code>SP_[DO]_[0-9][0-9A-Za-z.]*?)\s*:\s*(?P<title>[^()]+?)\s*\)", re.I)


# The identifier suffix (…MLI_D_2.1) matches the output codes of the 2018–2021 Strategic
# Plan (DOMAIN.md); the 2022–2025 plan numbers its results SP_D_0.x, so a suffix says
# nothing about a later report's alignment and we infer none there.
INFERENCE_YEARS = range(2018, 2022)


def find_alignment(statement_start: int, source_statement: str, kind: str, number: str,
                   year: int) -> AlignmentFact | None:
    """Explicit alignment from the statement, else inferred from the identifier suffix.

    ``source_statement`` is the statement exactly as in the source, so the span is exact.
    """
    m = _RELATED.search(source_statement)
    if m:
        title = " ".join(m["title"].split()).rstrip(".")
        return AlignmentFact(m["code"], title, False,
                             (statement_start + m.start(), statement_start + m.end()))
    if year in INFERENCE_YEARS:
        return AlignmentFact(f"SP_{kind}_{number}", None, True, None)
    return None


def strip_alignment(statement: str) -> str:
    """The statement without its "(related to …)" tail, for identity and display."""
    core = _RELATED.sub("", statement)
    core = _TRUNCATED.sub("", core)  # "… decent jobs Related." lost its tail in the source
    return core.strip().rstrip(".").strip() or statement
