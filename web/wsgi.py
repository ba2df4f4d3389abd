"""The WSGI app a server process imports (``web.wsgi:app``), configured from the KG_* settings.

``kg serve`` sets those settings in the environment and starts the server, whose worker processes each
import this module: each builds its own app and its own pool of query executors.
"""
from __future__ import annotations

from granian.utils.proxies import wrap_wsgi_with_proxy_headers

from web.app import create_app

flask_app = create_app()
flask_app.extensions["kg"].queries.warm()
# the reverse proxy on this machine says which scheme and host the client used (X-Forwarded-Proto, -For):
# absolute URLs (VoID, the service description, the SPARQL base IRI) then name what the client sees
app = wrap_wsgi_with_proxy_headers(flask_app, trusted_hosts="127.0.0.1")
