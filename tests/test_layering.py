"""The house keeps its floor plan (docs/design.md): who may import whom, no import circles, no module
that outgrew one subject, and each table (media types, web paths, the ontology namespace, settings)
written in one place. Read from the source with ``ast``, so a lazy import inside a function counts too."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from helpers import REPO
from kg import settings

PACKAGES = ("kg", "web")
MAX_LINES = 600
WEB_ONLY = ("web", "flask", "werkzeug", "jinja2", "granian", "markupsafe")
# (importer prefix, forbidden prefixes): the stages flow one way, read -> extract -> rdf -> validate -> build
FORBIDDEN = [
    ("kg.read", ("kg.extract", "kg.rdf", "kg.build", "kg.store", "kg.query", "kg.validate")),
    ("kg.extract", ("kg.rdf", "kg.build", "kg.store", "kg.query", "kg.validate")),
    ("kg.rdf", ("kg.build", "kg.store", "kg.query", "kg.validate")),
    ("kg.validate", ("kg.build", "kg.store", "kg.query")),
    ("kg.store", ("kg.build",)),
    ("kg.query", ("kg.build", "kg.store")),
    ("kg.gazetteer", ("kg.extract", "kg.rdf")),
    # a page section's caller never is imported by it; the sections are found through the registry
    ("web.views.sections", ("web.views.notes", "web.views.iati", "web.views.entity")),
    ("web.views.entity", ("web.views.notes", "web.views.iati")),
    ("web.views.reader", ("web.views.notes", "web.views.iati", "web.views.entity", "web.views.sections")),
]


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The modules of ours (or the third-party top-level names) that a module imports, anywhere in it."""
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:  # `from web.views import iati` imports the module web.views.iati
                found.add(f"{mod}.{a.name}" if f"{mod}.{a.name}" in MODULES else mod)
    return found


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def _ours(target: str) -> str | None:
    """The module of ours an import names (``kg.store.remote`` for ``kg.store.remote.X``), else None."""
    parts = target.split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in MODULES:
            return ".".join(parts[:i])
    return None


def test_the_library_imports_no_web_code():
    bad = sorted(f"{m} imports {t}" for m, ts in IMPORTS.items() if m.split(".")[0] == "kg"
                 for t in ts if t.split(".")[0] in WEB_ONLY)
    assert not bad, bad


@pytest.mark.parametrize("importer,forbidden", FORBIDDEN)
def test_stages_import_only_downstream(importer, forbidden):
    bad = sorted(f"{m} imports {t}" for m, ts in IMPORTS.items() if m == importer or m.startswith(importer + ".")
                 for t in ts if any(t == f or t.startswith(f + ".") for f in forbidden))
    assert not bad, bad


def test_the_extract_stage_is_reached_through_its_face():
    """rdf maps what extract found, through ``kg.extract`` (its records), never its internal modules."""
    bad = sorted(f"{m} imports {t}" for m, ts in IMPORTS.items() if not m.startswith("kg.extract")
                 for t in ts if t.startswith("kg.extract."))
    assert not bad, bad


def test_no_import_circles():
    graph = {m: {o for t in ts if (o := _ours(t)) and o != m} for m, ts in IMPORTS.items()}
    # a package's face (__init__) re-exporting its own submodules is not a circle through it
    for m in graph:
        graph[m] = {o for o in graph[m] if not (o.startswith(m + ".") and MODULES[m].name == "__init__.py")}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert not circles, circles


def test_no_module_outgrew_one_subject():
    long = {m: n for m, p in MODULES.items() if (n := p.read_text(encoding="utf-8").count("\n")) > MAX_LINES}
    assert not long, long


def _modules_spelling(pattern: str) -> list[str]:
    rx = re.compile(pattern)
    return sorted(m for m, p in MODULES.items() if rx.search(p.read_text(encoding="utf-8")))


def test_media_types_are_spelled_in_the_formats_registry():
    assert len(_modules_spelling(r"text/turtle")) <= 2, _modules_spelling(r"text/turtle")
    assert _modules_spelling(r"application/ld\+json") == ["kg.formats"]


def test_web_paths_are_built_in_one_place():
    for path in ("/id/", "/def", "/sparql", "/dumps/", "/.well-known/void"):
        assert _modules_spelling(r"[\"']" + re.escape(path)) == ["web.urls"], path


def test_the_ontology_namespace_is_reached_through_kg_vocab():
    """rkg: IRIs come from the closed namespace (kg.vocab) or the IRI module's ONTOLOGY; never spelled again."""
    assert _modules_spelling(r"w3id\.org/results-kg/def") == ["kg.vocab"]
    concatenated = _modules_spelling(r"RKG_NS\s*\+|ONTOLOGY\s*\+\s*[\"']#")
    assert not concatenated, concatenated


def test_every_environment_variable_is_a_setting():
    known = {s.env for s in (*settings.SETTINGS, *settings.CREDENTIALS)}
    used = {v for p in MODULES.values() for v in re.findall(r"[\"'](KG_[A-Z_]+)[\"']", p.read_text(encoding="utf-8"))}
    assert used and used <= known, sorted(used - known)


def test_every_option_that_sets_a_setting_comes_from_the_table():
    """The CLI's flags are generated: no `--base-iri`-style option written by hand beside the table."""
    flags = {f for s in settings.SETTINGS for f in s.flags}
    cli = "".join((REPO / p).read_text(encoding="utf-8") for p in ("kg/cli.py", "web/server.py"))
    hand_written = sorted(f for f in flags if re.search(r"add_argument\([^)]*[\"']" + re.escape(f) + r"[\"']", cli))
    assert not hand_written, hand_written
