"""SceneDeck: cover fit, built-ins, cycling, rescans, and bad files skipped."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from booth.matte import cover_fit
from booth.scenes import MAX_PIXELS, SceneDeck, decode_image, display_name


def image(path: Path, w: int, h: int, color=(10, 200, 30)) -> Path:
    cv2.imwrite(str(path), np.full((h, w, 3), color, np.uint8))
    return path


def test_cover_fit_crops_never_stretches() -> None:
    src = np.zeros((100, 400, 3), np.uint8)
    src[:, 150:250] = 255  # a white band in the middle
    out = cover_fit(src, (200, 200))
    assert out.shape == (200, 200, 3)
    # Scaled by 2 (to cover the height), cropped to the centre: the band fills it.
    assert out[:, 20:180].min() == 255


def test_deck_lists_images_then_builtins_and_cycles(tmp_path: Path) -> None:
    image(tmp_path / "b-scene.png", 64, 48)
    image(tmp_path / "a_scene.jpg", 64, 48)
    deck = SceneDeck(tmp_path, ["blur", "none"], (32, 18))
    assert [s.name for s in deck.scenes] == ["A Scene", "B Scene", "Blur", "None"]
    assert deck.step(-1).name == "None"
    assert deck.step(+2).name == "B Scene"


def test_backgrounds_are_fitted_and_cached(tmp_path: Path) -> None:
    image(tmp_path / "x.png", 400, 100)
    deck = SceneDeck(tmp_path, ["blur", "none"], (160, 90))
    frame = np.zeros((90, 160, 3), np.uint8)
    first = deck.background(deck.current, frame)
    assert first.shape == (90, 160, 3) and deck.background(deck.current, frame) is first
    blur = deck.scenes[1]
    assert deck.background(blur, frame).shape == frame.shape
    assert deck.background(deck.scenes[2], frame) is None


def test_start_scene_and_rescan_keep_the_choice(tmp_path: Path) -> None:
    image(tmp_path / "one.png", 8, 8)
    image(tmp_path / "two.png", 8, 8)
    deck = SceneDeck(tmp_path, ["none"], (8, 8), start="two")
    assert deck.current.name == "Two"
    image(tmp_path / "three.png", 8, 8)
    assert deck.rescan()
    assert deck.current.name == "Two" and len(deck.scenes) == 4
    assert not deck.rescan()


def test_bad_files_are_skipped_with_a_warning(tmp_path: Path, caplog) -> None:
    image(tmp_path / "good.png", 16, 16)
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.png").write_text("hello, not an image")
    good = (tmp_path / "good.png").read_bytes()
    (tmp_path / "truncated.png").write_bytes(good[: len(good) // 2])
    jpeg = cv2.imencode(".jpg", np.zeros((64, 64, 3), np.uint8))[1].tobytes()
    (tmp_path / "corrupt.jpg").write_bytes(jpeg[:20] + b"\x00" * 50 + jpeg[70:90])
    # A decompression bomb: tiny on disk, enormous when decoded.
    Image.new("1", (20000, 20000)).save(tmp_path / "bomb.png")
    assert MAX_PIXELS < 20000 * 20000
    deck = SceneDeck(tmp_path, ["none"], (8, 8))
    assert [s.name for s in deck.scenes] == ["Good", "None"]
    skipped = " ".join(r.getMessage() for r in caplog.records)
    for name in ("empty.jpg", "text.png", "truncated.png", "corrupt.jpg", "bomb.png"):
        assert name in skipped


def test_empty_or_missing_folder_falls_back_to_builtins(tmp_path: Path) -> None:
    deck = SceneDeck(tmp_path, ["blur", "none"], (8, 8))
    assert [s.name for s in deck.scenes] == ["Blur", "None"]
    assert [s.name for s in SceneDeck(tmp_path / "nope", [], (8, 8)).scenes] == ["None"]


def test_exif_rotation_is_honoured(tmp_path: Path) -> None:
    img = Image.new("RGB", (40, 20), (255, 0, 0))
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    img.save(tmp_path / "rot.jpg", exif=exif)
    assert decode_image(tmp_path / "rot.jpg").shape == (40, 20, 3)


@pytest.mark.parametrize(("stem", "name"), [("sunset-beach", "Sunset Beach"),
                                            ("my_party", "My Party")])
def test_display_name(stem: str, name: str) -> None:
    assert display_name(Path(f"{stem}.jpg")) == name


def test_scene_folder_unreadable_is_not_fatal(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    image(folder / "a.png", 8, 8)
    os.chmod(folder, 0)
    try:
        deck = SceneDeck(folder, ["none"], (8, 8))
        assert deck.current.name in ("A", "None")  # root may still read it
    finally:
        os.chmod(folder, 0o755)
