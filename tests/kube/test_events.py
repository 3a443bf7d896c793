"""EventRecorder: Events in real core/v1 shape, repeats aggregated, bad input named."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kubemock import KubeMock
from warmstart.clock import ManualClock
from warmstart.kube import KubeClient
from warmstart.kube.events import EventRecorder
from warmstart.kube.resources import EVENTS, NODES, PODS

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@pytest.fixture
def pod(kube: KubeMock) -> dict[str, Any]:
    return kube.seed(PODS, {"apiVersion": "v1", "kind": "Pod",
                            "metadata": {"name": "llm-0", "namespace": "ml"}})


def test_event_names_the_pod_and_the_decision(client: KubeClient, kube: KubeMock, pod) -> None:
    rec = EventRecorder(client, "warmstart-extender", ManualClock(T0), host="ext-1")
    rec.record(pod, "ModelCached", "node gpu-3 holds llama-8b on NVMe: est. 41 s vs 212 s")
    [event] = kube.objects(EVENTS)
    assert event["metadata"]["namespace"] == "ml"
    assert event["involvedObject"] == {"apiVersion": "v1", "kind": "Pod", "name": "llm-0",
                                       "namespace": "ml", "uid": pod["metadata"]["uid"],
                                       "resourceVersion": pod["metadata"]["resourceVersion"]}
    assert (event["reason"], event["type"], event["count"]) == ("ModelCached", "Normal", 1)
    assert event["source"] == {"component": "warmstart-extender", "host": "ext-1"}
    assert event["firstTimestamp"] == event["lastTimestamp"] == "2026-01-01T00:00:00Z"


def test_a_repeated_decision_bumps_one_events_count(client, kube: KubeMock, pod) -> None:
    clock = ManualClock(T0)
    rec = EventRecorder(client, "warmstart-provisioner", clock)
    rec.record(pod, "CapacityRequested", "NodeClaim gpu-a1 for 1 pod", "Normal")
    clock.advance(60)
    rec.record(pod, "CapacityRequested", "NodeClaim gpu-a1 for 1 pod", "Normal")
    rec.record(pod, "CapacityCapped", "budget 4 GPUs reached", "Warning")
    events = {e["reason"]: e for e in kube.objects(EVENTS)}
    assert set(events) == {"CapacityRequested", "CapacityCapped"}
    assert events["CapacityRequested"]["count"] == 2
    assert events["CapacityRequested"]["firstTimestamp"] == "2026-01-01T00:00:00Z"
    assert events["CapacityRequested"]["lastTimestamp"] == "2026-01-01T00:01:00Z"
    assert events["CapacityCapped"]["type"] == "Warning"


def test_events_of_cluster_scoped_objects_go_to_default(client, kube: KubeMock) -> None:
    node = kube.seed(NODES, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "gpu-3"}})
    EventRecorder(client, "warmstart-agent", ManualClock(T0)).record(node, "CacheScanned", "ok")
    [event] = kube.objects(EVENTS)
    assert event["metadata"]["namespace"] == "default"
    assert "namespace" not in event["involvedObject"]


@pytest.mark.parametrize(("reason", "event_type", "field"), [
    ("Fine", "Info", "type"), ("", "Normal", "reason"),
])
def test_bad_input_names_the_field_and_writes_nothing(
        client, kube: KubeMock, pod, reason: str, event_type: str, field: str) -> None:
    rec = EventRecorder(client, "warmstart-provisioner", ManualClock(T0))
    with pytest.raises(ValueError, match=f"^{field}:"):
        rec.record(pod, reason, "message", event_type)
    assert kube.objects(EVENTS) == []
