"""Reader for plain-text UN Women country results reports.

Two layouts exist (DOMAIN.md): the report ("Progress in Mali country in 2021",
"Data as of: …", ``OUTCOME <id>`` headings) and the portal's page text (menu
furniture, ``outcome <id>`` headings, no title). Both become a ``ReportRecord``
whose offsets point into the decoded file text (after a leading BOM).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pycountry

from kg.errors import ReportFormatError, UsageError
from kg.offices import Office, office
from kg.read.repairs import Repair, drop_duplicates
from kg.text import TextView, fold_key

__all__ = ["Country", "Damage", "OutcomeSection", "Repair", "ReportRecord", "parse_report", "read_report",
           "resolve_country"]

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
# what is left of an identifier cut off at the end of a line ("XM-DAC-411", "XM-DAC-41146-UG")
_ID_PREFIX = re.compile(
    r"^[A-Z]{2}-[A-Z]{0,5}(?:-[A-Z0-9]*(?:-[A-Z]{0,4}(?:_(?:[DO](?:_[\d.]*)?)?)?)?)?$")
# the portal's single-outcome page glues the short code to the identifier: "ETH_D_1.2XM-DAC-41146-ETH_D_1.2"
_GLUED_ID = re.compile(r"^(?P<short>[A-Z]{2,4}_[DO]_[0-9][0-9.]*[A-Z]?)(?P<full>[A-Z]{2}-[A-Z]{2,5}-\S+)$")
# "Outcome 2: Women's political participation": the label a page gives a section, not a heading
_LABEL = re.compile(r"^\s*outcome\s+(?P<n>\d+(?:\.\d+)*)\s*(?:[:.\-–—]\s*(?P<label>.*?))?\s*$", re.I)
_LABEL_PREFIX = re.compile(r"(?P<label>[Oo]utcome\s+\d+(?:\.\d+)*)\s*[:.\-–—]\s+(?=\S)")
# a line of page furniture: a few words, or a page number, ending no sentence
_FURNITURE = re.compile(r"^(?:\d{1,2}|(?:[A-Z&][\w'’&/-]*)(?:\s+[\w'’&/-]+){0,4})$")
# a footnote marker in running text: "… in 2021.[1] The …"
_FOOTNOTE_MARK = re.compile(r"\[\d{1,2}\]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%B %d %Y", "%Y-%m-%d", "%d/%m/%Y")
_SENTENCE_END = tuple('.!?:;"”)')
_QUOTES = "\"“”'‘’"
# Lines this long are narrative, never a heading or a title.
_MAX_HEADING = 120
_MAX_LABEL = 90


@dataclass(frozen=True)
class Country:
    alpha2: str
    alpha3: str
    name: str


@dataclass(frozen=True)
class Damage:
    """A section that could not be read (its heading is cut off) and was left out."""

    kind: str  # "cut-heading"
    line: int
    span: tuple[int, int]  # the damaged heading
    detail: str


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
    label: str | None = None  # "Outcome 2: <label>" given on the page
    label_span: tuple[int, int] | None = None


@dataclass
class ReportRecord:
    source: str  # name shown in messages and provenance (file name)
    text: str
    sha256: str
    country: Country | None  # None for an office that reports for no single country (a regional office)
    year: int
    data_as_of: date | None
    title: str | None
    sections: list[OutcomeSection]
    office: Office | None = None
    damage: list[Damage] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable key of the report: one report per country (or, for other offices, per office) and year."""
        if self.country is not None:
            return f"{self.country.alpha3}-{self.year}"
        assert self.office is not None
        return f"{self.office.code}-{self.year}"

    @property
    def where(self) -> str:
        """The country the report is about, or its office's name."""
        if self.country is not None:
            return self.country.name
        assert self.office is not None
        return self.office.name


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


