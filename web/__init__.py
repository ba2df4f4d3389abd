"""The web wing: thin HTTP handlers over the ``kg`` library.

``web.app.create_app`` is the app factory; ``from web import create_app`` and
``flask --app web`` find it here without importing the app when a submodule is imported.
"""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from web.app import create_app

        return create_app
    raise AttributeError(f"module 'web' has no attribute {name!r}")
