"""The extender as a user runs it: `warmstart extender serve --kubeconfig`, in its
own process against the real API server, for the e2e tests and the scheduler
benchmark. Ready when `/readyz` answers 200 (every informer has listed)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.e2e.binaries import REPO
from tests.e2e.controlplane import ControlPlane, LoggedProcess, free_port


@dataclass
class ExtenderProcess(LoggedProcess):
    url: str = ""

    def post(self, verb: str, body: dict[str, Any]) -> Any:
        reply = httpx.post(f"{self.url}/{verb}", content=orjson.dumps(body), timeout=10)
        reply.raise_for_status()
        return reply.json()

    def metrics(self) -> str:
        return httpx.get(f"{self.url}/metrics", timeout=10).text


def start_extender(kubeconfig: Path, workdir: Path, *, name: str = "extender",
                   extra: tuple[str, ...] = (), ready_timeout_s: float = 60.0,
                   source: Path | None = None) -> ExtenderProcess:
    """Start the extender on a free loopback port; returns once it is ready.
    `source`: a folder whose `extender` package is imported instead of ours."""
    port = free_port()
    log = workdir / f"{name}.log"
    argv = [sys.executable, "-m", "warmstart.cli.main", "extender", "serve",
            "--kubeconfig", str(kubeconfig), "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "info", *extra]
    with log.open("wb") as out:
        # `python -m` puts the working folder first on the path: run in `source`.
        env = {**os.environ, "PYTHONPATH": str(source)} if source else None
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, cwd=source)
    extender = ExtenderProcess(proc, log, url=f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + ready_timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the extender exited ({proc.returncode}): {extender.logs()}")
        try:
            if httpx.get(f"{extender.url}/readyz", timeout=1).status_code == 200:
                return extender
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    extender.kill()
    raise TimeoutError(f"the extender not ready after {ready_timeout_s} s: {extender.logs()}")


# The manifests as the chart renders them (deploy/kustomize, `make manifests`).
BASE = REPO / "deploy" / "kustomize" / "base"
RBAC = BASE / "extender" / "rbac.yaml"
NAMESPACE, SERVICE_ACCOUNT = "warmstart-system", "warmstart-extender"


def extender_kubeconfig(plane: ControlPlane, folder: Path) -> Path:
    """The extender's RBAC (as the chart renders it) applied, and a kubeconfig with a
    real token of its ServiceAccount: the extender runs with exactly the rights it
    ships with."""
    plane.apply_yaml(BASE / "namespace.yaml")
    plane.apply_yaml(RBAC)
    token = plane.token(NAMESPACE, SERVICE_ACCOUNT)
    return plane.kubeconfig_for_token(token, folder / "extender.kubeconfig")
