"""``otsu`` and ``contour``: the seed blog's experiment 2, for plain, evenly lit backdrops.

No learning and no model: one frame in, one mask out.  ``otsu`` splits the grey
levels in two with Otsu's threshold and calls the class that owns the image
border the backdrop; ``contour`` fills the largest closed outline Canny finds.
Both break down on a busy scene (the office video), which is why the README
tells operators to use them only in front of a plain wall or sheet.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from booth.matte import small_copy
from booth.segmenters import SegmenterBase, parse_options, register
from booth.segmenters._ops import clean_mask, ellipse, soften


class ClassicOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Long edge of the frame worked on, pixels.
    work_size: int = Field(256, ge=32, le=2048)
    # Gaussian blur before thresholding / edge finding, as a fraction of the long edge.
    blur: float = Field(0.01, ge=0, le=0.1)
    # Blobs smaller than this fraction of the largest one are noise (otsu).
    min_blob: float = Field(0.05, ge=0, le=1)


def grey(frame_bgr: np.ndarray, opts: ClassicOptions) -> np.ndarray:
    """The frame at work size, grey and blurred: HxW uint8."""
    small = cv2.cvtColor(small_copy(frame_bgr, opts.work_size), cv2.COLOR_BGR2GRAY)
    sigma = opts.blur * max(small.shape)
    return cv2.GaussianBlur(small, (0, 0), sigma) if sigma > 0 else small


def border_pixels(image: np.ndarray) -> np.ndarray:
    """The outermost ring of pixels of an HxW array, flattened."""
    return np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])


def otsu_mask(grey_u8: np.ndarray) -> np.ndarray:
    """0/255 mask of the Otsu class that does not own most of the image border."""
    _, bright = cv2.threshold(grey_u8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # The backdrop surrounds the guest, so it fills most of the border.
    backdrop_is_bright = np.count_nonzero(border_pixels(bright)) * 2 > border_pixels(bright).size
    return cv2.bitwise_not(bright) if backdrop_is_bright else bright


def contour_mask(grey_u8: np.ndarray) -> np.ndarray:
    """0/255 mask of the largest outline found by Canny, filled."""
    median = float(np.median(grey_u8))
    # The usual automatic Canny thresholds: a band around the median grey level.
    edges = cv2.Canny(grey_u8, 0.66 * median, 1.33 * median)
    # Close small breaks in the outline so that it encloses an area.
    edges = cv2.dilate(edges, ellipse(max(1, max(grey_u8.shape) // 128)))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    mask = np.zeros_like(grey_u8)
    if contours:
        cv2.drawContours(mask, [max(contours, key=cv2.contourArea)], -1, 255, cv2.FILLED)
    return mask


class OtsuSegmenter(SegmenterBase):
    """Person = the Otsu grey-level class away from the border, cleaned."""

    name = "otsu"

    def __init__(self, opts: ClassicOptions) -> None:
        self.opts = opts

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        """Alpha at work size (float32 [0, 1])."""
        mask = clean_mask(otsu_mask(grey(frame_bgr, self.opts)), self.opts.min_blob)
        return soften(mask)





class ContourSegmenter(OtsuSegmenter):
    """Person = the largest closed Canny outline, filled."""

    name = "contour"

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        """Alpha at work size (float32 [0, 1])."""
        return soften(contour_mask(grey(frame_bgr, self.opts)))


@register("otsu")
def make_otsu(options: dict[str, Any]) -> OtsuSegmenter:
    """Factory for the registry: see :class:`ClassicOptions`."""
    return OtsuSegmenter(parse_options(ClassicOptions, options, "otsu"))


@register("contour")
def make_contour(options: dict[str, Any]) -> ContourSegmenter:
    """Factory for the registry: see :class:`ClassicOptions`."""
    return ContourSegmenter(parse_options(ClassicOptions, options, "contour"))
