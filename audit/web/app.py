"""The local web app: upload exports, watch the scan, review the report, decide, download.

Routes (every one behind the guards of audit.web.security):

    GET  /                          upload form and the list of scans
    POST /scans                     upload (file field `export`, one or more zips); 202 + JSON or 303;
                                    the same files with the same names as a kept scan: 200 + JSON or 303 to /?same=ID
    GET  /scans/ID                  scan progress page; the report once done
    GET  /scans/ID/status           progress as JSON, polled by the page
    GET  /scans/ID/report           the report, drawing decisions from the app
    GET  /scans/ID/decisions        stored decisions (and the token) as JSON
    POST /scans/ID/decisions        {"key", "status"}: set (or with status null, clear) a decision
    GET  /scans/ID/files/NAME       checklist, CSV, deleter lists, rewritten first if decisions changed
    POST /scans/ID/delete           remove the scan, its uploads and outputs
    POST /delete-everything         remove every scan and the decisions database
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, redirect, render_template, request, send_file, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from audit import state as decisions_db
from audit.errors import ExportError
from audit.pipeline import ScanResult
from audit.web.security import HashingFile, Settings, install
from audit.web.store import APP_REPORT, DOWNLOADS, Scan, Store

CONTEXT_FIELDS = ("workplace", "unit", "city", "colleague")
INLINE = frozenset({"checklist.html"})  # shown in the browser; everything else is downloaded
_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024  # type: ignore[assignment]
    return str(n)


def wants_json() -> bool:
    return "application/json" in request.headers.get("Accept", "")


def page_csp(path: Path) -> str:
    """A generated page's own CSP (its meta tag holds the hashes of its script and style), plus no framing."""
    with path.open(encoding="utf-8") as fh:
        found = _META_CSP.search(fh.read(4096))
    policy = found.group(1) if found else "default-src 'none'"
    return policy + "; frame-ancestors 'none'"


