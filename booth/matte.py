"""Alpha refinement and compositing: plain functions over numpy arrays.

Floor 1 of the design: numpy/OpenCV in, numpy out; no pygame, no threads.
Shapes: frames and scenes are HxWx3 uint8 (BGR unless named ``rgb``); alphas
are HxW float32 in [0, 1] unless named ``_u8`` (HxW uint8, 255 = person).
"""

from __future__ import annotations

import cv2
import numpy as np


def cover_fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale ``image`` to cover ``size`` (width, height) and crop the overflow centred.

    Never stretches: the aspect ratio is kept and the excess is cut evenly.
    """
    width, height = size
    h, w = image.shape[:2]
    scale = max(width / w, height / h)
    new_w, new_h = max(width, round(w * scale)), max(height, round(h * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(image, (new_w, new_h), interpolation=interp)
    x0, y0 = (new_w - width) // 2, (new_h - height) // 2
    return np.ascontiguousarray(resized[y0:y0 + height, x0:x0 + width])


def small_copy(frame: np.ndarray, long_edge: int) -> np.ndarray:
    """``frame`` shrunk so its longer side is at most ``long_edge`` pixels."""
    h, w = frame.shape[:2]
    scale = long_edge / max(h, w)
    if scale >= 1:
        return frame
    return cv2.resize(frame, (max(1, round(w * scale)), max(1, round(h * scale))),
                      interpolation=cv2.INTER_AREA)


class TemporalSmoother:
    """Smooths an alpha sequence where the model is unsure, follows it where it is sure.

    Like MediaPipe's own smoothing calculator: the weight of the previous alpha
    grows with the current alpha's uncertainty (alpha near 0.5), so flickering
    edges settle while a confident change (someone moving fast) shows at once.
    ``strength`` 0 disables smoothing, 1 is the heaviest.
    """

    def __init__(self, strength: float) -> None:
        self.strength = float(strength)
        self._previous: np.ndarray | None = None

    def reset(self) -> None:
        self._previous = None

    def update(self, alpha: np.ndarray) -> np.ndarray:
        """Next smoothed alpha (same shape as ``alpha``, float32 [0, 1])."""
        alpha = alpha.astype(np.float32, copy=False)
        previous = self._previous
        if self.strength <= 0 or previous is None or previous.shape != alpha.shape:
            self._previous = alpha.copy()
            return alpha
        # Uncertainty 1 at alpha 0.5, 0 at alpha 0 or 1.
        uncertainty = 1.0 - np.abs(2.0 * alpha - 1.0)
        keep = self.strength * uncertainty
        out = alpha + keep * (previous - alpha)
        self._previous = out
        return out


def box_mean(image: np.ndarray, radius: int) -> np.ndarray:
    """Mean over a (2r+1)^2 window, float32, edges reflected."""
    return cv2.blur(image, (2 * radius + 1, 2 * radius + 1), borderType=cv2.BORDER_REFLECT)


def guided_upsample(alpha: np.ndarray, guide_bgr: np.ndarray, radius: int = 4,
                    eps: float = 1e-3, work_long_edge: int = 480) -> np.ndarray:
    """Edge-aware upsampling of a low-resolution alpha to the guide's size.

    A fast guided filter (He & Sun 2015): the linear model that maps the grey
    guide to alpha is fitted at ``work_long_edge`` resolution, then its
    coefficients are upsampled and applied to the full-resolution guide, so the
    cut follows the frame's real edges at a fraction of the full filter's cost.

    alpha: hxw float32 [0, 1]; guide_bgr: HxWx3 uint8.  Returns HxW float32 [0, 1].
    """
    full_h, full_w = guide_bgr.shape[:2]
    guide_small = small_copy(guide_bgr, work_long_edge)
    h, w = guide_small.shape[:2]
    g = cv2.cvtColor(guide_small, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    a = cv2.resize(alpha.astype(np.float32, copy=False), (w, h), interpolation=cv2.INTER_LINEAR)
    r = max(1, round(radius * w / full_w)) if w < full_w else radius
    mean_g, mean_a = box_mean(g, r), box_mean(a, r)
    var_g = box_mean(g * g, r) - mean_g * mean_g
    cov_ga = box_mean(g * a, r) - mean_g * mean_a
    coef_a = cov_ga / (var_g + eps)
    coef_b = mean_a - coef_a * mean_g
    coef_a, coef_b = box_mean(coef_a, r), box_mean(coef_b, r)
    if (w, h) != (full_w, full_h):
        coef_a = cv2.resize(coef_a, (full_w, full_h), interpolation=cv2.INTER_LINEAR)
        coef_b = cv2.resize(coef_b, (full_w, full_h), interpolation=cv2.INTER_LINEAR)
    full_g = cv2.cvtColor(guide_bgr, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    return np.clip(coef_a * full_g + coef_b, 0.0, 1.0)


def upsample(alpha: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Plain bilinear resize of an alpha to ``size`` (width, height)."""
    if alpha.shape[1] == size[0] and alpha.shape[0] == size[1]:
        return alpha
    return cv2.resize(alpha, size, interpolation=cv2.INTER_LINEAR)


def feather(alpha: np.ndarray, pixels: float) -> np.ndarray:
    """Soften the cut edge over about ``pixels`` pixels (Gaussian, sigma = pixels / 2)."""
    if pixels <= 0:
        return alpha
    return cv2.GaussianBlur(alpha, (0, 0), sigmaX=pixels / 2.0)


def composite(frame: np.ndarray, scene: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """frame * alpha + scene * (1 - alpha); all HxW(x3), alpha float32 [0, 1]."""
    weight = np.ascontiguousarray(alpha, dtype=np.float32)
    return cv2.blendLinear(frame, scene, weight, 1.0 - weight)


def blur_background(frame: np.ndarray, sigma_fraction: float) -> np.ndarray:
    """The frame itself, heavily blurred: the 'blur' scene.  Computed small for speed."""
    h, w = frame.shape[:2]
    small = small_copy(frame, 320)
    sigma = max(1.0, sigma_fraction * small.shape[0])
    blurred = cv2.GaussianBlur(small, (0, 0), sigmaX=sigma)
    return cv2.resize(blurred, (w, h), interpolation=cv2.INTER_LINEAR)


def contain_fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale ``image`` to fit inside ``size`` (width, height), keeping its aspect ratio."""
    h, w = image.shape[:2]
    scale = min(size[0] / w, size[1] / h)
    new = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(image, new, interpolation=interp)
