"""Run the app: pick the address, refuse to listen beyond this computer unless asked, open the browser."""

from __future__ import annotations

import errno
import logging
import os
import secrets
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import BaseWSGIServer, make_server

from audit.web.app import create_app
from audit.web.security import Settings, is_loopback

DEFAULT_PORT = 8765


class RemoteRefused(Exception):
    """Listening on a network address needs --allow-remote."""


def default_data_dir() -> Path:
    """Where uploads and reports are kept: the user's own application-data folder."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "backscroll" / "web"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "backscroll" / "web"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "backscroll" / "web"


def build(settings: Settings, port_given: bool) -> BaseWSGIServer:
    """A threaded server for the app; the default port falls back to a free one when taken."""
    if not is_loopback(settings.host) and not settings.allow_remote:
        raise RemoteRefused(f"{settings.host} is not this computer's loopback address. Anyone who can reach it could "
                            "read your posts; add --allow-remote if you really mean it.")
    if not is_loopback(settings.host):
        settings.extra_hosts = (settings.host,)
    try:
        server = make_server(settings.host, settings.port, _lazy(settings), threaded=True)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE or port_given:
            raise
        server = make_server(settings.host, 0, _lazy(settings), threaded=True)
    settings.port = server.server_port
    settings.prefix = settings.prefix or "/b-" + secrets.token_urlsafe(12)
    app = create_app(settings)  # the real app, now that the port is known
    app.wsgi_app = DispatcherMiddleware(_elsewhere, {settings.prefix: app.wsgi_app})  # type: ignore[method-assign]
    server.app = app  # type: ignore[attr-defined]
    return server


def _elsewhere(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
    """Any path outside the run's own: nothing here, and no hint of where the app is.

    Browsers ask for /favicon.ico at the root whatever the page's path; "no icon" (204) keeps that request
    out of the error log and the browser console without pointing at the app.
    """
    if environ.get("PATH_INFO") == "/favicon.ico":
        start_response("204 No Content", [("Cache-Control", "max-age=86400")])
        return []
    start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")])
    return [b"Nothing here. Open the link backscroll printed when it started."]


def _lazy(settings: Settings) -> Callable[..., object]:
    """Placeholder until the port is known (the Host check needs it)."""
    def unavailable(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"starting"]
    return unavailable


def url(settings: Settings) -> str:
    host = "127.0.0.1" if is_loopback(settings.host) else settings.host
    return f"http://{host}:{settings.port}{settings.prefix}/?key={settings.access_key}"


def run(settings: Settings, *, port_given: bool, open_browser: bool, echo: Callable[[str], None]) -> None:
    """Serve until Ctrl+C."""
    server = build(settings, port_given)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log: it would echo the access key
    if not is_loopback(settings.host):
        echo(f"WARNING: listening on {settings.host}:{settings.port}, beyond this computer. The connection is not "
             "encrypted; anyone on the network who gets the link can read your posts.")
    link = url(settings)
    echo(f"backscroll is running at {link}")
    echo(f"Uploads and reports are kept in {settings.data_dir} until you delete them in the app.")
    echo("Press Ctrl+C to stop.")
    if open_browser:
        threading.Timer(0.3, webbrowser.open, args=(link,)).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.app.extensions["backscroll"].close()  # type: ignore[attr-defined]
        echo("backscroll stopped.")
