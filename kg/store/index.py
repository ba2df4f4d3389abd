"""The browse index: who and what each progress note involves, as SQLite tables, per store version.

A partner page at 1,000 reports lists a partner named in about 900 progress notes; asking the
graph which notes, in which countries and years, costs one lookup per note (85 ms at 1,000
reports, 10 times that at 10,000), and adding up the people its outcomes reached costs a lookup
per outcome observation on top. The index answers both with one indexed SQL query, whatever the
size of the corpus.

It is derived, never a source: every row comes from the published graph by the queries below,
the people-reached numbers from the statistics cube (``kg/rdf/cube.py``), so a page reading the
index says what the graph and the cube say. It is built with each version of the embedded store
(``versions/vNNNNNN.index.sqlite``, written before the version is published) and, for a remote
store or a version that has none, on first use into the user's cache folder, keyed by the
store's location and version.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.text import fold_key
from kg.vocab import N, sparql_prologue

SCHEMA_VERSION = "7"
INDEX_SUFFIX = ".index.sqlite"  # beside a version's folder: versions/v000003.index.sqlite
KINDS = ("org", "place", "sp")  # what a progress note involves: partners, places, Strategic Plan concepts
_Q = sparql_prologue()
# every progress note with what a row of a list shows and sorts by; an optional part is evaluated
# once for the whole corpus and joined, so the query is linear in the number of notes
NOTES = _Q + """SELECT ?note ?outcome ?identifier ?outcomeId ?year ?report ?country ?office ?status ?inferred WHERE {
  ?note a rkg:ProgressNote ; rkg:reportedIn ?report .
  OPTIONAL { ?note rkg:about ?outcome OPTIONAL { ?outcome dcterms:identifier ?outcomeId } }
  OPTIONAL { ?note dcterms:identifier ?identifier }
  OPTIONAL { ?note rkg:year ?year }
  OPTIONAL { ?report rkg:country ?country }
  OPTIONAL { ?report rkg:office ?office }
  OPTIONAL { ?note rkg:status ?status }
  OPTIONAL { ?note rkg:alignmentInferred ?inferred }
}"""
FIGURES = _Q + "SELECT ?note (COUNT(DISTINCT ?f) AS ?n) WHERE { ?note rkg:figure ?f } GROUP BY ?note"
AREA_LABELS = _Q + """SELECT ?area ?label ?code WHERE {
  { ?r rkg:country ?area } UNION { ?area a rkg:Office }
  OPTIONAL { ?area skos:prefLabel ?label } OPTIONAL { ?area skos:notation ?code } }"""
EDGES = {
    "org": _Q + "SELECT ?note ?x WHERE { ?note rkg:partner ?x }",
    "place": _Q + "SELECT ?note ?x WHERE { ?note rkg:place ?x }",
    "sp": _Q + "SELECT ?note ?x WHERE { ?note rkg:alignedTo ?x }",
}
# what contains what: a note naming a place involves the places that contain it, one aligned to a
# Strategic Plan output involves its broader concepts
PARENTS = {"place": _Q + "SELECT ?x ?parent WHERE { ?x rkg:within ?parent }",
           "sp": _Q + "SELECT ?x ?parent WHERE { ?x skos:broader ?parent }"}
AREA_OBSERVATIONS = _Q + """SELECT ?obs ?area ?year ?sex ?n ?upTo ?label WHERE {
  ?ds dcterms:identifier "people-reached" .
  ?obs qb:dataSet ?ds ; rkg:refArea ?area ; rkg:refYear ?year ; rkg:sex ?sex ;
       rkg:peopleReached ?n ; rkg:upperBound ?upTo .
  OPTIONAL { ?obs rdfs:label ?label } }"""
OUTCOME_OBSERVATIONS = _Q + """SELECT ?obs ?outcome ?area ?year ?sex ?n ?upTo ?label WHERE {
  ?ds dcterms:identifier "people-reached-by-outcome" .
  ?obs qb:dataSet ?ds ; rkg:outcome ?outcome ; rkg:refArea ?area ; rkg:refYear ?year ; rkg:sex ?sex ;
       rkg:peopleReached ?n ; rkg:upperBound ?upTo .
  OPTIONAL { ?obs rdfs:label ?label } }"""
# what search finds: every name, acronym, code and identifier, and the text of statements and narratives
NAMES = _Q + """SELECT ?s ?p ?l WHERE {
  VALUES ?p { skos:prefLabel skos:altLabel rdfs:label skos:notation dcterms:identifier rkg:iso3166Code }
  ?s ?p ?l . FILTER(isIRI(?s) && isLiteral(?l)) }"""
TEXTS = _Q + """SELECT ?s ?t WHERE { VALUES ?p { rkg:statement rkg:narrative } ?s ?p ?t . FILTER(isIRI(?s)) }"""
TYPES = _Q + """SELECT ?s ?type WHERE { ?s a ?type . FILTER(isIRI(?s)) }"""
# the type a hit is listed under, most specific first; anything else is "Other"
SEARCH_TYPES = ["ProgressNote", "Outcome", "Report", "Organization", "Place", "Office", "QualityFinding", "Figure",
                "Activity", "Indicator", "Concept"]
_LABEL_RANK = [N.skos.prefLabel.value, N.rdfs.label.value, N.dcterms.identifier.value, N.skos.notation.value]
# the list pages (web/views/lists.py): one row per item, with the values its facets filter on
LIST_ROWS = {
    "reports": _Q + """SELECT ?x ?label ?a ?b ?c ?n WHERE { ?x a rkg:Report .
        OPTIONAL { ?x rdfs:label ?label } OPTIONAL { ?x rkg:year ?b }
        OPTIONAL { ?x rkg:country/skos:prefLabel ?a } OPTIONAL { ?x rkg:office ?c }
        OPTIONAL { SELECT ?x (COUNT(?note) AS ?n) WHERE { ?note rkg:reportedIn ?x ; a rkg:ProgressNote } GROUP BY ?x }
    }""",
    "outcomes": _Q + """SELECT ?x ?label ?a ?b ?c ?d WHERE { ?x a rkg:ProgressNote .
        OPTIONAL { ?x dcterms:identifier ?label } OPTIONAL { ?x rkg:status/skos:prefLabel ?a }
        OPTIONAL { ?x rkg:alignedTo/skos:notation ?b } OPTIONAL { ?x rkg:year ?c }
        OPTIONAL { ?x rkg:reportedIn/rkg:country/skos:prefLabel ?d } }""",
    "partners": _Q + """SELECT ?x ?label ?a ?b ?n WHERE {
        { SELECT ?x (COUNT(DISTINCT ?note) AS ?n) WHERE { ?note rkg:partner ?x } GROUP BY ?x }
        OPTIONAL { ?x skos:prefLabel ?label } OPTIONAL { ?x rkg:organisationKind/skos:prefLabel ?a }
        OPTIONAL { ?note2 rkg:partner ?x ; rkg:reportedIn/rkg:country/skos:prefLabel ?b } }""",
    "places": _Q + """SELECT ?x ?label ?a ?b ?n WHERE {
        { SELECT ?x (COUNT(DISTINCT ?note) AS ?n) WHERE { ?note a rkg:ProgressNote ; rkg:place ?x } GROUP BY ?x }
        OPTIONAL { ?x skos:prefLabel ?label } OPTIONAL { ?x rkg:placeType/skos:prefLabel ?a }
        OPTIONAL { ?x rkg:within* ?c . ?c rkg:placeType rkg:Country ; skos:prefLabel ?b } }""",
    "figures": _Q + """SELECT ?x ?label ?a ?b ?c ?d ?e ?n WHERE {
        ?note rkg:figure ?x ; rkg:about/dcterms:identifier ?d .
        OPTIONAL { ?x rdfs:label ?label } OPTIONAL { ?x rkg:unit/skos:prefLabel ?a }
        OPTIONAL { ?x rkg:sex/skos:prefLabel ?b } OPTIONAL { ?x rkg:place/skos:prefLabel ?c }
        OPTIONAL { SELECT ?x (COUNT(?f) AS ?e) WHERE { ?x dqv:hasQualityAnnotation ?f } GROUP BY ?x }
        OPTIONAL { ?x rdf:value ?n } }""",
    "findings": _Q + """SELECT ?x ?label ?a ?b ?n WHERE { ?x a rkg:QualityFinding .
        OPTIONAL { ?x rkg:findingType/skos:prefLabel ?a } OPTIONAL { ?x oa:hasBody/rdf:value ?label }
        OPTIONAL { ?x rkg:reportedIn/rdfs:label ?b } }""",
}
_COLUMNS = ("a", "b", "c", "d", "e")  # the facet columns of a list row
# each column's values of an item; DISTINCT group_concat joins with ",", so commas in values travel as char(30)
_CONCAT = ", ".join(f"group_concat(DISTINCT replace({c}, ',', char(30)))" for c in _COLUMNS)
_SEP = "\x1f"
_SEX = {getattr(N.sdmx_code, f"sex-{k}").value: k for k in "FMT"}

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE note (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, outcome TEXT, identifier TEXT NOT NULL,
                   year TEXT NOT NULL, report TEXT NOT NULL, area TEXT, area_label TEXT NOT NULL, status TEXT,
                   country TEXT, inferred INTEGER NOT NULL, alignments TEXT NOT NULL,
                   partners INTEGER NOT NULL, places INTEGER NOT NULL, figures INTEGER NOT NULL);
CREATE TABLE involves (node TEXT NOT NULL, kind TEXT NOT NULL, note INTEGER NOT NULL REFERENCES note(id),
                       PRIMARY KEY (node, kind, note)) WITHOUT ROWID;
CREATE TABLE outcome_reached (outcome TEXT NOT NULL, area TEXT NOT NULL, year TEXT NOT NULL, sex TEXT NOT NULL,
                              value INTEGER NOT NULL, up_to INTEGER NOT NULL, obs TEXT NOT NULL, label TEXT,
                              PRIMARY KEY (outcome, area, year, sex)) WITHOUT ROWID;
CREATE TABLE area_reached (area TEXT NOT NULL, year TEXT NOT NULL, sex TEXT NOT NULL, value INTEGER NOT NULL,
                           up_to INTEGER NOT NULL, obs TEXT NOT NULL, label TEXT,
                           PRIMARY KEY (area, year, sex)) WITHOUT ROWID;
CREATE VIRTUAL TABLE search USING fts5(names, text, iri UNINDEXED, label UNINDEXED, type UNINDEXED, keys UNINDEXED,
                                       tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE item (list TEXT NOT NULL, iri TEXT NOT NULL, label TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL,
                   c TEXT NOT NULL, d TEXT NOT NULL, e TEXT NOT NULL, n REAL,
                   PRIMARY KEY (list, iri, a, b, c, d, e)) WITHOUT ROWID;
CREATE INDEX note_order ON note (area_label, year, identifier);
"""


