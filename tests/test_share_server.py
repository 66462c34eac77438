"""Guest pages and the operator page through Starlette's TestClient (no sockets).

Every security rule of issue 3 has a test here: nothing lists photos without the
PIN, unknown and deleted ids look the same, only indexed files are served,
scanners get 429, and every response carries the security headers.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import statistics
import threading
import time
from urllib.parse import unquote

import cv2
import numpy as np
import pytest
from starlette.testclient import TestClient

from booth.config import ShareConfig
from booth.share.server import SESSION_COOKIE, Limits, download_name, make_app
from booth.store import Photo, PhotoStore, new_id
from tests.conftest import FakeClock
from tests.test_store import MALFORMED_IDS, make_jpeg

PIN = "2468"
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")
# Fast limits for tests; the real defaults are checked in test_default_limits.
FAST = Limits(pin_delay=0.05)


@pytest.fixture
def photo(store: PhotoStore) -> Photo:
    return store.save(make_jpeg(640, 480), scene="beach", segmenter="mediapipe")


def client_for(store: PhotoStore, clock: FakeClock | None = None, *, pin: str = PIN,
               limits: Limits = FAST, event: str = "Anna & Ben") -> TestClient:
    share = ShareConfig(admin_pin=pin, event_name=event)
    app = make_app(store, share, limits=limits, clock=clock or FakeClock())
    return TestClient(app, follow_redirects=False)


@pytest.fixture
def client(store: PhotoStore, clock: FakeClock) -> TestClient:
    return client_for(store, clock)


def login(client: TestClient, pin: str = PIN) -> str:
    """Log in and return the CSRF token of the operator page."""
    assert client.post("/admin/login", data={"pin": pin}).status_code == 303
    page = client.get("/admin")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def raw_get(app, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as uvicorn hands it over: %-decoded, dot segments kept.

    (an HTTP client would resolve ``..`` on the client side, hiding what an attacker can send.)
    """
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": unquote(path),
             "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 5000),
             "server": ("127.0.0.1", 8080)}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


def assert_secure(response) -> None:
    for name in SECURITY_HEADERS:
        assert name in response.headers, f"{name} missing on {response.request.url}"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "server" not in response.headers


# -- the guest page ------------------------------------------------------------------------
def test_guest_page_shows_photo_download_and_share(client: TestClient, photo: Photo) -> None:
    page = client.get(f"/p/{photo.id}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Anna &amp; Ben" in html and "Anna & Ben" not in html
    assert f'src="/p/{photo.id}/photo.jpg"' in html
    assert f'href="/p/{photo.id}/download"' in html
    assert 'download="Anna-Ben-' in html
    assert re.search(r'<button[^>]*id="share"[^>]*\n?[^>]*hidden', html)
    assert "navigator.share" in html and "navigator.canShare" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing from elsewhere


def test_csp_allows_exactly_the_inline_style_and_script(client: TestClient,
                                                        photo: Photo) -> None:
    page = client.get(f"/p/{photo.id}")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    for tag in ("style", "script"):
        (body,) = re.findall(rf"<{tag}>(.*?)</{tag}>", page.text, re.S)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp.split(f"{tag}-src")[1].split(";")[0]


def test_photo_has_etag_caching_head_and_304(client: TestClient, photo: Photo) -> None:
    url = f"/p/{photo.id}/photo.jpg"
    got = client.get(url)
    assert got.status_code == 200
    assert got.content == photo.file.read_bytes()
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["etag"] == f'"{photo.sha256}"'
    assert "max-age" in got.headers["cache-control"]
    assert "content-disposition" not in got.headers
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(got.content))
    assert head.headers["etag"] == got.headers["etag"]
    for tag in (got.headers["etag"], f'W/{got.headers["etag"]}', f'"x", {got.headers["etag"]}'):
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == got.headers["etag"]
        assert_secure(again)
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_download_is_the_exact_bytes_as_an_attachment(client: TestClient, photo: Photo) -> None:
    got = client.get(f"/p/{photo.id}/download")
    assert got.status_code == 200
    assert got.content == photo.file.read_bytes()
    name = download_name("Anna & Ben", photo.created)
    assert got.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert re.fullmatch(r"Anna-Ben-\d{4}-\d\d-\d\d-\d{6}\.jpg", name)


