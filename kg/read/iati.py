"""Reader for IATI activity XML (standard versions 2.01-2.03, and the older 1.0x layout).

Files can be hundreds of megabytes, so the reader streams: expat feeds 64 KiB at a time,
one ``<iati-activity>`` is built as a small tree, turned into an ``Activity`` record and
dropped; memory is bounded by the largest activity, not the file (benchmarks/iati.py
shows it). expat, not ElementTree's ``iterparse``, because every fact must name the
line it came from and ElementTree does not keep line numbers; no dependency is needed.

What is wrong with the *file* (not XML, not an IATI activity file, an unsupported
version, truncated, a DTD) is an ``IatiFormatError`` and the build writes nothing.
What is wrong with one *activity* (no identifier, a result without a type, a period
without dates) is yielded as an ``ActivityProblem`` and the reader goes on with the
next activity. Values stay strings here, as IATI writes them; ``parse_value`` says what
number a string is, or why it is none.
"""
from __future__ import annotations

import hashlib
import re
import xml.parsers.expat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

from kg.errors import InputError, KGError
from kg.uris import element_key

SUPPORTED_VERSIONS = ("1.01", "1.02", "1.03", "1.04", "1.05", "2.01", "2.02", "2.03")
_CHUNK = 1 << 16
# activity-date types of the older layout, as 2.0x codes
_DATE_TYPES_1X = {"start-planned": "1", "start-actual": "2", "end-planned": "3", "end-actual": "4"}
_BOOL = {"1": True, "true": True, "0": False, "false": False}
# BCP 47 as RDF needs it; "en_GB" is read as "en-GB", anything else that does not fit is dropped
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
# the longest digit string read as a number: beyond it a value is not a count anyone published
_MAX_DIGITS = 40


def language(value: str | None) -> str | None:
    """An xml:lang value as a language tag, or None when it is not one (the default applies)."""
    if value is None:
        return None
    tag = value.strip().replace("_", "-")
    return tag if _LANG.match(tag) else None


class IatiFormatError(InputError):
    """An IATI file breaks a rule of the format; nothing from the file is written."""

    kind = "iati-format"


# ---- records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """Where an element is in its file: line (1-based) and an XPath with positions."""

    line: int
    xpath: str


@dataclass(frozen=True)
class Narrative:
    text: str
    lang: str | None  # None: the activity's default language (xml:lang of the activity or file)


@dataclass
class OrgRef:
    ref: str | None
    type: str | None
    role: str | None
    names: list[Narrative]
    where: Where


@dataclass
class CodeRef:
    """A code with its vocabulary: a sector, a region, a result or indicator reference."""

    code: str
    vocabulary: str | None
    percentage: str | None
    where: Where


@dataclass
class Dimension:
    name: str
    value: str


@dataclass
class Value:
    """A baseline, target or actual: the value as written, and what qualifies it."""

    kind: str  # baseline | target | actual
    key: str
    text: str | None  # the value attribute as written (None when absent)
    comments: list[Narrative]
    dimensions: list[Dimension]
    locations: list[str]
    where: Where
    year: str | None = None  # baselines only
    iso_date: str | None = None  # baselines only


@dataclass
class Period:
    key: str
    start: date
    end: date
    targets: list[Value]
    actuals: list[Value]
    where: Where


@dataclass
class Indicator:
    key: str
    measure: str
    ascending: bool | None
    titles: list[Narrative]
    descriptions: list[Narrative]
    references: list[CodeRef]
    baselines: list[Value]
    periods: list[Period]
    where: Where


@dataclass
class Result:
    key: str
    type: str
    titles: list[Narrative]
    descriptions: list[Narrative]
    references: list[CodeRef]
    indicators: list[Indicator]
    where: Where


@dataclass
class Activity:
    identifier: str
    source: str
    version: str | None
    lang: str | None
    reporting_org: OrgRef | None
    titles: list[Narrative]
    descriptions: list[Narrative]
    participating: list[OrgRef]
    countries: list[CodeRef]
    regions: list[CodeRef]
    sectors: list[CodeRef]
    status: str | None
    dates: dict[str, date]  # activity-date type code (1-4) -> date
    results: list[Result]
    where: Where
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, what was read but left out)


@dataclass
class ActivityProblem:
    """An activity that breaks a rule: reported, left out, and the reader goes on."""

    identifier: str | None
    error: KGError


@dataclass
class IatiFile:
    """What the file says about itself, read before its first activity."""

    source: str
    sha256: str
    version: str | None
    activities: int = 0


# ---- values --------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[+-]?(\d+(\.\d+)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}([, \u00a0\u202f]\d{3})+(\.\d+)?$")


