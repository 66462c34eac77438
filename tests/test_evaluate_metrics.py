"""The metrics of ../shared/data/README.md on small hand-made masks with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from booth.evaluate import boundary_f, boundary_map, disk, dtssd, iou


def square(size: int, x0: int, y0: int, side: int, value: int = 255) -> np.ndarray:
    mask = np.zeros((size, size), np.uint8)
    mask[y0:y0 + side, x0:x0 + side] = value
    return mask


def test_iou_counts_pred_at_128_and_up() -> None:
    gt = square(10, 0, 0, 4)  # 16 person pixels
    alpha = np.zeros((10, 10), np.uint8)
    alpha[0:4, 0:2] = 128  # 8 pixels, exactly the threshold: person
    alpha[0:4, 2:4] = 127  # just below: background
    assert iou(alpha, gt) == pytest.approx(8 / 16)


def test_iou_of_partial_overlap() -> None:
    gt = square(10, 0, 0, 4)  # 16
    pred = square(10, 2, 0, 4)  # 16, overlap 2x4 = 8
    assert iou(pred, gt) == pytest.approx(8 / 24)


def test_iou_ignores_85_and_170_and_counts_shadow_as_background() -> None:
    gt = square(10, 0, 0, 4)
    gt[5:7, :] = 85  # outside the region of interest
    gt[0:4, 4] = 170  # unknown band beside the person
    gt[8:10, 0:5] = 50  # shadow: background
    pred = square(10, 0, 0, 4)
    pred[5:7, :] = 255  # false person on ignored pixels: not counted
    pred[0:4, 4] = 255  # on the band: not counted
    assert iou(pred, gt) == pytest.approx(1.0)
    pred[8:10, 0:5] = 255  # false person on shadow: counted (10 pixels)
    assert iou(pred, gt) == pytest.approx(16 / 26)


def test_iou_both_empty_is_perfect_and_false_person_on_empty_truth_is_zero() -> None:
    empty = np.zeros((6, 6), np.uint8)
    assert iou(empty, empty) == 1.0
    assert iou(square(6, 0, 0, 2), empty) == 0.0


def test_boundary_map_is_davis_seg2bmap() -> None:
    bmap = boundary_map(square(6, 1, 1, 3) > 0)
    expected = np.zeros((6, 6), bool)
    # seg2bmap marks pixels whose right, lower or lower-right neighbour differs:
    # the outside ring on the top-left, the inside ring on the bottom-right.
    expected[0, 0:4] = expected[0:4, 0] = True
    expected[1:4, 3] = expected[3, 1:4] = True
    expected[0, 0] = True
    assert np.array_equal(bmap, expected)


def test_disk_is_skimage_disk() -> None:
    assert disk(1).tolist() == [[0, 1, 0], [1, 1, 1], [0, 1, 0]]
    assert disk(2).sum() == 13


def test_boundary_f_identical_and_within_tolerance_and_far() -> None:
    gt = square(100, 20, 20, 40)  # tolerance: ceil(0.008 * 141.4) = 2 pixels
    assert boundary_f(gt, gt) == pytest.approx(1.0)
    assert boundary_f(square(100, 22, 20, 40), gt) == pytest.approx(1.0)  # 2 px shift
    assert boundary_f(square(100, 50, 50, 40), gt) < 0.3  # mostly elsewhere


def test_boundary_f_known_value_half_the_edges_match() -> None:
    gt = square(100, 20, 20, 40)
    # A prediction 10 px right: only the top and bottom rows partly match.
    pred = square(100, 30, 20, 40)
    assert boundary_map(pred > 0).sum() == boundary_map(gt > 0).sum() == 160
    # By symmetry precision == recall == F.  Within 2 px of the other outline lie
    # 33 + 32 pixels of the top and bottom rows and 5 of the near side: 70 of 160.
    assert boundary_f(pred, gt) == pytest.approx(70 / 160)


def test_boundary_f_empty_cases_follow_davis() -> None:
    empty = np.zeros((50, 50), np.uint8)
    assert boundary_f(empty, empty) == 1.0
    assert boundary_f(square(50, 5, 5, 10), empty) == 0.0
    assert boundary_f(empty, square(50, 5, 5, 10)) == 0.0


def test_boundary_f_does_not_reward_all_person_around_an_unknown_band() -> None:
    gt = square(200, 60, 60, 60)  # tolerance ceil(0.008 * 282.8) = 3 pixels
    band = square(200, 58, 58, 64, 170)
    gt = np.where((band > 0) & (gt == 0), 170, gt).astype(np.uint8)
    everything = np.full((200, 200), 255, np.uint8)
    assert boundary_f(everything, gt) == 0.0
    assert boundary_f(square(200, 59, 59, 62), gt) == pytest.approx(1.0)


def test_boundary_f_drops_edges_outside_the_region_of_interest() -> None:
    gt = square(60, 10, 10, 20)
    gt[:, 40:] = 85
    pred = square(60, 10, 10, 20)
    pred[20:30, 45:55] = 255  # a false blob, but outside the region of interest
    assert boundary_f(pred, gt) == pytest.approx(1.0)


def test_dtssd_zero_when_alpha_moves_like_the_truth() -> None:
    g0, g1 = square(10, 0, 0, 4), square(10, 1, 0, 4)
    assert dtssd(g1, g0, g1, g0) == 0.0


def test_dtssd_known_value_for_flicker_on_static_truth() -> None:
    gt = square(10, 0, 0, 4)
    a0 = gt.copy()
    a1 = gt.copy()
    a1[9, :] = 255  # 10 of 100 pixels flicker by 1.0
    assert dtssd(a1, a0, gt, gt) == pytest.approx(math.sqrt(10 / 100) * 100)


def test_dtssd_leaves_out_pixels_ignored_in_either_frame_and_shadow_is_background() -> None:
    g0 = np.zeros((10, 10), np.uint8)
    g1 = np.zeros((10, 10), np.uint8)
    g0[0, :] = 170  # ignored in the previous frame only
    g1[1, :] = 50  # shadow: background, scored
    a0 = np.zeros((10, 10), np.uint8)
    a1 = np.zeros((10, 10), np.uint8)
    a1[0, :] = 255  # flicker where ignored: not counted
    a1[1, :5] = 255  # 5 pixels of false change on shadow, out of 90 scored
    assert dtssd(a1, a0, g1, g0) == pytest.approx(math.sqrt(5 / 90) * 100)
