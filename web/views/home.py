"""The home page: how many of each kind of thing the dataset holds, and its reports."""
from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.vocab import N, sparql_prologue
from web.views.reader import Reader

_Q = sparql_prologue()
CLASS_COUNTS = _Q + "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c"
REPORTS = _Q + """SELECT ?r ?year ?country (COUNT(DISTINCT ?note) AS ?notes) WHERE {
  ?r a rkg:Report .
  OPTIONAL { ?r rkg:year ?year }
  OPTIONAL { ?r rkg:country ?country }
  OPTIONAL { ?note a rkg:ProgressNote ; rkg:reportedIn ?r }
} GROUP BY ?r ?year ?country"""

IATI_CLASSES = [(N.rkg.Activity, "IATI activities"), (N.rkg.IatiResult, "IATI results"),
                (N.rkg.Indicator, "Indicators"), (N.rkg.IndicatorValue, "Baselines, targets and actuals")]


def summary(rd: Reader) -> dict[str, Any]:
    counts = {r["c"].value: int(r["n"].value) for r in rd.snap.query(CLASS_COUNTS)
              if isinstance(r["c"], ox.NamedNode)}
    # the IATI classes only when there are some (what the reports describe: the lists, web/views/lists.py)
    classes = [(name, counts[c.value], c.value) for c, name in IATI_CLASSES if counts.get(c.value)]
    reports = []
    for r in rd.snap.query(REPORTS):
        country = r["country"]
        reports.append({"report": rd.value(r["r"]), "year": r["year"].value if r["year"] else "",
                        "country": rd.value(country) if country is not None else None,
                        "notes": int(r["notes"].value)})
    reports.sort(key=lambda x: (x["country"].text if x["country"] else "", x["year"]))
    return {"classes": classes, "reports": reports, "triples": len(rd.snap) if hasattr(rd.snap, "__len__")
            else None}


def class_query(class_iri: str) -> str:
    """A query listing the instances of a class (for the home page's counts to link to)."""
    return (sparql_prologue(["rdfs"]) +
            f"SELECT ?item ?label WHERE {{\n  ?item a {ox.NamedNode(class_iri)} .\n"
            "  OPTIONAL { ?item rdfs:label ?label }\n}\nORDER BY ?item\nLIMIT 100\n")
