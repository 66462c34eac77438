"""Take the README's screenshots from the real program, headless.

Runs the booth on the synthetic demo source (so no one's likeness is needed),
lets the figure walk in, flips to a scene, saves the live view, takes a photo
and saves the review screen:

    python tools/screenshots.py --out docs
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pygame  # noqa: E402

from booth import app as booth_app  # noqa: E402
from booth import config as cfg  # noqa: E402
from booth.selftest import free_port  # noqa: E402


def run_for(app: booth_app.BoothApp, seconds: float) -> None:
    """Step the real loop in real time."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.step()
        time.sleep(0.01)


def key(code: int) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=code, mod=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--scene-steps", type=int, default=1, help="Right presses before the shot")
    args = parser.parse_args()
    config = cfg.load()
    config.camera.source = "demo"
    config.display.fullscreen = False
    config.display.width, config.display.height = (int(v) for v in args.size.split("x"))
    config.photos.folder = Path(tempfile.mkdtemp(prefix="booth-screenshots-"))
    port = free_port()
    config.share.host, config.share.port = "127.0.0.1", port
    config.share.base_url = f"http://192.168.1.20:{port}"  # what a guest's phone would see
    config.share.event_name = "Anna & Ben's Wedding"
    app, server = booth_app.build(config)
    try:
        run_for(app, 4.0)  # the empty room, then the figure walks in
        for _ in range(args.scene_steps):
            key(pygame.K_RIGHT)
        run_for(app, 0.8)
        args.out.mkdir(parents=True, exist_ok=True)
        pygame.image.save(app.display, str(args.out / "live.jpg"))
        key(pygame.K_SPACE)
        deadline = time.monotonic() + 30
        while app.state.name != "review" and time.monotonic() < deadline:
            app.step()
            time.sleep(0.01)
        run_for(app, 0.5)
        pygame.image.save(app.display, str(args.out / "review.jpg"))
    finally:
        app.close()
        if server is not None:
            server.stop()
        pygame.quit()


if __name__ == "__main__":
    main()