def parse_value(text: str | None) -> tuple[Decimal | None, str | None]:
    """(number, None) for a number as IATI publishers write it, or (None, why not).

    Accepted: ``20000``, ``20,000``, ``1 200`` (groups of three), ``12.5``, ``45%``. Not a
    number: empty text (``(None, None)``: qualitative values have none), ``n/a``, ``TBD``, broken
    digit grouping (``102,4517``, where no one can tell which digit is wrong).
    """
    if text is None or not text.strip():
        return None, None
    s = text.strip()
    if sum(c.isdigit() for c in s) > _MAX_DIGITS:
        return None, f"value {s[:20] + '…'!r} has more than {_MAX_DIGITS} digits: not read as a number"
    core = s[:-1].rstrip() if s.endswith("%") else s
    if _PLAIN.match(core):
        pass
    elif _GROUPED.match(core):
        core = re.sub(r"[, \u00a0\u202f]", "", core)
    elif re.match(r"^[+-]?\d[\d,. ]*$", core):
        return None, f"value {s!r} has broken digit grouping: not read as a number"
    else:
        return None, f"value {s!r} is not a number"
    try:
        return Decimal(core), None
    except InvalidOperation:  # pragma: no cover - the patterns above only pass decimals
        return None, f"value {s!r} is not a number"


# ---- a small tree per activity ----------------------------------------------------------------


class _El:
    __slots__ = ("tag", "attrs", "children", "text", "line", "xpath")

    def __init__(self, tag: str, attrs: dict[str, str], line: int, xpath: str) -> None:
        self.tag, self.attrs, self.line, self.xpath = tag, attrs, line, xpath
        self.children: list[_El] = []
        self.text: list[str] = []

    def all(self, tag: str) -> list[_El]:
        return [c for c in self.children if c.tag == tag]

    def first(self, tag: str) -> _El | None:
        return next((c for c in self.children if c.tag == tag), None)

    def content(self) -> str:
        return " ".join("".join(self.text).split())

    def where(self) -> Where:
        return Where(self.line, self.xpath)


class _Stop(Exception):
    """Raised inside an expat handler to abandon the parse with our own error."""

    def __init__(self, error: IatiFormatError) -> None:
        self.error = error


def read_activities(path: Path | str) -> Iterator[IatiFile | Activity | ActivityProblem]:
    """The file's header (an ``IatiFile``, first), then each activity or the problem with it.

    The header's ``activities`` count is filled in when the file has been read to its end.
    """
    path = Path(path)
    try:
        with path.open("rb") as f:  # the digest first: every activity names the file it came from
            digest = hashlib.sha256()
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        f = path.open("rb")
    except OSError as e:
        raise IatiFormatError(f"cannot read: {e.strerror}", source=str(path)) from None
    with f:
        yield from _read(f, str(path), digest.hexdigest())


