"""Segmenters: frame in, person alpha out.  One module per family, found by name.

A segmenter module registers a factory with :func:`register`.  Third-party
packages add their own through the entry-point group ``booth.segmenters``; the
entry point names a factory ``(options: dict) -> Segmenter``.  The app never
branches on a segmenter's name: it asks :func:`create` and uses the protocol.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

import numpy as np

ENTRY_POINT_GROUP = "booth.segmenters"

# Built-in families; each module calls register() on import.
_BUILTIN_MODULES = ("none", "mediapipe_seg", "plate", "fused", "chroma", "mog2", "classic")


@runtime_checkable
class Segmenter(Protocol):
    """Cuts the person out of a frame."""

    name: str

    def segment(self, frame_bgr: np.ndarray) -> np.ndarray:
        """Alpha of the person for ``frame_bgr`` (HxWx3 uint8 BGR).

        Returns float32 in [0, 1] of any size (the caller resizes it to the frame).
        """
        ...

    def status(self) -> str | None:
        """A short line for the screen while not ready ("learning 12/60"); None when ready."""
        ...

    def reset(self) -> None:
        """Forget learned state (a new empty plate, new lighting)."""
        ...

    def close(self) -> None:
        """Release the model or other resources."""
        ...


# Optional: a segmenter may also offer ``foreground(frame_bgr) -> frame_bgr``, the
# frame with the person's colours cleaned (chroma removes the backdrop's spill);
# the pipeline applies it before blending, for the live view and the photo.


class SegmenterBase:
    """The protocol's housekeeping for segmenters that need none of it.

    Always ready, nothing learned to forget, nothing to release; a segmenter
    overrides what it does have (plate's learning status, mediapipe's close).
    """

    def status(self) -> str | None:
        return None

    def reset(self) -> None:
        return None

    def close(self) -> None:
        return None


class SegmenterError(Exception):
    """A segmenter cannot be made: unknown name, missing model, bad options."""


Factory = Callable[[dict[str, Any]], Segmenter]
_REGISTRY: dict[str, Factory] = {}


def register(name: str) -> Callable[[Factory], Factory]:
    """Decorator: make ``factory`` available as segmenter ``name``."""

    def wrap(factory: Factory) -> Factory:
        _REGISTRY[name] = factory
        return factory

    return wrap


def _load_all() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(f"{__name__}.{module}")
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name not in _REGISTRY:
            _REGISTRY[entry.name] = _lazy(entry)


def _lazy(entry: Any) -> Factory:
    # Import third-party code only when it is chosen: a broken plug-in must not
    # stop the booth from starting with the built-ins.
    def factory(options: dict[str, Any]) -> Segmenter:
        try:
            return entry.load()(options)
        except Exception as exc:  # plug-in code: anything can happen
            raise SegmenterError(f"segmenter {entry.name!r} failed to load: {exc}") from exc

    return factory


def available() -> list[str]:
    """Names of every segmenter that can be chosen, sorted."""
    _load_all()
    return sorted(_REGISTRY)


def create(name: str, options: dict[str, Any] | None = None) -> Segmenter:
    """Make segmenter ``name`` with its options table; SegmenterError names valid choices."""
    _load_all()
    factory = _REGISTRY.get(name)
    if factory is None:
        raise SegmenterError(
            f"unknown segmenter {name!r}; choose one of: {', '.join(available())}"
        )
    return factory(dict(options or {}))


def parse_options(model: type[Any], options: dict[str, Any], segmenter: str) -> Any:
    """Validate a segmenter's options table with its pydantic ``model``.

    Raises SegmenterError naming ``segmenter.options.<name>.<key>`` and what is allowed.
    """
    from pydantic import ValidationError

    from booth.config import _describe

    try:
        return model.model_validate(options)
    except ValidationError as exc:
        first = exc.errors()[0]
        key, why = _describe(first)
        raise SegmenterError(f"segmenter.options.{segmenter}.{key} {why}.") from None
