"""The real app loop, driven by posted pygame events and a fake clock.

A video file feeds the booth; the guest server runs on 127.0.0.1.  The tests
check the state sequence, the chosen scene, the saved file and its index row.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import cv2
import numpy as np
import pygame
import pytest

from booth import app as booth_app
from booth.config import Config
from tests.conftest import REPO, FakeClock, free_port


def make_config(tmp_path: Path, source: Path, segmenter: str = "none") -> Config:
    conf = Config()
    conf.camera.source = str(source)
    conf.display.fullscreen = False
    conf.display.width, conf.display.height = 640, 360
    conf.segmenter.name = segmenter
    conf.scenes.folder = tmp_path / "scenes"
    conf.scenes.folder.mkdir()
    for name, color in (("beach", (200, 160, 40)), ("forest", (40, 160, 40))):
        cv2.imwrite(str(conf.scenes.folder / f"{name}.png"), np.full((90, 160, 3), color,
                                                                      np.uint8))
    conf.photos.folder = tmp_path / "photos"
    conf.sounds.folder = REPO / "sounds"
    port = free_port()
    conf.share.host = "127.0.0.1"
    conf.share.port = port
    conf.share.base_url = f"http://127.0.0.1:{port}"
    return conf


@pytest.fixture
def booth(tmp_path: Path, tiny_video: Path):
    clock = FakeClock()
    app, server = booth_app.build(make_config(tmp_path, tiny_video), clock=clock)
    app.fake_clock = clock
    try:
        run_until(app, lambda: app.pipeline.latest() is not None)
        yield app
    finally:
        app.close()
        if server is not None:
            server.stop()
        pygame.quit()


def run_until(app, done, timeout: float = 20.0) -> None:
    """Step the real loop (in real time: the pipeline thread works meanwhile)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out in state {app.state.name}"
        app.step()
        time.sleep(0.002)


def post(event_type: int, **attrs) -> None:
    pygame.event.post(pygame.event.Event(event_type, **attrs))


def press(key: int, mod: int = 0) -> None:
    post(pygame.KEYDOWN, key=key, mod=mod, unicode="", scancode=0)


def test_scenes_cycle_with_keys_gamepad_and_touch(booth) -> None:
    names = [s.name for s in booth.deck.scenes]
    assert names == ["Beach", "Forest", "Blur", "None"]
    press(pygame.K_RIGHT)
    booth.step()
    assert booth.deck.current.name == "Forest"
    post(pygame.JOYHATMOTION, value=(1, 0), hat=0, joy=0, instance_id=0)
    booth.step()
    assert booth.deck.current.name == "Blur"
    post(pygame.FINGERDOWN, x=0.05, y=0.5, touch_id=0, finger_id=0, dx=0, dy=0, pressure=1)
    booth.step()
    assert booth.deck.current.name == "Forest"
    post(pygame.JOYBUTTONDOWN, button=4, joy=0, instance_id=0)
    press(pygame.K_LEFT)
    booth.step()
    assert booth.deck.current.name == "None"  # wrapped around backwards
    assert booth.history == ["live"]
    view = booth.view(booth.fake_clock())
    assert view.scene_name == "None" and view.scene_name_alpha == 1.0
    booth.fake_clock.advance(5)
    assert booth.view(booth.fake_clock()).scene_name_alpha == 0.0


def test_snap_countdown_capture_review_and_saved_photo(booth, tiny_video: Path) -> None:
    clock = booth.fake_clock
    press(pygame.K_RIGHT)
    booth.step()
    assert booth.deck.current.name == "Forest"
    press(pygame.K_SPACE)
    booth.step()
    assert booth.state.name == "countdown"
    assert booth.view(clock()).countdown == 3
    for _ in range(2):  # more presses during the countdown start nothing new
        clock.advance(0.5)
        press(pygame.K_SPACE)
        booth.step()
    assert booth.history == ["live", "countdown"]
    assert booth.view(clock()).countdown == 2
    clock.advance(2.0)
    booth.step()
    assert booth.state.name == "capture"
    assert booth.view(clock()).flash > 0.9
    clock.advance(0.3)  # the flash is over; the photo finishes in real time
    run_until(booth, lambda: booth.state.name != "capture")
    assert booth.history == ["live", "countdown", "capture", "review"]
    shot = booth.state.shot
    # The file: a JPEG at the source's full resolution (not the 640x360 display).
    data = shot.photo.file.read_bytes()
    photo = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert photo.shape == (240, 320, 3)
    assert shot.photo.file.parent.parent == booth.config.photos.folder
    # Its index row.
    row = booth.store.get(shot.photo.id)
    assert row == shot.photo
    assert row.scene == "Forest" and row.segmenter == "none"
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert len(row.id) >= 11
    assert shot.card.url == f"{booth.config.share.base_url}/p/{row.id}"
    # The review screen leaves on a guest button (after the grace period) ...
    press(pygame.K_SPACE)
    booth.step()
    assert booth.state.name == "review"
    clock.advance(1.5)
    press(pygame.K_SPACE)
    booth.step()
    assert booth.history[-1] == "live"


def test_review_times_out_and_gamepad_snaps(booth) -> None:
    clock = booth.fake_clock
    post(pygame.JOYBUTTONDOWN, button=0, joy=0, instance_id=0)
    booth.step()
    clock.advance(3.0)
    booth.step()
    clock.advance(0.3)
    run_until(booth, lambda: booth.state.name == "review")
    clock.advance(booth.config.photos.review_seconds + 0.1)
    booth.step()
    assert booth.history == ["live", "countdown", "capture", "review", "live"]


def test_touch_shutter_button_and_operator_keys(booth) -> None:
    x, y = booth.screen.shutter_center
    w, h = booth.display.get_size()
    post(pygame.FINGERDOWN, x=x / w, y=y / h, touch_id=0, finger_id=0, dx=0, dy=0, pressure=1)
    booth.step()
    assert booth.state.name == "countdown"
    press(pygame.K_d)
    booth.step()
    assert booth.show_debug and booth.view(booth.fake_clock()).hud
    press(pygame.K_q)  # a guest's Q does not quit
    booth.step()
    assert booth.running
    press(pygame.K_q, pygame.KMOD_LCTRL)
    booth.step()
    assert not booth.running


def test_s_cycles_segmenters_and_the_status_line_shows_learning(booth) -> None:
    booth.config.segmenter.cycle = ["plate"]
    press(pygame.K_s)
    run_until(booth, lambda: booth.pipeline.segmenter.name == "plate")
    view = booth.view(booth.fake_clock())
    assert view.scene_name == "Segmenter: plate"
    run_until(booth, lambda: booth.status() is not None)
    assert booth.status().startswith("plate: step out of the picture")
    press(pygame.K_b)  # relearn the empty scene
    booth.step()
    assert "Relearning" in booth.view(booth.fake_clock()).scene_name
    press(pygame.K_s)
    run_until(booth, lambda: booth.pipeline.segmenter.name == "none")
