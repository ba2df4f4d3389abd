"""Page sections by kind of entity: what a page shows beyond the entity's own triples.

Each view module registers the sections it knows (``@section("report")``), so the
entity page asks this registry and imports none of them; the app factory imports
the package ``web.views`` imports the modules that register (``notes``, ``iati``). Several
sections may serve one kind: their dictionaries are merged, and must not share a key.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from web.views.reader import Reader

Section = Callable[[Reader, ox.NamedNode], dict[str, Any]]
_SECTIONS: dict[str, list[Section]] = {}


def section(*kinds: str) -> Callable[[Section], Section]:
    """Register a function as (part of) the section of pages of these IRI kinds."""
    def register(fn: Section) -> Section:
        for kind in kinds:
            _SECTIONS.setdefault(kind, []).append(fn)
        return fn
    return register


def section_for(reader: Reader, kind: str | None, node: ox.NamedNode) -> dict[str, Any]:
    """What the registered sections of ``kind`` show about ``node`` (empty for kinds with none)."""
    out: dict[str, Any] = {}
    for fn in _SECTIONS.get(kind or "", []):
        part = fn(reader, node)
        clash = out.keys() & part.keys()
        if clash:  # two modules fill the same part of one page: a programming error, not a page to show
            raise RuntimeError(f"sections of {kind!r} pages both give {sorted(clash)}")
        out.update(part)
    return out
