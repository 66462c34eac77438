"""Draws one screen: the live composite plus overlays (hints, scene name, countdown,
flash, review card with QR codes, failsafe message, status line, debug HUD).

Only this module and app.py touch the display.  Everything it draws comes in a
:class:`View`, built by the app from the current state, so the same drawing
code serves the booth, the selftest screenshots and the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pygame

WHITE = (255, 255, 255)
INK = (25, 25, 35)
ACCENT = (255, 196, 0)
SHADE = (0, 0, 0, 140)


@dataclass
class ReviewCard:
    """What the review screen shows: the photo and the codes to get it."""

    photo_rgb: np.ndarray  # HxWx3 uint8 RGB, already fitted to the review area
    url: str
    qr: np.ndarray  # HxW uint8 QR modules (0 dark, 255 light), one pixel per module
    wifi_qr: np.ndarray | None = None  # same, for the Wi-Fi network
    wifi_name: str = ""


@dataclass
class View:
    """Everything one frame shows, in screen pixels and seconds."""

    frame: pygame.Surface | None  # the live composite, display size
    scene_name: str = ""
    scene_name_alpha: float = 0.0  # 0..1, fades after a scene change
    countdown: int | None = None
    countdown_fraction: float = 0.0  # 0..1 through the current second
    flash: float = 0.0  # 0..1 white overlay
    review: ReviewCard | None = None
    review_left: float = 0.0  # 0..1 of the review time still to go
    failsafe: str | None = None
    status: str | None = None  # e.g. "camera reconnecting", "learning the empty scene 12/60"
    hints: bool = True
    hud: list[str] = field(default_factory=list)
    event_name: str = ""


class Screen:
    """Renders :class:`View` objects onto a pygame surface of a fixed size."""

    def __init__(self, size: tuple[int, int], codes: int = 1) -> None:
        self.codes = codes  # QR codes on the review card: 1, or 2 with the Wi-Fi code
        self.resize(size)

    def resize(self, size: tuple[int, int]) -> None:
        self.size = size
        w, h = size
        unit = h / 1080  # everything scales with the screen height
        self._unit = unit
        self._fonts = {name: pygame.font.Font(None, max(12, round(px * unit)))
                       for name, px in (("huge", 520), ("big", 96), ("mid", 64), ("small", 42),
                                        ("tiny", 30))}
        radius = round(78 * unit)
        self.shutter_center = (w // 2, h - radius - round(40 * unit))
        self.shutter_radius = radius
        self._qr_cache: dict[tuple[bytes, int, int], pygame.Surface] = {}

    def shutter_hit(self, pos: tuple[int, int]) -> bool:
        """True when ``pos`` is on the on-screen shutter button (a generous target)."""
        cx, cy = self.shutter_center
        return math.hypot(pos[0] - cx, pos[1] - cy) <= self.shutter_radius * 1.3

    # -- the whole frame ----------------------------------------------------
    def draw(self, target: pygame.Surface, view: View) -> None:
        if view.frame is not None:
            target.blit(view.frame, (0, 0))
        else:
            target.fill(INK)
        if view.review is not None:
            self._review(target, view)
        elif view.failsafe is not None:
            self._card_message(target, view.failsafe, "Back in a moment")
        else:
            if view.countdown is not None:
                self._countdown(target, view.countdown, view.countdown_fraction)
            elif view.hints and view.flash <= 0:
                self._hints(target)
            if view.scene_name_alpha > 0 and view.countdown is None:
                self._scene_name(target, view.scene_name, view.scene_name_alpha)
        if view.status:
            self._banner(target, view.status)
        if view.frame is None and not view.status and view.review is None:
            self._card_message(target, "Starting the camera…", view.event_name)
        if view.flash > 0:
            white = pygame.Surface(self.size)
            white.fill(WHITE)
            white.set_alpha(round(255 * min(1.0, view.flash)))
            target.blit(white, (0, 0))
        if view.hud:
            self._hud(target, view.hud)

    # -- pieces -------------------------------------------------------------
    def _text(self, text: str, font: str, color=WHITE) -> pygame.Surface:
        return self._fonts[font].render(text, True, color)

    def _pill(self, target: pygame.Surface, text: str, center: tuple[int, int], font: str,
              alpha: float = 1.0, fg=WHITE, bg=SHADE) -> pygame.Rect:
        label = self._text(text, font, fg)
        pad_x, pad_y = round(34 * self._unit), round(14 * self._unit)
        rect = label.get_rect(center=center).inflate(2 * pad_x, 2 * pad_y)
        pill = pygame.Surface(rect.size, pygame.SRCALPHA)
        pygame.draw.rect(pill, bg, pill.get_rect(), border_radius=rect.height // 2)
        pill.blit(label, label.get_rect(center=pill.get_rect().center))
        pill.set_alpha(round(255 * alpha))
        target.blit(pill, rect)
        return rect

    def _hints(self, target: pygame.Surface) -> None:
        w, h = self.size
        u = self._unit
        # Chevrons at the edges: tap or press an arrow for another scene.
        for side in (-1, 1):
            cx = round(70 * u) if side < 0 else w - round(70 * u)
            cy = h // 2
            disc = pygame.Surface((round(110 * u),) * 2, pygame.SRCALPHA)
            r = disc.get_width() // 2
            pygame.draw.circle(disc, SHADE, (r, r), r)
            s = round(22 * u)
            points = [(r - side * s // 2 - side * s // 2, r - s), (r + side * s, r),
                      (r - side * s // 2 - side * s // 2, r + s)]
            pygame.draw.lines(disc, WHITE, False, points, max(3, round(9 * u)))
            target.blit(disc, disc.get_rect(center=(cx, cy)))
        # The shutter: a big white ring with a filled centre, like a camera app.
        cx, cy = self.shutter_center
        r = self.shutter_radius
        ring = pygame.Surface((2 * r + 4, 2 * r + 4), pygame.SRCALPHA)
        c = (r + 2, r + 2)
        pygame.draw.circle(ring, (0, 0, 0, 90), c, r)
        pygame.draw.circle(ring, WHITE, c, r, max(3, round(8 * u)))
        pygame.draw.circle(ring, (255, 255, 255, 230), c, round(r * 0.78))
        target.blit(ring, ring.get_rect(center=(cx, cy)))
        label = self._text("Press SPACE or tap for a photo", "tiny")
        self._pill(target, "Press SPACE or tap for a photo", (cx, cy - r - label.get_height()),
                   "tiny")

    def _scene_name(self, target: pygame.Surface, name: str, alpha: float) -> None:
        self._pill(target, name, (self.size[0] // 2, round(80 * self._unit)), "mid", alpha)

    def _countdown(self, target: pygame.Surface, number: int, fraction: float) -> None:
        w, h = self.size
        u = self._unit
        center = (w // 2, h // 2)
        radius = round(300 * u)
        disc = pygame.Surface((2 * radius, 2 * radius), pygame.SRCALPHA)
        pygame.draw.circle(disc, (0, 0, 0, 110), (radius, radius), radius)
        target.blit(disc, disc.get_rect(center=center))
        # A ring that empties over each second: guests see the shutter coming.
        rect = pygame.Rect(0, 0, 2 * radius, 2 * radius)
        rect.center = center
        sweep = max(0.001, 1.0 - fraction) * 2 * math.pi
        pygame.draw.arc(target, ACCENT, rect, math.pi / 2, math.pi / 2 + sweep,
                        max(6, round(22 * u)))
        digit = self._text(str(number), "huge")
        target.blit(digit, digit.get_rect(center=(center[0], center[1] + round(20 * u))))
        self._pill(target, "Smile!", (w // 2, round(90 * u)), "mid")

    def _qr_surface(self, modules: np.ndarray, side: int) -> pygame.Surface:
        key = (modules.tobytes(), modules.shape[0], side)
        cached = self._qr_cache.get(key)
        if cached is None:
            # Nearest-neighbour scaling by a whole factor keeps every module crisp.
            factor = max(1, side // modules.shape[0])
            big = np.kron(modules, np.ones((factor, factor), np.uint8))
            rgb = np.ascontiguousarray(np.repeat(big[:, :, None], 3, axis=2).transpose(1, 0, 2))
            cached = pygame.surfarray.make_surface(rgb)
            if len(self._qr_cache) > 8:  # a new photo: drop the old codes
                self._qr_cache.clear()
            self._qr_cache[key] = cached
        return cached

    def _layout(self) -> tuple[pygame.Rect, pygame.Rect]:
        """Review screen: (photo area, code card), pixels.  The card gets the room
        the QR codes need to scan from a metre away; the photo takes the rest."""
        w, h = self.size
        u = self._unit
        margin = round(50 * u)
        card_w = round(w * (0.56 if self.codes == 2 else 0.40))
        card = pygame.Rect(w - margin - card_w, margin, card_w, h - 2 * margin)
        photo = pygame.Rect(margin, round(90 * u), card.left - 2 * margin, h - round(180 * u))
        return photo, card

    def photo_box(self) -> tuple[int, int]:
        """The largest (width, height) the review photo may have, pixels."""
        return self._layout()[0].size

    def _review(self, target: pygame.Surface, view: View) -> None:
        card = view.review
        assert card is not None
        u = self._unit
        shade = pygame.Surface(self.size, pygame.SRCALPHA)
        shade.fill((10, 10, 20, 215))
        target.blit(shade, (0, 0))
        area, right = self._layout()
        # The photo on the left, framed like a print.
        ph, pw = card.photo_rgb.shape[:2]
        photo = pygame.image.frombuffer(card.photo_rgb.tobytes(), (pw, ph), "RGB")
        border = round(14 * u)
        photo_rect = photo.get_rect(center=area.center)
        pygame.draw.rect(target, WHITE, photo_rect.inflate(2 * border, 2 * border),
                         border_radius=round(6 * u))
        target.blit(photo, photo_rect)
        if view.event_name:
            title = self._text(view.event_name, "mid")
            target.blit(title, title.get_rect(midbottom=(photo_rect.centerx,
                                                         photo_rect.top - border - round(8 * u))))
        # The codes on a white card: dark on light scans best.
        pygame.draw.rect(target, WHITE, right, border_radius=round(28 * u))
        codes = [("Scan to get your photo", card.qr)]
        if card.wifi_qr is not None:
            codes = [(f"1. Join the Wi-Fi {card.wifi_name}", card.wifi_qr),
                     ("2. Get your photo", card.qr)]
        pad = round(24 * u)
        title_h = self._fonts["small"].get_height()
        foot_h = 2 * self._fonts["tiny"].get_height() + round(40 * u)
        slot_w = right.width // len(codes)
        side = min(slot_w - 2 * pad, right.height - title_h - foot_h - 3 * pad)
        for i, (title, modules) in enumerate(codes):
            cx = right.left + slot_w * i + slot_w // 2
            label = self._text(title, "small", INK)
            if label.get_width() > slot_w - pad:
                label = self._text(title, "tiny", INK)
            target.blit(label, label.get_rect(midtop=(cx, right.top + pad)))
            qr = self._qr_surface(modules, side)
            # Centred in the room between the title and the link.
            room = right.height - 3 * pad - title_h - foot_h
            top = right.top + 2 * pad + title_h + max(0, (room - qr.get_height()) // 2)
            target.blit(qr, qr.get_rect(midtop=(cx, top)))
        url = self._text(card.url.split("://", 1)[-1], "tiny", INK)
        if url.get_width() > right.width - 2 * pad:
            scale = (right.width - 2 * pad) / url.get_width()
            url = pygame.transform.smoothscale(url, (round(url.get_width() * scale),
                                                     round(url.get_height() * scale)))
        target.blit(url, url.get_rect(midbottom=(right.centerx, right.bottom - round(56 * u))))
        hint = self._text("Press any button for the next photo", "tiny", (110, 110, 120))
        target.blit(hint, hint.get_rect(midbottom=(right.centerx, right.bottom - round(18 * u))))
        # Time left, as a bar under the card.
        bar = pygame.Rect(right.left, right.bottom + round(16 * u),
                          round(right.width * max(0.0, view.review_left)), round(8 * u))
        pygame.draw.rect(target, ACCENT, bar, border_radius=bar.height // 2)

    def _card_message(self, target: pygame.Surface, message: str, detail: str) -> None:
        w, h = self.size
        u = self._unit
        card = pygame.Rect(0, 0, round(w * 0.6), round(300 * u))
        card.center = (w // 2, h // 2)
        pygame.draw.rect(target, WHITE, card, border_radius=round(28 * u))
        text = self._text(message, "mid", INK)
        target.blit(text, text.get_rect(center=(card.centerx, card.centery - round(30 * u))))
        if detail:
            sub = self._text(detail, "small", (110, 110, 120))
            target.blit(sub, sub.get_rect(center=(card.centerx, card.centery + round(50 * u))))

    def _banner(self, target: pygame.Surface, status: str) -> None:
        self._pill(target, status, (self.size[0] // 2, self.size[1] - round(260 * self._unit)),
                   "small", fg=INK, bg=(255, 255, 255, 220))

    def _hud(self, target: pygame.Surface, lines: list[str]) -> None:
        u = self._unit
        y = round(12 * u)
        for line in lines:
            label = self._fonts["tiny"].render(line, True, (0, 255, 120), (0, 0, 0))
            target.blit(label, (round(12 * u), y))
            y += label.get_height()
