"""The agent's loop against a fake API server over HTTP: NodeCache, waterfalls, Prefetch."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry

from agent.daemon import Agent
from agent.nvml_record import ReplayNvml
from agent.prefetch_resource import PREFETCHES
from agent.prefetch_worker import PrefetchWorker
from agent.publisher import NodeCachePublisher
from agent.settings import AgentSettings
from agent.waterfall_collector import WaterfallCollector
from agent.waterfall_store import WaterfallMetrics, WaterfallStore
from tests.agent.cachegen import write_safetensors
from tests.agent.fileserver import Served, serving
from tests.agent.podstory import already_present, condition, event, node, pod, running, ts
from tests.kubemock import KubeMock, running_kubemock
from warmstart.clock import ManualClock
from warmstart.kube import KubeClient, from_url
from warmstart.kube.resources import EVENTS, NODECACHES, NODES, PODS

FIXTURES = Path(__file__).parent.parent / "fixtures"
START = 1_795_827_600.0  # T0 of tests.agent.podstory


@pytest.fixture
def kube() -> Iterator[KubeMock]:
    with running_kubemock(watch_cap_s=0.5) as mock:
        yield mock


@pytest.fixture
def client(kube: KubeMock) -> Iterator[KubeClient]:
    c = KubeClient(from_url(kube.url), sleep=lambda _s: None)
    yield c
    c.close()


def _agent(tmp_path: Path, client: KubeClient, clock: ManualClock, http: httpx.Client) -> Agent:
    settings = AgentSettings(
        node_name="gpu-node-7",
        cache_dir=tmp_path / "cache",
        debounce_s=10,
        min_publish_interval_s=30,
        probe_max_bytes=1 << 20,
    )
    store = WaterfallStore(WaterfallMetrics(CollectorRegistry()))
    collector = WaterfallCollector(client, "gpu-node-7", store)
    return Agent(
        settings,
        ReplayNvml.from_file(FIXTURES / "nvml-h100.json"),
        clock,
        store,
        publisher=NodeCachePublisher(client, "gpu-node-7"),
        collector=collector,
        prefetches=PrefetchWorker(client, settings, http, clock, collector.models_in_use),
    )


def _status_writes(kube: KubeMock) -> int:
    return len([r for r in kube.requests_to("PATCH", "nodecaches") if r.path.endswith("/status")])


def test_status_is_published_owned_by_the_node_and_only_rewritten_on_change(tmp_path, kube, client):
    kube.seed(NODES, node(-100, -50))
    write_safetensors(tmp_path / "cache" / "llama" / "m.safetensors", {"w": ("F16", [256, 256])})
    clock = ManualClock(START)
    with httpx.Client() as http:
        agent = _agent(tmp_path, client, clock, http)
        agent.tick()
        clock.advance(40)
        agent.tick()  # nothing changed
        write_safetensors(tmp_path / "cache" / "qwen" / "m.safetensors", {"w": ("F16", [64, 64])})
        clock.advance(40)
        agent.tick()  # changed: debouncing
        clock.advance(15)
        agent.tick()  # steady 15 s >= 10 s: written

    cache = kube.object(NODECACHES, "gpu-node-7")
    assert cache is not None
    assert cache["metadata"]["ownerReferences"][0]["kind"] == "Node"
    status = cache["status"]
    assert status["gpus"][0]["name"] == "NVIDIA H100 80GB HBM3"
    assert {m["uri"].rsplit("/", 1)[-1] for m in status["models"]} == {"llama", "qwen"}
    assert status["bandwidths"]["localDisk"] is None or status["bandwidths"]["localDisk"] > 0
    assert _status_writes(kube) == 2


def test_pods_on_the_node_get_waterfalls_and_other_nodes_pods_do_not(tmp_path, kube, client):
    kube.seed(NODES, node(-100, -50))
    ready = pod([condition("PodScheduled", 1), condition("Ready", 30)], running(3))
    kube.seed(PODS, ready)
    elsewhere = pod([condition("PodScheduled", 1)], None)
    elsewhere["metadata"].update(name="far", uid="far-uid")
    elsewhere["spec"]["nodeName"] = "gpu-node-9"
    kube.seed(PODS, elsewhere)
    kube.seed(EVENTS, already_present(2))
    kube.seed(EVENTS, event("Started", "Started container vllm", 3))
    with httpx.Client() as http:
        agent = _agent(tmp_path, client, ManualClock(START + 60), http)
        inventory = agent.tick()

    (record,) = agent.store.records()
    assert record.name == "llama-0" and record.image_present and record.stages["node"] == 1.0
    assert inventory.warm.recent_images == ("vllm/vllm-openai:v0.6.3",)


def test_a_prefetch_resource_is_fetched_and_its_status_says_so(tmp_path, kube, client):
    data = os.urandom(200_000)
    with serving(Served({"/m/w.gguf": data})) as srv, httpx.Client() as http:
        for name, sha in (("good", hashlib.sha256(data).hexdigest()), ("bad", "0" * 64)):
            kube.seed(
                PREFETCHES,
                {
                    "apiVersion": "warmstart.io/v1alpha1",
                    "kind": "Prefetch",
                    "metadata": {"name": name, "creationTimestamp": ts(0 if name == "good" else 1)},
                    "spec": {
                        "nodeName": "gpu-node-7",
                        "uri": f"{srv.url}/m/w.gguf?{name}",
                        "sha256": sha,
                    },
                },
            )
        agent = _agent(tmp_path, client, ManualClock(START), http)
        agent.tick()
        agent.tick()

    good, bad = kube.object(PREFETCHES, "good"), kube.object(PREFETCHES, "bad")
    assert good["status"]["phase"] == "Succeeded" and good["status"]["bytes"] == 200_000
    assert bad["status"]["phase"] == "Failed" and "ChecksumError" in bad["status"]["message"]
    assert len(list((tmp_path / "cache").glob("*/w.gguf"))) == 1
