"""Safety over HTTP: only the Lease holder acts, API errors back off, Events land."""

from __future__ import annotations

from typing import Any

from provisioner.service import build, informers
from warmstart.kube.leader import LeaderRunner
from warmstart.kube.lease import LeaderElector
from warmstart.kube.resources import EVENTS, NODECLAIMS

from .builders import pod_json
from .conftest import Harness


def claims(h: Harness) -> list[dict[str, Any]]:
    return h.mock.objects(NODECLAIMS)


def test_the_pods_concerned_get_an_event(harness: Harness):
    harness.seed_pods(pod_json("llm-0", 1))
    plan = harness.step(harness.controller(harness.settings("karpenter")))
    [event] = [e for e in harness.mock.objects(EVENTS) if e["involvedObject"]["name"] == "llm-0"]
    assert event["reason"] == "WarmstartProvisioning"
    assert event["involvedObject"]["uid"] == "uid-llm-0"
    assert event["message"].startswith(f"karpenter {plan.creates[0].name} (created): 1 pending")


def test_only_the_lease_holder_acts(harness: Harness):
    harness.seed_pods(pod_json("llm-0", 1))
    settings = harness.settings("karpenter")
    runners = []
    for identity in ("replica-a", "replica-b"):
        elector = LeaderElector(harness.client, namespace="warmstart-system",
                                name=settings.lease_name, identity=identity)
        runner = LeaderRunner(elector, harness.clock)
        runner.tick()
        runners.append(runner)
    leader, follower = runners
    assert (leader.is_leader, follower.is_leader) == (True, False)
    follower_ctl = build(harness.client, settings, harness.clock, log=harness.log,
                         is_leader=lambda: follower.is_leader,
                         sources=informers(harness.client, settings, harness.clock, optional=False))
    harness.step(follower_ctl)
    assert claims(harness) == []
    leader_ctl = build(harness.client, settings, harness.clock, log=harness.log,
                       is_leader=lambda: leader.is_leader,
                       sources=informers(harness.client, settings, harness.clock, optional=False))
    harness.step(leader_ctl)
    assert len(claims(harness)) == 1


def test_an_api_error_is_recorded_and_backed_off(harness: Harness):
    harness.seed_pods(pod_json("llm-0", 1))
    ctl = harness.controller(harness.settings("karpenter"))
    harness.mock.fail_next(403, method="POST", path_contains="/nodeclaims")
    harness.step(ctl)
    assert claims(harness) == []
    [failed] = [d for d in harness.log.recent() if d.kind == "failed"]
    assert "backing off 1 s" in failed.reason
    harness.clock.advance(0.5)
    harness.step(ctl)  # still inside the 1 s backoff: nothing written
    assert claims(harness) == []
    harness.clock.advance(1.0)
    harness.step(ctl)
    assert len(claims(harness)) == 1


def test_state_older_than_the_bound_is_not_acted_on(harness: Harness):
    harness.seed_pods(pod_json("llm-0", 1))
    ctl = harness.controller(harness.settings("karpenter"))
    for informer in ctl.informers.required():
        informer.relist()
    harness.clock.advance(31)  # the stores were last current 31 s ago; the bound is 30 s
    plan = ctl.step(force=True)
    assert plan is not None and plan.empty and plan.decisions[0].kind == "stale"
    assert claims(harness) == []
