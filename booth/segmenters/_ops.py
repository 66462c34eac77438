"""Mask operations shared by the built-in segmenters (not a segmenter family itself).

Shapes: masks are HxW uint8 (0 or 255); alphas are HxW float32 in [0, 1].
Sizes in pixels are of the array they are given.
"""

from __future__ import annotations

import cv2
import numpy as np


def smoothstep(x: np.ndarray, lo: float | np.ndarray, hi: float | np.ndarray) -> np.ndarray:
    """0 below ``lo``, 1 above ``hi``, a smooth S between: a soft alpha from a distance."""
    t = np.clip((x - lo) / np.maximum(hi - lo, 1e-6), 0.0, 1.0).astype(np.float32)
    return t * t * (3.0 - 2.0 * t)


def ellipse(radius: int) -> np.ndarray:
    """A (2r+1)^2 elliptic structuring element."""
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def open_close(mask: np.ndarray, open_px: int, close_px: int) -> np.ndarray:
    """Remove specks smaller than ``open_px`` then bridge gaps narrower than ``close_px``."""
    if open_px > 0:
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, ellipse(open_px))
    if close_px > 0:
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, ellipse(close_px))
    return mask


def fill_holes(mask: np.ndarray, max_fraction: float = 1.0) -> np.ndarray:
    """Fill background regions not connected to the image border.

    Only holes of at most ``max_fraction`` of the image area are filled, so the
    gap between an arm and the body of someone standing akimbo can stay open.
    """
    background = (mask == 0).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(background, connectivity=4)
    h, w = mask.shape
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    holes = np.ones(count, bool)
    holes[0] = False  # label 0 is the foreground itself
    holes[border] = False
    holes &= stats[:, cv2.CC_STAT_AREA] <= max_fraction * h * w
    out = mask.copy()
    out[holes[labels]] = 255
    return out


def keep_large(mask: np.ndarray, min_fraction: float, seeds: np.ndarray | None = None
               ) -> np.ndarray:
    """Keep connected regions of at least ``min_fraction`` of the largest one's area.

    With ``seeds`` (a 0/255 mask) that hold any pixel, keep instead every region
    touching a seed, whatever its size: how ``fused`` keeps a held book that
    the neural mask missed, attached to the person it did find.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return mask
    if seeds is not None and seeds.any():
        keep = np.zeros(count, bool)
        keep[np.unique(labels[seeds > 0])] = True
    else:
        areas = stats[:, cv2.CC_STAT_AREA]
        keep = areas >= min_fraction * areas[1:].max()
    keep[0] = False
    return np.where(keep[labels], 255, 0).astype(np.uint8)


# Edge blur of a cleaned mask, pixels at work size: a one-to-two pixel soft rim
# that the booth's guided upsampling then fits to the full-resolution edges.
EDGE_SIGMA = 0.7


def soften(mask: np.ndarray, sigma_px: float = EDGE_SIGMA) -> np.ndarray:
    """A hard 0/255 mask as a soft float32 alpha: edges blurred over about 2 sigma."""
    alpha = mask.astype(np.float32) * (1.0 / 255.0)
    if sigma_px <= 0:
        return alpha
    return cv2.GaussianBlur(alpha, (0, 0), sigmaX=sigma_px)


def clean_mask(mask: np.ndarray, min_blob: float, seeds: np.ndarray | None = None) -> np.ndarray:
    """A raw 0/255 difference mask made into solid figures.

    Opens away specks, closes gaps, keeps the large blobs (or those touching
    ``seeds``), and fills holes where a shirt matches the wall behind it.
    """
    scale = max(1, round(max(mask.shape) / 128))  # structuring sizes follow resolution
    mask = open_close(mask, scale, 2 * scale)
    mask = keep_large(mask, min_blob, seeds)
    return fill_holes(mask, max_fraction=0.02)
