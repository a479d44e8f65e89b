"""The app's guards: who may talk to it, which requests may change anything, what pages may do.

The app serves the most sensitive text a clinician has, on a port any local
program or web page could try to reach. So:

- the Host header must name this computer (a DNS-rebinding page uses its own name);
- every request carries the per-run access key, first as `?key=` in the link the
  command opens, then as a same-site, HTTP-only cookie (other users of the computer
  and other browsers cannot read the scans); browsers send a 127.0.0.1 cookie to
  every port of 127.0.0.1, so the app lives under a random path per run and the
  cookie is limited to it: another local server the browser visits never gets it;
- every state-changing request carries the per-run token (CSRF), and a foreign Origin is refused;
- every response forbids framing and sniffing, sends no Referer, and has a strict CSP.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flask import Flask, Request, Response, abort, redirect, request

KEY_COOKIE = "backscroll_key"
TOKEN_HEADER = "X-Backscroll-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
APP_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
           "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


@dataclass
class Settings:
    """One run of `backscroll serve`."""

    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    access_key: str = ""
    token: str = ""
    max_upload: int = 20 * 1024**3
    allow_remote: bool = False
    extra_hosts: tuple[str, ...] = field(default_factory=tuple)
    prefix: str = ""  # the random path the server mounts the app under ("/b-…"); "" when the app is called directly


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_allowed(host_header: str, settings: Settings) -> bool:
    """localhost, 127.0.0.1 or [::1] with our port; with --allow-remote also IP literals (never a name)."""
    host = host_header.lower()
    allowed = {f"{name}:{settings.port}" for name in (*LOOPBACK_NAMES, *settings.extra_hosts)}
    if host in allowed:
        return True
    if settings.allow_remote:
        name, _, port = host.rpartition(":")
        try:
            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            return False
        return port == str(settings.port)
    return False


def _same(given: str | None, expected: str) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


class HashingFile:
    """A spooled upload that hashes every byte written to it: a second upload of the same export is known
    without reading gigabytes again."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self._sha = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self._sha.update(data)
        return self._fh.write(data)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._fh)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)


class SpoolingRequest(Request):
    """Uploads are written straight into the private data dir, never to a shared /tmp or memory."""

    spool_dir: Path = Path(tempfile.gettempdir())

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> IO[bytes]:
        fh = tempfile.NamedTemporaryFile("wb+", dir=self.spool_dir, prefix="upload-", suffix=".part", delete=False)  # noqa: SIM115
        self.environ.setdefault("backscroll.spooled", []).append(fh)
        return HashingFile(fh)  # type: ignore[return-value]


COOKIE_DAYS = 7


def install(app: Flask, settings: Settings) -> None:
    """Register the guards on `app`."""

    class Spooling(SpoolingRequest):
        spool_dir = settings.data_dir / "incoming"

    app.request_class = Spooling
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload
    # Text fields are tiny, but werkzeug checks this against its parser's buffer (what is left of one read plus the
    # next read of 64 KiB) for file parts too: at 64 KiB any photo-sized upload was refused as "too large".
    app.config["MAX_FORM_MEMORY_SIZE"] = 1024 * 1024

    # The printed link's key works once: it is traded for a session value only this browser holds,
    # so the link (visible in the browser's command line to other users) is useless afterwards.
    session = {"value": secrets.token_urlsafe(32), "used": False}

    @app.before_request
    def guard() -> Any:
        if not host_allowed(request.host, settings):
            abort(400, "This address is not backscroll's. Open the link backscroll printed, starting with http://127.0.0.1.")
        if request.args.get("key") is not None:
            here = request.script_root + request.path
            if _same(request.cookies.get(KEY_COOKIE), session["value"]):
                return redirect(here)  # the same browser opening the link again
            if session["used"] or not _same(request.args.get("key"), settings.access_key):
                abort(403, "This link was already used, or is from an earlier run. Restart backscroll serve for a new one.")
            session["used"] = True
            response = redirect(here)
            # Kept across a browser restart (this run's value is useless to any later run): closing the browser
            # must not lock the user out of their own scans until backscroll is started again.
            response.set_cookie(KEY_COOKIE, session["value"], max_age=COOKIE_DAYS * 86400, httponly=True, samesite="Strict",
                                path=request.script_root + "/")
            return response
        if not _same(request.cookies.get(KEY_COOKIE), session["value"]):
            abort(403, "Open backscroll from the link it printed when it started (it holds a one-time key).")
        if request.method not in SAFE_METHODS:
            origin = request.headers.get("Origin")
            # With Referrer-Policy no-referrer, browsers send "Origin: null" for plain form posts; the token decides.
            if origin and origin != "null" and not (origin.lower().startswith("http://") and host_allowed(origin[7:], settings)):
                abort(403, "Refused a request sent by another web site.")
            token = request.headers.get(TOKEN_HEADER)
            if token is None:
                token = request.form.get("token")
            if not _same(token, settings.token):
                abort(403, "This page is out of date (backscroll was restarted). Reload it and try again.")
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", APP_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_request
    def drop_spooled(_exc: BaseException | None) -> None:
        """Uploads that were not moved into a scan (refused, failed, cut off) are removed."""
        for fh in request.environ.get("backscroll.spooled", []):
            with suppress(OSError):
                fh.close()
                Path(fh.name).unlink(missing_ok=True)
