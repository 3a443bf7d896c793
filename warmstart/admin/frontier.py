"""The frontier plot's data: the simulator's sweep (`warmstart.sim.sweep`) of
each policy over the knob that trades GPU-hours for cold starts, on the served
trace, run once in the background; the dashboard shows its state until done.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from warmstart.admin.dashboard_schemas import FrontierPoint
from warmstart.sim.config import ClusterSpec
from warmstart.sim.sweep import Knob, Value, sweep

log = logging.getLogger(__name__)
NAMES = ("keepalive", "warmstart")  # the baseline operators tune, and ours


class Stopped(Exception):
    pass


def points(frontiers: Mapping[str, dict[str, Any]]) -> list[FrontierPoint]:
    return [FrontierPoint(policy=name, knob=f"{f['knob']}={p['value']}",
                          gpu_hours=p["gpu_hours"], cold_fraction=p["cold_start_fraction"],
                          ttfi_p99_s=p["ttfi_p99_s"], published_default=p["published_default"])
            for name, f in frontiers.items() for p in f["points"]]


class Frontier:
    def __init__(self, frame: pd.DataFrame, cluster: ClusterSpec, knobs: Mapping[str, Knob],
                 names: Sequence[str] = NAMES) -> None:
        self.frame, self.cluster, self.knobs, self.names = frame, cluster, knobs, names
        self.points: list[FrontierPoint] = []
        self.state = "pending"
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

    def _point_done(self, name: str, value: Value, seconds: float) -> None:
        if self._stop.is_set():
            raise Stopped
        self.state = f"running: {name} {value} done"

    def run(self) -> None:
        self.state = "running"
        try:
            result = sweep(self.frame, self.cluster, self.knobs, self.names,
                           on_point=self._point_done)
        except Stopped:
            self.state = "stopped"
            return
        except Exception as exc:  # shown on the dashboard; the API keeps serving
            log.exception("frontier sweep failed")
            self.state = f"failed: {type(exc).__name__}: {exc}"
            return
        self.points = points(result.frontiers)
        self.state = "done"

    def __call__(self) -> tuple[str, list[FrontierPoint]]:
        return self.state, list(self.points)
