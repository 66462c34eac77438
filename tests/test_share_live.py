"""The guest server on a real socket: ShareServer in a thread and ``booth serve``."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from booth.config import ShareConfig
from booth.share.server import ShareError, ShareServer, _listen, guest_url, lan_address
from booth.store import Photo, PhotoStore
from tests.conftest import REPO, free_port
from tests.test_store import make_jpeg


@pytest.fixture
def server(store: PhotoStore) -> Iterator[ShareServer]:
    share = ShareConfig(host="127.0.0.1", port=free_port(), event_name="Live test")
    running = ShareServer(store, share)
    running.start()
    yield running
    running.stop()


def raw_request(port: int, target: str) -> bytes:
    """Send one request line byte for byte (no client-side path clean-up) and read it all."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                     .encode("latin-1"))
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_store_and_share_stay_on_their_floor() -> None:
    code = ("import sys, booth.store, booth.share.qr, booth.share.server; "
            "print([m for m in ('pygame', 'booth.app', 'booth.screen', 'booth.pipeline') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, timeout=60, check=True).stdout
    assert out.strip() == "[]"


def test_lan_address_is_an_ipv4_address() -> None:
    assert ipaddress.IPv4Address(lan_address())


def test_guest_url_forms() -> None:
    assert guest_url(ShareConfig(base_url="https://x.example/booth/"), "ID") == \
        "https://x.example/booth/p/ID"
    assert guest_url(ShareConfig(port=8123), "ID") == f"http://{lan_address()}:8123/p/ID"
    # Bound to one address: that is the only one a phone can reach.
    assert guest_url(ShareConfig(host="127.0.0.1", port=9000), "ID") == \
        "http://127.0.0.1:9000/p/ID"


def test_serves_a_photo_without_a_server_banner(server: ShareServer, store: PhotoStore) -> None:
    photo = store.save(make_jpeg(), scene="a", segmenter="none")
    url = server.url_for(photo.id)
    assert url == f"http://127.0.0.1:{server.share.port}/p/{photo.id}"
    page = httpx2.get(url)
    assert page.status_code == 200 and "Live test" in page.text
    assert "server" not in page.headers
    assert page.headers["x-content-type-options"] == "nosniff"
    assert httpx2.get(f"{url}/download").content == photo.file.read_bytes()


@pytest.mark.parametrize("target", ["/p/../index.sqlite3", "/p/%2e%2e/index.sqlite3",
                                    "/p/..%2Findex.sqlite3", "/p/..\\index.sqlite3",
                                    "/p/%00", "/../../../../etc/passwd"])
def test_raw_traversal_over_the_socket(server: ShareServer, target: str) -> None:
    answer = raw_request(server.share.port, target)
    status = answer.split(b"\r\n", 1)[0]
    assert status.split()[1] in (b"404", b"400"), status
    assert b"SQLite format" not in answer and b"root:" not in answer


def test_busy_port_is_one_sentence(server: ShareServer, store: PhotoStore) -> None:
    second = ShareServer(store, server.share)
    with pytest.raises(ShareError) as caught:
        second.start()
    message = str(caught.value)
    assert str(server.share.port) in message and "share.port" in message
    assert "\n" not in message and message.endswith(".")


def test_binds_to_share_host_only() -> None:
    sock = _listen("127.0.0.1", 0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()
    with pytest.raises(ShareError, match="share.host"):
        _listen("192.0.2.1", 0)  # a documentation address no machine here owns


def test_stop_frees_the_port(store: PhotoStore) -> None:
    share = ShareConfig(host="127.0.0.1", port=free_port())
    for _ in range(2):
        running = ShareServer(store, share)
        running.start()
        assert running.serving()
        running.stop()
        assert not running.serving()


# -- booth serve ---------------------------------------------------------------------------
def booth(*args: str, config: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "booth", "serve", "--config", str(config),
                             *args], cwd=config.parent, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "serve.toml"
    path.write_text('[share]\nhost = "127.0.0.1"\nevent_name = "After party"\n')
    return path


@pytest.fixture
def made_by_booth(tmp_path: Path) -> tuple[Path, Photo]:
    folder = tmp_path / "event-photos"
    photos = PhotoStore(folder)
    photo = photos.save(make_jpeg(320, 240), scene="beach", segmenter="mediapipe")
    photos.close()
    return folder, photo


def test_booth_serve_serves_an_existing_folder(config: Path,
                                               made_by_booth: tuple[Path, Photo]) -> None:
    folder, photo = made_by_booth
    port = free_port()
    proc = booth("--photos", str(folder), "--port", str(port), config=config)
    try:
        banner = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}" in banner and "1 photo " in banner, \
            banner + proc.stderr.read()
        page = httpx2.get(f"http://127.0.0.1:{port}/p/{photo.id}")
        assert page.status_code == 200 and "After party" in page.text
        download = httpx2.get(f"http://127.0.0.1:{port}/p/{photo.id}/download")
        assert download.content == photo.file.read_bytes()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.wait()


def test_booth_serve_refuses_a_folder_without_index(config: Path, tmp_path: Path) -> None:
    proc = booth("--photos", str(tmp_path / "nothing"), "--port", str(free_port()),
                 config=config)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert "index.sqlite3" in err and "--photos" in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "nothing").exists()


def test_booth_serve_on_a_busy_port(config: Path, made_by_booth: tuple[Path, Photo]) -> None:
    folder, _photo = made_by_booth
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        proc = booth("--photos", str(folder), "--port", str(taken.getsockname()[1]),
                     config=config)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert "already in use" in err and "Traceback" not in err
