"""Every IRI the project mints, and the inverse that parses them back.

IRIs are deterministic (the same input always gives the same IRI) and readable.
The base is a setting (``KG_BASE_IRI``); the web app routes ``/id/<rest>`` with
``parse`` so that every minted IRI resolves.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from rdflib import URIRef

from kg.errors import UsageError


DEFAULT_BASE = "https://w3id.org/results-kg/id/"
ONTOLOGY = "https://w3id.org/results-kg/def"

# kind -> path template; each {} is one path segment
_TEMPLATES: dict[str, str] = {
    "report": "report/{}",
    "note": "note/{}/{}",
    "figure": "note/{}/{}/figure/{}",
    "mention": "note/{}/{}/mention/{}",
    "finding": "finding/{}/{}",
    "span": "span/{}/{}",
    "outcome": "outcome/{}/{}",
    "org": "org/{}",
    "place": "place/{}",
    "sp": "sp/{}",
    "scheme": "scheme/{}",
    "graph": "graph/{}",
    "report-graph": "graph/report/{}",
}
_BASE = re.compile(r"^https?://(?:[^\s<>\"{}|\\^`?#%]|%[0-9A-Fa-f]{2})+/$")
_SAFE_CHARS = "-._~:@!$&'()*+,;="
_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")
_PATTERNS = [
    (kind, re.compile("^" + re.escape(t).replace(r"\{\}", "([^/]+)") + "$"))
    for kind, t in sorted(_TEMPLATES.items(), key=lambda kv: -kv[1].count("/"))
]


@dataclass(frozen=True)
class Parsed:
    kind: str
    keys: tuple[str, ...]


def statement_digest(statement: str) -> str:
    """Short hash of an outcome statement (whitespace collapsed, nothing else changed).

    Part of the outcome's identity (DOMAIN.md: the same identifier is reused with a
    different statement in a later strategic-note period). Hashing the statement as
    published, rather than a looser form, keeps one rkg:statement per outcome IRI.
    """
    core = " ".join(statement.split())
    return hashlib.sha256(core.encode("utf-8")).hexdigest()[:8]


class IRIs:
    """Mints IRIs under one base."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        if not _BASE.match(base):
            raise UsageError(f"base IRI {base!r} must be an http(s) IRI ending in '/', "
                             "without '?', '#' or malformed %-escapes")
        self.base = base

    def _mint(self, kind: str, *keys: object) -> URIRef:
        segs = [k if isinstance(k, str) and _SAFE.match(k) else quote(str(k), safe=_SAFE_CHARS) for k in keys]
        return URIRef(self.base + _TEMPLATES[kind].format(*segs))

    def report(self, report_key: str) -> URIRef:
        return self._mint("report", report_key)

    def report_graph(self, report_key: str) -> URIRef:
        return self._mint("report-graph", report_key)

    def graph(self, name: str) -> URIRef:
        return self._mint("graph", name)

    def outcome(self, identifier: str, statement: str) -> URIRef:
        return self._mint("outcome", identifier, statement_digest(statement))

    def note(self, report_key: str, identifier: str) -> URIRef:
        return self._mint("note", report_key, identifier)

    def figure(self, report_key: str, identifier: str, index: int) -> URIRef:
        return self._mint("figure", report_key, identifier, index + 1)

    def mention(self, report_key: str, identifier: str, start: int) -> URIRef:
        return self._mint("mention", report_key, identifier, start)

    def finding(self, report_key: str, index: int) -> URIRef:
        return self._mint("finding", report_key, index + 1)

    def span(self, report_key: str, start: int, end: int) -> URIRef:
        return self._mint("span", report_key, f"{start}-{end}")

    def selector(self, report_key: str, start: int, end: int, which: str) -> URIRef:
        """A span's position or quote selector: a fragment of the span's IRI, described on its page."""
        return URIRef(f"{self.span(report_key, start, end)}#{which}")

    def finding_body(self, report_key: str, index: int) -> URIRef:
        return URIRef(f"{self.finding(report_key, index)}#body")

    def org(self, key: str) -> URIRef:
        return self._mint("org", key)

    def place(self, key: str) -> URIRef:
        return self._mint("place", key)

    def sp(self, code: str) -> URIRef:
        return self._mint("sp", code)

    def scheme(self, name: str) -> URIRef:
        return self._mint("scheme", name)

    def parse(self, iri: str) -> Parsed | None:
        """(kind, keys) of an IRI minted here, or None for any other IRI."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :].split("#", 1)[0]
        for kind, pattern in _PATTERNS:
            m = pattern.match(rest)
            if m:
                return Parsed(kind, tuple(unquote(g) for g in m.groups()))
        return None
