"""The fixture itself: the real API server validates, authorises and schedules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.controlplane import ControlPlane
from tests.e2e.objects import bound_node, gpu_pod, wait_for
from tests.e2e.scheduler import Scheduler
from warmstart.kube import ClientError, KubeClient
from warmstart.kube.resources import NODECLAIMS, PODS


def test_upstream_schema_rejects_what_it_should(kube: KubeClient) -> None:
    with pytest.raises(ClientError) as refused:
        kube.create(NODECLAIMS, {"apiVersion": "karpenter.sh/v1", "kind": "NodeClaim",
                                 "metadata": {"name": "no-spec"}, "spec": {}})
    assert refused.value.status == 422


def test_a_token_carries_exactly_its_rbac(control_plane: ControlPlane, namespace: str) -> None:
    token = control_plane.token(namespace, "nobody")
    client = control_plane.client_for_token(token)
    with pytest.raises(ClientError) as refused:
        client.list(PODS, namespace)
    assert refused.value.status == 403
    client.close()


def test_scheduler_binds_a_gpu_pod_without_extender(
        kube: KubeClient, namespace: str, gpu_nodes: Callable[..., dict[str, Any]],
        scheduler: Callable[..., Scheduler]) -> None:
    gpu_nodes("fixture-gpu-0", gpus=2)
    scheduler(None)
    kube.create(PODS, gpu_pod("p", namespace))
    assert wait_for(lambda: bound_node(kube, "p", namespace), "the pod to bind") == "fixture-gpu-0"
