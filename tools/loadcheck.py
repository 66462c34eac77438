"""Load check: does a crowd of phones downloading photos slow the live view?

Runs the real booth headless (dummy video/audio drivers, the guest server on
127.0.0.1), takes a few photos, then measures the live view's frame rate for
``--seconds`` without load and again while ``--clients`` concurrent clients in
a separate process (the phones) fetch photo pages and images.  A benchmark
that prints figures, not a test:

    python tools/loadcheck.py --source ../shared/data/office/office.avi
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"


def clients(urls: list[str], count: int, seconds: float, out: multiprocessing.Queue) -> None:
    """``count`` threads fetching pages and photos until ``seconds`` pass (bounded)."""
    deadline = time.monotonic() + seconds
    stats = {"requests": 0, "errors": 0, "bytes": 0}
    lock = threading.Lock()

    def one() -> None:
        rng = random.Random()
        while time.monotonic() < deadline:
            url = rng.choice(urls)
            for target in (url, url + "/photo.jpg"):
                try:
                    with urllib.request.urlopen(target, timeout=10) as response:
                        size = len(response.read())
                    with lock:
                        stats["requests"] += 1
                        stats["bytes"] += size
                except (urllib.error.URLError, OSError):
                    with lock:
                        stats["errors"] += 1

    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(stats)


def measure(app, seconds: float) -> dict[str, float]:
    """Step the real loop at its frame cap for ``seconds``; frames shown and composed per s."""
    import pygame

    ticker = pygame.time.Clock()
    start_frames, start_published = 0, app.pipeline.published
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        app.step()
        start_frames += 1
        ticker.tick(app.config.display.fps)
    elapsed = time.monotonic() - started
    return {"render_fps": start_frames / elapsed,
            "composite_fps": (app.pipeline.published - start_published) / elapsed}


def take_photos(app, count: int) -> list[str]:
    """Press Snap ``count`` times and return the guest URLs."""
    import pygame

    urls = []
    for _ in range(count):
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE, mod=0))
        deadline = time.monotonic() + 30
        while app.state.name != "review" and time.monotonic() < deadline:
            app.step()
            time.sleep(0.01)
        urls.append(app.state.shot.card.url)
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE, mod=0))
        time.sleep(1.1)  # past the review's grace period
        while app.state.name != "live":
            app.step()
    return urls


def main() -> None:
    from booth import app as booth_app
    from booth import config as cfg
    from booth.selftest import free_port

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path)
    parser.add_argument("--source", default="demo")
    parser.add_argument("--segmenter", default=None)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()

    config = cfg.load(args.config)
    config.camera.source = args.source
    if args.segmenter:
        config.segmenter.name = args.segmenter
    config.display.fullscreen = False
    config.display.width, config.display.height = (int(v) for v in args.size.split("x"))
    config.photos.folder = Path(tempfile.mkdtemp(prefix="booth-loadcheck-"))
    config.countdown.seconds = 0
    port = free_port()
    config.share.host, config.share.port = "127.0.0.1", port
    config.share.base_url = f"http://127.0.0.1:{port}"

    app, server = booth_app.build(config)
    try:
        while app.pipeline.latest() is None:
            app.step()
        urls = take_photos(app, 3)
        measure(app, 5.0)  # warm-up
        quiet = measure(app, args.seconds)
        queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
        crowd = multiprocessing.get_context("spawn").Process(
            target=clients, args=(urls, args.clients, args.seconds, queue))
        crowd.start()
        loaded = measure(app, args.seconds)
        stats = queue.get(timeout=args.seconds + 60)
        crowd.join()
    finally:
        app.close()
        if server is not None:
            server.stop()
    drop = 1.0 - loaded["composite_fps"] / quiet["composite_fps"]
    print(json.dumps({"quiet": quiet, "loaded": loaded, "clients": args.clients,
                      "seconds": args.seconds, "requests": stats["requests"],
                      "errors": stats["errors"],
                      "requests_per_s": stats["requests"] / args.seconds,
                      "composite_fps_drop": round(drop, 3)}, indent=1))


if __name__ == "__main__":
    main()
