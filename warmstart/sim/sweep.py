"""Frontiers, not points: every policy run over the values of the knob that
trades its GPU-hours for cold starts, on one trace, cluster and seed.

A `Knob` names the setting, its values, the one the policy publishes as its
default, and how to make the policy at a value. The baselines' knobs are here;
`warmstart`'s, which needs the forecaster and the planner, is added by the
composition root (`warmstart/cli/sim_policies.py`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from warmstart.sim.catalog import ModelSpec, build_catalog
from warmstart.sim.config import ClusterSpec
from warmstart.sim.demand import StepDemand, step_demand
from warmstart.sim.engine import Simulation
from warmstart.sim.hybrid import hybrid_histogram
from warmstart.sim.policies import KEEPALIVE_S, REACTIVE_IDLE_S, Policy, always_warm, keepalive
from warmstart.sim.policies import reactive as reactive_policy
from warmstart.sim.report import context, policy_report

Value = float | str
FRONTIER_KEYS = ("gpu_hours", "cost_usd", "cold_start_fraction", "ttfi_p99_s",
                 "spell_wait_p99_s", "total_wait_s")


@dataclass(frozen=True)
class Knob:
    name: str
    values: tuple[Value, ...]
    default: Value  # the policy's published setting, marked on its curve
    make: Callable[[Value], Policy]


# ATC'20's rule is (head 5th, tail 99th percentile, 10% margins); looser tails
# and wider margins buy warmth, tighter ones save GPU-hours.
HYBRID_SHAPES: tuple[tuple[float, float, float], ...] = (
    (0.10, 0.75, 0.0), (0.05, 0.90, 0.05), (0.05, 0.95, 0.10), (0.05, 0.99, 0.10),
    (0.01, 0.999, 0.25), (0.0, 0.999, 0.5))
KEEPALIVE_VALUES: tuple[Value, ...] = (120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0)


def hybrid_label(shape: tuple[float, float, float]) -> str:
    head, tail, margin = shape
    return f"p{100 * head:g}/p{100 * tail:g}/+{100 * margin:g}%"


def _hybrid(value: Value) -> Policy:
    shapes = {hybrid_label(s): s for s in HYBRID_SHAPES}
    return hybrid_histogram(*shapes[str(value)])


def baseline_knobs() -> dict[str, Knob]:
    """Reactive and always-warm have nothing to turn: one point each."""
    return {
        "reactive": Knob("idle_s", (REACTIVE_IDLE_S,), REACTIVE_IDLE_S,
                         lambda _: reactive_policy()),
        "always-warm": Knob("min_replicas", (1.0,), 1.0, lambda _: always_warm()),
        "keepalive": Knob("idle_s", KEEPALIVE_VALUES, KEEPALIVE_S,
                          lambda v: keepalive(float(v))),
        "hybrid-histogram": Knob("percentiles_margin",
                                 tuple(hybrid_label(s) for s in HYBRID_SHAPES),
                                 hybrid_label((0.05, 0.99, 0.10)), _hybrid),
    }


def frontier_point(knob: Knob, value: Value, metrics: dict[str, Any]) -> dict[str, Any]:
    return {"knob": knob.name, "value": value, "published_default": value == knob.default,
            **{k: metrics[k] for k in FRONTIER_KEYS},
            "spell_wait_p50_s": metrics["spell_wait_p50_s"],
            "spell_wait_p95_s": metrics["spell_wait_p95_s"],
            "estimate_error_p50_pct": metrics["estimate_error_p50_pct"],
            "estimate_error_p90_pct": metrics["estimate_error_p90_pct"]}


@dataclass
class SweepResult:
    demand: StepDemand
    models: list[ModelSpec]
    frontiers: dict[str, dict[str, Any]]
    seconds: dict[str, list[float]]  # wall time per point, not part of the JSON

    def report(self, cluster: ClusterSpec, trace: pd.DataFrame, seed: int) -> dict[str, Any]:
        return {"policies": self.frontiers,
                **context(self.demand, self.models, cluster, trace, seed)}


def sweep(frame: pd.DataFrame, cluster: ClusterSpec, knobs: Mapping[str, Knob],
          names: Sequence[str], seed: int = 0,
          on_point: Callable[[str, Value, float], None] | None = None) -> SweepResult:
    """Run `names` over their knobs; the trace and catalog are prepared once."""
    demand = step_demand(frame, cluster.autoscaler.step_s)
    models = build_catalog(demand.names, cluster, seed)
    frontiers: dict[str, dict[str, Any]] = {}
    seconds: dict[str, list[float]] = {}
    for name in names:
        knob = knobs[name]
        points = []
        for value in knob.values:
            started = time.perf_counter()
            metrics = Simulation(demand, models, cluster, knob.make(value), seed).run()
            points.append(frontier_point(knob, value, policy_report(metrics)))
            seconds.setdefault(name, []).append(time.perf_counter() - started)
            if on_point is not None:
                on_point(name, value, seconds[name][-1])
        frontiers[name] = {"knob": knob.name, "published_default": knob.default,
                           "points": points}
    return SweepResult(demand, models, frontiers, seconds)
