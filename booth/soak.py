"""``booth bench --minutes N``: a soak test of the real booth, headless.

Runs the whole app (camera source, segmenter, pipeline, state machine, store,
guest server on 127.0.0.1) with SDL's dummy drivers for N minutes at the
configured frame rate, presses Snap every ~20 s, and reports frames rendered,
photos saved, failures, and resident memory after the warm-up and at the end.
A booth runs all night: memory that grows by more than 5% in a soak is a leak.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SNAP_EVERY = 20.0  # seconds between presses of Snap
WARMUP = 30.0  # seconds before the starting memory is taken (models, caches, pools fill up)
STARTUP_TIMEOUT = 60.0  # seconds to the first live frame
SETTLE_TIMEOUT = 30.0  # seconds for the last photo to finish before the end is measured
SAMPLE_EVERY = 60.0  # seconds between memory samples in the report
MAX_GROWTH = 5.0  # percent of memory growth after the warm-up that still passes


class _ErrorCounter(logging.Handler):
    """Counts ERROR records: every fault the booth survived is logged at that level."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def rss_mb() -> float:
    """This process's resident memory (VmRSS), MB; collected first so garbage is not counted."""
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _prepare(config: Any, photos: Path, size: tuple[int, int]) -> None:
    """Headless, windowed at ``size``, a private photos folder, the server on loopback."""
    from booth.selftest import free_port

    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    config.display.fullscreen = False
    config.display.width, config.display.height = size
    config.photos.folder = photos
    config.share.enabled = True
    config.share.host = "127.0.0.1"
    config.share.port = free_port()
    config.share.base_url = f"http://127.0.0.1:{config.share.port}"


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' -> (1920, 1080); ValueError for anything else."""
    width, height = (int(part) for part in text.lower().split("x"))
    return width, height


def _press_snap() -> None:
    import pygame

    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE, mod=0,
                                         unicode=" ", scancode=0))


def soak(config: Any, minutes: float, size: tuple[int, int] = (1920, 1080),
         snap_every: float = SNAP_EVERY, warmup: float = WARMUP) -> dict[str, Any]:
    """Run the booth for ``minutes``; returns the figures (see :func:`main`)."""
    import pygame

    from booth import app as booth_app
    from booth.logs import setup_logging

    errors = _ErrorCounter()
    with tempfile.TemporaryDirectory(prefix="booth-soak-") as photos:
        _prepare(config, Path(photos), size)
        setup_logging(Path(photos), os.environ.get("BOOTH_LOG", "INFO"))
        logging.getLogger().addHandler(errors)
        app, server = booth_app.build(config)
        try:
            figures = _drive(app, minutes * 60, snap_every, min(warmup, minutes * 20))
            figures["photos"] = app.store.totals()[0]
        finally:
            app.close()
            if server is not None:
                server.stop()
            pygame.quit()
            logging.getLogger().removeHandler(errors)
    figures["failures"] = app.history.count("failsafe")
    figures["errors_logged"] = errors.count
    growth = 100 * (figures["rss_end_mb"] / figures["rss_start_mb"] - 1)
    figures["growth_pct"] = round(growth, 2)
    figures["ok"] = (growth < MAX_GROWTH and figures["failures"] == 0
                     and figures["photos"] == figures["snaps"])
    return figures


def _drive(app: Any, seconds: float, snap_every: float, warmup: float) -> dict[str, Any]:
    """Step the app in real time for ``seconds`` with a Snap every ``snap_every``."""
    import pygame

    _until(app, lambda: app.pipeline.latest() is not None, STARTUP_TIMEOUT)
    ticker = pygame.time.Clock()
    start = time.monotonic()
    next_snap, next_sample, end = start + snap_every, start + warmup, start + seconds
    snaps = steps = 0
    samples: list[float] = []
    while (now := time.monotonic()) < end:
        if now >= next_snap and app.state.name == "live":
            _press_snap()
            snaps += 1
            next_snap = now + snap_every
        if now >= next_sample:  # the first sample, after the warm-up, is the start figure
            samples.append(round(rss_mb(), 1))
            next_sample = now + SAMPLE_EVERY
        app.step()
        steps += 1
        ticker.tick(app.config.display.fps)
    _until(app, lambda: app.state.name == "live", SETTLE_TIMEOUT)  # let the last photo land
    elapsed = time.monotonic() - start
    end_mb = rss_mb()
    latest = app.pipeline.latest()
    frames = latest.seq if latest else 0
    return {"minutes": round(elapsed / 60, 2), "frames": frames,
            "live_fps": round(frames / elapsed, 1), "render_steps": steps,
            "render_fps": round(steps / elapsed, 1), "snaps": snaps,
            "rss_start_mb": samples[0] if samples else end_mb, "rss_end_mb": round(end_mb, 1),
            "rss_samples_mb": samples}


def _until(app: Any, done: Any, timeout: float) -> None:
    """Step the app until ``done()``; RuntimeError after ``timeout`` seconds."""
    if not app.step_until(done, timeout):
        raise RuntimeError(f"soak: timed out after {timeout:.0f} s in state {app.state.name}")


def main(config: Any, args: argparse.Namespace) -> int:
    """``booth bench --minutes N``: print the figures (JSON with --json); 0 when they pass."""
    figures = soak(config, args.minutes, parse_size(getattr(args, "size", "1920x1080")))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>15}: {value}")
        print(f"memory growth after warm-up {figures['growth_pct']:+.1f}% "
              f"({'passes' if figures['ok'] else 'FAILS'}: under {MAX_GROWTH:g}%, no failures, "
              "every snap saved)")
    sys.stdout.flush()
    return 0 if figures["ok"] else 1
