"""``booth matte`` and ``booth eval`` on tiny generated inputs, plus the real data when present."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import shared_data, write_video

from booth.cli import main


def guest_frame(x: int, size: tuple[int, int] = (80, 60)) -> tuple[np.ndarray, np.ndarray]:
    """A white backdrop with a dark box at column ``x``; and its 0/255 truth mask."""
    w, h = size
    frame = np.full((h, w, 3), 230, np.uint8)
    mask = np.zeros((h, w), np.uint8)
    frame[15:55, x:x + 20] = (30, 30, 40)
    mask[15:55, x:x + 20] = 255
    return frame, mask


def image_set(root: Path, count: int = 3) -> Path:
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for i in range(count):
        frame, mask = guest_frame(10 + 15 * i)
        cv2.imwrite(str(root / "images" / f"p{i:03d}.png"), frame)
        cv2.imwrite(str(root / "masks" / f"p{i:03d}.png"), mask)
    return root


def video_set(root: Path, frames: int = 12, first_scored: int = 5) -> Path:
    """A CDnet-style folder: an empty scene, then a guest walking; masks from ``first_scored``."""
    root.mkdir(parents=True)
    (root / "masks").mkdir()
    writer = cv2.VideoWriter(str(root / "clip.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 25, (80, 60))
    for number in range(1, frames + 1):
        frame, mask = guest_frame(20 + number) if number >= first_scored else (
            np.full((60, 80, 3), 230, np.uint8), np.zeros((60, 80), np.uint8))
        writer.write(frame)
        if number >= first_scored:
            cv2.imwrite(str(root / "masks" / f"gt{number:06d}.png"), mask)
    writer.release()
    return root


def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text("[segmenter.options.plate]\nframes = 3\n")
    return path


def test_matte_video_writes_one_png_per_frame_by_number(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.avi", frames=6, size=(64, 48))
    out = tmp_path / "out"
    scene = tmp_path / "scene.jpg"
    cv2.imwrite(str(scene), np.full((90, 160, 3), (200, 100, 0), np.uint8))
    assert main(["matte", "--segmenter", "otsu", str(video), str(out),
                 "--composite", str(scene)]) == 0
    assert sorted(p.name for p in out.glob("*.png")) == [f"{n:06d}.png" for n in range(1, 7)]
    alpha = cv2.imread(str(out / "000001.png"), cv2.IMREAD_UNCHANGED)
    assert alpha.shape == (48, 64) and alpha.dtype == np.uint8
    composite = cv2.imread(str(out / "composite" / "000006.jpg"))
    assert composite.shape == (48, 64, 3)


def test_matte_image_folder_names_pngs_after_image_stems(tmp_path: Path) -> None:
    root = image_set(tmp_path / "set")
    out = tmp_path / "out"
    assert main(["matte", "--segmenter", "otsu", "--raw", str(root / "images"), str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["p000.png", "p001.png", "p002.png"]
    alpha = cv2.imread(str(out / "p001.png"), cv2.IMREAD_UNCHANGED)
    truth = cv2.imread(str(root / "masks" / "p001.png"), cv2.IMREAD_UNCHANGED)
    assert ((alpha >= 128) == (truth > 0)).mean() > 0.97


def test_matte_rejects_an_input_that_is_neither(tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.txt").write_text("hi")
    assert main(["matte", str(tmp_path / "notes.txt"), str(tmp_path / "out")]) == 2
    assert "neither an image folder nor a video file" in capsys.readouterr().err


def test_eval_image_set_json(tmp_path: Path, capsys) -> None:
    root = image_set(tmp_path / "set")
    assert main(["eval", "--segmenter", "otsu,none", "--json", str(root)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "images"
    otsu, none = report["results"]
    assert otsu["segmenter"] == "otsu" and otsu["frames"] == 3
    assert otsu["miou"] > 0.9 and otsu["boundary_f"] > 0.9
    assert otsu["dtssd"] is None
    assert none["miou"] == pytest.approx(800 / 4800)  # everything is person


def test_eval_video_table_plot_and_limit(tmp_path: Path, capsys) -> None:
    root = video_set(tmp_path / "clip")
    plot = tmp_path / "report.png"
    args = ["eval", "--config", str(config_file(tmp_path)), "--segmenter", "plate,otsu",
            "--limit", "5", "--plot", str(plot), str(root)]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0] == "| segmenter | frames | mIoU | boundary F | dtSSD | fps |"
    plate_row = table.splitlines()[2].split("|")
    assert plate_row[1].strip() == "plate" and plate_row[2].strip() == "5"
    assert float(plate_row[3]) > 0.8
    assert cv2.imread(str(plot)) is not None


def test_eval_folder_without_masks_says_so(tmp_path: Path, capsys) -> None:
    (tmp_path / "images").mkdir()
    assert main(["eval", "--segmenter", "none", str(tmp_path)]) == 2
    assert "has no masks/ folder" in capsys.readouterr().err


def test_eval_unknown_segmenter_names_the_choices(tmp_path: Path, capsys) -> None:
    root = image_set(tmp_path / "set", count=1)
    assert main(["eval", "--segmenter", "nonsuch", str(root)]) == 2
    assert "unknown segmenter 'nonsuch'; choose one of:" in capsys.readouterr().err


@pytest.mark.data
def test_real_portraits_mediapipe(capsys) -> None:
    root = shared_data("portraits")
    assert main(["eval", "--segmenter", "mediapipe", "--limit", "10", "--json", str(root)]) == 0
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["frames"] == 10 and result["miou"] > 0.8


@pytest.mark.data
def test_real_office_plate(capsys) -> None:
    root = shared_data("office")
    assert main(["eval", "--segmenter", "plate", "--limit", "30", "--json", str(root)]) == 0
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["frames"] == 30 and result["miou"] > 0.8 and result["dtssd"] < 5


def test_progress_reports_long_inputs_only(capsys) -> None:
    from booth.evaluate import Progress

    for total in (3, 60):
        progress = Progress("matte demo", total)
        for _ in range(total):
            progress.step()
        progress.close()
    err = capsys.readouterr().err
    assert "matte demo: 60/60 (100%)" in err
    assert "/3 " not in err
