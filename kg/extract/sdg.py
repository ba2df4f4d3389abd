"""Sustainable Development Goals a narrative names: "SDG 5", "SDGs 5 and 16", "SDG target 5.2",
"Sustainable Development Goal indicator 5.5.1".

A code is read only after the words SDG or Sustainable Development Goal (a bare "5.2" is any
number); a goal is 1 to 17, a target a number or a letter after it ("5.c"), an indicator a number
after that. Each code is a mention with its own characters, so the link it makes (``dcterms:subject``
to the UN SDG knowledge organisation system, kg/uris.py) traces back to the words.
"""
from __future__ import annotations

import re

Found = tuple[int, int, str]  # (start, end, code as linked: "5", "5.2", "5.5.1", or "5.c" for "5.c.1")

_CODE = r"\d{1,2}(?:\.(?:\d{1,2}|[a-z])(?:\.\d{1,2})?)?(?![\w.]*\d)"
_SDG = re.compile(rf"(?i:\bSDGs?|\bSustainable\s+Development\s+Goals?)\s*(?i:(?:targets?|indicators?)\s+)?"
                  rf"(?P<list>{_CODE}(?:\s*(?:,|and|&|/)\s*(?i:(?:targets?|indicators?)\s+)?{_CODE})*)")
_ONE = re.compile(_CODE)


def find_sdgs(text: str) -> list[Found]:
    out: list[Found] = []
    for m in _SDG.finditer(text):
        for c in _ONE.finditer(m.group("list")):
            code = c.group(0)
            parts = code.split(".")
            if not 1 <= int(parts[0]) <= 17:
                continue
            if len(parts) == 3 and parts[1].isalpha():
                code = ".".join(parts[:2])  # an indicator of a lettered target: its target (docs/publishing.md)
            start = m.start("list") + c.start()
            out.append((start, start + len(c.group(0)), code))
    return out
