"""The ``mog2`` segmenter: OpenCV's Gaussian-mixture background subtractor, booth-tuned.

Out of the box MOG2 learns at 1/history per frame, so a guest who stands still
melts into the background within seconds (the seed blog's 0.176 mIoU).  Here it
learns fast only while warming up on the empty scene, then very slowly; its
shadow label counts as background; and the raw mask is cleaned into solid figures.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from booth.matte import small_copy
from booth.segmenters import SegmenterBase, parse_options, register
from booth.segmenters._ops import clean_mask, soften

_FOREGROUND = 255  # MOG2 marks shadows 127
_RELIGHT_RATE = 0.2  # per frame while the whole scene differs: a few frames absorb new light


class Mog2Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Frames of the empty scene learned at full speed first (guests step out).
    warmup: int = Field(60, ge=1, le=5000)
    # Learning rate afterwards, per frame: 0.0002 takes minutes at 25 fps to absorb
    # a change, so someone standing still stays cut out for a whole photo session.
    learning_rate: float = Field(0.0002, ge=0, le=1)
    # Squared Mahalanobis distance for a pixel to match a mixture component.
    var_threshold: float = Field(24.0, gt=0, le=1000)
    # Share of the mixture weight that counts as background.  Lower = a new
    # colour (a guest standing still) needs more weight before it is absorbed:
    # at 0.5 and the rate above that takes ~2 min instead of OpenCV's seconds.
    background_ratio: float = Field(0.5, gt=0, le=1)
    # Lowest per-channel variance of a mode; higher ignores more sensor noise.
    var_min: float = Field(16.0, gt=0, le=1000)
    # When more than this fraction of the frame changes at once, it is the light
    # (a lamp, the camera's exposure), not a guest: that frame is learned fast.
    relight_fraction: float = Field(0.6, gt=0, le=1)
    # Long edge of the frame worked on, pixels.
    work_size: int = Field(256, ge=32, le=2048)
    # Blobs smaller than this fraction of the largest one are noise.
    min_blob: float = Field(0.05, ge=0, le=1)


class Mog2Segmenter(SegmenterBase):
    """Person = pixels MOG2 finds in no background mode (shadows excluded)."""

    name = "mog2"

    def __init__(self, opts: Mog2Options) -> None:
        self.opts = opts
        self.reset()

    def reset(self) -> None:
        """Start a new background model; the next ``warmup`` frames learn it."""
        self._mog = cv2.createBackgroundSubtractorMOG2(
            history=self.opts.warmup, varThreshold=self.opts.var_threshold, detectShadows=True)
        self._mog.setBackgroundRatio(self.opts.background_ratio)
        self._mog.setVarMin(self.opts.var_min)
        self._seen = 0

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        """Alpha at work size (float32 [0, 1]); all background while warming up."""
        # A light blur: MOG2 is per pixel, and a bilinear shrink keeps sensor noise.
        small = cv2.GaussianBlur(small_copy(frame_bgr, self.opts.work_size), (3, 3), 0)
        warming = self._seen < self.opts.warmup
        # While warming up, 1/(n+1) makes the model the plain average of the frames so far.
        rate = 1.0 / (self._seen + 1) if warming else self.opts.learning_rate
        raw = self._mog.apply(small, learningRate=rate)
        self._seen += 1
        if warming:
            return np.zeros(small.shape[:2], np.float32)
        mask = np.where(raw == _FOREGROUND, 255, 0).astype(np.uint8)
        if np.count_nonzero(mask) > self.opts.relight_fraction * mask.size:
            self._mog.apply(small, learningRate=_RELIGHT_RATE)
        return soften(clean_mask(mask, self.opts.min_blob))

    def status(self) -> str | None:
        if self._seen >= self.opts.warmup:
            return None
        return f"step out of the picture: learning {self._seen}/{self.opts.warmup}"



@register("mog2")
def make(options: dict[str, Any]) -> Mog2Segmenter:
    """Factory for the registry: see :class:`Mog2Options`."""
    return Mog2Segmenter(parse_options(Mog2Options, options, "mog2"))
