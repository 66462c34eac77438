"""``booth bench``: the real booth headless, timed per stage, against the seed blog's loop.

The run, in order:

1. **decode** ``--frames`` frames of the source into memory (timed per frame,
   reported as ``decode``) and scale each to the camera size (``camera``,
   default the display size: a camera as sharp as the screen).
2. **live**: the real :class:`booth.app.BoothApp` with SDL's dummy display
   driver; a source that hands out a new frame on every read, so the
   pipeline runs as fast as it can take frames.  Each new composite is drawn
   by ``app.step()`` (surface, blit, overlays, flip).  End-to-end fps = drawn
   composites per second; ``frame`` = time between two drawn composites.
3. **photos**: 20 shutters through the real state machine (countdown 0, no
   flash); shutter to the drawn review screen, JPEG, disk and QR included.
4. **idle**: the live view at the display's fps with a 30 fps camera; CPU
   use of the whole process as a percentage of all cores.
5. **seed**: the seed blog's experiment 4 over the same frames at the same
   size: MediaPipe's landscape model (legacy solutions API), mask > 0.1,
   ``np.where`` composite, then the same surface and blit.

``--minutes`` hands over to the soak test (``booth.soak``).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from booth.config import Config

WARMUP_FRAMES = 30  # composites drawn before timing starts (model warm-up, caches)
PHOTOS = 20  # shutters timed
IDLE_SECONDS = 5.0  # length of the idle CPU measurement
CAMERA_FPS = 30.0  # a typical webcam, for the photo and idle phases
MAX_RING = 120  # distinct frames kept in memory (1080p: ~750 MB)


class BenchError(Exception):
    """A bench run cannot be done; the message is one sentence."""


def parse_size(text: str, what: str) -> tuple[int, int]:
    """'1920x1080' -> (1920, 1080); BenchError naming ``what`` otherwise."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise BenchError(f"{what} must look like 1920x1080 (got {text!r})") from None
    if width < 16 or height < 16:
        raise BenchError(f"{what} must be at least 16x16 (got {text!r})")
    return width, height


def cpu_seconds() -> float:
    """User plus system CPU time of the whole process so far (all threads), seconds."""
    times = os.times()
    return times.user + times.system


def percentiles(samples: list[float]) -> dict[str, float]:
    """{"p50", "p95", "n"} of millisecond samples."""
    values = np.asarray(samples or [0.0])
    return {"p50": float(np.percentile(values, 50)), "p95": float(np.percentile(values, 95)),
            "n": float(len(samples))}


# ----------------------------------------------------------------- frames


def load_frames(spec: str, count: int, skip: int, camera: tuple[int, int] | None
                ) -> tuple[list[np.ndarray], dict[str, dict[str, float]]]:
    """Up to MAX_RING frames of ``spec`` after ``skip``, scaled to ``camera`` (None: as decoded).

    Returns the frames (HxWx3 BGR) and the per-frame decode and scale timings.
    """
    from booth.sources import open_reader

    reader = open_reader(spec, 1920, 1080, 30)
    decode, scale, frames = [], [], []
    try:
        for _ in range(skip):
            reader.grab()
        for _ in range(min(count, MAX_RING)):
            start = time.perf_counter()
            frame = reader.grab()
            decoded = time.perf_counter()
            if frame is None:
                break
            if camera is not None:
                frame = cv2.resize(frame, camera, interpolation=cv2.INTER_LINEAR)
            frames.append(np.ascontiguousarray(frame))
            decode.append((decoded - start) * 1000)
            scale.append((time.perf_counter() - decoded) * 1000)
    finally:
        reader.close()
    if not frames:
        raise BenchError(f"{spec} gave no frames")
    stages = {"decode": percentiles(decode)}
    if camera is not None:
        stages["camera"] = percentiles(scale)
    return frames, stages


