"""The live pipeline's threads on small videos and synthetic frames."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth import pipeline as pl
from booth.config import MatteConfig
from booth.scenes import SceneDeck
from booth.segmenters import SegmenterBase
from booth.segmenters.none import NoneSegmenter
from booth.sources import open_source
from tests.conftest import FakeClock

DISPLAY = (160, 90)
SCENE_BGR = (40, 160, 40)


class HalfSegmenter(SegmenterBase):
    """The left half of the frame is the person; records which threads call it."""

    name = "half"

    def __init__(self) -> None:
        self.threads: set[str] = set()
        self.closed = False

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        self.threads.add(threading.current_thread().name)
        alpha = np.zeros(frame_bgr.shape[:2], np.float32)
        alpha[:, : frame_bgr.shape[1] // 2] = 1.0
        return alpha

    def close(self) -> None:
        self.closed = True


class StillSource:
    """One fixed BGR frame, as a new array on every read (a camera showing a still)."""

    def __init__(self, frame: np.ndarray) -> None:
        self.frame = frame

    def read(self) -> np.ndarray:
        return self.frame.copy()

    def close(self) -> None:
        pass


def deck(tmp_path: Path, builtins: list[str] | None = None) -> SceneDeck:
    folder = tmp_path / "scenes"
    folder.mkdir(exist_ok=True)
    cv2.imwrite(str(folder / "green.png"), np.full((45, 80, 3), SCENE_BGR, np.uint8))
    return SceneDeck(folder, builtins if builtins is not None else ["none"], DISPLAY)


def wait_for(done, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def camera_frame() -> np.ndarray:
    frame = np.zeros((180, 320, 3), np.uint8)
    frame[:] = (200, 50, 10)  # blue in BGR: the person's colour
    return frame


@pytest.mark.parametrize("segmenter", [NoneSegmenter, HalfSegmenter])
def test_video_frames_are_published_and_a_photo_is_full_resolution(
        tmp_path: Path, tiny_video: Path, segmenter: type) -> None:
    source = open_source(str(tiny_video))
    pipe = pl.Pipeline(source, segmenter(), deck(tmp_path), MatteConfig(), DISPLAY)
    pipe.start()
    try:
        wait_for(lambda: pipe.latest() is not None and pipe.latest().seq >= 3)
        latest = pipe.latest()
        assert latest.rgb.shape == (90, 160, 3) and latest.rgb.flags.c_contiguous
        photo = pipe.take_photo(pipe.deck.current).result(timeout=10)
        assert photo.shape == (240, 320, 3)  # the camera's resolution, not the display's
        assert "compose" in pipe.times.summary()
    finally:
        pipe.stop()
        source.close()


def test_the_person_shows_over_the_scene_and_segmenting_stays_on_one_thread(
        tmp_path: Path) -> None:
    segmenter = HalfSegmenter()
    pipe = pl.Pipeline(StillSource(camera_frame()), segmenter, deck(tmp_path),
                       MatteConfig(feather=0), DISPLAY, mirror_preview=False)
    pipe.start()
    try:
        wait_for(lambda: pipe.mattes >= 2 and pipe.published >= 5)
        rgb = pipe.latest().rgb
        assert tuple(rgb[45, 20]) == (10, 50, 200)  # camera, as RGB
        assert tuple(rgb[45, 140]) == SCENE_BGR[::-1]  # scene, as RGB
        photo = pipe.take_photo(pipe.deck.current).result(timeout=10)
        assert tuple(photo[90, 40]) == (200, 50, 10) and tuple(photo[90, 280]) == SCENE_BGR
    finally:
        pipe.stop()
    assert segmenter.threads == {"segment"}


def test_set_segmenter_swaps_on_the_segment_thread_and_closes_the_old(tmp_path: Path) -> None:
    old, new = HalfSegmenter(), HalfSegmenter()
    pipe = pl.Pipeline(StillSource(camera_frame()), old, deck(tmp_path), MatteConfig(), DISPLAY)
    pipe.start()
    try:
        wait_for(lambda: pipe.mattes >= 1)
        pipe.set_segmenter(new)
        assert pipe.segmenter is new
        wait_for(lambda: old.closed and new.threads)
    finally:
        pipe.stop()
    assert new.threads == {"segment"}


def test_published_arrays_rotate_so_the_shown_one_is_not_overwritten(tmp_path: Path) -> None:
    pipe = pl.Pipeline(StillSource(camera_frame()), HalfSegmenter(), deck(tmp_path),
                       MatteConfig(), DISPLAY)
    seen: dict[int, int] = {}  # seq -> id of its array
    pipe.start()
    try:
        wait_for(lambda: pipe.latest() is not None)
        deadline = time.monotonic() + 10
        while len(seen) < 10 and time.monotonic() < deadline:
            latest = pipe.latest()
            seen[latest.seq] = id(latest.rgb)
            time.sleep(0.001)
    finally:
        pipe.stop()
    for seq, array in seen.items():  # the next two composites go to other arrays
        assert seen.get(seq + 1) != array and seen.get(seq + 2) != array
    assert len(set(seen.values())) <= pl.OUTPUT_BUFFERS


def compose_once(tmp_path: Path, settings: MatteConfig, alpha_value: float = 1.0) -> np.ndarray:
    """Segment and compose one frame synchronously, no threads."""

    class Constant(HalfSegmenter):
        def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
            return super().segment(frame_bgr) * alpha_value

    scenes = deck(tmp_path)
    pipe = pl.Pipeline(StillSource(camera_frame()), Constant(), scenes, settings, DISPLAY)
    frame = camera_frame()
    live = pipe.make_matte(frame, scenes.current)
    return pipe.compose(frame, scenes.current, live, np.zeros((90, 160, 3), np.uint8))


def test_looks_run_and_change_only_the_person(tmp_path: Path) -> None:
    plain = compose_once(tmp_path, MatteConfig())
    looks = compose_once(tmp_path, MatteConfig(light_wrap=1.0, color_match=1.0))
    assert looks.shape == plain.shape
    assert not np.array_equal(looks[:, :60], plain[:, :60])  # the person (left half)
    assert np.array_equal(looks[:, 100:], plain[:, 100:])  # the scene itself is untouched


def test_nobody_in_the_picture_shows_the_scene(tmp_path: Path) -> None:
    out = compose_once(tmp_path, MatteConfig(), alpha_value=0.0)
    assert (out == np.array(SCENE_BGR[::-1], np.uint8)).all()


def test_blur_scene_is_the_blurred_room(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    scenes = SceneDeck(tmp_path / "empty", ["blur"], DISPLAY)
    pipe = pl.Pipeline(StillSource(camera_frame()), HalfSegmenter(), scenes, MatteConfig(),
                       DISPLAY)
    frame = camera_frame()
    live = pipe.make_matte(frame, scenes.current)
    rgb = pipe.compose(frame, scenes.current, live, np.zeros((90, 160, 3), np.uint8))
    # A uniform room blurred is the same colour: the whole view is the room's RGB.
    assert np.abs(rgb.astype(int) - (10, 50, 200)).max() <= 2


def test_the_box_blended_last_time_is_restored_when_the_person_leaves(tmp_path: Path) -> None:
    class Leaving(HalfSegmenter):
        present = True

        def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
            return super().segment(frame_bgr) * float(self.present)

    segmenter = Leaving()
    scenes = deck(tmp_path)
    pipe = pl.Pipeline(StillSource(camera_frame()), segmenter, scenes, MatteConfig(), DISPLAY)
    frame, out = camera_frame(), np.zeros((90, 160, 3), np.uint8)
    pipe.compose(frame, scenes.current, pipe.make_matte(frame, scenes.current), out)
    assert tuple(out[45, 20]) == (10, 50, 200)
    segmenter.present = False
    empty = np.full_like(frame, 90)  # the grey room behind, now that the person left
    pipe.compose(empty, scenes.current, pipe.make_matte(empty, scenes.current), out)
    assert (out == np.array(SCENE_BGR[::-1], np.uint8)).all()


def test_wait_newer_returns_the_next_composite_or_none(tmp_path: Path) -> None:
    pipe = pl.Pipeline(StillSource(camera_frame()), HalfSegmenter(), deck(tmp_path),
                       MatteConfig(), DISPLAY)
    assert pipe.wait_newer(0, 0.01) is None
    pipe.start()
    try:
        first = pipe.wait_newer(0, 10)
        assert first is not None
        second = pipe.wait_newer(first.seq, 10)
        assert second is not None and second.seq > first.seq
    finally:
        pipe.stop()


class Moving(HalfSegmenter):
    """The person is the left half, or the right half once ``left`` is False."""

    left = True

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        alpha = super().segment(frame_bgr)
        return alpha if self.left else alpha[:, ::-1].copy()


def two_mattes(tmp_path: Path, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The live view after a sure cut on ``first`` flips sides on ``second`` (smoothing on)."""
    segmenter, scenes = Moving(), deck(tmp_path)
    pipe = pl.Pipeline(StillSource(first), segmenter, scenes, MatteConfig(), DISPLAY,
                       mirror_preview=False)
    out = np.zeros((90, 160, 3), np.uint8)
    pipe.compose(first, scenes.current, pipe.make_matte(first, scenes.current), out)
    segmenter.left = False
    pipe.compose(second, scenes.current, pipe.make_matte(second, scenes.current), out)
    return out


