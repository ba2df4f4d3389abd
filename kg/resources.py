"""Where the shipped files are: the ontology, shapes, queries and reference tables.

In a source checkout they are the top-level ``ontology/`` and ``data/`` folders; an
installed wheel carries them as ``kg/_ontology`` and ``kg/_data`` (pyproject maps
them), so ``pip install .`` works without the checkout.
"""
from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _folder(installed: str, checkout: str) -> Path:
    for candidate in (_PKG / installed, _PKG.parent / checkout):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"package data folder {checkout!r} is missing from this installation")


def ontology_dir() -> Path:
    return _folder("_ontology", "ontology")


def data_dir() -> Path:
    return _folder("_data", "data")


def ontology_file() -> Path:
    return ontology_dir() / "results-kg.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def context_file() -> Path:
    return ontology_dir() / "context.jsonld"


def queries_dir() -> Path:
    return ontology_dir() / "queries"


def bundled_reports_dir() -> Path:
    return data_dir() / "reports"