class RingSource:
    """A FrameSource over frames in memory.

    With ``fps`` None every read returns the next frame, so the pipeline never
    waits for the camera; with an ``fps`` it plays them at that rate like a webcam.
    """

    def __init__(self, frames: list[np.ndarray]) -> None:
        self._frames = frames
        self._lock = threading.Lock()
        self._index = 0
        self._started = time.monotonic()
        self.fps: float | None = None

    def pace(self, fps: float | None) -> None:
        """Switch between unpaced (None) and a camera rate in frames per second."""
        with self._lock:
            self.fps, self._started = fps, time.monotonic()

    def read(self) -> np.ndarray | None:
        with self._lock:
            if self.fps is None:
                self._index += 1
            else:
                self._index = int((time.monotonic() - self._started) * self.fps)
            return self._frames[self._index % len(self._frames)]

    def close(self) -> None:
        pass


# ------------------------------------------------------------------- ours


@contextmanager
def headless_app(config: Config, source: RingSource, size: tuple[int, int],
                 scene: Path | None) -> Iterator[Any]:
    """The real BoothApp on a dummy display, photos in a temporary folder; closed after."""
    import pygame

    from booth.app import BoothApp, make_segmenter
    from booth.scenes import SceneDeck
    from booth.sounds import Sounds
    from booth.store import PhotoStore

    config.countdown.seconds, config.countdown.flash_ms = 0, 0
    config.display.show_debug = False
    pygame.init()
    display = pygame.display.set_mode(size)
    with tempfile.TemporaryDirectory(prefix="booth-bench-") as tmp:
        folder = config.scenes.folder
        builtins = config.scenes.builtins
        if scene is not None:  # a folder holding just that image
            folder = Path(tmp) / "scenes"
            folder.mkdir()
            (folder / scene.name).symlink_to(scene.resolve())
            builtins = ["none"]
        deck = SceneDeck(folder, builtins, size)
        app = BoothApp(config, display, source=source, segmenter=make_segmenter(config),
                       deck=deck, store=PhotoStore(Path(tmp) / "photos"),
                       url_for=lambda photo_id: f"http://booth.local/p/{photo_id}",
                       sounds=Sounds(config.sounds.folder, 0.0, enabled=False))
        try:
            yield app
        finally:
            app.close()
            pygame.quit()


def draw_new_frames(app: Any, count: int, timeout: float = 60.0) -> list[float]:
    """Draw ``count`` new composites with ``app.step()``; returns the times between them (ms)."""
    seq, last, gaps = -1, None, []
    while len(gaps) < count:
        latest = app.pipeline.wait_newer(seq, timeout)
        if latest is None:
            raise BenchError(f"the pipeline stalled: {len(gaps)} of {count} frames drawn")
        seq = latest.seq
        start = time.perf_counter()
        app.step()
        app.pipeline.times.add("draw", (time.perf_counter() - start) * 1000)
        if last is not None:
            gaps.append((start - last) * 1000)
        last = start
    return gaps


def time_photos(app: Any, source: RingSource, count: int) -> list[float]:
    """Shutter (the Capture state's entry) to the drawn review screen, ms, ``count`` times.

    Like at an event: a camera at CAMERA_FPS, the loop at the display's fps.
    """
    import pygame

    from booth.states import Action, Capture, Review, start

    source.pace(CAMERA_FPS)
    ticker = pygame.time.Clock()
    out = []
    for _ in range(count):
        app.handle(Action.SNAP, app.clock())
        shutter = None
        while not isinstance(app.state, Review):
            app.step()
            if isinstance(app.state, Capture) and shutter is None:
                shutter = app.state.since
            if app.state.name == "failsafe":
                raise BenchError(f"a photo failed: {app.state.message}")
            ticker.tick(app.config.display.fps)
        app.step()  # the review screen drawn (the step above only entered Review)
        out.append((app.clock() - (shutter or app.clock())) * 1000)
        app.state = start(app, app.timing, app.clock())
        ticker.tick(app.config.display.fps)
    source.pace(None)
    return out


