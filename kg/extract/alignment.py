"""Link an outcome to a UN Women Strategic Plan output."""
from __future__ import annotations

import re

from kg.extract.model import AlignmentFact

# "(related to SP_D_1.2: More national …)", "(Related to SP_D_4.1 : …)"
_TRUNCATED = re.compile(r"\s+\(?related(?:\s+to)?\s*\.?\s*$", re.I)
_RELATED = re.compile(r"\(\s*related\s+to\s+(?P<code>SP_[DO]_[0-9][0-9A-Za-z.]*?)\s*:\s*(?P<title>[^()]+?)\s*\)", re.I)


def find_alignment(statement: str, statement_start: int, source_statement: str,
                   kind: str, number: str) -> AlignmentFact:
    """Explicit alignment from the statement, else inferred from the identifier suffix.

    ``source_statement`` is the statement exactly as in the source (offsets), while
    ``statement`` may have its whitespace normalised.
    """
    m = _RELATED.search(source_statement)
    if m:
        title = " ".join(m["title"].split()).rstrip(".")
        return AlignmentFact(m["code"], title, False,
                             (statement_start + m.start(), statement_start + m.end()))
    return AlignmentFact(f"SP_{kind}_{number}", None, True, None)


def strip_alignment(statement: str) -> str:
    """The statement without its "(related to …)" tail, for identity and display."""
    core = _RELATED.sub("", statement)
    core = _TRUNCATED.sub("", core)  # "… decent jobs Related." lost its tail in the source
    return core.strip().rstrip(".").strip() or statement
