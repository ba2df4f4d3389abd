"""Search: names, acronyms, codes and the full text of statements and narratives, from the full-text
index built with each store version (kg/store/index.py), ranked, with the matched words in context,
result types as facets, and pages."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.errors import InputError
from kg.store.index import SEARCH_TYPES, Hit, index_for
from web.views.reader import Reader

PAGE = 20  # hits per page
MAX_QUERY = 200  # characters searched; a longer text is refused with a 400 page
TYPE_NAMES = {"ProgressNote": "Progress note", "Outcome": "Outcome", "Report": "Report",
              "Organization": "Organisation", "Organisation": "Organisation", "Place": "Place", "Office": "Office",
              "QualityFinding": "Quality finding", "Figure": "Figure", "Activity": "IATI activity",
              "Indicator": "IATI indicator", "Concept": "Concept", "Observation": "Statistic", "": "Other"}


def type_name(t: str) -> str:
    return TYPE_NAMES.get(t) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", t).capitalize()


@dataclass
class Results:
    q: str
    type: str | None
    total: int
    page: int
    pages: int
    facets: list[tuple[str, str, int]] = field(default_factory=list)  # (type, its name, matches)
    hits: list[tuple[Hit, str | None, str, str]] = field(default_factory=list)  # (hit, href, type name, context)


def search(rd: Reader, q: str, type_: str | None, page: int) -> Results:
    if len(q) > MAX_QUERY:
        raise InputError(f"the search text is {len(q)} characters long; at most {MAX_QUERY} are searched: "
                         "shorten it to the words that matter", source="q")
    index = index_for(rd.snap)
    total, by_type, _ = index.search(q, limit=0)
    wanted = type_ if type_ in by_type else None
    matches = by_type.get(wanted, 0) if wanted else total
    pages = max(1, -(-matches // PAGE))
    page = min(max(page, 1), pages)
    _, _, hits = index.search(q, type_=wanted, limit=PAGE, offset=(page - 1) * PAGE)
    order = {t: i for i, t in enumerate(SEARCH_TYPES)}
    facets = sorted(((t, type_name(t), n) for t, n in by_type.items()), key=lambda f: (order.get(f[0], 99), f[1]))
    return Results(q, wanted, matches, page, pages, facets,
                   [(h, rd.urls.href(h.iri), type_name(h.type), rd.context_line(h.iri)) for h in hits])


def parse_page(value: Any) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1