def test_a_person_who_moves_leaves_no_trail(tmp_path: Path) -> None:
    frame = camera_frame()
    frame[:, 160:] = (90, 90, 90)  # the person (blue) on the left, a grey wall on the right
    out = two_mattes(tmp_path, frame, frame[:, ::-1].copy())  # the person steps right
    assert (out[:, :60] == np.array(SCENE_BGR[::-1], np.uint8)).all()
    assert tuple(out[45, 140]) == (10, 50, 200)


def test_a_sure_cut_that_jumps_on_a_still_picture_is_smoothed(tmp_path: Path) -> None:
    # Nothing moved in the picture, so the jump is the model's flicker: the
    # left side keeps most of the person instead of flashing to the scene.
    frame = camera_frame()
    out = two_mattes(tmp_path, frame, frame)
    assert tuple(out[45, 20]) != tuple(SCENE_BGR[::-1])
    assert abs(int(out[45, 20, 2]) - 200) < abs(int(out[45, 20, 2]) - SCENE_BGR[0])


class Counting(HalfSegmenter):
    """Counts its calls; ``learning`` is what status() says (None = ready)."""

    calls = 0
    learning: str | None = None

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        self.calls += 1
        return super().segment(frame_bgr)

    def status(self) -> str | None:
        return self.learning


