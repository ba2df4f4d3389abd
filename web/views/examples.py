"""The example queries shipped in ``ontology/queries/``, each with the question its first line asks."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg import resources


@dataclass
class Example:
    name: str
    question: str
    text: str
    sources: tuple[str, ...] = ("reports",)  # the data it needs: "reports", "IATI" (its "# sources:" line)

    @property
    def iati_only(self) -> bool:
        return self.sources == ("IATI",)


def example_queries(folder: Path | None = None) -> list[Example]:
    """The shipped example queries, each with the question its first line asks."""
    out = []
    for path in sorted((folder or resources.queries_dir()).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        m = re.match(r"#\s*question:\s*(.*)", first)
        src = re.search(r"^#\s*sources:\s*(.+)$", text, re.M)
        sources = tuple(x.strip() for x in src.group(1).split(",")) if src else ("reports",)
        out.append(Example(path.stem, m.group(1).strip() if m else path.stem, text, sources))
    return sorted(out, key=lambda e: (e.iati_only, e.name))  # the report questions first
