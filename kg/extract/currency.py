"""Currencies of amounts of money: "US$ 45,000", "1.3MUS$", "FCFA 38,500,000", "ETB 2.3 million", "4,000 birr".

Any ISO 4217 code written in capitals next to a number is a currency (pycountry's ISO 4217
list). Symbols and words ("US$", "FCFA", "birr", "Leones") are rows of ``data/currencies.tsv``;
a row may hold for some countries only ("FCFA" is XAF in Central Africa, XOF in West Africa;
"pesos" are Colombian in Colombia, Mexican in Mexico), and such a row wins there.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from kg import resources

# "1.3M", "2.5 mn", "3bn" next to a currency; the long words are handled with every number
SHORT_SCALES = {"M": 1_000_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "B": 1_000_000_000,
                "k": 1000, "K": 1000}


@dataclass(frozen=True)
class Matchers:
    before: re.Pattern[str]  # searched in the text just before a number (anchored at its end)
    after: re.Pattern[str]  # matched right after a number (and its scale)
    codes: dict[str, str]  # written form -> ISO 4217 code


@lru_cache(maxsize=1)
def _rows() -> list[tuple[str, str, str, frozenset[str]]]:
    path = resources.data_dir() / "currencies.tsv"
    out = []
    with path.open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
            if pycountry.currencies.get(alpha_3=row["code"]) is None or row["position"] not in ("before", "after",
                                                                                                   "both"):
                raise ValueError(f"{path}:{n}: unknown ISO 4217 code {row['code']!r} or position {row['position']!r}")
            out.append((row["form"], row["code"], row["position"], frozenset(row["countries"].split())))
    return out


def _alt(forms: list[str]) -> str:
    return "|".join(re.escape(f).replace(r"\ ", r"\s*") for f in sorted(set(forms), key=len, reverse=True))


@lru_cache(maxsize=256)
def matchers(country: str) -> Matchers:
    """The currency forms of reports about ``country`` (ISO alpha-2, or "" for an office with no country)."""
    codes: dict[tuple[str, str], str] = {}
    for form, code, position, countries in _rows():
        sides = ("before", "after") if position == "both" else (position,)
        for side in sides:
            if countries and country not in countries:
                continue
            if countries or (form, side) not in codes:  # a country's own row wins over the general one
                codes[(form, side)] = code
    iso = [c.alpha_3 for c in pycountry.currencies]
    before = [f for f, side in codes if side == "before"] + iso
    after = [f for f, side in codes if side == "after"] + iso
    forms = {f: c for (f, _side), c in codes.items()}
    for c in iso:
        forms.setdefault(c, c)
    # the form must not be the end of a longer word ("BUS$"), nor glued to a letter after it ("USDA")
    return Matchers(
        re.compile(rf"(?<![A-Za-z])(?P<form>{_alt(before)})\s*$"),
        re.compile(rf"\s*(?P<form>{_alt(after)})(?![A-Za-z])"),  # used with match(): anchored where it starts
        forms,
    )


def code_of(form: str, m: Matchers) -> str:
    return m.codes[" ".join(form.split())] if " ".join(form.split()) in m.codes else m.codes[form]