def create_app(settings: Settings, scan_fn: Callable[..., ScanResult] | None = None) -> Flask:
    """An app for one run; `scan_fn` replaces the pipeline in tests that need a slow or failing scan.

    It is called as `audit.pipeline.scan` is: (paths, context, progress, on_incomplete=...)."""
    settings.access_key = settings.access_key or secrets.token_urlsafe(24)
    settings.token = settings.token or secrets.token_urlsafe(24)
    app = Flask(__name__, static_folder="static", template_folder="templates")
    store = Store(settings.data_dir, scan_fn)
    app.extensions["backscroll"] = store
    install(app, settings)

    def scan_or_404(scan_id: str) -> Scan:
        scan = store.get(scan_id)
        if scan is None:
            abort(404, "There is no such scan (it may have been deleted).")
        return scan

    def page(name: str, **values: Any) -> str:
        return render_template(name, token=settings.token, max_upload=settings.max_upload,
                               max_upload_text=human_size(settings.max_upload), **values)

    @app.errorhandler(HTTPException)
    def error(exc: HTTPException) -> Any:
        message = exc.description or exc.name
        if isinstance(exc, RequestEntityTooLarge):
            message = (f"That upload is larger than the limit of {human_size(settings.max_upload)}. "
                       "Start backscroll with a larger --max-upload-gb to allow it.")
        if wants_json():
            return jsonify(error=message), exc.code
        return page("web_error.html", message=message, code=exc.code), exc.code

    @app.get("/")
    def index() -> str:
        return page("web_index.html", scans=store.listing(), downloads=store.downloads, same=store.get(request.args.get("same", "")))

    @app.post("/scans")
    def upload() -> Any:
        files = [f for f in request.files.getlist("export") if f.filename]
        if not files:
            abort(400, "Choose at least one export zip to upload.")
        received = [receive(storage) for storage in files]
        context = {name: [v.strip() for v in re.split(r"[;\n]", request.form.get(name, "")) if v.strip()][:20]
                   for name in CONTEXT_FIELDS}
        same = store.same_as(sorted(digest for _, _, digest in received), context)
        if same is not None:
            for _, path, _ in received:  # spooled files are removed after the request; copies made here now
                path.unlink(missing_ok=True)
            where = url_for("index", same=same.id)
            if wants_json():
                return jsonify(id=same.id, url=where, same=True), 200
            return redirect(where, 303)
        scan = store.create(received, context, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
        where = url_for("scan_page", scan_id=scan.id)
        if wants_json():
            return jsonify(id=scan.id, url=where, status=url_for("status", scan_id=scan.id)), 202
        return redirect(where, 303)

    def receive(storage: Any) -> tuple[str, Path, str]:
        """(the user's file name, where it is in incoming/, its SHA-256), hashed as it arrived."""
        stream = storage.stream
        stream.flush()
        name = getattr(stream, "name", None)
        path = Path(name) if isinstance(name, str) else None
        if path is not None and path.parent == store.incoming and isinstance(stream, HashingFile):
            return storage.filename or "export.zip", path, stream.hexdigest()
        # Not spooled by our request class: copied once, hashed on the way.
        path = store.incoming / f"upload-{secrets.token_hex(8)}.part"
        with path.open("wb") as fh:
            copy = HashingFile(fh)
            shutil.copyfileobj(stream, copy)
        return storage.filename or "export.zip", path, copy.hexdigest()

    @app.get("/scans/<scan_id>")
    def scan_page(scan_id: str) -> Any:
        scan = scan_or_404(scan_id)
        if scan.status == "done":
            return redirect(url_for("report", scan_id=scan.id))
        return page("web_scan.html", scan=scan)

    @app.get("/scans/<scan_id>/status")
    def status(scan_id: str) -> Response:
        scan = scan_or_404(scan_id)
        with store.lock:
            data = scan.public()
        data["report"] = url_for("report", scan_id=scan.id)
        return jsonify(data)

    @app.get("/scans/<scan_id>/report")
    def report(scan_id: str) -> Any:
        scan = scan_or_404(scan_id)
        path = store.out(scan) / APP_REPORT
        if scan.status != "done" or not path.is_file():
            return redirect(url_for("scan_page", scan_id=scan.id))
        response = send_file(path, mimetype="text/html", max_age=0)
        response.headers["Content-Security-Policy"] = page_csp(path)
        return response

    @app.get("/scans/<scan_id>/decisions")
    def decisions(scan_id: str) -> Response:
        scan_or_404(scan_id)
        with store.decisions() as db:
            stored = db.all()
        return jsonify(token=settings.token,
                       decisions={k: {"status": d.status, "at": d.decided_at} for k, d in stored.items()})

    @app.post("/scans/<scan_id>/decisions")
    def decide(scan_id: str) -> Any:
        scan_or_404(scan_id)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("key"), str):
            abort(400, "Send {\"key\": ..., \"status\": ...}.")
        status = body.get("status")
        try:
            key = decisions_db.check_key(body["key"])
            with store.decisions() as db:
                if status is None or status == decisions_db.CLEAR:
                    db.forget(key)
                    return jsonify(key=key, status=None, at=decisions_db.now())
                if not isinstance(status, str):
                    raise decisions_db.StateError("status must be a string")
                db.set(key, status, origin="web")
                stored = db.get(key)
        except decisions_db.StateError as exc:
            abort(400, str(exc))
        assert stored is not None
        return jsonify(key=key, status=stored.status, at=stored.decided_at)

    @app.get("/scans/<scan_id>/files/<name>")
    def download(scan_id: str, name: str) -> Any:
        scan = scan_or_404(scan_id)
        if name not in DOWNLOADS or scan.status != "done":
            abort(404, "There is no such file for this scan.")
        try:
            store.refresh(scan)
        except ExportError as exc:  # after a restart the upload is read again, and it may no longer be readable
            abort(409, f"Your latest decisions could not be added to {name}: the upload could not be read again ({exc}). "
                       "Upload the export again to get files with every decision.")
        path = store.out(scan) / name
        if not path.is_file():
            abort(404, "This scan has no such file (nothing from that platform).")
        inline = name in INLINE
        response = send_file(path, as_attachment=not inline, download_name=name, max_age=0,
                             mimetype="text/html" if name.endswith(".html") else None)
        if name.endswith(".html"):
            response.headers["Content-Security-Policy"] = page_csp(path)
        return response

    @app.post("/scans/<scan_id>/delete")
    def delete(scan_id: str) -> Any:
        store.delete(scan_or_404(scan_id))
        if wants_json():
            return jsonify(deleted=scan_id)
        return redirect(url_for("index"), 303)

    @app.post("/delete-everything")
    def delete_everything() -> Any:
        store.delete_everything()
        if wants_json():
            return jsonify(deleted="everything")
        return redirect(url_for("index"), 303)

    return app
