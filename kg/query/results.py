"""SPARQL results in the negotiated format, cut at the row cap.

Written by hand rather than with pyoxigraph's serializer because of the row cap: the
results are read one solution at a time and stop at ``max_rows``, which pyoxigraph's
``serialize`` (it takes the whole iterator) cannot do, and the same code must also cut
a remote store's streamed solutions.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.errors import QueryError
from kg.formats import BOOLEAN_TYPES, BY_MEDIA_TYPE, GRAPH_MEDIA_TYPES, RESULT_TYPES, serialize_triples
from kg.vocab import N

_NUMERIC = {t.value for t in (N.xsd.integer, N.xsd.decimal, N.xsd.double, N.xsd.boolean)}
_XSD_STRING = N.xsd.string.value
__all__ = ["BOOLEAN_TYPES", "GRAPH_MEDIA_TYPES", "RESULT_TYPES", "QueryResult", "serialize_boolean", "serialize_result",
           "serialize_select"]


@dataclass
class QueryResult:
    body: bytes
    media_type: str
    form: str
    truncated: bool = False


# ---- serialising results (runs in the executor) ------------------------------------------


def _term_json(t: Any) -> dict[str, str]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != _XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": {"subject": _term_json(t.subject), "predicate": _term_json(t.predicate),
                                        "object": _term_json(t.object)}}


def _term_xml(t: Any) -> str:
    if isinstance(t, ox.Triple):
        return (f"<triple><subject>{_term_xml(t.subject)}</subject><predicate>{_term_xml(t.predicate)}</predicate>"
                f"<object>{_term_xml(t.object)}</object></triple>")
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if t.language:
        return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
    if t.datatype.value != _XSD_STRING:
        return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
    return f"<literal>{escape(t.value)}</literal>"


def _term_tsv(t: Any) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.Literal) and t.datatype.value in _NUMERIC:
        return t.value
    return str(t).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def serialize_select(variables: list[str], rows: list[list[Any]], media_type: str) -> bytes:
    fmt = BY_MEDIA_TYPE[media_type].name if media_type in BY_MEDIA_TYPE else None
    if fmt == "results-json":
        bindings = [{v: _term_json(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if fmt == "results-xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head>\n<results>")
        for row in rows:
            out.append("<result>" + "".join(f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
                                            for v, t in zip(variables, row) if t is not None) + "</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8")
    if fmt == "results-csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        for row in rows:
            w.writerow(["" if t is None else ("_:" + t.value) if isinstance(t, ox.BlankNode)
                        else str(t) if isinstance(t, ox.Triple) else t.value for t in row])
        return buf.getvalue().encode("utf-8")
    if fmt == "results-tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join(_term_tsv(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise QueryError(f"cannot write SELECT results as {media_type}")


def serialize_boolean(value: bool, media_type: str) -> bytes:
    fmt = BY_MEDIA_TYPE.get(media_type)
    if fmt is not None and fmt.name == "results-xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    word = "true" if value else "false"
    if fmt is not None and fmt.name == "results-csv":  # no standard form: Jena's, which its clients read
        return f"_askResult\r\n{word}\r\n".encode()
    if fmt is not None and fmt.name == "results-tsv":
        return f"?_askResult\n{word}\n".encode()
    return json.dumps({"head": {}, "boolean": bool(value)}).encode("utf-8")


def serialize_result(res: Any, form: str, media_type: str | None, max_rows: int) -> QueryResult:
    """pyoxigraph results (from the embedded or a remote store) in the negotiated type, cut at ``max_rows``."""
    if isinstance(res, ox.QueryBoolean):
        mt = media_type if media_type in BOOLEAN_TYPES else BOOLEAN_TYPES[0]
        return QueryResult(serialize_boolean(bool(res), mt), mt, form)
    if isinstance(res, ox.QuerySolutions) or hasattr(res, "variables"):  # a remote store's solutions too
        variables = [v.value for v in res.variables]
        rows: list[list[Any]] = []
        truncated = False
        for sol in res:
            if len(rows) == max_rows:
                truncated = True
                break
            rows.append([sol[i] for i in range(len(variables))])
        mt = media_type if media_type in RESULT_TYPES else RESULT_TYPES[0]
        return QueryResult(serialize_select(variables, rows, mt), mt, form, truncated)
    triples = []
    truncated = False
    for t in res:
        if len(triples) == max_rows:
            truncated = True
            break
        triples.append(t)
    mt = media_type if media_type in GRAPH_MEDIA_TYPES else GRAPH_MEDIA_TYPES[0]
    body = serialize_triples(triples, mt)
    return QueryResult(body, mt, form, truncated)
