"""The ``chroma`` segmenter: key out a plain backdrop (green or blue screen, or any colour).

The backdrop colour comes from the config (``green``, ``blue`` or ``#RRGGBB``)
or is sampled from a region of interest of the first frame after a reset.
Alpha grows with the colour distance to the key in the CrCb plane of YCrCb,
where a backdrop's brightness falling off towards its edges or in a guest's
shadow hardly moves it.  :func:`despill` removes the backdrop's tint from hair
and edges; the pipeline calls it on the frame before compositing.
"""

from __future__ import annotations

import re
from typing import Any

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from booth.matte import small_copy
from booth.segmenters import SegmenterBase, parse_options, register
from booth.segmenters._ops import smoothstep

# Typical chroma-key paints, BGR.
NAMED_KEYS = {"green": (64, 177, 0), "blue": (187, 71, 0)}


class ChromaOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Backdrop colour: "green", "blue" or "#RRGGBB"; ignored when roi is set.
    color: str = "green"
    # Sample the backdrop colour instead, from this box of the first frame:
    # [x, y, width, height] as fractions of the frame (e.g. [0, 0, 1, 0.1] = top strip).
    roi: tuple[float, float, float, float] | None = None
    # Chroma distance (CrCb units, 0..~180) still counted as pure backdrop.
    tolerance: float = Field(18.0, ge=0, le=255)
    # Distance over which alpha rises from 0 to 1 beyond the tolerance.
    softness: float = Field(22.0, gt=0, le=255)
    # Weight of brightness difference against chroma (0 = pure chroma key).
    luma_weight: float = Field(0.1, ge=0, le=4)
    # Long edge of the frame worked on, pixels.
    work_size: int = Field(1024, ge=32, le=4096)

    @field_validator("color")
    @classmethod
    def _colour(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in NAMED_KEYS and not re.fullmatch(r"#[0-9a-f]{6}", value):
            raise ValueError("must be 'green', 'blue' or a hex colour like '#00b140'")
        return value

    @field_validator("roi")
    @classmethod
    def _box(cls, value: tuple[float, float, float, float] | None
             ) -> tuple[float, float, float, float] | None:
        if value is not None:
            x, y, w, h = value
            if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 - x and 0 < h <= 1 - y):
                raise ValueError("must be [x, y, width, height] fractions inside the frame")
        return value


def key_bgr(color: str) -> tuple[int, int, int]:
    """A named or #RRGGBB colour as a BGR triple."""
    if color in NAMED_KEYS:
        return NAMED_KEYS[color]
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return b, g, r


def sample_key(frame_bgr: np.ndarray, roi: tuple[float, float, float, float]
               ) -> tuple[int, int, int]:
    """Median BGR colour inside ``roi`` (fractions x, y, w, h) of the frame."""
    h, w = frame_bgr.shape[:2]
    x0, y0 = int(roi[0] * w), int(roi[1] * h)
    x1, y1 = max(x0 + 1, int((roi[0] + roi[2]) * w)), max(y0 + 1, int((roi[1] + roi[3]) * h))
    patch = frame_bgr[y0:y1, x0:x1].reshape(-1, 3)
    b, g, r = np.median(patch, axis=0)
    return int(b), int(g), int(r)


def _ycrcb(bgr: np.ndarray) -> np.ndarray:
    """HxWx3 (or 1x1x3) uint8 BGR -> float32 YCrCb, 0..255."""
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2YCrCb).astype(np.float32)


def _key_ycrcb(key: tuple[int, int, int]) -> np.ndarray:
    return _ycrcb(np.array([[key]], np.uint8))[0, 0]


def despill(frame_bgr: np.ndarray, key: tuple[int, int, int], strength: float = 1.0
            ) -> np.ndarray:
    """``frame_bgr`` (HxWx3 uint8) with the key colour's tint removed.

    In the CrCb plane each pixel's chroma loses its component towards the key's
    chroma (only when it leans that way), brightness untouched: green-lit hair
    turns neutral, a red shirt stays red.  Works for any key colour.
    """
    ycc = _ycrcb(frame_bgr)
    direction = _key_ycrcb(key)[1:] - 128.0
    norm = float(np.linalg.norm(direction))
    if norm < 1e-3:  # a grey key has no hue to remove
        return frame_bgr
    unit = direction / norm
    chroma = ycc[..., 1:] - 128.0
    towards = np.maximum(chroma @ unit, 0.0) * strength
    ycc[..., 1:] = chroma - towards[..., None] * unit + 128.0
    return cv2.cvtColor(np.clip(ycc, 0, 255).astype(np.uint8), cv2.COLOR_YCrCb2BGR)


class ChromaSegmenter(SegmenterBase):
    """Person = whatever is far enough from the backdrop colour."""

    name = "chroma"

    def __init__(self, opts: ChromaOptions) -> None:
        self.opts = opts
        self.key: tuple[int, int, int] | None = None if opts.roi else key_bgr(opts.color)

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        """Alpha at work size (float32 [0, 1])."""
        small = small_copy(frame_bgr, self.opts.work_size)
        if self.key is None:
            assert self.opts.roi is not None
            self.key = sample_key(small, self.opts.roi)
        diff = _ycrcb(small) - _key_ycrcb(self.key)
        diff[..., 0] *= self.opts.luma_weight
        distance = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
        tol = self.opts.tolerance
        return smoothstep(distance, tol, tol + self.opts.softness)

    def foreground(self, frame_bgr: np.ndarray) -> np.ndarray:
        """The frame to composite: ``frame_bgr`` despilled against the current key.

        The optional ``foreground`` hook of the Segmenter protocol: the pipeline
        applies it before blending.
        """
        return frame_bgr if self.key is None else despill(frame_bgr, self.key)


    def reset(self) -> None:
        """Re-sample the backdrop on the next frame (when keyed from a region)."""
        if self.opts.roi:
            self.key = None



@register("chroma")
def make(options: dict[str, Any]) -> ChromaSegmenter:
    """Factory for the registry: see :class:`ChromaOptions`."""
    return ChromaSegmenter(parse_options(ChromaOptions, options, "chroma"))
