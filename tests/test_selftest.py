"""`booth selftest`: the real program, headless, from Snap to a guest's download."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2

from tests.conftest import shared_data


def selftest(tmp_path: Path, source: Path) -> dict:
    shot = tmp_path / "r.png"
    proc = subprocess.run(
        [sys.executable, "-m", "booth", "selftest", "--source", str(source), "--screenshot",
         str(shot), "--photos", str(tmp_path / "photos"), "--json"],
        capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["ok"] is True and result["screenshot"] == str(shot)
    # The QR on the saved screen decodes, with OpenCV, to the photo's URL.
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(shot)))
    assert text == result["url"] and "/p/" in text
    return result


def test_selftest_on_a_video(tmp_path: Path, tiny_video: Path) -> None:
    result = selftest(tmp_path, tiny_video)
    photo = cv2.imread(result["photo"])
    assert photo.shape == (240, 320, 3)
    assert Path(result["photo"]).is_relative_to(tmp_path / "photos")


def test_selftest_on_the_office_video(tmp_path: Path) -> None:
    video = shared_data("office", "office.avi")
    result = selftest(tmp_path, video)
    cap = cv2.VideoCapture(str(video))
    size = (int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)), int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)))
    cap.release()
    assert cv2.imread(result["photo"]).shape[:2] == size
