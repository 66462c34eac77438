"""Frame sources: webcam, video file (looped), image folder, synthetic demo.

Every source is read by its own capture thread (:class:`LiveSource`) that keeps
only the newest frame, so a photo is never taken from a stale buffered frame
(other booths fire the shutter two seconds after "smile").  The camera is
touched here and nowhere else.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

log = logging.getLogger(__name__)

STILL_AWAY_LOG_SECONDS = 30.0  # while a camera is unplugged, say so this often in the log
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp")
VIDEO_SUFFIXES = (".avi", ".mp4", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv")


class SourceError(Exception):
    """A source cannot be opened; the message is one sentence for the operator."""


class FrameSource(Protocol):
    def read(self) -> np.ndarray | None:
        """Newest frame, HxWx3 uint8 BGR; None = no frame yet or the source is lost."""
        ...

    def close(self) -> None: ...


class Reader(Protocol):
    """A blocking frame reader, driven by LiveSource's thread."""

    fps: float  # nominal frames per second, for pacing files
    paced: bool  # LiveSource sleeps between grabs to play at ``fps``
    may_repeat: bool  # identical consecutive frames are normal (files), not a frozen camera

    def grab(self) -> np.ndarray | None:
        """Next frame (blocking); None = failed this time."""
        ...

    def close(self) -> None: ...


class CameraReader:
    """A webcam by index through OpenCV, with the requested size and rate applied."""

    paced = False  # the device itself delivers at its own rate
    may_repeat = False  # identical frames from a camera mean it froze

    def __init__(self, index: int, width: int, height: int, fps: int) -> None:
        self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            raise SourceError(f"camera {index} cannot be opened (is it plugged in and free?)")
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._cap.set(cv2.CAP_PROP_FPS, fps)
        # Keep the driver's queue short: we want the newest frame, not a backlog.
        self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self.fps = self._cap.get(cv2.CAP_PROP_FPS) or float(fps)

    def grab(self) -> np.ndarray | None:
        ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        self._cap.release()


class VideoReader:
    """A video file, looped forever, paced at its own frame rate by LiveSource."""

    paced = True
    may_repeat = True

    def __init__(self, path: Path) -> None:
        self._path = path
        self._cap = cv2.VideoCapture(str(path))
        # Two frames: FFmpeg also opens a still image (a PNG named .avi) as a
        # one-frame "video", which could never loop.
        self._pending = [f for f in (self._read() for _ in range(2)) if f is not None]
        if len(self._pending) < 2:
            self._cap.release()
            what = "a single image, not a video" if self._pending else \
                "not a video OpenCV can read"
            raise SourceError(f"{path} is {what}")
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1 <= fps <= 240 else 25.0

    def _read(self) -> np.ndarray | None:
        ok, frame = self._cap.read() if self._cap.isOpened() else (False, None)
        return frame if ok else None

    def grab(self) -> np.ndarray | None:
        if self._pending:
            return self._pending.pop(0)
        ok, frame = self._cap.read()
        if not ok:  # end of file: loop
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        self._cap.release()


