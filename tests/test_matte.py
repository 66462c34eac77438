"""The matte functions on small arrays with known answers."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from booth import matte


def random_images(seed: int = 0, shape: tuple[int, int] = (37, 53)):
    rng = np.random.default_rng(seed)
    h, w = shape
    fg = rng.integers(0, 256, (h, w, 3), np.uint8)
    bg = rng.integers(0, 256, (h, w, 3), np.uint8)
    alpha = rng.integers(0, 256, (h, w), np.uint8)
    return fg, bg, alpha


def float_blend(fg: np.ndarray, bg: np.ndarray, alpha_u8: np.ndarray) -> np.ndarray:
    a = alpha_u8[..., None].astype(np.float64) / 255.0
    return fg * a + bg * (1.0 - a)


def test_blend_equals_float_reference_within_one_level() -> None:
    fg, bg, alpha = random_images()
    out = matte.blend(fg, bg, alpha, np.empty_like(fg), matte.Buffers())
    assert np.abs(out.astype(np.float64) - float_blend(fg, bg, alpha)).max() <= 1.0


def test_blend_extremes_are_exact_and_out_may_be_an_input() -> None:
    fg, bg, _ = random_images(1)
    buffers = matte.Buffers()
    ones = np.full(fg.shape[:2], 255, np.uint8)
    assert np.array_equal(matte.blend(fg, bg, ones, np.empty_like(fg), buffers), fg)
    assert np.array_equal(matte.blend(fg, bg, ones * 0, np.empty_like(fg), buffers), bg)
    target = fg.copy()
    matte.blend(target, bg, ones * 0, target, buffers)
    assert np.array_equal(target, bg)


def test_blend_writes_into_a_strided_part() -> None:
    fg, bg, alpha = random_images(2, (40, 60))
    out = np.zeros((40, 60, 3), np.uint8)
    matte.blend(fg[5:25, 10:50], bg[5:25, 10:50], alpha[:20, :40], out[5:25, 10:50],
                matte.Buffers())
    expected = float_blend(fg[5:25, 10:50], bg[5:25, 10:50], alpha[:20, :40])
    assert np.abs(out[5:25, 10:50] - expected).max() <= 1.0
    assert not out[:5].any() and not out[:, :10].any()


def test_composite_float_alpha_within_one_level() -> None:
    fg, bg, alpha = random_images(3)
    alpha_f = alpha.astype(np.float32) / 255.0
    out = matte.composite(fg, bg, alpha_f)
    assert out.shape == fg.shape and out.dtype == np.uint8
    assert np.abs(out.astype(np.float64) - float_blend(fg, bg, alpha)).max() <= 1.0


def step_guide(size: int = 128, edge: int = 64) -> np.ndarray:
    guide = np.full((size, size, 3), 30, np.uint8)
    guide[:, :edge] = 220
    return guide


def test_guided_upsample_snaps_a_soft_alpha_to_the_guide_edge() -> None:
    # A 16x16 alpha whose edge is a ramp (x 56..72 at full size) around the
    # guide's sharp edge at x = 64; the filter window (radius 8) covers the ramp.
    ramp = np.clip(1.0 - (np.arange(16) - 6.5) / 2.0, 0.0, 1.0).astype(np.float32)
    alpha = np.tile(ramp, (16, 1))
    refined = matte.guided_upsample(alpha, step_guide(), radius=8, work_long_edge=128)
    plain = matte.upsample(alpha, (128, 128))
    row, plain_row = refined[64], plain[64]
    assert row[:40].min() > 0.9 and row[90:].max() < 0.1
    # Most of the fall happens in one pixel, at the guide's edge; bilinear spreads it.
    assert row[63] - row[64] > 0.3 and plain_row[63] - plain_row[64] < 0.15


def test_apply_coefficients_on_a_part_matches_the_whole() -> None:
    # Smooth maps, as the guided filter makes them (warpAffine interpolates in 1/32 px).
    ys, xs = np.mgrid[0:12, 0:20].astype(np.float32)
    coef_a = 0.5 + 0.4 * np.sin(xs / 5) * np.cos(ys / 4)
    coef_b = 60 + 30 * np.cos(xs / 6 + ys / 5)
    guide = np.random.default_rng(4).integers(0, 256, (60, 100), np.uint8)
    whole = matte.apply_coefficients(coef_a, coef_b, guide, np.empty_like(guide),
                                     matte.Buffers())
    box = (20 / 100, 15 / 60, 70 / 100, 45 / 60)
    part = matte.apply_coefficients(coef_a, coef_b, np.ascontiguousarray(guide[15:45, 20:70]),
                                    np.empty((30, 50), np.uint8), matte.Buffers(), box)
    assert np.abs(part.astype(int) - whole[15:45, 20:70]).max() <= 1


def test_resize_region_full_box_is_a_resize() -> None:
    src = np.random.default_rng(5).random((9, 16), np.float32)
    out = matte.resize_region(src, matte.FULL_BOX, np.empty((27, 48), np.float32))
    assert np.allclose(out, cv2.resize(src, (48, 27)))


def test_person_box_is_grown_and_none_when_empty() -> None:
    alpha = np.zeros((10, 20), np.float32)
    assert matte.person_box(alpha, 2) is None
    alpha[4:6, 8:12] = 0.5
    assert matte.person_box(alpha, 2) == (6 / 20, 2 / 10, 14 / 20, 8 / 10)


def test_uncertainty_is_one_at_half_and_zero_when_sure() -> None:
    u = matte.uncertainty(np.array([0.0, 0.5, 1.0, 0.1, 0.9, 0.3], np.float32))
    assert u[0] == pytest.approx(0.0, abs=1e-6) and u[2] == pytest.approx(0.0, abs=1e-6)
    assert u[1] == pytest.approx(1.0, abs=1e-3)
    assert u[3] == pytest.approx(u[4], abs=1e-3)  # symmetric
    assert 0 < u[3] < u[5] <= 1


STILL = np.full((8, 8, 3), 100, np.uint8)  # a camera picture that does not change


def test_stillness_is_one_when_unchanged_zero_when_moved_and_ignores_noise() -> None:
    assert np.array_equal(matte.stillness(STILL, STILL), np.ones((8, 8), np.float32))
    moved = STILL.copy()
    moved[..., 2] += int(matte.MOTION_LEVELS)  # one channel only: same grey for a dim red
    assert np.array_equal(matte.stillness(moved, STILL), np.zeros((8, 8), np.float32))
    noise = np.random.default_rng(3).integers(-2, 3, STILL.shape)
    assert matte.stillness((STILL + noise).astype(np.uint8), STILL).min() > 0.7


def test_smoother_follows_a_confident_change_at_once_where_the_picture_moved() -> None:
    smoother = matte.TemporalSmoother(0.9)
    smoother.update(np.zeros((8, 8), np.float32), STILL)
    out = smoother.update(np.ones((8, 8), np.float32), STILL + 60)
    assert np.array_equal(out, np.ones((8, 8), np.float32))


def test_smoother_damps_sure_flicker_where_the_picture_is_still() -> None:
    smoother = matte.TemporalSmoother(0.9)
    raw = [np.full((8, 8), float(i % 2), np.float32) for i in range(20)]
    out = [float(smoother.update(a, STILL)[0, 0]) for a in raw]
    assert np.ptp(out[10:]) < 0.2


def test_smoother_damps_unsure_flicker_even_where_the_picture_moves() -> None:
    smoother = matte.TemporalSmoother(0.9)
    raw = [np.full((8, 8), 0.4 if i % 2 else 0.6, np.float32) for i in range(20)]
    pictures = [STILL + 60 * (i % 2) for i in range(20)]
    out = [float(smoother.update(a, p)[0, 0]) for a, p in zip(raw, pictures, strict=True)]
    assert np.ptp(out[10:]) < 0.2 * np.ptp([a[0, 0] for a in raw])


def test_smoother_takes_the_picture_at_any_size() -> None:
    smoother = matte.TemporalSmoother(0.9)  # a segmenter that answers at half size
    big_still = np.full((16, 16, 3), 100, np.uint8)
    smoother.update(np.zeros((8, 8), np.float32), big_still)
    assert smoother.update(np.ones((8, 8), np.float32), big_still)[0, 0] < 0.2
    assert smoother.update(np.ones((8, 8), np.float32), big_still + 60)[0, 0] == 1.0


def test_smoother_holds_only_a_settled_alpha_on_a_picture_that_did_not_move() -> None:
    smoother = matte.TemporalSmoother(0.9)
    alpha = np.full((8, 8), 0.8, np.float32)
    smoother.update(alpha, STILL)
    assert not smoother.holds(STILL)  # one alpha: nothing to say it settled
    smoother.update(alpha, STILL)
    assert smoother.holds(STILL)
    assert smoother.holds(np.full((32, 32, 3), 100, np.uint8))  # any size, as update
    assert not smoother.holds(STILL + int(matte.MOTION_LEVELS))
    smoother.update(1 - alpha, STILL)  # the model jumped: still settling
    assert not smoother.holds(STILL)
    smoother.reset()
    assert not smoother.holds(STILL)


def test_smoother_strength_zero_and_reset_pass_alpha_through() -> None:
    alpha = np.random.default_rng(6).random((8, 8), np.float32)
    off = matte.TemporalSmoother(0.0)
    off.update(np.zeros((8, 8), np.float32), STILL)
    assert np.array_equal(off.update(alpha, STILL), alpha)
    on = matte.TemporalSmoother(1.0)
    on.update(np.zeros((8, 8), np.float32), STILL)
    on.reset()
    assert np.array_equal(on.update(alpha, STILL), alpha)


def test_light_wrap_weight_shape_rim_and_zero_strength() -> None:
    alpha = np.zeros((100, 100), np.float32)
    alpha[20:80, 20:80] = 1.0
    weight = matte.light_wrap_weight(alpha, 0.8)
    assert weight.shape == alpha.shape and weight.dtype == np.float32
    assert weight.max() <= 0.8 + 1e-6
    assert weight[50, 21] > 0.1 and weight[50, 50] < 0.01  # rim lit, inside untouched
    assert not matte.light_wrap_weight(alpha, 0.0).any()


def test_scene_glow_keeps_size() -> None:
    fg, _, _ = random_images(7, (90, 160))
    assert matte.scene_glow(fg).shape == fg.shape


def test_color_match_lut_identity_at_zero_and_moves_towards_scene() -> None:
    person = (np.array([100, 100, 100], np.float32), np.array([20, 20, 20], np.float32))
    scene = (np.array([130, 100, 60], np.float32), np.array([40, 20, 10], np.float32))
    identity = matte.color_match_lut(person, scene, 0.0)
    assert identity.shape == (256, 1, 3) and identity.dtype == np.uint8
    assert np.array_equal(identity[:, 0, 0], np.arange(256))
    lut = matte.color_match_lut(person, scene, 1.0)
    assert lut[100, 0, 0] == 130 and lut[100, 0, 1] == 100 and lut[100, 0, 2] == 60
    # Contrast stretched at most COLOR_MAX_GAIN: +20 levels in becomes at most +30 out.
    assert int(lut[120, 0, 0]) - int(lut[100, 0, 0]) == 30


def test_channel_stats_weighted_by_the_person() -> None:
    image = np.zeros((2, 2, 3), np.uint8)
    image[0, 0] = (200, 100, 50)
    weight = np.array([[1.0, 0.0], [0.0, 0.0]], np.float32)
    mean, std = matte.channel_stats(image, weight)
    assert np.allclose(mean, (200, 100, 50)) and np.allclose(std, 0)


def test_cover_rect_and_fit_rgb_part_match_the_whole() -> None:
    frame = np.random.default_rng(8).integers(0, 256, (48, 80, 3), np.uint8)
    rect = matte.cover_rect((80, 48), (64, 48))
    assert rect == (8, 0, 64, 48)
    buffers = matte.Buffers()
    for mirror in (False, True):
        whole = matte.fit_rgb(frame, rect, mirror, np.empty((48, 64, 3), np.uint8), buffers)
        expected = frame[:, 8:72, ::-1]
        expected = expected[:, ::-1] if mirror else expected
        assert np.array_equal(whole, expected)
        box = (16 / 64, 8 / 48, 48 / 64, 40 / 48)
        part = matte.fit_rgb(frame, rect, mirror, np.empty((32, 32, 3), np.uint8), buffers, box)
        assert np.array_equal(part, whole[8:40, 16:48])


def test_fit_rgb_scales_a_small_camera_up() -> None:
    frame = np.zeros((24, 40, 3), np.uint8)
    frame[:, :, 2] = 200  # red in BGR
    out = matte.fit_rgb(frame, matte.cover_rect((40, 24), (160, 90)), True,
                        np.empty((90, 160, 3), np.uint8), matte.Buffers())
    assert (out[:, :, 0] == 200).all() and not out[:, :, 1:].any()


def test_buffers_reuse_memory_for_smaller_and_equal_requests() -> None:
    buffers = matte.Buffers()
    big = buffers.get("x", (10, 10))
    small = buffers.get("x", (5, 4))
    assert np.shares_memory(big, small) and small.flags.c_contiguous
    assert buffers.get("x", (10, 10), np.float32).dtype == np.float32


def test_feather_zero_is_a_no_op_and_softens_otherwise() -> None:
    alpha = np.zeros((20, 20), np.uint8)
    alpha[:, 10:] = 255
    assert matte.feather(alpha, 0) is alpha
    soft = matte.feather(alpha, 4)
    assert 0 < soft[10, 9] < 255 and 0 < soft[10, 10] < 255


def test_cover_fit_and_contain_fit_sizes() -> None:
    image = np.zeros((30, 90, 3), np.uint8)
    assert matte.cover_fit(image, (40, 40)).shape == (40, 40, 3)
    assert matte.contain_fit(image, (40, 40)).shape == (13, 40, 3)


def test_rect_difference_covers_exactly_what_is_left() -> None:
    a, b = (0, 0, 10, 8), (3, 2, 12, 5)
    parts = matte.rect_difference(a, b)
    grid = np.zeros((8, 12), int)
    for x0, y0, x1, y1 in parts:
        grid[y0:y1, x0:x1] += 1
    expected = np.zeros((8, 12), int)
    expected[0:8, 0:10] = 1
    expected[2:5, 3:10] = 0
    assert np.array_equal(grid, expected)
    assert matte.rect_difference(a, (20, 20, 30, 30)) == [a]
    assert matte.rect_difference(a, (0, 0, 10, 8)) == []
