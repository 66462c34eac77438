"""Every input maps to the same actions: keys, gamepad, touch, mouse, GPIO."""

from __future__ import annotations

import time

import pygame
import pytest

from booth.config import ConfigError, ControlsConfig
from booth.controls import GPIO_EVENT, Controls, start_gpio
from booth.states import Action

SIZE = (1200, 600)


@pytest.fixture(autouse=True)
def pg():
    pygame.init()
    yield
    pygame.quit()


def key(k: int, mod: int = 0) -> pygame.event.Event:
    return pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod)


def test_keys() -> None:
    c = Controls(ControlsConfig())
    assert c.translate(key(pygame.K_RIGHT), SIZE, 0) is Action.NEXT
    assert c.translate(key(pygame.K_LEFT), SIZE, 0) is Action.PREV
    assert c.translate(key(pygame.K_SPACE), SIZE, 0) is Action.SNAP
    assert c.translate(key(pygame.K_RETURN), SIZE, 0) is Action.SNAP
    assert c.translate(key(pygame.K_F11), SIZE, 0) is Action.FULLSCREEN
    assert c.translate(key(pygame.K_s), SIZE, 0) is Action.NEXT_SEGMENTER
    assert c.translate(key(pygame.K_b), SIZE, 0) is Action.RELEARN
    assert c.translate(key(pygame.K_d), SIZE, 0) is Action.DEBUG
    assert c.translate(key(pygame.K_q), SIZE, 0) is None  # a guest's Q does nothing
    assert c.translate(key(pygame.K_q, pygame.KMOD_LCTRL), SIZE, 0) is Action.QUIT
    assert c.translate(key(pygame.K_s, pygame.KMOD_LCTRL), SIZE, 0) is None


def test_escape_must_be_held() -> None:
    c = Controls(ControlsConfig(quit_hold_seconds=2.0))
    assert c.translate(key(pygame.K_ESCAPE), SIZE, 10.0) is None
    assert c.poll(11.0) is None
    c.translate(pygame.event.Event(pygame.KEYUP, key=pygame.K_ESCAPE, mod=0), SIZE, 11.5)
    assert c.poll(13.0) is None  # a tap, released early
    c.translate(key(pygame.K_ESCAPE), SIZE, 20.0)
    assert c.poll(22.0) is Action.QUIT


def test_configurable_key_map() -> None:
    c = Controls(ControlsConfig(snap=["p"], next=["n", "shift+right"]))
    assert c.translate(key(pygame.K_p), SIZE, 0) is Action.SNAP
    assert c.translate(key(pygame.K_SPACE), SIZE, 0) is None
    assert c.translate(key(pygame.K_RIGHT, pygame.KMOD_RSHIFT), SIZE, 0) is Action.NEXT
    with pytest.raises(ConfigError, match="controls.snap has an unknown key name 'spacebar'"):
        Controls(ControlsConfig(snap=["spacebar"]))


def test_gamepad_buttons_and_dpad() -> None:
    c = Controls(ControlsConfig())
    button = pygame.JOYBUTTONDOWN
    assert c.translate(pygame.event.Event(button, button=0, joy=0, instance_id=0), SIZE,
                       0) is Action.SNAP
    assert c.translate(pygame.event.Event(button, button=5, joy=0, instance_id=0), SIZE,
                       0) is Action.NEXT
    hat = pygame.JOYHATMOTION
    assert c.translate(pygame.event.Event(hat, value=(-1, 0), hat=0, joy=0, instance_id=0),
                       SIZE, 0) is Action.PREV
    assert c.translate(pygame.event.Event(hat, value=(0, 0), hat=0, joy=0, instance_id=0),
                       SIZE, 0) is None


def test_touch_and_click_thirds_and_shutter_button() -> None:
    c = Controls(ControlsConfig(), shutter_hit=lambda pos: pos[1] > 500 and 550 < pos[0] < 650)
    finger = pygame.FINGERDOWN
    assert c.translate(pygame.event.Event(finger, x=0.1, y=0.5, touch_id=0, finger_id=0),
                       SIZE, 0) is Action.PREV
    assert c.translate(pygame.event.Event(finger, x=0.9, y=0.5, touch_id=0, finger_id=0),
                       SIZE, 0) is Action.NEXT
    assert c.translate(pygame.event.Event(finger, x=0.5, y=0.9, touch_id=0, finger_id=0),
                       SIZE, 0) is Action.SNAP
    click = pygame.MOUSEBUTTONDOWN
    assert c.translate(pygame.event.Event(click, pos=(100, 300), button=1, touch=False),
                       SIZE, 0) is Action.PREV
    assert c.translate(pygame.event.Event(click, pos=(600, 550), button=1, touch=False),
                       SIZE, 0) is Action.SNAP
    # The mouse event SDL synthesises from a touch must not count twice.
    assert c.translate(pygame.event.Event(click, pos=(100, 300), button=1, touch=True),
                       SIZE, 0) is None


def test_gpio_buttons_with_mock_pins() -> None:
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    factory = MockFactory()
    settings = ControlsConfig(gpio_snap=[17], gpio_next=[27])
    buttons = start_gpio(settings, pin_factory=factory)
    try:
        pygame.event.clear()
        factory.pin(17).drive_low()  # pressed (pull-up: low = pressed)
        factory.pin(27).drive_low()
        deadline = time.monotonic() + 2
        actions = []
        c = Controls(settings)
        while len(actions) < 2 and time.monotonic() < deadline:
            for event in pygame.event.get(GPIO_EVENT):
                actions.append(c.translate(event, SIZE, 0))
            time.sleep(0.01)
        assert actions == [Action.SNAP, Action.NEXT]
    finally:
        for b in buttons:
            b.close()
        Device.pin_factory = None
