"""Checking a user's query before anything runs it: size, form, read-only, no federation.

``inspect`` tokenizes the text the way SPARQL's grammar does (so nothing hides a keyword);
``check_query`` parses it with rdflib for the remote store, whose engine runs outside our
sandbox, and refuses SERVICE and extension functions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.errors import QueryError, ReadOnly
from kg.vocab import N

_UPDATE = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_NAME_CHARS = re.compile(r"(?:[\w\-.:%]|\\[_~.\-!$&'()*+,;=/?#@%])+")
_VARNAME = re.compile(r"[\w\u00B7\u0300-\u036F\u203F-\u2040]+")
_LANGTAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")


def _unescape(sparql: str) -> str:
    """SPARQL allows \\u escapes anywhere in the query text (they are undone before parsing)."""
    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"invalid escape {m.group(0)}: not a Unicode character")
        return chr(code)
    return _UCHAR.sub(char, sparql)


def _words(sparql: str) -> list[str]:
    """The bare words (keywords) of a query, found by a tokenizer that follows SPARQL's terminals.

    Comments, strings, IRIs, variables, language tags and prefixed names (with their escapes,
    such as ``ex:a\\#``) are skipped as whole tokens, so nothing can hide a keyword from this
    scan. A variable ends where SPARQL's VARNAME ends (``?o.SERVICE`` is ``?o``, ``.``,
    ``SERVICE``), and a bare word never holds a ``.`` or ``-`` (``true.SERVICE`` gives both words).
    """
    return _scan(_unescape(sparql))


def _scan(s: str) -> list[str]:
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
        elif c == "#":
            j = s.find("\n", i)
            i = n if j < 0 else j + 1
        elif c in "\"'":
            quote = s[i : i + 3] if s[i : i + 3] in ('"""', "\'\'\'") else c
            j = i + len(quote)
            while j < n and not s.startswith(quote, j):
                j += 2 if s[j] == "\\" else 1
            i = j + len(quote)
        elif c == "<" and (m := _IRIREF.match(s, i)):
            i = m.end()
        elif c in "?$":
            m = _VARNAME.match(s, i + 1)
            i = m.end() if m else i + 1
        elif c == "@":  # a language tag
            m = _LANGTAG.match(s, i + 1)
            i = m.end() if m else i + 1
        elif c.isalpha() or c in "_:\\":
            m = _NAME_CHARS.match(s, i)
            # a name never ends in '.': a final '.' ends the triple pattern and is read next
            token = (m.group(0) if m else c).rstrip(".") or c
            i += len(token)
            if ":" not in token and "\\" not in token:
                out.extend(part.upper() for part in re.split(r"[.\-]", token) if part)
        else:
            i += 1
    return out


@dataclass(frozen=True)
class Inspection:
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    has_dataset: bool = False  # the query names its own dataset (FROM / FROM NAMED)
    volatile: bool = False  # it asks for the time, a random number or fresh identifiers: never answer from a cache


_VOLATILE = frozenset({"NOW", "RAND", "UUID", "STRUUID", "BNODE"})  # built-ins whose answer changes per call


def inspect(sparql: str, max_length: int) -> Inspection:
    """Check a query before anything runs it: size, read-only, no federated SERVICE."""
    if len(sparql) > max_length:
        raise QueryError(f"query is {len(sparql):,} characters long; the limit is {max_length:,}")
    if not sparql.strip():
        raise QueryError("empty query")
    words = _words(sparql)
    # \u escapes are undone before parsing by the SPARQL spec, but some engines undo them only in
    # strings and IRIs: read the text both ways, and refuse what either reading finds
    for reading in (words, _scan(sparql)):
        if "SERVICE" in reading:
            raise QueryError("federated queries (SERVICE) are not allowed: this endpoint makes no outbound requests")
        first_update = next((i for i, w in enumerate(reading) if w in _UPDATE), None)
        if first_update is not None and not _FORMS & set(reading[:first_update]):
            raise ReadOnly("this endpoint is read-only: SPARQL updates are not accepted")
    volatile = bool(_VOLATILE & (set(words) | set(_scan(sparql))))
    for w in words:
        if w in _FORMS:
            return Inspection(w, "FROM" in words, volatile)
        if w in _UPDATE:
            raise ReadOnly("this endpoint is read-only: SPARQL updates are not accepted")
        if w not in ("PREFIX", "BASE"):
            break
    raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue")


def form_of(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword (the library's own queries, unchecked)."""
    return next((w for w in _words(sparql) if w in _FORMS), "SELECT")


_XSD_NS = N.xsd.namespace


def check_query(sparql: str, base_iri: str | None = None) -> None:
    """Parse a user's query here, without running it, and refuse what must not reach the remote.

    rdflib's parser gives the algebra with every IRI resolved, so nothing can hide in escapes,
    comments or odd spacing: the query is refused if it contains a SERVICE pattern, or calls
    an extension function (any function IRI but an XSD cast). Engines attach their own
    functions to IRIs and some reach outside: Virtuoso's ``bif:http_get`` fetches URLs, and
    the remote runs outside our sandbox. SPARQL's own functions are keywords, not IRIs, so a
    standard query never needs one. A syntax error is our 400, never the remote's.
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        algebra = translateQuery(parseQuery(sparql), base=base_iri).algebra
    except Exception as e:  # noqa: BLE001 - pyparsing and rdflib raise many types; all mean "cannot read"
        msg = " ".join(str(e).split())[:300]
        raise QueryError(f"SPARQL syntax error (or a construct this endpoint cannot check): {msg}") from None
    stack, seen = [algebra], set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, CompValue):
            if x.name == "ServiceGraphPattern":
                raise QueryError("federated queries (SERVICE) are not allowed: this endpoint makes no outbound "
                                 "requests")
            iri = x.get("iri") if x.name == "Function" else None
            if iri is not None and not str(iri).startswith(_XSD_NS):
                raise QueryError(f"calls to extension functions such as <{iri}> are not allowed: the remote store "
                                 "may let them reach the network or its files; use SPARQL 1.1's built-in functions")
            stack.extend(x.values())
        elif isinstance(x, (list, tuple, set)):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
