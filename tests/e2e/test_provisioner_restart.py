"""A provisioner killed mid-plan and restarted creates no duplicates, for every backend,
on the real API server (names are deterministic, writes create-or-get)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from provisioner.observe import snapshot
from provisioner.planner import plan
from tests.e2e.provisioner_world import no_leftovers, pending_pod, world
from warmstart.kube import KubeClient
from warmstart.kube.resources import (
    CAPACITYBUFFERS,
    NODECLAIMS,
    PODS,
    PROVISIONINGREQUESTS,
    Resource,
)

__all__ = ["no_leftovers"]  # autouse: this module's cluster-scoped objects are deleted

PRIMARY: dict[str, Resource] = {"karpenter": NODECLAIMS, "capacity-buffer": CAPACITYBUFFERS,
                                "provisioning-request": PROVISIONINGREQUESTS, "placeholder": PODS}
KWOK = {"group": "karpenter.kwok.sh", "kind": "KWOKNodeClass", "name": "default"}


@pytest.mark.parametrize("backend", list(PRIMARY))
def test_killed_mid_plan_and_restarted_creates_no_duplicates(kube: KubeClient, namespace: str,
                                                             backend: str) -> None:
    w = world(kube, namespace, backend, node_class=KWOK)
    for i in range(12):
        kube.create(PODS, pending_pod(f"llm-{i}", namespace, w.pool))
    first = w.controller()
    for informer in first.informers.all():
        informer.relist()
    state = snapshot(first.sources(), first.backend, w.clock.now(),
                     first.informers.observed_at(), {})
    full = plan(state, None, w.settings.policy, w.clock.now())
    assert len(full.creates) == 3  # 12 one-GPU pods on 4-GPU L40S nodes
    # the process dies after writing 1 of the plan's 3 nodes
    first.actuator.act(replace(full, creates=full.creates[:1]), w.clock.now())
    assert len(w.ours(PRIMARY[backend])) == 1

    restarted = w.step(w.controller())
    assert len(restarted.creates) == 2  # the one written is capacity already asked for
    names = sorted(o["metadata"]["name"] for o in w.ours(PRIMARY[backend]))
    assert names == sorted(c.name for c in full.creates)
    # a replica whose informers lag replays the whole first plan: every name is taken
    result = w.controller().actuator.act(full, w.clock.now())
    assert (result.created, len(result.existed)) == ([], 3)
    assert len(w.ours(PRIMARY[backend])) == 3
    assert w.step(w.controller()).creates == ()
    w.remove_placeholders()

