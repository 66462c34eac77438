"""The ``mediapipe`` segmenter: MediaPipe selfie segmentation via the Tasks API.

The model file ships inside the ``mediapipe==0.10.21`` wheel
(``mediapipe/modules/selfie_segmentation/*.tflite``); ``model`` points at any
other compatible file, so a newer model can be dropped in by path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict

from booth.segmenters import SegmenterError, parse_options, register

_BUNDLED = {
    "general": "selfie_segmentation.tflite",  # 256x256 input
    "landscape": "selfie_segmentation_landscape.tflite",  # 144x256 input
}


class MediaPipeOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # 'general' (256x256) or 'landscape' (144x256), both bundled with mediapipe.
    variant: Literal["general", "landscape"] = "general"
    # Path of another .tflite selfie model; overrides 'variant' when set.
    model: str = ""


def bundled_model(variant: str) -> Path:
    """Path of a selfie model shipped in the mediapipe wheel."""
    import mediapipe

    return Path(mediapipe.__file__).parent / "modules" / "selfie_segmentation" / _BUNDLED[variant]


class MediaPipeSegmenter:
    """Soft person alpha from a MediaPipe ImageSegmenter confidence mask."""

    name = "mediapipe"

    def __init__(self, model_path: Path) -> None:
        if not model_path.is_file():
            raise SegmenterError(f"mediapipe model not found: {model_path}")
        # Import here: mediapipe takes ~1 s to import and other segmenters don't need it.
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        os.environ.setdefault("GLOG_minloglevel", "2")
        try:
            self._segmenter = vision.ImageSegmenter.create_from_options(
                vision.ImageSegmenterOptions(
                    base_options=BaseOptions(model_asset_path=str(model_path)),
                    running_mode=vision.RunningMode.IMAGE,
                    output_confidence_masks=True,
                    output_category_mask=False,
                )
            )
        except (RuntimeError, ValueError) as exc:
            raise SegmenterError(f"mediapipe cannot load {model_path}: {exc}") from exc

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        """Person alpha, float32 [0, 1], same size as ``frame_bgr``."""
        rgb = np.ascontiguousarray(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB))
        result = self._segmenter.segment(self._mp.Image(image_format=self._mp.ImageFormat.SRGB,
                                                        data=rgb))
        masks = result.confidence_masks
        if len(masks) == 1:
            return masks[0].numpy_view().astype(np.float32, copy=True)
        # Multiclass selfie models: class 0 is background, so person = 1 - background.
        return 1.0 - masks[0].numpy_view().astype(np.float32)

    def status(self) -> str | None:
        return None

    def reset(self) -> None:
        pass

    def close(self) -> None:
        self._segmenter.close()


@register("mediapipe")
def make(options: dict[str, Any]) -> MediaPipeSegmenter:
    """Factory for the registry: options ``variant`` and ``model``."""
    opts = parse_options(MediaPipeOptions, options, "mediapipe")
    path = Path(opts.model).expanduser() if opts.model else bundled_model(opts.variant)
    return MediaPipeSegmenter(path)
