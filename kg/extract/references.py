"""What a narrative cites that others publish: Sustainable Development Goals ("SDG 5", "SDGs 5 and 16",
"SDG target 5.2", "Sustainable Development Goal indicator 5.5.1") and Security Council resolutions
("Resolution 1325", "UNSCR 2242").

A code is read only after the words SDG or Sustainable Development Goal (a bare "5.2" is any
number); a goal is 1 to 17, a target a number or a letter after it ("5.c"), an indicator a number
after that. Each code is a mention with its own characters, so the link it makes (``dcterms:subject``
to the UN SDG knowledge organisation system, kg/uris.py) traces back to the words.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache

from kg import resources

Found = tuple[int, int, str]  # (start, end, code as linked: "5", "5.2", "5.5.1", or "5.c" for "5.c.1")

# a code, not the start of a bigger number: "SDG 5 and 2,000 women" names goal 5 only
_CODE = r"\d{1,2}(?:\.(?:\d{1,2}|[a-z])(?:\.\d{1,2})?)?(?![\w.]*\d)(?!,\d{3})"
_KIND = r"(?i:(?:targets?|indicators?)\s+)?"
# a list: "5, 10 and 16"; an item after a comma must end the list or lead to the next item, so "SDG 5, 3 districts"
# names goal 5 only
_SDG = re.compile(rf"(?i:\bSDGs?|\bSustainable\s+Development\s+Goals?)\s*{_KIND}"
                  rf"(?P<list>{_CODE}(?:\s*,\s*{_KIND}{_CODE}(?=\s*(?:,|and\b|or\b|&|/|[.;:)]|$))"
                  rf"|\s*(?:and|or|&|/)\s*{_KIND}{_CODE})*)")
_ONE = re.compile(_CODE)


def find_sdgs(text: str) -> list[Found]:
    out: list[Found] = []
    for m in _SDG.finditer(text):
        for c in _ONE.finditer(m.group("list")):
            parts = [str(int(p)) if p.isdigit() else p for p in c.group(0).split(".")]  # "05" is goal 5
            if not 1 <= int(parts[0]) <= 17:
                continue
            code = ".".join(parts)
            if len(parts) == 3 and parts[1].isalpha():
                code = ".".join(parts[:2])  # an indicator of a lettered target: its target (docs/publishing.md)
            start = m.start("list") + c.start()
            out.append((start, start + len(c.group(0)), code))
    return out


# "Resolution 1325", "UNSCR 1325", "resolutions 1325 and 1820", "Security Council resolution 2242 (2015)", "S/RES/1325"
_RESOLUTION = re.compile(r"(?:\b(?i:resolutions?|UNSCRs?|SCRs?)\s+(?:(?:No\.?|number)\s*)?|\bS/RES/)"
                         r"(?P<list>\d{3,4}\b(?:\s*(?:\(\d{4}\))?\s*(?:,|and|&)\s*\d{3,4}\b)*)")
_OTHER_BODY = re.compile(r"(?i:General\s+Assembly|Human\s+Rights\s+Council|Economic\s+and\s+Social\s+Council|"
                         r"ECOSOC|Executive\s+Board|Commission\s+on\s+the\s+Status\s+of\s+Women|CSW|"
                         r"World\s+Health\s+Assembly)\s*(?:'s\s+)?$")
_NUMBER = re.compile(r"(?<!\()\b\d{3,4}\b(?!\))")


@lru_cache(maxsize=1)
def resolution_years() -> dict[str, str]:
    """Security Council resolutions we can name by their document symbol (number -> year of adoption), from
    ``data/sc_resolutions.tsv``: a symbol needs the year, S/RES/1325(2000), and we do not guess it."""
    with (resources.data_dir() / "sc_resolutions.tsv").open(encoding="utf-8") as f:
        return {row["number"]: row["year"] for row in csv.DictReader(f, delimiter="\t")}


def find_resolutions(text: str) -> list[Found]:
    """(start, end, document symbol) of each resolution the table knows, e.g. "S/RES/1325(2000)"."""
    years = resolution_years()
    out = []
    for m in _RESOLUTION.finditer(text):
        if _OTHER_BODY.search(text, max(0, m.start() - 40), m.start()):
            continue  # "General Assembly resolution 1325" is not the Security Council's
        for n in _NUMBER.finditer(m["list"]):
            if n.group(0) in years:
                start = m.start("list") + n.start()
                out.append((start, start + len(n.group(0)), f"S/RES/{n.group(0)}({years[n.group(0)]})"))
    return out
