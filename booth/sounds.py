"""Named sounds (beep, go, shutter); silent, without error, when there is no audio device."""

from __future__ import annotations

import logging
from pathlib import Path

import pygame

log = logging.getLogger(__name__)

NAMES = ("beep", "go", "shutter")


class Sounds:
    """Plays the WAV files ``<folder>/<name>.wav`` by name."""

    def __init__(self, folder: Path, volume: float = 0.8, enabled: bool = True) -> None:
        self._sounds: dict[str, pygame.mixer.Sound] = {}
        if not enabled:
            return
        try:
            if not pygame.mixer.get_init():
                pygame.mixer.init()
        except pygame.error as exc:
            log.warning("no audio device (%s): the booth runs silently", exc)
            return
        for name in NAMES:
            path = folder / f"{name}.wav"
            try:
                sound = pygame.mixer.Sound(str(path))
            except (pygame.error, FileNotFoundError) as exc:
                log.warning("sound %s unavailable: %s", path, exc)
                continue
            sound.set_volume(volume)
            self._sounds[name] = sound

    def play(self, name: str) -> None:
        """Play ``name`` if it loaded; never raises."""
        sound = self._sounds.get(name)
        if sound is not None:
            try:
                sound.play()
            except pygame.error as exc:  # device vanished mid-event
                log.warning("cannot play %s: %s", name, exc)
