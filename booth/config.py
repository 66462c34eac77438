"""config.toml -> a typed, validated :class:`Config`.

Every option lives in one pydantic model below; ``config.toml`` at the top of
the repository documents each one.  A mistake an operator can fix (unknown key,
wrong type, value out of range, file that is not TOML) becomes a
:class:`ConfigError` whose message is one sentence naming the file, the key and
what is allowed.  Floor 1: no pygame, no threads, no I/O besides reading the file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_CONFIG = Path("config.toml")

# Folders are written as strings in TOML.
Folder = Annotated[Path, Field(strict=False)]


class ConfigError(Exception):
    """A configuration problem, described in one human sentence."""


class _Section(BaseModel):
    # Unknown keys are typos far more often than intent: refuse them.  Strict:
    # TOML has real types, so "yes" for a boolean is a mistake, not a coercion.
    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True)


class CameraConfig(_Section):
    source: str = Field("0", description="webcam index, video file, image folder or 'demo'")
    width: int = Field(1920, ge=160, le=7680)
    height: int = Field(1080, ge=120, le=4320)
    fps: int = Field(30, ge=1, le=240)
    mirror_preview: bool = True
    mirror_photo: bool = False
    # A source silent (or frozen) this long counts as lost and gets reopened.
    stall_seconds: float = Field(2.0, gt=0, le=60)

    @field_validator("source")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name a webcam index, a video file, an image folder or 'demo'")
        return value.strip()


class DisplayConfig(_Section):
    fullscreen: bool = True
    # 0 = the screen's own size when fullscreen, 1280x720 in a window.
    width: int = Field(0, ge=0, le=7680)
    height: int = Field(0, ge=0, le=4320)
    fps: int = Field(60, ge=10, le=240)
    show_debug: bool = False


class SegmenterConfig(_Section):
    name: str = "mediapipe"
    # Tried in order when the chosen segmenter fails to load or keeps failing.
    fallback: list[str] = Field(default_factory=lambda: ["none"])
    # Segmenters cycled by the 'S' key (the chosen one first); empty = all of them.
    cycle: list[str] = Field(default_factory=list)
    # Long edge of the frame handed to the segmenter for the live view, pixels.
    preview_size: int = Field(256, ge=64, le=2048)
    # Per-segmenter options, e.g. [segmenter.options.mediapipe] model = "x.tflite".
    # Each segmenter validates its own table (see booth/segmenters).
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)


class MatteConfig(_Section):
    # Temporal smoothing strength: 0 = none, 1 = heavy (where the model is unsure or the
    # picture is still; see matte.TemporalSmoother).
    smoothing: float = Field(0.9, ge=0, le=1)
    # Edge-aware upsampling of the low-resolution alpha with a guided filter.
    refine: bool = True
    # Soft edge width in display pixels.
    feather: float = Field(2.0, ge=0, le=50)
    # Light wrap: how much of the scene's light spills over the person's rim (0..1).
    light_wrap: float = Field(0.0, ge=0, le=1)
    # Colour matching of the person to the scene (0 = off, 1 = full).
    color_match: float = Field(0.0, ge=0, le=1)


class ScenesConfig(_Section):
    folder: Folder = Path("scenes")
    # Built-in scenes appended after the image files: 'blur' and 'none'.
    builtins: list[Literal["blur", "none"]] = Field(default_factory=lambda: ["blur", "none"])
    # Name (file stem or built-in) of the first scene; empty = the first one.
    start: str = ""
    # How long the scene's name shows after it is chosen, seconds.
    name_seconds: float = Field(2.0, ge=0, le=30)
    # Seconds between checks of the folder for new or changed files.
    rescan_seconds: float = Field(2.0, ge=0.2, le=3600)
    # Strength of the 'blur' scene: Gaussian sigma as a fraction of the frame height.
    blur_sigma: float = Field(0.02, gt=0, le=0.2)


class CountdownConfig(_Section):
    seconds: int = Field(3, ge=0, le=10)
    flash_ms: int = Field(250, ge=0, le=2000)


class PhotosConfig(_Section):
    folder: Folder = Path("photos")
    review_seconds: float = Field(12.0, ge=1, le=600)
    jpeg_quality: int = Field(92, ge=50, le=100)


class ShareConfig(_Section):
    enabled: bool = True
    # Public URL prefix of the guest pages; empty = http://<LAN address>:<port>.
    base_url: str = ""
    host: str = "0.0.0.0"
    port: int = Field(8080, ge=1, le=65535)
    event_name: str = Field("Photobooth", max_length=80)
    wifi_ssid: str = Field("", max_length=32)
    wifi_password: str = Field("", max_length=63)
    wifi_security: Literal["WPA", "WEP", "nopass"] = "WPA"
    # Operator page PIN (4 to 32 digits); empty = no operator page at all.
    admin_pin: str = ""

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (or be empty)")
        return value

    @field_validator("admin_pin")
    @classmethod
    def _pin(cls, value: str) -> str:
        if (value and not (value.isdigit() and 4 <= len(value) <= 32)) or value == "0000":
            raise ValueError("must be 4 to 32 digits (and not 0000), or empty for no operator page")
        return value


class ControlsConfig(_Section):
    # pygame key names (pygame.key.name), optionally with modifiers: "ctrl+q".
    next: list[str] = Field(default_factory=lambda: ["right"])
    prev: list[str] = Field(default_factory=lambda: ["left"])
    snap: list[str] = Field(default_factory=lambda: ["space", "return"])
    fullscreen: list[str] = Field(default_factory=lambda: ["f11"])
    next_segmenter: list[str] = Field(default_factory=lambda: ["s"])
    relearn: list[str] = Field(default_factory=lambda: ["b"])
    debug: list[str] = Field(default_factory=lambda: ["d"])
    quit: list[str] = Field(default_factory=lambda: ["ctrl+q"])
    # Holding Escape this long also quits (guests tap, operators hold).
    quit_hold_seconds: float = Field(2.0, ge=0.5, le=30)
    # Gamepad buttons by index; the D-pad / hat always moves between scenes.
    gamepad_snap: list[int] = Field(default_factory=lambda: [0, 7])
    gamepad_next: list[int] = Field(default_factory=lambda: [5])
    gamepad_prev: list[int] = Field(default_factory=lambda: [4])
    # GPIO (BCM) pins of physical buttons; needs the 'gpio' extra. Empty = none.
    gpio_snap: list[int] = Field(default_factory=list)
    gpio_next: list[int] = Field(default_factory=list)
    gpio_prev: list[int] = Field(default_factory=list)


class SoundsConfig(_Section):
    enabled: bool = True
    folder: Folder = Path("sounds")
    volume: float = Field(0.8, ge=0, le=1)


class Config(_Section):
    camera: CameraConfig = Field(default_factory=CameraConfig)
    display: DisplayConfig = Field(default_factory=DisplayConfig)
    segmenter: SegmenterConfig = Field(default_factory=SegmenterConfig)
    matte: MatteConfig = Field(default_factory=MatteConfig)
    scenes: ScenesConfig = Field(default_factory=ScenesConfig)
    countdown: CountdownConfig = Field(default_factory=CountdownConfig)
    photos: PhotosConfig = Field(default_factory=PhotosConfig)
    share: ShareConfig = Field(default_factory=ShareConfig)
    controls: ControlsConfig = Field(default_factory=ControlsConfig)
    sounds: SoundsConfig = Field(default_factory=SoundsConfig)


def _describe(error: dict[str, Any]) -> tuple[str, str]:
    """Turn one pydantic error into (dotted key, what is allowed)."""
    key = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "extra_forbidden":
        return key, "is not a known option (check the spelling against config.toml)"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next(iter(ctx.values()))
        words = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }
        return key, f"must be {words[kind]} {bound}"
    if kind == "literal_error":
        return key, f"must be one of {ctx.get('expected')}"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        wanted = kind.split("_")[0]
        names = {"int": "a whole number", "float": "a number", "bool": "true or false",
                 "string": "a quoted string", "list": "a list", "dict": "a table",
                 "model": "a table", "path": "a path string"}
        return key, f"must be {names.get(wanted, wanted)}"
    if kind == "value_error":
        return key, str(ctx.get("error", error["msg"]))
    return key, error["msg"].lower()


def validate(data: dict[str, Any], origin: str = "config") -> Config:
    """Validate a parsed TOML mapping; raise ConfigError naming ``origin`` on failure."""
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key, why = _describe(first)
        got = first.get("input")
        quiet = first["type"] == "extra_forbidden" or isinstance(got, dict)
        shown = "" if quiet else f" (got {got!r})"
        raise ConfigError(f"{origin}: {key} {why}{shown}.") from None


def load(path: Path | None = None) -> Config:
    """Read and validate ``path`` (default ``config.toml``; missing default = all defaults).

    Relative folders in the file are resolved against the file's own directory,
    so the booth behaves the same whatever the working directory is.
    """
    explicit = path is not None
    path = Path(path) if explicit else DEFAULT_CONFIG
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: no such config file.")
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: is not valid TOML ({exc}).") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}).") from None
    config = validate(data, str(path))
    base = path.resolve().parent
    for section, key in (("scenes", "folder"), ("photos", "folder"), ("sounds", "folder")):
        part = getattr(config, section)
        folder = getattr(part, key)
        if not folder.is_absolute():
            setattr(part, key, base / folder)
    return config


def override(config: Config, dotted: str, value: Any) -> None:
    """Set ``section.key`` from a command-line flag, validating like the file does."""
    section, key = dotted.split(".", 1)
    try:
        setattr(getattr(config, section), key, value)
    except ValidationError as exc:
        key_name, why = _describe({**exc.errors()[0], "loc": (section, key)})
        raise ConfigError(f"command line: {key_name} {why} (got {value!r}).") from None
