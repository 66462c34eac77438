"""Datasets, metrics and the ``booth matte`` / ``booth eval`` commands.

The metrics (floor 1: numpy in, numpy out) follow ``../shared/data/README.md``:

* mIoU: mean over frames of |pred & gt| / |pred | gt|, pred = 8-bit alpha >= 128,
  ignored pixels (85 outside the region of interest, 170 unknown band) left out.
* boundary F: the DAVIS F-measure of mask boundaries (Perazzi et al. 2016, the
  ``f_measure`` of the DAVIS evaluation code), tolerance 0.8 % of the diagonal,
  with CDnet's ignored codes handled as :func:`boundary_f` explains.
* dtSSD: per consecutive pair of scored frames
  sqrt(mean(((a_t - a_{t-1}) - (g_t - g_{t-1}))^2)) x 100 over pixels scored in
  both, alpha and truth in [0, 1]; averaged over pairs.

Ground truth is 8-bit: 255 = person, 0 and 50 (shadow) = background, 85 and
170 = not scored.  Alphas here are HxW uint8 (``alpha_u8``) as written to PNG.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from booth.config import Config
from booth.sources import IMAGE_SUFFIXES, VIDEO_SUFFIXES, SourceError

IGNORED = (85, 170)
BOUNDARY_TOLERANCE = 0.008  # fraction of the image diagonal


# --------------------------------------------------------------------- metrics


def truth(gt_u8: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(person, scored) boolean masks of an 8-bit ground truth (CDnet codes)."""
    scored = ~np.isin(gt_u8, IGNORED)
    return (gt_u8 >= 128) & scored, scored


def iou(alpha_u8: np.ndarray, gt_u8: np.ndarray) -> float:
    """|pred & gt| / |pred | gt| over scored pixels; 1.0 when both are empty."""
    person, scored = truth(gt_u8)
    pred = (alpha_u8 >= 128) & scored
    union = np.count_nonzero(pred | person)
    return 1.0 if union == 0 else np.count_nonzero(pred & person) / union


def boundary_map(mask: np.ndarray) -> np.ndarray:
    """DAVIS ``seg2bmap``: pixels whose right, lower or lower-right neighbour differs.

    The image border itself is never a boundary.
    """
    seg = mask.astype(bool)
    east, south, southeast = (np.zeros_like(seg) for _ in range(3))
    east[:, :-1] = seg[:, 1:]
    south[:-1, :] = seg[1:, :]
    southeast[:-1, :-1] = seg[1:, 1:]
    bmap = (seg ^ east) | (seg ^ south) | (seg ^ southeast)
    bmap[-1, :] = seg[-1, :] ^ east[-1, :]
    bmap[:, -1] = seg[:, -1] ^ south[:, -1]
    bmap[-1, -1] = False
    return bmap


def disk(radius: int) -> np.ndarray:
    """skimage.morphology.disk: uint8 (2r+1)^2, 1 where x^2 + y^2 <= r^2."""
    y, x = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    return (x * x + y * y <= radius * radius).astype(np.uint8)


