"""The real kube-scheduler, run with the project's own `deploy/scheduler` configuration.

Only what a test machine needs is changed: the kubeconfig (kube-scheduler
ignores `--kubeconfig` when `--config` is given, so it goes into
`clientConnection`), no leader election, the extender's URL pointed at a local
one (or the extender removed), and optionally higher client QPS for
throughput runs.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.binaries import REPO
from tests.e2e.controlplane import ControlPlane, LoggedProcess
from tests.e2e.pki import kubeconfig

CONFIG = REPO / "deploy" / "scheduler" / "scheduler-config.yaml"


def scheduler_config(plane_kubeconfig: Path, extender_url: str | None, *,
                     qps: int | None = None, overrides: dict[str, Any] | None = None,
                     ) -> dict[str, Any]:
    """deploy/scheduler's configuration, adapted for a test machine."""
    config: dict[str, Any] = copy.deepcopy(yaml.safe_load(CONFIG.read_text()))
    connection = config.setdefault("clientConnection", {})
    connection["kubeconfig"] = str(plane_kubeconfig)
    if qps is not None:
        connection.update(qps=qps, burst=2 * qps)
    config["leaderElection"] = {"leaderElect": False}
    if extender_url is None:
        config.pop("extenders", None)
    else:
        for extender in config.get("extenders") or []:
            extender["urlPrefix"] = extender_url.rstrip("/")
            if extender_url.startswith("http://"):  # a local extender without TLS
                extender.pop("enableHTTPS", None)
                extender.pop("tlsConfig", None)
    config.update(overrides or {})
    return config


class Scheduler(LoggedProcess):
    """A running kube-scheduler."""


def start_scheduler(plane: ControlPlane, extender_url: str | None, *, name: str = "scheduler",
                    qps: int | None = None, overrides: dict[str, Any] | None = None,
                    verbosity: int = 2) -> Scheduler:
    """Start kube-scheduler; it schedules as soon as its informers have synced (~1 s)."""
    folder = plane.workdir / name
    folder.mkdir(exist_ok=True)
    config_kube = kubeconfig(folder / "kubeconfig", plane.url, plane.pki.ca,
                             cert=plane.pki.scheduler)
    config = scheduler_config(config_kube, extender_url, qps=qps, overrides=overrides)
    config_path = folder / "config.yaml"
    config_path.write_text(yaml.safe_dump(config))
    child = plane.spawn(name, [
        str(plane.binaries.scheduler), f"--config={config_path}", "--secure-port=0",
        f"--v={verbosity}"])
    return Scheduler(child.proc, child.log)
