"""Sounds play by name, and a booth without an audio device runs silently."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from booth.sounds import NAMES, Sounds
from tests.conftest import REPO


@pytest.fixture(autouse=True)
def pg():
    pygame.init()
    yield
    pygame.quit()


def test_shipped_sounds_load_and_play() -> None:
    sounds = Sounds(REPO / "sounds")
    assert sorted(sounds._sounds) == sorted(NAMES)
    for name in NAMES:
        sounds.play(name)


def test_no_audio_device_is_silent(monkeypatch, caplog) -> None:
    def no_device(*args, **kwargs):
        raise pygame.error("No available audio device")

    monkeypatch.setattr(pygame.mixer, "get_init", lambda: None)
    monkeypatch.setattr(pygame.mixer, "init", no_device)
    sounds = Sounds(REPO / "sounds")
    sounds.play("beep")  # nothing, and no error
    assert "runs silently" in caplog.text


def test_missing_files_and_unknown_names_are_harmless(tmp_path: Path) -> None:
    sounds = Sounds(tmp_path)
    sounds.play("beep")
    sounds.play("no-such-sound")
    Sounds(REPO / "sounds", enabled=False).play("shutter")
