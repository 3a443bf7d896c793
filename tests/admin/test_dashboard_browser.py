"""The dashboard in headless Chromium over a live simulation: the page loads
with no console errors, every chart has data, and a screenshot is kept
under .cache/artifacts/ (ignored by git)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as DriverService

from tests.admin.chromium import BROWSER, DRIVER, FLAGS, ensure_chromium
from tests.admin.conftest import ADMIN

ARTIFACTS = Path(__file__).resolve().parents[2] / ".cache" / "artifacts"
CHARTS = ("waterfall", "series", "warmth", "frontier", "decisions")


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    ensure_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=DriverService(DRIVER))
    yield driver
    driver.quit()


def _loaded(driver: webdriver.Chrome, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if driver.execute_script("return document.body.dataset.loaded"):
            return
        time.sleep(0.2)
    raise AssertionError("the dashboard never finished a refresh")


def test_dashboard_draws_every_chart_without_console_errors(
        browser: webdriver.Chrome, base_url: str) -> None:
    browser.get(f"{base_url}/dashboard/#token={ADMIN}")
    _loaded(browser)
    points = {c: browser.execute_script(
        f"return document.querySelector('[data-chart={c}]').dataset.points") for c in CHARTS}
    assert all(int(points[c] or 0) > 0 for c in CHARTS), points
    bars = browser.execute_script(
        "return document.querySelectorAll('#waterfall rect[data-stage]').length")
    assert bars >= 10  # estimated and measured, five stages each, for a model or more
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_dashboard_without_a_token_asks_for_one(
        browser: webdriver.Chrome, base_url: str) -> None:
    browser.get(f"{base_url}/dashboard/")
    time.sleep(0.5)
    assert browser.execute_script("return document.getElementById('login').hidden") is False
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
