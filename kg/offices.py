"""UN Women offices, by the code their IATI result identifiers carry (``…-<OFFICE>_D_1.1``).

Most codes are the ISO 3166-1 alpha-3 code of the country office's country (``MLI``); the
others (Kenya's ``RD``, regional offices such as ``WCA``, multi-country and headquarters
offices) are rows of ``data/offices.tsv``, each with its source. An office reports for one
country or for none: a regional office's report is about a region, not a country.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from kg import resources
from kg.errors import InputError

OFFICE_TYPES = ("country-office", "multi-country-office", "regional-office", "headquarters", "liaison-office")


@dataclass(frozen=True)
class Office:
    code: str
    name: str
    type: str
    country: str | None  # ISO 3166-1 alpha-2 of the one country it reports for, else None
    region: str | None = None  # code of the regional office it belongs to
    source: str | None = None


@lru_cache(maxsize=1)
def table() -> dict[str, Office]:
    """The curated rows, by code."""
    path = resources.data_dir() / "offices.tsv"
    out: dict[str, Office] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
            if row["type"] not in OFFICE_TYPES:
                raise InputError(f"unknown office type {row['type']!r} (expected one of {', '.join(OFFICE_TYPES)})",
                                 source=str(path), line=n)
            country = row["country"].strip() or None
            if country is not None and pycountry.countries.get(alpha_2=country) is None:
                raise InputError(f"{country!r} is not an ISO 3166-1 alpha-2 code", source=str(path), line=n)
            out[row["code"]] = Office(row["code"], row["name"], row["type"], country,
                                      row["region"].strip() or None, row["source"].strip() or None)
    return out


def office(code: str) -> Office | None:
    """The office of an identifier's office code; a country office is known by its country's alpha-3 code."""
    known = table().get(code)
    if known is not None:
        return known
    c = pycountry.countries.get(alpha_3=code)
    if c is None:
        return None
    name = getattr(c, "common_name", None) or c.name
    return Office(code, f"UN Women {name} Country Office", "country-office", c.alpha_2)