def test_download_with_a_non_ascii_event_name(store: PhotoStore, photo: Photo) -> None:
    got = client_for(store, event="Café Müller").get(f"/p/{photo.id}/download")
    assert got.status_code == 200
    disposition = got.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Caf_-M_ller-')
    assert "filename*=UTF-8''Caf%C3%A9-M%C3%BCller-" in disposition


def test_download_names() -> None:
    created = "2026-11-24T20:51:07.000+00:00"
    assert download_name("Café Müller", created).startswith("Café-Müller-2026-11-2")
    assert download_name("!!!", created).startswith("photo-2026-")
    assert download_name("a/../b\\c", created).startswith("a-b-c-")


def test_only_page_views_are_counted(client: TestClient, store: PhotoStore,
                                     photo: Photo) -> None:
    client.get(f"/p/{photo.id}")
    client.get(f"/p/{photo.id}")
    client.head(f"/p/{photo.id}")
    client.get(f"/p/{photo.id}/photo.jpg")
    assert store.views(photo.id) == 2


def test_home_page_lists_nothing(client: TestClient, photo: Photo) -> None:
    home = client.get("/")
    assert home.status_code == 200
    assert photo.id not in home.text
    assert client.get("/p/").status_code == 404
    assert client.get("/p").status_code == 404


# -- security ---------------------------------------------------------------------------------
def test_every_response_carries_security_headers(store: PhotoStore, photo: Photo) -> None:
    limits = Limits(pin_delay=0, not_found_per_minute=3)
    client = client_for(store, limits=limits)
    responses = [client.get("/"), client.get(f"/p/{photo.id}"),
                 client.get(f"/p/{photo.id}/photo.jpg"), client.head(f"/p/{photo.id}/download"),
                 client.get("/favicon.ico"), client.get("/admin"),
                 client.post("/admin/login", data={"pin": "1111"}),
                 client.post(f"/p/{photo.id}"),  # 405
                 client.post("/admin/delete", data={"id": photo.id})]  # 403
    responses += [client.get(f"/p/{new_id()}") for _ in range(4)]  # 404s, then a 429
    assert {r.status_code for r in responses} >= {200, 403, 404, 405, 429}
    for response in responses:
        assert_secure(response)


def test_unknown_and_deleted_ids_answer_the_same(store: PhotoStore) -> None:
    client = client_for(store, limits=Limits(not_found_per_minute=10_000))
    deleted = store.save(make_jpeg(seed=5), scene="a", segmenter="none")
    assert client.get(f"/p/{deleted.id}").status_code == 200
    store.delete(deleted.id)
    unknown = new_id()
    for suffix in ("", "/photo.jpg", "/download"):
        a, b = client.get(f"/p/{deleted.id}{suffix}"), client.get(f"/p/{unknown}{suffix}")
        assert a.status_code == b.status_code == 404
        assert a.content == b.content
        assert {k: v for k, v in a.headers.items()} == {k: v for k, v in b.headers.items()}

    def median_seconds(photo_id: str) -> float:
        times = []
        for _ in range(40):
            start = time.perf_counter()
            client.get(f"/p/{photo_id}")
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    # Same code path (one indexed lookup that finds nothing): medians within noise.
    ratio = median_seconds(deleted.id) / median_seconds(unknown)
    assert 0.5 < ratio < 2.0


@pytest.mark.parametrize("path", [
    "/p/..", "/p/../index.sqlite3", "/p/%2e%2e/index.sqlite3", "/p/%2e%2e%2findex.sqlite3",
    "/p/..%2f..%2fetc%2fpasswd", "/p/%2Fetc%2Fpasswd", "/p//etc/passwd", "/etc/passwd",
    "/p/secret.txt", "/p/secret.txt/photo.jpg", "/p/index.sqlite3/download",
    "/p/%00/photo.jpg", "/p/abcdefgh%00ijklmno/photo.jpg", "/p/..%5C..%5Cindex.sqlite3",
    "/p/abcdefgh%5Cijklmno", "/p/" + "A" * 5000, "/p/" + "A" * 5000 + "/photo.jpg",
    "/static/../index.sqlite3", "/index.sqlite3", "/photos/index.sqlite3",
])
def test_no_path_from_the_url_reaches_the_disk(store: PhotoStore, photo: Photo,
                                               path: str) -> None:
    (store.folder / "secret.txt").write_text("TOP SECRET")
    app = make_app(store, ShareConfig(admin_pin=PIN), limits=FAST)
    status, body = raw_get(app, path)
    assert status == 404
    assert b"TOP SECRET" not in body and b"SQLite format" not in body and b"root:" not in body


