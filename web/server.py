"""``kg serve``: the Flask app under Granian, a WSGI server whose HTTP side is Rust and asynchronous.

Why Granian (docs/deploy.md has the measurements): a slow or idle client costs it a socket and a
little memory, never a Python thread, so 500 clients sending a byte every few seconds and 200
idle connections leave normal requests answered in milliseconds, where gunicorn's 2 workers x 8
threads stopped answering with 15 such clients; and it answers small queries faster.

Each worker process imports ``web.wsgi`` and builds its own app (and its own pool of query
executors); the store is opened read-only per published version, so workers, executors and a
concurrent ``kg build --store`` never step on each other. The app is configured through the KG_*
settings in the environment, which the workers inherit. The command is contributed to ``kg``
through the ``results_kg.commands`` entry point (pyproject.toml), so the library's CLI never imports
the web wing.
"""
from __future__ import annotations

import argparse
import os
import sys

from kg import resources, settings
from kg.commands import Command
from kg.errors import UsageError
from kg.store import open_configured
from web.urls import SPARQL

HEADER_READ_TIMEOUT_MS = 30_000  # a request's head must arrive within this; a slow client only holds a socket
KILL_TIMEOUT_S = 2  # at a stop, requests have this long to finish, then the worker is killed: stops take < 3 s


def workers_for(value: str) -> int:
    """``--workers auto``: one per CPU this process may run on."""
    if value == "auto":
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    if not value.isdigit() or int(value) < 1:
        raise UsageError(f"--workers {value!r}: give a positive number, or auto (one per CPU)")
    return int(value)


def serve(*, host: str, port: int, workers: int, threads: int, app_config: dict[str, str]) -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    for name, value in app_config.items():  # the workers read their configuration from the environment
        os.environ[settings.BY_NAME[name].env] = value
    Granian(
        "web.wsgi:app",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_TIMEOUT_MS),
        websockets=False,
        log_access=True,
        respawn_failed_workers=True,
        workers_kill_timeout=KILL_TIMEOUT_S,
    ).serve()


def cmd_serve(args: argparse.Namespace) -> int:
    from kg.build import build
    from kg.uris import IRIs

    base = settings.resolve("base_iri", args)
    options = settings.given(args)
    store = open_configured(options)
    app_config: dict[str, str] = {"base_iri": base}
    if store.kind == "remote":
        # the web app gets the query URL only: it never writes, and an empty remote is an error
        # (run kg push), never filled with the bundled demo reports behind the operator's back
        app_config["endpoint"] = settings.resolve("endpoint", args)
        empty = False
    else:
        app_config["store"] = str(store.path)
        empty = store.is_empty()
    if empty:
        print(f"the store {store.path} is empty: building the bundled reports into it", file=sys.stderr)
        build([resources.bundled_reports_dir()], iris=IRIs(base), sink=store.sink(), keep=False,
              engine=settings.get("validator"), jobs=settings.get("jobs"))
    else:
        store.snapshot()  # fail now, with a clear message, if the store cannot be read
    host = settings.resolve("host", args)
    port = int(settings.resolve("port", args))
    timeout = float(settings.resolve("query_timeout", args))
    print(f"serving {store.path} on http://{host}:{port}/ (SPARQL at {SPARQL})", file=sys.stderr, flush=True)
    serve(host=host, port=port, workers=workers_for(settings.resolve("web_workers", args)),
          threads=int(settings.resolve("web_threads", args)),
          app_config={**app_config, "query_timeout": str(timeout)})
    return 0


COMMAND = Command("serve", "serve the store: SPARQL endpoint, linked data, browser",
                  "Serve the store over HTTP with Granian. If the store is empty, the bundled reports are built "
                  "into it first.", lambda parser: None, cmd_serve)
