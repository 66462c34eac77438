"""Logging for a night-long run: a rotating file in the photos folder, plus stderr.

The file sits beside the photos, so whoever copies the photos off after the
event also takes the record of every photo, fault and recovery with them.
Uncaught exceptions in threads are logged with their traceback too.
"""

from __future__ import annotations

import logging
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "booth.log"
MAX_BYTES = 2 * 1024 * 1024  # per file; 5 backups = at most 12 MB of logs in all
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


def setup_logging(photos_folder: Path, level: str = "INFO") -> Path:
    """Log ``level`` and above to ``<photos_folder>/booth.log`` (rotated) and stderr.

    Returns the log file's path.  Calling it again replaces the handlers it added
    before (tests, or a second run in one process).  If the folder cannot be
    written, logging goes to stderr only and says so: a missing log must not
    stop the booth.
    """
    path = Path(photos_folder) / LOG_NAME
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_booth", False)]:
        root.removeHandler(handler)
        handler.close()
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    problem = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                            encoding="utf-8"))
    except OSError as exc:
        problem = exc
    formatter = logging.Formatter(FORMAT)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler._booth = True  # type: ignore[attr-defined]  # marks ours for the next call
        root.addHandler(handler)
    root.setLevel(level.upper())
    logging.captureWarnings(True)
    threading.excepthook = _log_thread_crash
    if problem is not None:
        logging.getLogger(__name__).warning("no log file at %s (%s): logging to stderr only",
                                            path, problem.strerror or problem)
    return path


def _log_thread_crash(args: threading.ExceptHookArgs) -> None:
    """A thread died of an exception: keep its traceback in the log, not just on stderr."""
    name = args.thread.name if args.thread else "?"
    logging.getLogger("booth.thread").error(
        "thread %s crashed", name, exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