INDEX_QUERY_TIMEOUT = 1800.0  # seconds a remote store may take for one of the index's queries (whole-corpus reads)


def _select(snapshot: Any, query: str) -> Any:
    """A whole-corpus read: on a remote store it may take minutes, well past a page's query time limit."""
    return snapshot.query(query, timeout=INDEX_QUERY_TIMEOUT)


def _text(term: Any) -> str | None:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else None


def _english(values: Iterable[ox.Literal]) -> str | None:
    """The English or untagged one among several labels (the least, for a stable choice)."""
    ranked = sorted((0 if (v.language or "en").lower().startswith("en") else 1, v.value) for v in values)
    return ranked[0][1] if ranked else None


def _closure(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for parent in edges.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def build_index(snapshot: Any, path: Path) -> dict[str, int]:
    """Write the index of ``snapshot`` to ``path`` (whole or not at all: written beside, then renamed)."""
    started = time.monotonic()
    labels: dict[str, list[ox.Literal]] = {}
    office_iri: dict[str, str] = {}
    for r in _select(snapshot, AREA_LABELS):
        area = r["area"].value
        if isinstance(r["label"], ox.Literal):
            labels.setdefault(area, []).append(r["label"])
        if isinstance(r["code"], ox.Literal):
            office_iri.setdefault(r["code"].value, area)
    notes: dict[str, tuple] = {}
    for r in _select(snapshot, NOTES):
        iri = r["note"].value
        area = _text(r["country"]) or office_iri.get(_text(r["office"]) or "")
        row = (iri, _text(r["outcome"]), _text(r["identifier"]) or _text(r["outcomeId"]) or "",
               _text(r["year"]) or "", r["report"].value, area,
               (_english(labels.get(area, [])) or "") if area else "", _text(r["status"]), _text(r["country"]),
               int(_text(r["inferred"]) == "true"))
        notes[iri] = min(notes.get(iri, row), row)  # one row per note, the same whichever value comes first
    ids = {iri: i for i, iri in enumerate(sorted(notes), 1)}
    figures = {r["note"].value: int(r["n"].value) for r in _select(snapshot, FIGURES)}
    direct: dict[str, dict[str, set[str]]] = {kind: {} for kind in EDGES}  # what each note names itself
    involves: set[tuple[str, str, int]] = set()
    parents: dict[str, dict[str, set[str]]] = {kind: {} for kind in EDGES}
    for kind, query in PARENTS.items():
        for r in _select(snapshot, query):
            parents[kind].setdefault(r["x"].value, set()).add(r["parent"].value)
    for kind, query in EDGES.items():
        reach: dict[str, set[str]] = {}
        for r in _select(snapshot, query):
            note = ids.get(r["note"].value)
            if note is None or not isinstance(r["x"], ox.NamedNode):
                continue
            x = r["x"].value
            direct[kind].setdefault(r["note"].value, set()).add(x)
            if x not in reach:
                reach[x] = _closure(parents[kind], x)
            involves.update((node, kind, note) for node in reach[x])
    areas: dict[str, set[str]] = {}
    for iri, row in notes.items():  # a note involves the country it reports on, and what contains it
        if row[5]:
            if row[5] not in areas:
                areas[row[5]] = _closure(parents["place"], row[5])
            involves.update((node, "place", ids[iri]) for node in areas[row[5]])
    report_areas = {(row[1], row[5]) for row in notes.values() if row[1] and row[5]}
    reached = []
    for r in _select(snapshot, OUTCOME_OBSERVATIONS):
        outcome, area = r["outcome"].value, r["area"].value
        if (outcome, area) in report_areas and r["sex"].value in _SEX:
            reached.append((outcome, area, r["year"].value, _SEX[r["sex"].value], int(r["n"].value),
                            int(r["upTo"].value == "true"), r["obs"].value, _text(r["label"])))
    by_area = [(r["area"].value, r["year"].value, _SEX[r["sex"].value], int(r["n"].value),
                int(r["upTo"].value == "true"), r["obs"].value, _text(r["label"]))
               for r in _select(snapshot, AREA_OBSERVATIONS) if r["sex"].value in _SEX]
    found = _searchable(snapshot)
    items = _list_rows(snapshot)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{path.name}.", dir=path.parent)  # a killed writer's is a stray of its name
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        db.executescript(_SCHEMA)
        db.executemany("INSERT INTO note VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       ((ids[iri], *row, " ".join(sorted(direct["sp"].get(iri, ()))),
                         len(direct["org"].get(iri, ())), len(direct["place"].get(iri, ())), figures.get(iri, 0))
                        for iri, row in notes.items()))
        db.executemany("INSERT INTO involves VALUES (?, ?, ?)", sorted(involves))
        db.executemany("INSERT OR REPLACE INTO outcome_reached VALUES (?, ?, ?, ?, ?, ?, ?, ?)", reached)
        db.executemany("INSERT OR REPLACE INTO area_reached VALUES (?, ?, ?, ?, ?, ?, ?)", by_area)
        db.executemany("INSERT OR IGNORE INTO item VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", items)
        db.executemany("INSERT INTO search (names, text, iri, label, type, keys) VALUES (?, ?, ?, ?, ?, ?)", found)
        sizes = {"notes": len(notes), "involves": len(involves), "outcome_reached": len(reached),
                 "area_reached": len(by_area), "searchable": len(found), "list_rows": len(items)}
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("schema", SCHEMA_VERSION),
                                                         ("seconds", f"{time.monotonic() - started:.3f}"),
                                                         *((k, str(v)) for k, v in sizes.items())])
        db.commit()
        db.close()
        os.chmod(tmp, 0o644)  # readable by the server's user, like the rest of the store
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sizes


