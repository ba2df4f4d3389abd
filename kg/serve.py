"""``kg serve``: the Flask app under gunicorn, a production WSGI server.

Each gunicorn worker builds its own app (and its own pool of query executors) after
the fork; the store is opened read-only per published version, so workers, executors
and a concurrent ``kg build --store`` never step on each other.
"""
from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any], app_config: dict[str, Any]) -> None:
        self.options = options
        self.app_config = app_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # noqa: ANN201 - the WSGI app
        from web import create_app

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
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "results-kg",
    }
    _Server(options, app_config).run()
