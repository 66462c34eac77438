"""PhotoStore: the photos folder on disk and its SQLite index.

Layout (see DESIGN.md)::

    <folder>/index.sqlite3          one row per photo
    <folder>/<YYYY-MM-DD>/<id>.jpg  the JPEG bytes exactly as the booth encoded them

A photo exists when its index row exists.  The file is written first (temporary
name, fsync, rename, fsync of the directory) and the row after it, so a crash at
any moment leaves either no photo or a whole one; a leftover temporary file or an
unindexed JPEG is never served.  Floor 2: no pygame, no display, no app imports.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

INDEX_NAME = "index.sqlite3"
# 12 random bytes = 96 bits, encoded as exactly 16 URL-safe characters.
ID_BYTES = 12
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{16}")
_TEMP_SUFFIX = ".tmp"
# A temporary file this old belongs to no running save (saves take milliseconds).
_STALE_TEMP_SECONDS = 60

_SCHEMA = """
CREATE TABLE IF NOT EXISTS photos (
    id        TEXT PRIMARY KEY,
    created   TEXT NOT NULL,
    scene     TEXT NOT NULL,
    segmenter TEXT NOT NULL,
    file      TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    views     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS photos_created ON photos (created);
"""
_COLUMNS = "id, created, scene, segmenter, file, sha256"


@dataclass(frozen=True)
class Photo:
    """One stored photo.  ``file`` is absolute; ``created`` is ISO 8601 UTC."""

    id: str
    created: str
    scene: str
    segmenter: str
    file: Path
    sha256: str


class StoreError(Exception):
    """A storage problem an operator can fix (disk full, read-only), in one sentence."""


def new_id() -> str:
    """A fresh photo id: 96 random bits, 16 URL-safe characters."""
    return secrets.token_urlsafe(ID_BYTES)


def valid_id(photo_id: object) -> bool:
    """True when ``photo_id`` has the exact shape of an id (checked before any lookup)."""
    return isinstance(photo_id, str) and ID_PATTERN.fullmatch(photo_id) is not None


def _explain(exc: OSError | sqlite3.Error, folder: Path, doing: str = "save photos in",
             ) -> StoreError:
    """Turn a low-level failure into the one sentence an operator can act on."""
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code == errno.ENOSPC or "full" in text:
        why = "the disk is full; free some space or set photos.folder to another disk"
    elif code == errno.EROFS or "readonly" in text or "read-only" in text:
        why = "the disk is read-only; remount it writable or set photos.folder elsewhere"
    elif code in (errno.EACCES, errno.EPERM):
        why = "permission denied; let this user write there or set photos.folder elsewhere"
    else:
        why = f"{getattr(exc, 'strerror', None) or exc}; check the disk or set photos.folder"
    return StoreError(f"Cannot {doing} {folder}: {why}.")


def _fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (a no-op where directories can't be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that it is either absent or complete, even on power loss."""
    temp = target.with_name(f".{target.name}{_TEMP_SUFFIX}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


class PhotoStore:
    """Photos on disk plus their SQLite index; safe to share between threads.

    One connection guarded by a lock: every query is tiny, and a single
    connection can be closed from any thread.  WAL lets a separate ``booth serve``
    process read while the booth writes.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder).resolve()
        self._lock = threading.Lock()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.folder / INDEX_NAME, check_same_thread=False,
                                       isolation_level=None, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed row survives power loss, like the file it names.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            self._remove_temporaries()
        except (OSError, sqlite3.Error) as exc:
            raise _explain(exc, self.folder) from None

    def _remove_temporaries(self) -> None:
        """Delete temporary files a crash left behind (they never became photos).

        Only old ones: another process (the booth beside ``booth serve``) may be
        writing a fresh one right now.
        """
        cutoff = time.time() - _STALE_TEMP_SECONDS
        for temp in self.folder.glob(f"*/.*{_TEMP_SUFFIX}"):
            if temp.stat().st_mtime < cutoff:
                temp.unlink(missing_ok=True)

    def _photo(self, row: tuple[str, str, str, str, str, str]) -> Photo:
        photo_id, created, scene, segmenter, file, sha256 = row
        return Photo(photo_id, created, scene, segmenter, self.folder / file, sha256)

    def save(self, jpeg: bytes, *, scene: str, segmenter: str) -> Photo:
        """Store JPEG bytes atomically and index them; raise StoreError on disk trouble."""
        if not jpeg.startswith(b"\xff\xd8"):
            raise ValueError("PhotoStore.save expects JPEG bytes")
        now = datetime.now(UTC)
        photo_id = new_id()
        relative = f"{now.astimezone():%Y-%m-%d}/{photo_id}.jpg"
        photo = Photo(photo_id, now.isoformat(timespec="milliseconds"), scene, segmenter,
                      self.folder / relative, hashlib.sha256(jpeg).hexdigest())
        try:
            if not photo.file.parent.is_dir():
                photo.file.parent.mkdir(exist_ok=True)
                _fsync_dir(self.folder)  # the new day folder must survive power loss too
            _write_atomically(photo.file, jpeg)
        except OSError as exc:
            raise _explain(exc, self.folder) from None
        try:
            with self._lock:
                self._db.execute(f"INSERT INTO photos ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                                 (photo.id, photo.created, scene, segmenter, relative,
                                  photo.sha256))
        except sqlite3.Error as exc:
            photo.file.unlink(missing_ok=True)
            raise _explain(exc, self.folder) from None
        return photo

    def get(self, photo_id: str) -> Photo | None:
        """The photo with this id, or None (malformed ids are refused without a query)."""
        if not valid_id(photo_id):
            return None
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM photos WHERE id = ?",
                                   (photo_id,)).fetchone()
        return self._photo(row) if row else None

    def list(self) -> list[Photo]:
        """Every photo, newest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM photos ORDER BY created DESC, rowid DESC").fetchall()
        return [self._photo(row) for row in rows]

    def delete(self, photo_id: str) -> bool:
        """Remove a photo's row, then its file; False when there was no such photo."""
        photo = self.get(photo_id)
        if photo is None:
            return False
        # Row first: a crash in between leaves an unindexed file, which is never served.
        with self._lock:
            self._db.execute("DELETE FROM photos WHERE id = ?", (photo_id,))
        try:
            photo.file.unlink(missing_ok=True)
        except OSError as exc:
            raise _explain(exc, self.folder, "delete photos from") from None
        return True

    def record_view(self, photo_id: str) -> None:
        """Count one guest visit to the photo's page (unknown ids are ignored)."""
        if valid_id(photo_id):
            with self._lock:
                self._db.execute("UPDATE photos SET views = views + 1 WHERE id = ?", (photo_id,))

    def views(self, photo_id: str) -> int:
        """Guest visits to one photo's page (0 for unknown ids)."""
        if not valid_id(photo_id):
            return 0
        with self._lock:
            row = self._db.execute("SELECT views FROM photos WHERE id = ?",
                                   (photo_id,)).fetchone()
        return row[0] if row else 0

    def totals(self) -> tuple[int, int]:
        """(number of photos, guest page views over all photos) for the operator page."""
        with self._lock:
            count, views = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(views), 0) FROM photos").fetchone()
        return count, views

    def close(self) -> None:
        """Close the index; the store must not be used afterwards."""
        with self._lock:
            self._db.close()
