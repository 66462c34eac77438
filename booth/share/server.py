"""Guest pages: the web server behind the QR code, and the PIN-protected operator page.

Routes (everything else answers the same 404 page):

    /                        a short "scan the QR code" note (lists nothing)
    /p/<id>                  the guest page: photo, Download, Share
    /p/<id>/photo.jpg        the JPEG, ETag = its sha256, cacheable
    /p/<id>/download         the same bytes as an attachment with a friendly name
    /admin ...               operator page, only when share.admin_pin is set

Only files named by an index row are ever opened: an id must match a strict
pattern before the index is asked, and no path is built from the URL.  Floor 2:
no pygame, app, screen or pipeline imports.
"""

from __future__ import annotations

import asyncio
import base64
import errno
import hashlib
import hmac
import re
import secrets
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import cv2
import jinja2
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from booth.config import Config, ShareConfig
from booth.store import INDEX_NAME, Photo, PhotoStore, StoreError, valid_id

_HERE = Path(__file__).resolve().parent
T = TypeVar("T")
SESSION_COOKIE = "booth_admin"
# Exit code for a problem the operator can fix (same as the CLI's usage errors).
_EXIT_USER = 2


class ShareError(Exception):
    """The guest page server cannot run, told in one sentence."""


@dataclass(frozen=True)
class Limits:
    """Abuse limits of the server (times in seconds)."""

    not_found_per_minute: int = 30   # 404s one address may cause before it gets 429s
    pin_delay: float = 1.0           # added to every wrong PIN answer
    pin_failures: int = 5            # wrong PINs per address before the lockout
    pin_lockout: float = 600.0       # window of the wrong-PIN count
    session: float = 1800.0          # an operator login lasts this long
    body_bytes: int = 16 * 1024      # largest request body (forms only carry a PIN or an id)


class _Window:
    """Events per key (client address) within the last ``span`` seconds."""

    def __init__(self, span: float, clock: Callable[[], float]) -> None:
        self.span = span
        self.clock = clock
        self._events: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        events = self._events.get(key, deque())
        cutoff = self.clock() - self.span
        while events and events[0] <= cutoff:
            events.popleft()
        if not events:
            self._events.pop(key, None)
        return events

    def add(self, key: str) -> None:
        self._recent(key)
        self._events.setdefault(key, deque()).append(self.clock())

    def count(self, key: str) -> int:
        return len(self._recent(key))

    def wait(self, key: str) -> float:
        """Seconds until the oldest event of ``key`` leaves the window."""
        events = self._recent(key)
        return max(0.0, events[0] + self.span - self.clock()) if events else 0.0


@dataclass
class _Session:
    expires: float   # clock() time
    csrf: str


