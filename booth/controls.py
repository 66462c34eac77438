"""Keys, gamepad, touch, mouse and GPIO buttons -> :class:`Action`.

Knows pygame's events and nothing else of pygame.  Every input maps to the
same few actions; the key map comes from the config.  Quitting needs an
operator combination (Ctrl+Q, or Escape held) so a guest cannot close the booth.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import pygame

from booth.config import ControlsConfig
from booth.states import Action

log = logging.getLogger(__name__)

# GPIO callbacks run on gpiozero's threads; they post this event to the main loop.
GPIO_EVENT = pygame.USEREVENT + 1
_MODIFIERS = {"ctrl": pygame.KMOD_CTRL, "shift": pygame.KMOD_SHIFT, "alt": pygame.KMOD_ALT,
              "meta": pygame.KMOD_META}
_KEY_ACTIONS = ("next", "prev", "snap", "fullscreen", "next_segmenter", "relearn", "debug",
                "quit")


@dataclass(frozen=True)
class KeyBinding:
    key: int
    mods: int  # required modifier mask (any side), 0 = none

    def matches(self, key: int, mods: int) -> bool:
        if key != self.key:
            return False
        if self.mods == 0:
            # Unmodified bindings must not fire under Ctrl/Alt (Ctrl+S is not 'S').
            return not mods & (pygame.KMOD_CTRL | pygame.KMOD_ALT | pygame.KMOD_META)
        return all(mods & mask for mask in _MODIFIERS.values() if self.mods & mask)


class KeyMapError(ValueError):
    """A key name in the config that pygame does not know."""


def parse_binding(text: str) -> KeyBinding:
    """'ctrl+q' -> KeyBinding; KeyMapError for names pygame does not know."""
    *mods, name = [part.strip().lower() for part in text.split("+")]
    mask = 0
    for mod in mods:
        if mod not in _MODIFIERS:
            raise KeyMapError(f"unknown modifier {mod!r} in {text!r} "
                              f"(use {', '.join(_MODIFIERS)})")
        mask |= _MODIFIERS[mod]
    try:
        return KeyBinding(pygame.key.key_code(name), mask)
    except ValueError:
        raise KeyMapError(f"unknown key name {name!r} in {text!r}") from None


class Controls:
    """Translates pygame events into actions.

    ``shutter_hit`` tells whether a screen position (pixels) is on the on-screen
    shutter button; the screen owns that layout.
    """

    def __init__(self, settings: ControlsConfig,
                 shutter_hit: Callable[[tuple[int, int]], bool] = lambda pos: False) -> None:
        self.settings = settings
        self.shutter_hit = shutter_hit
        self._keys: list[tuple[KeyBinding, Action]] = []
        for field_name in _KEY_ACTIONS:
            for text in getattr(settings, field_name):
                try:
                    binding = parse_binding(text)
                except KeyMapError as exc:
                    from booth.config import ConfigError

                    raise ConfigError(f"config: controls.{field_name} has an {exc}.") from None
                self._keys.append((binding, Action(field_name)))
        self._buttons = {**{b: Action.SNAP for b in settings.gamepad_snap},
                         **{b: Action.NEXT for b in settings.gamepad_next},
                         **{b: Action.PREV for b in settings.gamepad_prev}}
        self._escape_since: float | None = None

    def translate(self, event: pygame.event.Event, screen_size: tuple[int, int],
                  now: float) -> Action | None:
        """The action an event asks for, or None."""
        kind = event.type
        if kind == pygame.QUIT:
            # The window manager's close button: an operator thing in windowed mode.
            return Action.QUIT
        if kind == pygame.KEYDOWN:
            if event.key == pygame.K_ESCAPE:
                self._escape_since = now
                return None
            return next((a for b, a in self._keys if b.matches(event.key, event.mod)), None)
        if kind == pygame.KEYUP and event.key == pygame.K_ESCAPE:
            self._escape_since = None
            return None
        if kind == pygame.JOYBUTTONDOWN:
            return self._buttons.get(event.button)
        if kind == pygame.JOYHATMOTION:
            x, _ = event.value
            return {1: Action.NEXT, -1: Action.PREV}.get(x)
        if kind == pygame.FINGERDOWN:
            w, h = screen_size
            return self._tap((int(event.x * w), int(event.y * h)), screen_size)
        # Touch also arrives as synthetic mouse events; count each touch once.
        if kind == pygame.MOUSEBUTTONDOWN and event.button == 1 and not getattr(event, "touch",
                                                                                  False):
            return self._tap(event.pos, screen_size)
        if kind == GPIO_EVENT:
            return event.action
        return None

    def _tap(self, pos: tuple[int, int], screen_size: tuple[int, int]) -> Action | None:
        if self.shutter_hit(pos):
            return Action.SNAP
        third = screen_size[0] / 3
        if pos[0] < third:
            return Action.PREV
        if pos[0] >= 2 * third:
            return Action.NEXT
        return None

    def poll(self, now: float) -> Action | None:
        """Time-based actions: Escape held long enough quits."""
        if self._escape_since is not None and \
                now - self._escape_since >= self.settings.quit_hold_seconds:
            self._escape_since = None
            return Action.QUIT
        return None


def start_gpio(settings: ControlsConfig, pin_factory: object | None = None) -> list[object]:
    """Watch the configured GPIO buttons; each press posts a GPIO_EVENT.

    Returns the gpiozero Button objects (keep them alive; close them to stop).
    Needs the optional 'gpio' extra; without it, a warning and no buttons.
    """
    pins = [(p, Action.SNAP) for p in settings.gpio_snap] + \
           [(p, Action.NEXT) for p in settings.gpio_next] + \
           [(p, Action.PREV) for p in settings.gpio_prev]
    if not pins:
        return []
    try:
        from gpiozero import Button
    except ImportError:
        log.warning("GPIO buttons configured but gpiozero is missing: pip install 'booth[gpio]'")
        return []
    buttons = []
    for pin, action in pins:
        button = Button(pin, pin_factory=pin_factory, bounce_time=0.05)
        # pygame.event.post is thread-safe, so gpiozero's thread may call it.
        button.when_pressed = lambda _b=None, a=action: pygame.event.post(
            pygame.event.Event(GPIO_EVENT, action=a))
        buttons.append(button)
    return buttons
