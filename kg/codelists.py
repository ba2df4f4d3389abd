"""IATI codelists as bundled reference tables, and the refresher that rebuilds them.

IATI activity XML writes codes ("1", "11110", or in IATI 1.0x files text such as
"Funding"), and the graph turns each into a SKOS concept with IATI's English name.
The names come from IATI's codelists. We bundle the few lists we use as small TSV
tables in ``data/iati/codelists/``, so the product needs no network and no IATI
checkout at run time and a change in IATI's lists shows up as a reviewable diff.
``update`` rebuilds the tables (and their SOURCE.md, which carries the licence and
attribution) from a checkout of IATI-Codelists / IATI-Codelists-NonEmbedded.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from xml.parsers import expat

from kg import resources
from kg.errors import InputError, OutputError, UsageError
from kg.text import fold


@dataclass(frozen=True)
class Scheme:
    """One codelist we bundle: our key, IATI's codelist name, and facts the files do not carry."""

    key: str
    file: str  # IATI's codelist name: <file>.xml in a checkout, <codelist name="<file>">
    label: str  # English label of the scheme: IATI's own <metadata><name>
    vocabulary: str | None = None  # the @vocabulary value that selects this list where IATI offers several
    owner: str = "IATI"  # who the list belongs to; IATI replicates some lists from other bodies

    @property
    def url(self) -> str:
        """The list's page in the IATI Standard's reference (published as the scheme's dcterms:source)."""
        return f"https://iatistandard.org/en/iati-standard/203/codelists/{self.file.lower()}/"


# IATI's ActivityDateType would belong here too, but the checkout we refresh from lacks it.
SCHEMES: Mapping[str, Scheme] = MappingProxyType({s.key: s for s in (
    Scheme("iati-result-type", "ResultType", "Result Type"),
    Scheme("iati-indicator-measure", "IndicatorMeasure", "Indicator Measure"),
    Scheme("iati-organisation-type", "OrganisationType", "Organisation Type"),
    Scheme("iati-organisation-role", "OrganisationRole", "Organisation Role"),
    Scheme("iati-activity-status", "ActivityStatus", "Activity Status"),
    Scheme("iati-sector", "Sector", "DAC 5 Digit Sector", vocabulary="1", owner="OECD DAC"),
    Scheme("iati-sector-category", "SectorCategory", "DAC 3 Digit Sector", vocabulary="2", owner="OECD DAC"),
    Scheme("iati-region", "Region", "Region", vocabulary="1", owner="OECD DAC"),
)})

_HEADER = ("code", "name", "status")
_STATUSES = ("active", "withdrawn")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_SEPARATORS = re.compile(r"[\s_-]+")
_REPOSITORIES = {  # the <codelist embedded=...> flag says which IATI repository a list lives in
    "1": "IATI-Codelists (https://github.com/IATI/IATI-Codelists)",
    "0": "IATI-Codelists-NonEmbedded (https://github.com/IATI/IATI-Codelists-NonEmbedded)",
}


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    withdrawn: bool = False


def _name_key(text: str) -> str:
    """How names are compared: case and accents ignored, whitespace, hyphens and underscores dropped."""
    return _SEPARATORS.sub("", fold(text))


def _name_index(codes: Iterable[Code]) -> dict[str, str | None]:
    """Folded name -> code; None where the name is ambiguous.

    A name shared by an active and a withdrawn code means the active one (DAC reuses
    names when it renumbers a sector); a name shared by two active codes means
    neither, since guessing would put a wrong concept in the graph.
    """
    by_name: dict[str, list[Code]] = {}
    for c in codes:
        by_name.setdefault(_name_key(c.name), []).append(c)
    index: dict[str, str | None] = {}
    for key, cands in by_name.items():
        active = [c for c in cands if not c.withdrawn]
        pool = active or cands
        index[key] = pool[0].code if len(pool) == 1 else None
    return index


