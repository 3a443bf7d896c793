"""A real Prometheus for tests: installed if missing, filled by promtool, on loopback.

Nothing is skipped: if the Debian package cannot be installed or the server
does not become ready, the test fails with the tool's own output.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

READY_TIMEOUT_S = 30.0
CONFIG = "global:\n  scrape_interval: 1h\nscrape_configs: []\n"
"""No targets, no remote write, no alerting: the server reaches nothing."""


def ensure_installed() -> None:
    if shutil.which("prometheus") and shutil.which("promtool"):
        return
    commands = (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "prometheus"],
    )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}  # CI has no terminal to ask
    for command in commands:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=600, check=False, env=env
        )
        if done.returncode != 0:
            pytest.fail(f"cannot install Prometheus: {' '.join(command)}\n{done.stderr[-2000:]}")
    if not shutil.which("prometheus"):
        pytest.fail("apt-get installed 'prometheus' but the binary is not on PATH")


Sample = tuple[dict[str, str], float, float]
"""(labels, epoch seconds, value)."""


def family(metric: str, samples: Iterable[Sample], kind: str = "gauge") -> list[str]:
    """OpenMetrics lines of one metric family, named as its exporter names it.

    A counter's samples end in `_total` (its family name does not); counters
    that exporters publish without the suffix (Triton, TGI) are typed unknown.
    """
    name = metric.removesuffix("_total") if kind == "counter" else metric
    if kind == "counter" and name == metric:
        kind = "unknown"
    lines = [f"# TYPE {name} {kind}"]
    for labels, ts, value in samples:
        tags = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        lines.append(f"{metric}{{{tags}}} {value!r} {ts:.3f}")
    return lines


def exposition(families: Iterable[list[str]]) -> str:
    """One OpenMetrics file of several families."""
    return "\n".join([*(line for lines in families for line in lines), "# EOF", ""])


def openmetrics(metric: str, samples: Iterable[Sample]) -> str:
    """OpenMetrics text of one gauge."""
    return exposition([family(metric, samples)])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


@contextmanager
def running_prometheus(workdir: Path, metrics_text: str) -> Iterator[str]:
    """Load `metrics_text` into a fresh TSDB, serve it, yield the base URL, stop it."""
    ensure_installed()
    data, source = workdir / "tsdb", workdir / "input.om"
    source.write_text(metrics_text)
    _run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)])
    config = workdir / "prometheus.yml"
    config.write_text(CONFIG)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (workdir / "prometheus.log").open("w")
    server = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            "--storage.tsdb.retention.time=100y",
            # Below the test grid's 5-min step, so a sample never fills the next step of a gap.
            "--query.lookback-delta=4m",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(url, server, workdir / "prometheus.log")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def _wait_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"prometheus exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/-/ready", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"prometheus not ready after {READY_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")
