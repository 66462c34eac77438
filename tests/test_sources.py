"""Frame sources: newest frame only, looping files, folders, demo, and reconnects."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.sources import LiveSource, SourceError, open_reader, open_source


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_video_file_loops_and_keeps_its_size(tiny_video: Path) -> None:
    reader = open_reader(str(tiny_video), 1920, 1080, 30)
    frames = [reader.grab() for _ in range(85)]  # 40-frame file, read twice and more
    reader.close()
    assert all(f is not None and f.shape == (240, 320, 3) for f in frames)
    assert np.array_equal(frames[0], frames[40])


def test_live_source_hands_out_the_newest_frame(tiny_video: Path) -> None:
    source = open_source(str(tiny_video))
    try:
        wait_for(lambda: source.frames >= 5)
        first = source.read()
        wait_for(lambda: source.read() is not first)
        assert source.status() is None
    finally:
        source.close()


def test_image_folder_and_demo(tmp_path: Path) -> None:
    for i in range(2):
        cv2.imwrite(str(tmp_path / f"{i}.png"), np.full((60, 80, 3), 50 * i, np.uint8))
    (tmp_path / "notes.txt").write_text("not an image")
    folder = open_reader(str(tmp_path), 640, 480, 30)
    assert folder.grab().shape == (60, 80, 3)
    demo = open_reader("demo", 320, 240, 30)
    empty = [demo.grab() for _ in range(60)]  # two seconds of the empty room first
    assert all(np.array_equal(empty[0], e) for e in empty)
    later = [demo.grab() for _ in range(30)]
    assert later[0].shape == (240, 320, 3) and not np.array_equal(later[-1], empty[0])


def test_an_image_named_like_a_video_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "clip.avi"
    fake.write_bytes(cv2.imencode(".png", np.zeros((8, 8, 3), np.uint8))[1].tobytes())
    with pytest.raises(SourceError, match="is a single image, not a video"):
        open_reader(str(fake), 640, 480, 30)


@pytest.mark.parametrize("spec", ["missing.avi", "nope/", "photo.jpg", "text.avi"])
def test_bad_sources_say_what_is_wrong(tmp_path: Path, spec: str) -> None:
    if spec == "photo.jpg":
        cv2.imwrite(str(tmp_path / spec), np.zeros((8, 8, 3), np.uint8))
    if spec == "text.avi":
        (tmp_path / spec).write_text("this is not a video")
    with pytest.raises(SourceError) as err:
        open_reader(str(tmp_path / spec), 640, 480, 30)
    assert str(tmp_path / spec) in str(err.value) or spec in str(err.value)


class FlakyReader:
    """A camera that delivers, then dies; reopening works after ``outage`` opens."""

    paced = True
    may_repeat = False
    fps = 100.0

    def __init__(self, fail_after: int) -> None:
        self.count = 0
        self.fail_after = fail_after

    def grab(self):
        self.count += 1
        if self.count > self.fail_after:
            raise OSError("USB device disconnected")
        return np.full((4, 4, 3), self.count % 256, np.uint8)

    def close(self) -> None:
        pass


def test_lost_camera_reconnects_on_its_own() -> None:
    opened = []
    refuse = threading.Event()

    def opener():
        if refuse.is_set():
            raise SourceError("camera 0 cannot be opened")
        reader = FlakyReader(fail_after=20 if not opened else 10**9)
        opened.append(reader)
        return reader

    source = LiveSource(opener, stall_seconds=0.5)
    try:
        refuse.set()  # the first reader dies after 20 frames; the camera is unplugged
        wait_for(lambda: source.status() == "camera reconnecting", 5)
        assert source.read() is None
        refuse.clear()  # plugged back in
        t0 = time.monotonic()
        wait_for(lambda: source.status() is None and source.read() is not None, 5)
        assert time.monotonic() - t0 < 2.0
        assert source.reconnects == 1
    finally:
        source.close()


def test_frozen_camera_counts_as_lost() -> None:
    class Frozen(FlakyReader):
        def grab(self):
            return np.zeros((4, 4, 3), np.uint8)

    source = LiveSource(lambda: Frozen(0), stall_seconds=0.3)
    try:
        wait_for(lambda: source.reconnects >= 1 or source.status() == "camera reconnecting", 5)
    finally:
        source.close()
