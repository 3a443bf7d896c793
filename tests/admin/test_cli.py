"""`warmstart admin serve` as a process: it prints its URL with a fresh token,
serves a live simulation, and stops on Ctrl-C; bad arguments are one line and exit 2."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import httpx

CLI = [sys.executable, "-m", "warmstart.cli.main", "admin", "serve"]


def test_serve_a_simulation_until_interrupted() -> None:
    proc = subprocess.Popen([*CLI, "--simulate", "sample", "--hours", "6", "--speed", "0",
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+)/dashboard/#token=(\S+)", line)
        assert found, line
        url, token = found.groups()
        deadline = time.monotonic() + 60
        while httpx.get(f"{url}/readyz").status_code != 200:
            assert time.monotonic() < deadline, "never ready"
            time.sleep(0.2)
        assert httpx.get(f"{url}/v1/nodes").status_code == 401
        nodes = httpx.get(f"{url}/v1/nodes", headers={"Authorization": f"Bearer {token}"})
        assert nodes.status_code == 200 and nodes.json()
        assert httpx.get(f"{url}/dashboard/").headers["content-type"].startswith("text/html")
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err


def test_bad_arguments_are_one_line_and_exit_2() -> None:
    for argv in (["--simulate", "no-such-trace", "--port", "0"], ["--port", "70000"]):
        done = subprocess.run([*CLI, *argv], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("warmstart admin: error:"), lines
