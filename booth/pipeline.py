"""The live pipeline, off the render thread: segment at low resolution, composite every frame.

Two threads, each with one job:

* **segment** takes the newest camera frame it has not seen, shrinks it to
  the model's size, runs the segmenter, smooths the alpha over time and fits
  the guided filter's linear model at low resolution (plus the light-wrap and
  colour-match parameters).  It publishes that as a :class:`LiveMatte`.  It
  also makes the photos and swaps segmenters, so a segmenter is only ever
  used by this one thread.
* **composite** takes every new camera frame, fits it to the display as RGB,
  applies the newest matte's linear model to the frame's own grey (so the cut
  follows this frame's edges even when the matte is a few frames old: the
  booth segments fewer frames, never shows fewer), blends over the cached
  scene in 8-bit fixed point and publishes a :class:`Composite`.

The render thread only picks up :meth:`Pipeline.latest` and never waits.
Composites rotate through three preallocated arrays, so the array behind the
surface the render thread is blitting is not written while it does so, and
the hot path allocates nothing once warm.
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
PHOTO_REFINE_EDGE = 960  # long edge at which the photo's guided filter is fitted
LIVE_REFINE_EDGE = 480  # same for the live view: a quarter of 1080p, as in He & Sun
REFINE_RADIUS = 8  # guided filter window radius, in display (or photo) pixels
REFINE_EPS = 1e-3  # guided filter regulariser, (grey / 255)^2 units
LIVE_GUIDE_EDGE = 960  # long edge at which the live matte is applied, then resized to the display
ROI_ALIGN = 8  # the person's box on the display is rounded out to this many pixels
SEGMENT_MAX_HZ = 30.0  # mattes per second at most: more would only take CPU from compositing
SEGMENT_DUTY = 0.5  # fraction of its time the segment thread may be busy (of one core)
# A matte held because nothing moved (see make_matte) is made anew after this
# many seconds all the same: a bound on how stale a held matte can be.
HOLD_SECONDS = 1.0
TAKE_TIMEOUT = 1 / 30  # seconds the composite thread waits for the render thread to take one
COLOR_STATS_KEEP = 0.9  # per-matte weight of the previous person colour statistics
OUTPUT_BUFFERS = 3  # published composites in rotation (one shown, one next, one drawn)
BUG_LOG_SECONDS = 60.0  # the same failure is logged with its traceback at most this often
IDLE_WAIT = 0.002  # seconds a thread sleeps when there is no new frame


@dataclass(frozen=True)
class Composite:
    """One finished live frame."""

    rgb: np.ndarray  # HxWx3 uint8 RGB at display size, C-contiguous
    seq: int  # increases by one per published frame


@dataclass(frozen=True)
class LiveMatte:
    """The segment thread's result for one frame, at the refine size (hxw).

    ``alpha_u8 ~ coef_a * grey + coef_b`` for any frame of the same view, grey
    in 0..255: the composite thread applies it to newer frames too.
    """

    coef_a: np.ndarray  # hxw float32
    coef_b: np.ndarray  # hxw float32
    solid: bool  # the alpha is 1 everywhere: show the camera as it is
    box: matte.Box | None  # where the alpha can be non-zero (fractions); None = nobody
    wrap_u8: np.ndarray | None  # hxw uint8 light-wrap weight, None when off
    lut: np.ndarray | None  # 256x1x3 uint8 colour-match table (RGB), None when off
    small_rgb: np.ndarray  # hxwx3 uint8 RGB of the segmented frame (for the blur scene)
    seq: int  # increases by one per matte, never reused
    scene: Scene  # the scene it was made for (its colour match depends on it)
    made: float  # the pipeline clock's time when it was made, seconds
    # The segmenter's colour clean-up of the person (e.g. chroma's despill), or None.
    foreground: Callable[[np.ndarray], np.ndarray] | None = None


@dataclass
class SceneCache:
    """One image scene's pixels at display size, converted once."""

    source: np.ndarray  # the deck's fitted BGR array this was made from (identity = fresh)
    rgb: np.ndarray  # HxWx3 uint8 RGB
    glow: np.ndarray | None = None  # light-wrap blur of ``rgb``, made on first use
    stats: tuple[np.ndarray, np.ndarray] | None = None  # colour mean/std, made on first use


