"""The baselines and warmstart, as the knobs the simulated autoscaler reads.

A policy says, per model: the replicas to keep at all times, how long to keep
replicas after the last request (`keepalive_s`), and whether to unload at once
and pre-warm `prewarm_s` after the last request. It also picks the placer.
Windows follow ATC'20 ("Serverless in the Wild"): after the last request at L,
with no pre-warm, replicas stay until L + keepalive; with a pre-warm, they go
after the autoscaler's grace, one comes back at L + prewarm and stays until
L + prewarm + keepalive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from warmstart.sim.advisor import CapacityAdvisor
from warmstart.sim.catalog import ModelSpec
from warmstart.sim.placement import Placer, ScoringPlacer, least_allocated, random_feasible

# Knative's stable window: with no requests for 60 s a revision scales to zero.
REACTIVE_IDLE_S = 60.0
# Knative-like keep-alive baseline (the default): 10 minutes.
KEEPALIVE_S = 600.0


@dataclass
class Policy:
    name: str
    placer: Placer
    idle_s: float = REACTIVE_IDLE_S
    min_replicas_each: int = 0
    advisor: CapacityAdvisor | None = None
    advisor_interval_s: float = 300.0
    history_s: float = 86_400.0
    min_replicas: np.ndarray = field(default_factory=lambda: np.zeros(0, "int64"))
    keepalive_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    prewarm_s: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def bind(self, models: list[ModelSpec]) -> None:
        n = len(models)
        self.min_replicas = np.full(n, self.min_replicas_each, dtype="int64")
        self.keepalive_s = np.full(n, self.idle_s)
        self.prewarm_s = np.zeros(n)

    def observe_idle(self, models: np.ndarray, idle_s: np.ndarray) -> None:
        """Idle times seen this step (request start minus previous request)."""

    def windows(self, models: np.ndarray, idle_s: np.ndarray,
                grace_s: float) -> tuple[np.ndarray, np.ndarray]:
        """(pre-warm, keep-alive) seconds of `models`, idle for `idle_s` now;
        the autoscaler unloads nothing idle for less than `grace_s`."""
        return self.prewarm_s[models], self.keepalive_s[models]

    @property
    def mode(self) -> str:
        if self.name in PLACEMENT_ONLY:
            return "placement only"
        if self.name != "warmstart":
            return "baseline"
        return "placement + capacity advisor" if self.advisor else "placement only"

    def describe(self) -> dict[str, object]:
        placement = ("warmstart score_node" if isinstance(self.placer, ScoringPlacer)
                     else "random feasible" if self.placer is random_feasible
                     else "least-allocated")
        return {"placement": placement, "idle_s": self.idle_s,
                "min_replicas": self.min_replicas_each, "mode": self.mode}


def reactive() -> Policy:
    return Policy("reactive", least_allocated)


def always_warm() -> Policy:
    return Policy("always-warm", least_allocated, idle_s=KEEPALIVE_S, min_replicas_each=1)


def keepalive(idle_s: float = KEEPALIVE_S) -> Policy:
    return Policy("keepalive", least_allocated, idle_s=idle_s)


def warmstart(image_bytes: Mapping[str, int], advisor: CapacityAdvisor | None = None,
              idle_s: float = REACTIVE_IDLE_S, advisor_interval_s: float = 300.0) -> Policy:
    """Replicas placed by the extender's scorer; capacity steered by `advisor` if given.

    The idle window is reactive's, so without an advisor the difference from
    `reactive` is placement alone.
    """
    return Policy("warmstart", ScoringPlacer(image_bytes), idle_s=idle_s, advisor=advisor,
                  advisor_interval_s=advisor_interval_s)


# Placement alone, everything else reactive's: for comparing placers.
PLACEMENT_ONLY = ("random-placement", "score-placement")


def random_placement() -> Policy:
    return Policy("random-placement", random_feasible)


def score_placement(image_bytes: Mapping[str, int]) -> Policy:
    return Policy("score-placement", ScoringPlacer(image_bytes))