def idle_cpu(app: Any, source: RingSource, seconds: float) -> float:
    """CPU use of the process, percent of all cores, on the live view with a paced camera."""
    import pygame

    source.pace(CAMERA_FPS)
    ticker = pygame.time.Clock()
    before, wall = os.times(), time.monotonic()
    while time.monotonic() - wall < seconds:
        app.step()
        ticker.tick(app.config.display.fps)
    after = os.times()
    used = (after.user - before.user) + (after.system - before.system)
    source.pace(None)
    return 100.0 * used / (time.monotonic() - wall) / (os.cpu_count() or 1)


def run_ours(config: Config, frames: list[np.ndarray], size: tuple[int, int], count: int,
             scene: Path | None, photos: int, idle_seconds: float = IDLE_SECONDS
             ) -> dict[str, Any]:
    """Live fps and stages, photo latency and idle CPU of the real booth."""
    from booth.pipeline import StageTimes

    source = RingSource(frames)
    with headless_app(config, source, size, scene) as app:
        app.pipeline.times = StageTimes(keep=max(count, photos) * 4)
        draw_new_frames(app, WARMUP_FRAMES)
        app.pipeline.times = StageTimes(keep=max(count, photos) * 4)
        mattes, wall, cpu = app.pipeline.mattes, time.perf_counter(), cpu_seconds()
        gaps = draw_new_frames(app, count)
        seconds = time.perf_counter() - wall
        cpu = cpu_seconds() - cpu
        segmented = app.pipeline.mattes - mattes
        stages = app.pipeline.times.summary()
        stages["frame"] = percentiles(gaps)
        if photos:
            time_photos(app, source, 1)  # the first photo pays for one-off setup
        shutters = time_photos(app, source, photos) if photos else []
        rendered = app.pipeline.times.summary().get("photo")
        if rendered:  # the pipeline's share of the shutter time
            stages["photo_render"] = rendered
        return {"fps": len(gaps) / seconds, "segment_fps": segmented / seconds, "stages": stages,
                "cpu_ms_per_frame": 1000 * cpu / len(gaps),
                "scene": app.deck.current.name, "segmenter": app.pipeline.segmenter.name,
                "photo": percentiles(shutters),
                "idle_cpu_percent": idle_cpu(app, source, idle_seconds)}


# ------------------------------------------------------------------- seed


def seed_loop(frames: list[np.ndarray], size: tuple[int, int], count: int,
              background: np.ndarray) -> dict[str, Any]:
    """The seed blog's experiment 4 on the same frames and display; fps and stages."""
    import mediapipe as mp
    import pygame

    pygame.init()
    display = pygame.display.set_mode(size)
    times: dict[str, list[float]] = {"segment": [], "composite": [], "draw": []}
    selfie = mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=1)
    try:
        def one(frame: np.ndarray) -> None:
            t0 = time.perf_counter()
            mask = selfie.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)).segmentation_mask
            t1 = time.perf_counter()
            condition = np.stack((mask,) * 3, axis=-1) > 0.1
            out = np.where(condition, frame, background)
            rgb = cv2.cvtColor(out, cv2.COLOR_BGR2RGB)
            t2 = time.perf_counter()
            display.blit(pygame.image.frombuffer(rgb, size, "RGB"), (0, 0))
            pygame.display.flip()
            t3 = time.perf_counter()
            for stage, ms in (("segment", t1 - t0), ("composite", t2 - t1), ("draw", t3 - t2)):
                times[stage].append(ms * 1000)

        for i in range(WARMUP_FRAMES):
            one(frames[i % len(frames)])
        times = {stage: [] for stage in times}
        wall, cpu = time.perf_counter(), cpu_seconds()
        for i in range(count):
            one(frames[i % len(frames)])
        seconds = time.perf_counter() - wall
        cpu = cpu_seconds() - cpu
    finally:
        selfie.close()
        pygame.quit()
    return {"fps": count / seconds, "cpu_ms_per_frame": 1000 * cpu / count,
            "stages": {k: percentiles(v) for k, v in times.items()}}


