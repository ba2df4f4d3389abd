"""Reader for plain-text UN Women country results reports.

Two layouts exist (DOMAIN.md): the report ("Progress in Mali country in 2021",
"Data as of: …", ``OUTCOME <id>`` headings) and the portal's page text (menu
furniture, ``outcome <id>`` headings, no title). Both become a ``ReportRecord``
whose offsets point into the decoded file text (after a leading BOM).
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pycountry

from kg.errors import ReportFormatError, UsageError
from kg.text import TextView, fold_key, sentences

# XM-DAC-41146-MLI_D_1.2, …-RD_D_1.4, …-WCA_D_1.1.10, …-MLI_D_1.1A
RESULT_ID = re.compile(
    r"^(?P<org>[A-Z]{2}-[A-Z]{2,5}-[A-Z0-9]+)-(?P<office>[A-Z]{2,4})_(?P<kind>[DO])_"
    r"(?P<num>\d+(?:\.\d+){0,2})(?P<indicator>[A-Z])?$"
)
_TITLE = re.compile(
    r"^\W*progress\s+in\s+(?P<country>.+?)(?:\s+country)?\s+in\s+(?P<year>\d{4})\W*$", re.I
)
_DATA_AS_OF = re.compile(r"^\W*data\s+as\s+of\s*:?\s*(?P<date>.+?)\s*$", re.I)
# "OUTCOME <id>" (the report) or "outcome <id>" (the portal), with an optional ":" or dash.
# An upper-case OUTCOME line is always a heading (or an error); a lower- or title-case one
# only when an identifier-like token follows, since "Outcome" alone is menu text.
_HEADING = re.compile(r"^\s*(?P<word>outcome)(?![\w-])[\s:\-–—]*(?P<rest>.*)$", re.I)
_ID_LIKE = re.compile(r"^[A-Z]{2}-[A-Z0-9]+-")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%B %d %Y", "%Y-%m-%d", "%d/%m/%Y")
_SENTENCE_END = tuple('.!?:;"”)')
_QUOTES = "\"“”'‘’"
# Lines this long are narrative, never a heading or a title.
_MAX_HEADING = 120
# A later sentence at least this similar to an earlier one repeats it (page-break copies
# differ in a word or a typo); shorter sentences are left alone, they repeat naturally.
_NEAR_DUPLICATE = 0.9
_MIN_DUPLICATE_CHARS = 40


@dataclass(frozen=True)
class Country:
    alpha2: str
    alpha3: str
    name: str


@dataclass
class Repair:
    """A change the reader made to the text, to be published as a quality finding."""

    kind: str  # "rejoined-paragraph" | "duplicate-passage" | "empty-narrative" | "long-statement"
    span: tuple[int, int]  # source characters concerned (the gap, or the dropped copy)
    detail: str
    kept: tuple[int, int] | None = None  # for duplicates: the copy we kept


@dataclass
class OutcomeSection:
    identifier: str
    office: str
    kind: str  # "D" development, "O" organisational effectiveness
    number: str  # "1.2"
    line: int
    heading_span: tuple[int, int]
    statement: str
    statement_span: tuple[int, int]
    narrative: TextView
    span: tuple[int, int]
    repairs: list[Repair] = field(default_factory=list)


@dataclass
class ReportRecord:
    source: str  # name shown in messages and provenance (file name)
    text: str
    sha256: str
    country: Country
    year: int
    data_as_of: date | None
    title: str | None
    sections: list[OutcomeSection]

    @property
    def key(self) -> str:
        """Stable key of the report: one report per country and year."""
        return f"{self.country.alpha3}-{self.year}"


@dataclass
class _Line:
    number: int
    start: int
    end: int
    text: str


def resolve_country(name: str) -> Country | None:
    """Country name or ISO code to ISO 3166-1, accent- and case-insensitively."""
    name = name.strip().strip(_QUOTES).strip()
    if not name:
        return None
    try:
        c = pycountry.countries.lookup(name)
    except LookupError:
        try:
            hits = pycountry.countries.search_fuzzy(name)
        except LookupError:
            return None
        if len(hits) != 1:
            return None
        c = hits[0]
    return Country(c.alpha_2, c.alpha_3, getattr(c, "common_name", None) or c.name)


def read_report(path: Path | str, *, country: str | None = None, year: int | None = None) -> ReportRecord:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReportFormatError(f"cannot read report: {e.strerror}", source=str(path)) from None
    return parse_report(data, source=str(path), country=country, year=year)


def _decode(data: bytes, source: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise ReportFormatError(
            f"bytes are not valid UTF-8 (byte 0x{data[e.start]:02x}); save the report as UTF-8",
            source=source, line=line, column=col,
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _lines(text: str) -> list[_Line]:
    """Lines split at CR, LF and CRLF only, so line numbers match editors and grep
    (str.splitlines would also split at form feeds, common in text taken from PDFs)."""
    out = []
    pos = 0
    n = 0
    for n, m in enumerate(_LINE_BREAK.finditer(text), start=1):
        out.append(_Line(n, pos, m.start(), text[pos : m.start()]))
        pos = m.end()
    if pos < len(text):
        out.append(_Line(n + 1, pos, len(text), text[pos:]))
    return out


def _parse_date(value: str, source: str, line: int) -> date:
    cleaned = value.strip().strip(_QUOTES).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ReportFormatError(
        f"unreadable 'Data as of' date {cleaned!r} (expected a date such as '2 May 2024')",
        source=source, line=line,
    )


def parse_report(
    data: bytes | str, *, source: str = "<report>", country: str | None = None, year: int | None = None
) -> ReportRecord:
    """Parse a report; raise ``ReportFormatError`` naming the line and rule on bad input."""
    if isinstance(data, bytes):
        sha = hashlib.sha256(data).hexdigest()
        text = _decode(data, source)
    else:
        sha = hashlib.sha256(data.encode("utf-8")).hexdigest()
        text = data[1:] if data.startswith("\ufeff") else data
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ReportFormatError("NUL character: this is a binary file, not a text report", source=source, line=line)
    if not text.strip():
        raise ReportFormatError("empty report: expected a title line or 'OUTCOME <identifier>' sections", source=source)
    lines = _lines(text)

    title: str | None = None
    title_country: str | None = None
    title_year: int | None = None
    as_of: date | None = None
    headings: list[tuple[_Line, re.Match[str]]] = []
    for ln in lines:
        stripped = ln.text.strip()
        if not stripped or len(stripped) > _MAX_HEADING:
            continue
        if not headings and title is None and (m := _TITLE.match(stripped)):
            title, title_country, title_year = stripped.strip(_QUOTES), m["country"], int(m["year"])
            continue
        if not headings and as_of is None and (m := _DATA_AS_OF.match(stripped)):
            as_of = _parse_date(m["date"], source, ln.number)
            continue
        m = _HEADING.match(stripped)
        if m and (m["word"] == "OUTCOME" or _ID_LIKE.match(m["rest"])):
            headings.append((ln, m))
    if not headings:
        raise ReportFormatError(
            "no outcome heading found (expected a line 'OUTCOME XM-DAC-41146-MLI_D_1.2')",
            source=source, line=len(lines),
        )

    c = _resolve_report_country(country, title_country, source)
    y = year if year is not None else title_year
    if y is None:
        raise ReportFormatError(
            "no year: the report has no 'Progress in <Country> in <Year>' title; pass --year", source=source
        )
    if country and title_country:
        tc = resolve_country(title_country)
        if tc and tc.alpha3 != c.alpha3:
            raise ReportFormatError(
                f"--country {country} contradicts the title's country {title_country!r}", source=source
            )
    if year is not None and title_year is not None and year != title_year:
        raise ReportFormatError(f"--year {year} contradicts the title's year {title_year}", source=source)
    if not 1990 <= y <= 2100:
        raise ReportFormatError(f"year {y} is out of range (1990-2100)", source=source)

    sections: list[OutcomeSection] = []
    seen: dict[str, OutcomeSection] = {}
    for i, (ln, m) in enumerate(headings):
        tokens = m["rest"].strip().strip(_QUOTES).split()
        if not tokens:
            raise ReportFormatError(
                "outcome heading without identifier (expected 'OUTCOME XM-DAC-41146-…')",
                source=source, line=ln.number,
            )
        ident = tokens[0].strip(_QUOTES + ":")
        if len(tokens) > 1 and RESULT_ID.match(ident):
            raise ReportFormatError(
                f"unexpected text {' '.join(tokens[1:])!r} after the identifier in an outcome heading "
                "(expected the identifier alone on its line)",
                source=source, line=ln.number,
            )
        idm = RESULT_ID.match(ident)
        if not idm:
            raise ReportFormatError(
                f"{ident!r} is not an IATI result identifier (expected the form XM-DAC-41146-MLI_D_1.2)",
                source=source, line=ln.number,
            )
        end_line = headings[i + 1][0].number - 1 if i + 1 < len(headings) else len(lines)
        body = lines[ln.number : end_line]
        section = _section(text, source, ln, body, idm)
        prev = seen.get(section.identifier)
        if prev is not None:
            if fold_key(prev.statement) == fold_key(section.statement):
                # the heading and statement repeated (after a page break): what follows continues
                # the first section; sentences it repeats are dropped like any repeated passage
                _merge(prev, section, ln.number)
                continue
            raise ReportFormatError(
                f"outcome {section.identifier} appears twice with different statements (first at line {prev.line})",
                source=source, line=ln.number,
            )
        seen[section.identifier] = section
        sections.append(section)
    return ReportRecord(source, text, sha, c, y, as_of, title, sections)


def _resolve_report_country(option: str | None, title_country: str | None, source: str) -> Country:
    name = option or title_country
    if name is None:
        raise ReportFormatError(
            "no country: the report has no 'Progress in <Country> in <Year>' title; pass --country", source=source
        )
    c = resolve_country(name)
    if c is None:
        message = f"unknown country {name!r} (expected an ISO 3166 country name or code)"
        if option:  # the command line is wrong, not the report
            raise UsageError(f"--country: {message}")
        raise ReportFormatError(message, source=source)
    return c


def _paragraphs(body: list[_Line]) -> list[tuple[int, int, int]]:
    """(start, end, first line number) of each blank-line separated paragraph."""
    out: list[tuple[int, int, int]] = []
    cur: list[_Line] = []
    for ln in body + [_Line(0, 0, 0, "")]:
        if ln.text.strip():
            cur.append(ln)
        elif cur:
            first, last = cur[0], cur[-1]
            start = first.start + (len(first.text) - len(first.text.lstrip()))
            end = last.end - (len(last.text) - len(last.text.rstrip()))
            out.append((start, end, first.number))
            cur = []
    return out


def _strip_stray_quotes(text: str, s: int, e: int) -> tuple[int, int]:
    """Drop a leading or trailing quote that has no partner (the seed's statement of MLI_D_2.1)."""
    seg = text[s:e]
    straight = seg.count('"')
    if straight % 2 == 1:
        if seg.startswith('"'):
            s += 1
        elif seg.endswith('"'):
            e -= 1
    while s < e and text[s] in "“" and "”" not in text[s:e]:
        s += 1
    while s < e and text[s].isspace():
        s += 1
    return s, e


# "(related to SP_D_1.2: More national …)": where an outcome statement ends, when it says so
_RELATED_END = re.compile(r"\(\s*related\s+to\s+SP_[^()]*\)", re.I)
_NON_SPACE = re.compile(r"\S")
# characters past which a statement is taken for one that swallowed narrative (the sample's longest: 431)
LONG_STATEMENT = 800
# what the reader notes that the build also prints as a warning (naming file and line)
WARNING_KINDS = ("empty-narrative", "long-statement")


def _statement_end(text: str, start: int, end: int) -> int:
    """Where the statement ends in the first paragraph after a heading.

    A statement is one paragraph, but many portal pages start the narrative on the very next line,
    with no blank line between, and reading the whole paragraph as the statement would lose the
    narrative (its figures, partners and places) without a word. The statement ends with the line
    that holds its "(related to SP_…)", else at the first line break where the text does not carry
    on the sentence (a line ending without a full stop, followed by one starting in lower case, is
    one wrapped line).
    """
    m = _RELATED_END.search(text, start, end)
    nl = text.find("\n", m.end() if m else start, end)
    while nl >= 0 and not m:
        line_end = _rstrip_at(text, nl)
        following = _NON_SPACE.search(text, nl + 1, end)
        ends_sentence = line_end > start and text[line_end - 1] in _SENTENCE_END
        if ends_sentence or following is None or not following.group(0).islower():
            break
        nl = text.find("\n", nl + 1, end)
    return end if nl < 0 else _rstrip_at(text, nl)


def _rstrip_at(text: str, i: int) -> int:
    """``i`` moved back over white space (a CR before the LF, trailing blanks)."""
    while i > 0 and text[i - 1].isspace():
        i -= 1
    return i


def _section(text: str, source: str, heading: _Line, body: list[_Line], idm: re.Match[str]) -> OutcomeSection:
    ident = idm.group(0)
    paras = _paragraphs(body)
    if not paras:
        raise ReportFormatError(
            f"outcome {ident} has no statement (expected a paragraph after the heading)",
            source=source, line=heading.number,
        )
    first_s, first_e, first_n = paras[0]
    cut = _statement_end(text, first_s, first_e)
    rest = cut + (len(text[cut:first_e]) - len(text[cut:first_e].lstrip()))
    if rest < first_e:  # the narrative began on the statement's next line: it is the first paragraph
        paras = [(first_s, cut, first_n), (rest, first_e, first_n + text.count("\n", first_s, rest)), *paras[1:]]
    st_s, st_e = _strip_stray_quotes(text, paras[0][0], paras[0][1])
    statement = " ".join(text[st_s:st_e].split())
    repairs: list[Repair] = []
    ranges: list[tuple[int, int]] = []
    joiners: list[str] = []
    for s, e, _n in paras[1:]:
        if ranges:
            prev_s, prev_e = ranges[-1]
            if not text[prev_s:prev_e].rstrip().endswith(_SENTENCE_END) and text[s : s + 1].islower():
                repairs.append(Repair(
                    "rejoined-paragraph", (prev_e, s),
                    f"paragraph split mid-sentence at line {_n - 2 if _n > 2 else _n}; rejoined",
                ))
                joiners.append(" ")
            else:
                joiners.append("\n\n")
        ranges.append((s, e))
    view = TextView(text, ranges, joiners)
    view, dup_repairs = _drop_duplicates(view)
    repairs.extend(dup_repairs)
    # no silent loss: a section that gives nothing to read is said, not just built empty
    if not view.text.strip():
        repairs.append(Repair("empty-narrative", (heading.start, st_e),
                              f"outcome {ident} (line {heading.number}) has a statement but no narrative: nothing "
                              "after it was read"))
    if len(statement) > LONG_STATEMENT:
        repairs.append(Repair("long-statement", (st_s, st_e),
                              f"the statement of outcome {ident} (line {heading.number}) is {len(statement):,} "
                              f"characters long (statements are under {LONG_STATEMENT:,}): part of the narrative "
                              "may have been read as the statement"))
    end = body[-1].end if body else heading.end
    return OutcomeSection(
        identifier=ident,
        office=idm["office"],
        kind=idm["kind"],
        number=idm["num"] + (idm["indicator"] or ""),
        line=heading.number,
        heading_span=(heading.start, heading.end),
        statement=statement,
        statement_span=(st_s, st_e),
        narrative=view,
        span=(heading.start, end),
        repairs=repairs,
    )


def _merge(first: OutcomeSection, again: OutcomeSection, line: int) -> None:
    """Append a repeated section's narrative to the first copy, then drop repeated sentences."""
    first.repairs.append(Repair(
        "duplicate-passage", (again.heading_span[0], again.statement_span[1]),
        f"heading and statement of {first.identifier} repeated at line {line}; the text after them "
        f"continues the section of line {first.line}", kept=(first.heading_span[0], first.statement_span[1]),
    ))
    old = first.narrative
    ranges = [(p.source_start, p.source_start + p.length) for p in old.pieces]
    joiners = [old.text[a.logical_start + a.length : b.logical_start] for a, b in zip(old.pieces, old.pieces[1:])]
    new = again.narrative
    for i, p in enumerate(new.pieces):
        if ranges:
            prev = new.pieces[i - 1] if i else None
            joiners.append("\n\n" if prev is None else new.text[prev.logical_start + prev.length : p.logical_start])
        ranges.append((p.source_start, p.source_start + p.length))
    first.repairs.extend(again.repairs)
    view, dups = _drop_duplicates(TextView(old.source, ranges, joiners))
    first.narrative = view
    first.repairs.extend(dups)
    first.span = (first.span[0], again.span[1])


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def _drop_duplicates(view: TextView) -> tuple[TextView, list[Repair]]:
    """Drop sentences that repeat an earlier sentence of the same section.

    Reports repeat passages across page breaks, sometimes with a corrected typo; a
    near-verbatim copy counts as a repeat. Of two copies we keep the first unless
    only the second has balanced brackets (the seed's "(749 including 21) men").
    """
    sents = sentences(view.text)
    keys = [fold_key(s.text) for s in sents]
    words = [set(k.split()) for k in keys]
    dropped: set[int] = set()
    pairs: dict[int, int] = {}  # dropped index -> kept index
    for j in range(len(sents)):
        lj = len(keys[j])
        if lj < _MIN_DUPLICATE_CHARS:
            continue
        for i in range(j):
            li = len(keys[i])
            if i in dropped or li < _MIN_DUPLICATE_CHARS:
                continue
            if keys[i] == keys[j]:
                ratio = 1.0
            else:
                # cheap bounds first: lengths, then shared words; difflib only for likely copies
                if 2 * min(li, lj) / (li + lj) < _NEAR_DUPLICATE:
                    continue
                shared = len(words[i] & words[j])
                if shared < _NEAR_DUPLICATE * 0.85 * max(len(words[i]), len(words[j])):
                    continue
                sm = difflib.SequenceMatcher(None, keys[i], keys[j], autojunk=False)
                if sm.quick_ratio() < _NEAR_DUPLICATE:
                    continue
                ratio = sm.ratio()
            if ratio >= _NEAR_DUPLICATE:
                if ratio < 1.0 and not _balanced(sents[i].text) and _balanced(sents[j].text):
                    drop, keep = i, j
                else:
                    drop, keep = j, i
                dropped.add(drop)
                pairs[drop] = keep
                break
    if not dropped:
        return view, []
    # group consecutive dropped sentences into passages
    runs: list[list[int]] = []
    for k in sorted(dropped):
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    repairs = []
    cuts = []
    for run in runs:
        a, b = sents[run[0]].start, sents[run[-1]].end
        cuts.append((a, b))
        kept = [pairs[k] for k in run]
        ka, kb = sents[min(kept)].start, sents[max(kept)].end
        exact = all(keys[k] == keys[pairs[k]] for k in run)
        how = "verbatim" if exact else "near-verbatim"
        repairs.append(Repair(
            "duplicate-passage", view.to_source(a, b),
            f"{how} repeat of {len(run)} sentence(s) dropped; one copy kept",
            kept=view.to_source(ka, kb),
        ))
    return view.without(cuts), repairs
