"""One call from a trace and a cluster to per-policy results: the simulator's
library entry point (the CLI and the demo call this)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from warmstart.sim.catalog import ModelSpec, build_catalog, image_sizes
from warmstart.sim.config import ClusterSpec
from warmstart.sim.demand import StepDemand, step_demand
from warmstart.sim.engine import Simulation
from warmstart.sim.hybrid import hybrid_histogram
from warmstart.sim.metrics import RunMetrics
from warmstart.sim.policies import (
    Policy,
    always_warm,
    keepalive,
    random_placement,
    reactive,
    score_placement,
    warmstart,
)

POLICY_NAMES = ("reactive", "always-warm", "keepalive", "hybrid-histogram", "warmstart")


class PolicyError(ValueError):
    pass


def make_policy(name: str, cluster: ClusterSpec) -> Policy:
    makers: dict[str, Callable[[], Policy]] = {
        "reactive": reactive,
        "always-warm": always_warm,
        "keepalive": keepalive,
        "hybrid-histogram": hybrid_histogram,
        "warmstart": lambda: warmstart(image_sizes(cluster)),
        "random-placement": random_placement,
        "score-placement": lambda: score_placement(image_sizes(cluster)),
    }
    if name not in makers:
        raise PolicyError(f"policies: unknown policy {name!r}; choose from "
                          f"{', '.join(makers)}")
    return makers[name]()


@dataclass
class Outcome:
    policy: Policy
    metrics: RunMetrics


@dataclass
class Comparison:
    demand: StepDemand
    models: list[ModelSpec]
    cluster: ClusterSpec
    outcomes: list[Outcome]


def simulate(frame: pd.DataFrame, cluster: ClusterSpec, policies: Sequence[Policy],
             seed: int = 0, progress: bool = False) -> Comparison:
    """Replay `frame` (canonical trace) under each policy on the same cluster."""
    demand = step_demand(frame, cluster.autoscaler.step_s)
    models = build_catalog(demand.names, cluster, seed)
    outcomes = []
    for policy in policies:
        sim = Simulation(demand, models, cluster, policy, seed)
        outcomes.append(Outcome(policy, sim.run(progress)))
    return Comparison(demand, models, cluster, outcomes)