def boundary_f(alpha_u8: np.ndarray, gt_u8: np.ndarray,
               tolerance: float = BOUNDARY_TOLERANCE) -> float:
    """DAVIS boundary F-measure: precision and recall of boundary pixels within tolerance.

    Boundaries are taken of the unmodified masks (the 170 band counts as
    background, so the truth's edge is the band's inner rim, well inside the
    tolerance); boundary pixels outside the region of interest (85) are dropped
    from both.  DAVIS instead clears void pixels from both masks, which on
    CDnet's band around the person draws the same outline into both masks and
    scores even an all-person prediction near 1.
    """
    person = gt_u8 >= 128
    outside = gt_u8 == IGNORED[0]
    radius = int(math.ceil(tolerance * math.hypot(*gt_u8.shape[:2])))
    pred_b = boundary_map(alpha_u8 >= 128) & ~outside
    gt_b = boundary_map(person & (gt_u8 != IGNORED[1])) & ~outside
    n_pred, n_gt = int(pred_b.sum()), int(gt_b.sum())
    if n_pred == 0 or n_gt == 0:
        # DAVIS: both empty is a perfect match; one empty scores precision or recall 0.
        return 1.0 if n_pred == n_gt else 0.0
    kernel = disk(radius)
    pred_near = cv2.dilate(pred_b.astype(np.uint8), kernel) > 0
    gt_near = cv2.dilate(gt_b.astype(np.uint8), kernel) > 0
    precision = np.count_nonzero(pred_b & gt_near) / n_pred
    recall = np.count_nonzero(gt_b & pred_near) / n_gt
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def dtssd(alpha_u8: np.ndarray, prev_alpha_u8: np.ndarray,
          gt_u8: np.ndarray, prev_gt_u8: np.ndarray) -> float:
    """Temporal error x 100 of one pair of consecutive frames (0 = flickers like the truth)."""
    person, scored = truth(gt_u8)
    prev_person, prev_scored = truth(prev_gt_u8)
    both = scored & prev_scored
    if not both.any():
        return 0.0
    d_alpha = (alpha_u8.astype(np.float32) - prev_alpha_u8.astype(np.float32)) / 255.0
    d_gt = person.astype(np.float32) - prev_person.astype(np.float32)
    return float(np.sqrt(np.mean((d_alpha - d_gt)[both] ** 2)) * 100.0)


# -------------------------------------------------------------------- datasets


class DatasetError(SourceError):
    """A dataset or input cannot be used; the message is one sentence."""


@dataclass
class Sample:
    """One frame: ``name`` for output files, BGR ``frame``, 8-bit ``gt`` or None."""

    name: str
    frame: np.ndarray
    gt: np.ndarray | None
    # Scored frames are consecutive with the previous scored one (dtSSD pairs).
    follows_previous: bool = False


def _images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def read_image(path: Path, flags: int = cv2.IMREAD_COLOR) -> np.ndarray:
    """An image as OpenCV reads it; DatasetError when it cannot."""
    image = cv2.imread(str(path), flags)
    if image is None:
        raise DatasetError(f"{path} is not an image OpenCV can read")
    return image


def find_video(folder: Path) -> Path | None:
    """The one video file in ``folder``, if any."""
    videos = sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    return videos[0] if videos else None


def video_frames(path: Path) -> Iterator[np.ndarray]:
    """Every frame of a video file once, in order."""
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise DatasetError(f"{path} is not a video OpenCV can read")
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                return
            yield frame
    finally:
        cap.release()


def frame_count(path: Path) -> int:
    """Frames in a video as its header claims (0 when unknown)."""
    cap = cv2.VideoCapture(str(path))
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if cap.isOpened() else 0
    cap.release()
    return max(count, 0)


@dataclass
class Dataset:
    """An image set (``images/`` + ``masks/``) or a video with CDnet ``masks/gtNNNNNN.png``."""

    path: Path
    video: Path | None = None
    images: list[Path] = field(default_factory=list)
    masks: dict[str, Path] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return "video" if self.video else "images"

    def total(self, limit: int | None) -> int:
        """Frames that :meth:`samples` yields with this ``limit`` (for the progress bar)."""
        if self.video is None:
            return min(len(self.images), limit or len(self.images))
        if limit is None:
            return frame_count(self.video)
        scored = sorted(int(k) for k in self.masks)
        return scored[min(len(scored), limit) - 1]  # the limit-th scored frame's number

    def samples(self, limit: int | None = None) -> Iterator[Sample]:
        """Frames in order with their truth; ``limit`` caps the scored ones.

        A video yields every frame from the first, scored or not, because a
        segmenter may learn from them (the empty plate before the person arrives).
        """
        if self.video is None:
            for path in self.images[:limit]:
                yield Sample(path.stem, read_image(path),
                             read_image(self.masks[path.stem], cv2.IMREAD_GRAYSCALE))
            return
        scored, previous = 0, False
        for number, frame in enumerate(video_frames(self.video), start=1):
            mask = self.masks.get(str(number))
            gt = None if mask is None else read_image(mask, cv2.IMREAD_GRAYSCALE)
            yield Sample(f"{number:06d}", frame, gt, follows_previous=previous and gt is not None)
            previous = gt is not None
            scored += gt is not None
            if limit is not None and scored >= limit:
                return


