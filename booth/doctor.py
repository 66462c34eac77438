"""``booth doctor``: check every outside thing the booth needs, and say what to fix.

Camera (opens, resolution, frames per second actually delivered), model (loads
and segments a frame, along the fallback chain), scenes (usable, skipped and
why), disk (free space, how many photos fit, writable), index (every indexed
photo present and intact, photo files without a row) and the guest pages
(address, port, link).  Prints a table, or JSON with ``--json``; the exit code
is 1 when any check FAILs.  Safe to run beside a running booth: it only reads
the photos folder (though the booth's camera and port will show as busy).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from booth import matte, segmenters
from booth.config import Config
from booth.scenes import SCENE_SUFFIXES, decode_image
from booth.segmenters import SegmenterError
from booth.segmenters.guard import FallbackSegmenter
from booth.sources import DemoReader, Reader, SourceError, open_reader
from booth.store import INDEX_NAME

OK, WARN, FAIL = "ok", "warn", "FAIL"
CAMERA_SECONDS = 2.0  # how long a webcam's frame rate is measured
# A 1920x1080 photo at the default JPEG quality is about 0.5 MB; scaled by pixels
# until the folder holds real photos to average.
EST_BYTES_PER_PIXEL = 0.5e6 / (1920 * 1080)
FIT_FAIL, FIT_WARN = 100, 1000  # photos that must fit: a short party, a long wedding
SEGMENT_RUNS = 3  # frames timed per model (the first one warms it up)
SOURCE_HELP = "a webcam index (0, 1, ...), a video file, an image folder or 'demo'"


@dataclass
class Check:
    """One line of the report."""

    check: str
    status: str  # OK, WARN or FAIL
    detail: str
    fix: str = ""


# -- camera ---------------------------------------------------------------------------------
def check_camera(config: Config, seconds: float = CAMERA_SECONDS
                 ) -> tuple[Check, np.ndarray | None]:
    """Open the camera source, read for ``seconds``; returns the check and one frame (BGR)."""
    cam = config.camera
    try:
        reader = open_reader(cam.source, cam.width, cam.height, cam.fps)
    except SourceError as exc:
        plug = "plug the camera in and close other programs using it, or " \
            if cam.source.isdigit() else ""
        return Check("camera", FAIL, str(exc), f"{plug}set camera.source to {SOURCE_HELP}"), None
    try:
        frame, fps = _sample(reader, seconds)
    finally:
        reader.close()
    if frame is None:
        return Check("camera", FAIL, f"{cam.source} opened but gave no frame in {seconds:g} s",
                     "try another USB port or camera index; check no other program holds "
                     "it"), None
    h, w = frame.shape[:2]
    if reader.paced:  # a file, folder or the demo plays at its own rate: nothing to measure
        return Check("camera", OK, f"{cam.source}: {w}x{h}, plays at {reader.fps:g} fps"), frame
    detail = f"camera {cam.source}: {w}x{h} at {fps:.1f} fps delivered"
    if (w, h) != (cam.width, cam.height):
        return Check("camera", WARN, f"{detail}, but {cam.width}x{cam.height} was asked",
                     "set camera.width and camera.height to a mode the camera supports"), frame
    if fps < 0.75 * cam.fps:
        return Check("camera", WARN, f"{detail} of the {cam.fps} asked",
                     "add light (cameras slow down in the dark), use a USB 3 port, or lower "
                     "camera.width/height"), frame
    return Check("camera", OK, detail), frame


def _sample(reader: Reader, seconds: float) -> tuple[np.ndarray | None, float]:
    """(last frame, frames per second delivered) over ``seconds`` of a webcam.

    Paced readers (files, demo) deliver as fast as asked, so one frame is enough.
    The rate is counted from the first frame: a camera's start-up is not its rate.
    """
    frame = reader.grab()
    if reader.paced:
        return frame, reader.fps
    deadline = time.monotonic() + seconds
    while frame is None and time.monotonic() < deadline:
        frame = reader.grab()
    first, frames, last = time.monotonic(), 0, frame
    while last is not None and time.monotonic() < first + seconds:
        grabbed = reader.grab()
        if grabbed is not None:
            last, frames = grabbed, frames + 1
    elapsed = time.monotonic() - first
    return last, frames / elapsed if elapsed > 0 else 0.0


# -- model ----------------------------------------------------------------------------------
def check_model(config: Config, frame: np.ndarray | None) -> Check:
    """Load the segmenter along its fallback chain and time it on ``frame`` (or a demo frame)."""
    seg = config.segmenter
    known = segmenters.available()
    choose = f"choose one of: {', '.join(known)}"
    if seg.name not in known:
        return Check("model", FAIL, f"unknown segmenter {seg.name!r}",
                     f"set segmenter.name to one of: {', '.join(known)}")
    chain = [seg.name, *seg.fallback]
    started = time.perf_counter()
    try:
        guard = FallbackSegmenter(chain, lambda n: segmenters.create(n, seg.options.get(n, {})))
    except SegmenterError as exc:
        return Check("model", FAIL, str(exc),
                     f"fix segmenter.options.{seg.name} (model path?) or add a working "
                     f"segmenter to segmenter.fallback; {choose}")
    try:
        loaded = time.perf_counter() - started
        ms, problem = _time_segment(guard, frame, seg.preview_size)
        name = guard.name
    finally:
        guard.close()
    unknown = [n for n in seg.fallback if n not in known]
    detail = (f"{name} loads in {loaded:.1f} s, segments a {seg.preview_size}-px frame in "
              f"{ms:.0f} ms; fallback chain: {' -> '.join(chain)}")
    if problem:
        return Check("model", FAIL, f"{name} {problem}", "report this segmenter's bug")
    if name != seg.name:
        return Check("model", WARN, f"{'; '.join(guard.problems)}; the booth would use {name}",
                     f"check segmenter.options.{seg.name} (model path) and that its package "
                     "is installed")
    if unknown:
        return Check("model", WARN, f"{detail}; unknown in segmenter.fallback: "
                     f"{', '.join(unknown)}", f"in segmenter.fallback, {choose}")
    return Check("model", OK, detail)


def _time_segment(segmenter: FallbackSegmenter, frame: np.ndarray | None, edge: int
                  ) -> tuple[float, str | None]:
    """(median ms per frame, what is wrong with the alpha or None), on a small copy of ``frame``."""
    if frame is None:
        frame = DemoReader(640, 360).grab()
    assert frame is not None
    small = matte.small_copy(frame, edge)
    times, alpha = [], None
    for _ in range(SEGMENT_RUNS):
        started = time.perf_counter()
        alpha = segmenter.segment(small)
        times.append((time.perf_counter() - started) * 1000)
    assert alpha is not None
    if alpha.dtype != np.float32 or alpha.ndim != 2:
        return statistics.median(times), f"returns {alpha.dtype} {alpha.shape}, not 2-D float32"
    return statistics.median(times), None


# -- scenes ---------------------------------------------------------------------------------
def check_scenes(config: Config) -> Check:
    """Decode every scene file as the booth would; list the skipped ones with reasons."""
    folder = config.scenes.folder
    builtins = f"built-ins: {', '.join(config.scenes.builtins) or 'none'}"
    if not folder.is_dir():
        return Check("scenes", WARN, f"{folder} is not a folder: only the {builtins}",
                     f"create {folder} and put .jpg, .png or .webp backgrounds in it")
    usable, skipped = [], []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in SCENE_SUFFIXES):
        try:
            decode_image(path)
            usable.append(path.name)
        except (ValueError, OSError) as exc:
            skipped.append(f"{path.name} ({exc})")
    if skipped:
        return Check("scenes", WARN, f"{len(usable)} usable in {folder}, skipped: "
                     f"{'; '.join(skipped)}",
                     "replace the skipped files with JPEG or PNG images under 60 megapixels")
    if not usable:
        return Check("scenes", WARN, f"no scene images in {folder}: only the {builtins}",
                     f"put .jpg, .png or .webp backgrounds in {folder}")
    return Check("scenes", OK, f"{len(usable)} scene images in {folder}, plus {builtins}")


# -- disk and index -------------------------------------------------------------------------
def photo_files(folder: Path) -> list[Path]:
    """The stored photos' files: ``<folder>/<day>/<id>.jpg``, without temporary files."""
    return sorted(p for p in folder.glob("*/*.jpg") if not p.name.startswith("."))


