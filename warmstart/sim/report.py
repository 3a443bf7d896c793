"""The comparison as data: one JSON object (stable keys, rounded figures, so
the same seed gives the same bytes) and a terminal table."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from warmstart.sim.catalog import ModelSpec
from warmstart.sim.config import ClusterSpec
from warmstart.sim.demand import StepDemand
from warmstart.sim.metrics import STAGES, RunMetrics
from warmstart.sim.run import Comparison

QS = (0.5, 0.95, 0.99)


def _r(x: float) -> float:
    return round(float(x), 4)


def _pct(values: list[float], qs: tuple[float, ...]) -> list[float]:
    return [_r(v) for v in np.quantile(values, qs)] if values else [0.0] * len(qs)


def policy_report(metrics: RunMetrics) -> dict[str, Any]:
    requests = metrics.warm_requests + metrics.cold_requests + metrics.unserved_requests
    p50, p95, p99 = metrics.quantiles(QS, cold_only=False)
    c50, c95, c99 = metrics.quantiles(QS, cold_only=True)
    s50, s95, s99 = _pct(metrics.spell_waits, QS)
    e50, e90 = _pct([100 * e for e in metrics.estimate_errors], (0.5, 0.9))
    gpu_h = metrics.gpu_seconds / 3600
    busy_h = min(metrics.busy_gpu_s / 3600, gpu_h)
    return {
        "spell_arrivals": len(metrics.spell_waits) + metrics.unserved_spells,
        "spell_wait_p50_s": s50, "spell_wait_p95_s": s95, "spell_wait_p99_s": s99,
        "spell_cold_fraction": _r(float(np.mean(np.asarray(metrics.spell_waits) > 0))
                                  if metrics.spell_waits else 0.0),
        "unserved_spells": metrics.unserved_spells,
        "total_wait_s": _r(metrics.total_wait_s),
        "estimate_error_p50_pct": e50, "estimate_error_p90_pct": e90,
        "start_mean_s": _r(metrics.start_seconds / max(metrics.replica_starts, 1)),
        "ttfi_p50_s": _r(p50), "ttfi_p95_s": _r(p95), "ttfi_p99_s": _r(p99),
        "cold_ttfi_p50_s": _r(c50), "cold_ttfi_p95_s": _r(c95), "cold_ttfi_p99_s": _r(c99),
        "cold_start_fraction": _r(metrics.cold_requests / requests if requests else 0.0),
        "requests": _r(requests),
        "cold_requests": _r(metrics.cold_requests),
        "unserved_requests": _r(metrics.unserved_requests),
        "cold_starts": len(metrics.cold_starts),
        "replica_starts": metrics.replica_starts,
        "nodes_created": metrics.nodes_created,
        "gpu_hours": _r(gpu_h),
        "idle_gpu_hours": _r(gpu_h - busy_h),
        "cost_usd": _r(metrics.cost_usd),
        "stage_mean_s": {s: _r(v) for s, v in metrics.stage_means().items()},
    }


def context(demand: StepDemand, models: list[ModelSpec], cluster: ClusterSpec,
            trace: pd.DataFrame, seed: int) -> dict[str, Any]:
    """The trace, cluster and seed a run replayed: what makes it reproducible."""
    templates: dict[str, int] = {}
    for model in models:
        templates[model.template] = templates.get(model.template, 0) + 1
    return {
        "trace": {
            "name": str(trace.attrs.get("name", "")),
            "source": str(trace.attrs.get("source", "")),
            "license": str(trace.attrs.get("license", "")),
            "models": len(demand.names),
            "requests": _r(demand.total_requests),
            "start_s": _r(demand.origin),
            "span_s": _r(demand.steps * demand.step_s),
            "resolution_s": _r(float(trace.attrs.get("resolution_s", 0.0))),
        },
        "cluster": {**cluster.model_dump(mode="json"), "model_templates": templates},
        "seed": seed,
    }


def report(result: Comparison, trace: pd.DataFrame, seed: int) -> dict[str, Any]:
    return {
        "policies": {
            o.policy.name: {**policy_report(o.metrics), "policy": o.policy.describe()}
            for o in result.outcomes
        },
        **context(result.demand, result.models, result.cluster, trace, seed),
    }


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2)


def table(data: dict[str, Any]) -> str:
    head = (f"{'policy':<17}{'spells':>7}{'wait p50':>9}{'p95':>7}{'p99':>7}{'total wait':>12}"
            f"{'cold %':>8}{'TTFI p99':>9}{'GPU-h':>10}{'$':>10}{'start':>7}{'est err':>10}  "
            + " ".join(f"{s:>6}" for s in STAGES))
    lines = [head, "-" * len(head)]
    for name, p in data["policies"].items():
        stages = " ".join(f"{p['stage_mean_s'][s]:>6.1f}" for s in STAGES)
        err = f"{p['estimate_error_p50_pct']:.0f}/{p['estimate_error_p90_pct']:.0f}%"
        lines.append(
            f"{name:<17}{p['spell_arrivals']:>7}{p['spell_wait_p50_s']:>9.1f}"
            f"{p['spell_wait_p95_s']:>7.1f}{p['spell_wait_p99_s']:>7.1f}"
            f"{p['total_wait_s']:>12.0f}{100 * p['cold_start_fraction']:>8.3f}"
            f"{p['ttfi_p99_s']:>9.1f}{p['gpu_hours']:>10.1f}{p['cost_usd']:>10.0f}"
            f"{p['start_mean_s']:>7.1f}{err:>10}  "
            f"{stages}")
    t = data["trace"]
    modes = {n: p["policy"]["mode"] for n, p in data["policies"].items()
             if p["policy"]["mode"] != "baseline"}
    lines.append("spells: idle-spell arrivals (a model's first request after >= 60 s without "
                 "one); wait p50/p95/p99 s: theirs; total wait: request-seconds all requests "
                 "waited; TTFI p99: over all requests; start: mean seconds per replica start; "
                 "est err: the estimate's absolute error on start time, median/p90; "
                 "stage columns: mean seconds per cold start.")
    lines.append(f"trace {t['name']}: {t['models']} models, {t['requests']:.0f} requests over "
                 f"{t['span_s'] / 86400:.2f} days; ground truth "
                 f"{'on' if data['cluster']['truth']['enabled'] else 'off'}"
                 + "".join(f"; {n}: {m}" for n, m in modes.items()))
    return "\n".join(lines)


def sweep_table(data: dict[str, Any]) -> str:
    """One row per frontier point; `*` marks each policy's published default."""
    head = (f"{'policy':<17}{'knob = value':<36}{'GPU-h':>10}{'$':>10}{'cold %':>8}"
            f"{'spell p99':>10}{'TTFI p99':>9}{'total wait':>12}{'est err':>10}")
    lines = [head, "-" * len(head)]
    for name, frontier in data["policies"].items():
        for p in sorted(frontier["points"], key=lambda p: p["gpu_hours"]):
            mark = "*" if p["published_default"] else " "
            err = f"{p['estimate_error_p50_pct']:.0f}/{p['estimate_error_p90_pct']:.0f}%"
            lines.append(
                f"{name:<17}{mark}{p['knob'] + ' = ' + str(p['value']):<35}"
                f"{p['gpu_hours']:>10.1f}{p['cost_usd']:>10.0f}"
                f"{100 * p['cold_start_fraction']:>8.3f}{p['spell_wait_p99_s']:>10.1f}"
                f"{p['ttfi_p99_s']:>9.1f}{p['total_wait_s']:>12.0f}{err:>10}")
    t = data["trace"]
    lines.append("* the policy's published default. spell p99: wait of idle-spell arrivals "
                 "(s); total wait: request-seconds; est err: the estimate's absolute error, "
                 "median/p90.")
    lines.append(f"trace {t['name']}: {t['models']} models, {t['requests']:.0f} requests over "
                 f"{t['span_s'] / 86400:.2f} days; seed {data['seed']}")
    return "\n".join(lines)
