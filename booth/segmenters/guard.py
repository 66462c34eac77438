"""FallbackSegmenter: a segmenter that never takes the booth down with it.

It wraps the configured segmenter and walks a fallback chain (e.g. ``mediapipe ->
plate -> none``): a segmenter that cannot load (missing model) is skipped at
once; one that raises on a few frames in a row is closed and replaced by the
next.  Every failure is logged with its traceback, every switch with one line,
and for a while :meth:`status` carries a notice for the screen.  A failing frame
gets the last good alpha (or a fully opaque one), so the live view never stops.
This is a wrapper, not a family: it is not in the registry.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from booth.segmenters import Segmenter, SegmenterError
from booth.segmenters.none import NoneSegmenter

log = logging.getLogger(__name__)

# Consecutive failing frames before giving a segmenter up: one bad frame is a
# fluke, a few in a row is a broken model or driver.
MAX_FAILURES = 3
NOTICE_SECONDS = 10.0  # how long the "X failed: using Y" notice stays on screen
# Once the chain is exhausted, a still-failing last segmenter is logged at most
# this often (seconds), so a broken model cannot fill the disk with tracebacks.
REPEAT_LOG_SECONDS = 60.0


class FallbackSegmenter:
    """The first segmenter of ``chain`` that loads and keeps working (Segmenter protocol).

    ``factory(name)`` makes one segmenter and raises SegmenterError when it cannot
    (``booth.segmenters.create`` with that segmenter's options).  Raises
    SegmenterError, naming every reason, when no segmenter of the chain loads.
    """

    def __init__(self, chain: Sequence[str], factory: Callable[[str], Segmenter], *,
                 max_failures: int = MAX_FAILURES, notice_seconds: float = NOTICE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._chain = list(dict.fromkeys(chain))  # a name twice would only fail twice
        self._factory = factory
        self._max_failures = max_failures
        self._notice_seconds = notice_seconds
        self._clock = clock
        self._lock = threading.Lock()  # status() runs on the render thread
        self._position = -1  # index in the chain of the segmenter in use
        self._failures = 0  # consecutive failing frames of the one in use
        self._last_alpha: np.ndarray = NoneSegmenter.ONE
        self._last_logged = -1e9
        self._notice: tuple[str, float] | None = None  # (text, since)
        self.problems: list[str] = []  # one sentence per segmenter given up, oldest first
        self._current = self._load_next(None)

    # -- the Segmenter protocol --------------------------------------------
    @property
    def name(self) -> str:
        """The name of the segmenter actually in use."""
        return self._current.name

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        """The current segmenter's alpha (float32 [0, 1], any size); never raises.

        A failing frame gets the last good alpha, or a 1x1 opaque one.
        """
        current = self._current
        try:
            alpha = current.segment(frame_bgr)
        except Exception as exc:  # model or driver code: anything can happen
            self._failed(current, exc)
            return self._last_alpha
        self._failures = 0
        self._last_alpha = alpha
        return alpha

    def status(self) -> str | None:
        """The fallback notice for a while after a switch, else the segmenter's own status."""
        with self._lock:
            notice, current = self._notice, self._current
        if notice is not None and self._clock() - notice[1] < self._notice_seconds:
            return notice[0]
        return current.status()

    def reset(self) -> None:
        self._current.reset()

    @property
    def foreground(self) -> Callable[[np.ndarray], np.ndarray]:
        """The optional ``foreground(frame_bgr) -> frame_bgr`` hook of the segmenter in use.

        AttributeError when that segmenter has none, so ``getattr(s, "foreground",
        None)`` sees through the wrapper.  The hook returned follows later
        fallbacks, and a failing call counts as a failing frame and returns the
        frame unchanged: slightly greenish hair beats no picture.
        """
        if not hasattr(self._current, "foreground"):
            raise AttributeError("foreground")
        return self._foreground

    def _foreground(self, frame_bgr: np.ndarray) -> np.ndarray:
        current = self._current
        hook = getattr(current, "foreground", None)
        if hook is None:
            return frame_bgr
        try:
            return hook(frame_bgr)
        except Exception as exc:  # segmenter code: anything can happen
            self._failed(current, exc)
            return frame_bgr

    def close(self) -> None:
        _close_quietly(self._current)

    # -- falling back ----------------------------------------------------------
    def _failed(self, current: Segmenter, exc: Exception) -> None:
        """Count one failing frame; log it; move down the chain after too many."""
        self._failures += 1
        last = self._position == len(self._chain) - 1
        now = self._clock()
        if not last or now - self._last_logged >= REPEAT_LOG_SECONDS:
            self._last_logged = now
            log.error("segmenter %s failed on a frame (%d in a row)", current.name,
                      self._failures, exc_info=exc)
        if self._failures < self._max_failures or last:
            return
        self.problems.append(f"{current.name} failed {self._failures} frames in a row: {exc}")
        _close_quietly(current)
        try:
            self._current = self._load_next(current.name)
        except SegmenterError:
            log.error("no segmenter left to fall back to; showing the camera unchanged")
            self._current = NoneSegmenter()
            self._announce(current.name, self._current.name)
        self._failures = 0

    def _load_next(self, failed: str | None) -> Segmenter:
        """The next segmenter down the chain that loads; SegmenterError when none does."""
        while self._position + 1 < len(self._chain):
            self._position += 1
            candidate = self._chain[self._position]
            try:
                segmenter = self._factory(candidate)
            except SegmenterError as exc:
                self.problems.append(f"{candidate} cannot load: {exc}")
                log.warning("segmenter %s unavailable: %s", candidate, exc)
                failed = failed or candidate
                continue
            if failed is not None:
                self._announce(failed, segmenter.name)
            return segmenter
        raise SegmenterError("no segmenter could be loaded: " + "; ".join(self.problems))

    def _announce(self, failed: str, using: str) -> None:
        # The app shows "<name>: <status>", so this reads "none: fallback after mediapipe failed".
        log.warning("segmenter %s failed: using %s", failed, using)
        with self._lock:
            self._notice = (f"fallback after {failed} failed", self._clock())


def _close_quietly(segmenter: Segmenter) -> None:
    """Close a segmenter that is being given up; its own failure must not spread."""
    try:
        segmenter.close()
    except Exception:
        log.exception("closing segmenter %s failed", segmenter.name)