def seed_background(config: Config, scene: Path | None, size: tuple[int, int],
                    frame: np.ndarray) -> np.ndarray:
    """The background the seed composites over: the bench's scene image, else a blur."""
    from booth.matte import blur_background, cover_fit
    from booth.scenes import decode_image

    if scene is not None:
        return cover_fit(decode_image(scene), size)
    return blur_background(cv2.resize(frame, size), config.scenes.blur_sigma)


# ------------------------------------------------------------------ report


def report(result: dict[str, Any]) -> str:
    """The human-readable table."""
    lines = [f"booth bench: {result['size']} camera {result['camera']}, "
             f"segmenter {result['segmenter']}, scene {result['scene']}, "
             f"{result['frames']} frames",
             f"{'stage':<12}{'p50 ms':>9}{'p95 ms':>9}"]
    for stage, s in result["stages"].items():
        lines.append(f"{stage:<12}{s['p50']:9.2f}{s['p95']:9.2f}")
    lines += [f"end to end  {result['fps']:.1f} fps (segmenting {result['segment_fps']:.1f}/s)",
              f"seed loop   {result['seed_fps']:.1f} fps   ours/seed {result['ratio']:.2f}x",
              f"CPU/frame   ours {result['cpu_ms_per_frame']:.1f} ms, "
              f"seed {result['seed_cpu_ms_per_frame']:.1f} ms (all threads; robust to a busy "
              "machine)",
              f"photo       shutter to review p50 {result['photo']['p50']:.0f} ms, "
              f"p95 {result['photo']['p95']:.0f} ms over {result['photo']['n']:.0f}",
              f"idle CPU    {result['idle_cpu_percent']:.1f}% of {os.cpu_count()} cores "
              "(live view, 30 fps camera)"]
    return "\n".join(lines)


def bench(config: Config, args: argparse.Namespace,
          progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Run every phase; returns the result dictionary that ``--json`` prints."""
    size = parse_size(args.size, "--size")
    camera = None if args.camera == "native" else parse_size(args.camera or args.size,
                                                               "--camera")
    scene = Path(args.scene).expanduser() if args.scene else None
    if scene is not None and not scene.is_file():
        raise BenchError(f"--scene {scene} is not an image file")
    progress("decoding frames")
    frames, decode = load_frames(config.camera.source, args.frames, args.skip, camera)
    progress(f"timing the booth over {args.frames} frames")
    ours = run_ours(config, frames, size, args.frames, scene, 0 if args.no_photos else PHOTOS)
    progress("timing the seed loop")
    seed = seed_loop(frames, size, args.frames, seed_background(config, scene, size, frames[0]))
    return {"fps": ours["fps"], "seed_fps": seed["fps"], "ratio": ours["fps"] / seed["fps"],
            "stages": {**decode, **ours["stages"]}, "seed_stages": seed["stages"],
            "segment_fps": ours["segment_fps"], "photo": ours["photo"],
            "cpu_ms_per_frame": ours["cpu_ms_per_frame"],
            "seed_cpu_ms_per_frame": seed["cpu_ms_per_frame"],
            "idle_cpu_percent": ours["idle_cpu_percent"], "size": args.size,
            "camera": args.camera or args.size, "segmenter": ours["segmenter"],
            "scene": ours["scene"], "frames": args.frames,
            "matte": config.matte.model_dump()}


def main(config: Config, args: argparse.Namespace) -> int:
    """``booth bench``; returns the exit code."""
    if getattr(args, "minutes", None):
        from booth import soak  # written separately; imported only when asked for

        return soak.main(config, args)
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    from booth.cli import UserError

    try:
        result = bench(config, args, progress=lambda text: None if args.json else
                       print(f"... {text}", flush=True))
    except BenchError as exc:
        raise UserError(str(exc)) from None
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0
