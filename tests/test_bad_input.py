"""Operator mistakes through the real command line: exit code 2, one sentence, no traceback.

Complements test_config (bad values), test_sources (bad source paths) and
test_scenes (bad scene files): here the whole ``booth`` process is run, so a
message that escapes as a traceback, or names no valid choice, is caught.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.sources import SourceError, open_reader


def booth(cwd: Path, *args: str) -> str:
    """Run ``python -m booth`` headless in ``cwd``; returns stderr after checking the contract."""
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    proc = subprocess.run([sys.executable, "-m", "booth", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("booth: ")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_unknown_source_and_segmenter_name_the_valid_choices(tmp_path: Path) -> None:
    photos = str(tmp_path / "photos")
    source = booth(tmp_path, "run", "--source", "webcam", "--photos", photos)
    assert "'webcam'" in source and "webcam index (0, 1, ...)" in source and "'demo'" in source
    segmenter = booth(tmp_path, "run", "--source", "demo", "--segmenter", "magic",
                      "--photos", photos)
    assert "unknown segmenter 'magic'; choose one of:" in segmenter
    assert "mediapipe" in segmenter and "none" in segmenter


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00\x00\x00AVI garbage", b"hello"],
                         ids=["zero-byte", "fake header", "text"])
def test_a_video_source_that_is_not_a_video_says_so(tmp_path: Path, content: bytes) -> None:
    video = tmp_path / "party.mp4"
    video.write_bytes(content)
    with pytest.raises(SourceError, match="is not a video OpenCV can read"):
        open_reader(str(video), 640, 480, 30)


def test_not_a_video_through_the_cli(tmp_path: Path) -> None:
    video = tmp_path / "party.avi"
    video.write_text("guest list: Ann, Bob\n")  # a text file named like a video
    line = booth(tmp_path, "run", "--source", str(video), "--photos", str(tmp_path / "p"))
    assert line == f"booth: {video} is not a video OpenCV can read"


def test_a_config_that_is_not_toml_says_where(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[camera]\nsource = "demo"\nwidth = 1280 fps = 30\n')
    line = booth(tmp_path, "run", "--config", str(config))
    assert line.startswith(f"booth: {config}: is not valid TOML") and "line 3" in line
    config.write_bytes(cv2.imencode(".png", np.zeros((8, 8, 3), np.uint8))[1].tobytes())
    line = booth(tmp_path, "run", "--config", str(config))
    assert line.startswith(f"booth: {config}: ")  # a picture saved as config.toml
