"""The warmth planner inside the provisioner on the real API server, on the
provisioner's own ServiceAccount token bound to the chart's rendered RBAC: a
planning step with a forecast for a catalogued model creates a Prefetch on a
booted node of the pool, with the planner's reason in the decisions log; with
the pool's WarmthPolicy in shadow mode the same step records the order and
creates nothing. The forecast comes from a file's worth of DemandForecast, or
is refitted from history in a real Prometheus (vLLM's request counter, labelled
by the served model name a Model answers to). A pool's minWarmNodes becomes
capacity through each backend. (The whole loop, to a pod bound on the staged
node: tests/e2e/test_loop_closed.py.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from provisioner.controller import Controller, ForecastSource
from provisioner.model_catalog import SERVED_NAMES
from provisioner.naming import REASON
from provisioner.prefetch import prefetch_name
from tests.e2e.controlplane import delete_quietly
from tests.e2e.objects import wait_for, write_nodecache
from tests.e2e.provisioner_world import INSTANCE_TYPE, TAINT, World, no_leftovers, world
from tests.e2e.test_provisioner_rbac import KWOK, NAMESPACE, PRIMARY, own_client
from tests.forecaster.prometheus_server import exposition, family, running_prometheus
from warmstart.admin.policy import WarmthPolicySpec
from warmstart.admin.policy_store import WARMTHPOLICIES, to_object
from warmstart.cli.provisioner_admin import PolicyFollower
from warmstart.cli.provisioner_forecast import PrometheusForecast
from warmstart.cli.provisioner_warmth import attach_warmth
from warmstart.clock import ManualClock
from warmstart.domain import DemandForecast
from warmstart.domain.forecast import ModelDemand
from warmstart.kube import KubeClient
from warmstart.kube.resources import MODELS, PODS, PREFETCHES

__all__ = ["no_leftovers", "own_client"]
URI = "https://models.e2e.invalid/qwen-7b.safetensors"
SERVED = "Qwen/Qwen2.5-7B-Instruct"  # the name vLLM serves it under
NODE = "warmth-gpu-0"


def provisioner(w: World, client: KubeClient,
                forecast: ForecastSource | DemandForecast | None = None,
                ) -> tuple[Controller, PolicyFollower]:
    """`provisioner run` as the CLI composes it, on `client`: its forecast, the pools'
    WarmthPolicies followed, the warmth step attached; returned once it has seen
    this test's policy. Every informer lists once first: a first list may come
    from the API server's watch cache, which can lag just-written objects, and the
    lists of each step after it are consistent reads."""
    source = forecast if callable(forecast) else (lambda: forecast)
    ctl = w.controller(client)
    ctl.forecast = source
    follower = PolicyFollower(client, ctl, w.settings, w.clock)
    attach_warmth(ctl, client, w.settings, w.log, lambda: follower.good)
    for informer in ctl.informers.all():
        informer.relist()

    def seen() -> bool:
        follower.informer.relist()
        return w.pool in follower.good

    wait_for(seen, "the provisioner to see the pool's WarmthPolicy")
    return ctl, follower


def _forecast(pool: str) -> DemandForecast:
    # P(a request within the step and lead time) ~0.2: staged, not resident
    return DemandForecast(issued_at=0, horizon_s=600, models=(
        ModelDemand(model=URI, pool=pool, quantile=0.9, requests_per_s=0.0005,
                    replicas=1, gpus=1),))


def _catalogued(kube: KubeClient, namespace: str, served: str | None = None) -> None:
    meta: dict[str, Any] = {"name": namespace}
    if served is not None:
        meta["annotations"] = {SERVED_NAMES: served}
    kube.create(MODELS, {"apiVersion": MODELS.api_version, "kind": "Model",
                         "metadata": meta, "spec": {"uri": URI, "bytes": 15 * 10**9}})


def _busy_node(kube: KubeClient, gpu_nodes: Callable[..., dict[str, Any]],
               namespace: str) -> None:
    """A booted node of the pool whose agent reports, with one replica running on it."""
    gpu_nodes(NODE, gpus=4, labels={INSTANCE_TYPE: "g6e.12xlarge"},
              taints=[{"key": TAINT, "value": namespace, "effect": "NoSchedule"}])
    write_nodecache(kube, NODE, [])
    kube.create(PODS, {"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": "serving-0", "namespace": namespace},
                       "spec": {"nodeName": NODE, "tolerations": [{"operator": "Exists"}],
                                "containers": [{"name": "c", "image": "pause", "resources": {
                                    "limits": {"nvidia.com/gpu": "1"}}}]}})


def test_a_step_stages_a_forecast_model_and_a_shadow_policy_stages_nothing(
        own_client: KubeClient, kube: KubeClient, namespace: str,
        gpu_nodes: Callable[..., dict[str, Any]]) -> None:
    _busy_node(kube, gpu_nodes, namespace)
    _catalogued(kube, namespace)
    w = world(kube, namespace, "karpenter", node_class=KWOK)
    w.settings = w.settings.model_copy(update={"namespace": NAMESPACE})
    pool, name = w.pool, prefetch_name(NODE, URI)
    # host memory starts in ~20 s on this pool's nodes: a 30 s SLO makes it the tier
    policy = WarmthPolicySpec(cold_start_value=2.0, slo_seconds=30)
    kube.create(WARMTHPOLICIES, to_object(pool, policy))
    try:
        ctl, follower = provisioner(w, own_client, _forecast(pool))
        w.step(ctl)
        made = kube.get(PREFETCHES, name)
        assert made["spec"] == {"nodeName": NODE, "uri": URI, "bytes": 15 * 10**9}
        assert "host-memory on " + NODE in made["metadata"]["annotations"][REASON]
        staged = [d for d in w.log.recent() if d.kind == "stage"]
        assert [(d.subject, d.outcome, d.pool) for d in staged] == [(name, "created", pool)]
        w.step(ctl)  # re-issued: found, not created again
        assert w.log.recent()[-1].outcome == "existed"

        kube.delete(PREFETCHES, name)
        kube.patch(WARMTHPOLICIES, pool, {"spec": {"shadow": True}})
        follower.informer.relist()
        w.step(ctl)
        assert [d.outcome for d in w.log.recent() if d.kind == "stage"][-1] == \
            "skipped (shadow)"
        assert [p["metadata"]["name"] for p in kube.list(PREFETCHES).items
                if p["spec"]["nodeName"] == NODE] == []
    finally:
        delete_quietly(kube, WARMTHPOLICIES, pool)
        delete_quietly(kube, PREFETCHES, name)


START, SPAN_S, SCRAPE_S = 1_700_000_040, 2 * 3_600, 15


def test_a_forecast_refitted_from_prometheus_stages_the_model(
        own_client: KubeClient, kube: KubeClient, namespace: str, tmp_path: Path,
        gpu_nodes: Callable[..., dict[str, Any]]) -> None:
    """History in a real Prometheus -> EWMA forecast -> warmth plan -> Prefetch, the
    series named by the served model (vLLM's `--served-model-name`), which the
    Model lists in its served-names annotation."""
    _busy_node(kube, gpu_nodes, namespace)
    _catalogued(kube, namespace, served=SERVED)
    samples = [({"model_name": SERVED, "pod": "qwen-0"}, float(t), 5.0 + 0.0005 * (t - START))
               for t in range(START, START + SPAN_S + 1, SCRAPE_S)]
    w = world(kube, namespace, "karpenter", node_class=KWOK)
    w.settings = w.settings.model_copy(update={"namespace": NAMESPACE})
    name = prefetch_name(NODE, URI)
    kube.create(WARMTHPOLICIES,
                to_object(w.pool, WarmthPolicySpec(cold_start_value=2.0, slo_seconds=30)))
    try:
        with running_prometheus(tmp_path, exposition([
                family("vllm:request_success_total", samples, "counter")])) as url:
            forecast = PrometheusForecast(url, "vllm", ManualClock(START + SPAN_S + 30),
                                          step_s=60, history_s=SPAN_S)
            ctl, _ = provisioner(w, own_client, forecast)
            w.step(ctl)
        assert forecast.latest is not None
        assert [m.model for m in forecast.latest.models] == [SERVED]
        assert kube.get(PREFETCHES, name)["spec"]["nodeName"] == NODE
        assert [d.outcome for d in w.log.recent() if d.kind == "stage"] == ["created"]
    finally:
        delete_quietly(kube, WARMTHPOLICIES, w.pool)
        delete_quietly(kube, PREFETCHES, name)


@pytest.mark.parametrize("backend", sorted(PRIMARY))
def test_a_pools_min_warm_nodes_become_capacity_through_its_backend(
        backend: str, own_client: KubeClient, kube: KubeClient, namespace: str) -> None:
    """No forecast at all: the pool's WarmthPolicy alone keeps two idle nodes, asked
    for once; a step later they are on their way and nothing more is asked."""
    extra = {"node_class": KWOK} if backend == "karpenter" else {}
    w = world(kube, namespace, backend, **extra)
    w.settings = w.settings.model_copy(update={"namespace": NAMESPACE})
    kube.create(WARMTHPOLICIES, to_object(w.pool, WarmthPolicySpec(min_warm_nodes=2)))
    try:
        ctl, _ = provisioner(w, own_client)
        made = w.step(ctl).creates
        assert [(n.template.pool, n.purpose) for n in made] == [(w.pool, "headroom")] * 2
        assert "2 warm node(s) short (WarmthPolicy minWarmNodes 2; 0 idle" in made[0].reason
        assert sorted(o["metadata"]["name"] for o in w.ours(PRIMARY[backend])) == sorted(
            n.name for n in made)
        assert w.step(ctl).creates == ()
    finally:
        delete_quietly(kube, WARMTHPOLICIES, w.pool)
