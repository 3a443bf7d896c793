"""The assembled agent behind its HTTP surface: /waterfalls, /metrics, /healthz."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry

from agent.assemble import assemble
from agent.http_api import make_app, serve
from agent.nvml_record import ReplayNvml
from agent.observe import Extras
from agent.settings import AgentSettings
from tests.agent.cachegen import write_gguf
from tests.agent.podstory import already_present, condition, node, pod, running
from tests.kubemock import running_kubemock
from warmstart.clock import ManualClock
from warmstart.kube import KubeClient, from_url
from warmstart.kube.resources import EVENTS, NODES, PODS

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_assembled_agent_serves_its_records_and_metrics(tmp_path: Path):
    write_gguf(tmp_path / "phi" / "w.gguf", 10_000)
    settings = AgentSettings(node_name="gpu-node-7", cache_dir=tmp_path, disk_probe=False)
    registry = CollectorRegistry()
    with running_kubemock(watch_cap_s=0.5) as kube, httpx.Client() as http:
        kube.seed(NODES, node(-100, -50))
        kube.seed(PODS, pod([condition("PodScheduled", 1), condition("Ready", 30)], running(3)))
        kube.seed(EVENTS, already_present(2))
        client = KubeClient(from_url(kube.url), sleep=lambda _s: None)
        nvml = ReplayNvml.from_file(FIXTURES / "nvml-h100.json")
        agent = assemble(
            settings, client, http, nvml, ManualClock(1_795_827_700), registry, Extras()
        )
        agent.tick()
        server, thread = serve(make_app(agent.store, registry), "127.0.0.1", 0)
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            records = http.get(f"{base}/waterfalls", params={"namespace": "ml"}).json()["items"]
            none = http.get(f"{base}/waterfalls", params={"pod": "other"}).json()["items"]
            metrics = http.get(f"{base}/metrics").text
            health, missing = http.get(f"{base}/healthz"), http.get(f"{base}/nope")
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)
            client.close()

    assert [r["name"] for r in records] == ["llama-0"] and none == []
    assert records[0]["stages"] == {"node": 1.0, "image": 0.0}
    assert 'warmstart_startup_stage_seconds_count{stage="image"} 1.0' in metrics
    assert 'warmstart_agent_gpu_memory_used_bytes{uuid="GPU-cf2decf6' in metrics
    assert 'warmstart_agent_cached_bytes{tier="local-disk"} 10024.0' in metrics  # 24 + 10,000
    assert 'warmstart_agent_publishes_total{outcome="written"} 1.0' in metrics
    assert (health.status_code, missing.status_code) == (200, 404)
