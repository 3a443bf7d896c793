"""Where our objects stand, from the conditions their autoscaler writes, and how a
failed one is retried; pure, so these run on a fresh clone without a control plane."""

from __future__ import annotations

from typing import Any

import pytest

from provisioner.backends import CapacityBufferBackend, ProvisioningRequestBackend
from provisioner.plan_types import NewNode
from provisioner.policy import ProvisionerPolicy
from provisioner.retries import clean_up, hold_back, retry_delay
from provisioner.state import Failed
from warmstart.estimate import StartupEstimate
from warmstart.kube.timefmt import k8s_time

from .builders import template

NOW = 1_800_000_000.0
T = template("p4d.24xlarge", boot_s=90)


def obj(*conditions: tuple[str, str, float], replicas: int | None = None,
        age_s: float = 10.0) -> dict[str, Any]:
    status: dict[str, Any] = {"conditions": [
        {"type": k, "status": s, "lastTransitionTime": k8s_time(at), "reason": "R",
         "message": "m"} for k, s, at in conditions]}
    if replicas is not None:
        status["replicas"] = replicas
    return {"metadata": {"name": "ws-gpu-abc", "creationTimestamp": k8s_time(NOW - age_s)},
            "status": status}


@pytest.mark.parametrize(("conditions", "replicas", "state"), [
    ((), None, "in-flight"),
    ((("ReadyForProvisioning", "True", NOW - 10),), None, "in-flight"),
    ((("ReadyForProvisioning", "True", NOW - 10), ("Provisioning", "True", NOW - 10)), 1,
     "in-flight"),
    ((("ReadyForProvisioning", "True", NOW - 100), ("Provisioning", "True", NOW - 100)), 1,
     "fulfilled"),
    ((("ReadyForProvisioning", "True", NOW - 100), ("Provisioning", "True", NOW - 100)), 0,
     "in-flight"),
    ((("ReadyForProvisioning", "False", NOW - 5),), None, "failed"),
    ((("ReadyForProvisioning", "True", NOW - 5), ("Provisioning", "False", NOW - 5)), None,
     "failed"),
])
def test_buffer_phase(conditions: tuple[tuple[str, str, float], ...], replicas: int | None,
                      state: str) -> None:
    assert CapacityBufferBackend().phase(obj(*conditions, replicas=replicas), NOW, T).state \
        == state


def test_a_buffer_no_autoscaler_answers_fails_after_the_timeout() -> None:
    backend = CapacityBufferBackend(accept_timeout_s=300)
    assert backend.phase(obj(age_s=299), NOW, T).state == "in-flight"
    failed = backend.phase(obj(age_s=301), NOW, T)
    assert failed.state == "failed" and "no autoscaler answered" in failed.reason


@pytest.mark.parametrize(("conditions", "state"), [
    ((("Accepted", "True", NOW),), "in-flight"),
    ((("Accepted", "True", NOW), ("Provisioned", "True", NOW)), "fulfilled"),
    ((("Accepted", "True", NOW), ("Provisioned", "False", NOW)), "in-flight"),
    ((("Accepted", "False", NOW),), "failed"),
    ((("Accepted", "True", NOW), ("Failed", "True", NOW)), "failed"),
    ((("Provisioned", "True", NOW), ("BookingExpired", "True", NOW)), "failed"),
    ((("Provisioned", "True", NOW), ("CapacityRevoked", "True", NOW)), "failed"),
])
def test_provisioning_request_phase(conditions: tuple[tuple[str, str, float], ...],
                                    state: str) -> None:
    assert ProvisioningRequestBackend().phase(obj(*conditions), NOW, T).state == state


def _node(name: str) -> NewNode:
    return NewNode(name, T, "pending", ("u1",), ("ns/p1",), {},
                   StartupEstimate(90.0, 0.0, 0.0, 0.0, 0.0, "none"), "why")


def _failed(name: str, base: str, attempt: int, since: float) -> Failed:
    return Failed(name, base, "gpu", attempt, since, "Failed: quota", "ns")


def test_backoff_doubles_up_to_its_cap() -> None:
    policy = ProvisionerPolicy.model_validate({"retryBaseSeconds": 30, "retryMaxSeconds": 100})
    assert [retry_delay(a, policy) for a in range(4)] == [30, 60, 100, 100]


def test_a_failed_request_holds_its_name_until_the_backoff_passes() -> None:
    policy = ProvisionerPolicy.model_validate({"retryBaseSeconds": 30})
    failed = (_failed("ws-a-r1", "ws-a", 1, NOW - 59),)
    kept, decisions, waiting = hold_back([_node("ws-a")], failed, policy, NOW)
    assert kept == [] and waiting == {"ws-a"} and "retry 2 in 1 s" in decisions[0].reason
    assert clean_up(failed, waiting, set()) == []  # kept: it holds the attempt count
    kept, decisions, waiting = hold_back([_node("ws-a")], failed, policy, NOW + 1)
    assert [(n.name, n.attempt) for n in kept] == [("ws-a-r2", 2)] and decisions == []
    [release] = clean_up(failed, waiting, set())
    assert (release.name, release.namespace) == ("ws-a-r1", "ns")


def test_a_failed_request_nobody_wants_is_removed_at_once() -> None:
    failed = (_failed("ws-gone", "ws-gone", 0, NOW),)
    _, _, waiting = hold_back([], failed, ProvisionerPolicy(), NOW)
    assert [r.name for r in clean_up(failed, waiting, set())] == ["ws-gone"]
