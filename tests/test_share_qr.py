"""QR codes: shape, quiet zone, error correction, and OpenCV reads them back."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q

from booth.share.qr import _code, qr_image, wifi_payload

URLS = ["http://192.168.178.23:8080/p/Zk3_q9-LmN0pQr7s",
        "https://photos.example-wedding.party/booth/p/Zk3_q9-LmN0pQr7s"]


def decode(modules: np.ndarray, scale: int = 8) -> str:
    """What a scanner reads from the code drawn ``scale`` pixels per module."""
    big = cv2.resize(modules, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(big)
    return text


@pytest.mark.parametrize("url", URLS)
def test_url_round_trips_through_opencv(url: str) -> None:
    assert decode(qr_image(url)) == url


def test_image_is_square_two_level_with_quiet_zone() -> None:
    modules = qr_image(URLS[0])
    assert modules.dtype == np.uint8 and modules.ndim == 2
    assert modules.shape[0] == modules.shape[1]
    assert set(np.unique(modules)) == {0, 255}
    quiet = np.concatenate([modules[:4].ravel(), modules[-4:].ravel(),
                            modules[:, :4].ravel(), modules[:, -4:].ravel()])
    assert (quiet == 255).all()
    assert (modules[4:11, 4] == 0).all()  # finder pattern starts right after the quiet zone
    assert qr_image(URLS[0], border=2).shape[0] == modules.shape[0] - 4


@pytest.mark.parametrize("url", URLS)
def test_error_correction_is_m_or_q_and_code_stays_small(url: str) -> None:
    code = _code(url, 4)
    assert code.error_correction in (ERROR_CORRECT_M, ERROR_CORRECT_Q)
    # Few modules = big modules on screen = readable from a metre away.
    assert code.version <= 5


def test_survives_a_camera_like_blur() -> None:
    modules = qr_image(URLS[0])
    big = cv2.resize(modules, None, fx=6, fy=6, interpolation=cv2.INTER_NEAREST)
    soft = cv2.GaussianBlur(big, (0, 0), 1.5)
    small = cv2.resize(soft, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    assert cv2.QRCodeDetector().detectAndDecode(small)[0] == URLS[0]


def test_wifi_payload_escapes_special_characters() -> None:
    payload = wifi_payload('Café; "Guests", 2:4GHz\\', 'p@ss;w,o:r"d\\', "WPA")
    assert payload == ('WIFI:T:WPA;S:Café\\; \\"Guests\\"\\, 2\\:4GHz\\\\;'
                       'P:p@ss\\;w\\,o\\:r\\"d\\\\;;')


def test_wifi_payload_of_an_open_network_has_no_password() -> None:
    assert wifi_payload("Venue", "ignored", "nopass") == "WIFI:T:nopass;S:Venue;;"


def test_wifi_payload_round_trips_through_opencv() -> None:
    payload = wifi_payload('Anna & Ben; "Gäste"', 'se:cr,et;\\"', "WPA")
    assert decode(qr_image(payload)) == payload
