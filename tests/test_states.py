"""The state machine alone, with a fake clock: a whole countdown in microseconds."""

from __future__ import annotations

from concurrent.futures import Future

from booth.states import Action, Timing, start


class FakeBooth:
    def __init__(self) -> None:
        self.sounds: list[str] = []
        self.scene = 0
        self.photos: list[Future] = []

    def change_scene(self, step: int) -> None:
        self.scene += step

    def play(self, sound: str) -> None:
        self.sounds.append(sound)

    def take_photo(self) -> Future:
        future: Future = Future()
        self.photos.append(future)
        return future


def run(timing: Timing | None = None):
    booth = FakeBooth()
    return booth, start(booth, timing or Timing(), 0.0)


def test_scenes_change_only_in_live() -> None:
    booth, state = run()
    state = state.on_action(Action.NEXT, 0.1).on_action(Action.NEXT, 0.2)
    state = state.on_action(Action.PREV, 0.3)
    assert booth.scene == 1 and state.name == "live"
    state = state.on_action(Action.SNAP, 1.0)
    assert state.on_action(Action.NEXT, 1.1) is state
    assert booth.scene == 1


def test_full_cycle_with_beeps_flash_and_review() -> None:
    booth, state = run(Timing(countdown=3, flash=0.25, review=10))
    state = state.on_action(Action.SNAP, 0.0)
    assert state.name == "countdown" and state.remaining(0.0) == 3
    again = state.on_action(Action.SNAP, 0.5)  # a second press does not restart it
    assert again is state
    for t in (0.5, 1.0, 1.5, 2.0, 2.5, 2.99):
        state = state.tick(t)
        assert state.name == "countdown"
    assert booth.sounds == ["beep", "beep", "go"]
    state = state.tick(3.0)
    assert state.name == "capture" and booth.sounds[-1] == "shutter"
    assert len(booth.photos) == 1 and state.flash(3.0) == 1.0
    booth.photos[0].set_result("the shot")
    assert state.tick(3.1).name == "capture"  # the flash runs its course first
    state = state.tick(3.3)
    assert state.name == "review" and state.shot == "the shot"
    assert state.on_action(Action.SNAP, 3.5) is state  # leftover taps are ignored
    assert state.tick(13.2).name == "review"
    assert state.tick(13.3).name == "live"


def test_any_guest_button_leaves_review_early() -> None:
    booth, state = run(Timing(countdown=0, flash=0))
    state = state.on_action(Action.SNAP, 0.0)
    assert state.name == "capture"
    booth.photos[0].set_result("x")
    state = state.tick(0.0)
    assert state.name == "review"
    assert state.on_action(Action.NEXT, 2.0).name == "live"
    assert booth.scene == 0


def test_failed_photo_shows_failsafe_then_live() -> None:
    booth, state = run(Timing(countdown=0, flash=0, failsafe=4))
    state = state.on_action(Action.SNAP, 0.0)
    error = RuntimeError("disk full")
    error.guest_message = "The photo could not be saved."
    booth.photos[0].set_exception(error)
    state = state.tick(0.1)
    assert state.name == "failsafe" and state.message == "The photo could not be saved."
    assert state.tick(4.0).name == "failsafe"
    assert state.tick(4.2).name == "live"


def test_stuck_photo_times_out() -> None:
    booth, state = run(Timing(countdown=0, flash=0, capture_timeout=20))
    state = state.on_action(Action.SNAP, 0.0)
    assert state.tick(19.0).name == "capture"
    assert state.tick(20.5).name == "failsafe"
