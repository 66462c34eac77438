"""The live pipeline: newest frame -> segment -> refine -> composite, off the render thread.

The processing thread publishes the newest composite; the render thread only
picks it up (:meth:`Pipeline.latest`) and never waits.  Photo requests run on
the same thread between frames, so a segmenter is never used by two threads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import cv2
import numpy as np

from booth import matte
from booth.config import MatteConfig
from booth.scenes import Scene, SceneDeck
from booth.segmenters import Segmenter
from booth.sources import FrameSource

log = logging.getLogger(__name__)

PHOTO_SEGMENT_EDGE = 512  # long edge of the frame the photo's matte is computed from


@dataclass(frozen=True)
class Composite:
    """One finished live frame."""

    rgb: np.ndarray  # HxWx3 uint8 RGB at display size, C-contiguous
    seq: int  # increases by one per published frame


class StageTimes:
    """Recent per-stage durations in milliseconds, for the HUD and the bench."""

    def __init__(self, keep: int = 240) -> None:
        self._lock = threading.Lock()
        self._samples: dict[str, deque[float]] = {}
        self._keep = keep

    def add(self, stage: str, ms: float) -> None:
        with self._lock:
            self._samples.setdefault(stage, deque(maxlen=self._keep)).append(ms)

    def summary(self) -> dict[str, dict[str, float]]:
        """{stage: {"p50": ms, "p95": ms, "n": count}} over the recent samples."""
        with self._lock:
            items = {k: np.array(v) for k, v in self._samples.items() if v}
        return {k: {"p50": float(np.percentile(v, 50)), "p95": float(np.percentile(v, 95)),
                    "n": float(len(v))} for k, v in items.items()}


class Pipeline:
    """Owns the processing thread; the source, segmenter and deck are passed in."""

    def __init__(self, source: FrameSource, segmenter: Segmenter, deck: SceneDeck,
                 settings: MatteConfig, display_size: tuple[int, int], *,
                 preview_size: int = 256, mirror_preview: bool = True,
                 mirror_photo: bool = False, rescan_seconds: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self.deck = deck
        self.settings = settings
        self.display_size = display_size
        self.preview_size = preview_size
        self.mirror_preview = mirror_preview
        self.mirror_photo = mirror_photo
        self.rescan_seconds = rescan_seconds
        self.times = StageTimes()
        self._clock = clock
        self._segmenter = segmenter
        self._pending_segmenter: Segmenter | None = None
        self._smoother = matte.TemporalSmoother(settings.smoothing)
        self._lock = threading.Lock()
        self._latest: Composite | None = None
        self._photo_jobs: deque[tuple[Scene, Future[np.ndarray]]] = deque()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_frame: np.ndarray | None = None

    # -- control, from the main thread -------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pipeline", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)

    def latest(self) -> Composite | None:
        """The newest composite, or None before the first one.  Never blocks."""
        with self._lock:
            return self._latest

    @property
    def segmenter(self) -> Segmenter:
        return self._pending_segmenter or self._segmenter

    def set_segmenter(self, segmenter: Segmenter) -> None:
        """Switch segmenters; the old one is closed by the processing thread."""
        self._pending_segmenter = segmenter

    def take_photo(self, scene: Scene) -> Future[np.ndarray]:
        """Full-resolution composite of the newest frame over ``scene`` (HxWx3 BGR)."""
        future: Future[np.ndarray] = Future()
        self._photo_jobs.append((scene, future))
        self._wake.set()
        return future

    # -- the processing thread --------------------------------------------
    def _run(self) -> None:
        next_rescan = 0.0
        while not self._stop.is_set():
            self._swap_segmenter()
            while self._photo_jobs:
                scene, future = self._photo_jobs.popleft()
                self._do_photo(scene, future)
            now = self._clock()
            if now >= next_rescan:
                self.deck.rescan()
                next_rescan = now + self.rescan_seconds
            frame = self.source.read()
            if frame is None or frame is self._last_frame:
                self._wake.wait(0.004)
                self._wake.clear()
                continue
            self._last_frame = frame
            try:
                self._publish(self.render_live(frame, self.deck.current))
            except Exception:  # a bug must not stop the live view for good
                log.exception("live frame failed")
                self._stop.wait(0.1)

    def _swap_segmenter(self) -> None:
        pending = self._pending_segmenter
        if pending is not None and pending is not self._segmenter:
            old, self._segmenter = self._segmenter, pending
            self._smoother.reset()
            old.close()
        self._pending_segmenter = None

    def _publish(self, rgb: np.ndarray) -> None:
        with self._lock:
            seq = self._latest.seq + 1 if self._latest else 1
            self._latest = Composite(rgb, seq)

    def _timed(self, stage: str, start: float) -> float:
        now = time.perf_counter()
        self.times.add(stage, (now - start) * 1000.0)
        return now

    def render_live(self, frame: np.ndarray, scene: Scene) -> np.ndarray:
        """One live frame: display-size RGB composite of ``frame`` over ``scene``."""
        t = time.perf_counter()
        view = matte.cover_fit(frame, self.display_size)
        if self.mirror_preview:
            view = cv2.flip(view, 1)
        t = self._timed("fit", t)
        background = self.deck.background(scene, view)
        if background is None:
            out = view
        else:
            small = matte.small_copy(view, self.preview_size)
            t = self._timed("resize", t)
            alpha = self._segmenter.segment(small)
            t = self._timed("segment", t)
            alpha = matte.upsample(alpha, (small.shape[1], small.shape[0]))
            alpha = self._smoother.update(alpha)
            t = self._timed("smooth", t)
            alpha = self._refine(alpha, view)
            t = self._timed("refine", t)
            out = matte.composite(view, background, alpha)
        rgb = cv2.cvtColor(out, cv2.COLOR_BGR2RGB)
        self._timed("composite", t)
        return rgb

    def _refine(self, alpha: np.ndarray, guide: np.ndarray) -> np.ndarray:
        size = (guide.shape[1], guide.shape[0])
        if self.settings.refine:
            alpha = matte.guided_upsample(alpha, guide)
        else:
            alpha = matte.upsample(alpha, size)
        return matte.feather(alpha, self.settings.feather)

    def _do_photo(self, scene: Scene, future: Future[np.ndarray]) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            frame = self.source.read()
            if frame is None:
                raise RuntimeError("no camera frame to take the photo from")
            future.set_result(self.render_photo(frame, scene))
        except Exception as exc:
            log.exception("photo failed")
            future.set_exception(exc)

    def render_photo(self, frame: np.ndarray, scene: Scene) -> np.ndarray:
        """Full-resolution BGR composite with the best matte this segmenter gives."""
        t = time.perf_counter()
        if self.mirror_photo:
            frame = cv2.flip(frame, 1)
        background = self.deck.background(scene, frame)
        if background is None:
            return frame.copy()
        small = matte.small_copy(frame, max(PHOTO_SEGMENT_EDGE, self.preview_size))
        alpha = self._segmenter.segment(small)
        alpha = matte.upsample(alpha, (small.shape[1], small.shape[0]))
        alpha = matte.guided_upsample(alpha, frame, work_long_edge=960)
        alpha = matte.feather(alpha, self.settings.feather * frame.shape[0] / 1080)
        out = matte.composite(frame, background, alpha)
        self._timed("photo", t)
        return out
