"""The extender behind the real kube-scheduler (deploy/scheduler's configuration),
watching the real API server with its own ServiceAccount token and the chart's
extender RBAC: pods land on the node whose NodeCache holds their model, a stale NodeCache
is trusted less, and with the extender killed pods still bind (`ignorable`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.controlplane import ControlPlane, delete_quietly
from tests.e2e.extender_process import ExtenderProcess, extender_kubeconfig, start_extender
from tests.e2e.objects import bound_node, gpu_pod, wait_for, write_nodecache
from tests.e2e.scheduler import Scheduler
from warmstart.kube import KubeClient
from warmstart.kube.resources import MODELS, PODS

IMAGE = "vllm/vllm-openai:v0.11.0"
MODEL = "hf://e2e/llama-8b"
OTHER = "hf://e2e/qwen-7b"
GIB = 1 << 30
GPU = {"uuid": "GPU-0", "name": "NVIDIA H100 80GB HBM3", "memoryTotalBytes": 80 * GIB,
       "memoryFreeBytes": 79 * GIB}
MIG = "nvidia.com/mig-1g.5gb"
DECOYS = 5
WAIT_S = 60.0  # generous: a busy 2-core machine can stall the control plane for seconds

NodeMaker = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def token_kubeconfig(control_plane: ControlPlane, tmp_path_factory: pytest.TempPathFactory
                     ) -> Path:
    return extender_kubeconfig(control_plane, tmp_path_factory.mktemp("extender"))


@pytest.fixture(scope="module")
def extender(token_kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[ExtenderProcess]:
    proc = start_extender(token_kubeconfig, tmp_path_factory.mktemp("extender-run"))
    yield proc
    proc.stop()


def _cache(kube: KubeClient, node: str, models: list[tuple[str, str]],
           observed_at: float | None = None) -> None:
    """The agent's NodeCache: eight idle H100s and `models` as (uri, tier)."""
    held = [{"uri": uri, "tier": tier, "bytes": 16 * 10**9} for uri, tier in models]
    gpus = [{**GPU, "uuid": f"GPU-{i}"} for i in range(8)]
    write_nodecache(kube, node, held, observed_at=observed_at, gpus=gpus,
                    bandwidths={"localDisk": 3.2e9, "hostToDevice": 2.4e10})


def _cluster(kube: KubeClient, gpu_nodes: NodeMaker, prefix: str,
             holders: dict[str, float | None], **node: Any) -> list[str]:
    """Decoy nodes (one without a NodeCache, the rest caching another model) and
    the `holders` of MODEL on local disk (value: observedAt, None for now). Every
    node has the pod's image, so only the NodeCache tells them apart."""
    names = [f"{prefix}-decoy-{i}" for i in range(DECOYS)] + list(holders)
    for name in names:
        gpu_nodes(name, images=[(IMAGE, 10_760_000_000)], **node)
    for name in names[1:DECOYS]:
        _cache(kube, name, [(OTHER, "local-disk")])
    for name, observed_at in holders.items():
        _cache(kube, name, [(MODEL, "local-disk")], observed_at)
    return names


def _scores(extender: ExtenderProcess, pod: dict[str, Any], names: list[str],
            ready: Callable[[dict[str, int]], bool]) -> dict[str, int]:
    """Wait until the extender's index shows the cluster as `ready` says (the watch
    is asynchronous), through /explain; the scores it gives each node."""
    def scores() -> dict[str, int] | None:
        rows = extender.post("explain", {"Pod": pod, "Nodes": None, "NodeNames": names})
        got = {row["node"]: row["score"] for row in rows}
        return got if ready(got) else None

    found: dict[str, int] = wait_for(scores, "the extender to index the NodeCaches", WAIT_S)
    return found


def _bind_all(kube: KubeClient, pods: list[dict[str, Any]], namespace: str) -> list[str]:
    names = [str(pod["metadata"]["name"]) for pod in pods]
    for pod in pods:
        kube.create(PODS, pod, namespace)
    return [wait_for(partial(bound_node, kube, name, namespace), f"pod {name} to bind", WAIT_S)
            for name in names]


