"""The remote store's HTTP client: SPARQL queries and Graph Store writes, no redirects, a hard deadline.

Reading is SPARQL 1.1 Query through SPARQLWrapper (POST, form-encoded, content
negotiation only); the response body streams, so a row cap or a deadline stops
reading early. Every failure becomes one ``KGError`` with a message that never
carries credentials.
"""
from __future__ import annotations

import base64
import http.client
import io
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from kg import settings
from kg.errors import QueryError, RemoteError, RemoteTimeout, UsageError
from kg.query import form_of


def safe_url(url: str) -> str:
    """A URL as it may be shown: without user name, password or query string."""
    try:
        p = urllib.parse.urlsplit(url)
        host = p.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if p.port:
            host = f"{host}:{p.port}"
    except ValueError:
        return "(an invalid URL)"
    return urllib.parse.urlunsplit((p.scheme, host, p.path, "", ""))


def _check_url(url: str, what: str) -> str:
    try:
        p = urllib.parse.urlsplit(url)
        p.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        raise UsageError(f"{what} is not a valid URL (check the host and port)") from None
    if p.scheme not in ("http", "https") or not p.hostname:
        raise UsageError(f"{what} must be an http:// or https:// URL, not {safe_url(url) or url[:40]!r}")
    if p.username or p.password:
        raise UsageError(f"{what}: put credentials in KG_REMOTE_USER/KG_REMOTE_PASSWORD or KG_REMOTE_TOKEN, "
                         "not in the URL")
    return url


@dataclass(frozen=True)
class Remote:
    """Where a remote store is and how to talk to it. Credentials come from the environment only."""

    query_url: str
    graph_store_url: str | None = None
    update_url: str | None = None
    timeout: float = 300.0
    _auth: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, endpoint: str | None = None, graph_store: str | None = None,
                      update: str | None = None) -> Remote:
        query_url = settings.get("endpoint", endpoint)
        if not query_url:
            raise UsageError("no remote endpoint: give --endpoint URL or set KG_ENDPOINT")
        gsp = settings.get("graph_store", graph_store) or None
        upd = settings.get("update_endpoint", update) or None
        token = settings.credential("remote_token")
        user = settings.credential("remote_user")
        auth: dict[str, str] = {}
        if token:
            auth["Authorization"] = f"Bearer {token}"
        elif user:
            pair = f"{user}:{settings.credential('remote_password')}".encode()
            auth["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return cls(_check_url(query_url, "the endpoint"), gsp and _check_url(gsp, "the graph store URL"),
                   upd and _check_url(upd, "the update URL"), float(settings.get("remote_timeout")), auth)

    @property
    def writable(self) -> bool:
        return bool(self.graph_store_url or self.update_url)


# ---- HTTP: no redirects, and a hard deadline -------------------------------------------------
#
# Every request to the remote goes through one opener that (1) never follows a redirect, so
# credentials are only ever sent to the URL that was configured, and (2) records each
# connection it opens, so a timer can shut the socket down at the deadline: a remote that
# trickles its headers or body byte by byte is cut off on time, not after each read's timeout.

# the socket each thread is using (kept even after urllib closes the connection object: the
# response still reads from it)
_CONNECTIONS: dict[int, socket.socket] = {}


