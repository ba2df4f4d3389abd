"""Every web path the app builds, in one place (datasette's ``Urls`` is the model).

Entity pages live at ``/id/<rest>`` for the IRI ``<base><rest>``, ontology terms at
``/def#<name>``, the endpoint at ``/sparql``, dumps at ``/dumps/<file>``. Handlers and
views ask this module for links and never concatenate paths themselves; ``/id/``
requests are turned back into IRIs here and checked with the IRI parser.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

from kg.uris import ONTOLOGY, IRIs, Parsed
from kg.vocab import RKG_NS, SDMX_CODE

ID = "/id/"
DEF = "/def"
SPARQL = "/sparql"
QUERY = "/query"
DUMPS = "/dumps/"
VOID = "/.well-known/void"
ABOUT = "/about"  # the page of a code concept we publish but did not mint (?iri=...)
# concepts of others' vocabularies the graph describes (labels, schemes) and pages link to: the SDMX sex codes
DESCRIBED_HERE = (str(SDMX_CODE._NS),)
_SAFE = "-._~:@!$&'()*+,;=/"


class Urls:
    """Paths (and, given the request's root, absolute URLs) of everything the app serves."""

    def __init__(self, iris: IRIs) -> None:
        self.iris = iris

    # ---- entities ------------------------------------------------------------------------
    def entity(self, iri: str) -> str | None:
        """The browsable path of an IRI minted under our base (``<base>rest`` → ``/id/rest``), else None."""
        base = self.iris.base
        if not iri.startswith(base) or len(iri) == len(base):
            return None
        return ID + iri[len(base):]

    def about(self, iri: str) -> str:
        """The page here of a concept of another vocabulary that the graph describes."""
        return f"{ABOUT}?{urlencode({'iri': iri})}"

    def entity_format(self, iri: str, extension: str) -> str | None:
        """The explicit-format URL of an entity (``/id/rest.ttl``)."""
        path = self.entity(iri)
        return path + extension if path is not None else None

    def href(self, iri: str) -> str | None:
        """Where a link to an IRI goes: its page here, the ontology page for our terms, else the IRI itself.

        Only http(s) IRIs become links (an IRI such as ``javascript:…`` in the data is shown, never linked).
        """
        path = self.entity(iri)
        if path is not None:
            return path
        if iri in (ONTOLOGY, RKG_NS):
            return DEF
        if iri.startswith(RKG_NS):
            return self.term(iri[len(RKG_NS):])
        if iri.startswith(DESCRIBED_HERE):
            return self.about(iri)
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def candidates(self, rest: str, raw: str | None = None) -> list[str]:
        """The IRIs an ``/id/<rest>`` request may name: as sent, as minted (percent-encoded), as written.

        ``raw`` is the path as the client sent it: the server has already decoded ``%2F`` in ``rest``
        to ``/``, which an IATI identifier such as ``XM-DAC-41146-MLI/2021`` needs kept. A server that
        does not pass the raw path on (Granian) gets, last, each form with one run of consecutive
        slashes put back as ``%2F``: a key is one segment, so one run is enough.
        """
        base = self.iris.base
        out = ([base + raw] if raw else []) + [base + quote(rest, safe=_SAFE), base + rest]
        if raw is None and rest.count("/") > 1:
            parts = quote(rest, safe=_SAFE).split("/")
            for i in range(1, len(parts) - 1):
                for j in range(i + 1, len(parts)):
                    out.append(base + "/".join(parts[:i] + ["%2F".join(parts[i:j + 1])] + parts[j + 1:]))
        return list(dict.fromkeys(out))

    def parse(self, iri: str) -> Parsed | None:
        """What kind of entity an IRI names (None for IRIs under our base that we did not mint)."""
        return self.iris.parse(iri)

    # ---- the ontology, the endpoint, the browser -----------------------------------------
    def term(self, name: str) -> str:
        return f"{DEF}#{name}"

    def sparql(self, query: str | None = None, **params: str) -> str:
        args = ({"query": query} if query is not None else {}) | params
        return SPARQL + ("?" + urlencode(args) if args else "")

    def dump(self, name: str) -> str:
        return DUMPS + name

    def void(self, fragment: str | None = None) -> str:
        return VOID + (f"#{fragment}" if fragment else "")

    @staticmethod
    def absolute(root: str, path: str) -> str:
        """``path`` under the service's root URL (``request.url_root``)."""
        return root.rstrip("/") + path
