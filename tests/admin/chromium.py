"""Headless Chromium for the dashboard test: the Debian packages `chromium` and
`chromium-driver`, installed here if missing (CI runs as root), driven by
Selenium. Never a downloaded browser."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

BROWSER, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--window-size=1400,1800")


def ensure_chromium() -> None:
    """Install the packages if absent; skip (with the reason) where that is impossible."""
    if os.path.exists(BROWSER) and os.path.exists(DRIVER):
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("Chromium missing: apt-get install -y chromium chromium-driver (as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update"],
                 ["apt-get", "install", "-y", "--no-install-recommends", "chromium",
                  "chromium-driver"]):
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(argv)} failed: {done.stderr.strip()[-500:]}")
