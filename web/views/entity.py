"""An entity's page: its types, properties, fragments, quotes, findings, incoming links and section.

The section (what a report, a partner or an IATI indicator page adds) comes from the
registry in ``web.views.sections``; this module imports none of the modules that fill it.
"""
from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from kg.formats import BY_MEDIA_TYPE, GRAPH_MEDIA_TYPES
from kg.vocab import RKG_NS, N
from web.views.model import (
    KIND_NAMES,
    Entity,
    Fragment,
    IncomingGroup,
    PropertyValues,
    Quote,
    Value,
    compact,
    expand,
    is_fragment,
    local_name,
)
from web.views.reader import ONTOLOGY_GRAPH, Reader
from web.views.sections import section_for

PAGE_SIZE = 50  # incoming links per property per page
DOWNLOADS = [BY_MEDIA_TYPE[m] for m in GRAPH_MEDIA_TYPES]  # what an entity page offers its description in


def entity(rd: Reader, iri: str, kind: str | None, page: int = 1, page_prop: str | None = None) -> Entity | None:
    """Everything an entity's page shows, or None if the IRI is in no triple; ``kind`` picks its section."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return None
    outgoing = list(dict.fromkeys(q.triple for q in rd.snap.quads(node, None, None, None)))
    incoming = _incoming(rd, node, page, page_prop)
    if not outgoing and not incoming:
        return None
    types = [t.object for t in outgoing if t.predicate == N.rdf.type]
    type_values = sorted((_class_value(rd, t) for t in types),
                         key=lambda v: (not (v.iri or "").startswith(RKG_NS), v.text))
    properties = _properties(rd, [t for t in outgoing if t.predicate != N.rdf.type])
    fragments = []
    nested = {t.object for t in outgoing if is_fragment(t.object, iri)}
    for frag in sorted(nested, key=lambda n: str(n)):
        triples = list(dict.fromkeys(q.triple for q in rd.snap.quads(frag, None, None, None)))
        anchor = frag.value.split("#", 1)[1] if isinstance(frag, ox.NamedNode) else "b-" + frag.value
        fragments.append(Fragment(anchor, str(frag.value), _properties(rd, triples)))
    path = rd.urls.entity(iri)
    entity = Entity(
        iri=iri, path=path, kind=kind,
        kind_name=KIND_NAMES.get(kind or "", type_values[0].text if type_values else "Resource"),
        label=rd.label(iri), types=type_values, properties=properties, fragments=fragments,
        quotes=_quotes(rd, node, kind), findings=rd.findings_about([node]), incoming=incoming,
        downloads=[(f.label, rd.urls.entity_format(iri, f.extensions[0]), f.media_type) for f in DOWNLOADS]
        if path else [],
    )
    entity.section = section_for(rd, kind, node)
    return entity


def _class_value(rd: Reader, term: Any) -> Value:
    v = rd.value(term)
    if isinstance(term, ox.NamedNode):
        v.text = rd.text(term, N.rdfs.label, ONTOLOGY_GRAPH) or local_name(term.value)
    return v


def _properties(rd: Reader, triples: list[ox.Triple]) -> list[PropertyValues]:
    rd.snap.prefetch([t.object for t in triples] + [t.predicate for t in triples])
    by_prop: dict[str, list[Any]] = {}
    for t in triples:
        by_prop.setdefault(t.predicate.value, []).append(t.object)
    out = [PropertyValues(p, rd.prop_label(p), compact(p), rd.values(dict.fromkeys(objs)))
           for p, objs in by_prop.items()]
    first = [t.value for t in (N.skos.prefLabel, N.skos.altLabel, N.rdfs.label, N.dcterms.identifier, N.skos.notation)]
    return sorted(out, key=lambda pv: (first.index(pv.iri) if pv.iri in first else len(first),
                                       pv.label.casefold()))


def _incoming(rd: Reader, node: ox.NamedNode, page: int, page_prop: str | None) -> list[IncomingGroup]:
    """What links to ``node``, by property, a page of subjects each. One index lookup, grouped here: a
    partner is the object of thousands of triples, and an aggregate query costs far more than reading them."""
    by_prop: dict[str, set[Any]] = {}
    for q in rd.snap.quads(None, None, node, None):
        by_prop.setdefault(q.predicate.value, set()).add(q.subject)
    groups = []
    for p, found in by_prop.items():
        count = len(found)
        pages = max(1, -(-count // PAGE_SIZE))
        wanted = page if page_prop is None or expand(page_prop) == p else 1
        current = min(max(wanted, 1), pages)
        start = (current - 1) * PAGE_SIZE
        subjects = sorted(found, key=_term_order)[start:start + PAGE_SIZE]
        rd.snap.prefetch(subjects)
        items = [rd.value(s) for s in subjects]
        param = compact(p) or p
        groups.append(IncomingGroup(p, rd.prop_label(p), compact(p), param,
                                    "in-" + re.sub(r"[^A-Za-z0-9_-]+", "-", param), count, current, pages,
                                    items, source_text=p == N.oa.hasSource.value))
    return sorted(groups, key=lambda g: (g.label.casefold(), g.iri))


def _term_order(term: Any) -> tuple[int, str]:
    """SPARQL's ORDER BY for subjects: blank nodes first, then IRIs by their text."""
    return (0 if isinstance(term, ox.BlankNode) else 1, term.value)

# -- provenance --


def _quotes(rd: Reader, node: ox.NamedNode, kind: str | None) -> list[Quote]:
    spans: list[tuple[Any, str]] = []
    if kind == "span" or N.rkg.TextSpan in rd.objects(node, N.rdf.type):
        spans.append((node, "This span"))
    spans += [(s, "Read from") for s in rd.objects(node, N.prov.wasDerivedFrom)]
    spans += [(s, "Status stated in") for s in rd.objects(node, N.rkg.statusEvidence)]
    out = []
    for span, role in spans:
        q = rd.quote(span, role)
        if q is not None:
            out.append(q)
    return out
