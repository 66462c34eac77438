"""The ``none`` segmenter: everything is person, so the camera shows unchanged."""

from __future__ import annotations

from typing import Any

import numpy as np

from booth.segmenters import SegmenterBase, SegmenterError, register


class NoneSegmenter(SegmenterBase):
    """Alpha 1 everywhere: no background replacement."""

    name = "none"
    ONE = np.ones((1, 1), np.float32)  # alpha 1: the camera shown unchanged

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        """1x1 alpha of 1.0 (the caller stretches it to the frame)."""
        return self.ONE

@register("none")
def make(options: dict[str, Any]) -> NoneSegmenter:
    """Factory for the registry; ``none`` takes no options."""
    if options:
        raise SegmenterError(f"segmenter.options.none takes no options (got {sorted(options)}).")
    return NoneSegmenter()
