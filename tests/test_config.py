"""Config loading: defaults, the shipped config.toml, and one clear sentence per mistake."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from booth import config as cfg
from booth.cli import main
from tests.conftest import REPO


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_equals_defaults() -> None:
    shipped = cfg.load(REPO / "config.toml")
    defaults = cfg.Config()
    # Folders are resolved against the file; everything else must match the code's defaults.
    assert shipped.scenes.folder == REPO / "scenes"
    assert shipped.photos.folder == REPO / "photos"
    for section in ("camera", "display", "segmenter", "matte", "countdown", "share",
                    "controls"):
        assert getattr(shipped, section) == getattr(defaults, section), section


def test_shipped_config_documents_every_option() -> None:
    data = tomllib.loads((REPO / "config.toml").read_text())
    for section, model in cfg.Config.model_fields.items():
        documented = set(data.get(section, {}))
        fields = set(model.annotation.model_fields) - {"options"}
        assert fields <= documented, f"[{section}] lacks {sorted(fields - documented)}"


def test_missing_default_file_means_defaults(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cfg.load() == cfg.Config()


def test_relative_folders_resolve_against_the_file(tmp_path: Path) -> None:
    conf = cfg.load(write(tmp_path, '[photos]\nfolder = "out/photos"\n'))
    assert conf.photos.folder == tmp_path / "out" / "photos"


BAD = [
    ("unknown key", '[camera]\nwidht = 640\n',
     "camera.widht is not a known option"),
    ("unknown section", '[cameras]\nwidth = 640\n', "cameras is not a known option"),
    ("wrong type", '[camera]\nwidth = "wide"\n', "camera.width must be a whole number"),
    ("out of range low", '[camera]\nwidth = 10\n', "camera.width must be at least 160"),
    ("out of range high", '[share]\nport = 70000\n', "share.port must be at most 65535"),
    ("bad choice", '[share]\nwifi_security = "WPA3"\n',
     "share.wifi_security must be one of 'WPA', 'WEP' or 'nopass'"),
    ("bool expected", '[display]\nfullscreen = "yes"\n',
     "display.fullscreen must be true or false"),
    ("bad url", '[share]\nbase_url = "booth.local"\n',
     "share.base_url must start with http:// or https://"),
    ("weak pin", '[share]\nadmin_pin = "0000"\n', "share.admin_pin must be 4 to 32 digits"),
    ("blank source", '[camera]\nsource = "  "\n', "camera.source must name a webcam index"),
    ("list expected", '[controls]\nsnap = "space"\n', "controls.snap must be a list"),
    ("not toml", '[camera\nwidth = 640\n', "is not valid TOML"),
    ("negative float", '[matte]\nsmoothing = -1.0\n', "matte.smoothing must be at least 0"),
]


@pytest.mark.parametrize(("case", "text", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_config_is_one_clear_sentence(tmp_path: Path, case: str, text: str,
                                          expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(cfg.ConfigError) as err:
        cfg.load(path)
    message = str(err.value)
    assert message.startswith(f"{path}: "), message
    assert expected in message, message
    assert message.endswith(".") and "\n" not in message, message


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(cfg.ConfigError, match="no such config file"):
        cfg.load(tmp_path / "nope.toml")


def test_cli_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, '[countdown]\nseconds = 99\n')
    proc = subprocess.run([sys.executable, "-m", "booth", "run", "--config", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"booth: {path}: countdown.seconds must be at most 10 (got 99)."
    assert "Traceback" not in proc.stderr


def test_command_line_override_is_validated(tmp_path: Path, capsys) -> None:
    assert main(["selftest", "--config", str(write(tmp_path, "")), "--segmenter", "nope",
                 "--photos", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert "unknown segmenter 'nope'; choose one of:" in err and "mediapipe" in err