def foreground_rgb(segmenter: Segmenter) -> Callable[[np.ndarray], np.ndarray] | None:
    """The segmenter's optional ``foreground(frame_bgr) -> frame_bgr`` hook, for RGB views.

    A segmenter that knows how to clean the person's colours (chroma removes the
    backdrop's green spill from hair and edges) offers ``foreground``; the
    pipeline applies it before blending, whatever the segmenter's name.
    """
    clean = getattr(segmenter, "foreground", None)
    if clean is None:
        return None

    def apply(rgb: np.ndarray) -> np.ndarray:
        bgr = clean(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    return apply


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


class _Stopwatch:
    """Adds the time since the previous lap to ``times`` under each lap's stage name."""

    def __init__(self, times: StageTimes) -> None:
        self._times = times
        self.start = self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self._times.add(stage, (now - self._last) * 1000.0)
        self._last = now

    def total(self, stage: str) -> None:
        self._times.add(stage, (time.perf_counter() - self.start) * 1000.0)


class Pipeline:
    """Owns the segment and composite threads; the source, segmenter and deck are passed in."""

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
        self.mattes = 0  # segmentations done for the live view
        self.published = 0  # composites published
        self._clock = clock
        self._bug_logged: dict[str, float] = {}  # kind of failure -> when last logged
        self._segmenter = segmenter
        self._pending_segmenter: Segmenter | None = None
        self._smoother = matte.TemporalSmoother(settings.smoothing)
        self._person_stats: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.Lock()
        self._published = threading.Condition(self._lock)  # notified on each new composite
        self._latest: Composite | None = None
        self._matte: LiveMatte | None = None
        self._scenes: dict[str, SceneCache] = {}
        self._photo_jobs: deque[tuple[Scene, Future[np.ndarray]]] = deque()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._taken = threading.Event()  # the render thread picked up the newest composite
        self._taken.set()
        self._photo_pending = threading.Event()  # the composite thread yields the CPU
        self._threads: list[threading.Thread] = []
        width, height = display_size
        self._outputs = [np.zeros((height, width, 3), np.uint8) for _ in range(OUTPUT_BUFFERS)]
        self._buffers = matte.Buffers()  # the composite thread's scratch arrays
        self._segment_buffers = matte.Buffers()  # the segment thread's
        self._blur_scene: tuple[int, np.ndarray] | None = None  # (matte seq, display RGB)
        # id(output array) -> (background, its version, box blended over it) it shows.
        self._painted: dict[int, tuple[np.ndarray, int, matte.Rect | None]] = {}

    # -- control, from the main thread -------------------------------------
    def start(self) -> None:
        for name, target in (("segment", self._segment_loop), ("composite", self._composite_loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def latest(self) -> Composite | None:
        """The newest composite, or None before the first one.  Never blocks."""
        with self._lock:
            self._taken.set()
            return self._latest

    def wait_newer(self, seq: int, timeout: float) -> Composite | None:
        """The newest composite once its seq exceeds ``seq``; None after ``timeout`` seconds.

        For a loop that shows every composite as soon as it exists (the bench)
        without polling; the booth's render loop uses :meth:`latest`.
        """
        with self._published:
            fresh = self._published.wait_for(
                lambda: self._latest is not None and self._latest.seq > seq, timeout)
            self._taken.set()
            return self._latest if fresh else None

    @property
    def segmenter(self) -> Segmenter:
        return self._pending_segmenter or self._segmenter

    def set_segmenter(self, segmenter: Segmenter) -> None:
        """Switch segmenters; the old one is closed by the segment thread."""
        self._pending_segmenter = segmenter

    def take_photo(self, scene: Scene) -> Future[np.ndarray]:
        """Full-resolution composite of the newest frame over ``scene`` (HxWx3 BGR)."""
        future: Future[np.ndarray] = Future()
        self._photo_jobs.append((scene, future))
        self._photo_pending.set()
        self._wake.set()
        return future

    # -- the segment thread -----------------------------------------------
    def _segment_loop(self) -> None:
        next_rescan = 0.0
        last: np.ndarray | None = None
        while not self._stop.is_set():
            self._swap_segmenter()
            while self._photo_jobs:
                self._do_photo(*self._photo_jobs.popleft())
            self._photo_pending.clear()
            now = self._clock()
            if now >= next_rescan:
                self.deck.rescan()
                next_rescan = now + self.rescan_seconds
            frame, scene = self.source.read(), self.deck.current
            if not scene.replaces_background:
                self._forget_matte()  # no matte needed; a stale one must not show later
            if frame is None or frame is last or not scene.replaces_background:
                self._wake.wait(IDLE_WAIT)
                self._wake.clear()
                continue
            last = frame
            began = time.perf_counter()
            try:
                live = self.make_matte(frame, scene)
            except Exception:  # a bug must not stop the live view for good
                self._log_bug("segmentation failed")
                self._stop.wait(0.1)
                continue
            with self._lock:
                self._matte = live
            self._rest(time.perf_counter() - began)

    def _log_bug(self, what: str) -> None:
        """Log the current exception with its traceback, at most once a minute per kind:
        a bug on every frame must not fill the disk overnight."""
        now = self._clock()
        if now - self._bug_logged.get(what, -1e9) >= BUG_LOG_SECONDS:
            self._bug_logged[what] = now
            log.exception("%s (repeats within %.0f s are not logged)", what, BUG_LOG_SECONDS)

    def _forget_matte(self) -> None:
        if self._matte is not None:
            with self._lock:
                self._matte = None
            self._smoother.reset()

    def _rest(self, busy: float) -> None:
        """Pause after a matte that took ``busy`` seconds (a photo request ends it early).

        The thread stays under SEGMENT_MAX_HZ and busy at most SEGMENT_DUTY of
        the time, so a slow model (or a busy machine) segments fewer frames
        instead of starving the composite thread.
        """
        pause = max(1.0 / SEGMENT_MAX_HZ - busy, busy * (1.0 / SEGMENT_DUTY - 1.0))
        self._wake.wait(pause)
        self._wake.clear()

    def _swap_segmenter(self) -> None:
        pending = self._pending_segmenter
        if pending is not None and pending is not self._segmenter:
            old, self._segmenter = self._segmenter, pending
            self._forget_matte()
            self._person_stats = None
            old.close()
        self._pending_segmenter = None

    def refine_size(self, frame_shape: tuple[int, ...]) -> tuple[int, int]:
        """(width, height) at which the live matte is fitted for frames of ``frame_shape``."""
        _, _, w, h = matte.cover_rect((frame_shape[1], frame_shape[0]), self.display_size)
        scale = min(1.0, LIVE_REFINE_EDGE / max(w, h))
        return max(1, round(w * scale)), max(1, round(h * scale))

    def make_matte(self, frame: np.ndarray, scene: Scene) -> LiveMatte:
        """The live matte for one BGR camera frame (the segment thread's work).

        When nothing in the picture moved since the current matte was made,
        its alpha had settled, the segmenter is not learning and the scene is
        the same, the current matte still holds and is returned as it is (for
        at most HOLD_SECONDS): an empty, still room then costs one resize per
        frame instead of a segmentation.
        """
        watch = _Stopwatch(self.times)
        rect = matte.cover_rect((frame.shape[1], frame.shape[0]), self.display_size)
        work_w, work_h = self.refine_size(frame.shape)
        work = np.empty((work_h, work_w, 3), np.uint8)  # new each time: it is published
        matte.fit_rgb(frame, rect, self.mirror_preview, work, self._segment_buffers)
        small = matte.small_copy(work, self.preview_size)
        watch.lap("prepare")
        held = self._matte
        if (held is not None and held.scene == scene
                and self._clock() - held.made < HOLD_SECONDS
                and self._segmenter.status() is None and self._smoother.holds(small)):
            return held
        alpha = self._segmenter.segment(cv2.cvtColor(small, cv2.COLOR_RGB2BGR))
        watch.lap("segment")
        # Smoothed at the model's size (as `booth eval` measures it): 4x fewer pixels.
        alpha = cv2.resize(self._smoother.update(alpha, small), (work_w, work_h),
                           interpolation=cv2.INTER_LINEAR)
        watch.lap("smooth")
        coef_a, coef_b, reach = self._coefficients(alpha, matte.gray(work, rgb=True), work_w)
        solid = float(alpha.min()) >= 0.999
        box = matte.person_box(alpha, reach)
        watch.lap("refine")
        wrap_u8, lut = None, None
        if not solid and self.settings.light_wrap > 0:
            wrap_u8 = matte.quantise(matte.light_wrap_weight(alpha, self.settings.light_wrap))
        if not solid and self.settings.color_match > 0:
            lut = self._color_lut(work, alpha, scene)
        if wrap_u8 is not None or lut is not None:
            watch.lap("looks")
        self.mattes += 1
        return LiveMatte(coef_a, coef_b, solid, box, wrap_u8, lut, work, self.mattes, scene,
                         self._clock(), foreground_rgb(self._segmenter))

    def _coefficients(self, alpha: np.ndarray, guide_u8: np.ndarray, full_width: int
                      ) -> tuple[np.ndarray, np.ndarray, int]:
        """(a, b, reach): the model ``alpha_u8 ~ a * grey + b`` and how far it spreads.

        With refine on, the guided filter's coefficients; off, the alpha itself
        as ``b``.  ``reach`` is how many pixels beyond the non-zero alpha a and
        b may be non-zero.
        """
        if self.settings.refine:
            radius = matte.refine_radius(alpha.shape[1], max(full_width, self.display_size[0]),
                                         REFINE_RADIUS)
            return (*matte.guided_coefficients(alpha, guide_u8, radius, REFINE_EPS),
                    2 * radius + 2)
        return np.zeros_like(alpha), alpha * 255.0, 2

    def _color_lut(self, work_rgb: np.ndarray, alpha: np.ndarray, scene: Scene) -> np.ndarray:
        """Colour-match table for this frame, person statistics smoothed over mattes."""
        # Every 4th pixel each way: plenty for a mean and a spread, 16x cheaper.
        person = matte.channel_stats(work_rgb[::4, ::4], alpha[::4, ::4])
        if self._person_stats is not None:
            k = COLOR_STATS_KEEP
            (old_mean, old_std), (mean, std) = self._person_stats, person
            person = (k * old_mean + (1 - k) * mean, k * old_std + (1 - k) * std)
        self._person_stats = person
        if scene.kind == "blur":
            target = matte.channel_stats(work_rgb[::4, ::4])
        else:
            cache = self._scene_rgb(scene)
            if cache is None:
                target = person
            else:
                if cache.stats is None:
                    cache.stats = matte.channel_stats(matte.small_copy(cache.rgb, 160))
                target = cache.stats
        return matte.color_match_lut(person, target, self.settings.color_match)

    # -- scenes -------------------------------------------------------------
    def _scene_rgb(self, scene: Scene) -> SceneCache | None:
        """The image scene ``scene`` at display size in RGB, converted once; None for others."""
        if scene.kind != "image":
            return None
        width, height = self.display_size
        # The deck only looks at the shape of the frame for image scenes.
        fitted = self.deck.background(scene, self._outputs[0])
        assert fitted is not None and fitted.shape[:2] == (height, width)
        with self._lock:
            cache = self._scenes.get(scene.name)
            if cache is None or cache.source is not fitted:  # new, or the file changed
                cache = SceneCache(fitted, cv2.cvtColor(fitted, cv2.COLOR_BGR2RGB))
                self._scenes[scene.name] = cache
        return cache

    def _background(self, scene: Scene, live: LiveMatte
                    ) -> tuple[np.ndarray, np.ndarray | None, int]:
        """(display-size RGB background, its light-wrap glow or None, content version).

        The version changes whenever the array's pixels do (the blur scene,
        once per matte); image scenes keep theirs.
        """
        cache = self._scene_rgb(scene)
        wrap = live.wrap_u8 is not None
        if cache is not None:
            if wrap and cache.glow is None:
                cache.glow = matte.scene_glow(cache.rgb)
            return cache.rgb, cache.glow if wrap else None, 0
        # 'blur': the room itself, blurred small by the deck and resized once per matte.
        if self._blur_scene is None or self._blur_scene[0] != live.seq:
            width, height = self.display_size
            out = self._blur_scene[1] if self._blur_scene else np.empty((height, width, 3),
                                                                        np.uint8)
            blurred = self.deck.background(scene, live.small_rgb)
            assert blurred is not None
            self._blur_scene = (live.seq, matte.resize_into(blurred, out))
        blurred = self._blur_scene[1]
        return blurred, blurred if wrap else None, live.seq  # already as soft as a glow

    # -- the composite thread ---------------------------------------------
    def _composite_loop(self) -> None:
        last: np.ndarray | None = None
        while not self._stop.is_set():
            # Compose no faster than the render thread shows (a composite nobody
            # picks up is wasted CPU), and not at all while a photo is being made:
            # on two cores the shutter-to-review time matters more than a frame.
            self._taken.wait(TAKE_TIMEOUT)
            frame = self.source.read()
            if frame is None or frame is last or self._photo_pending.is_set():
                self._stop.wait(IDLE_WAIT)
                continue
            last = frame
            try:
                with self._lock:
                    live = self._matte
                self._publish(self.compose(frame, self.deck.current, live,
                                           self._outputs[self.published % OUTPUT_BUFFERS]))
            except Exception:  # a bug must not stop the live view for good
                self._log_bug("live frame failed")
                self._stop.wait(0.1)

    def _publish(self, rgb: np.ndarray) -> None:
        with self._lock:
            self._taken.clear()
            seq = self._latest.seq + 1 if self._latest else 1
            self._latest = Composite(rgb, seq)
            self.published += 1
            self._published.notify_all()

    def compose(self, frame: np.ndarray, scene: Scene, live: LiveMatte | None,
                out: np.ndarray) -> np.ndarray:
        """One live frame: ``frame`` (BGR) over ``scene`` with matte ``live``, into ``out`` (RGB).

        Without a matte yet, or for the 'none' scene, the camera is shown as it is.
        Only the box around the person is refined and blended; the rest is the scene.
        """
        watch = _Stopwatch(self.times)
        buffers = self._buffers
        rect = matte.cover_rect((frame.shape[1], frame.shape[0]), self.display_size)
        if live is None or live.solid or not scene.replaces_background:
            self._painted.pop(id(out), None)
            matte.fit_rgb(frame, rect, self.mirror_preview, out, buffers)
            watch.lap("fit")
            watch.total("compose")
            return out
        background, glow, version = self._background(scene, live)
        roi = self._roi(live.box)
        self._paint_background(out, background, version, roi)
        if roi is None:  # nobody in the picture
            watch.total("compose")
            return out
        x0, y0, x1, y1 = roi
        box = (x0 / out.shape[1], y0 / out.shape[0], x1 / out.shape[1], y1 / out.shape[0])
        view = matte.fit_rgb(frame, rect, self.mirror_preview,
                             buffers.get("view", (y1 - y0, x1 - x0, 3)), buffers, box)
        if live.lut is not None:
            cv2.LUT(view, live.lut, dst=view)
        if live.foreground is not None:
            view[:] = live.foreground(view)
        watch.lap("fit")
        alpha = self._display_alpha(live, view, box)
        watch.lap("alpha")
        if glow is not None and live.wrap_u8 is not None:
            wrap = matte.resize_region(live.wrap_u8, box, buffers.get("wrap", alpha.shape))
            matte.blend(glow[y0:y1, x0:x1], view, wrap, view, buffers)
            watch.lap("wrap")
        matte.blend(view, background[y0:y1, x0:x1], alpha, out[y0:y1, x0:x1], buffers)
        watch.lap("blend")
        watch.total("compose")
        return out

    def _paint_background(self, out: np.ndarray, background: np.ndarray, version: int,
                          roi: matte.Rect | None) -> None:
        """Make ``out`` the background everywhere but ``roi``, copying as little as possible.

        Each output array remembers what it shows: if that is this background,
        only the part of the box blended into it last time that the new box
        leaves out is restored (usually a sliver, where a 1080p copy is ~1 ms
        of memory traffic per frame).
        """
        painted = self._painted.get(id(out))
        if painted is None or painted[0] is not background or painted[1] != version:
            np.copyto(out, background)
        elif painted[2] is not None:
            # The new box is blended over anyway: restore only what it leaves out.
            stale = [painted[2]] if roi is None else matte.rect_difference(painted[2], roi)
            for x0, y0, x1, y1 in stale:
                out[y0:y1, x0:x1] = background[y0:y1, x0:x1]
        self._painted[id(out)] = (background, version, roi)

    def _roi(self, box: matte.Box | None) -> matte.Rect | None:
        """The display pixels (x0, y0, x1, y1) under ``box``, on a ROI_ALIGN grid; None if empty."""
        if box is None:
            return None
        width, height = self.display_size
        x0, y0 = (int(f * n) // ROI_ALIGN * ROI_ALIGN for f, n in zip(box[:2], (width, height),
                                                                      strict=True))
        x1, y1 = (min(n, -(-int(np.ceil(f * n)) // ROI_ALIGN) * ROI_ALIGN)
                  for f, n in zip(box[2:], (width, height), strict=True))
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    def _display_alpha(self, live: LiveMatte, view: np.ndarray, box: matte.Box) -> np.ndarray:
        """uint8 alpha for ``view`` (the display pixels under ``box``), feathered.

        The matte is applied to a grey guide at LIVE_GUIDE_EDGE resolution at
        most, then resized: finer than that the upsampling and the feather
        blur away any difference, at a quarter of the cost.
        """
        buffers = self._buffers
        height, width = view.shape[:2]
        scale = min(1.0, LIVE_GUIDE_EDGE / max(self.display_size))
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        grey = matte.gray(view, buffers.get("grey", (height, width)), rgb=True)
        guide = grey if scale == 1.0 else cv2.resize(
            grey, size, dst=buffers.get("guide", (size[1], size[0])),
            interpolation=matte.shrink_interpolation(scale))
        alpha = matte.apply_coefficients(live.coef_a, live.coef_b, guide,
                                         buffers.get("alpha_guide", guide.shape), buffers, box)
        pixels = self.settings.feather * scale
        if pixels >= 0.5:  # narrower than half a guide pixel: the upsampling does it
            alpha = matte.feather(alpha, pixels, out=buffers.get("alpha_soft", guide.shape))
        if scale == 1.0:
            return alpha
        return cv2.resize(alpha, (width, height), dst=buffers.get("alpha", (height, width)),
                          interpolation=cv2.INTER_LINEAR)

    # -- photos (on the segment thread) -------------------------------------
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
        """Full-resolution BGR composite with the best matte this segmenter gives.

        Unlike the live view: the segmenter sees a larger frame, the guided
        filter is fitted at twice the live resolution and applied to the full
        frame, and nothing is reused from earlier frames.
        """
        watch = _Stopwatch(self.times)
        if self.mirror_photo:
            frame = cv2.flip(frame, 1)
        background = self.deck.background(scene, frame)
        if background is None:
            return frame.copy()
        height, width = frame.shape[:2]
        work = matte.small_copy(frame, PHOTO_REFINE_EDGE)
        small = matte.small_copy(work, max(PHOTO_SEGMENT_EDGE, self.preview_size))
        alpha = self._segmenter.segment(small)
        alpha = cv2.resize(alpha.astype(np.float32, copy=False), (work.shape[1], work.shape[0]),
                           interpolation=cv2.INTER_LINEAR)
        radius = matte.refine_radius(work.shape[1], width, REFINE_RADIUS * height / 1080)
        coef_a, coef_b = matte.guided_coefficients(alpha, matte.gray(work), radius, REFINE_EPS)
        buffers = matte.Buffers()
        alpha_u8 = matte.apply_coefficients(coef_a, coef_b, matte.gray(frame),
                                            np.empty((height, width), np.uint8), buffers)
        alpha_u8 = matte.feather(alpha_u8, self.settings.feather * height / 1080)
        clean = getattr(self._segmenter, "foreground", None)
        person = clean(frame) if clean is not None else frame
        if self.settings.color_match > 0:
            target = matte.channel_stats(matte.small_copy(background, 160))
            lut = matte.color_match_lut(matte.channel_stats(work, alpha), target,
                                        self.settings.color_match)
            person = cv2.LUT(person, lut)
        if self.settings.light_wrap > 0:
            wrap = matte.quantise(matte.light_wrap_weight(alpha, self.settings.light_wrap))
            wrap = cv2.resize(wrap, (width, height), interpolation=cv2.INTER_LINEAR)
            glow = background if scene.kind == "blur" else matte.scene_glow(background)
            person = matte.blend(glow, person, wrap, np.empty_like(frame), buffers)
        out = matte.blend(person, background, alpha_u8, np.empty_like(frame), buffers)
        watch.total("photo")
        return out
