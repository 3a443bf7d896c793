"""The frontier plot's data: each policy family swept over its knob on the same
trace (keep-alive time; warmstart's cold-start value), as GPU-hours against
the share of requests that met a cold start. Computed once in the background;
the dashboard shows its state until it is done.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pandas as pd

from warmstart.admin.dashboard_schemas import FrontierPoint
from warmstart.admin.policy import WarmthPolicySpec
from warmstart.sim.config import ClusterSpec
from warmstart.sim.policies import Policy, keepalive
from warmstart.sim.report import policy_report
from warmstart.sim.run import simulate

log = logging.getLogger(__name__)
# (cluster, proposed policy or None for the default) -> the `warmstart` policy
PolicyMaker = Callable[[ClusterSpec, WarmthPolicySpec | None], Policy]
KEEPALIVE_S = (60.0, 300.0, 900.0, 3600.0)
COLD_VALUES = (0.02, 0.2, 2.0)


def sweep(cluster: ClusterSpec, make: PolicyMaker) -> list[tuple[str, Policy]]:
    runs = [(f"keep-alive {s:g} s", keepalive(s)) for s in KEEPALIVE_S]
    runs += [(f"cold-start value ${v:g}", make(cluster, WarmthPolicySpec(cold_start_value=v)))
             for v in COLD_VALUES]
    return runs


class Frontier:
    def __init__(self, frame: pd.DataFrame, cluster: ClusterSpec, make: PolicyMaker) -> None:
        self.frame, self.cluster, self.make = frame, cluster, make
        self.points: list[FrontierPoint] = []
        self.state = "pending"
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, daemon=True, name="frontier")
        self._thread.start()

    def close(self, timeout_s: float = 60.0) -> None:
        """Stop after the run in progress (native code must not be cut off at exit)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def run(self) -> None:
        self.state = "running"
        try:
            for knob, policy in sweep(self.cluster, self.make):
                if self._stop.is_set():
                    self.state = "stopped"
                    return
                metrics = simulate(self.frame, self.cluster, [policy]).outcomes[0].metrics
                r = policy_report(metrics)
                with self._lock:
                    self.points.append(FrontierPoint(
                        policy=policy.name, knob=knob, gpu_hours=r["gpu_hours"],
                        cold_fraction=r["cold_start_fraction"], ttfi_p99_s=r["ttfi_p99_s"]))
        except Exception as exc:  # shown on the dashboard; the API keeps serving
            log.exception("frontier sweep failed")
            self.state = f"failed: {type(exc).__name__}: {exc}"
            return
        self.state = "done"

    def __call__(self) -> tuple[str, list[FrontierPoint]]:
        with self._lock:
            return self.state, list(self.points)
