"""The rotating log file in the photos folder."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from booth import logs


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level, hook = list(root.handlers), root.level, threading.excepthook
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    threading.excepthook = hook


def test_log_file_in_the_photos_folder_rotates_and_catches_thread_crashes(
        tmp_path: Path, restore_logging, monkeypatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    path = logs.setup_logging(tmp_path / "photos")
    path = logs.setup_logging(tmp_path / "photos")  # again: handlers replaced, not doubled
    assert path == tmp_path / "photos" / "booth.log"
    assert sum(getattr(h, "_booth", False) for h in logging.getLogger().handlers) == 2
    log = logging.getLogger("booth.test")
    log.info("photo %s saved", "abc")
    log.debug("not at INFO")
    crash = threading.Thread(target=lambda: 1 / 0, name="pipeline")
    crash.start()
    crash.join()
    text = path.read_text()
    assert "INFO MainThread booth.test: photo abc saved" in text and "not at INFO" not in text
    assert "thread pipeline crashed" in text and "ZeroDivisionError" in text
    for i in range(100):
        log.info("filler line %d to fill the file past its size", i)
    assert path.with_name("booth.log.1").is_file() and path.stat().st_size <= 2000


def test_unwritable_folder_logs_to_stderr_only(tmp_path: Path, restore_logging,
                                               capsys) -> None:
    blocker = tmp_path / "photos"
    blocker.write_text("a file where the folder should be")
    logs.setup_logging(blocker)
    assert "no log file at" in capsys.readouterr().err