def open_dataset(path: Path) -> Dataset:
    """Recognise an image set or a video folder; DatasetError says what is missing."""
    if not path.is_dir():
        raise DatasetError(f"{path} is not a folder (expected images/ + masks/, or a video "
                           "with masks/)")
    masks_dir = path / "masks"
    if not masks_dir.is_dir():
        raise DatasetError(f"{path} has no masks/ folder, so there is nothing to score against")
    video = find_video(path)
    if video is not None:
        masks = {str(int(p.stem[2:])): p for p in _images(masks_dir)
                 if p.stem.startswith("gt") and p.stem[2:].isdigit()}
        if not masks:
            raise DatasetError(f"{masks_dir} holds no gtNNNNNN.png masks for {video.name}")
        return Dataset(path, video=video, masks=masks)
    if not (path / "images").is_dir():
        raise DatasetError(f"{path} has neither an images/ folder nor a video file")
    masks = {p.stem: p for p in _images(masks_dir)}
    images = [p for p in _images(path / "images") if p.stem in masks]
    if not images:
        raise DatasetError(f"{path}: no image in images/ has a mask of the same name in masks/")
    return Dataset(path, images=images, masks=masks)


# ------------------------------------------------------------------- inputs


def input_frames(path: Path) -> tuple[Iterator[tuple[str, np.ndarray]], int]:
    """(name, frame) pairs of an image folder or a video file, and how many there are.

    Video frames are named by their 1-based number (``000001``), images by stem.
    """
    if path.is_dir():
        files = _images(path)
        if not files:
            raise DatasetError(f"{path} holds no images ({', '.join(IMAGE_SUFFIXES)})")
        return ((p.stem, read_image(p)) for p in files), len(files)
    if path.suffix.lower() in VIDEO_SUFFIXES and path.is_file():
        frames = enumerate(video_frames(path), start=1)
        return ((f"{n:06d}", frame) for n, frame in frames), frame_count(path)
    raise DatasetError(f"{path} is neither an image folder nor a video file")


