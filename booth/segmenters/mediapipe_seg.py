"""The ``mediapipe`` segmenter: MediaPipe selfie segmentation via the Tasks API.

Both model files ship inside the ``mediapipe==0.10.21`` wheel
(``mediapipe/modules/selfie_segmentation/*.tflite``); ``model`` points at any
other compatible file, so a newer model can be dropped in by path.  Quality
comes from averaging the two bundled models, a zoomed second pass on small
figures and, for photo-sized frames, a mirrored pass (docs/segmenters.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from booth.segmenters import SegmenterBase, SegmenterError, parse_options, register

_BUNDLED = {
    "general": "selfie_segmentation.tflite",  # 256x256 input
    "landscape": "selfie_segmentation_landscape.tflite",  # 144x256 input
}


class MediaPipeOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # 'general' (256x256), 'landscape' (144x256), or 'both' averaged (best quality,
    # twice the cost); all bundled with mediapipe.
    variant: Literal["general", "landscape", "both"] = "both"
    # Path of another .tflite selfie model; overrides 'variant' when set.
    model: str = ""
    # A second pass on a crop around the people when their box covers less than
    # this fraction of the frame (0 = never): small figures get more model pixels.
    crop_below: float = Field(0.7, ge=0, le=1)
    # Margin added around the people's box for that crop, as a fraction of the box.
    crop_margin: float = Field(0.3, ge=0, le=2)
    # Frames with a long edge above this many pixels are photos: they get every
    # model, the crop pass and a mirrored pass (about 17 ms of CPU at 512 px).
    # Smaller frames (the live view's 256 px) get one pass of the first model (about 3 ms),
    # since the booth segments up to 30 of them a second.  0 = every frame is a photo.
    photo_above: int = Field(256, ge=0)


def bundled_model(variant: str) -> Path:
    """Path of a selfie model shipped in the mediapipe wheel."""
    import mediapipe

    return Path(mediapipe.__file__).parent / "modules" / "selfie_segmentation" / _BUNDLED[variant]


class _Model:
    """One selfie .tflite model behind MediaPipe's ImageSegmenter."""

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

    def person(self, rgb: np.ndarray) -> np.ndarray:
        """Person confidence, HxW float32 [0, 1], for a contiguous HxWx3 RGB image."""
        result = self._segmenter.segment(self._mp.Image(image_format=self._mp.ImageFormat.SRGB,
                                                        data=rgb))
        masks = result.confidence_masks
        if len(masks) == 1:
            return masks[0].numpy_view().astype(np.float32, copy=True)
        # Multiclass selfie models: class 0 is background, so person = 1 - background.
        return 1.0 - masks[0].numpy_view().astype(np.float32)

    def close(self) -> None:
        self._segmenter.close()


def person_box(alpha: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) around alpha >= 0.5, end exclusive; None if nobody is there."""
    ys, xs = np.nonzero(alpha >= 0.5)
    if xs.size == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def grow_box(box: tuple[int, int, int, int], margin: float, width: int, height: int
             ) -> tuple[int, int, int, int]:
    """``box`` grown by ``margin`` of its size on each side, clipped to the image."""
    x0, y0, x1, y1 = box
    # A few pixels more so that even a tiny box gets some context.
    grow_x, grow_y = int(margin * (x1 - x0)) + 4, int(margin * (y1 - y0)) + 4
    x0, x1 = max(0, x0 - grow_x), min(width, x1 + grow_x)
    y0, y1 = max(0, y0 - grow_y), min(height, y1 + grow_y)
    return x0, y0, x1, y1


class MediaPipeSegmenter(SegmenterBase):
    """Soft person alpha from MediaPipe selfie models, with a zoomed second pass."""

    name = "mediapipe"

    def __init__(self, model_paths: list[Path], crop_below: float = 0.0,
                 crop_margin: float = 0.3, photo_above: int = 0) -> None:
        self._models: list[_Model] = []
        try:
            for path in model_paths:
                self._models.append(_Model(path))
        except SegmenterError:
            self.close()
            raise
        self.crop_below, self.crop_margin, self.photo_above = crop_below, crop_margin, photo_above

    def _person(self, rgb: np.ndarray, models: list[_Model]) -> np.ndarray:
        """Mean person confidence of ``models`` for an HxWx3 RGB image."""
        rgb = np.ascontiguousarray(rgb)
        alphas = [model.person(rgb) for model in models]
        return alphas[0] if len(alphas) == 1 else np.mean(alphas, axis=0, dtype=np.float32)

    def _zoomed(self, rgb: np.ndarray, models: list[_Model]) -> np.ndarray:
        """Whole-frame pass, then a second pass on a crop when the people are small."""
        alpha = self._person(rgb, models)
        box = person_box(alpha) if self.crop_below > 0 else None
        if box is None or (box[2] - box[0]) * (box[3] - box[1]) >= self.crop_below * alpha.size:
            return alpha
        # The model sees 256 pixels whatever the input: a crop gives a small
        # figure more of them (portraits: mIoU 0.88 -> 0.90).
        x0, y0, x1, y1 = grow_box(box, self.crop_margin, alpha.shape[1], alpha.shape[0])
        alpha[y0:y1, x0:x1] = self._person(rgb[y0:y1, x0:x1], models)
        return alpha

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        """Person alpha, float32 [0, 1], same size as ``frame_bgr`` (HxWx3 uint8)."""
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        if max(rgb.shape[:2]) <= self.photo_above:
            # The live view's budget: the first model only (with its crop pass).
            return self._zoomed(rgb, self._models[:1])
        # The models are not mirror-symmetric: averaging both views evens out
        # their errors at the edges (portraits: boundary F 0.829 -> 0.839).
        return 0.5 * (self._zoomed(rgb, self._models)
                      + self._zoomed(rgb[:, ::-1], self._models)[:, ::-1])



    def close(self) -> None:
        for model in self._models:
            model.close()


@register("mediapipe")
def make(options: dict[str, Any]) -> MediaPipeSegmenter:
    """Factory for the registry: see :class:`MediaPipeOptions`."""
    opts = parse_options(MediaPipeOptions, options, "mediapipe")
    if opts.model:
        paths = [Path(opts.model).expanduser()]
    elif opts.variant == "both":
        # General first: the live view uses the first model alone, and it cuts
        # the office video's small figure better (mIoU 0.883 against 0.845 at
        # 256 px) for about 4 ms more per matte.
        paths = [bundled_model("general"), bundled_model("landscape")]
    else:
        paths = [bundled_model(opts.variant)]
    return MediaPipeSegmenter(paths, opts.crop_below, opts.crop_margin, opts.photo_above)