def _read(f: BinaryIO, source: str, sha256: str) -> Iterator[IatiFile | Activity | ActivityProblem]:
    p = xml.parsers.expat.ParserCreate()
    p.buffer_text = True
    out: list[IatiFile | Activity | ActivityProblem] = []
    stack: list[_El] = []
    counts: list[dict[str, int]] = [{}]
    header: IatiFile | None = None
    state = {"lang": None, "activity": 0}

    def fail(message: str, line: int | None = None) -> None:
        raise _Stop(IatiFormatError(message, source=source, line=line or p.CurrentLineNumber))

    def doctype(*_a: object) -> None:
        fail("a DOCTYPE declaration: IATI files have none, and DTDs are not read (entities could expand "
             "without bound)")

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal header
        depth = len(stack)
        n = counts[-1][tag] = counts[-1].get(tag, 0) + 1
        parent = stack[-1].xpath if stack else ""
        xpath = f"{parent}/{tag}" if depth == 0 else f"{parent}/{tag}[{n}]"
        counts.append({})
        if depth == 0:
            if tag == "iati-organisations":
                fail("an IATI organisation file: only activity files (<iati-activities>) are read")
            if tag != "iati-activities":
                fail(f"not an IATI activity file: the root element is <{tag}>, expected <iati-activities>")
            version = attrs.get("version")
            if version is not None and version.strip() not in SUPPORTED_VERSIONS:
                fail(f"IATI version {version!r} is not supported (supported: {', '.join(SUPPORTED_VERSIONS)})")
            state["lang"] = language(attrs.get("xml:lang"))
            header = IatiFile(source, sha256, version.strip() if version else None)
            out.append(header)
            stack.append(_El(tag, attrs, p.CurrentLineNumber, xpath))
            return
        line = p.CurrentLineNumber
        if tag == "iati-activity" and depth != 1:
            inside = stack[1] if stack[1].tag == "iati-activity" else None
            ident = inside.first("iati-identifier") if inside is not None else None
            out.append(ActivityProblem(None, IatiFormatError(
                f"an iati-activity inside <{stack[-1].tag}>"
                + (f" (of activity {ident.content()})" if ident is not None and ident.content() else "")
                + ": activities must be children of <iati-activities>; left out", source=source, line=line)))
        el = _El(tag, attrs, line, xpath)
        if depth >= 2 and stack[1].tag == "iati-activity":  # only activities are kept, as small trees
            stack[-1].children.append(el)
        stack.append(el)

    def end(tag: str) -> None:
        el = stack.pop()
        counts.pop()
        if len(stack) == 1 and tag == "iati-activity":
            state["activity"] += 1
            out.append(_activity(el, source, header.version if header else None, state["lang"]))

    def chars(data: str) -> None:
        if len(stack) >= 3 and stack[1].tag == "iati-activity":  # inside an activity: text of its elements
            stack[-1].text.append(data)

    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    p.StartDoctypeDeclHandler = doctype
    try:
        while True:
            chunk = f.read(_CHUNK)
            try:
                p.Parse(chunk, not chunk)
            except ValueError as e:  # expat reads UTF-8, UTF-16 and single-byte encodings only
                raise IatiFormatError(f"cannot read this file's encoding ({e}); convert it to UTF-8",
                                      source=source, line=1) from None
            except xml.parsers.expat.ExpatError as e:
                line = e.lineno
                if header is None and not chunk:
                    raise IatiFormatError("not an IATI activity file: no root element", source=source,
                                          line=line) from None
                if header is None and state["activity"] == 0 and not stack and e.lineno <= 1:
                    raise IatiFormatError(f"not XML: {xml.parsers.expat.ErrorString(e.code)}", source=source,
                                          line=line, column=e.offset + 1) from None
                what = ("the file ends before its last element closes (truncated?)" if not chunk
                        else f"malformed XML: {xml.parsers.expat.ErrorString(e.code)}")
                raise IatiFormatError(what + _inside(stack), source=source, line=line, column=e.offset + 1) from None
            yield from out
            out.clear()
            if not chunk:
                break
    except _Stop as s:
        raise s.error from None
    except OSError as e:
        raise IatiFormatError(f"cannot read: {e.strerror}", source=source) from None
    if header is None:
        raise IatiFormatError("not an IATI activity file: no root element", source=source)
    header.activities = state["activity"]


def _inside(stack: list[_El]) -> str:
    """Which activity the parser was in when the file broke, for the message."""
    if len(stack) < 2 or stack[1].tag != "iati-activity":
        return ""
    ident = stack[1].first("iati-identifier")
    name = f"activity {ident.content()}" if ident is not None and ident.content() else "an activity"
    return f", inside {name} (from line {stack[1].line})"


# ---- one activity ---------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, message: str, el: _El) -> None:
        self.message, self.el = message, el


def _narratives(el: _El | None) -> list[Narrative]:
    """2.0x: ``<narrative xml:lang>`` children; 1.0x: the element's own text and xml:lang."""
    if el is None:
        return []
    found = [Narrative(n.content(), language(n.attrs.get("xml:lang"))) for n in el.all("narrative") if n.content()]
    if found or el.first("narrative") is not None:
        return found
    text = el.content()
    return [Narrative(text, language(el.attrs.get("xml:lang")))] if text else []


def _iso_date(value: str | None, el: _El, what: str) -> date:
    if not value:
        raise _Bad(f"{what} without an iso-date", el)
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise _Bad(f"{what} has iso-date {value!r}, not a date (YYYY-MM-DD)", el) from None


def _code_refs(els: list[_El], attr: str = "code") -> list[CodeRef]:
    return [CodeRef(e.attrs[attr].strip(), (e.attrs.get("vocabulary") or "").strip() or None,
                    e.attrs.get("percentage"), e.where())
            for e in els if (e.attrs.get(attr) or "").strip()]


def _org(el: _El) -> OrgRef:
    ref = (el.attrs.get("ref") or "").strip() or None
    return OrgRef(ref, (el.attrs.get("type") or "").strip() or None, (el.attrs.get("role") or "").strip() or None,
                  _narratives(el), el.where())


def _value(el: _El, kind: str, seen: dict[str, int]) -> Value:
    dims = [Dimension(d.attrs.get("name", "").strip(), d.attrs.get("value", "").strip()) for d in el.all("dimension")]
    locs = [loc.attrs["ref"].strip() for loc in el.all("location") if (loc.attrs.get("ref") or "").strip()]
    text = el.attrs.get("value")
    ident = "|".join([kind, el.attrs.get("year", ""), el.attrs.get("iso-date", ""),
                      *sorted(f"{d.name}={d.value}" for d in dims), *sorted(locs)])
    comments = [n for c in el.all("comment") for n in _narratives(c)]
    return Value(kind, element_key(ident, seen), text, comments, dims, locs, el.where(),
                 year=el.attrs.get("year"), iso_date=el.attrs.get("iso-date"))