@dataclass(frozen=True)
class _Assets:
    """Inline CSS/JS and the Content-Security-Policy that allows exactly them."""

    css: str
    guest_js: str
    admin_js: str
    favicon: bytes
    csp: str

    @classmethod
    def load(cls) -> _Assets:
        def read(name: str) -> str:
            return (_HERE / "static" / name).read_text(encoding="utf-8")

        def digest(text: str) -> str:
            return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"

        css, guest_js, admin_js = read("booth.css"), read("guest.js"), read("admin.js")
        # Hashes instead of nonces keep every page byte-identical between requests
        # (a deleted photo's 404 must equal an unknown one's).
        csp = (f"default-src 'none'; img-src 'self'; connect-src 'self'; "
               f"style-src {digest(css)}; script-src {digest(guest_js)} {digest(admin_js)}; "
               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        return cls(css, guest_js, admin_js, read("favicon.svg").encode(), csp)


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def download_name(event_name: str, created: str) -> str:
    """Friendly file name for a download, e.g. ``Anna-Ben-2026-11-24-2051.jpg`` (local time)."""
    stem = re.sub(r"\W+", "-", event_name).strip("-_") or "photo"
    local = datetime.fromisoformat(created).astimezone()
    return f"{stem}-{local:%Y-%m-%d-%H%M%S}.jpg"


def _attachment(name: str) -> str:
    """Content-Disposition for ``name``; non-ASCII names ride in ``filename*`` (RFC 6266)."""
    fallback = name.encode("ascii", "replace").decode().replace("?", "_")
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def _when(created: str, style: str) -> str:
    """A photo's local time for people: "long" (guest page), "day" or "time" (operator)."""
    t = datetime.fromisoformat(created).astimezone()
    if style == "long":
        return f"{t:%A} {t.day} {t:%B %Y, %H:%M}"
    return f"{t:%a} {t.day} {t:%b}" if style == "day" else f"{t:%H:%M:%S}"


def _etag(photo: Photo) -> str:
    return f'"{photo.sha256}"'


def _etag_matches(header: str | None, etag: str) -> bool:
    """True when an If-None-Match header names ``etag`` (weak or strong) or is ``*``."""
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


@lru_cache(maxsize=512)
def _thumbnail(path: str, sha256: str, long_edge: int = 480) -> bytes:
    """JPEG thumbnail of the photo at ``path``; ``sha256`` keys the cache to the content."""
    # Decoding at a quarter of the size is several times faster than full + resize.
    image = cv2.imread(path, cv2.IMREAD_REDUCED_COLOR_4)
    if image is None:
        raise FileNotFoundError(path)
    scale = long_edge / max(image.shape[:2])
    if scale < 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        raise ValueError(f"cannot encode a thumbnail of {path}")
    return encoded.tobytes()


class _Guard:
    """ASGI middleware: security headers on every response, 429 for addresses that scan."""

    def __init__(self, app: ASGIApp, site: _Site) -> None:
        self.app = app
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = _client(scope)
        started = False

        async def guarded(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if message["status"] == 404:
                    self.site.not_found.add(address)
                self.site.secure(MutableHeaders(scope=message))
            await send(message)

        if self.site.not_found.count(address) >= self.site.limits.not_found_per_minute:
            await self.site.too_many(address)(scope, receive, guarded)
            return
        try:
            await self.app(scope, receive, guarded)
        except Exception:
            # Answer with our own page (and headers) before the error is logged upstream.
            if not started:
                await self.site.message(500, "Something went wrong",
                                        "Please try again in a moment.")(scope, receive, guarded)
            raise


class _Site:
    """The endpoints and their shared state (sessions, rate windows, templates)."""

    def __init__(self, store: PhotoStore, share: ShareConfig, limits: Limits,
                 clock: Callable[[], float]) -> None:
        self.store = store
        self.share = share
        self.limits = limits
        self.clock = clock
        self.assets = _Assets.load()
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(_HERE / "templates"), autoescape=True,
            auto_reload=False)  # no stat() of the templates on every request
        self.not_found = _Window(60.0, clock)
        self.pin_failures = _Window(limits.pin_lockout, clock)
        self.sessions: dict[str, _Session] = {}

    # -- responses ---------------------------------------------------------------
    def secure(self, headers: MutableHeaders) -> None:
        """Headers every response carries; pages are not cached unless they say so."""
        headers["Content-Security-Policy"] = self.assets.csp
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        headers["X-Robots-Tag"] = "noindex, nofollow"
        headers.setdefault("Cache-Control", "no-store")

    def html(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        page = self.templates.get_template(template).render(
            css=self.assets.css, event_name=self.share.event_name, **context)
        return HTMLResponse(page, status_code=status)

    def message(self, status: int, title: str, text: str) -> HTMLResponse:
        return self.html("message.html", status, title=title, text=text)

    def too_many(self, address: str) -> Response:
        response = self.message(429, "Slow down, please",
                                "Too many wrong links from this device. Wait a minute, "
                                "then scan the QR code again.")
        response.headers["Retry-After"] = str(max(1, round(self.not_found.wait(address))))
        return response

    async def missing(self, request: Request, exc: Exception) -> Response:
        """The one 404 page: unknown, malformed and deleted ids all get these bytes."""
        return self.message(404, "This photo isn't here",
                            "The link may be incomplete, or the photo was removed. "
                            "Scan the QR code at the booth again.")

    # -- guest pages -----------------------------------------------------------------
    async def photo_for(self, request: Request, work: Callable[[Photo], T]) -> tuple[Photo, T]:
        """The indexed photo named in the URL and ``work(photo)``; 404 when there is none.

        Malformed ids never reach the index or the disk.  Lookup and work share one
        trip to a worker thread (the index may wait on the booth's fsync).
        """
        photo_id = request.path_params["photo_id"]
        if not valid_id(photo_id):
            raise HTTPException(404)

        def job() -> tuple[Photo | None, T | None]:
            photo = self.store.get(photo_id)
            return (photo, work(photo)) if photo else (None, None)

        try:
            photo, result = await run_in_threadpool(job)
        except FileNotFoundError:  # indexed, but the file was removed by hand
            photo = None
        if photo is None:
            raise HTTPException(404)
        return photo, result

    async def home(self, request: Request) -> Response:
        return self.message(200, "Get your photo",
                            "Scan the QR code on the booth's screen after your photo is taken.")

    async def favicon(self, request: Request) -> Response:
        return Response(self.assets.favicon, media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})

    async def page(self, request: Request) -> Response:
        counted = request.method == "GET"
        photo, _ = await self.photo_for(
            request, lambda found: self.store.record_view(found.id) if counted else None)
        base = f"/p/{photo.id}"
        return self.html("photo.html", photo_url=f"{base}/photo.jpg",
                         download_url=f"{base}/download", script=self.assets.guest_js,
                         filename=download_name(self.share.event_name, photo.created),
                         when=_when(photo.created, "long"))

    async def image(self, request: Request) -> Response:
        return await self.jpeg(request, attachment=False)

    async def download(self, request: Request) -> Response:
        return await self.jpeg(request, attachment=True)

    async def jpeg(self, request: Request, *, attachment: bool) -> Response:
        """The stored JPEG bytes; 304 when the client already has them."""
        cached = request.headers.get("if-none-match")

        def read(photo: Photo) -> bytes | None:
            # One read and one send: a photo is a few MB at most, and whole it costs far
            # less CPU (the booth's render thread shares the GIL) than in chunks.
            return None if _etag_matches(cached, _etag(photo)) else photo.file.read_bytes()

        photo, data = await self.photo_for(request, read)
        # A photo's bytes never change under its id: cache for good, revalidate by hash.
        headers = {"ETag": _etag(photo), "Cache-Control": "private, max-age=31536000, immutable"}
        if data is None:
            return Response(status_code=304, headers=headers)
        if attachment:
            headers["Content-Disposition"] = _attachment(
                download_name(self.share.event_name, photo.created))
        return Response(data, headers=headers, media_type="image/jpeg")

    # -- operator page -------------------------------------------------------------------
    def operator_page(self) -> None:
        """404, exactly like an unknown photo, when no PIN is configured."""
        if not self.share.admin_pin:
            raise HTTPException(404)

    def session(self, request: Request) -> _Session | None:
        """The operator's live session, or None; 404 when there is no operator page."""
        self.operator_page()
        token = request.cookies.get(SESSION_COOKIE, "")
        session = self.sessions.get(token)
        if session is not None and session.expires <= self.clock():
            del self.sessions[token]
            session = None
        return session

    async def checked_form(self, request: Request) -> tuple[_Session, dict[str, str]]:
        """Session and form of an operator POST; 403 page without a session or CSRF token."""
        session = self.session(request)
        form = await request.form(max_files=0, max_fields=8)
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        if session is None or not hmac.compare_digest(fields.get("csrf", "").encode(),
                                                      session.csrf.encode()):
            raise HTTPException(403)
        return session, fields

    async def admin(self, request: Request) -> Response:
        session = self.session(request)
        if session is None:
            return self.html("admin_login.html")
        photos, (photo_count, view_count) = await run_in_threadpool(self.gallery)
        return self.html("admin.html", photos=photos, photo_count=photo_count,
                         view_count=view_count, csrf=session.csrf, script=self.assets.admin_js)

    def gallery(self) -> tuple[list[dict[str, Any]], tuple[int, int]]:
        """Thread: the operator page's tiles, newest first, and the totals."""
        tiles = [{"id": photo.id, "time": _when(photo.created, "time"),
                  "day": _when(photo.created, "day"), "scene": photo.scene,
                  "views": self.store.views(photo.id)} for photo in self.store.list()]
        return tiles, self.store.totals()

    async def login(self, request: Request) -> Response:
        self.operator_page()
        address = _client(request.scope)
        form = await request.form(max_files=0, max_fields=4)
        pin = form.get("pin")
        # No await between the lockout check and recording a failure: parallel
        # guesses cannot slip past the count.
        if self.pin_failures.count(address) >= self.limits.pin_failures:
            minutes = max(1, round(self.pin_failures.wait(address) / 60))
            return self.html("admin_login.html", 429, error="Too many wrong PINs from this "
                             f"device. Try again in {minutes} minute{'s' * (minutes != 1)}.")
        # Hashing first makes the comparison independent of the PIN's length too.
        given = hashlib.sha256(pin.encode() if isinstance(pin, str) else b"").digest()
        if hmac.compare_digest(given, hashlib.sha256(self.share.admin_pin.encode()).digest()):
            return self.open_session(request)
        self.pin_failures.add(address)
        await asyncio.sleep(self.limits.pin_delay)
        return self.html("admin_login.html", 403, error="Wrong PIN.")

    def open_session(self, request: Request) -> Response:
        now = self.clock()
        self.sessions = {token: s for token, s in self.sessions.items() if s.expires > now}
        token = secrets.token_urlsafe(32)
        self.sessions[token] = _Session(now + self.limits.session, secrets.token_urlsafe(32))
        response = RedirectResponse("/admin", status_code=303)
        response.set_cookie(SESSION_COOKIE, token, max_age=int(self.limits.session),
                            path="/admin", httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response

    async def logout(self, request: Request) -> Response:
        await self.checked_form(request)
        self.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        response = RedirectResponse("/admin", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/admin")
        return response

    async def delete(self, request: Request) -> Response:
        _, fields = await self.checked_form(request)
        try:
            await run_in_threadpool(self.store.delete, fields.get("id", ""))
        except StoreError as exc:
            return self.message(500, "Not deleted", str(exc))
        return RedirectResponse("/admin", status_code=303)

    async def thumb(self, request: Request) -> Response:
        if self.session(request) is None:
            raise HTTPException(404)
        _, data = await self.photo_for(request,
                                       lambda photo: _thumbnail(str(photo.file), photo.sha256))
        return Response(data, media_type="image/jpeg",
                        headers={"Cache-Control": "private, max-age=3600"})

    async def forbidden(self, request: Request, exc: Exception) -> Response:
        return self.message(403, "Please log in again",
                            "Your operator session has ended. Open /admin and enter the PIN.")


def make_app(store: PhotoStore, share: ShareConfig, *, limits: Limits | None = None,
             clock: Callable[[], float] = time.monotonic) -> Starlette:
    """The ASGI app of the guest and operator pages (``limits``/``clock`` are for tests)."""
    site = _Site(store, share, limits or Limits(), clock)
    routes = [
        Route("/", site.home),
        Route("/favicon.svg", site.favicon),
        Route("/favicon.ico", site.favicon),
        Route("/p/{photo_id}", site.page),
        Route("/p/{photo_id}/photo.jpg", site.image),
        Route("/p/{photo_id}/download", site.download),
        Route("/admin", site.admin),
        Route("/admin/login", site.login, methods=["POST"]),
        Route("/admin/logout", site.logout, methods=["POST"]),
        Route("/admin/delete", site.delete, methods=["POST"]),
        Route("/admin/thumb/{photo_id}", site.thumb),
    ]
    app = Starlette(routes=routes, exception_handlers={404: site.missing, 403: site.forbidden},
                    max_body_size=site.limits.body_bytes)
    app.add_middleware(_Guard, site=site)
    return app


# -- addresses ------------------------------------------------------------------------------
def lan_address() -> str:
    """This machine's IPv4 address on the network guests use (127.0.0.1 if there is none).

    Connecting a UDP socket only asks the kernel for a route; no packet is sent.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routed like the internet, never used
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def _advertised_host(share: ShareConfig) -> str:
    """The host a phone should use: the bound address, or the LAN one for "all interfaces"."""
    return lan_address() if share.host in ("", "0.0.0.0", "::") else share.host


def _base_url(share: ShareConfig) -> str:
    """``share.base_url``, else ``http://<host>:<port>`` (IPv6 hosts in brackets)."""
    if share.base_url:
        return share.base_url
    host = _advertised_host(share)
    return f"http://{f'[{host}]' if ':' in host else host}:{share.port}"


def guest_url(share: ShareConfig, photo_id: str) -> str:
    """Link in the QR code: ``base_url/p/<id>``, else ``http://<host>:<port>/p/<id>``."""
    return f"{_base_url(share)}/p/{photo_id}"


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or ShareError saying what to change."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # Allows a restart while old connections linger in TIME_WAIT; a live
        # listener still makes bind() fail on Linux.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ShareError(_bind_problem(exc, host, port)) from None
    return sock


def _bind_problem(exc: OSError, host: str, port: int) -> str:
    """One sentence for an operator whose server cannot listen."""
    if exc.errno == errno.EADDRINUSE:
        return (f"Port {port} is already in use (another booth or 'booth serve'?); "
                "stop that program or set share.port to a free port.")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"Port {port} needs administrator rights; set share.port to 1024 or above."
    if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
        return (f"share.host {host!r} is not an address of this machine; "
                "use 0.0.0.0 (all networks) or 127.0.0.1.")
    return (f"Cannot listen on {host}:{port} ({exc.strerror or exc}); "
            "check share.host and share.port.")


class ShareServer:
    """The guest page server in a daemon thread, for the booth and for ``booth serve``."""

    def __init__(self, store: PhotoStore, share: ShareConfig) -> None:
        self.store = store
        self.share = share
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> None:
        """Listen on share.host:share.port and return once requests are served.

        Raises ShareError (one sentence) when the port is busy or the host is wrong.
        """
        sock = _listen(self.share.host, self.share.port)
        config = uvicorn.Config(make_app(self.store, self.share), lifespan="off", ws="none",
                                server_header=False, access_log=False, log_config=None,
                                log_level="warning", timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="share-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                sock.close()
                raise ShareError("The guest page server did not start; see the log for why.")
            time.sleep(0.01)

    def url_for(self, photo_id: str) -> str:
        """The guest link of a photo (what the QR code holds)."""
        return guest_url(self.share, photo_id)

    def serving(self) -> bool:
        """True while the server thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Stop serving (waits a moment for open requests); safe to call twice."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None


def serve_forever(config: Config) -> int:
    """``booth serve``: serve an existing photos folder until Ctrl+C.  Returns the exit code."""
    folder = config.photos.folder
    if not (folder / INDEX_NAME).is_file():
        print(f"booth: {folder} holds no {INDEX_NAME}; point --photos at a photos folder "
              "made by the booth.", file=sys.stderr)
        return _EXIT_USER
    try:
        store = PhotoStore(folder)
        server = ShareServer(store, config.share)
        server.start()
    except (StoreError, ShareError) as exc:
        print(f"booth: {exc}", file=sys.stderr)
        return _EXIT_USER
    count, _ = store.totals()
    base = _base_url(config.share)
    print(f"Serving {count} photo{'s' * (count != 1)} from {folder} at {base}/p/<id>"
          f"{f' (operator page {base}/admin)' if config.share.admin_pin else ''}. "
          "Press Ctrl+C to stop.", flush=True)
    try:
        while server.serving():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        store.close()
    return 0
