"""The shared request context: what every handler needs, set up once per app by the factory."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from kg.uris import IRIs
from web.urls import Urls


@dataclass
class KGContext:
    """The store, the IRI minter, the URL builder, the query service and the settings of one app."""

    store: Any  # kg.store.GraphStore: EmbeddedStore or RemoteStore
    iris: IRIs
    queries: Any  # kg.query.service.QueryService or RemoteQueryService
    settings: dict[str, str]
    urls: Urls

    def snapshot(self) -> Any:  # kg.store.Snapshot
        return self.store.snapshot()


def kg() -> KGContext:
    return current_app.extensions["kg"]