class Progress:
    """A plain progress line on stderr for long inputs, redrawn at most twice a second."""

    def __init__(self, label: str, total: int, min_total: int = 50) -> None:
        self.label, self.total = label, total
        self.enabled = total >= min_total
        self._tty = sys.stderr.isatty()
        self._last = 0.0
        self._done = 0

    def step(self) -> None:
        self._done += 1
        now = time.monotonic()
        if not self.enabled or (now - self._last < (0.5 if self._tty else 10.0)
                                and self._done < self.total):
            return
        self._last = now
        pct = 100 * self._done / max(self.total, 1)
        end = "\r" if self._tty else "\n"
        print(f"{self.label}: {self._done}/{self.total} ({pct:.0f}%)", end=end,
              file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.enabled and self._tty:
            print(file=sys.stderr)


# ---------------------------------------------------------------- matting


class Matter:
    """One segmenter plus the booth's refinement: frame in, full-size 8-bit alpha out.

    ``size`` is the long edge of the frame the segmenter sees (0 = as given);
    ``refine`` applies the booth's guided upsampling and temporal smoothing,
    otherwise the raw alpha is only resized bilinearly.
    """

    def __init__(self, name: str, config: Config, size: int = 0, refine: bool = True) -> None:
        from booth import segmenters
        from booth.matte import TemporalSmoother

        self.name = name
        self.segmenter = segmenters.create(name, config.segmenter.options.get(name, {}))
        self.size, self.refine = size, refine
        self._smoother = TemporalSmoother(config.matte.smoothing if refine else 0.0)
        self.seconds = 0.0  # time spent in segment(), for fps
        self.calls = 0

    def alpha(self, frame: np.ndarray) -> np.ndarray:
        """HxW uint8 alpha for an HxWx3 BGR frame."""
        from booth.matte import guided_upsample, small_copy, upsample

        small = small_copy(frame, self.size) if self.size else frame
        start = time.perf_counter()
        alpha = self.segmenter.segment(small)
        self.seconds += time.perf_counter() - start
        self.calls += 1
        h, w = frame.shape[:2]
        if self.refine:
            alpha = guided_upsample(self._smoother.update(alpha, small), frame)
        else:
            alpha = upsample(alpha.astype(np.float32, copy=False), (w, h))
        return np.round(np.clip(alpha, 0.0, 1.0) * 255.0).astype(np.uint8)

    def restart(self) -> None:
        """Forget state between unrelated images."""
        self.segmenter.reset()
        self._smoother.reset()

    def close(self) -> None:
        self.segmenter.close()


def matte_command(config: Config, args: argparse.Namespace) -> int:
    """``booth matte``: one 8-bit alpha PNG per image or frame, optional composites."""
    from booth.matte import composite, cover_fit

    name = args.segmenter or config.segmenter.name
    frames, total = input_frames(args.input)
    scene = read_image(args.composite) if args.composite else None
    args.outdir.mkdir(parents=True, exist_ok=True)
    if scene is not None:
        (args.outdir / "composite").mkdir(exist_ok=True)
    matter = Matter(name, config, size=args.size,
                    refine=not args.raw)
    progress = Progress(f"matte {name}", total)
    is_video = not args.input.is_dir()
    try:
        for stem, frame in frames:
            if not is_video:
                matter.restart()
            alpha_u8 = matter.alpha(frame)
            _write(args.outdir / f"{stem}.png", alpha_u8)
            if scene is not None:
                fitted = cover_fit(scene, (frame.shape[1], frame.shape[0]))
                out = composite(frame, fitted, alpha_u8.astype(np.float32) / 255.0)
                _write(args.outdir / "composite" / f"{stem}.jpg", out)
            progress.step()
    finally:
        progress.close()
        matter.close()
    return 0


def _write(path: Path, image: np.ndarray) -> None:
    if not cv2.imwrite(str(path), image):
        raise DatasetError(f"cannot write {path} (is the folder writable?)")


# ---------------------------------------------------------------- scoring


@dataclass
class Score:
    """Accumulated metrics of one segmenter on one dataset."""

    segmenter: str
    ious: list[float] = field(default_factory=list)
    fs: list[float] = field(default_factory=list)
    dts: list[float] = field(default_factory=list)
    seconds: float = 0.0
    calls: int = 0
    # The worst frames as (iou, tie-breaker, name, thumbnail) for the contact sheet.
    worst: list[tuple[float, int, str, np.ndarray]] = field(default_factory=list)

    def summary(self) -> dict[str, float | int | str | None]:
        """Means for the table and --json (dtSSD None for image sets)."""
        return {
            "segmenter": self.segmenter,
            "frames": len(self.ious),
            "miou": float(np.mean(self.ious)) if self.ious else None,
            "boundary_f": float(np.mean(self.fs)) if self.fs else None,
            "dtssd": float(np.mean(self.dts)) if self.dts else None,
            "fps": self.calls / self.seconds if self.seconds > 0 else None,
        }


WORST_KEPT = 4


def overlay(frame: np.ndarray, alpha_u8: np.ndarray, gt_u8: np.ndarray,
            long_edge: int = 200) -> np.ndarray:
    """A small RGB picture of the errors: green hit, red false person, blue missed person."""
    from booth.matte import small_copy

    person, scored = truth(gt_u8)
    pred = alpha_u8 >= 128
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB).astype(np.float32) * 0.5
    for mask, colour in ((pred & person, (0, 200, 0)), (pred & ~person & scored, (230, 0, 0)),
                         (~pred & person, (0, 80, 255))):
        rgb[mask] = rgb[mask] * 0.4 + np.array(colour, np.float32) * 0.6
    return small_copy(rgb.astype(np.uint8), long_edge)