def run_still(tmp_path: Path, clock: FakeClock, segmenter: Counting,
              builtins: list[str] | None = None) -> tuple[pl.Pipeline, StillSource]:
    """A started pipeline on a still camera picture, after two mattes and 20 composites."""
    source = StillSource(camera_frame())
    pipe = pl.Pipeline(source, segmenter, deck(tmp_path, builtins), MatteConfig(), DISPLAY,
                       clock=clock)
    pipe.start()
    wait_for(lambda: segmenter.calls >= 2)
    more_composites(pipe, 20)
    return pipe, source


def more_composites(pipe: pl.Pipeline, count: int = 10) -> None:
    target = pipe.published + count
    wait_for(lambda: pipe.published >= target)


def test_a_still_picture_is_segmented_again_only_when_it_moves_or_the_hold_ends(
        tmp_path: Path, clock: FakeClock) -> None:
    segmenter = Counting()
    pipe, source = run_still(tmp_path, clock, segmenter)
    try:
        # The first matte, then one that shows the alpha settled; then it holds.
        assert segmenter.calls == 2
        more_composites(pipe)  # the live view goes on while the model rests
        assert segmenter.calls == 2
        clock.advance(pl.HOLD_SECONDS)
        wait_for(lambda: segmenter.calls == 3)
        more_composites(pipe)
        assert segmenter.calls == 3
        moved = camera_frame()
        moved[:, :100] = (90, 90, 90)  # someone grey steps in on the left
        source.frame = moved
        wait_for(lambda: segmenter.calls == 4)
    finally:
        pipe.stop()


def test_a_learning_segmenter_or_a_new_scene_is_never_held(tmp_path: Path,
                                                           clock: FakeClock) -> None:
    segmenter = Counting()
    segmenter.learning = "learning 3/60"  # a plate segmenter needs every frame
    pipe, _ = run_still(tmp_path, clock, segmenter, builtins=["blur"])
    try:
        calls = segmenter.calls
        assert calls > 2
        more_composites(pipe)
        assert segmenter.calls > calls
        segmenter.learning = None
        more_composites(pipe)
        calls = segmenter.calls
        more_composites(pipe)
        assert segmenter.calls == calls  # ready now: held
        pipe.deck.step(1)  # to the blur scene: a new scene gets a matte of its own
        wait_for(lambda: segmenter.calls > calls)
    finally:
        pipe.stop()


def test_the_none_scene_stops_segmenting_and_drops_the_stale_matte(tmp_path: Path) -> None:
    scenes = deck(tmp_path, builtins=["none"])
    pipe = pl.Pipeline(StillSource(camera_frame()), HalfSegmenter(), scenes, MatteConfig(),
                       DISPLAY)
    pipe.start()
    try:
        wait_for(lambda: pipe.mattes >= 1)
        scenes.step(1)  # to 'none'
        wait_for(lambda: pipe._matte is None)
        count = pipe.mattes
        time.sleep(0.2)
        assert pipe.mattes == count
    finally:
        pipe.stop()


def green_screen_frame() -> np.ndarray:
    """A guest in grey, lit green by the backdrop, in front of a green screen (BGR)."""
    frame = np.full((90, 160, 3), (30, 200, 40), np.uint8)
    frame[20:90, 50:110] = (120, 165, 125)  # grey clothes with a green cast
    return frame


def spill(rgb: np.ndarray) -> float:
    """How much greener than grey the guest's pixels are (RGB input)."""
    guest = rgb[40:80, 65:95].astype(np.float32)
    return float(np.mean(guest[..., 1] - (guest[..., 0] + guest[..., 2]) / 2))


def test_chroma_spill_is_removed_live_and_in_the_photo(tmp_path: Path) -> None:
    from booth import segmenters

    chroma = segmenters.create("chroma", {"color": "green"})
    frame = green_screen_frame()
    assert spill(frame[:, :, ::-1]) > 30
    pipe = pl.Pipeline(StillSource(frame), chroma, deck(tmp_path), MatteConfig(feather=0),
                       DISPLAY, mirror_preview=False)
    pipe.start()
    try:
        wait_for(lambda: pipe.latest() is not None and pipe.mattes >= 2
                 and pipe.latest().seq >= 3)
        assert spill(pipe.latest().rgb) < 10
        photo = pipe.take_photo(pipe.deck.current).result(timeout=10)
        assert spill(photo[:, :, ::-1]) < 10
    finally:
        pipe.stop()
