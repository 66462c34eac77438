"""Faults injected into the real app loop: camera, segmenter, bugs, full disk.

The booth is built from a generated video as in test_app; then a part is
swapped for one that fails on command.  Each test checks what the guest sees
(status line, failsafe card) and that the booth gets back to Live by itself.
"""

from __future__ import annotations

import errno
import logging
import os
import time
from pathlib import Path

import numpy as np
import pygame
import pytest

from booth import app as booth_app
from booth import segmenters, states
from booth.segmenters import SegmenterBase, SegmenterError
from booth.segmenters.guard import NOTICE_SECONDS, FallbackSegmenter
from booth.sources import LiveSource, SourceError, open_reader
from tests.conftest import FakeClock
from tests.test_app import make_config, press, run_until

RESUME_SECONDS = 2.0  # the promise: live again within 2 s of the camera's return


def start(config) -> booth_app.BoothApp:
    """Build the real app with a fake clock and wait for its first live frame."""
    clock = FakeClock()
    app, server = booth_app.build(config, clock=clock)
    app.fake_clock, app.server = clock, server
    run_until(app, lambda: app.pipeline.latest() is not None)
    return app


def stop(app: booth_app.BoothApp) -> None:
    app.close()
    if app.server is not None:
        app.server.stop()
    pygame.quit()


@pytest.fixture
def booth(tmp_path: Path, tiny_video: Path):
    app = start(make_config(tmp_path, tiny_video))
    yield app
    stop(app)


def seq(app: booth_app.BoothApp) -> int:
    latest = app.pipeline.latest()
    return latest.seq if latest else 0


# -- camera -----------------------------------------------------------------------------------
class Camera:
    """A USB camera on a video file: ``fault`` None = plugged in, else how it fails."""

    def __init__(self, video: Path) -> None:
        self.video = video
        self.fault: str | None = None

    def open(self) -> FaultyReader:
        if self.fault is not None:
            raise SourceError("camera 0 cannot be opened (is it plugged in and free?)")
        return FaultyReader(self, open_reader(str(self.video), 320, 240, 25))


class FaultyReader:
    """Frames of the video until the camera's fault is set: then raise, nothing, or frozen."""

    paced = True
    may_repeat = False  # a camera: identical frames mean it froze

    def __init__(self, camera: Camera, inner) -> None:
        self.camera = camera
        self.inner = inner
        self.fps = inner.fps
        self.count = 0
        self.last: np.ndarray | None = None

    def grab(self) -> np.ndarray | None:
        fault = self.camera.fault
        if fault == "raise":
            raise OSError("USB device disconnected")
        if fault == "none":
            time.sleep(0.02)  # a real driver blocks a moment before giving up
            return None
        if fault == "freeze" and self.last is not None:
            return self.last
        frame = self.inner.grab().copy()
        # Sensor noise: a real camera's consecutive frames always differ a little.
        self.count += 1
        frame[0, 0, 0] = self.count % 256
        self.last = frame
        return frame

    def close(self) -> None:
        self.inner.close()


def swap_source(app: booth_app.BoothApp, source: LiveSource) -> None:
    """Put ``source`` where build() put the configured one (app and pipeline)."""
    old = app.source
    app.source = app.pipeline.source = source
    old.close()


@pytest.mark.parametrize("fault", ["raise", "none", "freeze"])
def test_camera_fault_says_reconnecting_and_resumes_within_2_s(booth, tiny_video: Path,
                                                               fault: str) -> None:
    camera = Camera(tiny_video)
    swap_source(booth, LiveSource(camera.open, stall_seconds=0.5))
    before = seq(booth)
    run_until(booth, lambda: seq(booth) > before + 3)
    camera.fault = fault  # unplugged (or frozen): reopening fails until it is back
    run_until(booth, lambda: booth.status() == "Camera reconnecting…", timeout=5)
    assert booth.view(booth.fake_clock()).status == "Camera reconnecting…"
    assert booth.state.name == "live"  # the booth itself carries on
    lost = seq(booth)
    camera.fault = None  # plugged back in
    back = time.monotonic()
    run_until(booth, lambda: booth.status() is None and seq(booth) > lost, timeout=5)
    assert time.monotonic() - back < RESUME_SECONDS
    assert booth.source.reconnects >= 1


