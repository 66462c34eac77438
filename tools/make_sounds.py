#!/usr/bin/env python3
"""Generate the booth's sounds (beep, go, shutter) as 16-bit mono 44.1 kHz WAV files.

The sounds are synthesised here with numpy and written with the stdlib
``wave`` module, so the project ships no recorded or borrowed audio.  Noise
comes from a seeded generator, so a rebuild is byte-identical.

Usage::

    python tools/make_sounds.py              # writes into the repo's sounds/
    python tools/make_sounds.py --out /tmp/snd
"""

from __future__ import annotations

import argparse
import sys
import wave
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

RATE = 44100
# -3 dBFS: loud enough to hear over a party, with headroom so nothing clips
# after the mixer's resampling.
PEAK = 10 ** (-3 / 20)
REPO = Path(__file__).resolve().parents[1]


def timeline(seconds: float) -> np.ndarray:
    """Sample times in seconds for a sound of the given length."""
    return np.arange(int(round(seconds * RATE)), dtype=np.float64) / RATE


def fades(x: np.ndarray, fade_in: float = 0.004, fade_out: float = 0.012) -> np.ndarray:
    """Raised-cosine fades at both ends: a hard start or stop is heard as a click."""
    out = x.copy()
    n_in, n_out = int(fade_in * RATE), int(fade_out * RATE)
    if n_in:
        out[:n_in] *= 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n_in))
    if n_out:
        out[-n_out:] *= 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, n_out))
    return out


def normalise(x: np.ndarray, peak: float = PEAK) -> np.ndarray:
    """Scale so the loudest sample sits at ``peak`` (full scale = 1.0)."""
    return x * (peak / max(float(np.abs(x).max()), 1e-12))


def bandpass(x: np.ndarray, low: float, high: float) -> np.ndarray:
    """Band-pass by zeroing FFT bins, with soft shoulders so it does not ring."""
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / RATE)
    gain = np.clip((f - low * 0.7) / (low * 0.3), 0, 1) * np.clip((high * 1.3 - f) / (high * 0.3),
                                                                   0, 1)
    return np.fft.irfft(spec * gain, len(x))


def beep() -> np.ndarray:
    """Countdown tick: a soft 880 Hz tone with a touch of octave, ~0.15 s."""
    t = timeline(0.15)
    env = np.exp(-t / 0.06)  # a plucked decay is friendlier than a flat buzzer
    tone = np.sin(2 * np.pi * 880 * t) + 0.25 * np.sin(2 * np.pi * 1760 * t)
    return fades(tone * env, 0.003, 0.02)


def go() -> np.ndarray:
    """The last tick: a bright bell-like chime (two notes a fifth apart), ~0.3 s."""
    t = timeline(0.3)
    out = np.zeros_like(t)
    # Slightly inharmonic partials (ratios of a small bell) make it shimmer.
    for base, delay in ((1318.5, 0.0), (1975.5, 0.045)):
        tt = np.clip(t - delay, 0, None)
        attack = np.clip(tt / 0.003, 0, 1) * (t >= delay)  # each strike starts softly
        for ratio, amp, decay in ((1.0, 1.0, 0.16), (2.0, 0.35, 0.08), (2.76, 0.18, 0.05),
                                  (5.4, 0.06, 0.025)):
            out += attack * amp * np.exp(-tt / decay) * np.sin(2 * np.pi * base * ratio * tt)
    return fades(out, 0.002, 0.03)


def shutter() -> np.ndarray:
    """A camera shutter: mirror-up click, a short hiss, then the closing clack, ~0.25 s."""
    rng = np.random.default_rng(7)
    t = timeline(0.25)
    out = np.zeros_like(t)
    for start, level, decay, low, high in ((0.0, 1.0, 0.012, 1500, 9000),
                                           (0.085, 0.8, 0.018, 900, 6000)):
        noise = bandpass(rng.standard_normal(len(t)), low, high)
        tt = t - start
        env = np.where(tt >= 0, np.exp(-np.clip(tt, 0, None) / decay), 0.0)
        out += level * env * noise / noise.std()
        # A damped low thump: the mechanism's body, so it is a "clack", not a hiss.
        out += level * 0.6 * env * np.sin(2 * np.pi * 180 * np.clip(tt, 0, None))
    hiss = bandpass(rng.standard_normal(len(t)), 3000, 12000)
    out += 0.08 * hiss / hiss.std() * np.exp(-((t - 0.045) / 0.02) ** 2)
    return fades(out, 0.001, 0.03)


SOUNDS: dict[str, Callable[[], np.ndarray]] = {"beep": beep, "go": go, "shutter": shutter}


def write_wav(path: Path, samples: np.ndarray) -> None:
    """Write float samples (-1..1) as 16-bit PCM mono."""
    pcm = np.round(np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def main(argv: Sequence[str] | None = None) -> int:
    """Synthesise every sound into the output folder."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "sounds", help="output folder")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, make in SOUNDS.items():
        samples = normalise(make())
        write_wav(args.out / f"{name}.wav", samples)
        print(f"{name}.wav  {len(samples) / RATE:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
