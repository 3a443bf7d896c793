"""Placeholder pods under the real PriorityClass: bound by the real kube-scheduler onto
the node the autoscaler added, and preempted by a real GPU pod. The test plays the
kubelet: it force-deletes pods the scheduler marked for deletion (a placeholder's
grace period is 0, so the API server already removes it at once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.objects import bound_node, wait_for
from tests.e2e.provisioner_world import INSTANCE_TYPE, TAINT, pending_pod, world
from tests.e2e.scheduler import Scheduler
from warmstart.domain import DemandForecast, ModelDemand
from warmstart.kube import KubeClient, NotFound
from warmstart.kube.resources import EVENTS, PODS, PRIORITYCLASSES


def _kubelet_deletes(kube: KubeClient, namespace: str) -> list[str]:
    """Force-delete every pod with a deletionTimestamp, as kubelet would once it stopped it."""
    gone = []
    for pod in kube.list(PODS, namespace).items:
        if pod["metadata"].get("deletionTimestamp"):
            kube.request("DELETE", PODS.path(namespace, pod["metadata"]["name"]),
                         params={"gracePeriodSeconds": "0"})
            gone.append(pod["metadata"]["name"])
    return gone


def test_a_real_pod_preempts_the_placeholder(
        kube: KubeClient, namespace: str, gpu_nodes: Callable[..., dict[str, Any]],
        scheduler: Callable[..., Scheduler]) -> None:
    w = world(kube, namespace, "placeholder")
    forecast = DemandForecast(issued_at=w.clock.now(), horizon_s=600, models=(
        ModelDemand(model="hf://e2e/llama", pool=w.pool, quantile=0.9, requests_per_s=1.0,
                    replicas=1, gpus=4),))
    plan = w.step(w.controller(forecast=forecast))
    [headroom] = plan.creates
    # the pool's cheapest template per GPU: one 4-GPU L40S node
    assert headroom.purpose == "headroom" and headroom.template.gpus == 4
    pclass = kube.get(PRIORITYCLASSES, "warmstart-placeholder")
    assert (pclass["value"], pclass["preemptionPolicy"]) == (-10, "Never")
    [placeholder] = w.ours(PODS)
    assert placeholder["spec"]["priority"] == -10  # admission resolved the class

    # the autoscaler adds the node the placeholder asked for; the scheduler binds it there
    labels = dict(headroom.template.labels)
    gpu_nodes(f"{namespace}-node", gpus=4, labels=labels,
              taints=[{"key": TAINT, "value": w.pool, "effect": "NoSchedule"}])
    scheduler(None)
    name = placeholder["metadata"]["name"]
    assert wait_for(lambda: bound_node(kube, name, namespace), "the placeholder to bind") \
        == f"{namespace}-node"
    assert labels[INSTANCE_TYPE] == "g6e.12xlarge"

    # a real GPU pod (priority 0) needs the room: the scheduler preempts the placeholder
    kube.create(PODS, pending_pod("llm-0", namespace, w.pool, gpus=4,
                                  scheduler="default-scheduler"))
    deleted: list[str] = []

    def real_pod_bound() -> str | None:
        deleted.extend(_kubelet_deletes(kube, namespace))
        return bound_node(kube, "llm-0", namespace)

    assert wait_for(real_pod_bound, "the real pod to bind", timeout_s=30) == \
        f"{namespace}-node"
    # the scheduler preempted it (its Event says so); with grace period 0 the API server
    # removed it at once, else the kubelet stand-in above force-deleted it
    with pytest.raises(NotFound):
        kube.get(PODS, name, namespace)
    preempted = [e for e in kube.list(EVENTS, namespace).items
                 if e.get("reason") == "Preempted" and e["involvedObject"]["name"] == name]
    assert preempted, f"no Preempted event for {name} (force-deleted: {deleted})"