class _TrackedHTTP(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _CONNECTIONS[threading.get_ident()] = self.sock


class _TrackedHTTPS(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _CONNECTIONS[threading.get_ident()] = self.sock


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_TrackedHTTP, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_TrackedHTTPS, req, context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx becomes an HTTPError, reported with the configured URL


_OPENER = urllib.request.build_opener(_HTTPHandler, _HTTPSHandler, _NoRedirect)


def _install_opener() -> None:
    """SPARQLWrapper opens URLs with its module's ``urlopener``; make that ours, once, for this process."""
    import SPARQLWrapper.Wrapper as wrapper

    wrapper.urlopener = _OPENER.open


_install_opener()


class Deadline:
    """Shuts the connection of the calling thread down when ``seconds`` have passed."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.fired = False
        self.sock: socket.socket | None = None  # once the response is in: this request's own socket
        self._thread = threading.get_ident()
        _CONNECTIONS.pop(self._thread, None)
        self._timer = threading.Timer(max(0.01, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        # before the response: the thread's current connection is ours (the request is synchronous);
        # after: only our own socket, since the thread may have moved on to another request
        sock = self.sock if self.sock is not None else _CONNECTIONS.get(self._thread)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def bind(self) -> None:
        """The response has arrived: from now on the deadline concerns its socket only."""
        self.sock = _CONNECTIONS.pop(self._thread, None)

    def cancel(self) -> None:
        self._timer.cancel()
        if self.sock is None:
            _CONNECTIONS.pop(self._thread, None)


class Body(io.RawIOBase):
    """An HTTP response body that raises RemoteTimeout once the deadline has passed."""

    def __init__(self, resp: Any, deadline: Deadline, where: str) -> None:
        self.resp = resp
        self.deadline = deadline
        self.where = where

    @property
    def timed_out(self) -> bool:
        return self.deadline.fired

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self.deadline.fired:
            raise RemoteTimeout(f"the remote store did not answer in time ({self.where})")
        try:
            n = self.resp.readinto(b)
        except (OSError, ValueError, http.client.HTTPException):
            if self.deadline.fired:
                raise RemoteTimeout(f"the remote store did not answer in time ({self.where})") from None
            raise
        if self.deadline.fired:
            raise RemoteTimeout(f"the remote store did not answer in time ({self.where})")
        return n or 0

    def close(self) -> None:
        self.deadline.cancel()
        try:
            self.resp.close()
        finally:
            super().close()


def _media_type(resp: Any) -> str:
    return (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def remote_error(e: BaseException, url: str, what: str, user: bool = False) -> RemoteError | QueryError:
    """One message for every way a remote request can fail (never with credentials in it)."""
    where = safe_url(url)
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException, Unauthorized

    if isinstance(e, (socket.timeout, TimeoutError)) or (
            isinstance(e, urllib.error.URLError) and isinstance(e.reason, (socket.timeout, TimeoutError))):
        return RemoteTimeout(f"the remote store did not answer in time ({what})", source=where)
    if isinstance(e, QueryBadFormed):
        msg = str(e).split("Response:", 1)[-1].strip()[:500]
        if user:  # a query we parsed but the engine does not support
            return QueryError("the remote store rejected the query (it accepts a narrower SPARQL than ours)")
        return RemoteError(f"the remote store rejected one of our queries: {msg}", source=where)
    if isinstance(e, Unauthorized) or (isinstance(e, urllib.error.HTTPError) and e.code in (401, 403)):
        return RemoteError(f"the remote store refused our credentials ({what}): set KG_REMOTE_USER and "
                           "KG_REMOTE_PASSWORD, or KG_REMOTE_TOKEN", source=where)
    if isinstance(e, urllib.error.HTTPError) and 300 <= e.code < 400:
        return RemoteError(f"the remote store answered with a redirect ({e.code}); redirects are not followed, so "
                           "credentials only go where configured: give the final URL", source=where)
    if isinstance(e, urllib.error.HTTPError):
        try:
            body = e.read(500).decode("utf-8", "replace").strip()
        except OSError:
            body = ""
        return RemoteError(f"the remote store answered {e.code} {e.reason} ({what}){': ' + body if body else ''}",
                           source=where)
    if isinstance(e, SPARQLWrapperException):
        return RemoteError(f"the remote store failed ({what}): {str(e)[:300]}", source=where)
    reason = getattr(e, "reason", None) or getattr(e, "strerror", None) or e
    return RemoteError(f"cannot reach the remote store ({what}): {reason}; check that it is running and the URL "
                       "is right", source=where)


def post_query(remote: Remote, sparql: str, *, accept: str, timeout: float, default_graphs: list[str] | None = None,
               named_graphs: list[str] | None = None, what: str = "query", user: bool = False) -> tuple[Body, str]:
    """POST a query; the streaming body and its media type. Every failure is a KGError."""
    from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

    url = remote.query_url
    sw = SPARQLWrapper(url)
    sw.setMethod(POST)
    sw.setOnlyConneg(True)
    for g in default_graphs or []:
        sw.addParameter("default-graph-uri", g)
    for g in named_graphs or []:
        sw.addParameter("named-graph-uri", g)
    sw.setRequestMethod(URLENCODED)  # the one way every engine reads (Virtuoso 7 ignores a direct POST)
    sw.setQuery(sparql)
    # SPARQLWrapper guesses the form with a regex that can take a query for an update (a prefix
    # named "load:", an empty prefix) and would then post it as update=; we know it is a query
    sw.queryType = form_of(sparql)
    sw.addCustomHttpHeader("Accept", accept)
    for k, v in remote._auth.items():
        sw.addCustomHttpHeader(k, v)
    sw.setTimeout(max(1, int(timeout + 0.999)))
    deadline = Deadline(timeout)
    try:
        resp = sw.query().response
    except Exception as e:  # noqa: BLE001 - urllib, socket and SPARQLWrapper errors, mapped in one place
        deadline.cancel()
        if deadline.fired:
            raise RemoteTimeout(f"the remote store did not answer in time ({what})", source=safe_url(url)) from None
        raise remote_error(e, url, what, user=user) from None
    deadline.bind()
    return Body(resp, deadline, what), _media_type(resp)


def send(remote: Remote, method: str, url: str, body: bytes | None = None, content_type: str | None = None,
         what: str = "write") -> bytes:
    """One write request (Graph Store PUT or SPARQL Update POST) within the remote's timeout."""
    headers = dict(remote._auth)
    if content_type:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    deadline = Deadline(remote.timeout)
    try:
        with _OPENER.open(req, timeout=remote.timeout) as resp:
            return resp.read()
    except Exception as e:  # noqa: BLE001
        if deadline.fired:
            raise RemoteTimeout(f"the remote store did not answer in time ({what})", source=safe_url(url)) \
                from None
        raise remote_error(e, url, what) from None
    finally:
        deadline.cancel()
