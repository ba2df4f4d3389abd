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

    def __init__(self, entries: int = 2048, max_bytes: int = 2 << 20, total_bytes: int = 64 << 20) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.entries, self.max_bytes, self.total_bytes = entries, max_bytes, total_bytes

    def get(self, key: str, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        data = make()
        if len(data) <= self.max_bytes:
            with self._lock:  # bounded in entries and in bytes: a worker's memory stays flat under any traffic
                if key not in self._items:
                    self._items[key] = data
                    self._bytes += len(data)
                while len(self._items) > self.entries or self._bytes > self.total_bytes:
                    _, old = self._items.popitem(last=False)
                    self._bytes -= len(old)
        return data


RENDERED = Rendered()


class Results:
    """SPARQL results by store version, query, datasets and media type: small queries, which linked-data
    clients and federating engines send over and over, are answered without an executor round trip."""

    def __init__(self, entries: int = 4096, max_bytes: int = 1 << 20, total_bytes: int = 64 << 20) -> None:
        self._items: OrderedDict[str, tuple[bytes, str, bool]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.entries, self.max_bytes, self.total_bytes = entries, max_bytes, total_bytes

    def get(self, key: str) -> tuple[bytes, str, bool] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: str, body: bytes, media_type: str, truncated: bool) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (body, media_type, truncated)
            self._bytes += len(body)
            while len(self._items) > self.entries or self._bytes > self.total_bytes:
                _, (old, _, _) = self._items.popitem(last=False)
                self._bytes -= len(old)


RESULTS = Results()


class Answers:
    """Whole HTTP answers to GET /sparql by store version and request (query string, Accept, host), replayed
    before the framework runs: a linked-data client or federating engine asking the same small query again
    gets the same bytes and headers, at the cost of a dictionary lookup (web.sparql.fast_path)."""

    def __init__(self, entries: int = 4096, max_bytes: int = 256 << 10, total_bytes: int = 32 << 20) -> None:
        self._items: OrderedDict[bytes, tuple[list[tuple[str, str]], bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.entries, self.max_bytes, self.total_bytes = entries, max_bytes, total_bytes

    def get(self, key: bytes) -> tuple[list[tuple[str, str]], bytes] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: bytes, headers: list[tuple[str, str]], body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            if key not in self._items:
                self._items[key] = (headers, body)
                self._bytes += len(body)
            while len(self._items) > self.entries or self._bytes > self.total_bytes:
                _, (_, old) = self._items.popitem(last=False)
                self._bytes -= len(old)


ANSWERS = Answers()