def _list_rows(snapshot: Any) -> list[tuple]:
    """The rows of the list pages; an item with several values of a facet (a partner in several countries)
    has a row per value, and lists count items, not rows."""
    rows = []
    for name, query in LIST_ROWS.items():
        for r in _select(snapshot, query):
            if not isinstance(r["x"], ox.NamedNode):
                continue
            vals = [_text(r[v]) or "" for v in "abcde"]  # "" for no value (and for a variable it does not select)
            label = _text(r["label"]) or r["x"].value.rsplit("/", 1)[-1]
            number = _text(r["n"])
            if name == "figures":
                vals[4] = "with a finding" if vals[4] else "no finding"
            rows.append((name, r["x"].value, label, *vals, float(number) if _number(number) else None))
    return rows


def _number(text: str | None) -> bool:
    try:
        float(text or "")
        return True
    except ValueError:
        return False


def _searchable(snapshot: Any) -> list[tuple[str, str, str, str, str, str]]:
    """(names, text, IRI, label, type, keys) of everything with a name: the rows of the full-text index. Parts
    shown on their parent's page (selectors, mentions, spans) are left out, as they repeat its words."""
    names: dict[str, dict[str, list[str]]] = {}
    for r in _select(snapshot, NAMES):
        s = r["s"].value
        if "#" in s.rsplit("/", 1)[-1] or "/mention/" in s or "/span/" in s:
            continue
        names.setdefault(s, {}).setdefault(r["p"].value, []).append(r["l"].value)
    texts: dict[str, list[str]] = {}
    for r in _select(snapshot, TEXTS):
        if r["s"].value in names:
            texts.setdefault(r["s"].value, []).append(r["t"].value)
    rank = {t: i for i, t in enumerate(SEARCH_TYPES)}
    types: dict[str, str] = {}
    for r in _select(snapshot, TYPES):
        s, t = r["s"].value, r["type"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if s in names and rank.get(t, 99) < rank.get(types.get(s, ""), 100):
            types[s] = t
    rows = []
    for s, by_prop in names.items():
        ordered = [v for p in _LABEL_RANK for v in sorted(by_prop.get(p, []))] or sorted(next(iter(by_prop.values())))
        label = ordered[0]
        notation = by_prop.get(_LABEL_RANK[3])
        if notation and "/sp/" in s and notation[0] != label:
            label = f"{notation[0]}: {label}"  # a Strategic Plan concept: its code, then its name
        every = list(dict.fromkeys(v for values in by_prop.values() for v in values))
        keys = _SEP + _SEP.join(fold_key(v) for v in every) + _SEP  # each name folded, for exact and prefix ranks
        rows.append((" ".join(every), " ".join(texts.get(s, [])), s, label, types.get(s, ""), keys))
    return rows


@dataclass
class Hit:
    iri: str
    label: str
    type: str
    snippet: list[tuple[str, bool]]  # the words around the match, (text, matched)


@dataclass
class IndexedNote:
    """What a row of a list of progress notes shows, as the index holds it (IRIs and counts)."""

    iri: str
    outcome: str | None
    identifier: str
    year: str
    report: str
    country: str | None
    status: str | None
    inferred: bool
    alignments: list[str]
    partners: int
    places: int
    figures: int


@dataclass
class Involved:
    """The progress notes involving one partner, place or Strategic Plan concept, summed up."""

    n_notes: int
    n_outcomes: int
    countries: list[str]  # IRIs of the countries (and offices) reported on
    years: list[str]
    notes: list[IndexedNote]  # the first notes, by country name, year and identifier


@dataclass
class Addend:
    """An outcome's observation added into a partner's or a concept's total."""

    obs: str
    label: str | None
    year: str
    sex: str
    value: int
    up_to: bool


class BrowseIndex:
    """One version's index, opened read-only; safe to share between threads (a connection each)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.db = db
        return db

    def involved(self, kind: str, node: str, limit: int) -> Involved:
        db = self._db()
        where = "FROM involves i JOIN note n ON n.id = i.note WHERE i.node = ? AND i.kind = ?"
        n_notes, n_outcomes = db.execute(f"SELECT COUNT(*), COUNT(DISTINCT n.outcome) {where}", (node, kind)).fetchone()
        countries = [r[0] for r in db.execute(f"SELECT DISTINCT n.area {where} AND n.area IS NOT NULL", (node, kind))]
        years = [r[0] for r in db.execute(f"SELECT DISTINCT n.year {where} AND n.year != '' ORDER BY n.year",
                                          (node, kind))]
        rows = db.execute("SELECT n.iri, n.outcome, n.identifier, n.year, n.report, n.country, n.status, n.inferred, "
                          f"n.alignments, n.partners, n.places, n.figures {where} "
                          "ORDER BY n.area_label, n.year, n.identifier, n.iri LIMIT ?", (node, kind, limit))
        notes = [IndexedNote(*r[:7], bool(r[7]), r[8].split(), *r[9:]) for r in rows]
        return Involved(n_notes, n_outcomes, countries, years, notes)

    def reached_by_outcomes(self, kind: str, node: str) -> list[Addend]:
        """The observation of each outcome that involves ``node``, at the country (or office) of the report
        that states it: the addends of a partner's or a concept's total."""
        rows = self._db().execute(
            "SELECT o.obs, o.label, o.year, o.sex, o.value, o.up_to FROM outcome_reached o JOIN "
            "(SELECT DISTINCT n.outcome, n.area, n.year FROM involves i JOIN note n ON n.id = i.note "
            " WHERE i.node = ? AND i.kind = ?) k ON o.outcome = k.outcome AND o.area = k.area AND o.year = k.year "
            "ORDER BY o.year, o.obs", (node, kind))
        return [Addend(obs, label, year, sex, value, bool(up)) for obs, label, year, sex, value, up in rows]

    def search(self, text: str, *, type_: str | None = None, limit: int = 20, offset: int = 0
               ) -> tuple[int, dict[str, int], list[Hit]]:
        """(matches, matches by type, one page of hits): every word of ``text`` (the last one as a prefix),
        case and accents ignored, names weighted ten times the text; a hit shows its matched words in context."""
        words = [w for w in re.findall(r"\w+", text) if w]
        if not words:
            return 0, {}, []
        if limit == 0:  # only the counts
            db = self._db()
            match = " ".join('"' + w.replace('"', '""') + '"' for w in words) + "*"
            by_type = dict(db.execute("SELECT type, COUNT(*) FROM search WHERE search MATCH ? GROUP BY type",
                                      (match,)))
            return sum(by_type.values()), by_type, []
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words) + "*"  # user words, quoted: no syntax
        db = self._db()
        by_type = dict(db.execute("SELECT type, COUNT(*) FROM search WHERE search MATCH ? GROUP BY type", (match,)))
        where, args = ("search MATCH ? AND type = ?", (match, type_)) if type_ is not None else ("search MATCH ?",
                                                                                                 (match,))
        total = sum(by_type.values()) if type_ is None else by_type.get(type_, 0)
        key = fold_key(text)
        # a name equal to the text first, then a name starting with it, then by relevance (names weigh 10 times)
        rows = db.execute(
            f"SELECT iri, label, type, snippet(search, 0, char(2), char(3), '…', 12), "
            f"snippet(search, 1, char(2), char(3), '…', 24) FROM search WHERE {where} "
            f"ORDER BY CASE WHEN instr(keys, ?) THEN 0 WHEN instr(keys, ?) THEN 1 ELSE 2 END, "
            f"bm25(search, 10.0, 1.0), length(label), label LIMIT ? OFFSET ?",
            (*args, _SEP + key + _SEP, _SEP + key, limit, offset))
        hits = []
        for iri, label, type_name, in_names, in_text in rows:
            snip = in_text if "\x02" in in_text else in_names
            parts = [(piece, i % 2 == 1) for i, piece in enumerate(re.split("[\x02\x03]", snip))]
            hits.append(Hit(iri, label, type_name, [p for p in parts if p[0]]))
        return total, by_type, hits

    def items(self, name: str, filters: dict[str, str], sort: str, desc: bool, limit: int, offset: int
              ) -> tuple[int, list[tuple[str, str, list[list[str]], float | None]]]:
        """(items, one page of (IRI, label, each column's values, number)) of a list, filtered on facet columns
        (a..e), sorted by "label", "n" or a column."""
        where, args = self._where(name, filters)
        db = self._db()
        (total,) = db.execute(f"SELECT COUNT(DISTINCT iri) FROM item WHERE {where}", args).fetchone()
        key = {"label": "MIN(label)", "n": "MAX(n)"}.get(sort) or (f"MIN({sort})" if sort in _COLUMNS else "MIN(label)")
        rows = db.execute(
            f"SELECT iri, MIN(label), {_CONCAT}, MAX(n) "
            f"FROM item WHERE {where} GROUP BY iri ORDER BY {key} IS NULL, {key} {'DESC' if desc else 'ASC'}, "
            "MIN(label), iri LIMIT ? OFFSET ?", (*args, limit, offset))
        out = [(r[0], r[1], [sorted(v.replace("\x1e", ",") for v in (r[2 + i] or "").split(",") if v)
                             for i in range(len(_COLUMNS))], r[-1]) for r in rows]
        return total, out

    def facet(self, name: str, filters: dict[str, str], column: str, limit: int = 40) -> list[tuple[str, int]]:
        """The values of one facet column among the items the other filters keep, most items first."""
        where, args = self._where(name, {c: v for c, v in filters.items() if c != column})
        return list(self._db().execute(
            f"SELECT {column}, COUNT(DISTINCT iri) AS k FROM item WHERE {where} GROUP BY {column} "
            f"ORDER BY k DESC, {column} LIMIT ?", (*args, limit)))

    @staticmethod
    def _where(name: str, filters: dict[str, str]) -> tuple[str, tuple]:
        clauses, args = ["list = ?"], [name]
        for column, value in filters.items():
            if column in _COLUMNS:  # columns are ours, never the user's: values are bound
                clauses.append(f"{column} = ?")
                args.append(value)
        return " AND ".join(clauses), tuple(args)

    def reached_in(self, area: str) -> list[Addend]:
        """The observations of people reached in ``area`` (a place, or an office), every year and sex."""
        rows = self._db().execute("SELECT obs, label, year, sex, value, up_to FROM area_reached WHERE area = ? "
                                  "ORDER BY year, obs", (area,))
        return [Addend(obs, label, year, sex, value, bool(up)) for obs, label, year, sex, value, up in rows]


_OPEN: dict[tuple[str, str], BrowseIndex] = {}
_LOCK = threading.Lock()


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "results-kg" / "index"


def index_for(snapshot: Any) -> BrowseIndex:
    """The index of a snapshot's version: the one published with it, else one built now into the cache
    folder (a remote store, or a version published before indexes existed)."""
    location, version = str(getattr(snapshot, "location", "")), str(getattr(snapshot, "version", ""))
    key = (location, version)
    with _LOCK:
        found = _OPEN.get(key)
        if found is not None:
            return found
        beside = Path(location).with_name(Path(location).name + INDEX_SUFFIX) if location else None
        if beside is not None and beside.is_file() and _current(beside):
            path = beside
        else:
            digest = hashlib.sha256(f"{location}\n{version}".encode()).hexdigest()[:24]
            path = cache_folder() / f"{digest}.sqlite"
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path.with_name(path.name + ".lock"), "a") as lock:  # one process builds, the others wait
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not (path.is_file() and _current(path)):
                    build_index(snapshot, path)
        if len(_OPEN) > 8:  # versions a long-running server has moved past
            _OPEN.clear()
        _OPEN[key] = BrowseIndex(path)
        return _OPEN[key]


def _current(path: Path) -> bool:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (SCHEMA_VERSION,)
    except sqlite3.Error:
        return False
