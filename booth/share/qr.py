"""QR codes for the review screen: the photo's link and the guests' Wi-Fi.

Floor 2: text in, a numpy array out; the screen scales it.
"""

from __future__ import annotations

import numpy as np
import qrcode
from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.exceptions import DataOverflowError

_WIFI_SPECIAL = '\\;,:"'


def _code(text: str, border: int) -> qrcode.QRCode:
    """The smallest code for ``text`` at level M, upgraded to Q when that costs no modules.

    A phone a metre from a screen is limited by module size, so the version
    (module count) must stay as small as M allows; a clean, flat screen rarely
    needs more than M's 15% recovery, but glare spots are common, so Q (25%) is
    taken whenever it fits in the same version.
    """
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    code.add_data(text)
    code.make(fit=True)
    stronger = qrcode.QRCode(version=code.version, error_correction=ERROR_CORRECT_Q,
                             border=border)
    stronger.add_data(text)
    try:
        stronger.make(fit=False)
    except DataOverflowError:
        return code
    return stronger


def qr_image(text: str, *, border: int = 4) -> np.ndarray:
    """QR code of ``text``: HxW uint8, one pixel per module, dark=0, light=255.

    ``border`` is the quiet zone in modules (4 is what the standard asks for and
    what phone scanners rely on).  Scale up with nearest-neighbour only.
    """
    matrix = np.array(_code(text, border).get_matrix(), dtype=bool)
    return np.where(matrix, 0, 255).astype(np.uint8)


def _escape(value: str) -> str:
    """Backslash-escape the characters that delimit fields in a Wi-Fi QR payload."""
    return "".join("\\" + ch if ch in _WIFI_SPECIAL else ch for ch in value)


def wifi_payload(ssid: str, password: str, security: str) -> str:
    """Text of a "join this Wi-Fi" QR code: ``WIFI:T:WPA;S:<ssid>;P:<password>;;``.

    ``security`` is "WPA", "WEP" or "nopass"; an open network carries no password.
    """
    fields = [f"T:{security}", f"S:{_escape(ssid)}"]
    if security != "nopass":
        fields.append(f"P:{_escape(password)}")
    return "WIFI:" + ";".join(fields) + ";;"
