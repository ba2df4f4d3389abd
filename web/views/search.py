"""Search: every label, acronym, notation and identifier, folded for case and accents."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kg.text import fold_key
from kg.uris import ONTOLOGY, IRIs
from kg.vocab import N, sparql_prologue
from web.urls import Urls
from web.views.model import KIND_NAMES

_KIND_RANK = {"org": 0, "place": 0, "sp": 0, "outcome": 0, "report": 0, "note": 1, "scheme": 1, "finding": 2,
              "figure": 2}
SEARCH_LABELS = sparql_prologue() + """SELECT ?s ?p ?l WHERE {
  VALUES ?p { skos:prefLabel skos:altLabel rdfs:label skos:notation dcterms:identifier rkg:iso3166Code }
  ?s ?p ?l .
  FILTER(isIRI(?s) && isLiteral(?l))
}"""


@dataclass
class Hit:
    iri: str
    href: str | None
    label: str
    matched: str | None
    kind: str
    rank: tuple


_LABEL_ORDER = {N.skos.prefLabel.value: 0, N.rdfs.label.value: 1, N.dcterms.identifier.value: 2,
                N.skos.notation.value: 3}


class SearchIndex:
    """Every label, acronym, notation and identifier, folded (case and accents), for one snapshot version."""

    def __init__(self, snapshot: Any, urls: Urls) -> None:
        self.version = getattr(snapshot, "version", None)
        self.urls = urls
        self.iris = iris = urls.iris
        names: dict[str, dict[str, list[str]]] = {}
        for row in snapshot.query(SEARCH_LABELS):
            s = row["s"].value
            if "#" in s[len(iris.base):] and s.startswith(iris.base):
                continue  # selectors and bodies are shown on their parent's page
            kind = _kind_of(iris, s)
            if kind in ("mention", "span"):
                continue  # a mention's label is the name of what it refers to, which is indexed
            names.setdefault(s, {}).setdefault(row["p"].value, []).append(row["l"].value)
        self.entries: list[tuple[str, str, str, str]] = []  # (folded key, text, subject, kind)
        self.labels: dict[str, str] = {}
        for s, by_prop in names.items():
            kind = _kind_of(iris, s)
            self.labels[s] = _display_label(kind, by_prop)
            for texts in by_prop.values():
                for text in dict.fromkeys(texts):
                    self.entries.append((fold_key(text), text, s, kind))

    def search(self, query: str, limit: int = 50) -> tuple[int, list[Hit]]:
        """(number of matches, the best ``limit``): exact, then prefix, word-prefix, substring, all words."""
        q = fold_key(query)
        if not q:
            return 0, []
        words = q.split()
        best: dict[str, tuple[int, str]] = {}
        for key, text, s, _kind in self.entries:
            if key == q:
                level = 0
            elif key.startswith(q):
                level = 1
            elif (" " + q) in (" " + re.sub(r"[^\w]+", " ", key)) or re.search(r"\b" + re.escape(q), key):
                level = 2
            elif q in key:
                level = 3
            elif len(words) > 1 and all(w in key for w in words):
                level = 4
            else:
                continue
            if s not in best or level < best[s][0]:
                best[s] = (level, text)
        hits = []
        for s, (level, text) in best.items():
            kind = _kind_of(self.iris, s)
            label = self.labels.get(s, text)
            rank = (level, _KIND_RANK.get(kind, 3), len(label), label.casefold(), s)
            hits.append(Hit(s, self.urls.href(s), label, text if fold_key(text) != fold_key(label) else None,
                            _kind_name(kind, s), rank))
        hits.sort(key=lambda h: h.rank)
        return len(hits), hits[:limit]


def _kind_of(iris: IRIs, iri: str) -> str:
    parsed = iris.parse(iri)
    if parsed is not None:
        return parsed.kind
    if iri.startswith(ONTOLOGY):
        return "term"
    return "other"


def _kind_name(kind: str, iri: str) -> str:
    if kind == "term":
        return "Ontology term"
    return KIND_NAMES.get(kind, "Resource")


def _display_label(kind: str, by_prop: dict[str, list[str]]) -> str:
    ordered = sorted(((rank, texts) for p, texts in by_prop.items() if (rank := _LABEL_ORDER.get(p)) is not None),
                     key=lambda kv: kv[0])
    label = ordered[0][1][0] if ordered else next(iter(by_prop.values()))[0]
    if kind == "sp":
        notation = (by_prop.get(N.skos.notation.value) or [None])[0]
        if notation and notation != label:
            return f"{notation}: {label}"
    return label
