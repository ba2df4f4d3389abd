"""What a ``kg`` command is, and where commands other packages contribute are found.

The library's commands live in ``kg/cli.py``. A package that may not be imported by the
library (the web wing's ``kg serve``) contributes its command through the
``results_kg.commands`` entry point group of its installed metadata; it is loaded only
when that command runs, or when the top-level help lists every command.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

GROUP = "results_kg.commands"


@dataclass(frozen=True)
class Command:
    """One command: its arguments beyond the settings table's options, and what it runs."""

    name: str
    help: str
    description: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def contributed() -> dict[str, EntryPoint]:
    """The commands other installed packages contribute, by name, not yet loaded."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}
