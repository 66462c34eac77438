"""The one entry point: ``booth [run|serve|matte|eval|bench|selftest|doctor]``.

Each command's flags are declared here; the work is done by the module named in
its handler.  Errors an operator can fix (config, source, segmenter) print one
sentence to stderr and exit with code 2; nothing here prints a traceback.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

EXIT_USAGE = 2


class UserError(Exception):
    """A problem the operator can fix, told in one sentence."""


def _config(args: argparse.Namespace):
    """Load the config and apply command-line overrides."""
    from booth import config as cfg

    conf = cfg.load(args.config)
    for flag, dotted in (("source", "camera.source"), ("segmenter", "segmenter.name"),
                         ("photos", "photos.folder"), ("port", "share.port"),
                         ("base_url", "share.base_url")):
        value = getattr(args, flag, None)
        if value is not None:
            cfg.override(conf, dotted, value)
    if getattr(args, "windowed", False):
        conf.display.fullscreen = False
    return conf


def cmd_run(args: argparse.Namespace) -> int:
    conf = _config(args)
    from booth import app

    return app.run(conf)


def cmd_serve(args: argparse.Namespace) -> int:
    conf = _config(args)
    from booth.share import server

    return server.serve_forever(conf)


def cmd_selftest(args: argparse.Namespace) -> int:
    conf = _config(args)
    from booth import selftest

    return selftest.main(conf, args)


def cmd_matte(args: argparse.Namespace) -> int:
    conf = _config(args)
    from booth import evaluate

    return evaluate.matte_command(conf, args)


def cmd_eval(args: argparse.Namespace) -> int:
    conf = _config(args)
    from booth import evaluate

    return evaluate.eval_command(conf, args)


def cmd_bench(args: argparse.Namespace) -> int:
    conf = _config(args)
    from booth import bench

    return bench.main(conf, args)


def cmd_doctor(args: argparse.Namespace) -> int:
    conf = _config(args)
    from booth import doctor

    return doctor.main(conf, args)


def tune_allocator() -> None:
    """Keep a night-long run's memory flat (Linux/glibc; elsewhere nothing to do).

    glibc gives every thread its own arena and keeps freed frame-sized buffers
    there: without this the booth's memory creeps up ~5 % in the first minutes
    (docs/reliability.md has the soak figures with and without it).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_mmap_threshold, m_arena_max = -3, -8  # from <malloc.h>
    libc.mallopt(m_arena_max, 2)
    libc.mallopt(m_mmap_threshold, 128 * 1024)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used by the README's reference)."""
    parser = argparse.ArgumentParser(prog="booth", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, help="config file (default ./config.toml)")
    sub = parser.add_subparsers(dest="command")

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_: str,
            *, source: bool = False, segmenter: bool = False, photos: bool = False,
            ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_, description=help_)
        if source:
            p.add_argument("--source", help="webcam index, video file, image folder or 'demo'")
        if segmenter:
            p.add_argument("--segmenter", help="segmenter name (see 'booth doctor')")
        if photos:
            p.add_argument("--photos", type=Path, help="photos folder")
        p.set_defaults(handler=handler)
        return p

    run = add("run", cmd_run, "start the booth", source=True, segmenter=True, photos=True)
    run.add_argument("--windowed", action="store_true", help="run in a window, not fullscreen")

    serve = add("serve", cmd_serve, "serve guest pages for a photos folder, without the booth",
                photos=True)
    serve.add_argument("--port", type=int, help="port of the guest pages")
    serve.add_argument("--base-url", dest="base_url", help="public URL prefix of the guest pages")

    selftest = add("selftest", cmd_selftest,
                   "run the booth headless, take a photo and check the QR link end to end",
                   source=True, segmenter=True, photos=True)
    selftest.add_argument("--screenshot", type=Path, help="save the review screen to this PNG")
    selftest.add_argument("--json", action="store_true", help="print the result as JSON")
    selftest.add_argument("--port", type=int, help="port of the guest pages")
    selftest.add_argument("--base-url", dest="base_url", help="public URL prefix")

    matte = add("matte", cmd_matte, "write an alpha PNG per frame or image", segmenter=True)
    matte.add_argument("input", type=Path, help="image folder or video file")
    matte.add_argument("outdir", type=Path, help="output folder")
    matte.add_argument("--composite", metavar="SCENE", type=Path,
                       help="also write composites over this scene image")

    ev = add("eval", cmd_eval, "score segmenters on a labelled dataset")
    ev.add_argument("dataset", type=Path,
                    help="images/+masks/ folder, or a video folder with masks/")
    ev.add_argument("--segmenter", default=None,
                    help="comma-separated segmenter names (default: the configured one)")
    ev.add_argument("--json", action="store_true", help="print results as JSON")
    ev.add_argument("--plot", type=Path, help="write a bar chart and worst-case sheet to this PNG")
    ev.add_argument("--limit", type=int, help="score at most this many frames/images")
    for p in (matte, ev):
        p.add_argument("--size", type=int, default=0,
                       help="long edge of the frame given to the segmenter, pixels "
                            "(default: full resolution; the live view uses segmenter.preview_size)")
        p.add_argument("--raw", action="store_true",
                       help="the segmenter's alpha only, without the booth's guided upsampling "
                            "and temporal smoothing")

    bench = add("bench", cmd_bench, "time the live pipeline headless", source=True,
                segmenter=True)
    bench.add_argument("--size", default="1920x1080", help="display size WxH")
    bench.add_argument("--frames", type=int, default=300, help="frames to time")
    bench.add_argument("--minutes", type=float, help="soak: run this long with periodic snaps")
    bench.add_argument("--json", action="store_true", help="print results as JSON")
    bench.add_argument("--camera", help="camera frame size WxH the video is scaled to, or "
                                        "'native' (default: the display size)")
    bench.add_argument("--skip", type=int, default=0, help="video frames to skip at the start")
    bench.add_argument("--scene", help="background image (default: the configured scenes)")
    bench.add_argument("--no-photos", dest="no_photos", action="store_true",
                       help="skip the shutter-to-review timing")

    doctor = add("doctor", cmd_doctor, "check camera, model, scenes, disk and network",
                 source=True, segmenter=True, photos=True)
    doctor.add_argument("--json", action="store_true", help="print results as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the process exit code."""
    from booth.config import ConfigError
    from booth.segmenters import SegmenterError
    from booth.share.server import ShareError
    from booth.sources import SourceError
    from booth.store import StoreError

    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["run", *argv]
    args = build_parser().parse_args(argv)
    if args.command is None:
        args = build_parser().parse_args(["run"])
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    tune_allocator()
    try:
        return args.handler(args)
    except (ConfigError, SegmenterError, SourceError, ShareError, StoreError, UserError) as exc:
        print(f"booth: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