def check_disk(config: Config) -> Check:
    """Free space where photos go, how many more fit, and whether it can be written."""
    folder = config.photos.folder
    existing = next(p for p in (folder, *folder.parents) if p.is_dir())
    try:
        with tempfile.TemporaryFile(dir=existing) as probe:
            probe.write(b"booth doctor")
            probe.flush()
        free = shutil.disk_usage(existing).free
    except OSError as exc:
        return Check("disk", FAIL, f"cannot write in {existing}: {exc.strerror or exc}",
                     "let this user write there, or set photos.folder to another disk")
    sizes = [p.stat().st_size for p in photo_files(folder)] if folder.is_dir() else []
    cam = config.camera
    each = statistics.mean(sizes) if sizes else EST_BYTES_PER_PIXEL * cam.width * cam.height
    fit = int(free // max(each, 1))
    how = "average" if sizes else "estimated"
    detail = (f"{free / 1e9:.1f} GB free for {folder}: about {fit:,} more photos "
              f"({each / 1e6:.2f} MB each, {how})")
    fix = "free some space, or set photos.folder to a bigger disk"
    if fit < FIT_FAIL:
        return Check("disk", FAIL, detail, fix)
    if fit < FIT_WARN:
        return Check("disk", WARN, detail, fix)
    return Check("disk", OK, detail)


@dataclass
class IndexAudit:
    """What the index and the photo files say about each other."""

    indexed: int = 0
    missing: list[str] = field(default_factory=list)  # ids whose file is gone
    damaged: list[str] = field(default_factory=list)  # ids whose file differs from its sha256
    unindexed: list[Path] = field(default_factory=list)  # photo files without a row


def audit_index(folder: Path) -> IndexAudit:
    """Compare ``folder``'s index with its files, read-only.

    Read-only on purpose: opening a PhotoStore would delete the temporary file of
    a save a running booth has in progress.
    """
    audit = IndexAudit()
    index = folder / INDEX_NAME
    rows: list[tuple[str, str, str]] = []
    if index.is_file():
        db = sqlite3.connect(f"{index.as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            rows = db.execute("SELECT id, file, sha256 FROM photos").fetchall()
        finally:
            db.close()
    audit.indexed = len(rows)
    known = set()
    for photo_id, relative, sha256 in rows:
        path = folder / relative
        known.add(path)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except FileNotFoundError:
            audit.missing.append(photo_id)
            continue
        if digest != sha256:
            audit.damaged.append(photo_id)
    audit.unindexed = [p for p in photo_files(folder) if p not in known]
    return audit


def check_index(config: Config) -> Check:
    """Every indexed photo exists and matches its sha256; files without a row are reported."""
    folder = config.photos.folder
    try:
        audit = audit_index(folder)
    except sqlite3.Error as exc:
        return Check("index", FAIL, f"{folder / INDEX_NAME} cannot be read: {exc}",
                     "move the photos folder aside and start with a fresh one")
    problems, fixes = [], []
    if audit.missing:
        problems.append(f"{len(audit.missing)} missing ({_few(audit.missing)})")
    if audit.damaged:
        problems.append(f"{len(audit.damaged)} not matching their sha256 "
                        f"({_few(audit.damaged)})")
    if problems:
        fixes.append("restore the missing or damaged files from a copy (guests get an error "
                     "page for them)")
    if audit.unindexed:
        names = _few([str(p.relative_to(folder)) for p in audit.unindexed])
        problems.append(f"{len(audit.unindexed)} photo files without an index row, from a save "
                        f"cut short ({names})")
        fixes.append("files without a row are never shown to guests: copy them off by hand "
                     "if wanted")
    if not problems:
        return Check("index", OK, f"{audit.indexed} photos, all present and intact")
    status = FAIL if audit.missing or audit.damaged else WARN
    return Check("index", status, f"{audit.indexed} photos indexed; {'; '.join(problems)}",
                 "; ".join(fixes))


def _few(items: list[str], shown: int = 3) -> str:
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


# -- guest pages ----------------------------------------------------------------------------
def check_share(config: Config) -> Check:
    """The address in the QR codes, and whether the port is free to listen on."""
    from booth.share.server import ShareError, _listen, guest_url

    share = config.share
    if not share.enabled:
        return Check("share", OK, "guest pages are off (share.enabled = false)")
    base = guest_url(share, "").removesuffix("/p/")
    try:
        _listen(share.host, share.port).close()
    except ShareError as exc:
        return Check("share", FAIL, f"guest pages cannot listen on {share.host}:{share.port}",
                     str(exc))
    detail = f"QR codes link to {base}/p/<id>; port {share.port} on {share.host} is free"
    if not share.base_url and ("127.0.0.1" in base or "localhost" in base):
        return Check("share", WARN, f"{detail}, but there is no network address",
                     "connect the booth to the event network (or Wi-Fi hotspot), or set "
                     "share.base_url")
    return Check("share", OK, detail)


# -- the report -----------------------------------------------------------------------------
def run_checks(config: Config, camera_seconds: float = CAMERA_SECONDS) -> list[Check]:
    """Every check, in the order the booth needs them."""
    camera, frame = check_camera(config, camera_seconds)
    steps: list[Callable[[Config], Check]] = [check_scenes, check_disk, check_index, check_share]
    return [camera, check_model(config, frame), *(step(config) for step in steps)]


def format_table(checks: list[Check], width: int = 100) -> str:
    """A plain-text table: check, status, detail, fix (long cells wrapped)."""
    detail_w = (width - 16) * 11 // 20
    fix_w = width - 16 - detail_w - 2
    lines = [f"{'check':<8}{'status':<8}{'detail':<{detail_w}}  fix",
             f"{'-' * 7} {'-' * 6}  {'-' * detail_w}  {'-' * fix_w}"]
    for c in checks:
        detail = textwrap.wrap(c.detail, detail_w, break_on_hyphens=False) or [""]
        fix = textwrap.wrap(c.fix, fix_w, break_on_hyphens=False) or [""]
        for i in range(max(len(detail), len(fix))):
            head = f"{c.check:<8}{c.status:<8}" if i == 0 else " " * 16
            left = detail[i] if i < len(detail) else ""
            right = fix[i] if i < len(fix) else ""
            lines.append(f"{head}{left:<{detail_w}}  {right}".rstrip())
    return "\n".join(lines)


def main(config: Config, args: argparse.Namespace) -> int:
    """CLI handler: print the table (or JSON); exit code 1 when any check FAILs."""
    checks = run_checks(config)
    if args.json:
        print(json.dumps([asdict(c) for c in checks], indent=2))
    else:
        print(format_table(checks))
    sys.stdout.flush()
    return 1 if any(c.status == FAIL for c in checks) else 0
