"""The comparison as data: one JSON object (stable keys, rounded figures, so
the same seed gives the same bytes) and a terminal table."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from warmstart.sim.metrics import STAGES, RunMetrics
from warmstart.sim.run import Comparison

QS = (0.5, 0.95, 0.99)


def _r(x: float) -> float:
    return round(float(x), 4)


def policy_report(metrics: RunMetrics) -> dict[str, Any]:
    requests = metrics.warm_requests + metrics.cold_requests + metrics.unserved_requests
    p50, p95, p99 = metrics.quantiles(QS, cold_only=False)
    c50, c95, c99 = metrics.quantiles(QS, cold_only=True)
    gpu_h = metrics.gpu_seconds / 3600
    busy_h = min(metrics.busy_gpu_s / 3600, gpu_h)
    return {
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


def report(result: Comparison, trace: pd.DataFrame, seed: int) -> dict[str, Any]:
    d = result.demand
    templates: dict[str, int] = {}
    for model in result.models:
        templates[model.template] = templates.get(model.template, 0) + 1
    return {
        "policies": {
            o.policy.name: {**policy_report(o.metrics), "policy": o.policy.describe()}
            for o in result.outcomes
        },
        "trace": {
            "name": str(trace.attrs.get("name", "")),
            "source": str(trace.attrs.get("source", "")),
            "license": str(trace.attrs.get("license", "")),
            "models": len(d.names),
            "requests": _r(d.total_requests),
            "start_s": _r(d.origin),
            "span_s": _r(d.steps * d.step_s),
            "resolution_s": _r(float(trace.attrs.get("resolution_s", 0.0))),
        },
        "cluster": {**result.cluster.model_dump(mode="json"), "model_templates": templates},
        "seed": seed,
    }


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2)


def table(data: dict[str, Any]) -> str:
    head = (f"{'policy':<17}{'p50':>8}{'p95':>8}{'p99':>8}{'cold p99':>10}{'cold %':>9}"
            f"{'GPU-h':>11}{'idle GPU-h':>12}{'$':>11}  "
            + " ".join(f"{s:>6}" for s in STAGES))
    lines = [head, "-" * len(head)]
    for name, p in data["policies"].items():
        stages = " ".join(f"{p['stage_mean_s'][s]:>6.1f}" for s in STAGES)
        lines.append(
            f"{name:<17}{p['ttfi_p50_s']:>8.1f}{p['ttfi_p95_s']:>8.1f}{p['ttfi_p99_s']:>8.1f}"
            f"{p['cold_ttfi_p99_s']:>10.1f}{100 * p['cold_start_fraction']:>9.3f}"
            f"{p['gpu_hours']:>11.1f}{p['idle_gpu_hours']:>12.1f}{p['cost_usd']:>11.0f}  {stages}"
        )
    t = data["trace"]
    modes = {n: p["policy"]["mode"] for n, p in data["policies"].items()
             if p["policy"]["mode"] != "baseline"}
    lines.append("TTFI in seconds (all requests; 'cold' = requests that waited for a replica); "
                 "stage columns: mean seconds per cold start.")
    lines.append(f"trace {t['name']}: {t['models']} models, {t['requests']:.0f} requests over "
                 f"{t['span_s'] / 86400:.2f} days" + "".join(f"; {n}: {m}"
                                                            for n, m in modes.items()))
    return "\n".join(lines)