# -- segmenter --------------------------------------------------------------------------------
class Exploding(SegmenterBase):
    """A segmenter that works for ``good`` frames, then raises on every frame."""

    name = "exploding"

    def __init__(self, good: int = 3) -> None:
        self.good = good
        self.closed = False

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        if self.good <= 0:
            raise RuntimeError("inference engine fell over")
        self.good -= 1
        return np.full((4, 4), 0.25, np.float32)

    def close(self) -> None:
        self.closed = True


def missing_model(options: dict) -> Exploding:
    raise SegmenterError("model not found: /models/gone.tflite")


def test_fallback_segmenter_walks_the_chain_with_a_notice(caplog) -> None:
    clock = FakeClock()
    made: list[Exploding] = []

    def factory(name: str):
        if name == "missing":
            missing_model({})
        made.append(Exploding(good=1 if name == "exploding" else 10**6))
        made[-1].name = name
        return made[-1]

    guard = FallbackSegmenter(["exploding", "missing", "steady"], factory, clock=clock)
    frame = np.zeros((8, 8, 3), np.uint8)
    good = guard.segment(frame)
    assert guard.name == "exploding" and guard.status() is None
    for _ in range(3):  # failing frames get the last good alpha, never an exception
        assert guard.segment(frame) is good
    assert guard.name == "steady" and made[0].closed
    assert guard.status() == "fallback after exploding failed"
    assert "missing cannot load: model not found" in " ".join(guard.problems)
    tracebacks = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert len(tracebacks) == 3 and "exploding failed on a frame" in tracebacks[0].getMessage()
    assert "segmenter exploding failed: using steady" in caplog.text
    clock.advance(NOTICE_SECONDS + 1)
    assert guard.status() is None


def test_failing_last_segmenter_shows_the_camera_and_never_raises() -> None:
    guard = FallbackSegmenter(["exploding"], lambda name: Exploding(good=0))
    frame = np.zeros((8, 8, 3), np.uint8)
    for _ in range(10):
        alpha = guard.segment(frame)
        assert alpha.dtype == np.float32 and alpha.min() == 1.0  # fully opaque
    with pytest.raises(SegmenterError, match="no segmenter could be loaded"):
        FallbackSegmenter(["missing"], lambda name: missing_model({}))


def test_failing_segmenter_in_the_app_falls_back_and_the_booth_keeps_going(
        tmp_path: Path, tiny_video: Path, monkeypatch, caplog) -> None:
    monkeypatch.setitem(segmenters._REGISTRY, "exploding", lambda options: Exploding())
    monkeypatch.setitem(segmenters._REGISTRY, "missing", missing_model)
    config = make_config(tmp_path, tiny_video, segmenter="exploding")
    config.segmenter.fallback = ["missing", "none"]
    app = start(config)
    try:
        run_until(app, lambda: app.pipeline.segmenter.name == "none", timeout=5)
        assert app.status() == "none: fallback after exploding failed"
        assert "segmenter exploding failed: using none" in caplog.text
        assert any(r.exc_info and "exploding" in r.getMessage() for r in caplog.records)
        before = seq(app)
        run_until(app, lambda: seq(app) > before + 3)  # the live view goes on
        assert app.state.name == "live"
    finally:
        stop(app)


# -- bugs in the loop: the failsafe screen -----------------------------------------------------
def fails_once(monkeypatch, owner, name: str) -> None:
    """Make ``owner.name`` raise a bug the first time it is called, then work again."""
    original = getattr(owner, name)
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ZeroDivisionError("a bug nobody saw coming")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, broken)