@pytest.mark.parametrize("bad", MALFORMED_IDS[1:])
def test_malformed_ids_get_the_same_404(store: PhotoStore, photo: Photo, bad: str) -> None:
    app = make_app(store, ShareConfig(admin_pin=PIN), limits=FAST)
    reference = raw_get(app, f"/p/{new_id()}")
    assert raw_get(app, "/p/" + bad) == reference


def test_only_indexed_files_are_served(client: TestClient, photo: Photo) -> None:
    # A JPEG in the right place with a well-formed name, but no index row.
    orphan_id = new_id()
    photo.file.with_name(f"{orphan_id}.jpg").write_bytes(make_jpeg(seed=9))
    for suffix in ("", "/photo.jpg", "/download"):
        assert client.get(f"/p/{orphan_id}{suffix}").status_code == 404


def test_indexed_photo_whose_file_vanished_is_404(client: TestClient, photo: Photo) -> None:
    photo.file.unlink()
    assert client.get(f"/p/{photo.id}/photo.jpg").status_code == 404


def test_a_scan_of_random_ids_finds_nothing_and_ends_in_429(store: PhotoStore, photo: Photo,
                                                            clock: FakeClock) -> None:
    client = client_for(store, clock)
    statuses = []
    for _ in range(1000):
        response = client.get(f"/p/{new_id()}")
        statuses.append(response.status_code)
        clock.advance(0.01)  # 1000 guesses in 10 s
    assert 200 not in statuses
    assert statuses[:30] == [404] * 30
    assert set(statuses[30:]) == {429}
    blocked = client.get(f"/p/{photo.id}")
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    clock.advance(61)
    assert client.get(f"/p/{photo.id}").status_code == 200