def _annotated(name: str, namespace: str) -> dict[str, Any]:
    return gpu_pod(name, namespace, image=IMAGE,
                   annotations={"warmstart.io/model": MODEL, "warmstart.io/model-bytes": "16G"})


def _kserve(name: str, namespace: str) -> dict[str, Any]:
    init = {"name": "storage-initializer", "image": "kserve/storage-initializer:v0.15.0",
            "args": [MODEL, "/mnt/models"]}
    return gpu_pod(name, namespace, image=IMAGE, initContainers=[init])


def _mig(name: str, namespace: str) -> dict[str, Any]:
    pod = _annotated(name, namespace)
    pod["spec"]["containers"][0]["resources"] = {"limits": {MIG: "1"}}
    return pod


POD_KINDS: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "annotation": _annotated, "kserve": _kserve, "mig": _mig}


@pytest.mark.parametrize("kind", sorted(POD_KINDS))
def test_pods_land_on_the_node_holding_their_model(
        kind: str, kube: KubeClient, namespace: str, gpu_nodes: NodeMaker,
        scheduler: Callable[..., Scheduler], extender: ExtenderProcess,
        request: pytest.FixtureRequest) -> None:
    if kind == "kserve":  # the catalog sizes a model the pod names without a size
        kube.apply(MODELS, {"apiVersion": MODELS.api_version, "kind": "Model",
                            "metadata": {"name": "e2e-llama-8b"},
                            "spec": {"uri": MODEL, "bytes": 16 * 10**9}}, "e2e")
        request.addfinalizer(lambda: delete_quietly(kube, MODELS, "e2e-llama-8b"))
    holder = f"{kind}-holder"
    names = _cluster(kube, gpu_nodes, kind, {holder: None},
                     extra_allocatable={MIG: "7"} if kind == "mig" else None)
    pods = [POD_KINDS[kind](f"{kind}-{i}", namespace) for i in range(3)]
    scores = _scores(extender, pods[0], names, lambda s: s.get(holder, 0) > 0)
    assert max(v for n, v in scores.items() if n != holder) < scores[holder]
    scheduler(extender.url)
    assert _bind_all(kube, pods, namespace) == [holder] * 3


def test_a_stale_nodecache_is_trusted_less(
        kube: KubeClient, namespace: str, gpu_nodes: NodeMaker,
        scheduler: Callable[..., Scheduler], extender: ExtenderProcess) -> None:
    stale_at = time.time() - 3600  # the agent stopped publishing an hour ago
    names = _cluster(kube, gpu_nodes, "stale", {"stale-old": stale_at, "stale-fresh": None})
    pods = [_annotated(f"stale-{i}", namespace) for i in range(2)]
    scores = _scores(extender, pods[0], names,
                     lambda s: s.get("stale-old", 0) > 0 and s.get("stale-fresh", 0) > 0)
    assert scores["stale-old"] < scores["stale-fresh"]
    scheduler(extender.url)
    assert _bind_all(kube, pods, namespace) == ["stale-fresh"] * 2


def test_pods_still_bind_with_the_extender_killed(
        kube: KubeClient, namespace: str, gpu_nodes: NodeMaker, token_kubeconfig: Path,
        scheduler: Callable[..., Scheduler], tmp_path: Path) -> None:
    own = start_extender(token_kubeconfig, tmp_path, name="doomed-extender")
    try:
        names = _cluster(kube, gpu_nodes, "killed", {"killed-holder": None})
        first = _annotated("killed-0", namespace)
        _scores(own, first, names, lambda s: s.get("killed-holder", 0) > 0)
        sched = scheduler(own.url)
        assert _bind_all(kube, [first], namespace) == ["killed-holder"]
        own.kill()
        later = [_annotated(f"killed-{i}", namespace) for i in range(1, 4)]
        assert set(_bind_all(kube, later, namespace)) <= set(names)
        assert "Skipping extender as it returned error and has ignorable flag set" in (
            sched.logs())
    finally:
        own.stop()
