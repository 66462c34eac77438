"""Alpha refinement and compositing: plain functions over numpy arrays.

Floor 1 of the design: numpy/OpenCV in, numpy out; no pygame, no threads.
Shapes: frames and scenes are HxWx3 uint8 (BGR unless named ``rgb``; most
functions here do not care about channel order); alphas are HxW float32 in
[0, 1] unless named ``_u8`` (HxW uint8, 255 = person).  Functions that take
``out=`` write into that preallocated array and return it, so a caller that
keeps its arrays (see :class:`Buffers`) allocates nothing per frame.
"""

from __future__ import annotations

import cv2
import numpy as np

# MediaPipe's SegmentationSmoothingCalculator: a polynomial in t = (p - 0.5)^2
# approximating 1 - (1 - H(p))^2, H the binary entropy of the new alpha p.
_UNCERTAINTY_POLY = (5.68842, -0.748699, -57.8051, 291.309, -624.717)

UNCERTAINTY_GAMMA = 0.3  # < 1 widens MediaPipe's uncertainty curve (see uncertainty())
UNCERTAINTY_FLOOR = -1e-3  # uncertainties below 1e-3 count as none at all
# A pixel whose colour changed by this many levels (of 255, in its most changed
# channel, averaged over a (2r+1)^2 window) has moved; less is camera noise or
# stillness.  12 and 2 px: on the office video at 256 px, dtSSD 1.23 against
# 1.67 without the gate (6 levels: 1.43, 24: 1.08 but mIoU starts to drop).
MOTION_LEVELS = 12.0
MOTION_RADIUS = 2
# The smoothed alpha has settled when it is on average this close to the
# model's own answer: a full-strength difference over 0.01 % of the picture.
# An empty office scores about 4e-6 (its model flickers in a few pixels); a
# fading false cut of 0.5 over 1 % of the picture 5e-3.
SETTLED_MEAN = 1e-4

Box = tuple[float, float, float, float]  # (x0, y0, x1, y1), fractions of width and height
FULL_BOX: Box = (0.0, 0.0, 1.0, 1.0)
Rect = tuple[int, int, int, int]  # (x0, y0, x1, y1) in pixels, end exclusive


class Buffers:
    """Named scratch arrays reused from call to call (one instance per thread).

    ``get`` hands back a C-contiguous array carved from a per-name backing
    store that only grows, so a hot loop allocates on its first frames and
    never again, even when the size it asks for changes every frame (the box
    around a moving person).
    """

    def __init__(self) -> None:
        self._stores: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: type = np.uint8) -> np.ndarray:
        """An uninitialised C-contiguous array ``name`` of ``shape`` and ``dtype``."""
        needed = int(np.prod(shape))
        store = self._stores.get(name)
        if store is None or store.size < needed or store.dtype != dtype:
            store = np.empty(needed, dtype)
            self._stores[name] = store
        return store[:needed].reshape(shape)


# ------------------------------------------------------------------ geometry


def shrink_interpolation(scale: float) -> int:
    """OpenCV interpolation for resizing by ``scale``: area averaging below one half.

    Between 1/2 and 1 bilinear barely aliases and is ~10x faster than
    INTER_AREA's general (non-integer) path: 1.7 ms against 15 ms at 1080p.
    """
    return cv2.INTER_AREA if scale < 0.5 else cv2.INTER_LINEAR


def cover_rect(src_size: tuple[int, int], dst_size: tuple[int, int]) -> tuple[int, int, int, int]:
    """(x0, y0, w, h): the centred part of a ``src_size`` image with ``dst_size``'s aspect.

    Sizes are (width, height) in pixels.  Cropping this part and resizing it to
    ``dst_size`` is a cover fit that never stretches; cropping first means the
    resize only touches pixels that are shown.
    """
    (src_w, src_h), (dst_w, dst_h) = src_size, dst_size
    scale = max(dst_w / src_w, dst_h / src_h)
    w, h = min(src_w, max(1, round(dst_w / scale))), min(src_h, max(1, round(dst_h / scale)))
    return (src_w - w) // 2, (src_h - h) // 2, w, h


def cover_fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale ``image`` to cover ``size`` (width, height) and crop the overflow centred.

    Never stretches: the aspect ratio is kept and the excess is cut evenly.
    """
    x0, y0, w, h = cover_rect((image.shape[1], image.shape[0]), size)
    crop = image[y0:y0 + h, x0:x0 + w]
    if (w, h) == tuple(size):
        return np.ascontiguousarray(crop)
    return cv2.resize(crop, tuple(size), interpolation=shrink_interpolation(size[0] / w))


def contain_fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale ``image`` to fit inside ``size`` (width, height), keeping its aspect ratio."""
    h, w = image.shape[:2]
    scale = min(size[0] / w, size[1] / h)
    new = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image, new, interpolation=shrink_interpolation(scale))


