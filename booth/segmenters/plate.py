"""The ``plate`` segmenter: learn the empty scene, then cut what differs from it.

The booth's camera does not move, so the best background model is a picture of
the empty scene (the "plate").  :class:`PlateModel` learns it over N frames while
the status line asks guests to step out of the picture, compares each frame to
it in colour (CIE Lab, so a red shirt on a grey wall of equal brightness still
differs), and keeps following slow light changes by blending the frame into the
plate wherever nobody stands.  ``fused`` reuses :class:`PlateModel`.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from booth.matte import small_copy
from booth.segmenters import SegmenterBase, parse_options, register
from booth.segmenters._ops import clean_mask, ellipse, smoothstep, soften


class PlateOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Frames averaged into the empty plate (at 25 fps, 60 = 2.4 s).
    frames: int = Field(60, ge=1, le=5000)
    # Long edge of the frame the segmenter works on, pixels (small = fast).
    work_size: int = Field(256, ge=32, le=2048)
    # Colour distance to the plate (Lab units, beyond twice the pixel's own noise)
    # above which a pixel is person.  Office video: 4 -> mIoU 0.67, 8 -> 0.92.
    threshold: float = Field(8.0, gt=0, le=100)
    # Weight of lightness against colour: below 1, shadows and light changes
    # (mostly lightness) matter less than a different colour.
    luma_weight: float = Field(0.5, ge=0, le=4)
    # How fast the plate follows the scene where nobody stands (fraction per frame).
    adapt: float = Field(0.01, ge=0, le=1)
    # Blobs smaller than this fraction of the largest one are noise.
    min_blob: float = Field(0.05, ge=0, le=1)


class PlateModel:
    """The learned empty scene at work size: Lab mean and per-pixel noise.

    Arrays: ``lab`` frames are HxWx3 float32 (L 0..100, a and b about -128..127).
    """

    def __init__(self, frames: int, luma_weight: float, adapt: float) -> None:
        self.frames, self.adapt_rate = frames, adapt
        self._weights = np.array([luma_weight, 1.0, 1.0], np.float32)
        self.reset()

    def reset(self) -> None:
        """Forget the plate; the next ``frames`` frames learn a new one."""
        self.count = 0
        self.plate: np.ndarray | None = None
        self._sum: np.ndarray | None = None
        self._sum_sq: np.ndarray | None = None
        self.noise: np.ndarray | None = None

    @property
    def learning(self) -> bool:
        return self.plate is None

    def status(self) -> str | None:
        """The line for the screen while learning; None once the plate is ready."""
        if not self.learning:
            return None
        return f"step out of the picture: learning {self.count}/{self.frames}"

    @staticmethod
    def lab(frame_bgr: np.ndarray) -> np.ndarray:
        """HxWx3 uint8 BGR -> float32 Lab, lightly blurred against sensor noise."""
        blurred = cv2.GaussianBlur(frame_bgr, (3, 3), 0)
        return cv2.cvtColor(blurred.astype(np.float32) * (1.0 / 255.0), cv2.COLOR_BGR2Lab)

    def learn(self, lab: np.ndarray) -> None:
        """Add one empty frame; the plate is ready after ``frames`` of them."""
        if self._sum is None or self._sum.shape != lab.shape:
            self._sum, self._sum_sq, self.count = np.zeros_like(lab), np.zeros_like(lab), 0
        assert self._sum_sq is not None
        self._sum += lab
        self._sum_sq += lab * lab
        self.count += 1
        if self.count >= self.frames:
            mean = self._sum / self.count
            var = np.maximum(self._sum_sq / self.count - mean * mean, 0.0)
            # One noise level per pixel: the weighted distance of a typical frame.
            self.noise = np.sqrt(var @ (self._weights ** 2)).astype(np.float32)
            self.plate = mean.astype(np.float32)
            self._sum = self._sum_sq = None

    def distance(self, lab: np.ndarray) -> np.ndarray:
        """HxW float32 colour distance to the plate, less the pixel's own noise."""
        assert self.plate is not None and self.noise is not None
        plate, noise = self.plate, self.noise
        if plate.shape != lab.shape:
            # A photo of another aspect than the live view: compare at its size.
            size = (lab.shape[1], lab.shape[0])
            plate, noise = cv2.resize(plate, size), cv2.resize(noise, size)
        diff = (lab - plate) * self._weights
        return np.sqrt(np.einsum("ijk,ijk->ij", diff, diff)) - 2.0 * noise

    def follow(self, lab: np.ndarray, person: np.ndarray) -> None:
        """Blend the frame into the plate where nobody stands.

        ``person`` is an HxW 0/255 mask; it is widened by 2.5 % of the width so
        that a missed sliver of someone's edge is not learned as background.
        """
        if self.adapt_rate <= 0 or self.plate is None or self.plate.shape != lab.shape:
            return
        near = cv2.dilate(person, ellipse(max(2, person.shape[1] // 40)))
        rate = np.where(near > 0, 0.0, self.adapt_rate).astype(np.float32)[..., None]
        self.plate += rate * (lab - self.plate)


def soft_rim(mask: np.ndarray, distance: np.ndarray, threshold: float) -> np.ndarray:
    """Soft alpha: the cleaned 0/255 mask, graded by colour distance on its rim.

    A pixel on the edge that is only half as different from the plate as the
    threshold is half person (hair, motion blur); inside and outside the rim
    the cleaned mask decides (office video: boundary F 0.836 -> 0.847).
    """
    rim = cv2.dilate(mask, ellipse(1)) != cv2.erode(mask, ellipse(1))
    graded = smoothstep(distance, 0.5 * threshold, 1.5 * threshold)
    return np.where(rim, graded, soften(mask)).astype(np.float32)


class PlateSegmenter(SegmenterBase):
    """Person = whatever differs in colour from the learned empty scene."""

    name = "plate"

    def __init__(self, opts: PlateOptions) -> None:
        self.opts = opts
        self.model = PlateModel(opts.frames, opts.luma_weight, opts.adapt)

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        """Alpha at work size (float32 [0, 1]); all background while learning."""
        lab = PlateModel.lab(small_copy(frame_bgr, self.opts.work_size))
        if self.model.learning:
            self.model.learn(lab)
            return np.zeros(lab.shape[:2], np.float32)
        distance = self.model.distance(lab)
        mask = clean_mask(np.where(distance >= self.opts.threshold, 255, 0).astype(np.uint8),
                          self.opts.min_blob)
        self.model.follow(lab, mask)
        return soft_rim(mask, distance, self.opts.threshold)

    def status(self) -> str | None:
        return self.model.status()

    def reset(self) -> None:
        self.model.reset()



@register("plate")
def make(options: dict[str, Any]) -> PlateSegmenter:
    """Factory for the registry: see :class:`PlateOptions`."""
    return PlateSegmenter(parse_options(PlateOptions, options, "plate"))