def _period(el: _El, seen: dict[str, int]) -> Period:
    ps, pe = el.first("period-start"), el.first("period-end")
    start = _iso_date(ps.attrs.get("iso-date") if ps else None, ps or el, "a period's period-start")
    end = _iso_date(pe.attrs.get("iso-date") if pe else None, pe or el, "a period's period-end")
    if end < start:
        raise _Bad(f"a period ends ({end}) before it starts ({start})", el)
    ident = f"{start.isoformat()}_{end.isoformat()}"
    seen[ident] = seen.get(ident, 0) + 1
    key = ident if seen[ident] == 1 else f"{ident}-{seen[ident]}"
    t_seen: dict[str, int] = {}
    a_seen: dict[str, int] = {}
    return Period(key, start, end, [_value(t, "target", t_seen) for t in el.all("target")],
                  [_value(a, "actual", a_seen) for a in el.all("actual")], el.where())


def _indicator(el: _El, seen: dict[str, int]) -> Indicator:
    measure = (el.attrs.get("measure") or "").strip()
    if not measure:
        raise _Bad("an indicator without a measure (IATI: indicator/@measure is required)", el)
    titles = _narratives(el.first("title"))
    asc = _BOOL.get((el.attrs.get("ascending") or "").strip().lower())
    b_seen: dict[str, int] = {}
    p_seen: dict[str, int] = {}
    key = element_key(measure + "|" + "|".join(t.text for t in titles), seen)
    return Indicator(key, measure, asc, titles, _narratives(el.first("description")),
                     _code_refs(el.all("reference")), [_value(b, "baseline", b_seen) for b in el.all("baseline")],
                     [_period(p, p_seen) for p in el.all("period")], el.where())


def _result(el: _El, seen: dict[str, int]) -> Result:
    rtype = (el.attrs.get("type") or "").strip()
    if not rtype:
        raise _Bad("a result without a type (IATI: result/@type is required: 1 output, 2 outcome, 3 impact, "
                   "9 other)", el)
    titles = _narratives(el.first("title"))
    i_seen: dict[str, int] = {}
    # a result without a title (common in 1.0x files) is known by its indicators' titles
    named = titles or [t for i in el.all("indicator") for t in _narratives(i.first("title"))]
    key = element_key(rtype + "|" + "|".join(t.text for t in named), seen)
    return Result(key, rtype, titles, _narratives(el.first("description")), _code_refs(el.all("reference")),
                  [_indicator(i, i_seen) for i in el.all("indicator")], el.where())


def _activity(el: _El, source: str, version: str | None, file_lang: str | None) -> Activity | ActivityProblem:
    id_el = el.first("iati-identifier")
    identifier = id_el.content() if id_el is not None else ""
    try:
        if not identifier:
            raise _Bad("an activity without an iati-identifier", id_el or el)
        problems: list[tuple[int, str]] = []
        dates: dict[str, date] = {}
        for d in el.all("activity-date"):
            kind = (d.attrs.get("type") or "").strip()
            kind = _DATE_TYPES_1X.get(kind, kind)
            try:
                value = _iso_date(d.attrs.get("iso-date"), d, "an activity-date")
            except _Bad as b:
                problems.append((d.line, b.message))
                continue
            if kind in ("1", "2", "3", "4"):
                dates.setdefault(kind, value)
        status_el = el.first("activity-status")
        r_seen: dict[str, int] = {}
        rep = el.first("reporting-org")
        return Activity(
            identifier=identifier, source=source, version=version,
            lang=language(el.attrs.get("xml:lang")) or file_lang,
            reporting_org=_org(rep) if rep is not None else None,
            titles=_narratives(el.first("title")),
            descriptions=[n for d in el.all("description") for n in _narratives(d)],
            participating=[_org(o) for o in el.all("participating-org")],
            countries=_code_refs(el.all("recipient-country")),
            regions=_code_refs(el.all("recipient-region")),
            sectors=_code_refs(el.all("sector")),
            status=(status_el.attrs.get("code") or "").strip() or None if status_el is not None else None,
            dates=dates,
            results=[_result(r, r_seen) for r in el.all("result")],
            where=el.where(),
            problems=problems,
        )
    except _Bad as b:
        who = f"activity {identifier}" if identifier else f"the activity at {el.xpath}"
        return ActivityProblem(identifier or None,
                               IatiFormatError(f"{who}: {b.message}", source=source, line=b.el.line))
