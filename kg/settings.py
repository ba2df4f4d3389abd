"""Every setting in one table: name, environment variable, default, help.

The CLI reads options and environment through this table, and a test checks that
each setting is documented in the README.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from kg.uris import DEFAULT_BASE


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("base_iri", "KG_BASE_IRI", DEFAULT_BASE,
            "Base under which every entity IRI is minted (must end in '/')."),
    Setting("validator", "KG_VALIDATOR", "shacl",
            "SHACL engine on the build path: 'shacl' (Rust, fast) or 'pyshacl' (the reference)."),
    Setting("jobs", "KG_JOBS", "auto",
            "Worker processes for builds of 8 reports or more: a number, or 'auto' for one per CPU."),
)
BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str, override: str | None = None) -> str:
    """An option given on the command line wins over the environment, which wins over the default."""
    if override is not None:
        return override
    s = BY_NAME[name]
    return os.environ.get(s.env) or s.default
