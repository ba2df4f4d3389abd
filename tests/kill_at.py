"""Run ``kg`` and SIGKILL it at a chosen point of the embedded store's write (a test harness).

    python tests/kill_at.py POINT N -- KG_ARGUMENTS...

POINT names something ``kg.store.embedded`` calls, as a dotted path from that module's
globals, optionally prefixed with ``after:`` and/or scoped with ``OUTER>``:

    StoreSink.write_graph        before the N-th call of that method
    after:_write_dumps           right after the N-th call of that function returns
    os.replace                   before the N-th os.replace the module makes (os.path.getsize,
                                 shutil.rmtree, ox.Store.read_only, gzip.compress... likewise)
    after:_prune>shutil.rmtree   after the N-th shutil.rmtree made while _prune runs

Functions and methods of kg.store.embedded itself are replaced on the module or class; a
name reached through another module (os, shutil, ox, gzip, fcntl) is replaced only in
kg.store.embedded's view of it (its global ``os`` becomes a proxy of os), so the rest of
the process (pathlib, pyoxigraph, the pipeline) is untouched. The product code has no
hook: only this harness patches it, in this process.

On the N-th call the process kills itself with SIGKILL, so nothing runs after that point:
no ``finally``, no ``abort``, no atexit, as when a machine loses a process. If the build ends
without reaching the point, the harness says so on stderr and exits 99 (the test expects -9).
"""
from __future__ import annotations

import inspect
import os
import signal
import sys
import types
from collections.abc import Callable

import kg.cli
import kg.store.embedded as embedded

NOT_REACHED = 99


class _Proxy:
    """Another module or class as one module sees it: every attribute is the original's, except ``overrides``."""

    def __init__(self, target: object, overrides: dict[str, object], call: Callable | None = None) -> None:
        self._target = target
        self._overrides = overrides
        self._call = call or target

    def __getattr__(self, name: str) -> object:
        if name in self._overrides:
            return self._overrides[name]
        return getattr(self._target, name)

    def __call__(self, *args: object, **kwargs: object) -> object:  # ox.Store(...) through a proxied ox.Store
        return self._call(*args, **kwargs)


def _die(point: str, n: int) -> None:
    sys.stderr.write(f"kill_at: SIGKILL at {point} call {n}\n")
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _replace(path: str, make: Callable[[object], object]) -> None:
    """Replace the object at dotted ``path`` (from kg.store.embedded's globals) with ``make(original)``."""
    names = path.split(".")
    owners: list[object] = [embedded]  # owners[i] holds names[i]
    for name in names:
        owner = owners[-1]
        if not hasattr(owner, name):
            raise SystemExit(f"kill_at: {path}: {name!r} not found on {owner!r}")
        # a method of our own class as defined (a function), not bound: the replacement must bind like it
        found = inspect.getattr_static(owner, name) if _is_ours(owner) else getattr(owner, name)
        if isinstance(found, (staticmethod, classmethod)):
            raise SystemExit(f"kill_at: {path}: static and class methods are not supported")
        owners.append(found)
    original = owners[-1]
    new = make(original)
    if not isinstance(original, types.FunctionType):  # a class or module called (ox.Store): keep its attributes
        new = _Proxy(original, {}, call=new)
    # walk back up: our own module and classes are patched in place; foreign ones get a proxy in their parent
    for i in range(len(names) - 1, -1, -1):
        parent, name = owners[i], names[i]
        if parent is embedded or _is_ours(parent):
            setattr(parent, name, new)
            return
        new = _Proxy(parent, {name: new})
    raise AssertionError("unreachable")  # owners[0] is kg.store.embedded


def _is_ours(obj: object) -> bool:
    """A class defined in kg.store.embedded (patched in place, like the module)."""
    return isinstance(obj, type) and obj.__module__ == embedded.__name__


def arm(point: str, n: int) -> dict[str, int]:
    """Patch kg.store.embedded so that the ``n``-th call at ``point`` kills this process."""
    after = point.startswith("after:")
    spec = point.removeprefix("after:")
    outer, _, target = spec.rpartition(">")
    state = {"calls": 0, "depth": 0}

    def counting(original):
        def wrapper(*args, **kwargs):
            if outer and not state["depth"]:
                return original(*args, **kwargs)
            state["calls"] += 1
            hit = state["calls"] == n
            if hit and not after:
                _die(point, n)
            result = original(*args, **kwargs)
            if hit:
                _die(point, n)
            return result
        return wrapper

    def scoping(original):
        def wrapper(*args, **kwargs):
            state["depth"] += 1
            try:
                return original(*args, **kwargs)
            finally:
                state["depth"] -= 1
        return wrapper

    _replace(target, counting)
    if outer:
        _replace(outer, scoping)
    return state


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[2] != "--":
        sys.stderr.write(__doc__ or "")
        return 2
    point, n = argv[0], int(argv[1])
    if n < 1:
        raise SystemExit("kill_at: N counts from 1")
    state = arm(point, n)
    rc = kg.cli.main(argv[3:])
    sys.stderr.write(f"kill_at: {point} was called {state['calls']} times, fewer than {n}: not killed "
                     f"(kg exited {rc})\n")
    return NOT_REACHED


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
