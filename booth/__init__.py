"""booth: a fullscreen photobooth that changes the background behind guests live."""

__version__ = "0.1.0"
