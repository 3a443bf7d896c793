"""The extender section of `warmstart demo`: the real extender app on
127.0.0.1 over the bundled example cluster, asked to filter and prioritize
pending pods exactly as kube-scheduler would ask it, with each ranking
explained stage by stage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TextIO

import httpx
import yaml

from extender import ExtenderSettings, NodeIndex, create_app
from extender.feed import load_objects
from extender.serving import serving
from warmstart.clock import SystemClock
from warmstart.domain.gpu import GPU_RESOURCE
from warmstart.examples import example_path
from warmstart.inventory import ClusterObjects, load_inventory
from warmstart.podspec import pod_demand
from warmstart.quantity import parse_quantity

STAGES = ("node", "image", "model", "cuda", "h2d")


def _tolerated(pod: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    return any(
        (t.get("operator") == "Exists" and t.get("key") in (None, taint.get("key")))
        or (t.get("key") == taint.get("key") and t.get("value") == taint.get("value"))
        for t in pod["spec"].get("tolerations") or ()
    )


def in_tree_candidates(pod: Mapping[str, Any], nodes: Sequence[Mapping[str, Any]]) -> list[str]:
    """What kube-scheduler's own filters would pass on: GPU resources and taints."""
    gpu = pod_demand(pod).gpu
    wanted = {GPU_RESOURCE: gpu.gpus, **gpu.mig}
    names = []
    for node in nodes:
        allocatable = node["status"].get("allocatable", {})
        fits = all(parse_quantity(allocatable.get(r, "0")) >= n for r, n in wanted.items() if n)
        taints = [
            t for t in node["spec"].get("taints") or () if t.get("effect") != "PreferNoSchedule"
        ]
        if fits and all(_tolerated(pod, t) for t in taints):
            names.append(node["metadata"]["name"])
    return names


def _describe(pod: Mapping[str, Any], index: NodeIndex, out: TextIO) -> None:
    demand = pod_demand(pod, index.catalog)
    meta = pod["metadata"]
    model = demand.model.uri if demand.model else "none named"
    size = f" ({demand.model.bytes / 1e9:.1f} GB)" if demand.model and demand.model.bytes else ""
    print(f"\nPod {meta.get('namespace', 'default')}/{meta['name']}", file=out)
    print(f"  model {model}{size}; GPUs {demand.gpu.gpus} {dict(demand.gpu.mig) or ''}", file=out)
    print(f"  images {', '.join(demand.images)}", file=out)


def _show_ranking(rows: list[dict[str, Any]], out: TextIO) -> None:
    head = "  rank node            score  ready in   " + "  ".join(f"{s:>6}" for s in STAGES)
    print(head + "   why", file=out)
    for i, row in enumerate(rows, 1):
        stages = "  ".join(f"{row['stages'][s]:6.1f}" for s in STAGES)
        print(
            f"  {i:>4} {row['node']:<15} {row['score']:>5}  {row['seconds']:7.1f} s  {stages}"
            f"   {'; '.join(row['reasons'])}",
            file=out,
        )


def _ask(
    client: httpx.Client, index: NodeIndex, pod: Mapping[str, Any], names: list[str], out: TextIO
) -> None:
    _describe(pod, index, out)
    args = {"Pod": pod, "Nodes": None, "NodeNames": names}
    kept = client.post("/filter", json=args).raise_for_status().json()
    print(
        f"  filter: {len(names)} candidates from kube-scheduler, {len(kept['NodeNames'])} kept",
        file=out,
    )
    for node, reason in kept["FailedNodes"].items():
        print(f"    {node} removed: {reason}", file=out)
    if len(kept["NodeNames"]) < 2:
        print("  prioritize: not called (kube-scheduler skips it for a single node)", file=out)
        return
    args["NodeNames"] = kept["NodeNames"]
    scores = client.post("/prioritize", json=args).raise_for_status().content
    print(f"  prioritize reply: {scores.decode()}", file=out)
    _show_ranking(client.post("/explain", json=args).raise_for_status().json(), out)


def extender_section(out: TextIO) -> int:
    print("== Scheduler extender: where would each pod start fastest? ==", file=out)
    clock = SystemClock()
    settings = ExtenderSettings(host="127.0.0.1", port=0)
    index = NodeIndex(settings, clock)
    cluster: ClusterObjects = load_inventory(example_path("cluster.yaml"))
    load_objects(index, cluster, clock)
    pods = [p for p in yaml.safe_load_all(example_path("pods.yaml").read_text()) if p]
    print(
        f"example cluster: {len(cluster.nodes)} nodes, {len(cluster.node_caches)} NodeCaches, "
        f"{len(cluster.models)} Models",
        file=out,
    )
    with serving(create_app(settings, index, clock)) as url, httpx.Client(base_url=url) as client:
        print(f"extender listening on {url}", file=out)
        for pod in pods:
            _ask(client, index, pod, in_tree_candidates(pod, cluster.nodes), out)
    print(
        "\nScore = round(10 x share of the cold start already done); 0 is left out of the reply.",
        file=out,
    )
    return 0
