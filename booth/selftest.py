"""``booth selftest``: the real booth, headless, from shutter to a guest's download.

Runs the app with SDL's dummy video and audio drivers on a source (default the
synthetic demo), presses Snap, lets the countdown run, and once the review
screen shows: saves it as a PNG, decodes the QR code from those pixels with
OpenCV, fetches the URL from the booth's own server, and checks the bytes equal
the stored photo.  Exit code 0 only when every step passed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

STARTUP_TIMEOUT = 60.0  # seconds to the first live frame (model load, camera open)
PHOTO_TIMEOUT = 30.0  # seconds from Snap to the review screen


class Step(Exception):
    """A selftest step failed; the message says which and why."""


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def decode_qr(png: Path) -> str:
    """The text of the QR code in an image file (the largest one, if several)."""
    import cv2

    image = cv2.imread(str(png))
    if image is None:
        raise Step(f"screenshot {png} cannot be read")
    detector = cv2.QRCodeDetector()
    ok, texts, _, _ = detector.detectAndDecodeMulti(image)
    found = [t for t in (texts if ok else []) if t.startswith("http")]
    if not found:
        text, _, _ = detector.detectAndDecode(image)
        found = [text] if text.startswith("http") else []
    if not found:
        raise Step("no photo link QR code could be decoded from the review screen")
    return found[0]


def _prepare(config: Any, args: argparse.Namespace) -> None:
    """Headless drivers, a windowed display, a private photos folder and port."""
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    config.display.fullscreen = False
    if args.source is None:
        config.camera.source = "demo"
    if args.photos is None:
        config.photos.folder = Path(tempfile.mkdtemp(prefix="booth-selftest-"))
    if args.port is None:
        config.share.port = free_port()
    if args.base_url is None and not config.share.base_url:
        # Check the link the booth really prints, but reach it on loopback.
        config.share.host = "127.0.0.1"
        config.share.base_url = f"http://127.0.0.1:{config.share.port}"
    config.share.enabled = True
    config.countdown.seconds = min(config.countdown.seconds, 3)


def _run_until(app: Any, done: Any, timeout: float, what: str) -> None:
    if not app.step_until(done, timeout):
        raise Step(f"timed out after {timeout:.0f} s waiting for {what}")


def run_selftest(config: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Run every step; returns the JSON result (``ok`` False with ``error`` on failure)."""
    import pygame

    from booth import app as booth_app
    from booth.states import Review

    _prepare(config, args)
    started = time.monotonic()
    result: dict[str, Any] = {"ok": False, "photo": None, "url": None,
                              "screenshot": str(args.screenshot) if args.screenshot else None}
    app, server = booth_app.build(config)
    try:
        _run_until(app, lambda: app.pipeline.latest() is not None, STARTUP_TIMEOUT,
                   "the first live frame")
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE,
                                             mod=0, unicode=" ", scancode=0))
        _run_until(app, lambda: isinstance(app.state, Review) or app.state.name == "failsafe",
                   PHOTO_TIMEOUT + config.countdown.seconds, "the review screen")
        if not isinstance(app.state, Review):
            raise Step(f"the photo failed: {app.state.message}")
        app.step()  # draw the review screen once more, fully settled
        shot = app.state.shot
        result["photo"] = str(shot.photo.file)
        shot_path = args.screenshot or Path(config.photos.folder) / "selftest-review.png"
        shot_path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(app.display, str(shot_path))
        result["screenshot"] = str(shot_path)
        url = decode_qr(shot_path)
        result["url"] = url
        if url != shot.card.url:
            raise Step(f"the QR code says {url} but the booth made {shot.card.url}")
        with urllib.request.urlopen(url, timeout=10) as response:
            if "photo.jpg" not in response.read().decode("utf-8", "replace"):
                raise Step(f"the guest page at {url} does not show the photo")
        with urllib.request.urlopen(url + "/photo.jpg", timeout=10) as response:
            served = response.read()
        stored = shot.photo.file.read_bytes()
        if served != stored:
            raise Step("the photo served at the link differs from the stored file")
        if hashlib.sha256(stored).hexdigest() != shot.photo.sha256:
            raise Step("the stored photo does not match its recorded sha256")
        result["ok"] = True
    except Step as exc:
        result["error"] = str(exc)
    finally:
        result["seconds"] = round(time.monotonic() - started, 2)
        app.close()
        if server is not None:
            server.stop()
        pygame.quit()
    return result


def main(config: Any, args: argparse.Namespace) -> int:
    """CLI handler: print the result (JSON or lines) and return the exit code."""
    result = run_selftest(config, args)
    if args.json:
        print(json.dumps(result))
    else:
        for key in ("photo", "url", "screenshot", "seconds"):
            print(f"{key:>10}: {result.get(key)}")
        print("selftest passed" if result["ok"] else f"selftest FAILED: {result.get('error')}")
    sys.stdout.flush()
    return 0 if result["ok"] else 1
