"""A third-party segmenter found through the ``booth.segmenters`` entry-point group.

The plug-in in tests/plugin_pkg is made importable and "installed" by writing
its dist-info (with entry_points.txt) into a temporary folder on sys.path, so
no network and no pip are needed; everything is undone after the test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from booth import segmenters

PLUGIN_SRC = Path(__file__).parent / "plugin_pkg"


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    dist_info = tmp_path / "booth_demo_plugin-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: booth-demo-plugin\nVersion: 0.1.0\n")
    (dist_info / "entry_points.txt").write_text(
        f"[{segmenters.ENTRY_POINT_GROUP}]\ndemo_half = booth_demo_plugin:make\n")
    # syspath_prepend also invalidates import caches; monkeypatch undoes both.
    monkeypatch.syspath_prepend(str(PLUGIN_SRC))
    monkeypatch.syspath_prepend(str(tmp_path))
    # A private registry copy, so the plug-in's name does not outlive the test.
    monkeypatch.setattr(segmenters, "_REGISTRY", dict(segmenters._REGISTRY))
    yield "demo_half"
    sys.modules.pop("booth_demo_plugin", None)


def test_plugin_is_listed_and_used_by_name(installed_plugin: str) -> None:
    assert installed_plugin in segmenters.available()
    seg = segmenters.create(installed_plugin, {"any": "options"})
    assert isinstance(seg, segmenters.Segmenter)
    alpha = seg.segment(np.zeros((4, 6, 3), np.uint8))
    assert alpha[:, :3].min() == 1.0 and alpha[:, 3:].max() == 0.0


def test_plugin_is_gone_after_the_test() -> None:
    assert "demo_half" not in segmenters.available()
    assert "booth_demo_plugin" not in sys.modules


def test_broken_plugin_is_one_sentence(installed_plugin: str, tmp_path: Path) -> None:
    entry_points = tmp_path / "booth_demo_plugin-0.1.0.dist-info" / "entry_points.txt"
    entry_points.write_text(
        f"[{segmenters.ENTRY_POINT_GROUP}]\ndemo_broken = booth_demo_plugin:missing\n")
    with pytest.raises(segmenters.SegmenterError, match="'demo_broken' failed to load"):
        segmenters.create("demo_broken")