def small_copy(frame: np.ndarray, long_edge: int) -> np.ndarray:
    """``frame`` shrunk so its longer side is at most ``long_edge`` pixels."""
    h, w = frame.shape[:2]
    scale = long_edge / max(h, w)
    if scale >= 1:
        return frame
    return cv2.resize(frame, (max(1, round(w * scale)), max(1, round(h * scale))),
                      interpolation=shrink_interpolation(scale))


def resize_into(image: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``image`` resized to ``out``'s size, written into ``out``."""
    h, w = out.shape[:2]
    if image.shape[:2] == (h, w):
        np.copyto(out, image)
        return out
    return cv2.resize(image, (w, h), dst=out,
                      interpolation=shrink_interpolation(w / image.shape[1]))


def rect_difference(a: Rect, b: Rect) -> list[Rect]:
    """The parts of ``a`` not covered by ``b``: at most four rectangles, no overlaps."""
    ax0, ay0, ax1, ay1 = a
    ix0, iy0, ix1, iy1 = max(ax0, b[0]), max(ay0, b[1]), min(ax1, b[2]), min(ay1, b[3])
    if ix0 >= ix1 or iy0 >= iy1:
        return [a]
    parts = [(ax0, ay0, ax1, iy0), (ax0, iy1, ax1, ay1), (ax0, iy0, ix0, iy1),
             (ix1, iy0, ax1, iy1)]
    return [p for p in parts if p[2] > p[0] and p[3] > p[1]]


def fit_rgb(frame_bgr: np.ndarray, rect: tuple[int, int, int, int], mirror: bool,
            out: np.ndarray, buffers: Buffers, box: Box = FULL_BOX) -> np.ndarray:
    """The view of a BGR camera frame, as RGB in ``out``: its part ``rect``, mirrored if asked.

    rect: (x0, y0, w, h) of the frame (:func:`cover_rect`); ``box``: the part
    of the view to produce, as fractions in the view's (mirrored) coordinates;
    ``out`` gets that part at its own size.  A 1:1 part is sliced, anything
    else resized before the colour conversion and the flip.
    """
    x0, y0, w, h = rect
    crop = frame_bgr[y0:y0 + h, x0:x0 + w]
    bx0, by0, bx1, by1 = box
    if mirror:
        bx0, bx1 = 1.0 - bx1, 1.0 - bx0
    px0, py0, px1, py1 = bx0 * w, by0 * h, bx1 * w, by1 * h
    ix0, iy0 = round(px0), round(py0)
    out_h, out_w = out.shape[:2]
    if max(abs(px0 - ix0), abs(py0 - iy0), abs(px1 - px0 - out_w), abs(py1 - py0 - out_h)) < 1e-6:
        part = crop[iy0:iy0 + out_h, ix0:ix0 + out_w]  # 1:1, whole pixels: no resampling
    elif box == FULL_BOX and w > out_w:  # shrinking: area averaging, no aliasing
        part = cv2.resize(crop, (out_w, out_h), dst=buffers.get("fit_part", out.shape),
                          interpolation=cv2.INTER_AREA)
    else:
        part = resize_region(crop, (bx0, by0, bx1, by1), buffers.get("fit_part", out.shape))
    if not mirror:
        return cv2.cvtColor(part, cv2.COLOR_BGR2RGB, dst=out)
    rgb = cv2.cvtColor(part, cv2.COLOR_BGR2RGB, dst=buffers.get("fit_rgb", out.shape))
    return cv2.flip(rgb, 1, dst=out)


# --------------------------------------------------------------- smoothing


def uncertainty(alpha: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """How unsure the model is of each alpha value: 1 at 0.5, 0 at exactly 0 and 1 (float32).

    MediaPipe's curve, one minus the squared certainty (certainty = 1 - binary
    entropy), raised to UNCERTAINTY_GAMMA < 1 to widen it: on the office video
    MediaPipe's own curve (gamma 1) cut the temporal error by 24 %, gamma 0.3
    by 35 %, with mIoU up rather than down (docs/performance.md).  Values
    within a hair of 0 or 1 still count as sure, so a fast move shows at once.
    """
    t = np.subtract(alpha, 0.5, out=out, dtype=np.float32)
    np.multiply(t, t, out=t)
    poly = np.full_like(t, _UNCERTAINTY_POLY[-1])
    for coef in reversed(_UNCERTAINTY_POLY[:-1]):
        np.multiply(poly, t, out=poly)
        np.add(poly, coef, out=poly)
    np.multiply(poly, t, out=t)
    # 1 - t, rescaled so that the polynomial's residue at exactly 0 or 1
    # (about 1e-5, which the power would blow up to 0.05) is 0.
    np.subtract(1.0 + UNCERTAINTY_FLOOR, t, out=t)
    np.clip(t, 0.0, 1.0, out=t)
    return np.power(t, UNCERTAINTY_GAMMA, out=t)


def stillness(picture: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """How still each pixel of the camera picture is: 1 unchanged, 0 moved (float32).

    picture, previous: hxwx3 uint8, same size and channel order.  A pixel's
    change is its most changed channel (so a red sleeve over a grey wall of
    the same brightness still counts), averaged over a small window so that
    sensor noise does not count; MOTION_LEVELS of change or more is 0.
    """
    # Per channel with cv2: ndarray.max(axis=2) is about 7x slower.
    b, g, r = cv2.split(cv2.absdiff(picture, previous))
    size = 2 * MOTION_RADIUS + 1
    change = cv2.boxFilter(cv2.max(cv2.max(b, g), r), cv2.CV_32F, (size, size),
                           borderType=cv2.BORDER_REFLECT)
    np.multiply(change, -1.0 / MOTION_LEVELS, out=change)
    np.add(change, 1.0, out=change)
    return np.clip(change, 0.0, 1.0, out=change)


class TemporalSmoother:
    """Settles an alpha sequence where it flickers, follows it where the guest moves.

    Each new alpha is pulled towards the previous smoothed one by
    ``strength * max(uncertainty, stillness)``:

    - where the model is unsure (MediaPipe's own smoothing rule), and
    - where the camera picture did not change: an alpha change there is the
      model's flicker, not the guest, even when the model is sure of it.
      This is what stops sure edges from crawling; MediaPipe's rule alone
      leaves them (office video at 256 px: dtSSD -28 % with it alone, -47 %
      with the gate, mIoU up in both; docs/performance.md).

    Where the model is sure and the picture moved, the new alpha shows at
    once, so a fast mover leaves no ghost.  ``strength`` 0 disables
    smoothing, 1 is the heaviest (MediaPipe uses 0.9).
    """

    def __init__(self, strength: float) -> None:
        self.strength = float(strength)
        self._previous: np.ndarray | None = None
        self._picture: np.ndarray | None = None
        self._weight: np.ndarray | None = None
        self._settled = False

    def reset(self) -> None:
        """Forget the history: the next alpha is taken as it is."""
        self._previous = None
        self._settled = False

    def update(self, alpha: np.ndarray, picture: np.ndarray) -> np.ndarray:
        """Next smoothed alpha (same shape as ``alpha``, float32 [0, 1]).

        alpha: hxw, [0, 1]; picture: the HxWx3 uint8 camera picture it was
        cut from, any size (segmenters may answer at their own size), any
        channel order but the same every call.  The returned array is reused
        by the next call: copy it to keep it.
        """
        alpha = alpha.astype(np.float32, copy=False)
        previous, last_picture = self._previous, self._picture
        picture = self._picture = _picture_at(picture, alpha.shape, copy=True)
        fresh = (previous is None or previous.shape != alpha.shape
                 or last_picture is None or last_picture.shape != picture.shape)
        if fresh or self.strength <= 0:
            self._previous = alpha.copy()
            self._weight = np.empty_like(alpha)
            self._settled = not fresh  # unsmoothed, the alpha is the model's own answer
            return self._previous
        keep = uncertainty(alpha, out=self._weight)
        np.maximum(keep, stillness(picture, last_picture), out=keep)
        keep *= self.strength
        # previous <- alpha + keep * (previous - alpha), in place.
        np.subtract(previous, alpha, out=previous)
        np.multiply(previous, keep, out=previous)
        np.add(previous, alpha, out=previous)
        self._settled = cv2.norm(alpha, previous, cv2.NORM_L1) < SETTLED_MEAN * alpha.size
        return previous

    def holds(self, picture: np.ndarray) -> bool:
        """Whether the last alpha still holds for ``picture`` (as for :meth:`update`).

        True when that alpha had settled (it is, on average, within
        SETTLED_MEAN of the model's own answer) and nothing in the picture has
        moved since the last update's (no pixel changed by MOTION_LEVELS): a new
        alpha would show nothing new, so a caller may skip the segmenter.
        """
        last = self._picture
        if not self._settled or last is None:
            return False
        return float(stillness(_picture_at(picture, last.shape), last).min()) > 0.0


def _picture_at(picture: np.ndarray, shape: tuple[int, ...], copy: bool = False) -> np.ndarray:
    """``picture`` (HxWx3) at the height and width of ``shape``; a copy if asked."""
    h, w = shape[:2]
    if picture.shape[:2] != (h, w):
        return cv2.resize(picture, (w, h), interpolation=cv2.INTER_AREA)
    return picture.copy() if copy else picture


# -------------------------------------------------------------- refinement


def box_mean(image: np.ndarray, radius: int) -> np.ndarray:
    """Mean over a (2r+1)^2 window, float32, edges reflected."""
    return cv2.blur(image, (2 * radius + 1, 2 * radius + 1), borderType=cv2.BORDER_REFLECT)


def gray(image: np.ndarray, out: np.ndarray | None = None, *, rgb: bool = False) -> np.ndarray:
    """Luma of an HxWx3 uint8 image (BGR, or RGB with ``rgb=True``), HxW uint8."""
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY if rgb else cv2.COLOR_BGR2GRAY, dst=out)


def guided_coefficients(alpha: np.ndarray, guide_u8: np.ndarray, radius: int,
                        eps: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """The guided filter's local linear model (He et al.) of alpha against a grey guide.

    alpha: hxw float32 [0, 1]; guide_u8: hxw uint8 grey; radius in pixels of
    that size; ``eps`` regularises flat areas (in (grey/255)^2 units).
    Returns (a, b), hxw float32, with ``alpha * 255 ~ a * grey + b`` for the
    grey in 0..255: those maps can be upsampled and applied to a larger
    guide (:func:`apply_coefficients`), the fast guided filter.
    """
    g = guide_u8.astype(np.float32) * (1.0 / 255.0)
    mean_g, mean_a = box_mean(g, radius), box_mean(alpha, radius)
    var_g = box_mean(g * g, radius) - mean_g * mean_g
    cov_ga = box_mean(g * alpha, radius) - mean_g * mean_a
    coef_a = cov_ga / (var_g + eps)
    coef_b = mean_a - coef_a * mean_g
    return box_mean(coef_a, radius), box_mean(coef_b, radius) * 255.0


def resize_region(src: np.ndarray, box: Box, out: np.ndarray) -> np.ndarray:
    """The part ``box`` of ``src`` resampled bilinearly to fill ``out`` (any dtype, 2-D or 3-D).

    ``box`` is (x0, y0, x1, y1) as fractions of ``src``'s width and height;
    (0, 0, 1, 1) is a plain resize, with the same pixel-centre convention.
    """
    h, w = src.shape[:2]
    out_h, out_w = out.shape[:2]
    x0, y0, x1, y1 = box
    if box == FULL_BOX:
        return cv2.resize(src, (out_w, out_h), dst=out, interpolation=cv2.INTER_LINEAR)
    sx, sy = (x1 - x0) * w / out_w, (y1 - y0) * h / out_h
    # out pixel (u, v) samples src at (x0 w + (u + 0.5) sx - 0.5, likewise for y).
    to_src = np.array([[sx, 0.0, x0 * w + 0.5 * sx - 0.5],
                       [0.0, sy, y0 * h + 0.5 * sy - 0.5]], np.float64)
    return cv2.warpAffine(src, to_src, (out_w, out_h), dst=out,
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


def apply_coefficients(coef_a: np.ndarray, coef_b: np.ndarray, guide_u8: np.ndarray,
                       out_u8: np.ndarray, buffers: Buffers, box: Box = FULL_BOX) -> np.ndarray:
    """``out_u8 = clip(a * grey + b)`` with (a, b) bilinearly upsampled to the guide's size.

    coef_a, coef_b: hxw float32 from :func:`guided_coefficients`; guide_u8 and
    out_u8: HxW uint8, covering the part ``box`` (fractions) of the coefficient
    maps.  Two resamplings, one multiply and one saturating add, in float32
    (OpenCV's mixed-type multiply is several times slower).
    """
    h, w = guide_u8.shape
    if coef_a.shape != (h, w) or box != FULL_BOX:
        coef_a = resize_region(coef_a, box, buffers.get("coef_a", (h, w), np.float32))
        coef_b = resize_region(coef_b, box, buffers.get("coef_b", (h, w), np.float32))
    grey = buffers.get("coef_g", (h, w), np.float32)
    grey[...] = guide_u8
    product = cv2.multiply(grey, coef_a, dst=grey)
    return cv2.add(product, coef_b, dst=out_u8, dtype=cv2.CV_8U)


def person_box(alpha: np.ndarray, margin: int) -> Box | None:
    """(x0, y0, x1, y1) fractions around alpha > 1/255, grown by ``margin`` pixels; None if empty.

    Used to blend only where someone is: beyond a guided filter's reach
    (2 radii) from any non-zero alpha its output is exactly zero.
    """
    cols = np.flatnonzero(alpha.max(axis=0) > 1 / 255)
    if cols.size == 0:
        return None
    rows = np.flatnonzero(alpha.max(axis=1) > 1 / 255)
    h, w = alpha.shape
    return (max(0, cols[0] - margin) / w, max(0, rows[0] - margin) / h,
            min(w, cols[-1] + 1 + margin) / w, min(h, rows[-1] + 1 + margin) / h)


def refine_radius(work_width: int, full_width: int, radius: float) -> int:
    """A filter radius of ``radius`` full-size pixels expressed at the work size (>= 1)."""
    return max(1, round(radius * work_width / full_width))


def guided_upsample(alpha: np.ndarray, guide_bgr: np.ndarray, radius: int = 4,
                    eps: float = 1e-3, work_long_edge: int = 480) -> np.ndarray:
    """Edge-aware upsampling of a low-resolution alpha to the guide's size.

    A fast guided filter (He & Sun 2015): the linear model that maps the grey
    guide to alpha is fitted at ``work_long_edge`` resolution, then its
    coefficients are upsampled and applied to the full-resolution guide, so the
    cut follows the frame's real edges at a fraction of the full filter's cost.

    alpha: hxw float32 [0, 1]; guide_bgr: HxWx3 uint8.  Returns HxW float32 [0, 1]
    (quantised to 1/255).
    """
    full_h, full_w = guide_bgr.shape[:2]
    guide_small = small_copy(guide_bgr, work_long_edge)
    h, w = guide_small.shape[:2]
    a = cv2.resize(alpha.astype(np.float32, copy=False), (w, h), interpolation=cv2.INTER_LINEAR)
    r = refine_radius(w, full_w, radius) if w < full_w else radius
    coef_a, coef_b = guided_coefficients(a, gray(guide_small), r, eps)
    out = apply_coefficients(coef_a, coef_b, gray(guide_bgr), np.empty((full_h, full_w),
                                                                       np.uint8), Buffers())
    return out.astype(np.float32) * (1.0 / 255.0)


def upsample(alpha: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Plain bilinear resize of an alpha to ``size`` (width, height)."""
    if alpha.shape[1] == size[0] and alpha.shape[0] == size[1]:
        return alpha
    return cv2.resize(alpha, size, interpolation=cv2.INTER_LINEAR)


def feather(alpha: np.ndarray, pixels: float, out: np.ndarray | None = None) -> np.ndarray:
    """Soften the cut edge over about ``pixels`` pixels (Gaussian, sigma = pixels / 2).

    Works on float32 or uint8 alphas; with ``pixels`` <= 0 ``alpha`` is
    returned as it is (not copied into ``out``).
    """
    if pixels <= 0:
        return alpha
    return cv2.GaussianBlur(alpha, (0, 0), sigmaX=pixels / 2.0, dst=out)


def quantise(alpha: np.ndarray) -> np.ndarray:
    """A float32 [0, 1] alpha as HxW uint8 (rounded, clipped)."""
    return cv2.convertScaleAbs(np.clip(alpha, 0.0, 1.0), alpha=255.0)


# -------------------------------------------------------------- compositing


def blend(fg: np.ndarray, bg: np.ndarray, alpha_u8: np.ndarray, out: np.ndarray,
          buffers: Buffers) -> np.ndarray:
    """``out = (fg * a + bg * (255 - a)) / 255`` in 8-bit fixed point, within 1 level.

    fg, bg, out: HxWx3 uint8 (out may be fg or bg); alpha_u8: HxW uint8.
    Four saturating OpenCV passes, about 3x faster than a float blend at 1080p.
    """
    shape = fg.shape
    a3 = cv2.cvtColor(alpha_u8, cv2.COLOR_GRAY2RGB, dst=buffers.get("blend_a3", shape))
    fg_part = cv2.multiply(fg, a3, dst=buffers.get("blend_fg", shape), scale=1.0 / 255.0)
    cv2.bitwise_not(a3, dst=a3)
    bg_part = cv2.multiply(bg, a3, dst=buffers.get("blend_bg", shape), scale=1.0 / 255.0)
    return cv2.add(fg_part, bg_part, dst=out)


def composite(frame: np.ndarray, scene: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """frame * alpha + scene * (1 - alpha); all HxW(x3), alpha float32 [0, 1]. New array."""
    return blend(frame, scene, quantise(alpha), np.empty_like(frame), Buffers())


def blur_background(frame: np.ndarray, sigma_fraction: float) -> np.ndarray:
    """The frame itself, heavily blurred: the 'blur' scene.  Computed small for speed."""
    h, w = frame.shape[:2]
    small = small_copy(frame, 320)
    sigma = max(1.0, sigma_fraction * small.shape[0])
    blurred = cv2.GaussianBlur(small, (0, 0), sigmaX=sigma)
    return cv2.resize(blurred, (w, h), interpolation=cv2.INTER_LINEAR)


# -------------------------------------------------------------------- looks

LIGHT_WRAP_SIGMA = 0.02  # of the image height: how far the scene's light reaches in
COLOR_MAX_SHIFT = 40.0  # levels: colour matching moves a channel's mean at most this far
COLOR_MAX_GAIN = 1.5  # and stretches or squeezes its contrast at most this much


def light_wrap_weight(alpha: np.ndarray, strength: float) -> np.ndarray:
    """How much blurred scene to mix into the person, hxw float32 in [0, strength].

    ``strength * (1 - blur(alpha))``: about half of ``strength`` right on the
    rim, fading to 0 a few percent of the height inside the person.  Outside
    the person the weight is high too, but alpha hides it there.
    """
    sigma = max(0.5, LIGHT_WRAP_SIGMA * alpha.shape[0])
    spread = cv2.GaussianBlur(alpha, (0, 0), sigmaX=sigma)
    return (1.0 - np.clip(spread, 0.0, 1.0)) * np.float32(strength)


def scene_glow(scene: np.ndarray) -> np.ndarray:
    """The scene blurred the way light wrap spreads it (same size, uint8).  Once per scene."""
    small = small_copy(scene, 320)
    blurred = cv2.GaussianBlur(small, (0, 0), sigmaX=max(1.0, LIGHT_WRAP_SIGMA * small.shape[0]))
    return cv2.resize(blurred, (scene.shape[1], scene.shape[0]), interpolation=cv2.INTER_LINEAR)


def channel_stats(image: np.ndarray, weight: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel (mean, std) of an HxWx3 image in levels, weighted by an HxW map."""
    pixels = image.reshape(-1, 3).astype(np.float32)
    w = None if weight is None else weight.reshape(-1).astype(np.float32)
    if w is not None and float(w.sum()) < 1.0:
        w = None  # nobody in the picture: nothing to match
    mean = np.average(pixels, axis=0, weights=w)
    std = np.sqrt(np.average((pixels - mean) ** 2, axis=0, weights=w))
    return mean.astype(np.float32), std.astype(np.float32)


def color_match_lut(person: tuple[np.ndarray, np.ndarray], scene: tuple[np.ndarray, np.ndarray],
                    strength: float) -> np.ndarray:
    """A 256x1x3 uint8 lookup table moving the person's colours towards the scene's.

    person, scene: (mean, std) per channel from :func:`channel_stats`.  A
    partial Reinhard transfer: each channel's contrast is scaled by
    (scene std / person std) ** strength and its mean moved by ``strength`` of
    the difference, both bounded so a red wall cannot paint a guest red.
    Apply with ``cv2.LUT`` (one pass over the pixels).
    """
    (p_mean, p_std), (s_mean, s_std) = person, scene
    gain = np.clip((s_std + 1.0) / (p_std + 1.0), 1 / COLOR_MAX_GAIN, COLOR_MAX_GAIN) ** strength
    shift = np.clip(s_mean - p_mean, -COLOR_MAX_SHIFT, COLOR_MAX_SHIFT) * strength
    levels = np.arange(256, dtype=np.float32)[:, None]
    table = (levels - p_mean) * gain + p_mean + shift
    return np.clip(np.rint(table), 0, 255).astype(np.uint8).reshape(256, 1, 3)
