"""The booth's state machine: Live -> Countdown -> Capture -> Review -> Live (+ Failsafe).

Pure logic.  States are driven by actions and by a clock passed in as ``now``
(seconds, monotonic), so a test runs a whole countdown in microseconds.  They
reach the outside world only through the :class:`Booth` port the app passes in.
"""

from __future__ import annotations

import enum
import math
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol


class Action(enum.Enum):
    """What a guest or the operator asked for, whatever the button."""

    NEXT = "next"
    PREV = "prev"
    SNAP = "snap"
    FULLSCREEN = "fullscreen"
    QUIT = "quit"
    NEXT_SEGMENTER = "next_segmenter"
    RELEARN = "relearn"
    DEBUG = "debug"


GUEST_ACTIONS = frozenset({Action.NEXT, Action.PREV, Action.SNAP})


@dataclass(frozen=True)
class Timing:
    """Durations in seconds."""

    countdown: int = 3
    flash: float = 0.25
    review: float = 12.0
    # Presses right after the review appears are the guest's leftover taps, not a choice.
    review_grace: float = 1.0
    failsafe: float = 4.0
    capture_timeout: float = 20.0


class Booth(Protocol):
    """What the states may ask of the app."""

    def change_scene(self, step: int) -> None: ...
    def play(self, sound: str) -> None: ...
    def take_photo(self) -> Future[Any]:
        """Start composing and saving the photo; the future yields what Review shows."""
        ...


class State:
    """Base: a state ignores everything unless it says otherwise."""

    name = "state"

    def __init__(self, booth: Booth, timing: Timing) -> None:
        self.booth = booth
        self.timing = timing
        self.since = 0.0

    def enter(self, now: float) -> None:
        self.since = now

    def on_action(self, action: Action, now: float) -> State:
        return self

    def tick(self, now: float) -> State:
        return self

    def _go(self, cls: type[State], now: float, *args: Any) -> State:
        nxt = cls(self.booth, self.timing, *args)
        nxt.enter(now)
        return nxt


class Live(State):
    name = "live"

    def on_action(self, action: Action, now: float) -> State:
        if action is Action.NEXT:
            self.booth.change_scene(+1)
        elif action is Action.PREV:
            self.booth.change_scene(-1)
        elif action is Action.SNAP:
            if self.timing.countdown <= 0:
                return self._go(Capture, now)
            return self._go(Countdown, now)
        return self


class Countdown(State):
    """3-2-1 with a beep per number; a second SNAP does not restart it."""

    name = "countdown"

    def enter(self, now: float) -> None:
        super().enter(now)
        self._beeped = self.timing.countdown
        self.booth.play("beep")

    def remaining(self, now: float) -> int:
        """The number on screen: countdown..1."""
        return max(1, math.ceil(self.timing.countdown - (now - self.since)))

    def tick(self, now: float) -> State:
        if now - self.since >= self.timing.countdown:
            return self._go(Capture, now)
        number = self.remaining(now)
        if number < self._beeped:
            self._beeped = number
            self.booth.play("go" if number == 1 else "beep")
        return self


class Capture(State):
    """Shutter sound and flash while the photo is composed and saved."""

    name = "capture"

    def enter(self, now: float) -> None:
        super().enter(now)
        self.booth.play("shutter")
        self.job = self.booth.take_photo()

    def flash(self, now: float) -> float:
        """White overlay strength, 1 at the shutter fading to 0."""
        if self.timing.flash <= 0:
            return 0.0
        return max(0.0, 1.0 - (now - self.since) / self.timing.flash)

    def tick(self, now: float) -> State:
        if now - self.since < self.timing.flash or not self.job.done():
            if now - self.since > self.timing.capture_timeout:
                self.job.cancel()
                return self._go(Failsafe, now, "The photo took too long. Please try again!")
            return self
        error = self.job.exception()
        if error is not None:
            message = getattr(error, "guest_message", None) or "Sorry, that photo failed."
            return self._go(Failsafe, now, message)
        return self._go(Review, now, self.job.result())


class Review(State):
    """The photo and its QR code, until the time is up or a guest presses anything."""

    name = "review"

    def __init__(self, booth: Booth, timing: Timing, shot: Any) -> None:
        super().__init__(booth, timing)
        self.shot = shot

    def on_action(self, action: Action, now: float) -> State:
        if action in GUEST_ACTIONS and now - self.since >= self.timing.review_grace:
            return self._go(Live, now)
        return self

    def tick(self, now: float) -> State:
        return self._go(Live, now) if now - self.since >= self.timing.review else self


class Failsafe(State):
    """A friendly message for a moment, then back to Live."""

    name = "failsafe"

    def __init__(self, booth: Booth, timing: Timing, message: str) -> None:
        super().__init__(booth, timing)
        self.message = message

    def tick(self, now: float) -> State:
        return self._go(Live, now) if now - self.since >= self.timing.failsafe else self


def start(booth: Booth, timing: Timing, now: float) -> State:
    """The first state."""
    state = Live(booth, timing)
    state.enter(now)
    return state