def test_requests_bodies_are_bounded(client: TestClient) -> None:
    response = client.post("/admin/login", content=b"pin=" + b"1" * 100_000,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


# -- operator page ----------------------------------------------------------------------------
def test_without_a_pin_there_is_no_operator_page(store: PhotoStore, photo: Photo) -> None:
    client = client_for(store, pin="")
    reference = client.get(f"/p/{new_id()}").content
    for response in (client.get("/admin"), client.post("/admin/login", data={"pin": ""}),
                     client.post("/admin/delete", data={"id": photo.id}),
                     client.get(f"/admin/thumb/{photo.id}")):
        assert response.status_code == 404
        assert response.content == reference
    assert photo.file.exists()


def test_nothing_lists_photos_without_the_pin(client: TestClient, photo: Photo) -> None:
    login_page = client.get("/admin")
    assert login_page.status_code == 200
    assert 'name="pin"' in login_page.text
    assert photo.id not in login_page.text
    assert client.get(f"/admin/thumb/{photo.id}").status_code == 404
    client.cookies.set(SESSION_COOKIE, "forged-token", path="/admin")
    assert photo.id not in client.get("/admin").text


def test_login_sets_a_strict_session_cookie(client: TestClient) -> None:
    response = client.post("/admin/login", data={"pin": PIN})
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    for part in ("HttpOnly", "SameSite=strict", "Path=/admin", "Max-Age=1800"):
        assert part.lower() in cookie.lower()
    token = cookie.split("=", 1)[1].split(";")[0]
    assert len(token) >= 43 and PIN not in token


def test_operator_page_lists_newest_first_with_counts(client: TestClient, store: PhotoStore,
                                                      photo: Photo) -> None:
    newer = store.save(make_jpeg(seed=7), scene="forest", segmenter="none")
    client.get(f"/p/{photo.id}")
    client.get(f"/p/{photo.id}")
    client.get(f"/p/{newer.id}")
    login(client)
    html = client.get("/admin").text
    assert html.index(newer.id) < html.index(photo.id)
    assert re.search(r"<b>2</b><span>photos</span>", html)
    assert re.search(r"<b>3</b><span>guest views</span>", html)
    assert "forest" in html and "beach" in html
    thumb = client.get(f"/admin/thumb/{photo.id}")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    image = cv2.imdecode(np.frombuffer(thumb.content, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and max(image.shape[:2]) <= 480


def test_wrong_pin_is_slowed_down_and_locked_out(store: PhotoStore, clock: FakeClock) -> None:
    client = client_for(store, clock, limits=Limits(pin_delay=0.2))
    start = time.perf_counter()
    wrong = client.post("/admin/login", data={"pin": "1357"})
    assert time.perf_counter() - start >= 0.2
    assert wrong.status_code == 403 and "Wrong PIN" in wrong.text
    assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")
    for _ in range(4):
        client.post("/admin/login", data={"pin": "0001"})
    locked = client.post("/admin/login", data={"pin": PIN})  # right PIN, but locked out
    assert locked.status_code == 429 and "Too many wrong PINs" in locked.text
    clock.advance(601)
    assert client.post("/admin/login", data={"pin": PIN}).status_code == 303


def test_wrong_pin_delay_does_not_block_other_guests(store: PhotoStore, photo: Photo) -> None:
    # Judged by order, not by a stopwatch: the guest is answered while the
    # wrong PIN is still being slowed down, however busy the machine is.
    with client_for(store, limits=Limits(pin_delay=3.0)) as client:
        slow = threading.Thread(target=client.post, args=("/admin/login",),
                                kwargs={"data": {"pin": "9999"}})
        slow.start()
        time.sleep(0.1)
        assert client.get(f"/p/{photo.id}").status_code == 200
        assert slow.is_alive(), "the guest waited for the wrong PIN's delay"
        slow.join()


def test_session_expires(client: TestClient, clock: FakeClock, photo: Photo) -> None:
    login(client)
    clock.advance(1799)
    assert photo.id in client.get("/admin").text
    clock.advance(2)
    assert photo.id not in client.get("/admin").text
    assert client.get(f"/admin/thumb/{photo.id}").status_code == 404


def test_delete_needs_the_csrf_token(client: TestClient, store: PhotoStore, photo: Photo) -> None:
    login(client)
    for data in ({"id": photo.id}, {"id": photo.id, "csrf": "guess"}):
        assert client.post("/admin/delete", data=data).status_code == 403
    assert store.get(photo.id) == photo and photo.file.exists()


def test_delete_removes_photo_and_the_guest_link_404s(client: TestClient, store: PhotoStore,
                                                      photo: Photo) -> None:
    csrf = login(client)
    response = client.post("/admin/delete", data={"id": photo.id, "csrf": csrf})
    assert response.status_code == 303
    assert store.get(photo.id) is None and not photo.file.exists()
    assert client.get(f"/p/{photo.id}").status_code == 404
    assert client.get(f"/p/{photo.id}/photo.jpg").status_code == 404
    assert "No photos yet" in client.get("/admin").text


def test_logout_ends_the_session(client: TestClient, photo: Photo) -> None:
    csrf = login(client)
    assert client.post("/admin/logout", data={"csrf": csrf}).status_code == 303
    assert photo.id not in client.get("/admin").text


def test_default_limits() -> None:
    limits = Limits()
    assert limits.not_found_per_minute == 30
    assert limits.pin_delay >= 1.0 and limits.pin_failures <= 5
    assert limits.session == 1800


def test_a_crash_answers_our_500_page_with_headers(store: PhotoStore, monkeypatch) -> None:
    def broken(_photo_id: str) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(store, "get", broken)
    app = make_app(store, ShareConfig(), limits=FAST)
    response = TestClient(app, raise_server_exceptions=False).get(f"/p/{new_id()}")
    assert response.status_code == 500
    assert "Something went wrong" in response.text and "Traceback" not in response.text
    assert_secure(response)
