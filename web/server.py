"""``kg serve``: the Flask app under gunicorn, a production WSGI server.

Each gunicorn worker builds its own app (and its own pool of query executors) after
the fork; the store is opened read-only per published version, so workers, executors
and a concurrent ``kg build --store`` never step on each other. The command is
contributed to ``kg`` through the ``results_kg.commands`` entry point (pyproject.toml),
so the library's CLI never imports the web wing.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from kg import resources, settings
from kg.commands import Command
from kg.store import open_configured
from web.urls import SPARQL


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any], app_config: dict[str, Any]) -> None:
        self.options = options
        self.app_config = app_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:  # the WSGI app
        from web.app import create_app

        app = create_app(self.app_config)
        app.extensions["kg"].queries.warm()
        return app


def serve(*, host: str, port: int, workers: int, threads: int, timeout: float, app_config: dict[str, Any]) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # a query is stopped by its executor's own deadline; this only catches a stuck worker
        "timeout": int(timeout) + 30,
        "graceful_timeout": 10,
        # gunicorn's largest request line: a long search or a GET query reaches the app, which answers it
        # (or refuses it with its own 400 page) instead of gunicorn's bare 414
        "limit_request_line": 8190,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "results-kg",
    }
    _Server(options, app_config).run()


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
    serve(host=host, port=port, workers=int(settings.resolve("web_workers", args)),
          threads=int(settings.resolve("web_threads", args)), timeout=timeout,
          app_config={**app_config, "query_timeout": str(timeout)})
    return 0


COMMAND = Command("serve", "serve the store: SPARQL endpoint, linked data, browser",
                  "Serve the store over HTTP with gunicorn. If the store is empty, the bundled reports are built "
                  "into it first.", lambda parser: None, cmd_serve)
