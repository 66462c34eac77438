"""The guest page in headless Chromium at a phone's size (390 x 844 CSS pixels).

Set BOOTH_SCREENSHOTS=1 to write the screenshot to docs/guest-page.png (the
README's picture); otherwise it goes to the test's temporary folder.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from booth.config import ShareConfig
from booth.share.server import ShareServer
from booth.store import Photo, PhotoStore
from tests.conftest import REPO, free_port

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PHONE = {"width": 390, "height": 844, "pixelRatio": 2}
# One of the project's own scenes: a landscape photo like the booth's, and ours to publish.
SAMPLE = REPO / "scenes" / "sunset-beach.jpg"


def sample_jpeg() -> bytes:
    """JPEG bytes of a 1920 x 1080 landscape image."""
    return SAMPLE.read_bytes()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ShareServer, Photo]]:
    store = PhotoStore(tmp_path / "photos")
    photo = store.save(sample_jpeg(), scene="Sunset Beach", segmenter="mediapipe")
    share = ShareConfig(host="127.0.0.1", port=free_port(), event_name="Anna & Ben's Wedding")
    server = ShareServer(store, share)
    server.start()
    yield server, photo
    server.stop()
    store.close()


@pytest.fixture
def driver(tmp_path: Path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(f"needs {CHROMIUM} and {CHROMEDRIVER} (Debian: chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update",
                 "--disable-sync", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'chrome'}",
                 f"--window-size={PHONE['width']},{PHONE['height']}"):
        options.add_argument(flag)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(30)
    browser.set_script_timeout(30)
    yield browser
    browser.quit()


def fetch(driver, url: str) -> tuple[bytes, str]:
    """Fetch ``url`` inside the page; (body bytes, Content-Disposition)."""
    result = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0]).then(async (r) => {
          const bytes = new Uint8Array(await r.arrayBuffer());
          let text = "";
          for (let i = 0; i < bytes.length; i += 8192) {
            text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
          }
          done([btoa(text), r.headers.get("content-disposition")]);
        }).catch((e) => done(["", String(e)]));""", url)
    return base64.b64decode(result[0]), result[1]


def test_guest_page_in_a_phone_browser(served: tuple[ShareServer, Photo], driver,
                                       tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    server, photo = served
    driver.get(server.url_for(photo.id))
    image = driver.find_element(By.CSS_SELECTOR, ".photo img")
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return arguments[0].complete", image))
    assert driver.execute_script("return arguments[0].naturalWidth", image) > 0

    download = driver.find_element(By.ID, "download")
    body, disposition = fetch(driver, download.get_attribute("href"))
    assert body == photo.file.read_bytes()
    assert disposition.startswith('attachment; filename="Anna-Ben-s-Wedding-')

    # Made for the phone: no sideways scrolling, photo and Download visible at once.
    assert driver.execute_script("return document.documentElement.scrollWidth") <= PHONE["width"]
    bottom = driver.execute_script("return arguments[0].getBoundingClientRect().bottom", download)
    assert bottom <= PHONE["height"]
    if not driver.execute_script("return Boolean(navigator.share && navigator.canShare)"):
        assert not driver.find_element(By.ID, "share").is_displayed()
    blocked = [e["message"] for e in driver.get_log("browser")
               if "Content Security Policy" in e["message"]]
    assert blocked == []

    shot = tmp_path / "guest-page.png"
    assert driver.save_screenshot(str(shot))
    if os.environ.get("BOOTH_SCREENSHOTS") == "1":
        (REPO / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, REPO / "docs" / "guest-page.png")