@dataclass(frozen=True)
class Codelist:
    """The codes of one scheme, in IATI's order; read-only because ``load`` shares one instance."""

    key: str
    label: str
    codes: Mapping[str, Code]
    _by_name: dict[str, str | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", MappingProxyType(dict(self.codes)))
        object.__setattr__(self, "_by_name", _name_index(self.codes.values()))

    def lookup(self, value: str) -> Code | None:
        """The code written as ``value``: the code itself, or (IATI 1.0x) its English name.

        Names match case-insensitively with whitespace, hyphens and underscores
        ignored ("Funding", "funding", "non-sector allocable"); None when unknown or
        when the name is shared by two active codes.
        """
        text = value.strip()
        if text in self.codes:
            return self.codes[text]
        code = self._by_name.get(_name_key(text)) if text else None
        return self.codes[code] if code is not None else None

    def ambiguous_names(self) -> list[str]:
        """Folded names that ``lookup`` refuses because two active codes share them."""
        return sorted(k for k, v in self._by_name.items() if v is None)


def codelists_dir(data_dir: Path | None = None) -> Path:
    """The folder of the bundled tables under a data root (default: the shipped ``data/``)."""
    return Path(data_dir) / "iati" / "codelists" if data_dir is not None else _shipped_dir()


@lru_cache(maxsize=1)
def _shipped_dir() -> Path:
    """Found once: the build looks codes up for every activity, and finding the folder costs file checks."""
    return resources.data_dir() / "iati" / "codelists"


def _scheme(key: str) -> Scheme:
    try:
        return SCHEMES[key]
    except KeyError:
        raise UsageError(f"unknown IATI codelist {key!r} (known: {', '.join(SCHEMES)})") from None


def load(key: str, data_dir: Path | None = None) -> Codelist:
    """The bundled codelist ``key``, read from ``<data_dir>/iati/codelists/<key>.tsv`` once per folder."""
    scheme = _scheme(key)
    return _load(scheme, codelists_dir(data_dir))


@lru_cache(maxsize=64)
def _load(scheme: Scheme, folder: Path) -> Codelist:
    path = folder / f"{scheme.key}.tsv"
    return Codelist(scheme.key, scheme.label, _read_table(path))


def _read_table(path: Path) -> dict[str, Code]:
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot read codelist table: {e.strerror}", source=where) from None
    except UnicodeDecodeError as e:
        raise InputError(f"codelist table is not UTF-8 text ({e.reason})", source=where) from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or tuple(lines[0].rstrip("\r").split("\t")) != _HEADER:
        raise InputError("codelist table must start with the header 'code<TAB>name<TAB>status'",
                         source=where, line=1)
    codes: dict[str, Code] = {}
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        cells = line.rstrip("\r").split("\t")
        if len(cells) != len(_HEADER):
            raise InputError(f"a row must have 3 tab-separated cells (code, name, status), found {len(cells)}",
                             source=where, line=number)
        code, name, status = cells
        if not code or code != code.strip() or any(ch.isspace() for ch in code):
            raise InputError(f"code {code!r} must be non-empty and without spaces", source=where, line=number)
        if not name.strip():
            raise InputError(f"code {code!r} has an empty name", source=where, line=number)
        if status not in _STATUSES:
            raise InputError(f"status {status!r} must be 'active' or 'withdrawn'", source=where, line=number)
        if code in codes:
            raise InputError(f"duplicate code {code!r} (first on line {first_line[code]})", source=where, line=number)
        codes[code] = Code(code, name, status == "withdrawn")
        first_line[code] = number
    return codes


# ---- refreshing from an IATI checkout -------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    scheme: Scheme
    codes: tuple[Code, ...]
    embedded: str | None
    category: str | None
    url: str | None
    sha256: str


def update(from_dir: Path, to_dir: Path | None = None) -> dict[str, int]:
    """Rebuild the bundled tables from an IATI codelist checkout; return {key: number of codes}.

    ``from_dir`` holds ``<Codelist>.xml`` files (the ``xml/`` folder of IATI-Codelists
    and IATI-Codelists-NonEmbedded together); ``to_dir`` defaults to the shipped
    ``data/iati/codelists``. Every file is parsed before anything is written, and
    the new tables are written to temporary files beside the old ones and only
    then moved over them, so bad input leaves the old tables untouched.
    """
    source = Path(from_dir)
    if not source.is_dir():
        raise InputError("not a folder: expected a checkout of IATI codelist XML files", source=str(source))
    parsed = [_parse(source / f"{s.file}.xml", s) for s in SCHEMES.values()]
    outputs = {f"{p.scheme.key}.tsv": _table_text(p.codes) for p in parsed}
    outputs["SOURCE.md"] = _source_text(parsed, date.today())
    _write_all(Path(to_dir) if to_dir is not None else codelists_dir(), outputs)
    _load.cache_clear()  # tables already loaded from that folder are stale now
    return {p.scheme.key: len(p.codes) for p in parsed}


def _parse(path: Path, scheme: Scheme) -> _Parsed:
    where = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"missing codelist file {path.name} (the {scheme.key} table is built from it)",
                         source=where) from None
    except OSError as e:
        raise InputError(f"cannot read codelist file: {e.strerror}", source=where) from None
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        line, column = e.position
        reason = re.sub(r":\s*line \d+, column \d+$", "", str(e))
        raise InputError(f"not XML: {reason}", source=where, line=line, column=column + 1) from None
    if root.tag != "codelist":
        raise InputError(f"not an IATI codelist: the root element is <{root.tag}>, expected <codelist>",
                         source=where, line=1)
    if root.get("name") != scheme.file:
        found = f"name={root.get('name')!r}" if root.get("name") is not None else "no name attribute"
        raise InputError(f"wrong codelist: <codelist> has {found}, expected name={scheme.file!r}",
                         source=where, line=_line_of(data, "codelist", 0))
    items = root.findall("codelist-items/codelist-item")
    if not items:
        raise InputError("empty codelist: no <codelist-items>/<codelist-item> elements", source=where)
    default_lang = root.get(_XML_LANG, "en")
    codes: dict[str, Code] = {}
    for index, item in enumerate(items):
        def fail(message: str, index: int = index) -> InputError:
            return InputError(message, source=where, line=_line_of(data, "codelist-item", index))

        code = (item.findtext("code") or "").strip()
        if not code:
            raise fail("<codelist-item> without a <code>")
        if any(ch.isspace() for ch in code):
            raise fail(f"code {code!r} contains whitespace")
        if code in codes:
            raise fail(f"duplicate code {code!r}")
        names = [
            " ".join((n.text or "").split())  # a table cell holds no tabs or newlines
            for n in item.findall("name/narrative")
            if n.get(_XML_LANG, default_lang).lower() == "en"
        ]
        if not names or not names[0]:
            raise fail(f"code {code!r} has no English <name>/<narrative>")
        status = item.get("status", "active")
        if status not in _STATUSES:
            raise fail(f"code {code!r} has status={status!r}, expected 'active' or 'withdrawn'")
        codes[code] = Code(code, names[0], status == "withdrawn")
    return _Parsed(
        scheme=scheme,
        codes=tuple(codes.values()),
        embedded=root.get("embedded"),
        category=_text(root.find("metadata/category/narrative")),
        url=_text(root.find("metadata/url")),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _text(element: ET.Element | None) -> str | None:
    return " ".join(element.text.split()) if element is not None and element.text else None


def _line_of(data: bytes, tag: str, index: int) -> int | None:
    """Line of the ``index``-th <tag> element: ElementTree keeps no positions, so errors re-scan with expat."""
    parser = expat.ParserCreate()
    seen: list[int] = []

    def start(name: str, _attrs: object) -> None:
        if name == tag:
            seen.append(parser.CurrentLineNumber)

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        pass
    return seen[index] if index < len(seen) else None


def _table_text(codes: Iterable[Code]) -> str:
    rows = ["\t".join(_HEADER)]
    rows += [f"{c.code}\t{c.name}\t{'withdrawn' if c.withdrawn else 'active'}" for c in codes]
    return "\n".join(rows) + "\n"


def _source_text(parsed: list[_Parsed], day: date) -> str:
    lines = [
        "# IATI codelists bundled here",
        "",
        f"Written by `kg.codelists.update` on {day.isoformat()} from a checkout of IATI's codelist XML",
        "(`xml/<codelist>.xml` in the repositories below). Do not edit the tables by hand: rerun the update.",
        "",
        "Each table has the columns `code`, `name` (IATI's English name, whitespace collapsed) and",
        "`status` (`active` or `withdrawn`), in IATI's order; withdrawn codes are kept so older",
        "activity files still resolve.",
        "",
        "| table | `<codelist name>` | repository | category | codes | withdrawn | sha256 of the XML |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in parsed:
        repository = _REPOSITORIES.get(p.embedded or "", "unknown")
        withdrawn = sum(c.withdrawn for c in p.codes)
        lines.append(f"| {p.scheme.key}.tsv | {p.scheme.file} | {repository} | {p.category or '-'} "
                     f"| {len(p.codes)} | {withdrawn} | {p.sha256} |")
    lines += [
        "",
        "## Licence",
        "",
        "The IATI codelists are copyright Development Initiatives, on behalf of the IATI Secretariat,",
        "released under the Creative Commons Attribution 4.0 licence (CC BY 4.0,",
        "http://creativecommons.org/licenses/by/4.0/).",
        "Attribution: \"IATI Standard (http://iatistandard.org/)\".",
        "",
        "Externally sourced lists belong to their source: IATI replicates them, and its licence",
        "\"does not apply to descriptions on externally sourced codelists\". Ask the source about re-use:",
        "",
    ]
    external = [p for p in parsed if p.scheme.owner != "IATI"]
    lines += [f"* {p.scheme.key}.tsv ({p.scheme.file}): {p.scheme.owner}"
              + (f", {p.url}" if p.url else "") for p in external]
    return "\n".join(lines) + "\n"


def _write_all(folder: Path, files: dict[str, str]) -> None:
    """Write every file to a temporary beside its target, then move them all into place.

    A failure before the moves leaves the old files as they were; the moves
    themselves are atomic one by one (os.replace), not as a set.
    """
    temps: dict[Path, Path] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            temps[folder / name] = Path(tmp)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; these are shipped data files
        for target, tmp in temps.items():
            os.replace(tmp, target)
    except OSError as e:
        raise OutputError(f"cannot write codelist tables: {e.strerror}", source=str(folder)) from None
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
