"""A third-party segmenter in the smallest form: the left half of the frame is person."""

from __future__ import annotations

from typing import Any

import numpy as np


class HalfSegmenter:
    name = "demo_half"

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        """HxW float32: 1 on the left half, 0 on the right."""
        alpha = np.zeros(frame_bgr.shape[:2], np.float32)
        alpha[:, : frame_bgr.shape[1] // 2] = 1.0
        return alpha

    def status(self) -> str | None:
        return None

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


def make(options: dict[str, Any]) -> HalfSegmenter:
    """The entry point named in pyproject.toml: options table in, segmenter out."""
    return HalfSegmenter(options)
