"""``booth bench``'s parts: sizes, the in-memory source, the soak hand-over, a tiny live run."""

from __future__ import annotations

import argparse
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from booth import bench
from booth.config import Config


def test_parse_size() -> None:
    assert bench.parse_size("1280x720", "--size") == (1280, 720)
    for bad in ("1280", "axb", "8x8"):
        with pytest.raises(bench.BenchError, match="--size"):
            bench.parse_size(bad, "--size")


def test_ring_source_unpaced_gives_a_new_frame_on_every_read() -> None:
    frames = [np.full((2, 2, 3), i, np.uint8) for i in range(3)]
    source = bench.RingSource(frames)
    got = [int(source.read()[0, 0, 0]) for _ in range(5)]
    assert got == [1, 2, 0, 1, 2]


def test_ring_source_paced_holds_a_frame_between_ticks() -> None:
    source = bench.RingSource([np.zeros((2, 2, 3), np.uint8), np.ones((2, 2, 3), np.uint8)])
    source.pace(0.001)  # one frame per 1000 s: always the first
    assert source.read() is source.read()


def test_percentiles_of_nothing_are_zero() -> None:
    assert bench.percentiles([]) == {"p50": 0.0, "p95": 0.0, "n": 0.0}
    assert bench.percentiles([1.0, 3.0])["p50"] == 2.0


def test_minutes_hands_over_to_the_soak_module(monkeypatch: pytest.MonkeyPatch) -> None:
    soak = types.ModuleType("booth.soak")
    soak.main = lambda config, args: 7  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "booth.soak", soak)
    assert bench.main(Config(), argparse.Namespace(minutes=1.0)) == 7


def test_live_run_draws_frames_and_photos_come_back(tmp_path: Path) -> None:
    config = Config()
    config.segmenter.name = "none"
    config.scenes.folder = tmp_path / "no-scenes"
    config.scenes.builtins = ["blur"]
    frames = [np.full((90, 160, 3), (i * 20) % 256, np.uint8) for i in range(8)]
    result = bench.run_ours(config, frames, (160, 90), 10, None, photos=2, idle_seconds=0.2)
    assert result["fps"] > 0 and result["stages"]["frame"]["n"] == 10
    assert result["photo"]["n"] == 2 and result["photo"]["p95"] > 0
    assert 0 <= result["idle_cpu_percent"] <= 100
    text = bench.report({**result, "seed_fps": 1.0, "ratio": result["fps"], "size": "160x90",
                         "seed_cpu_ms_per_frame": 1.0,
                         "camera": "160x90", "frames": 10})
    assert "end to end" in text and "idle CPU" in text
