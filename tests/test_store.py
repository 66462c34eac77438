"""PhotoStore: atomic saves, the SQLite index, unguessable ids, crash leftovers."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.store import INDEX_NAME, PhotoStore, StoreError, new_id, valid_id

MALFORMED_IDS = ["", "..", "../index.sqlite3", "/etc/passwd", "a" * 15, "a" * 17,
                 "abc\x00defghijklmn", "abcdefgh\\ijklmno", "abcdefgh/ijklmno", "a" * 10_000,
                 "abcdefgh.ijklmno", "ÄbcdefghÏjklmnö"]


def make_jpeg(width: int = 96, height: int = 64, seed: int = 0) -> bytes:
    """A small, valid JPEG with random content (so every call differs by seed)."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()


def index_rows(folder: Path) -> list[sqlite3.Row]:
    """The raw index rows, read with a separate connection like another process would."""
    with sqlite3.connect(folder / INDEX_NAME) as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM photos").fetchall()


def test_save_writes_file_and_row(store: PhotoStore) -> None:
    data = make_jpeg()
    photo = store.save(data, scene="beach", segmenter="mediapipe")
    assert photo.file.is_absolute()
    assert photo.file.read_bytes() == data
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    created = datetime.fromisoformat(photo.created)
    assert created.utcoffset() == UTC.utcoffset(None)
    assert photo.file.parent.parent == store.folder
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", photo.file.parent.name)
    assert photo.file.name == f"{photo.id}.jpg"
    (row,) = index_rows(store.folder)
    assert dict(row) == {"id": photo.id, "created": photo.created, "scene": "beach",
                         "segmenter": "mediapipe", "sha256": photo.sha256, "views": 0,
                         "file": f"{photo.file.parent.name}/{photo.id}.jpg"}
    assert store.get(photo.id) == photo


def test_index_uses_wal_and_survives_reopening(tmp_path: Path) -> None:
    first = PhotoStore(tmp_path / "photos")
    photo = first.save(make_jpeg(), scene="a", segmenter="none")
    first.close()
    with sqlite3.connect(tmp_path / "photos" / INDEX_NAME) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = PhotoStore(tmp_path / "photos")
    assert again.get(photo.id) == photo
    again.close()


def test_ids_are_unguessable_and_url_safe() -> None:
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    for photo_id in ids:
        assert valid_id(photo_id)
        # 16 characters of the 64-letter URL-safe alphabet = 96 random bits.
        assert re.fullmatch(r"[A-Za-z0-9_-]{16}", photo_id)


@pytest.mark.parametrize("bad", MALFORMED_IDS)
def test_malformed_ids_are_refused_without_a_query(tmp_path: Path, bad: str) -> None:
    photos = PhotoStore(tmp_path / "photos")
    photos.close()
    # A closed store raises on any query: None proves the id never reached SQLite.
    assert photos.get(bad) is None
    assert photos.views(bad) == 0
    photos.record_view(bad)


def test_unknown_id_is_none(store: PhotoStore) -> None:
    assert store.get(new_id()) is None
    assert store.delete(new_id()) is False


def test_list_is_newest_first(store: PhotoStore) -> None:
    saved = [store.save(make_jpeg(seed=i), scene=f"s{i}", segmenter="none") for i in range(5)]
    assert [p.id for p in store.list()] == [p.id for p in reversed(saved)]


def test_delete_removes_file_and_row(store: PhotoStore) -> None:
    keep = store.save(make_jpeg(seed=1), scene="a", segmenter="none")
    gone = store.save(make_jpeg(seed=2), scene="b", segmenter="none")
    assert store.delete(gone.id) is True
    assert not gone.file.exists()
    assert store.get(gone.id) is None
    assert [p.id for p in store.list()] == [keep.id]
    assert store.delete(gone.id) is False


def test_views_and_totals(store: PhotoStore) -> None:
    a = store.save(make_jpeg(seed=1), scene="a", segmenter="none")
    b = store.save(make_jpeg(seed=2), scene="b", segmenter="none")
    for _ in range(3):
        store.record_view(a.id)
    store.record_view(new_id())
    assert (store.views(a.id), store.views(b.id)) == (3, 0)
    assert store.totals() == (2, 3)


def test_saves_from_many_threads(store: PhotoStore) -> None:
    results = []

    def worker(seed: int) -> None:
        results.extend(store.save(make_jpeg(seed=seed * 100 + i), scene="t", segmenter="none")
                       for i in range(10))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({p.id for p in results}) == 80
    assert len(store.list()) == 80
    assert all(p.file.read_bytes() and store.get(p.id) == p for p in results)


def test_failed_rename_leaves_no_photo(store: PhotoStore, monkeypatch) -> None:
    def full(*_args) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(StoreError) as caught:
        store.save(make_jpeg(), scene="a", segmenter="none")
    message = str(caught.value)
    assert "disk is full" in message and "\n" not in message and message.endswith(".")
    assert store.list() == []
    assert list(store.folder.glob("*/*")) == []  # no temporary file left behind either


def test_read_only_disk_is_one_sentence(store: PhotoStore, monkeypatch) -> None:
    def read_only(*_args, **_kwargs) -> int:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(StoreError, match=r"^Cannot save photos in .*read-only.*\.$"):
        store.save(make_jpeg(), scene="a", segmenter="none")
    assert store.list() == []


def test_failed_index_write_removes_the_file(store: PhotoStore) -> None:
    # Another connection makes every insert fail the way a full disk does.
    with sqlite3.connect(store.folder / INDEX_NAME) as db:
        db.execute("CREATE TRIGGER full BEFORE INSERT ON photos "
                   "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    with pytest.raises(StoreError, match="disk is full"):
        store.save(make_jpeg(), scene="a", segmenter="none")
    assert list(store.folder.glob("*/*.jpg")) == []


def test_crash_leftovers_are_never_photos(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    photos = PhotoStore(folder)
    photo = photos.save(make_jpeg(), scene="a", segmenter="none")
    photos.close()
    # A crash mid-write leaves a temporary file; a crash before the row, an unindexed JPEG.
    temp = photo.file.with_name(f".{new_id()}.jpg.tmp")
    temp.write_bytes(b"\xff\xd8half")
    os.utime(temp, (time.time() - 3600, time.time() - 3600))
    fresh = photo.file.with_name(f".{new_id()}.jpg.tmp")  # another process is writing it
    fresh.write_bytes(b"\xff\xd8")
    orphan = photo.file.with_name(f"{new_id()}.jpg")
    orphan.write_bytes(make_jpeg(seed=3))
    again = PhotoStore(folder)
    assert not temp.exists() and fresh.exists()
    assert [p.id for p in again.list()] == [photo.id]
    assert again.get(orphan.stem) is None
    again.close()


def test_rejects_bytes_that_are_not_jpeg(store: PhotoStore) -> None:
    with pytest.raises(ValueError):
        store.save(b"\x89PNG....", scene="a", segmenter="none")
