"""Shared test fixtures: headless pygame, small generated videos, a fake clock."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

# Headless before pygame is imported anywhere: no display, no sound card here.
os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from booth.store import PhotoStore  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


class FakeClock:
    """A monotonic clock the test moves by hand (seconds)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def write_video(path: Path, frames: int = 40, size: tuple[int, int] = (320, 240),
                fps: float = 25.0) -> Path:
    """A small MJPG video: a grey room with a coloured block moving across it."""
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    for i in range(frames):
        frame = np.full((h, w, 3), 170, np.uint8)
        x = int((w - 60) * i / max(1, frames - 1))
        cv2.rectangle(frame, (x, h // 3), (x + 60, h - 10), (40, 60, 200), -1)
        cv2.circle(frame, (x + 30, h // 3 - 25), 22, (120, 150, 220), -1)
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture
def tiny_video(tmp_path: Path) -> Path:
    return write_video(tmp_path / "tiny.avi")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shared_data(*parts: str) -> Path:
    """A path in ../shared/data, or skip the test when the data is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data sits beside the checkout)")
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[PhotoStore]:
    """An empty photo store in a temporary folder."""
    photos = PhotoStore(tmp_path / "photos")
    yield photos
    photos.close()
