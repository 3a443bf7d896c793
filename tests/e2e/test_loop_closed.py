"""The whole anticipation loop on the real API server, each part as it ships:
vLLM's request counter in a real Prometheus, labelled by the served model name
-> `provisioner run`'s refitted forecast, which reaches the Model through its
served-names annotation -> the warmth planner keeps a warm node for the model
-> a NodeClaim (on the provisioner's own token) -> the test plays Karpenter and
kubelet: the node joins -> its agent (in process) reports -> the next step
stages the model there as a Prefetch -> the agent downloads it from a local
HTTP server and reports it in its NodeCache -> the real kube-scheduler, with
the extender in its own process, binds the model's pod to that node among
GPU nodes that are alike but for the staged copy.

The model is a small file, so the object store is scaled with it: the pools
(provisioner templates and extender alike) declare an object-store bandwidth
at which the file takes as long as a 14 GB model at 150 MB/s. The Model
declares the file's true size, so the agent's checks are the shipped ones.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from provisioner.controller import Controller
from provisioner.model_catalog import SERVED_NAMES
from provisioner.prefetch import prefetch_name
from provisioner.settings import ProvisionerSettings
from tests.agent.fileserver import Served, serving
from tests.e2e.agent_in_process import agent_on
from tests.e2e.controlplane import ControlPlane, delete_quietly
from tests.e2e.extender_process import ExtenderProcess, extender_kubeconfig, start_extender
from tests.e2e.objects import bound_node, gpu_pod, wait_for, write_nodecache
from tests.e2e.provisioner_world import (
    INSTANCE_TYPE,
    TAINT,
    World,
    no_leftovers,
    templates,
)
from tests.e2e.scheduler import Scheduler
from tests.e2e.test_provisioner_rbac import KWOK, NAMESPACE, own_client
from tests.e2e.test_provisioner_warmth import provisioner
from tests.forecaster.prometheus_server import exposition, family, running_prometheus
from warmstart.admin.policy import WarmthPolicySpec
from warmstart.admin.policy_store import WARMTHPOLICIES, to_object
from warmstart.cli.provisioner_forecast import PrometheusForecast
from warmstart.clock import ManualClock
from warmstart.kube import KubeClient
from warmstart.kube.resources import MODELS, NODECACHES, NODECLAIMS, PODS, PREFETCHES

__all__ = ["no_leftovers", "own_client"]
SERVED = "qwen-tiny"  # vLLM's --served-model-name: what its metrics are labelled with
PAYLOAD = bytes(range(256)) * (4 * 4096)  # 4 MiB of weights
BANDWIDTH = len(PAYLOAD) * 150e6 / 14e9  # as 14 GB at 150 MB/s
IMAGE, IMAGE_BYTES = "vllm/vllm-openai:v0.11.0", 10_760_000_000
LOOP = "e2e.warmstart.io/loop"  # the test's nodes, and only they, take its pod
START, SPAN_S, SCRAPE_S = 1_700_000_040, 2 * 3_600, 15
NodeMaker = Callable[..., dict[str, Any]]


def _world(kube: KubeClient, namespace: str) -> World:
    pool = [{**t, "bandwidths": {"objectStore": BANDWIDTH}}
            for t in templates(namespace, KWOK)]
    return World(kube, namespace, ProvisionerSettings.model_validate(
        {"backend": "karpenter", "namespace": NAMESPACE, "templates": pool}))


def _node(gpu_nodes: NodeMaker, name: str, namespace: str,
          pool_label: tuple[str, str]) -> None:
    gpu_nodes(name, gpus=4, images=[(IMAGE, IMAGE_BYTES)],
              labels={INSTANCE_TYPE: "g6e.12xlarge", LOOP: namespace, pool_label[0]: pool_label[1]},
              taints=[{"key": TAINT, "value": namespace, "effect": "NoSchedule"}])


def _history() -> str:
    samples = [({"model_name": SERVED, "pod": "qwen-0"}, float(t), 5.0 + 0.0005 * (t - START))
               for t in range(START, START + SPAN_S + 1, SCRAPE_S)]
    return exposition([family("vllm:request_success_total", samples, "counter")])


def _scores(extender: ExtenderProcess, pod: dict[str, Any], nodes: list[str],
            holder: str) -> dict[str, int]:
    """The extender's scores once its index holds the staged copy (its watch is
    asynchronous)."""
    def scores() -> dict[str, int] | None:
        rows = extender.post("explain", {"Pod": pod, "Nodes": None, "NodeNames": nodes})
        got = {row["node"]: row["score"] for row in rows}
        return got if got.get(holder, 0) > 0 else None

    found: dict[str, int] = wait_for(scores, "the extender to index the staged copy", 60.0)
    return found


def _model(kube: KubeClient, namespace: str, uri: str) -> None:
    """The catalog entry, answering to the served name its metrics carry."""
    kube.create(MODELS, {"apiVersion": MODELS.api_version, "kind": "Model",
                         "metadata": {"name": namespace,
                                      "annotations": {SERVED_NAMES: SERVED}},
                         "spec": {"uri": uri, "bytes": len(PAYLOAD)}})


def _stage(w: World, ctl: Controller, kube: KubeClient, gpu_nodes: NodeMaker,
           cache: Path) -> tuple[str, str]:
    """Two planning steps around the node joining; (the warm node, its Prefetch)."""
    w.step(ctl)  # no node of the pool is up: the warm node is asked for
    (claim,) = [c["metadata"]["name"] for c in w.ours(NODECLAIMS)]
    (asked,) = [d for d in w.log.recent() if d.kind == "create"]
    assert (asked.subject, asked.outcome) == (claim, "created")
    assert "1 warm node(s) short (warmth planner keeps 1 idle node(s)" in asked.reason
    node = f"{w.namespace}-warm-0"  # as Karpenter and kubelet would make it
    _node(gpu_nodes, node, w.namespace, ("karpenter.sh/nodepool", w.pool))
    kube.patch_status(NODECLAIMS, claim, {"status": {"nodeName": node}})
    with agent_on(kube, node, cache) as agent:
        agent.tick()  # its first report: up, nothing cached
        w.step(ctl)  # the warm node is up: the model is staged on it
        assert [c["metadata"]["name"] for c in w.ours(NODECLAIMS)] == [claim]
        (staged,) = [d for d in w.log.recent() if d.kind == "stage"]
        assert staged.outcome == "created" and f"-> host-memory on {node}" in staged.reason
        agent.tick()  # runs the Prefetch
        agent.tick()  # reports what it holds
    return node, staged.subject


def test_history_in_prometheus_ends_with_the_pod_on_the_staged_node(
        own_client: KubeClient, kube: KubeClient, namespace: str, tmp_path: Path,
        control_plane: ControlPlane, gpu_nodes: NodeMaker,
        scheduler: Callable[..., Scheduler]) -> None:
    w = _world(kube, namespace)
    static = f"{namespace}-static"  # a node group beside the pool, agents reporting
    decoys = [f"{static}-{i}" for i in range(2)]
    for name in decoys:
        _node(gpu_nodes, name, namespace, ("eks.amazonaws.com/nodegroup", static))
        write_nodecache(kube, name, [])
    kube.create(WARMTHPOLICIES,
                to_object(w.pool, WarmthPolicySpec(cold_start_value=2.0, slo_seconds=30)))
    prefetch = ""
    try:
        with serving(Served({"/models/qwen-tiny.bin": PAYLOAD})) as srv, \
                running_prometheus(tmp_path, _history()) as prometheus:
            uri = f"{srv.url}/models/qwen-tiny.bin"
            _model(kube, namespace, uri)
            ctl, _ = provisioner(w, own_client, PrometheusForecast(
                prometheus, "vllm", ManualClock(START + SPAN_S + 30), step_s=60,
                history_s=SPAN_S))
            node, prefetch = _stage(w, ctl, kube, gpu_nodes, tmp_path / "cache")
            assert prefetch == prefetch_name(node, uri)
        assert [r[1] for r in srv.requests if r[0] == "GET"] == ["/models/qwen-tiny.bin"]
        assert kube.get(PREFETCHES, prefetch)["status"]["phase"] == "Succeeded"
        assert kube.get(NODECACHES, node)["status"]["models"][0]["uri"] == uri

        config = tmp_path / "extender.yaml"
        config.write_text(yaml.safe_dump({"pools": [
            {"name": p, "bandwidths": {"objectStore": BANDWIDTH}} for p in (w.pool, static)]}))
        extender = start_extender(extender_kubeconfig(control_plane, tmp_path), tmp_path,
                                  extra=("--config", str(config)))
        try:
            pod = gpu_pod("qwen-0", namespace, image=IMAGE,
                          annotations={"warmstart.io/model": uri}, nodeSelector={LOOP: namespace},
                          tolerations=[{"key": TAINT, "operator": "Exists"}])
            scores = _scores(extender, pod, [node, *decoys], node)
            assert max(scores.get(d, 0) for d in decoys) < scores[node], scores
            scheduler(extender.url)
            kube.create(PODS, pod, namespace)
            assert wait_for(lambda: bound_node(kube, "qwen-0", namespace),
                            "the pod to bind", 60.0) == node
        finally:
            extender.stop()
    finally:
        delete_quietly(kube, WARMTHPOLICIES, w.pool)
        if prefetch:
            delete_quietly(kube, PREFETCHES, prefetch)
