"""Per-version caches: values computed once per published store version, so no invalidation is needed.

A published version never changes, so anything computed from it stays valid until the
version does; keying on the version makes the caches correct by construction.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class VersionCache:
    """Values computed once per snapshot version (search index, home summary); old versions dropped."""

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
        self._data: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, version: str, name: str, factory: Callable[[], Any]) -> Any:
        key = (version, name)
        with self._lock:
            if key in self._data:
                return self._data[key]
        value = factory()
        with self._lock:
            self._data[key] = value
            versions = list(dict.fromkeys(v for v, _ in self._data))
            for old in versions[:-self.keep]:
                for k in [k for k in self._data if k[0] == old]:
                    del self._data[k]
        return value


class Rendered:
    """Rendered representations, keyed by store version, IRI, arguments and media type.

    A published version never changes, so a representation is valid until the version
    does; keying on the version makes the cache correct without invalidation.
    """

    def __init__(self, entries: int = 2048, max_bytes: int = 2 << 20) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.entries, self.max_bytes = entries, max_bytes

    def get(self, key: str, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        data = make()
        if len(data) <= self.max_bytes:
            with self._lock:
                self._items[key] = data
                while len(self._items) > self.entries:
                    self._items.popitem(last=False)
        return data


RENDERED = Rendered()