def read_report(path: Path | str, *, country: str | None = None, year: int | None = None,
                office: str | None = None, strict: bool = False) -> ReportRecord:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReportFormatError(f"cannot read report: {e.strerror}", source=str(path)) from None
    return parse_report(data, source=str(path), country=country, year=year, office=office, strict=strict)


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
    data: bytes | str, *, source: str = "<report>", country: str | None = None, year: int | None = None,
    office: str | None = None, strict: bool = False,
) -> ReportRecord:
    """Parse a report; raise ``ReportFormatError`` naming the line and rule on bad input.

    A section whose heading is cut off ("outcome XM-DAC-411", a page torn mid-heading) is left
    out and listed in ``ReportRecord.damage``, so the rest of the page builds; ``strict`` makes
    such damage an error.
    """
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
    labels: dict[int, tuple[_Line, re.Match[str]]] = {}  # line number -> label line
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
        # a label is a title ("OUTCOME 6.1" is a bad heading; "Outcome 2: By 2022, women …." a statement)
        if (m := _LABEL.match(stripped)) and not stripped.startswith("OUTCOME") and not stripped.endswith((".", ";")) \
                and len(stripped) <= _MAX_LABEL:
            labels[ln.number] = (ln, m)
            continue
        m = _HEADING.match(stripped)
        if m and (m["word"] == "OUTCOME" or _ID_LIKE.match(m["rest"]) or _ID_PREFIX.match(m["rest"].strip())
                  or _GLUED_ID.match(m["rest"].strip())):
            headings.append((ln, m))
    if not headings:
        raise ReportFormatError(
            "no outcome heading found (expected a line 'OUTCOME XM-DAC-41146-MLI_D_1.2')",
            source=source, line=len(lines),
        )

    y = year if year is not None else title_year
    if y is None:
        raise ReportFormatError(
            "no year: the report has no 'Progress in <Country> in <Year>' title; pass --year", source=source
        )
    if country and title_country:
        tc, oc = resolve_country(title_country), resolve_country(country)
        if tc and oc and tc.alpha3 != oc.alpha3:
            raise ReportFormatError(
                f"--country {country} contradicts the title's country {title_country!r}", source=source
            )
    if year is not None and title_year is not None and year != title_year:
        raise ReportFormatError(f"--year {year} contradicts the title's year {title_year}", source=source)
    if not 1990 <= y <= 2100:
        raise ReportFormatError(f"year {y} is out of range (1990-2100)", source=source)

    sections: list[OutcomeSection] = []
    damage: list[Damage] = []
    seen: dict[str, OutcomeSection] = {}
    for i, (ln, m) in enumerate(headings):
        end_line = headings[i + 1][0].number - 1 if i + 1 < len(headings) else len(lines)
        tokens = m["rest"].strip().strip(_QUOTES).split()
        if not tokens:
            raise ReportFormatError(
                "outcome heading without identifier (expected 'OUTCOME XM-DAC-41146-…')",
                source=source, line=ln.number,
            )
        ident = tokens[0].strip(_QUOTES + ":")
        if (glued := _GLUED_ID.match(ident)) and glued["full"].endswith(glued["short"]):
            ident = glued["full"]  # the portal's "outcome ETH_D_1.2XM-DAC-41146-ETH_D_1.2"
        if len(tokens) > 1 and RESULT_ID.match(ident):
            raise ReportFormatError(
                f"unexpected text {' '.join(tokens[1:])!r} after the identifier in an outcome heading "
                "(expected the identifier alone on its line)",
                source=source, line=ln.number,
            )
        idm = RESULT_ID.match(ident)
        if not idm and len(tokens) == 1 and _ID_PREFIX.match(ident):
            detail = (f"the outcome heading is cut off ({ident!r} is the start of an identifier); "
                      f"the section (lines {ln.number}-{end_line}) is left out")
            if strict:
                raise ReportFormatError(detail + " (--strict)", source=source, line=ln.number)
            damage.append(Damage("cut-heading", ln.number, (ln.start, ln.end), detail))
            continue
        if not idm:
            raise ReportFormatError(
                f"{ident!r} is not an IATI result identifier (expected the form XM-DAC-41146-MLI_D_1.2)",
                source=source, line=ln.number,
            )
        body = [_Line(x.number, x.start, x.start, "") if x.number in labels else x
                for x in lines[ln.number : end_line]]
        body = _without_furniture(body)
        section = _section(text, source, ln, body, idm)
        label = _label_for(ln.number, lines, labels)
        if label is not None and section.label is None:
            section.label, section.label_span = label
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
    if not sections:
        raise ReportFormatError("no outcome could be read: every outcome heading is cut off", source=source,
                                line=damage[0].line)
    off = _report_office(sections, office, source)
    c = _resolve_report_country(country, title_country, off, source)
    return ReportRecord(source, text, sha, c, y, as_of, title, sections, off, damage)


