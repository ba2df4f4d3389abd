"""The WSGI app a server process imports (``web.wsgi:app``), configured from the KG_* settings.

``kg serve`` sets those settings in the environment and starts the server, whose worker processes each
import this module: each builds its own app and its own pool of query executors.
"""
from __future__ import annotations

from web.app import create_app

app = create_app()
app.extensions["kg"].queries.warm()
