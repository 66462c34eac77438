"""Power cuts and full disks: the store keeps every photo whole, or none of it.

A child process saves photos through PhotoStore and is SIGKILLed at random
moments; afterwards every indexed photo decodes and matches its sha256, every
save the child finished is indexed, and photo files without a row (a save cut
between the rename and the index row) are reported by ``booth doctor``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth import doctor
from booth.config import Config
from booth.store import PhotoStore, StoreError
from tests.conftest import REPO

ROUNDS = 10
SAVES_PER_ROUND = 5  # 50 saves in all

# The child: open the store, say "ready", then save and say "saved" after each
# save returns (so the parent knows which saves were promised to a guest).
CHILD = """
import sys
from pathlib import Path
from booth.store import PhotoStore
folder, count, jpegs = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
data = [Path(p).read_bytes() for p in jpegs]
store = PhotoStore(folder)
print("ready", flush=True)
for i in range(count):
    store.save(data[i % len(data)], scene="kill", segmenter="none")
    print("saved", flush=True)
"""


def photo_jpegs(folder: Path, count: int = 3) -> list[Path]:
    """Noisy 960x540 JPEGs of about 1 MB: big enough that a kill often lands mid-write."""
    rng = np.random.default_rng(6)
    paths = []
    for i in range(count):
        image = rng.integers(0, 256, (540, 960, 3), dtype=np.uint8)
        paths.append(folder / f"src{i}.jpg")
        cv2.imwrite(str(paths[-1]), image, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return paths


def save_seconds(folder: Path, jpeg: Path) -> float:
    """How long one save takes on this disk, so the kills can be aimed at the saves."""
    store = PhotoStore(folder)
    data = jpeg.read_bytes()
    store.save(data, scene="timing", segmenter="none")  # the first one also makes the day folder
    started = time.perf_counter()
    store.save(data, scene="timing", segmenter="none")
    store.close()
    return time.perf_counter() - started


def save_and_kill(folder: Path, jpegs: list[Path], delay: float) -> int:
    """Run the child, SIGKILL it ``delay`` s after it is ready; returns the saves it finished."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), str(SAVES_PER_ROUND),
                              *map(str, jpegs)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(delay)
    child.kill()
    out = child.stdout.read()  # through the same buffer "ready" was read from
    child.wait(timeout=10)
    child.stdout.close()
    return out.split().count("saved")


def test_sigkill_during_saves_leaves_only_whole_indexed_photos(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    jpegs = photo_jpegs(tmp_path)
    # Kill somewhere within the round's saves (0-100 ms on a slow disk, less on a fast one).
    window = min(0.1, SAVES_PER_ROUND * save_seconds(tmp_path / "timing", jpegs[0]))
    rng = random.Random(2026)
    finished = sum(save_and_kill(folder, jpegs, rng.uniform(0, window)) for _ in range(ROUNDS))
    assert finished < ROUNDS * SAVES_PER_ROUND, "no kill landed during a save"
    store = PhotoStore(folder)  # the booth restarting after the power cut
    photos = store.list()
    store.close()
    assert len(photos) >= finished  # a save that returned is never lost
    for photo in photos:
        data = photo.file.read_bytes()
        assert hashlib.sha256(data).hexdigest() == photo.sha256
        assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) is not None
    assert_stale_temporaries_are_swept(folder)
    # A file without a row (a kill between rename and insert) is reported by doctor.
    orphan = photos[0].file.with_name("AAAAAAAAAAAAAAAA.jpg")
    orphan.write_bytes(jpegs[0].read_bytes())
    audit = doctor.audit_index(folder)
    assert not audit.missing and not audit.damaged
    assert set(audit.unindexed) == set(doctor.photo_files(folder)) - {p.file for p in photos}
    config = Config()
    config.photos.folder = folder
    check = doctor.check_index(config)
    assert check.status == doctor.WARN and "AAAAAAAAAAAAAAAA.jpg" in check.detail


def assert_stale_temporaries_are_swept(folder: Path) -> None:
    """A kill mid-write leaves a hidden temporary file: never a photo, gone once stale."""
    temporaries = list(folder.glob("*/.*"))
    assert not set(temporaries) & set(doctor.photo_files(folder))
    an_hour_ago = time.time() - 3600  # fresh ones may belong to a save in another process
    for temp in temporaries:
        os.utime(temp, (an_hour_ago, an_hour_ago))
    PhotoStore(folder).close()
    assert not list(folder.glob("*/.*"))


def fail_with(code: int):
    def failing(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return failing


@pytest.mark.parametrize(("call", "code", "words"), [
    ("open", errno.ENOSPC, "the disk is full"),  # no room for the new file
    ("fsync", errno.ENOSPC, "the disk is full"),  # room ran out while flushing it
    ("open", errno.EROFS, "the disk is read-only"),
])
def test_full_or_read_only_disk_is_one_sentence_and_leaves_nothing(
        tmp_path: Path, monkeypatch, call: str, code: int, words: str) -> None:
    store = PhotoStore(tmp_path / "photos")
    jpeg = photo_jpegs(tmp_path, 1)[0].read_bytes()
    real_open = os.open

    def only_in_store(path, *args, **kwargs):  # the index and the rest of Python still work
        if str(path).startswith(str(store.folder / "20")):
            return fail_with(code)()
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, call, only_in_store if call == "open" else fail_with(code))
    with pytest.raises(StoreError) as err:
        store.save(jpeg, scene="s", segmenter="none")
    monkeypatch.undo()
    message = str(err.value)
    assert words in message and str(store.folder) in message
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message
    assert store.list() == []
    assert [p for p in store.folder.rglob("*") if p.is_file()
            and not p.name.startswith("index.sqlite3")] == []  # nothing half-written
    assert store.save(jpeg, scene="s", segmenter="none").file.is_file()  # space is back
    store.close()
