"""Content negotiation in one function: q-values, wildcards, a format override, a default.

It only matches: what each format is called (aliases, generic media types) is in ``kg.formats``.
"""
from __future__ import annotations

from kg import formats
from kg.errors import NotAcceptable


def jsonld_profile(header: str | None) -> str:
    """The JSON-LD form an Accept header asks for with the ``profile`` parameter of the JSON-LD media type
    (JSON-LD 1.1, section 9): "expanded" when it names ``#expanded``, else "compacted" (what we write is
    compacted and flattened at once, so ``#flattened`` and ``#compacted`` get the same document)."""
    names: set[str] = set()
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        if fields[0].lower() != formats.JSONLD.media_type:
            continue
        for f in fields[1:]:
            if f.lower().startswith("profile="):
                names |= {iri[len(formats.JSONLD_PROFILE):] for iri in f[len("profile="):].strip('"').split()
                          if iri.startswith(formats.JSONLD_PROFILE)}
    return "expanded" if "expanded" in names else "compacted"


def jsonld_content_type(profile: str) -> str:
    """The Content-Type naming the form sent (a client that asked for one can check it got it)."""
    return f'{formats.JSONLD.media_type}; profile="{formats.JSONLD_PROFILE}{profile}"'


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """(media range, q, position) for each entry of an Accept header; malformed q counts as 0."""
    out = []
    for pos, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
                q = min(max(q, 0.0), 1.0)
        out.append((media, q, pos))
    return out


def _specificity(media_range: str, offered: str) -> int | None:
    if media_range == offered:
        return 3
    fmt = formats.BY_MEDIA_TYPE.get(offered)
    if fmt is not None and "/" in media_range and media_range in fmt.aliases:  # application/x-turtle, text/n3
        return 3
    if fmt is not None and media_range in fmt.generic:  # "application/json" from a generic client
        return 2
    kind = media_range.split("/")[0]
    if media_range.endswith("/*") and offered.startswith(kind + "/"):
        return 1
    if media_range == "*/*":
        return 0
    return None


def negotiate(accept: str | None, available: list[str], *, default: str | None = None,
              override: str | list[str] | None = None) -> str:
    """Pick the media type to send.

    ``override`` (a ``?format=`` value or file extension) wins if this resource can produce it;
    one it cannot is set aside for the Accept header (SPARQLWrapper sends ``format=xml`` with
    ``Accept: application/rdf+xml`` for a CONSTRUCT: "xml" names results XML elsewhere, RDF/XML
    here). Otherwise the offered type with the highest q from its most specific matching range;
    ties go to the client's order, then ours. ``*/*`` alone gives ``default``. Raises
    ``NotAcceptable`` listing what is available.
    """
    overrides = [override] if isinstance(override, str) else list(override or [])
    overrides = [o for o in overrides if o]
    for o in overrides:  # clients such as SPARQLWrapper send several spellings: the first we can produce wins
        for part in o.split(","):
            for fmt in formats.named(part):
                if fmt.media_type in available:
                    return fmt.media_type
            if part.strip().lower() in available:
                return part.strip().lower()
    ranges = parse_accept(accept)
    if default and all(m == "*/*" and q > 0 for m, q, _ in ranges):
        return default
    best: tuple[float, int, int, int] | None = None
    choice = None
    for i, offered in enumerate(available):
        match = None
        for media, q, pos in ranges:
            spec = _specificity(media, offered)
            if spec is not None and (match is None or spec > match[0]):
                match = (spec, q, pos)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], match[0], -match[2], -i)
        if best is None or key > best:
            best, choice = key, offered
    if choice is None:
        raise NotAcceptable(f"none of the requested media types is available; available: {', '.join(available)}")
    return choice
