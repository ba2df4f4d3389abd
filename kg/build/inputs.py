"""Which files a build reads, and the ontology graph every build publishes."""
from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox

from kg import resources
from kg.errors import UsageError
from kg.rdf import NamedGraph
from kg.uris import ONTOLOGY

INPUT_SUFFIXES = (".txt", ".xml")


def collect_inputs(inputs: list[str | Path]) -> list[Path]:
    """Files named, and the reports (.txt) and IATI files (.xml) of folders named (sorted, so builds repeat).

    An unreadable folder is an error, not a silent gap in the corpus.
    """
    files: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            def fail(e: OSError, folder: Path = p) -> None:
                raise UsageError(f"cannot read folder: {e.strerror}", source=e.filename or str(folder))
            found = []
            for root, dirs, names in os.walk(p, onerror=fail):
                dirs.sort()
                found.extend(Path(root) / n for n in names if n.endswith(INPUT_SUFFIXES))
            files.extend(sorted(found))
        elif p.is_file():
            files.append(p)
        elif p.exists() or p.is_symlink():
            raise UsageError("not a file or folder", source=str(p))
        else:
            raise UsageError(f"no such file or folder: {p}")
    if not files:
        raise UsageError("no reports to build (expected .txt reports or .xml IATI activity files)")
    return files


def ontology_graph() -> NamedGraph:
    with resources.ontology_file().open("rb") as f:
        return NamedGraph(ox.NamedNode(ONTOLOGY), [q.triple for q in ox.parse(f, format=ox.RdfFormat.TURTLE)])
