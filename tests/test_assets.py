"""The shipped default scenes and sounds are usable files (made by tools/make_*.py)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import REPO

SCENES = REPO / "scenes"
SOUNDS = REPO / "sounds"
SCENE_FILES = sorted(p for p in SCENES.glob("*") if p.suffix.lower() in
                     (".jpg", ".jpeg", ".png", ".webp"))
REQUIRED_SOUNDS = ("beep", "go", "shutter")


def test_there_are_default_scenes() -> None:
    assert len(SCENE_FILES) >= 6, f"expected at least 6 scenes in {SCENES}"


@pytest.mark.parametrize("path", SCENE_FILES, ids=lambda p: p.name)
def test_scene_decodes_full_hd(path: Path) -> None:
    with Image.open(path) as img:
        img.load()  # a truncated file fails here, not just on the header
        width, height = img.size
        pixels = np.asarray(img.convert("L"), dtype=np.float32)
    # Full HD, or at least a 16:9 image wide enough not to look soft on a big screen.
    assert (width, height) == (1920, 1080) or (width >= 1280 and width * 9 == height * 16)
    assert pixels.std() > 10, "looks blank: a scene needs some picture in it"
    # Display names come from the stem ('sunset-beach' -> 'Sunset Beach'): keep them tidy.
    assert path.stem == path.stem.lower() and " " not in path.stem


@pytest.mark.parametrize("name", REQUIRED_SOUNDS)
def test_sound_is_a_usable_wav(name: str) -> None:
    path = SOUNDS / f"{name}.wav"
    assert path.is_file(), f"missing {path}"
    with wave.open(str(path), "rb") as w:
        channels, width, rate, frames = (w.getnchannels(), w.getsampwidth(),
                                         w.getframerate(), w.getnframes())
        data = w.readframes(frames)
    assert channels in (1, 2)
    assert width == 2, "16-bit PCM expected"
    assert 8000 <= rate <= 96000
    assert 0.05 <= frames / rate <= 2.0
    samples = np.frombuffer(data, "<i2").astype(np.int32)
    assert len(samples) == frames * channels
    peak = int(np.abs(samples).max())
    assert peak > 32767 * 0.1, "practically silent"
    assert peak < 32767, "clips at full scale"
