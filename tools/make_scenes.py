#!/usr/bin/env python3
"""Generate the booth's default scene backgrounds (1920x1080 JPEG) from code.

Every pixel is computed here with numpy and OpenCV, so the project ships no
downloaded or borrowed artwork and the images can be rebuilt at any time.
Everything is seeded, so a rebuild gives the same pictures.

Composition rule for all scenes: a guest stands in the middle-lower part of
the frame and hides much of it, so the interesting parts (sun, sky, lights,
silhouettes) sit in the upper third and at the sides, and horizons sit at
roughly 55-66 % of the height.

Usage::

    python tools/make_scenes.py              # writes into the repo's scenes/
    python tools/make_scenes.py --out /tmp/s --only sunset-beach
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

W, H = 1920, 1080
# Keep the repository small: each JPEG must fit in this many bytes.
MAX_BYTES = 600_000
REPO = Path(__file__).resolve().parents[1]

# Pixel-coordinate grids that broadcast to (H, W); cheaper than full meshgrids.
yg = np.arange(H, dtype=np.float32)[:, None]
xg = np.arange(W, dtype=np.float32)[None, :]

Stops = Sequence[tuple[float, str]]


# --------------------------------------------------------------------------- helpers


def hexrgb(code: str) -> np.ndarray:
    """'#ff8800' -> float32 RGB in 0..1."""
    code = code.lstrip("#")
    return np.array([int(code[i:i + 2], 16) / 255.0 for i in (0, 2, 4)], dtype=np.float32)


def smoothstep(e0: float, e1: float, x: np.ndarray | float) -> np.ndarray:
    """Hermite ramp from 0 at e0 to 1 at e1 (soft edges without aliasing)."""
    t = np.clip((np.asarray(x, dtype=np.float32) - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def ramp(stops: Stops, t: np.ndarray) -> np.ndarray:
    """Piecewise-linear colour ramp: t (any shape) -> t.shape + (3,)."""
    pos = np.array([s[0] for s in stops], dtype=np.float32)
    cols = np.stack([hexrgb(s[1]) for s in stops])
    return np.stack([np.interp(t, pos, cols[:, c]).astype(np.float32) for c in range(3)], -1)


def vgradient(stops: Stops, y0: float = 0, y1: float = H) -> np.ndarray:
    """A full-frame vertical gradient, t=0 at row y0 and t=1 at row y1."""
    t = (yg - y0) / (y1 - y0)
    return np.broadcast_to(ramp(stops, t), (H, W, 3)).copy()


def blend(img: np.ndarray, mask: np.ndarray, color: np.ndarray | str) -> None:
    """In place: img = img*(1-mask) + color*mask (mask 2-D, colour 3-vector or image)."""
    col = hexrgb(color) if isinstance(color, str) else color
    img += (col - img) * mask[..., None]


def add(img: np.ndarray, mask: np.ndarray, color: np.ndarray | str, k: float = 1.0) -> None:
    """In place additive light: img += mask*color*k."""
    col = hexrgb(color) if isinstance(color, str) else color
    img += mask[..., None] * (col * k)


def noise2d(rng: np.random.Generator, cx: int, cy: int, h: int = H, w: int = W) -> np.ndarray:
    """Smooth value noise in 0..1 with about cx x cy features across the frame."""
    small = rng.random((max(cy, 1) + 1, max(cx, 1) + 1)).astype(np.float32)
    return np.clip(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC), 0.0, 1.0)


def fbm2d(rng: np.random.Generator, cx: int, cy: int, octaves: int = 5,
          gain: float = 0.5, h: int = H, w: int = W) -> np.ndarray:
    """Fractal (multi-octave) noise in 0..1: natural-looking clouds, mist, texture."""
    total = np.zeros((h, w), np.float32)
    amp, norm = 1.0, 0.0
    for i in range(octaves):
        total += amp * noise2d(rng, min(cx << i, w // 2), min(cy << i, h // 2), h, w)
        norm += amp
        amp *= gain
    return total / norm


def noise1d(rng: np.random.Generator, n: int, knots: int, octaves: int = 1,
            gain: float = 0.5, smooth: bool = True) -> np.ndarray:
    """1-D fractal noise in 0..1; linear interpolation (smooth=False) gives sharp peaks."""
    interp = cv2.INTER_CUBIC if smooth else cv2.INTER_LINEAR
    total = np.zeros(n, np.float32)
    amp, norm = 1.0, 0.0
    for i in range(octaves):
        k = min(knots << i, n // 2)
        small = rng.random((1, k + 1)).astype(np.float32)
        total += amp * cv2.resize(small, (n, 1), interpolation=interp)[0]
        norm += amp
        amp *= gain
    return np.clip(total / norm, 0.0, 1.0)


def gauss(cx: float, cy: float, sx: float, sy: float | None = None) -> np.ndarray:
    """A 2-D Gaussian blob (peak 1), built separably so it costs almost nothing."""
    sy = sx if sy is None else sy
    gx = np.exp(-0.5 * ((xg - cx) / sx) ** 2)
    gy = np.exp(-0.5 * ((yg - cy) / sy) ** 2)
    return (gy * gx).astype(np.float32)


def under_curve(curve: np.ndarray, soft: float = 1.0) -> np.ndarray:
    """Mask of everything below a per-column curve of y values, anti-aliased."""
    return np.clip((yg - curve[None, :]) / soft + 0.5, 0.0, 1.0)


def poly_mask(polys: list[np.ndarray], h: int = H, w: int = W) -> np.ndarray:
    """Anti-aliased filled polygons (float xy points) as a 0..1 mask."""
    m = np.zeros((h, w), np.uint8)
    pts = [np.round(np.asarray(p) * 16).astype(np.int32) for p in polys]  # 4-bit subpixel
    cv2.fillPoly(m, pts, 255, cv2.LINE_AA, shift=4)
    return m.astype(np.float32) / 255.0


def stamp_disc(img: np.ndarray, cx: float, cy: float, r: float, color: np.ndarray,
               alpha: float, soft: float = 1.2, rim: float = 0.0, additive: bool = True) -> None:
    """Draw one soft disc into a small patch (fast for hundreds of bokeh/bubbles).

    rim > 0 brightens the edge, which is what out-of-focus highlights and
    bubbles really look like.
    """
    x0, x1 = max(int(cx - r - 3), 0), min(int(cx + r + 4), img.shape[1])
    y0, y1 = max(int(cy - r - 3), 0), min(int(cy + r + 4), img.shape[0])
    if x0 >= x1 or y0 >= y1:
        return
    yy = np.arange(y0, y1, dtype=np.float32)[:, None]
    xx = np.arange(x0, x1, dtype=np.float32)[None, :]
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
    m = np.clip((r - d) / soft + 0.5, 0.0, 1.0)
    if rim:
        m = m * ((1.0 - rim) + rim * smoothstep(0.55 * r, r, d) * 1.6)
    patch = img[y0:y1, x0:x1]
    if additive:
        patch += m[..., None] * (color * alpha)
    else:
        patch += (color - patch) * (m * alpha)[..., None]


def star_field(rng: np.random.Generator, n: int, y_max: float, fade: float = 0.0) -> np.ndarray:
    """Stars as a 3-channel light layer: pin-points plus soft halos on the bright ones."""
    layer = np.zeros((H, W, 3), np.float32)
    xs = rng.integers(0, W, n)
    ys = (rng.random(n) ** 1.3 * y_max).astype(int)  # denser high up, where the sky is darkest
    bright = np.clip(rng.pareto(2.2, n) * 0.25 + 0.15, 0, 3.0).astype(np.float32)
    if fade:
        bright *= np.clip(1.0 - ys / y_max, 0, 1) ** fade
    tints = np.stack([hexrgb("#cfe0ff"), hexrgb("#ffffff"), hexrgb("#ffe6c4")])
    layer[ys, xs] += bright[:, None] * tints[rng.integers(0, 3, n)]
    pin = cv2.GaussianBlur(layer, (0, 0), 0.7) * 3.0
    halo = cv2.GaussianBlur(np.where(layer > 0.8, layer, 0), (0, 0), 3.0) * 6.0
    return pin + halo


def ridge_line(rng: np.random.Generator, base: float, amp: float, knots: int,
               octaves: int = 5, sharp: bool = True) -> np.ndarray:
    """Mountain skyline: y per column (smaller y = higher peak)."""
    n = noise1d(rng, W, knots, octaves, 0.5, smooth=not sharp)
    n = (n - n.min()) / (n.max() - n.min() + 1e-6)
    return base - amp * n


def mountain(rng: np.random.Generator, ridge: np.ndarray, rock: Stops, snow: Stops,
             snow_depth: float, contrast: float = 1.0) -> np.ndarray:
    """Colour of a lit mountain range below a skyline (light from the upper left).

    Ridged noise, stretched downwards, gives crests and gullies; its x-slope is
    the shading.  The skyline's own slope shades the faces just under it.
    Snow clings to the top and runs further down along the crests.
    """
    depth = yg - ridge[None, :]
    crest = 1.0 - np.abs(2.0 * fbm2d(rng, 22, 5, 5, 0.55) - 1.0)
    # Shear the crests sideways with depth, as faces run diagonally off each peak.
    shear = (xg + depth * 0.35).astype(np.float32)
    crest = cv2.remap(crest, np.clip(shear, 0, W - 1), np.broadcast_to(yg, shear.shape)
                      .astype(np.float32), cv2.INTER_LINEAR)
    gx = cv2.Sobel(cv2.GaussianBlur(crest, (0, 0), 2.0), cv2.CV_32F, 1, 0, ksize=3)
    gx /= gx.std() + 1e-6
    slope = np.gradient(cv2.GaussianBlur(ridge[None, :], (0, 0), 4)[0])
    face = -np.clip(slope, -2, 2)[None, :] * np.exp(-np.maximum(depth, 0) / 120.0)
    shade = np.clip(0.5 + 0.22 * contrast * (-gx) + 0.35 * contrast * face, 0, 1)
    col = ramp(rock, np.clip(depth / 320.0, 0, 1)) * (0.55 + 0.75 * shade)[..., None]
    if snow_depth:
        line = snow_depth * (0.45 + 0.8 * noise1d(rng, W, 7, 3))[None, :]
        # Snow holds on the gentler, sunlit faces and slides off the steep shaded
        # ones, so the rock that shows follows the terrain instead of random blobs.
        reach = depth - (shade - 0.5) * snow_depth * 2.2 - (crest - 0.5) * snow_depth * 0.8
        cover = smoothstep(line + 12, line - 12, reach)
        col += (ramp(snow, shade) - col) * cover[..., None]
    return col


def pine_polys(rng: np.random.Generator, x: float, base_y: float, height: float) -> np.ndarray:
    """One fir tree silhouette as a polygon: a jagged stack of drooping tiers."""
    tiers = max(6, int(height / 26))  # tall trees get more, finer branch tiers
    step = height / tiers
    left, right = [], []
    for i in range(tiers + 1):
        t = i / tiers  # 0 at the tip, 1 at the bottom
        y = base_y - height * (1.0 - t) - height * 0.04
        for side, out in ((-1, left), (1, right)):
            half = height * 0.22 * t * rng.uniform(0.8, 1.15) + 2
            out.append((x + side * half, y + step * 0.45))
            out.append((x + side * half * 0.55, y + step * 0.15))
            out.append((x + side * half * 0.3, y - step * 0.1))
    trunk = [(x - height * 0.025, base_y + 2), (x + height * 0.025, base_y + 2)]
    pts = [(x, base_y - height * 1.05)] + right + trunk[::-1] + left[::-1]
    return np.array(pts, np.float32)


def reflect(img: np.ndarray, line_y: int, rng: np.random.Generator, ripple: float = 6.0,
            darken: float = 0.6, tint: str = "#0b2a40", tint_k: float = 0.25) -> None:
    """Mirror everything above line_y into the water below it, with horizontal ripples."""
    rows = np.arange(line_y, H, dtype=np.float32)
    depth = rows - line_y
    src_y = np.clip(line_y - 1 - depth, 0, H - 1)
    wob = noise2d(rng, 10, 70, H - line_y, W) - 0.5
    # Ripples grow towards the viewer, as real reflections break up closer in.
    amp = ripple * (0.3 + depth / max(H - line_y, 1))[:, None]
    map_x = (xg + wob * amp * 2.0).astype(np.float32)
    map_y = np.broadcast_to(src_y[:, None], map_x.shape).astype(np.float32)
    mirrored = cv2.remap(img, map_x, map_y + wob * amp * 0.5, cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT)
    mirrored = mirrored * darken
    mirrored += (hexrgb(tint) - mirrored) * tint_k
    img[line_y:] = mirrored


def finish(img: np.ndarray, rng: np.random.Generator, grain: float = 1.2,
           vignette: float = 0.25) -> np.ndarray:
    """Tone-map, vignette and dither to uint8 RGB.

    Highlights are rolled off instead of clipped (suns and lights stay round),
    and a little grain plus random rounding stops smooth skies from banding
    once they are 8-bit JPEG.
    """
    out = np.maximum(img, 0.0)
    knee = 0.8
    hi = out > knee
    out[hi] = knee + (1 - knee) * (1 - np.exp(-(out[hi] - knee) / (1 - knee)))
    if vignette:
        r2 = ((xg - W / 2) / (W / 2)) ** 2 + ((yg - H / 2) / (H / 2)) ** 2
        out *= (1.0 - vignette * smoothstep(0.4, 2.0, r2))[..., None]
    lum_grain = rng.normal(0.0, grain, (H, W, 1)).astype(np.float32)
    dither = rng.random((H, W, 3), dtype=np.float32)
    u8 = np.clip(out * 255.0 + lum_grain + dither, 0, 255.0)
    return u8.astype(np.uint8)


def save_jpeg(rgb8: np.ndarray, path: Path) -> int:
    """Write a JPEG at quality 90, stepping the quality down only if it is too large."""
    img = Image.fromarray(rgb8, "RGB")
    for quality in range(90, 70, -3):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality, optimize=True)
        if buf.tell() <= MAX_BYTES:
            break
    path.write_bytes(buf.getvalue())
    return buf.tell()


# --------------------------------------------------------------------------- palms


def palm_mask(rng: np.random.Generator, base: tuple[float, float], top: tuple[float, float],
              lean: float, trunk_w: float, frond_len: float) -> np.ndarray:
    """Silhouette of a palm tree: a curved tapering trunk and drooping feathered fronds."""
    m = np.zeros((H, W), np.uint8)
    (bx, by), (tx, ty) = base, top
    cx, cy = (bx + tx) / 2 + lean, (by + ty) / 2
    prev = None
    steps = 40
    for i in range(steps + 1):
        t = i / steps
        x = (1 - t) ** 2 * bx + 2 * (1 - t) * t * cx + t * t * tx
        y = (1 - t) ** 2 * by + 2 * (1 - t) * t * cy + t * t * ty
        if prev is not None:
            wdt = trunk_w * (1.0 - 0.45 * t)
            cv2.line(m, (int(prev[0] * 16), int(prev[1] * 16)), (int(x * 16), int(y * 16)),
                     255, max(int(wdt), 1), cv2.LINE_AA, shift=4)
        prev = (x, y)
    cv2.circle(m, (int(tx), int(ty)), int(trunk_w * 0.7), 255, -1, cv2.LINE_AA)
    n_fronds = 9
    for k in range(n_fronds):
        # Fronds fan out over the upper half and arch down under their own weight.
        ang = -1.2 * math.pi + 1.4 * math.pi * (k + 0.5) / n_fronds + rng.uniform(-0.1, 0.1)
        length = frond_len * rng.uniform(0.8, 1.1)
        dx, dy = math.cos(ang), math.sin(ang)
        droop = 0.6
        spine = []
        for i in range(30):
            t = i / 29
            spine.append((tx + dx * length * t, ty + dy * length * t * 0.9
                          + droop * length * t * t))
        for i in range(len(spine) - 1):
            p, q = spine[i], spine[i + 1]
            cv2.line(m, (int(p[0] * 16), int(p[1] * 16)), (int(q[0] * 16), int(q[1] * 16)),
                     255, max(int(5 * (1 - i / 30)) + 2, 1), cv2.LINE_AA, shift=4)
        # Leaflets: thin strokes angled towards the frond tip and down (gravity).
        for i in range(2, 29):
            t = i / 29
            p, q = spine[i], spine[i + 1]
            ax, ay = q[0] - p[0], q[1] - p[1]
            norm = math.hypot(ax, ay) + 1e-6
            ax, ay = ax / norm, ay / norm
            leaf = length * 0.16 * math.sin(math.pi * min(t * 1.1, 1.0)) + 4
            for side in (-1, 1):
                nx, ny = -ay * side, ax * side
                ex = p[0] + (nx * 0.7 + ax * 0.7) * leaf
                ey = p[1] + (ny * 0.7 + ay * 0.7) * leaf + leaf * 0.25
                cv2.line(m, (int(p[0] * 16), int(p[1] * 16)), (int(ex * 16), int(ey * 16)),
                         255, 3, cv2.LINE_AA, shift=4)
    return m.astype(np.float32) / 255.0


# --------------------------------------------------------------------------- scenes


def sunset_beach(rng: np.random.Generator) -> np.ndarray:
    """Golden hour over the sea: low sun, glowing clouds, glitter path, wet sand, palms."""
    hz = int(0.60 * H)
    shore = int(0.80 * H)
    sun_x, sun_y, sun_r = 0.70 * W, hz - 80.0, 58.0
    img = vgradient([(0.0, "#1c1b47"), (0.30, "#4f3672"), (0.55, "#b85c7e"),
                     (0.78, "#f08e5a"), (0.93, "#ffc477"), (1.0, "#ffdca0")], 0, hz)
    near_sun = gauss(sun_x, sun_y, 520, 300)
    add(img, near_sun, "#ff9040", 0.35)
    add(img, gauss(sun_x, sun_y, 160), "#ffc070", 0.55)
    add(img, gauss(sun_x, sun_y, 55), "#fff0c8", 0.7)

    # Streaky clouds: few features across, many down, so they stretch horizontally.
    n = fbm2d(rng, 3, 16, 5)
    band = smoothstep(0.04 * H, 0.16 * H, yg) * (1 - smoothstep(0.42 * H, 0.52 * H, yg))
    dens = smoothstep(0.50, 0.68, n) * band
    lit = n - np.roll(n, 6, axis=0)  # brighter where the cloud faces down towards the sun
    cloud_col = ramp([(0.0, "#5e3a6a"), (0.5, "#c8607a"), (1.0, "#ffc27a")],
                     np.clip(near_sun * 1.3 + 0.15 + np.clip(-lit * 6, 0, 0.4), 0, 1))
    img += (cloud_col - img) * (dens * 0.85)[..., None]

    # Sea: reflect the sky, then perspective waves sampled from a flat noise texture.
    # (The sun disc is drawn afterwards: on real water it only shows as a glitter path.)
    sea = slice(hz, H)
    reflect(img, hz, rng, ripple=10, darken=0.6, tint="#2e2870", tint_k=0.5)
    p = np.maximum(yg[hz:] - hz, 0.5)
    # Wide texture, centred: its non-tiling seam only falls where waves are already flat.
    tex = fbm2d(rng, 96, 90, 4, h=512, w=4096)
    map_x = np.clip((xg - W / 2) / p * 30.0 + 2048, 0, 4095)
    map_y = np.broadcast_to((6000.0 / p) % 512, map_x.shape)
    waves = cv2.remap(tex, map_x.astype(np.float32), map_y.astype(np.float32),
                      cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
    far = smoothstep(0, 60, p)  # distant waves blur into a flat sheen (no aliasing)
    waves = 0.5 + (waves - 0.5) * far
    img[sea] *= (0.82 + 0.36 * waves)[..., None]
    width = 18 + (yg[hz:] - hz) * 0.9
    path = np.exp(-((xg - sun_x) / width) ** 2)
    glitter = smoothstep(0.52, 0.70, waves) * path
    add(img[sea], glitter * 1.3 + path * 0.25, "#ffd79a")
    add(img[sea], np.exp(-((yg[hz:] - hz) / 5.0) ** 2) * gauss(sun_x, 0, 380, 1e9)[:1],
        "#ffc890", 0.5)  # bright haze line on the horizon

    # The sun sits just above the horizon, warm and slightly hotter in the middle.
    d = np.sqrt((xg - sun_x) ** 2 + (yg - sun_y) ** 2)
    disc = np.clip(sun_r - d + 0.5, 0, 1) * (yg < hz)
    sun_col = ramp([(0.0, "#fffcee"), (1.0, "#fff0b8")], np.clip(d / sun_r, 0, 1))
    img += (sun_col * 1.3 - img) * disc[..., None]

    # Beach: a wavy foam line, wet sand that mirrors the sky, then dry warm sand.
    edge = shore + 14 * np.sin(xg[0] / 170.0) + 30 * (noise1d(rng, W, 8) - 0.5)
    sand_t = np.clip((yg - edge) / (H - shore + 40), 0, 1)
    sand = ramp([(0.0, "#a8705a"), (0.35, "#c88d66"), (1.0, "#8a5c48")], sand_t)
    grain = fbm2d(rng, 200, 120, 2) - 0.5
    sand *= (1 + grain * 0.12)[..., None]
    wet = smoothstep(0, 10, yg - edge) * (1 - smoothstep(30, 90, yg - edge))
    sand += (img - sand) * (wet * 0.45)[..., None]
    land = under_curve(edge, 2.0)
    img += (sand - img) * land[..., None]
    # Foam: a broken lace line at the water's edge and a fainter incoming wave.
    lace = smoothstep(0.35, 0.75, fbm2d(rng, 60, 40, 3))
    foam = np.exp(-((yg - edge) / 6.0) ** 2) * (0.25 + 0.75 * lace)
    wave_y = edge - 28 + 10 * np.sin(xg / 110.0 + 1.0)
    foam += np.exp(-((yg - wave_y) / 3.5) ** 2) * lace * 0.5
    add(img, foam * (yg > hz + 20), "#ffe8dc", 0.45)
    add(img, gauss(sun_x, edge.mean(), 260, 60) * land, "#ffb070", 0.25)

    # Framing palms on both sides, dark against the bright sky.
    palms = palm_mask(rng, (60, H + 40), (330, 210), 140, 34, 300)
    palms = np.maximum(palms, palm_mask(rng, (1900, H + 40), (1735, 395), -60, 26, 230))
    blend(img, palms, "#1c0f1c")
    return finish(img, rng)


def northern_lights(rng: np.random.Generator) -> np.ndarray:
    """Aurora curtains over snowy peaks, a pine shoreline and a still lake."""
    shore = int(0.78 * H)
    img = vgradient([(0.0, "#02040d"), (0.45, "#06122b"), (0.8, "#0c2542"),
                     (1.0, "#173a55")], 0, shore)
    # A faint Milky Way band running diagonally through the upper sky.
    dist = np.abs((xg - W * 0.1) * 0.5 - (yg - 0) * 1.0 + 0.05 * H) / 1.12
    mw = fbm2d(rng, 30, 18, 5) * np.exp(-(dist / 170) ** 2)
    add(img, mw, "#8fa6d8", 0.12)
    img += star_field(rng, 2600, shore, fade=0.8)

    aurora = np.zeros_like(img)
    # Two bands running diagonally across the sky; a tilt (not big waves) keeps
    # their lower edges from reading as a second row of mountains.
    curtains = [(0.52 * H, -0.26 * H, 55, 900, 1.0), (0.24 * H, 0.12 * H, 40, 1300, 0.55)]
    for base, tilt, amp, period, k in curtains:
        phase = rng.uniform(0, 2 * math.pi)
        yb = base + tilt * xg[0] / W + amp * np.sin(2 * math.pi * xg[0] / period + phase)
        yb += 70 * (noise1d(rng, W, 5, 3) - 0.5)
        rays = noise1d(rng, W + 600, 380, 2) ** 3
        env = 0.25 + 0.75 * smoothstep(0.2, 0.7, noise1d(rng, W, 4, 2))
        above = yb[None, :] - yg
        # Rays lean slightly with height, like curtains folding in the wind.
        idx = np.clip((xg + 300 + above * 0.25).astype(int), 0, W + 599)
        r = rays[idx]
        inten = np.where(above >= 0, np.exp(-np.maximum(above, 0) / 190.0),
                         np.exp(-(above / 22.0) ** 2))
        inten = inten * (0.35 + 2.2 * r) * env[None, :] * k
        col = ramp([(0.0, "#3dffa0"), (0.35, "#1ed6a0"), (0.7, "#4a7fd0"),
                    (1.0, "#a040c8")], np.clip(above / 420.0, 0, 1))
        aurora += inten[..., None] * col
    aurora = cv2.GaussianBlur(aurora, (0, 0), 2.0)
    img += aurora * 0.75
    sky_glow = cv2.GaussianBlur(aurora, (0, 0), 60)
    img += sky_glow * 0.5

    # Mountains, far to near; the far range catches green light on its snow.
    far = ridge_line(rng, 0.60 * H, 0.26 * H, 4, 6)
    m = under_curve(far)
    rock = mountain(rng, far, [(0.0, "#243e52"), (1.0, "#0c1828")],
                    [(0.0, "#1e3446"), (1.0, "#5f8794")], 120, 0.9)
    rock += sky_glow * 0.35  # snow and rock pick up the green light
    img += (rock - img) * m[..., None]
    mist = np.exp(-((yg - 0.68 * H) / 40.0) ** 2) * fbm2d(rng, 8, 3, 3)
    add(img, mist, "#2a5560", 0.35)

    mid = ridge_line(rng, 0.74 * H, 0.16 * H, 6, 5)
    mcol = ramp([(0.0, "#0d1f30"), (1.0, "#050c16")], np.clip((yg - mid) / 150, 0, 1))
    img += (mcol - img) * under_curve(mid)[..., None]

    trees = []
    x = -10.0
    while x < W + 20:
        hgt = rng.uniform(22, 60) * (1.6 if x < 0.2 * W or x > 0.8 * W else 1.0)
        trees.append(pine_polys(rng, x, shore + 2, hgt))
        x += rng.uniform(7, 20)
    tm = poly_mask(trees)
    tm = np.maximum(tm, (yg >= shore - 4) * (yg < shore + 1) * np.ones_like(xg))
    blend(img, tm, "#03070c")

    reflect(img, shore, rng, ripple=5, darken=0.5, tint="#04101c", tint_k=0.3)
    return finish(img, rng, grain=1.4, vignette=0.3)


def neon_horizon(rng: np.random.Generator) -> np.ndarray:
    """Retro synthwave: striped sun, neon mountain edges and a glowing perspective grid."""
    hz = int(0.60 * H)
    img = vgradient([(0.0, "#0a0220"), (0.40, "#24073f"), (0.72, "#5c1668"),
                     (0.90, "#c23a7a"), (1.0, "#ff7a86")], 0, hz)
    img += star_field(rng, 900, hz * 0.7, fade=1.5) * 0.8

    cx, cy, r = W / 2, hz - 175.0, 255.0
    add(img, gauss(cx, cy, 420, 330), "#ff3c9a", 0.35)
    d = np.sqrt((xg - cx) ** 2 + (yg - cy) ** 2)
    disc = np.clip(r - d + 0.5, 0, 1)
    # The classic sun: horizontal gaps that thicken towards its bottom.
    rel = (yg - cy) / r
    for i, off in enumerate([0.10, 0.28, 0.44, 0.58, 0.70, 0.80, 0.89, 0.97]):
        half = 1.5 + i * 1.6
        gap = np.clip(np.abs(yg - (cy + off * r)) - half + 0.5, 0, 1)
        disc = disc * gap
    sun = ramp([(0.0, "#fff27a"), (0.45, "#ffb347"), (1.0, "#ff2d8e")],
               np.clip((rel + 1) / 2, 0, 1))
    img += (sun * 1.1 - img) * disc[..., None]

    # Neon-edged mountains, tall at the sides so the centre stays open.
    side = smoothstep(0.0, 0.45, np.abs(xg[0] / W - 0.5))
    peaks = 1.0 - ridge_line(rng, 1.0, 1.0, 9, 3)  # 0..1, sharp peaks
    ridge = hz - (25 + 300 * side * side) * (0.3 + 0.7 * peaks)
    mm = under_curve(ridge) * (yg <= hz)
    mcol = ramp([(0.0, "#2a0a4a"), (1.0, "#0d0320")], np.clip((yg - ridge) / 200, 0, 1))
    img += (mcol - img) * mm[..., None]
    edge = np.exp(-((yg - ridge) / 1.6) ** 2) * (yg <= hz)
    add(img, edge, "#39e8ff", 1.2)
    add(img, cv2.GaussianBlur(edge, (0, 0), 6), "#39e8ff", 1.2)
    # Wireframe flanks: faint lines running down from the ridge.
    flanks = (np.sin(xg / 9.0 + ridge / 25.0) > 0.93) * mm * smoothstep(150, 0, yg - ridge)
    add(img, flanks.astype(np.float32), "#7a3cff", 0.25)

    # Grid floor computed analytically so every line is anti-aliased.
    fl = slice(hz, H)
    dd = np.maximum(yg[hz:] - hz, 0.5)
    img[fl] = ramp([(0.0, "#3a0a55"), (0.15, "#1a0435"), (1.0, "#12022a")],
                   np.broadcast_to((dd / (H - hz)), (H - hz, W)))
    u = (xg - W / 2) * 3.1 / dd
    v = 2074.0 / dd
    lw = 0.035
    du = 3.1 / dd
    dv = 2074.0 / dd ** 2
    fu = np.abs(u - np.round(u))
    fv = np.abs(v - np.round(v))
    lines_u = np.clip((lw - fu) / du + 0.5, 0, 1)
    lines_v = np.clip((lw * 1.4 - fv) / dv + 0.5, 0, 1) * smoothstep(0.6, 0.15, dv)
    grid = np.maximum(lines_u, lines_v) * smoothstep(0, 25, dd)
    gcol = ramp([(0.0, "#ffb6f2"), (0.3, "#ff3df0"), (1.0, "#d12cff")],
                np.clip(dd / (H - hz), 0, 1))
    img[fl] += grid[..., None] * gcol * 1.1
    img[fl] += cv2.GaussianBlur(grid, (0, 0), 5)[..., None] * gcol * 0.9
    img[fl] += (np.exp(-dd / 30.0) * 0.8)[..., None] * hexrgb("#ff5aa8")
    add(img[fl], np.exp(-((xg - cx) / 180) ** 2) * np.exp(-dd / 160), "#ff4d9a", 0.3)
    add(img, np.exp(-((yg - hz) / 10.0) ** 2), "#ffd0ee", 0.5)
    return finish(img, rng, grain=1.0, vignette=0.3)


def party_lights(rng: np.random.Generator) -> np.ndarray:
    """Dance-floor atmosphere: out-of-focus lights, string lights and falling confetti."""
    img = vgradient([(0.0, "#1c0830"), (0.55, "#12061f"), (1.0, "#08040f")])
    add(img, gauss(0.15 * W, 0.25 * H, 450, 350), "#6a1c7a", 0.45)
    add(img, gauss(0.85 * W, 0.3 * H, 500, 380), "#7a1c4c", 0.45)
    add(img, gauss(0.5 * W, 0.0, 600, 260), "#3a2a7a", 0.35)

    palette = [hexrgb(c) for c in ("#ffc85a", "#ff5a8c", "#b07cff", "#59e6e6", "#ffe3b0")]
    # Bokeh: biggest and softest first (furthest back), kept mostly out of the lower middle.
    for i in range(230):
        x = rng.uniform(-60, W + 60)
        y = rng.beta(1.2, 2.2) * H * 1.1
        centre = math.exp(-((x - W / 2) / 420) ** 2) * (y > 0.45 * H)
        if rng.random() < centre * 0.85:
            continue
        r = rng.uniform(40, 110) if i < 90 else rng.uniform(14, 45)
        col = palette[rng.integers(len(palette))]
        alpha = rng.uniform(0.08, 0.22) if i < 90 else rng.uniform(0.15, 0.4)
        stamp_disc(img, x, y, r, col, alpha, soft=2.5 if i < 90 else 1.6, rim=0.35)

    # Two garlands of warm bulbs sagging across the top.
    for (x0, y0, x1, y1, sag) in ((-40, 40, W * 0.55, 90, 150), (W * 0.45, 70, W + 40, 30, 160)):
        ts = np.linspace(0, 1, 400)
        px = x0 + (x1 - x0) * ts
        py = y0 + (y1 - y0) * ts + sag * 4 * ts * (1 - ts)
        wire = np.zeros((H, W), np.uint8)
        pts = np.round(np.stack([px, py], 1) * 16).astype(np.int32)
        cv2.polylines(wire, [pts], False, 255, 2, cv2.LINE_AA, shift=4)
        blend(img, wire.astype(np.float32) / 255 * 0.9, "#0a0608")
        bulbs = np.zeros((H, W), np.float32)
        for t in np.arange(0.02, 1.0, 0.045):
            bx = x0 + (x1 - x0) * t
            by = y0 + (y1 - y0) * t + sag * 4 * t * (1 - t) + 10
            stamp_disc(bulbs[..., None], bx, by, 7, np.ones(1, np.float32), 1.0, soft=1.5)
        add(img, bulbs, "#fff2c8", 1.2)
        add(img, cv2.GaussianBlur(bulbs, (0, 0), 10), "#ffb050", 3.5)
        add(img, cv2.GaussianBlur(bulbs, (0, 0), 40), "#ff9040", 2.0)

    # Confetti: a blurred far layer and a crisp near layer, as from a real lens.
    conf_cols = [hexrgb(c) for c in ("#ffd24a", "#ff4f8b", "#4fc3ff", "#ffffff",
                                     "#8cff6a", "#c78bff", "#ffa040")]
    for layer, (count, size, blur) in enumerate(((260, 7, 2.5), (420, 11, 0.0))):
        canvas = np.zeros((H, W, 3), np.float32)
        alpha = np.zeros((H, W), np.float32)
        for _ in range(count):
            x = rng.uniform(0, W)
            y = rng.beta(1.0, 2.4) * H
            if abs(x - W / 2) < 330 and y > 0.42 * H and rng.random() < 0.8:
                continue
            s = size * rng.uniform(0.6, 1.4)
            ang = rng.uniform(0, math.pi)
            tilt = abs(math.cos(rng.uniform(0, math.pi)))  # paper turning in the air
            ca, sa = math.cos(ang), math.sin(ang)
            hx, hy = s, s * 0.45 * (0.25 + 0.75 * tilt)
            corners = np.array([(-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy)], np.float32)
            rot = corners @ np.array([[ca, sa], [-sa, ca]], np.float32) + (x, y)
            col = conf_cols[rng.integers(len(conf_cols))] * (0.55 + 0.45 * tilt)
            pts = [np.round(rot * 16).astype(np.int32)]
            cv2.fillPoly(canvas, pts, col.tolist(), cv2.LINE_AA, shift=4)
            cv2.fillPoly(alpha, pts, 1.0, cv2.LINE_AA, shift=4)
        if blur:
            canvas = cv2.GaussianBlur(canvas, (0, 0), blur)
            alpha = cv2.GaussianBlur(alpha, (0, 0), blur)
        a = np.clip(alpha, 0, 1)[..., None] * (0.6 if layer == 0 else 1.0)
        img = img * (1 - a) + canvas * (0.6 if layer == 0 else 1.0)
    return finish(img, rng, grain=1.2, vignette=0.2)


def alpine_lake(rng: np.random.Generator) -> np.ndarray:
    """Morning in the Alps: layered snowy ranges, mist, a mirror lake and framing firs."""
    shore = int(0.64 * H)
    img = vgradient([(0.0, "#3f6fae"), (0.45, "#7da6d2"), (0.85, "#c9dcea"),
                     (1.0, "#e9eef0")], 0, shore)
    add(img, gauss(0.22 * W, 0.05 * H, 520, 330), "#fff1d6", 0.35)
    clouds = fbm2d(rng, 4, 9, 6)
    cd = smoothstep(0.5, 0.75, clouds) * smoothstep(0.0, 0.12 * H, yg) \
        * (1 - smoothstep(0.3 * H, 0.45 * H, yg))
    shade = clouds - np.roll(clouds, -10, axis=0)
    ccol = ramp([(0.0, "#b6c8dc"), (1.0, "#ffffff")], np.clip(0.6 + shade * 8, 0, 1))
    img += (ccol - img) * (cd * 0.9)[..., None]

    # Ranges from far (pale, hazy) to near (dark, green); haze makes the depth.
    layers = [
        (0.44 * H, 0.30 * H, 5, ("#7f94b0", "#a3b6cd"), ("#b4c4da", "#f4f8ff"), 110, 0.6, 0.6),
        (0.53 * H, 0.20 * H, 7, ("#4c6480", "#6f88a2"), ("#9fb2c8", "#ffffff"), 110, 0.8, 0.5),
        (0.60 * H, 0.12 * H, 9, ("#26403f", "#2e4a44"), ("#6f8a8a", "#c8d8d8"), 0, 0.7, 0.0),
    ]
    for i, (base, amp, knots, rock, snow, depth, contrast, mist_k) in enumerate(layers):
        ridge = ridge_line(rng, base, amp, knots, 6)
        stops = [(0.0, rock[0]), (1.0, rock[1])]
        col = mountain(rng, ridge, stops, [(0.0, snow[0]), (1.0, snow[1])], depth, contrast)
        # Aerial perspective: the further the range, the more it fades into the sky.
        col += (hexrgb("#c4d6e6") - col) * (0.25 * (2 - i) / 2)
        img += (col - img) * under_curve(ridge)[..., None]
        if mist_k:
            band = np.exp(-((yg - (base + 0.05 * H)) / 45.0) ** 2) * fbm2d(rng, 6, 3, 4)
            add(img, band, "#e8f0f4", mist_k)
        if i == 2:
            trees = []
            x = -10.0
            while x < W + 20:
                y = shore - 2 + rng.uniform(-2, 2)
                trees.append(pine_polys(rng, x, y, rng.uniform(20, 55)))
                x += rng.uniform(6, 16)
            blend(img, poly_mask(trees), "#1a2e28")
            add(img, np.exp(-((yg - shore + 12) / 14.0) ** 2), "#dfe9ee", 0.25)

    reflect(img, shore, rng, ripple=4, darken=0.75, tint="#2a4f5e", tint_k=0.3)
    streaks = smoothstep(0.6, 0.8, fbm2d(rng, 6, 140, 3)) * (yg > shore)
    add(img, streaks, "#e6f0f5", 0.12)

    # Big firs close by on both edges frame the view (and never sit behind a guest).
    near = []
    for x, hgt in ((40, 760), (150, 560), (-40, 600), (1880, 720), (1770, 520), (1960, 620)):
        near.append(pine_polys(rng, x, H + 30, hgt))
    nm = poly_mask(near)
    blend(img, nm, "#0f1d18")
    add(img, nm * gauss(0, 0.3 * H, 200, 400), "#3a5a38", 0.25)
    return finish(img, rng, grain=1.0, vignette=0.2)


def under_the_sea(rng: np.random.Generator) -> np.ndarray:
    """Underwater: sun rays through the surface, caustics, bubbles, kelp and fish."""
    img = vgradient([(0.0, "#5fd2d8"), (0.12, "#1fa0b8"), (0.5, "#0a5a84"),
                     (1.0, "#04203f")])
    # The rippling surface seen from below.
    surf = fbm2d(rng, 48, 14, 4)
    surf_m = np.exp(-yg / 70.0) * (0.4 + 0.8 * smoothstep(0.4, 0.7, surf))
    add(img, surf_m, "#c8fbff", 0.6)

    # God rays fanning out from a point above the frame.
    sx, sy = 0.58 * W, -0.35 * H
    ang = np.arctan2(xg - sx, yg - sy)
    dist = np.sqrt((xg - sx) ** 2 + (yg - sy) ** 2)
    table = noise1d(rng, 4096, 140, 3) ** 2.5
    rays = table[np.clip(((ang + 1.2) / 2.4 * 4095).astype(int), 0, 4095)]
    rays *= np.exp(-(dist - 0.35 * H) / 700.0) * smoothstep(0.0, 0.15 * H, yg)
    add(img, rays, "#b8fff4", 0.55)

    # Sandy floor with soft dunes and dancing caustic light.
    floor = ridge_line(rng, 0.86 * H, 0.08 * H, 3, 3, sharp=False)
    fm = under_curve(floor, 3.0)
    fcol = ramp([(0.0, "#2f7c88"), (1.0, "#173a52")], np.clip((yg - floor) / 180, 0, 1))
    caust = 1 - np.abs(2 * fbm2d(rng, 40, 30, 3) - 1)
    sand = fbm2d(rng, 160, 90, 2)
    fcol *= (0.92 + 0.16 * sand)[..., None]
    fcol += smoothstep(0.8, 0.99, caust)[..., None] * hexrgb("#7ff0e6") * 0.2
    img += (fcol - img) * fm[..., None]

    # Kelp and coral silhouettes on both sides, fogged by distance.
    for layer, (fog, cnt) in enumerate(((0.55, 9), (0.0, 7))):
        m = np.zeros((H, W), np.uint8)
        for _ in range(cnt):
            left = rng.random() < 0.5
            x0 = rng.uniform(-40, 380) if left else rng.uniform(W - 380, W + 40)
            top = rng.uniform(0.15, 0.55) * H if layer else rng.uniform(0.3, 0.65) * H
            phase, wid = rng.uniform(0, 6.3), rng.uniform(10, 22)
            ys = np.linspace(H + 20, top, 60)
            xs = x0 + 35 * np.sin((ys / 140.0) + phase) * (H - ys) / H * 2
            for i in range(len(ys) - 1):
                thick = int(wid * (1 - i / 70))
                cv2.line(m, (int(xs[i] * 16), int(ys[i] * 16)),
                         (int(xs[i + 1] * 16), int(ys[i + 1] * 16)), 255, max(thick, 2),
                         cv2.LINE_AA, shift=4)
                if i % 5 == 2:  # leaves
                    side = 1 if i % 10 == 2 else -1
                    lx = xs[i] + side * wid * 2.2
                    ly = ys[i] - wid * 1.5
                    cv2.ellipse(m, (int(lx), int(ly)), (int(wid * 1.6), int(wid * 0.45)),
                                -35 * side, 0, 360, 255, -1, cv2.LINE_AA)
        km = m.astype(np.float32) / 255
        kc = ramp([(0.0, "#0d4a4a"), (1.0, "#03191f")], np.clip(yg / H, 0, 1) + np.zeros_like(xg))
        kc += (img - kc) * fog
        img += (kc - img) * km[..., None]
        add(img, km * rays * 0.8, "#5fe0c0", 0.25)

    # A distant school of fish, upper left.
    fish = []
    for _ in range(26):
        fx = rng.normal(0.22 * W, 120)
        fy = rng.normal(0.26 * H, 55)
        s = rng.uniform(10, 18)
        body = cv2.ellipse2Poly((int(fx), int(fy)), (int(s), int(s * 0.38)), 0, 0, 360, 20)
        fish.append(body.astype(np.float32))
        fish.append(np.array([(fx + s * 0.8, fy), (fx + s * 1.5, fy - s * 0.45),
                              (fx + s * 1.5, fy + s * 0.45)], np.float32))
    fm2 = poly_mask(fish)
    blend(img, fm2 * 0.55, "#0b3c5a")

    # Bubbles rising in columns at the sides.
    for _ in range(160):
        left = rng.random() < 0.5
        cx = rng.normal(0.12 * W if left else 0.88 * W, 90)
        cy = rng.uniform(0, 0.95 * H)
        r = rng.uniform(2.5, 10.0) ** 1.3
        stamp_disc(img, cx, cy, r, hexrgb("#d8fbff"), 0.35, soft=1.2, rim=0.8)
        stamp_disc(img, cx - r * 0.35, cy - r * 0.35, max(r * 0.22, 1.0), hexrgb("#ffffff"),
                   0.8, soft=1.0)
    haze = cv2.GaussianBlur(img, (0, 0), 25)
    img = img * 0.88 + haze * 0.12  # water scatters light: a soft bloom everywhere
    return finish(img, rng, grain=1.3, vignette=0.35)


def red_carpet(rng: np.random.Generator) -> np.ndarray:
    """Premiere night: velvet curtain, crossing spotlights, red carpet, gold stanchions."""
    wall = int(0.60 * H)
    vy = 0.42 * H  # vanishing point of the floor
    # Velvet curtain folds: a sum of sines with wandering phase.
    xw = xg[0]
    folds = np.sin(xw / 38.0 + 3 * noise1d(rng, W, 6)) * 0.6 + np.sin(xw / 17.0) * 0.25
    fold = (folds - folds.min()) / (folds.max() - folds.min())
    fold2d = np.broadcast_to(fold, (H, W)) * (0.85 + 0.15 * fbm2d(rng, 3, 30, 3))
    img = ramp([(0.0, "#1a0206"), (0.5, "#5c0a18"), (1.0, "#b0243a")], fold2d ** 1.4)
    img *= (0.35 + 0.65 * smoothstep(-0.1 * H, 0.5 * H, yg))[..., None]
    # Scalloped valance with a gold fringe along the top.
    scallop = 80 + 28 * np.abs(np.sin(xw / 160.0 * math.pi))
    val = 1 - under_curve(scallop, 2.0)
    vcol = ramp([(0.0, "#2a0208"), (1.0, "#7a1020")], np.clip(yg / 100, 0, 1))
    img += (vcol - img) * val[..., None]
    fringe = np.exp(-((yg - scallop) / 4.0) ** 2) * (0.6 + 0.4 * (np.sin(xw * 1.3) > 0))
    add(img, fringe, "#e0b050", 0.9)

    # Floor: dark gloss with the carpet running to the back in perspective.
    d = np.maximum(yg - vy, 1)
    flo = yg >= wall
    floor_col = ramp([(0.0, "#1a0c10"), (1.0, "#07030a")], np.clip((yg - wall) / 300, 0, 1))
    img = np.where(flo[..., None], floor_col + 0 * img, img)
    half = d * 1.05
    dx = np.abs(xg - W / 2)
    carpet = np.clip(half - dx + 0.5, 0, 1) * flo
    weave = fbm2d(rng, 300, 160, 2)
    ccol = ramp([(0.0, "#5a0712"), (1.0, "#b3121f")], np.clip((yg - wall) / 400, 0, 1))
    ccol = ccol * (0.9 + 0.2 * weave)[..., None]
    img += (ccol - img) * carpet[..., None]
    trim = np.exp(-((dx - half + 4) / 2.5) ** 2) * flo
    add(img, trim, "#e0b050", 0.8)
    add(img, np.exp(-((yg - wall) / 2.0) ** 2), "#000000", 0.0)

    # Spotlights crossing from above the frame, each with a pool of light.
    beams = np.zeros((H, W), np.float32)
    dust = fbm2d(rng, 60, 40, 3)
    for bx, tx, ty, width in ((0.08 * W, 0.62 * W, 0.72 * H, 0.07),
                              (0.92 * W, 0.38 * W, 0.72 * H, 0.07),
                              (0.30 * W, 0.12 * W, 0.80 * H, 0.06),
                              (0.70 * W, 0.88 * W, 0.80 * H, 0.06)):
        ax, ay = tx - bx, ty + 60
        alen = math.hypot(ax, ay)
        ax, ay = ax / alen, ay / alen
        px, py = xg - bx, yg + 60
        along = px * ax + py * ay
        across = np.abs(px * ay - py * ax)
        cone = np.exp(-(across / (width * along.clip(1) + 6)) ** 2 * 2.5) * (along > 0)
        beams += cone * np.exp(-along / 1800) * (yg < ty)
        pool = np.exp(-(((xg - tx) / 210) ** 2 + ((yg - ty) / 55) ** 2))
        beams += pool * 1.1
    beams *= 0.75 + 0.5 * dust
    add(img, beams * (1 - carpet * 0.3), "#ffe9c4", 0.38)
    add(img, beams * carpet, "#ff6060", 0.25)

    # Gold stanchions and sagging velvet ropes along both edges of the carpet.
    posts = np.zeros((H, W), np.uint8)
    ropes = np.zeros((H, W), np.uint8)
    for sign in (-1, 1):
        prev = None
        for z in (1.0, 1.35, 1.9, 2.8, 4.4):
            base_y = vy + (H - vy) * 1.15 / z
            x = W / 2 + sign * (base_y - vy) * 1.3
            hgt = 340 / z
            wdt = max(14 / z, 2)
            cv2.rectangle(posts, (int(x - wdt / 2), int(base_y - hgt)),
                          (int(x + wdt / 2), int(base_y)), 255, -1, cv2.LINE_AA)
            cv2.circle(posts, (int(x), int(base_y - hgt)), int(wdt * 0.9), 255, -1, cv2.LINE_AA)
            cv2.ellipse(posts, (int(x), int(base_y)), (int(wdt * 2.2), int(wdt * 0.6)), 0, 0,
                        360, 255, -1, cv2.LINE_AA)
            top = (x, base_y - hgt * 0.92)
            if prev is not None:
                ts = np.linspace(0, 1, 60)
                rx = prev[0] + (top[0] - prev[0]) * ts
                ry = prev[1] + (top[1] - prev[1]) * ts + (70 / z) * 4 * ts * (1 - ts)
                pts = np.round(np.stack([rx, ry], 1) * 16).astype(np.int32)
                cv2.polylines(ropes, [pts], False, 255, max(int(16 / z), 2), cv2.LINE_AA,
                              shift=4)
            prev = top
    pm = posts.astype(np.float32) / 255
    rm = ropes.astype(np.float32) / 255
    shine = 0.5 + 0.5 * np.sin(xg / 3.0)
    gold = ramp([(0.0, "#6a4a12"), (0.6, "#d9a840"), (1.0, "#fff0b0")],
                np.broadcast_to(shine, (H, W)) * 0.6 + 0.3)
    img += (gold - img) * pm[..., None]
    rope_col = ramp([(0.0, "#4a0610"), (1.0, "#c01a2e")], cv2.GaussianBlur(rm, (0, 0), 2))
    img += (rope_col - img) * rm[..., None]

    # Camera flashes from the press on both sides.
    flash = np.zeros((H, W), np.float32)
    for _ in range(7):
        left = rng.random() < 0.5
        fx = rng.uniform(0.03, 0.22) * W if left else rng.uniform(0.78, 0.97) * W
        fy = rng.uniform(0.35, 0.6) * H
        s = rng.uniform(0.6, 1.2)
        flash += gauss(fx, fy, 40 * s) * 0.5
        flash += (gauss(fx, fy, 110 * s, 1.8) + gauss(fx, fy, 1.8, 90 * s)) * 0.8
        flash += gauss(fx, fy, 9 * s) * 2.0
    add(img, flash, "#f4f8ff", 0.9)
    return finish(img, rng, grain=1.2, vignette=0.3)


SCENES: dict[str, tuple[int, Callable[[np.random.Generator], np.ndarray]]] = {
    "sunset-beach": (11, sunset_beach),
    "northern-lights": (22, northern_lights),
    "neon-horizon": (33, neon_horizon),
    "party-lights": (44, party_lights),
    "alpine-lake": (55, alpine_lake),
    "under-the-sea": (66, under_the_sea),
    "red-carpet": (77, red_carpet),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Render every scene (or the ones named with --only) into the output folder."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "scenes", help="output folder")
    ap.add_argument("--only", nargs="*", choices=sorted(SCENES), help="render just these")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for name in args.only or SCENES:
        seed, render = SCENES[name]
        t0 = time.perf_counter()
        size = save_jpeg(render(np.random.default_rng(seed)), args.out / f"{name}.jpg")
        print(f"{name}.jpg  {size / 1024:.0f} KB  {time.perf_counter() - t0:.1f} s")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