def assert_failsafe_then_live(app: booth_app.BoothApp, caplog) -> None:
    """The bug was logged with its traceback, the failsafe card shows, then Live again."""
    assert app.state.name == "failsafe"
    assert app.view(app.fake_clock()).failsafe  # a friendly sentence, not a traceback
    assert any(r.levelno >= logging.ERROR and r.exc_info for r in caplog.records)
    drawn = []
    original = app.screen.draw
    app.screen.draw = lambda target, view: (drawn.append(view.failsafe), original(target, view))
    app.step()
    assert drawn[-1], "the failsafe card is drawn"
    app.fake_clock.advance(app.timing.failsafe + 0.1)
    app.step()
    assert app.state.name == "live" and app.running


def test_a_bug_in_a_state_shows_the_failsafe_screen_then_live(booth, monkeypatch,
                                                              caplog) -> None:
    fails_once(monkeypatch, states.Live, "tick")
    booth.step()  # must not raise
    assert_failsafe_then_live(booth, caplog)


def test_a_bug_while_drawing_shows_the_failsafe_screen_then_live(booth, monkeypatch,
                                                                 caplog) -> None:
    fails_once(monkeypatch, booth.screen, "draw")
    booth.step()  # must not raise
    assert_failsafe_then_live(booth, caplog)


# -- full disk -------------------------------------------------------------------------------
def test_full_disk_tells_the_guest_and_the_live_view_goes_on(booth, monkeypatch,
                                                             caplog) -> None:
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)  # the disk fills up as the photo is flushed
    press(pygame.K_SPACE)
    booth.step()
    booth.fake_clock.advance(booth.timing.countdown)
    booth.step()
    booth.fake_clock.advance(booth.timing.flash + 0.1)
    run_until(booth, lambda: booth.state.name == "failsafe")
    assert booth.state.message == "The photo could not be saved. Please call staff."
    assert "disk is full" in caplog.text  # the operator's reason is in the log
    before = seq(booth)
    run_until(booth, lambda: seq(booth) > before + 3)  # live frames keep coming meanwhile
    assert booth.store.list() == []
    assert not [p for p in booth.config.photos.folder.rglob("*") if p.suffix in (".jpg",
                                                                                 ".tmp")]
    booth.fake_clock.advance(booth.timing.failsafe + 0.1)
    booth.step()
    assert booth.state.name == "live"


def test_a_bug_on_every_frame_is_one_traceback_per_incident(booth, monkeypatch,
                                                           caplog) -> None:
    def always_broken(target, view) -> None:
        raise ZeroDivisionError("a bug on every frame")

    monkeypatch.setattr(booth.screen, "draw", always_broken)
    for _ in range(50):  # ~1 s of frames: the log must not get 50 tracebacks
        booth.step()
    assert booth.state.name == "failsafe" and booth.running
    assert len([r for r in caplog.records if r.exc_info]) == 1
    booth.fake_clock.advance(booth.timing.failsafe + 0.1)
    booth.step()  # back to Live, where the bug strikes again: a second incident
    assert booth.history[-3:] == ["failsafe", "live", "failsafe"]
    assert len([r for r in caplog.records if r.exc_info]) == 2


def test_the_optional_foreground_hook_is_seen_through_the_guard() -> None:
    class Despill(Exploding):
        def foreground(self, frame_bgr: np.ndarray) -> np.ndarray:
            if self.good <= 0:
                raise RuntimeError("despill fell over")
            return frame_bgr + 1

    chain = {"chroma": lambda: Despill(good=1), "none": lambda: Exploding(good=10**6)}
    guard = FallbackSegmenter(["chroma", "none"], lambda name: chain[name]())
    frame = np.zeros((2, 2, 3), np.uint8)
    hook = getattr(guard, "foreground", None)
    assert hook is not None and hook(frame).max() == 1
    guard.segment(frame)  # uses up the good frame: the hook fails from now on
    for _ in range(3):
        assert hook(frame) is frame  # a failing hook leaves the frame as it was
    assert getattr(guard, "foreground", None) is None  # 'none' has no such hook
    assert hook(frame) is frame