class FolderReader:
    """A folder of still images, each shown for ``seconds``, cycled."""

    paced = True
    may_repeat = True

    def __init__(self, folder: Path, seconds: float = 3.0, fps: float = 15.0) -> None:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        self._frames = [f for f in (cv2.imread(str(p)) for p in files) if f is not None]
        if not self._frames:
            raise SourceError(f"{folder} holds no readable images ({', '.join(IMAGE_SUFFIXES)})")
        self.fps = fps
        self._per_image = max(1, round(seconds * fps))
        self._count = 0

    def grab(self) -> np.ndarray | None:
        frame = self._frames[(self._count // self._per_image) % len(self._frames)]
        self._count += 1
        return frame.copy()

    def close(self) -> None:
        self._frames.clear()


class DemoReader:
    """A synthetic room with a figure, so the booth runs with no camera.

    The room is empty for ``empty_seconds`` (so a plate segmenter can learn it,
    as guests would step aside at an event), then the figure walks in and sways.
    """

    paced = True
    may_repeat = True

    def __init__(self, width: int, height: int, fps: float = 30.0,
                 empty_seconds: float = 2.0) -> None:
        self.fps = fps
        self._size = (width, height)
        self._room = _demo_room(width, height)
        self._empty = empty_seconds
        self._t = 0

    def grab(self) -> np.ndarray | None:
        w, h = self._size
        frame = self._room.copy()
        seconds = self._t / self.fps - self._empty
        self._t += 1
        if seconds < 0:
            return frame
        walk_in = min(1.0, seconds / 1.5)  # from beyond the left edge to the middle
        cx = int(w * (-0.2 + 0.7 * walk_in + 0.12 * np.sin(seconds * 0.8) * walk_in))
        _draw_figure(frame, cx, seconds)
        return frame

    def close(self) -> None:
        pass


def _draw_figure(frame: np.ndarray, cx: int, seconds: float) -> None:
    """Draw a waving figure centred at x = ``cx`` onto ``frame`` (in place)."""
    h = frame.shape[0]
    head = max(8, h // 9)
    skin, shirt, hair = (140, 170, 225), (60, 90, 200), (40, 50, 70)
    cv2.ellipse(frame, (cx, int(h * 0.98)), (int(head * 2.6), int(h * 0.42)), 0, 180, 360,
                shirt, -1, cv2.LINE_AA)
    cv2.rectangle(frame, (cx - head // 3, int(h * 0.42)), (cx + head // 3, int(h * 0.58)),
                  skin, -1)
    cv2.ellipse(frame, (cx, int(h * 0.36)), (int(head * 0.85), head), 0, 0, 360, skin, -1,
                cv2.LINE_AA)
    cv2.ellipse(frame, (cx, int(h * 0.30)), (int(head * 0.9), int(head * 0.7)), 0, 180, 360,
                hair, -1, cv2.LINE_AA)
    for side in (-1, 1):  # eyes
        cv2.circle(frame, (cx + side * head // 3, int(h * 0.35)), max(2, head // 10), hair, -1,
                   cv2.LINE_AA)
    cv2.ellipse(frame, (cx, int(h * 0.40)), (head // 3, head // 6), 0, 0, 180, (60, 60, 150),
                max(2, head // 14), cv2.LINE_AA)
    wave = int(head * 1.5 * np.sin(seconds * 2.0))
    cv2.line(frame, (cx + int(head * 2.2), int(h * 0.72)),
             (cx + int(head * 3.2), int(h * 0.45) + wave), shirt, max(4, head // 2),
             cv2.LINE_AA)


def _demo_room(width: int, height: int) -> np.ndarray:
    """An office-like wall and floor, HxWx3 uint8 BGR."""
    ramp = np.linspace(0.85, 1.0, height, dtype=np.float32)[:, None, None]
    room = (np.array([200, 205, 210], np.float32) * ramp).astype(np.uint8)
    room = np.repeat(room, width, axis=1)
    floor = int(height * 0.8)
    room[floor:] = (120, 130, 140)
    cv2.rectangle(room, (int(width * 0.06), int(height * 0.15)),
                  (int(width * 0.28), int(height * 0.5)), (150, 120, 80), -1)
    cv2.rectangle(room, (int(width * 0.75), int(height * 0.1)),
                  (int(width * 0.95), int(height * 0.8)), (90, 110, 130), -1)
    return room


def open_reader(spec: str, width: int, height: int, fps: int) -> Reader:
    """Reader for a source spec: webcam index, video file, image folder or 'demo'."""
    if spec == "demo":
        return DemoReader(width, height)
    if spec.isdigit():
        return CameraReader(int(spec), width, height, fps)
    path = Path(spec).expanduser()
    if path.is_dir():
        return FolderReader(path)
    if path.is_file():
        if path.suffix.lower() in IMAGE_SUFFIXES:
            raise SourceError(f"{path} is a single image; use a folder of images or a video")
        return VideoReader(path)
    raise SourceError(
        f"camera source {spec!r} is neither a webcam index (0, 1, ...), an existing "
        "video file or image folder, nor 'demo'"
    )


class LiveSource:
    """Runs a Reader in a capture thread and hands out the newest frame only.

    If the reader fails, stops delivering, or the frames freeze for
    ``stall_seconds``, the reader is closed and reopened with backoff; meanwhile
    :meth:`status` says so and :meth:`read` returns None.
    """

    def __init__(self, opener: Callable[[], Reader], stall_seconds: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._opener = opener
        self._stall = stall_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._frame: np.ndarray | None = None
        self._status: str | None = "starting camera"
        self._stop = threading.Event()
        self.frames = 0  # frames delivered so far
        self.reconnects = 0
        reader = opener()  # the first open raises SourceError to the caller
        self._thread = threading.Thread(target=self._run, args=(reader,), name="capture",
                                        daemon=True)
        self._thread.start()

    def read(self) -> np.ndarray | None:
        with self._lock:
            return self._frame

    def status(self) -> str | None:
        """'camera reconnecting' while lost, None while frames flow."""
        with self._lock:
            return self._status

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def _publish(self, frame: np.ndarray | None, status: str | None) -> None:
        with self._lock:
            self._frame = frame
            self._status = status
            if frame is not None:
                self.frames += 1

    def _run(self, reader: Reader) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            try:
                for _ in self._frames(reader):
                    backoff = 0.1
            except Exception:  # a driver error must not kill the thread
                log.exception("camera source failed")
            reader.close()
            if self._stop.is_set():
                return
            self._publish(None, "camera reconnecting")
            log.warning("camera lost; reopening in %.1f s", backoff)
            lost_at = last_told = self._clock()
            while not self._stop.wait(backoff):
                try:
                    reader = self._opener()
                    self.reconnects += 1
                    log.info("camera back after %.1f s away", self._clock() - lost_at)
                    break
                except Exception as exc:
                    if self._clock() - last_told >= STILL_AWAY_LOG_SECONDS:
                        last_told = self._clock()
                        log.warning("camera still away after %.0f s: %s", last_told - lost_at,
                                    exc)
                    backoff = min(backoff * 2, 1.0)

    def _frames(self, reader: Reader) -> Iterator[None]:
        """Publish frames until the reader fails or stalls; yields after each frame."""
        period = 1.0 / reader.fps if reader.paced else 0.0
        last_change = self._clock()
        previous: np.ndarray | None = None
        next_due = self._clock()
        while not self._stop.is_set():
            frame = reader.grab()
            now = self._clock()
            if frame is None:
                if now - last_change > self._stall:
                    return
                continue
            if previous is None or not _same(frame, previous) or reader.may_repeat:
                last_change = now
            elif now - last_change > self._stall:
                log.warning("camera frames frozen for %.1f s", now - last_change)
                return
            previous = frame
            self._publish(frame, None)
            yield None
            if period:
                next_due = max(next_due + period, now - period)
                self._stop.wait(max(0.0, next_due - self._clock()))


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Cheap frozen-frame test on a sparse sample of pixels."""
    return a.shape == b.shape and np.array_equal(a[::37, ::41], b[::37, ::41])


def open_source(spec: str, width: int = 1920, height: int = 1080, fps: int = 30,
                stall_seconds: float = 2.0) -> LiveSource:
    """Open ``spec`` and start its capture thread; SourceError if it cannot be opened."""
    return LiveSource(lambda: open_reader(spec, width, height, fps), stall_seconds)
