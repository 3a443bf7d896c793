"""What the provisioner reads from real pods: a malformed one is skipped with an Event
and a counter while the others are served, and the Model catalog fills in sizes."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from provisioner.observe import snapshot
from tests.e2e.provisioner_world import no_leftovers, pending_pod, world
from warmstart.kube import KubeClient
from warmstart.kube.resources import EVENTS, MODELS, NODECLAIMS, PODS

__all__ = ["no_leftovers"]  # autouse: this module's cluster-scoped objects are deleted

KWOK = {"group": "karpenter.kwok.sh", "kind": "KWOKNodeClass", "name": "default"}


def _errors(registry: CollectorRegistry, kind: str) -> float:
    value = registry.get_sample_value("warmstart_provisioner_pod_errors_total", {"kind": kind})
    return value or 0.0


def test_a_pod_with_a_nan_size_is_skipped_and_the_rest_are_served(kube: KubeClient,
                                                                  namespace: str) -> None:
    w = world(kube, namespace, "karpenter", node_class=KWOK)
    for name, size in (("nan", "NaN"), ("inf", "Infinity"), ("ok", "16Gi")):
        kube.create(PODS, pending_pod(name, namespace, w.pool, annotations={
            "warmstart.io/model": "hf://e2e/llama", "warmstart.io/model-bytes": size}))
    ctl = w.controller()
    plan = w.step(ctl)
    assert [c.pod_refs for c in plan.creates] == [(f"{namespace}/ok",)]
    assert len(w.ours(NODECLAIMS)) == 1
    bad = {e.pod_ref: e.reason for e in plan.pod_errors if e.kind == "unreadable"}
    assert set(bad) == {f"{namespace}/nan", f"{namespace}/inf"}
    assert 'annotations["warmstart.io/model-bytes"]' in bad[f"{namespace}/nan"]
    events = [e for e in kube.list(EVENTS, namespace).items
              if e.get("reason") == "WarmstartCannotProvision"]
    assert sorted(e["involvedObject"]["name"] for e in events) == ["inf", "nan"]
    assert {e["type"] for e in events} == {"Warning"}
    assert _errors(w.metrics.registry, "unreadable") == 2
    # the loop goes on; the same pods are not reported again at every plan
    w.step(ctl)
    assert _errors(w.metrics.registry, "unreadable") == 2


def test_the_model_catalog_gives_estimates_their_sizes(kube: KubeClient, namespace: str) -> None:
    uri, size = f"hf://e2e/{namespace}/llama-70b", 140 * 10**9
    kube.apply(MODELS, {"apiVersion": MODELS.api_version, "kind": "Model",
                        "metadata": {"name": namespace}, "spec": {"uri": uri, "bytes": size}},
               "e2e")
    w = world(kube, namespace, "karpenter", node_class=KWOK)
    kube.create(PODS, pending_pod("llm-0", namespace, w.pool,
                                  annotations={"warmstart.io/model": uri}))
    ctl = w.controller()
    w.step(ctl)
    state = snapshot(ctl.sources(), ctl.backend, w.clock.now(), ctl.informers.observed_at(), {})
    [pod] = [p for p in state.pending if p.namespace == namespace]
    assert pod.demand.model is not None and pod.demand.model.bytes == size
