"""The ``fused`` segmenter: the learned empty plate and the neural mask, together.

Each alone fails in its own way.  The selfie model drops what it was not
trained on (a held book, props, hats) and draws a blurry halo; the plate
misses a shirt the colour of the wall behind it.  The camera does not move,
so we can have both:

* the plate's difference is the outline (sharp, and it includes held objects);
* the inside of the neural mask, shrunk away from its blurry edge, fills what
  the plate misses (same-colour shirt);
* difference blobs count only when they touch the neural person, so a moved
  chair or a flicker elsewhere stays background;
* the alpha blends that mask with the neural confidence (a soft, steady edge;
  a confident network overrules the plate on a shadow), except on things only
  the plate sees, like the held book, where the mask alone counts.

While the plate is learned the neural mask alone is used, so the booth works
from the first frame.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from booth.matte import small_copy
from booth.segmenters import parse_options, register
from booth.segmenters._ops import clean_mask, ellipse, soften
from booth.segmenters.mediapipe_seg import MediaPipeOptions
from booth.segmenters.mediapipe_seg import make as make_mediapipe
from booth.segmenters.plate import PlateModel, PlateOptions


class FusedOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The plate's options ([segmenter.options.fused.plate]).
    plate: PlateOptions = Field(default_factory=PlateOptions)
    # The neural model's options ([segmenter.options.fused.mediapipe]).  By default
    # every frame gets mediapipe's full photo treatment: fused is the quality
    # choice, and the plate work beside it is cheap (office: mIoU 0.917 -> 0.96).
    mediapipe: MediaPipeOptions = Field(
        default_factory=lambda: MediaPipeOptions(photo_above=0))
    # How far inside the neural mask's edge it is trusted over the plate, as a
    # fraction of the work frame's long edge (its halo is about this wide).
    core_inset: float = Field(0.03, ge=0, le=0.5)
    # The plate's threshold is scaled by this inside the neural mask (both say
    # person: a faint difference is enough; dark legs on a dark floor) ...
    inside: float = Field(0.5, gt=0, le=4)
    # ... and by this outside it (only the plate says person: demand more, so a
    # guest's shadow on the wall stays background while a held book does not).
    outside: float = Field(1.5, gt=0, le=4)
    # Weight of the neural confidence in the blended alpha (the mask has the rest).
    # Above 0.5 a confident network overrules the plate (a guest's shadow, a
    # lighting change); office video: 0.5 -> mIoU 0.951, 0.7 -> 0.962.
    neural_weight: float = Field(0.7, ge=0, le=1)


class FusedSegmenter:
    """Person = plate difference touching the neural person, plus the neural core."""

    name = "fused"

    def __init__(self, opts: FusedOptions) -> None:
        self.opts = opts
        self.model = PlateModel(opts.plate.frames, opts.plate.luma_weight, opts.plate.adapt)
        self.neural = make_mediapipe(opts.mediapipe.model_dump())

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        """Alpha at work size (float32 [0, 1])."""
        small = small_copy(frame_bgr, self.opts.plate.work_size)
        neural = self.neural.segment(small)
        lab = PlateModel.lab(small)
        if self.model.learning:
            self.model.learn(lab)
            return neural
        person = np.where(neural >= 0.5, 255, 0).astype(np.uint8)
        mask = self._mask(person, self.model.distance(lab), max(small.shape[:2]))
        self.model.follow(lab, mask | person)
        return self._blend(mask, neural, person)

    def _mask(self, person: np.ndarray, distance: np.ndarray, long_edge: int) -> np.ndarray:
        """0/255 union of plate difference and neural core, cleaned and tied to the person."""
        threshold = self.opts.plate.threshold * np.where(person > 0, self.opts.inside,
                                                         self.opts.outside)
        inset = round(self.opts.core_inset * long_edge)
        core = cv2.erode(person, ellipse(inset)) if inset > 0 else person
        mask = np.where(distance >= threshold, 255, core).astype(np.uint8)
        return clean_mask(mask, self.opts.plate.min_blob, seeds=person)

    def _blend(self, mask: np.ndarray, neural: np.ndarray, person: np.ndarray) -> np.ndarray:
        """Soft alpha: mask and neural confidence blended, the mask alone on held objects.

        Blending gives a soft, steady edge, and where the two disagree near the
        person the more certain one wins; away from the neural person (a book
        at arm's length) only the plate knows, so its mask counts alone there.
        """
        soft = soften(mask)
        near_person = cv2.dilate(person, ellipse(max(1, round(0.012 * max(mask.shape))))) > 0
        only_plate = (soft > 0.5) & ~near_person
        weight = self.opts.neural_weight
        return np.where(only_plate, soft, (1 - weight) * soft + weight * neural).astype(np.float32)

    def status(self) -> str | None:
        return self.model.status()

    def reset(self) -> None:
        self.model.reset()

    def close(self) -> None:
        self.neural.close()


@register("fused")
def make(options: dict[str, Any]) -> FusedSegmenter:
    """Factory for the registry: see :class:`FusedOptions`."""
    return FusedSegmenter(parse_options(FusedOptions, options, "fused"))