def _without_furniture(body: list[_Line]) -> list[_Line]:
    """The body without the portal's menu and footer lines at its end ("Download data", "Back to top",
    "Terms of use", "Previous", "1", "Next"): short lines that end no sentence, after the narrative."""
    keep = list(body)
    while keep and (not keep[-1].text.strip() or _FURNITURE.match(keep[-1].text.strip())):
        keep.pop()
    content = [x for x in keep if x.text.strip()]
    dropped = [x for x in body[len(keep):] if x.text.strip()]
    # a section is never furniture alone: keep everything when nothing would be left but a statement
    return keep if dropped and len(content) >= 2 else body


def _label_for(heading: int, lines: list[_Line], labels: dict[int, tuple[_Line, re.Match[str]]]
               ) -> tuple[str, tuple[int, int]] | None:
    """The "Outcome N: …" line right before the heading, or right after it, with only blank lines between."""
    for step in (-1, 1):
        k = heading + step
        while 1 <= k <= len(lines) and not lines[k - 1].text.strip() and k not in labels:
            k += step
        if k in labels:
            ln, m = labels[k]
            a = ln.start + (len(ln.text) - len(ln.text.lstrip()))
            return " ".join(ln.text.split()), (a, ln.start + len(ln.text.rstrip()))
    return None


def _report_office(sections: list[OutcomeSection], option: str | None, source: str) -> Office:
    codes = list(dict.fromkeys(s.office for s in sections))
    if len(codes) > 1:
        raise ReportFormatError(
            f"outcomes of several offices in one report ({', '.join(codes)}); a report is one office's",
            source=source, line=next(s.line for s in sections if s.office == codes[1]))
    code = codes[0]
    if option is not None and option.strip().upper() != code:
        raise ReportFormatError(f"--office {option} contradicts the identifiers' office {code}", source=source,
                                line=sections[0].line)
    found = office(code)
    if found is None:
        raise ReportFormatError(
            f"unknown office code {code!r} in {sections[0].identifier} (neither an ISO 3166-1 alpha-3 code nor a "
            "row of data/offices.tsv)", source=source, line=sections[0].line)
    return found


def _resolve_report_country(option: str | None, title_country: str | None, off: Office,
                            source: str) -> Country | None:
    name = option or title_country or off.country
    if name is None:
        return None  # a regional, multi-country or headquarters office (or Kosovo's, which has no ISO 3166 code)
    c = resolve_country(name)
    if c is None:
        message = f"unknown country {name!r} (expected an ISO 3166 country name or code)"
        if option:  # the command line is wrong, not the report
            raise UsageError(f"--country: {message}")
        raise ReportFormatError(message, source=source)
    if off.country is not None and off.country != c.alpha2:
        what = f"--country {option}" if option else f"the title's country {title_country!r}"
        raise ReportFormatError(f"{what} contradicts the office {off.code} ({off.name})", source=source)
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
# damage the build reports as a warning and a finding on the report, leaving the section out
DAMAGE_KINDS = ("cut-heading",)


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
    label = None
    if (lm := _LABEL_PREFIX.match(text, st_s, st_e)):  # "Outcome 2: By 2022, women …" on the statement's line
        label = (" ".join(lm["label"].split()), (st_s, st_s + len(lm["label"])))
        st_s = lm.end()
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
    marks = [(m.start(), m.end()) for m in _FOOTNOTE_MARK.finditer(view.text)]
    if marks:  # footnote markers are not text: "… in 2021.[1] The" must not read as a figure or a sentence
        view = view.without(marks)
    view, dup_repairs = drop_duplicates(view)
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
        label=label[0] if label else None,
        label_span=label[1] if label else None,
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
    view, dups = drop_duplicates(TextView(old.source, ranges, joiners))
    first.narrative = view
    first.repairs.extend(dups)
    first.span = (first.span[0], again.span[1])