def score_one(name: str, config: Config, dataset: Dataset, args: argparse.Namespace) -> Score:
    """Run segmenter ``name`` over ``dataset`` and collect its metrics."""
    matter = Matter(name, config, size=args.size,
                    refine=not args.raw)
    score = Score(name)
    progress = Progress(f"eval {name}", dataset.total(args.limit))
    previous: tuple[np.ndarray, np.ndarray] | None = None
    try:
        for sample in dataset.samples(args.limit):
            if dataset.kind == "images":
                matter.restart()
            alpha_u8 = matter.alpha(sample.frame)
            progress.step()
            if sample.gt is None:
                continue
            if sample.gt.shape != alpha_u8.shape:
                raise DatasetError(f"{dataset.path}: mask of {sample.name} is not the size of "
                                   "its image")
            value = iou(alpha_u8, sample.gt)
            score.ious.append(value)
            score.fs.append(boundary_f(alpha_u8, sample.gt))
            if sample.follows_previous and previous is not None:
                score.dts.append(dtssd(alpha_u8, previous[0], sample.gt, previous[1]))
            previous = (alpha_u8, sample.gt)
            _keep_worst(score, value, sample, alpha_u8)
    finally:
        progress.close()
        score.seconds, score.calls = matter.seconds, matter.calls
        matter.close()
    return score


def _keep_worst(score: Score, value: float, sample: Sample, alpha_u8: np.ndarray) -> None:
    # A max-heap on -iou keeps the WORST_KEPT lowest; thumbnails only for those.
    entry = (-value, len(score.ious), sample.name, np.empty(0))
    if len(score.worst) < WORST_KEPT or entry > score.worst[0]:
        assert sample.gt is not None
        thumb = overlay(sample.frame, alpha_u8, sample.gt)
        entry = (-value, len(score.ious), sample.name, thumb)
        if len(score.worst) < WORST_KEPT:
            heapq.heappush(score.worst, entry)
        else:
            heapq.heapreplace(score.worst, entry)


def format_table(rows: list[dict], dataset: Dataset) -> str:
    """A Markdown table of summaries (dtSSD only for videos)."""
    video = dataset.kind == "video"
    head = ["segmenter", "frames", "mIoU", "boundary F"] + (["dtSSD"] if video else []) + ["fps"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def num(value: float | None, digits: int) -> str:
        return "–" if value is None else f"{value:.{digits}f}"

    for row in rows:
        cells = [row["segmenter"], str(row["frames"]), num(row["miou"], 3),
                 num(row["boundary_f"], 3)]
        cells += [num(row["dtssd"], 2)] if video else []
        cells += [num(row["fps"], 1)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(scores: list[Score], dataset: Dataset, path: Path) -> None:
    """Bar chart of mIoU and boundary F per segmenter, then each one's worst frames."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed, and never pygame's
    import matplotlib.pyplot as plt

    rows = len(scores)
    fig = plt.figure(figsize=(3 * WORST_KEPT, 3 + 2.4 * rows))
    grid = fig.add_gridspec(rows + 1, WORST_KEPT, height_ratios=[1.4] + [1] * rows)
    bars = fig.add_subplot(grid[0, :])
    names = [s.segmenter for s in scores]
    x = np.arange(len(names))
    for offset, key, label in ((-0.2, "miou", "mIoU"), (0.2, "boundary_f", "boundary F")):
        values = [s.summary()[key] or 0.0 for s in scores]
        bars.bar(x + offset, values, width=0.4, label=label)
    bars.set_xticks(x, names)
    bars.set_ylim(0, 1)
    bars.legend(loc="lower right")
    bars.set_title(f"{dataset.path.name}: green hit, red false person, blue missed")
    for row, score in enumerate(scores, start=1):
        worst = sorted(score.worst, reverse=True)  # lowest IoU first
        for col in range(WORST_KEPT):
            ax = fig.add_subplot(grid[row, col])
            ax.axis("off")
            if col < len(worst):
                neg_iou, _, name, thumb = worst[col]
                ax.imshow(thumb)
                ax.set_title(f"{score.segmenter} {name} IoU {-neg_iou:.2f}", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def eval_command(config: Config, args: argparse.Namespace) -> int:
    """``booth eval``: score one or more segmenters, print a table or JSON, maybe plot."""
    dataset = open_dataset(args.dataset)
    names = [n.strip() for n in (args.segmenter or config.segmenter.name).split(",")
             if n.strip()]
    scores = [score_one(name, config, dataset, args) for name in names]
    rows = [s.summary() for s in scores]
    if args.json:
        print(json.dumps({"dataset": str(dataset.path), "kind": dataset.kind, "results": rows},
                         indent=2))
    else:
        print(format_table(rows, dataset))
    if args.plot:
        plot(scores, dataset, args.plot)
    return 0
