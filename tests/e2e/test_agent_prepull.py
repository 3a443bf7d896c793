"""A Prefetch naming an image, on the real API server: the agent pre-pulls it through a
real containerd from a local registry, reports it on the Prefetch and in its NodeCache,
and the start-time estimate stops counting its pull."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from agent.cri import CriImages
from agent.daemon import Agent
from agent.image_gc import FsUsage
from agent.image_prepull import ImagePrepuller
from agent.nvml import PynvmlNvml
from agent.prefetch_resource import PREFETCHES
from agent.prefetch_worker import PrefetchWorker
from agent.publisher import NodeCachePublisher
from agent.settings import AgentSettings
from agent.waterfall_store import WaterfallMetrics, WaterfallStore
from tests.cri_runtime import Runtime, running_runtime
from warmstart.clock import SystemClock
from warmstart.domain import NodeInventory, PodDemand
from warmstart.estimate import NodeView, estimate_startup
from warmstart.kube import ClientError, KubeClient
from warmstart.kube.resources import NODECACHES

NODE = "prepull-gpu-0"
IMAGE_BYTES = 8 << 30


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    with running_runtime(tmp_path_factory.mktemp("cri"), {"serving/vllm:e2e": b"x" * 65536}) as rt:
        yield rt


def test_a_prefetched_image_lands_in_the_nodecache(
        kube: KubeClient, runtime: Runtime, gpu_nodes: Callable[..., dict[str, Any]],
        tmp_path: Path) -> None:
    gpu_nodes(NODE)
    image = runtime.image("serving/vllm:e2e")
    kube.create(PREFETCHES, {"apiVersion": PREFETCHES.api_version, "kind": "Prefetch",
                             "metadata": {"name": "stage-vllm-image"},
                             "spec": {"nodeName": NODE, "images": [image]}})
    settings = AgentSettings(node_name=NODE, cache_dir=tmp_path / "cache", disk_probe=False,
                             debounce_s=0, min_publish_interval_s=0, max_publish_delay_s=0)
    cri = CriImages(runtime.socket)
    roomy = ImagePrepuller(cri, 85, usage=lambda _: FsUsage(10 * 10**9, 1000 * 10**9))
    clock = SystemClock()
    with httpx.Client() as http:
        worker = PrefetchWorker(kube, settings, http, clock, frozenset, images=roomy)
        store = WaterfallStore(WaterfallMetrics(CollectorRegistry()))
        agent = Agent(settings, PynvmlNvml(), clock, store,
                      publisher=NodeCachePublisher(kube, NODE), prefetches=worker)
        agent.tick()  # publishes, then runs the Prefetch inline
        agent.tick()  # reports what the runtime now holds
    cri.close()

    status = kube.get(PREFETCHES, "stage-vllm-image")["status"]
    assert status["phase"] == "Succeeded"
    assert [(i["name"], i["phase"]) for i in status["images"]] == [(image, "Pulled")]
    published = NodeInventory.model_validate(kube.get(NODECACHES, NODE)["status"])
    assert published.images == (image,)

    pod = PodDemand(images=(image,))
    sizes = {image: IMAGE_BYTES}
    staged = estimate_startup(pod, NodeView(name=NODE, inventory=published), sizes)
    bare = estimate_startup(pod, NodeView(name=NODE, inventory=NodeInventory(node_name=NODE)),
                            sizes)
    assert (staged.image_s, bare.image_s > 60) == (0.0, True)


def test_a_prefetch_with_neither_model_nor_images_is_refused(kube: KubeClient) -> None:
    with pytest.raises(ClientError, match="name a model"):
        kube.create(PREFETCHES, {"apiVersion": PREFETCHES.api_version, "kind": "Prefetch",
                                 "metadata": {"name": "empty"}, "spec": {"nodeName": NODE}})
