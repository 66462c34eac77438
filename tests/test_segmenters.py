"""Each built-in segmenter on small synthetic frames: an empty scene, then a coloured 'guest'."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from booth import segmenters
from booth.segmenters import SegmenterError
from booth.segmenters.chroma import despill, key_bgr

H, W = 120, 160
BUILTINS = ("chroma", "contour", "fused", "mediapipe", "mog2", "none", "otsu", "plate")


def room(seed: int = 0) -> np.ndarray:
    """A grey-green wall with a little sensor noise (different per seed)."""
    rng = np.random.default_rng(seed)
    frame = np.empty((H, W, 3), np.uint8)
    frame[:] = (120, 140, 130)
    frame[: H // 2, : W // 3] = (90, 90, 100)  # a darker cupboard
    noise = rng.integers(-3, 4, frame.shape)
    return np.clip(frame.astype(int) + noise, 0, 255).astype(np.uint8)


def with_guest(frame: np.ndarray, colour: tuple[int, int, int] = (40, 50, 210)) -> np.ndarray:
    """``frame`` with a filled rectangle 'guest' in the middle (rows 30..110, cols 60..100)."""
    out = frame.copy()
    out[30:110, 60:100] = colour
    return out


def guest_mask() -> np.ndarray:
    mask = np.zeros((H, W), bool)
    mask[30:110, 60:100] = True
    return mask


def at_frame_size(alpha: np.ndarray) -> np.ndarray:
    assert alpha.dtype == np.float32
    assert alpha.min() >= 0.0 and alpha.max() <= 1.0
    return cv2.resize(alpha, (W, H), interpolation=cv2.INTER_LINEAR)


def assert_finds_guest(alpha: np.ndarray, min_iou: float = 0.85) -> None:
    pred = at_frame_size(alpha) >= 0.5
    truth = guest_mask()
    iou = (pred & truth).sum() / max(1, (pred | truth).sum())
    assert iou >= min_iou, f"IoU {iou:.2f}"


def learn_room(seg: segmenters.Segmenter, frames: int) -> None:
    for i in range(frames):
        seg.segment(room(i))


def test_every_builtin_is_registered() -> None:
    assert set(BUILTINS) <= set(segmenters.available())


@pytest.mark.parametrize("name", BUILTINS)
def test_defaults_work_and_follow_the_protocol(name: str) -> None:
    seg = segmenters.create(name)
    try:
        assert isinstance(seg, segmenters.Segmenter)
        assert seg.name == name
        alpha = seg.segment(room())
        assert alpha.ndim == 2 and alpha.dtype == np.float32
        seg.reset()
    finally:
        seg.close()


@pytest.mark.parametrize("name", [n for n in BUILTINS if n != "none"])
def test_unknown_option_is_one_clear_sentence(name: str) -> None:
    with pytest.raises(SegmenterError, match=rf"segmenter\.options\.{name}\.colour_typo"):
        segmenters.create(name, {"colour_typo": 1})


def test_plate_learns_then_cuts_the_guest_and_relearns_on_reset() -> None:
    seg = segmenters.create("plate", {"frames": 5})
    assert seg.status() == "step out of the picture: learning 0/5"
    seg.segment(room(0))
    assert seg.status() == "step out of the picture: learning 1/5"
    learn_room(seg, 4)
    assert seg.status() is None
    assert_finds_guest(seg.segment(with_guest(room(9))))
    assert at_frame_size(seg.segment(room(10))).max() < 0.5  # empty again
    seg.reset()
    assert seg.status() == "step out of the picture: learning 0/5"


def test_plate_sees_colour_not_only_brightness() -> None:
    seg = segmenters.create("plate", {"frames": 3})
    learn_room(seg, 3)
    wall = np.array([[(120, 140, 130)]], np.uint8)
    grey_wall = cv2.cvtColor(cv2.cvtColor(wall, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)[0, 0]
    # A magenta shirt exactly as bright as the wall behind it.
    shirt = np.array([[(200, 60, 200)]], np.uint8)
    shirt_grey = int(cv2.cvtColor(shirt, cv2.COLOR_BGR2GRAY)[0, 0])
    scale = int(grey_wall[0]) / shirt_grey
    colour = tuple(int(min(255, c * scale)) for c in shirt[0, 0])
    assert_finds_guest(seg.segment(with_guest(room(5), colour)))


def test_plate_follows_slow_light_changes_where_nobody_stands() -> None:
    seg = segmenters.create("plate", {"frames": 3, "adapt": 0.2})
    learn_room(seg, 3)
    # The room brightens step by step, far beyond the threshold in the end.
    for step in range(1, 31):
        lit = cv2.add(room(step), np.full((H, W, 3), step, np.uint8))
        alpha = seg.segment(lit)
    assert at_frame_size(alpha).mean() < 0.05
    assert_finds_guest(seg.segment(with_guest(lit)))


def test_mog2_warms_up_then_keeps_a_guest_who_stands_still() -> None:
    seg = segmenters.create("mog2", {"warmup": 10})
    learn_room(seg, 3)
    assert seg.status() == "step out of the picture: learning 3/10"
    learn_room(seg, 7)
    assert seg.status() is None
    for i in range(100):  # four seconds at 25 fps without moving
        alpha = seg.segment(with_guest(room(20 + i)))
    assert_finds_guest(alpha, min_iou=0.8)


def test_fused_keeps_what_the_plate_sees_and_uses_the_neural_mask_while_learning() -> None:
    seg = segmenters.create("fused", {"plate": {"frames": 4}})
    try:
        assert seg.status() == "step out of the picture: learning 0/4"
        learn_room(seg, 4)
        assert seg.status() is None
        # No person for the selfie model here, only a 'prop': the plate finds it.
        assert_finds_guest(seg.segment(with_guest(room(7))))
    finally:
        seg.close()


def test_fused_nested_options_are_validated() -> None:
    with pytest.raises(SegmenterError, match=r"segmenter\.options\.fused\.plate\.frames"):
        segmenters.create("fused", {"plate": {"frames": 0}})


def green_screen_with_guest() -> np.ndarray:
    frame = np.empty((H, W, 3), np.uint8)
    frame[:] = key_bgr("green")
    frame[: H // 2] = (50, 150, 0)  # darker green at the top: uneven light
    return with_guest(frame)


def test_chroma_keys_a_green_screen_softly() -> None:
    seg = segmenters.create("chroma")
    alpha = seg.segment(green_screen_with_guest())
    assert_finds_guest(alpha, min_iou=0.95)
    # Soft: a hair pixel one fifth guest, four fifths backdrop gets a partial alpha.
    mixed = np.full((1, 1, 3), 0, np.uint8)
    mixed[0, 0] = np.array(key_bgr("green")) * 0.8 + np.array((40, 50, 210)) * 0.2
    assert 0.05 < seg.segment(mixed)[0, 0] < 0.95


def test_chroma_samples_the_backdrop_from_a_region_and_resamples_on_reset() -> None:
    seg = segmenters.create("chroma", {"roi": [0, 0.6, 0.2, 0.3]})
    blue = np.full((H, W, 3), key_bgr("blue"), np.uint8)
    assert_finds_guest(seg.segment(with_guest(blue, (30, 200, 230))), min_iou=0.95)
    seg.reset()
    assert_finds_guest(seg.segment(green_screen_with_guest()), min_iou=0.9)


def test_chroma_hex_colour_and_bad_colour() -> None:
    seg = segmenters.create("chroma", {"color": "#FF00FF"})
    assert seg.key == (255, 0, 255)
    with pytest.raises(SegmenterError, match=r"segmenter\.options\.chroma\.color"):
        segmenters.create("chroma", {"color": "greenish"})


def test_despill_removes_the_key_tint_and_keeps_other_colours() -> None:
    key = key_bgr("green")
    frame = np.array([[(90, 150, 100), (40, 50, 210)]], np.uint8)  # green-tinted grey, red
    out = despill(frame, key).astype(int)
    b, g, r = out[0, 0]
    assert g - (b + r) / 2 < 150 - (90 + 100) / 2  # less green than before
    assert np.abs(out[0, 1] - frame[0, 1].astype(int)).max() <= 2  # red untouched
    seg = segmenters.create("chroma")
    assert np.array_equal(seg.foreground(frame), despill(frame, key))


def plain_backdrop_with_guest() -> np.ndarray:
    frame = np.full((H, W, 3), 225, np.uint8)
    return with_guest(frame, (30, 30, 40))


@pytest.mark.parametrize("name", ["otsu", "contour"])
def test_classic_segmenters_cut_a_dark_guest_from_a_plain_backdrop(name: str) -> None:
    assert_finds_guest(segmenters.create(name).segment(plain_backdrop_with_guest()))


def test_otsu_finds_a_bright_guest_on_a_dark_backdrop_too() -> None:
    frame = np.full((H, W, 3), 30, np.uint8)
    assert_finds_guest(segmenters.create("otsu").segment(with_guest(frame, (220, 220, 230))))


def test_mediapipe_crop_pass_and_variants() -> None:
    for options in ({"variant": "general", "crop_below": 0}, {"variant": "landscape"},
                    {"photo_above": 0}):
        seg = segmenters.create("mediapipe", options)
        try:
            alpha = seg.segment(room())
            assert alpha.shape == (H, W)
            assert alpha.max() < 0.5  # nobody in an empty room
        finally:
            seg.close()


def test_mediapipe_missing_model_is_one_sentence(tmp_path) -> None:
    with pytest.raises(SegmenterError, match="mediapipe model not found"):
        segmenters.create("mediapipe", {"model": str(tmp_path / "nope.tflite")})


def test_plate_compares_a_frame_of_another_shape_without_failing() -> None:
    seg = segmenters.create("plate", {"frames": 2})
    learn_room(seg, 2)
    wide = cv2.resize(with_guest(room(3)), (W * 2, H))  # a photo of another aspect
    alpha = seg.segment(wide)
    assert alpha.shape[1] > alpha.shape[0] * 2 - 4
