"""``booth doctor``: a healthy setup passes; each broken part FAILs or warns with a fix."""

from __future__ import annotations

import argparse
import json
import socket
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth import doctor
from booth.config import Config
from booth.store import PhotoStore
from tests.test_app import make_config


def by_name(checks: list[doctor.Check]) -> dict[str, doctor.Check]:
    return {c.check: c for c in checks}


@pytest.fixture
def healthy(tmp_path: Path) -> Config:
    """Demo camera, the 'none' segmenter, two scenes, a photos folder with one photo."""
    config = make_config(tmp_path, Path("demo"))
    store = PhotoStore(config.photos.folder)
    jpeg = cv2.imencode(".jpg", np.full((90, 160, 3), 128, np.uint8))[1].tobytes()
    store.save(jpeg, scene="Beach", segmenter="none")
    store.close()
    return config


def test_healthy_setup_has_no_fail_and_prints_json(healthy: Config, capsys) -> None:
    checks = by_name(doctor.run_checks(healthy, camera_seconds=0.2))
    assert list(checks) == ["camera", "model", "scenes", "disk", "index", "share"]
    assert {c.status for c in checks.values()} <= {doctor.OK, doctor.WARN}
    assert checks["camera"].status == doctor.OK and "1920x1080" in checks["camera"].detail
    assert checks["model"].status == doctor.OK and checks["model"].detail.startswith("none")
    assert checks["scenes"].detail.startswith("2 scene images")
    assert checks["index"].detail == "1 photos, all present and intact"
    assert healthy.share.base_url in checks["share"].detail
    assert doctor.main(healthy, argparse.Namespace(json=True)) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [set(r) for r in rows] == [{"check", "status", "detail", "fix"}] * 6


def test_broken_setup_says_what_to_fix(healthy: Config, capsys) -> None:
    healthy.camera.source = str(healthy.photos.folder / "gone.avi")
    healthy.segmenter.name = "mediapipe"
    healthy.segmenter.options = {"mediapipe": {"model": "/models/gone.tflite"}}
    for scene in healthy.scenes.folder.iterdir():
        scene.unlink()
    photo = PhotoStore(healthy.photos.folder).list()[0]
    photo.file.write_bytes(b"\xff\xd8 not the photo that was taken")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", healthy.share.port))
        busy.listen()
        checks = by_name(doctor.run_checks(healthy, camera_seconds=0.2))
        assert doctor.main(healthy, argparse.Namespace(json=False)) == 1
    table = capsys.readouterr().out
    camera, model, scenes = checks["camera"], checks["model"], checks["scenes"]
    assert camera.status == doctor.FAIL and "gone.avi" in camera.detail
    assert "camera.source" in camera.fix
    assert model.status == doctor.WARN and "model not found" in model.detail
    assert "the booth would use none" in model.detail
    assert "segmenter.options.mediapipe" in model.fix
    assert scenes.status == doctor.WARN and "only the built-ins" in scenes.detail
    assert checks["index"].status == doctor.FAIL and photo.id in checks["index"].detail
    assert checks["share"].status == doctor.FAIL and "already in use" in checks["share"].fix
    for check in checks.values():
        assert check.status == doctor.OK or check.fix, check
    assert table.splitlines()[0].split() == ["check", "status", "detail", "fix"]
    assert table.count("FAIL") == 3


def test_unknown_or_unloadable_segmenter_fails_with_the_choices(healthy: Config) -> None:
    healthy.segmenter.name = "nope"
    check = doctor.check_model(healthy, None)
    assert check.status == doctor.FAIL and "none" in check.fix and "mediapipe" in check.fix
    healthy.segmenter.name = "mediapipe"
    healthy.segmenter.options = {"mediapipe": {"model": "/models/gone.tflite"}}
    healthy.segmenter.fallback = []
    check = doctor.check_model(healthy, None)
    assert check.status == doctor.FAIL and "no segmenter could be loaded" in check.detail


def test_disk_figures_use_the_average_photo(healthy: Config, monkeypatch) -> None:
    size = doctor.photo_files(healthy.photos.folder)[0].stat().st_size
    usage = doctor.shutil.disk_usage(healthy.photos.folder)
    monkeypatch.setattr(doctor.shutil, "disk_usage",
                        lambda path: usage._replace(free=size * 50))
    check = doctor.check_disk(healthy)
    assert check.status == doctor.FAIL and "about 50 more photos" in check.detail
    assert "average" in check.detail and "free some space" in check.fix
