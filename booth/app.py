"""Wires the parts together and owns the pygame main loop.

:func:`build` turns a Config into a running :class:`BoothApp` (camera, model,
scenes, store, guest server); the app itself only gets parts passed in, so the
same loop runs a webcam at an event and a video file under a fake clock in a test.
The render loop never waits on the model, the disk or the network: those run on
the pipeline thread and a small worker pool.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np
import pygame

from booth import matte, segmenters
from booth.config import Config
from booth.controls import Controls, start_gpio
from booth.logs import setup_logging
from booth.pipeline import Pipeline
from booth.scenes import SceneDeck
from booth.screen import ReviewCard, Screen, View
from booth.segmenters import Segmenter, SegmenterError
from booth.segmenters.guard import FallbackSegmenter
from booth.share.qr import qr_image, wifi_payload
from booth.sounds import Sounds
from booth.sources import FrameSource, open_source
from booth.states import Action, Booth, Capture, Countdown, Failsafe, Review, State, Timing
from booth.states import start as start_state
from booth.store import Photo, PhotoStore, StoreError

log = logging.getLogger(__name__)

WINDOWED_SIZE = (1280, 720)
NAME_FADE_SECONDS = 0.5
FAILSAFE_MESSAGE = "Oops, a hiccup. Back in a moment!"


@dataclass
class Shot:
    """A saved photo as the review screen shows it."""

    photo: Photo
    card: ReviewCard


class PhotoFailed(Exception):
    """The photo could not be made or saved; ``guest_message`` is for the screen."""

    def __init__(self, message: str, guest_message: str) -> None:
        super().__init__(message)
        self.guest_message = guest_message


def make_segmenter(config: Config, name: str | None = None) -> Segmenter:
    """The named (default: configured) segmenter, guarded by its fallback chain.

    An unknown name is the operator's mistake and raises SegmenterError naming
    the choices; a known one that fails to load or keeps failing falls back
    along ``segmenter.fallback`` with a notice (see FallbackSegmenter).
    """
    name = name or config.segmenter.name
    known = segmenters.available()
    if name not in known:
        raise SegmenterError(f"unknown segmenter {name!r}; choose one of: {', '.join(known)}")
    options = config.segmenter.options
    return FallbackSegmenter([name, *config.segmenter.fallback],
                             lambda candidate: segmenters.create(candidate,
                                                                 options.get(candidate, {})))


class BoothApp(Booth):
    """The running booth: state machine, screen, controls and the parts passed in."""

    def __init__(self, config: Config, display: pygame.Surface, *, source: FrameSource,
                 segmenter: Segmenter, deck: SceneDeck, store: PhotoStore,
                 url_for: Callable[[str], str], sounds: Sounds,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.display = display
        self.source = source
        self.deck = deck
        self.store = store
        self.url_for = url_for
        self.sounds = sounds
        self.clock = clock
        size = display.get_size()
        self.screen = Screen(size, codes=2 if config.share.wifi_ssid else 1)
        self.controls = Controls(config.controls, self.screen.shutter_hit)
        self.pipeline = Pipeline(
            source, segmenter, deck, config.matte, size,
            preview_size=config.segmenter.preview_size,
            mirror_preview=config.camera.mirror_preview,
            mirror_photo=config.camera.mirror_photo,
            rescan_seconds=config.scenes.rescan_seconds)
        self.workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="booth-worker")
        self.timing = Timing(countdown=config.countdown.seconds,
                             flash=config.countdown.flash_ms / 1000.0,
                             review=config.photos.review_seconds)
        now = clock()
        self.state: State = start_state(self, self.timing, now)
        self.history: list[str] = [self.state.name]  # state names as entered, for tests
        self.running = True
        self.show_debug = config.display.show_debug
        self._notice = ("", -1e9)  # (text, shown at) for scene / segmenter names
        self._frame_surface: pygame.Surface | None = None
        self._frame_seq = -1
        self._segmenter_job: Future[Segmenter] | None = None
        self._render_times: list[float] = []
        self._gpio = start_gpio(config.controls)
        self._wifi_qr = (qr_image(wifi_payload(config.share.wifi_ssid, config.share.wifi_password,
                                               config.share.wifi_security))
                         if config.share.wifi_ssid else None)
        self.notify(deck.current.name)
        self.pipeline.start()

    # -- the Booth port (called by the states) ------------------------------
    def change_scene(self, step: int) -> None:
        self.notify(self.deck.step(step).name)

    def play(self, sound: str) -> None:
        self.sounds.play(sound)

    def take_photo(self) -> Future[Shot]:
        scene = self.deck.current
        composed = self.pipeline.take_photo(scene)
        segmenter = self.pipeline.segmenter.name
        return self.workers.submit(self._finish_photo, composed, scene.name, segmenter)

    def _finish_photo(self, composed: Future[np.ndarray], scene: str, segmenter: str) -> Shot:
        """Worker thread: wait for the composite, encode, store, make the review card."""
        try:
            bgr = composed.result(timeout=self.timing.capture_timeout)
        except Exception as exc:
            raise PhotoFailed(f"photo not composed: {exc}", "Sorry, that photo failed.") from exc
        ok, jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY,
                                               self.config.photos.jpeg_quality])
        if not ok:
            raise PhotoFailed("JPEG encoding failed", "Sorry, that photo failed.")
        try:
            photo = self.store.save(jpeg.tobytes(), scene=scene, segmenter=segmenter)
        except StoreError as exc:
            log.error("photo not saved: %s", exc)
            raise PhotoFailed(str(exc), "The photo could not be saved. Please call staff.") \
                from exc
        log.info("photo %s saved: %s (%dx%d, scene %s, segmenter %s)", photo.id, photo.file,
                 bgr.shape[1], bgr.shape[0], scene, segmenter)
        url = self.url_for(photo.id)
        preview = cv2.cvtColor(matte.contain_fit(bgr, self.screen.photo_box()),
                               cv2.COLOR_BGR2RGB)
        card = ReviewCard(photo_rgb=preview, url=url, qr=qr_image(url),
                          wifi_qr=self._wifi_qr, wifi_name=self.config.share.wifi_ssid)
        return Shot(photo, card)

    # -- operator actions ------------------------------------------------------
    def notify(self, text: str) -> None:
        """Show ``text`` briefly at the top (scene or segmenter name)."""
        self._notice = (text, self.clock())

    def _operator(self, action: Action) -> None:
        if action is Action.QUIT:
            log.info("operator quit")
            self.running = False
        elif action is Action.FULLSCREEN:
            pygame.display.toggle_fullscreen()
        elif action is Action.DEBUG:
            self.show_debug = not self.show_debug
        elif action is Action.RELEARN:
            self.pipeline.segmenter.reset()
            self.notify("Relearning the empty scene")
        elif action is Action.NEXT_SEGMENTER and self._segmenter_job is None:
            cycle = self.config.segmenter.cycle or segmenters.available()
            names = list(dict.fromkeys([self.config.segmenter.name, *cycle]))
            current = self.pipeline.segmenter.name
            nxt = names[(names.index(current) + 1) % len(names)] if current in names else names[0]
            # Loading a model takes a moment: never on the render thread.
            self._segmenter_job = self.workers.submit(make_segmenter, self.config, nxt)

    def handle(self, action: Action, now: float) -> None:
        """Apply one action: operator ones here, guest ones through the state."""
        if action in (Action.NEXT, Action.PREV, Action.SNAP):
            self._enter(self.state.on_action(action, now))
        else:
            self._operator(action)

    def _enter(self, state: State) -> None:
        if state is not self.state:
            log.debug("state %s -> %s", self.state.name, state.name)
            if isinstance(state, Failsafe):
                log.warning("failsafe screen: %s", state.message)
            self.state = state
            self.history.append(state.name)

    # -- the loop -------------------------------------------------------------
    def step(self) -> None:
        """One frame: events, state, drawing, flip.  Never blocks on slow work.

        A bug anywhere in here is logged with its traceback and shows the
        failsafe screen for a moment; the booth goes on.
        """
        now = self.clock()
        start = time.perf_counter()
        try:
            self._step(now)
        except Exception:
            if not isinstance(self.state, Failsafe):  # one traceback per incident, not per frame
                log.exception("bug in the render loop; showing the failsafe screen")
                failsafe = Failsafe(self, self.timing, FAILSAFE_MESSAGE)
                failsafe.enter(now)
                self._enter(failsafe)
        self._render_times = [*self._render_times[-119:], (time.perf_counter() - start) * 1000]

    def _step(self, now: float) -> None:
        for event in pygame.event.get():
            action = self.controls.translate(event, self.display.get_size(), now)
            if action is not None:
                self.handle(action, now)
        held = self.controls.poll(now)
        if held is not None:
            self.handle(held, now)
        self._collect_segmenter()
        self._enter(self.state.tick(now))
        self.screen.draw(self.display, self.view(now))
        pygame.display.flip()

    def _collect_segmenter(self) -> None:
        job = self._segmenter_job
        if job is None or not job.done():
            return
        self._segmenter_job = None
        try:
            segmenter = job.result()
        except SegmenterError as exc:
            log.warning("cannot switch segmenter: %s", exc)
            self.notify("That segmenter is unavailable")
            return
        self.pipeline.set_segmenter(segmenter)
        log.info("operator switched to segmenter %s", segmenter.name)
        self.notify(f"Segmenter: {segmenter.name}")

    def _live_surface(self) -> pygame.Surface | None:
        latest = self.pipeline.latest()
        if latest is None:
            return None
        if latest.seq != self._frame_seq:
            h, w = latest.rgb.shape[:2]
            # frombuffer shares the composite's memory: no copy on the render thread.
            self._frame_surface = pygame.image.frombuffer(latest.rgb, (w, h), "RGB")
            self._frame_seq = latest.seq
        return self._frame_surface

    def status(self) -> str | None:
        """The line for the operator and guests: camera trouble, or the segmenter's status."""
        camera = getattr(self.source, "status", lambda: None)()
        if camera:
            return "Camera reconnecting…" if "reconnect" in camera else camera
        segmenter = self.pipeline.segmenter
        detail = segmenter.status()
        return f"{segmenter.name}: {detail}" if detail else None

    def view(self, now: float) -> View:
        """What to draw now, from the state and the parts."""
        state = self.state
        text, shown = self._notice
        age = now - shown
        hold = self.config.scenes.name_seconds
        alpha = 1.0 if age < hold else max(0.0, 1.0 - (age - hold) / NAME_FADE_SECONDS)
        view = View(frame=self._live_surface(), scene_name=text, scene_name_alpha=alpha,
                    status=self.status(), event_name=self.config.share.event_name)
        if isinstance(state, Countdown):
            view.countdown = state.remaining(now)
            view.countdown_fraction = (now - state.since) % 1.0
        elif isinstance(state, Capture):
            view.flash = state.flash(now)
            view.hints = False
        elif isinstance(state, Review):
            view.review = state.shot.card
            view.review_left = 1.0 - (now - state.since) / self.timing.review
        elif isinstance(state, Failsafe):
            view.failsafe = state.message
        if self.show_debug:
            view.hud = self.hud_lines()
        return view

    def hud_lines(self) -> list[str]:
        """Debug overlay: render time and per-stage timings of the pipeline."""
        render = np.array(self._render_times or [0.0])
        lines = [f"render {np.percentile(render, 50):.1f} ms p50 / "
                 f"{np.percentile(render, 95):.1f} ms p95",
                 f"segmenter {self.pipeline.segmenter.name}"]
        for stage, s in self.pipeline.times.summary().items():
            lines.append(f"{stage:<10} {s['p50']:6.1f} ms p50 {s['p95']:6.1f} ms p95")
        return lines

    def step_until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Step in real time until ``done()``; False if ``timeout`` seconds pass first.

        For headless runs (selftest, soak): the pipeline works on its own threads
        meanwhile, so this paces the loop gently instead of spinning.
        """
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                return False
            self.step()
            time.sleep(0.005)
        return True

    def loop(self, fps: int | None = None) -> None:
        """Run until the operator quits."""
        ticker = pygame.time.Clock()
        while self.running:
            self.step()
            ticker.tick(fps or self.config.display.fps)

    def close(self) -> None:
        self.pipeline.stop()
        self.workers.shutdown(wait=True, cancel_futures=False)
        self.pipeline.segmenter.close()
        for button in self._gpio:
            button.close()
        self.source.close()


def display_size(config: Config) -> tuple[int, int]:
    """The window or screen size to use, pixels."""
    if config.display.width and config.display.height:
        return config.display.width, config.display.height
    if config.display.fullscreen:
        sizes = pygame.display.get_desktop_sizes()
        if sizes:
            return sizes[0]
    return WINDOWED_SIZE


def open_display(config: Config) -> pygame.Surface:
    """Initialise pygame and open the window (fullscreen unless configured otherwise)."""
    pygame.init()
    pygame.display.set_caption("booth")
    size = display_size(config)
    flags = pygame.FULLSCREEN if config.display.fullscreen else 0
    surface = pygame.display.set_mode(size, flags)
    pygame.mouse.set_visible(not config.display.fullscreen)
    for index in range(pygame.joystick.get_count()):
        pygame.joystick.Joystick(index)  # opened joysticks deliver button events
    return surface


def build(config: Config, *, clock: Callable[[], float] = time.monotonic,
          url_for: Callable[[str], str] | None = None) -> tuple[BoothApp, object | None]:
    """Open every part from ``config`` and return the app and the guest server (if any).

    Raises ConfigError/SourceError/SegmenterError/ShareError with one sentence.
    """
    from booth.share.server import ShareServer, guest_url

    display = open_display(config)
    cam = config.camera
    source = open_source(cam.source, cam.width, cam.height, cam.fps, cam.stall_seconds)
    try:
        segmenter = make_segmenter(config)
        deck = SceneDeck(config.scenes.folder, config.scenes.builtins, display.get_size(),
                         start=config.scenes.start, blur_sigma=config.scenes.blur_sigma)
        store = PhotoStore(config.photos.folder)
        server = None
        if config.share.enabled:
            server = ShareServer(store, config.share)
            server.start()
        url = url_for or (server.url_for if server else
                          (lambda photo_id: guest_url(config.share, photo_id)))
        sounds = Sounds(config.sounds.folder, config.sounds.volume, config.sounds.enabled)
    except Exception:
        source.close()
        raise
    app = BoothApp(config, display, source=source, segmenter=segmenter, deck=deck, store=store,
                   url_for=url, sounds=sounds, clock=clock)
    log.info("booth ready: source %s, segmenter %s, %d scenes, photos in %s, guest links %s",
             config.camera.source, segmenter.name, len(deck.scenes), config.photos.folder,
             url("<id>"))
    return app, server


def run(config: Config) -> int:
    """``booth run``: the booth until the operator quits.  Returns the exit code."""
    log_path = setup_logging(config.photos.folder, os.environ.get("BOOTH_LOG", "INFO"))
    log.info("booth starting; log file %s", log_path)
    app, server = build(config)
    try:
        app.loop()
    finally:
        app.close()
        if server is not None:
            server.stop()
        pygame.quit()
    return 0
