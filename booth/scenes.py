"""SceneDeck: the backgrounds guests flip through.

Every jpg/png/webp in the scenes folder, plus the built-ins ``blur`` (the real
background, blurred) and ``none`` (the camera unchanged).  Images are decoded
once, fitted by cover-crop (never stretched) and cached at display size; the
folder is rescanned so an operator can drop in a file during the event.  Bad
files (corrupt, truncated, empty, decompression-bomb sized, not images) are
skipped with a warning.  The scenes folder is read here and nowhere else.
"""

from __future__ import annotations

import logging
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from booth.matte import blur_background, cover_fit

log = logging.getLogger(__name__)

SCENE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
# Larger images are refused before decoding: a 100-megapixel "scene" is a
# mistake or an attack, and would stall the booth for seconds.
MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class Scene:
    """One background: an image file, or a built-in ('blur', 'none')."""

    name: str  # shown on screen
    kind: str  # 'image', 'blur' or 'none'
    path: Path | None = None
    image: np.ndarray | None = field(default=None, repr=False, compare=False)  # BGR, as decoded

    @property
    def replaces_background(self) -> bool:
        """False for 'none': the camera frame is shown unchanged."""
        return self.kind != "none"


def display_name(path: Path) -> str:
    """'sunset-beach.jpg' -> 'Sunset Beach'."""
    return path.stem.replace("-", " ").replace("_", " ").strip().title() or path.name


def decode_image(path: Path) -> np.ndarray:
    """Decode a scene image to HxWx3 uint8 BGR, honouring EXIF rotation.

    Raises ValueError with a short reason for anything that is not a usable image.
    """
    if path.stat().st_size == 0:
        raise ValueError("the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise ValueError(f"{img.width}x{img.height} is too large "
                                     f"(at most {MAX_PIXELS // 1_000_000} megapixels)")
                img = ImageOps.exif_transpose(img).convert("RGB")
                rgb = np.asarray(img)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(f"too large to decode safely ({exc})") from None
    except (OSError, SyntaxError) as exc:  # PIL's errors for corrupt or truncated data
        raise ValueError(f"not a readable image ({exc})") from None
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """What changes when a scene file is added, removed or rewritten."""
    try:
        entries = sorted(p for p in folder.iterdir() if p.suffix.lower() in SCENE_SUFFIXES)
    except OSError:
        return ()
    out = []
    for p in entries:
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((p.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


class SceneDeck:
    """The ordered list of scenes, the current choice, and a display-size cache.

    Thread-safe: the main thread cycles scenes while the pipeline thread asks
    for backgrounds and rescans the folder.
    """

    def __init__(self, folder: Path, builtins: list[str], size: tuple[int, int],
                 start: str = "", blur_sigma: float = 0.02) -> None:
        self.folder = folder
        self._builtins = list(builtins)
        self._size = size
        self._blur_sigma = blur_sigma
        self._lock = threading.Lock()
        self._signature: tuple[tuple[str, int, int], ...] | None = None
        self._scenes: list[Scene] = []
        self._fitted: dict[tuple[str, tuple[int, int]], np.ndarray] = {}
        self._index = 0
        self.rescan()
        names = [s.name.lower() for s in self._scenes]
        wanted = display_name(Path(start)).lower() if start else ""
        if wanted in names:
            self._index = names.index(wanted)

    # -- the list ---------------------------------------------------------
    def rescan(self) -> bool:
        """Reload the folder if it changed; True when the list changed."""
        signature = _signature(self.folder)
        if signature == self._signature:
            return False
        scenes = [s for s in (self._load(self.folder / name) for name, _, _ in signature) if s]
        if not scenes and self._builtins != ["none"]:
            log.warning("no usable scene images in %s: only the built-in scenes are shown",
                        self.folder)
        scenes += [Scene(name.title(), name) for name in self._builtins]
        if not scenes:
            scenes = [Scene("None", "none")]
        with self._lock:
            current = self._scenes[self._index].name if self._scenes else None
            self._scenes = scenes
            self._fitted.clear()
            self._signature = signature
            names = [s.name for s in scenes]
            self._index = names.index(current) if current in names else 0
        return True

    @staticmethod
    def _load(path: Path) -> Scene | None:
        try:
            return Scene(display_name(path), "image", path, decode_image(path))
        except (ValueError, OSError) as exc:
            log.warning("scene %s skipped: %s", path.name, exc)
            return None

    @property
    def scenes(self) -> list[Scene]:
        with self._lock:
            return list(self._scenes)

    @property
    def current(self) -> Scene:
        with self._lock:
            return self._scenes[self._index]

    def step(self, delta: int) -> Scene:
        """Move ``delta`` scenes forward (negative = back), wrapping; returns the new one."""
        with self._lock:
            self._index = (self._index + delta) % len(self._scenes)
            return self._scenes[self._index]

    # -- pixels -----------------------------------------------------------
    def background(self, scene: Scene, frame: np.ndarray) -> np.ndarray | None:
        """The background to put behind the person in ``frame`` (HxWx3 BGR).

        Same size as ``frame``; None for 'none'.  Image scenes are fitted once
        per size and cached, so the live view pays for the fit only once.
        """
        if scene.kind == "none":
            return None
        if scene.kind == "blur":
            return blur_background(frame, self._blur_sigma)
        size = (frame.shape[1], frame.shape[0])
        key = (scene.name, size)
        with self._lock:
            fitted = self._fitted.get(key)
        if fitted is None:
            assert scene.image is not None
            fitted = cover_fit(scene.image, size)
            with self._lock:
                self._fitted[key] = fitted
        return fitted
