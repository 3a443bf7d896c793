"""Every request body a real kube-scheduler sent gets an answer in exactly the
field names kube-scheduler reads (PascalCase, as `k8s-captures/README.md` shows)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.extender.conftest import CAPTURES, capture

FILTER_KEYS_NAMES = {"NodeNames", "FailedNodes", "FailedAndUnresolvableNodes", "Error"}
FILTER_KEYS_NODES = {"Nodes", "FailedNodes", "FailedAndUnresolvableNodes", "Error"}
VERBS = ("filter", "prioritize")
BODIES = sorted(p.name for p in CAPTURES.glob("*.json") if p.name.split("-")[0] in VERBS)


def _names(args: dict[str, Any]) -> list[str]:
    if args["NodeNames"] is not None:
        return list(args["NodeNames"])
    return [n["metadata"]["name"] for n in args["Nodes"]["items"]]


def test_every_scheduler_capture_is_replayed():
    assert len(BODIES) == 5 and all((CAPTURES / b).exists() for b in BODIES)


@pytest.mark.parametrize("name", BODIES)
def test_capture_gets_the_exact_reply_shape(example_client: httpx.Client, name: str):
    args = capture(name)
    verb = name.split("-")[0]
    reply = example_client.post(f"/{verb}", content=(CAPTURES / name).read_bytes())
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    body, asked = reply.json(), _names(args)
    if verb == "prioritize":
        assert isinstance(body, list)
        assert all(set(entry) == {"Host", "Score"} for entry in body)
        assert all(isinstance(e["Score"], int) and 0 < e["Score"] <= 10 for e in body)
        hosts = [e["Host"] for e in body]
        assert len(hosts) == len(set(hosts)) and set(hosts) <= set(asked)
        return
    cache_capable = args["NodeNames"] is not None
    assert set(body) == (FILTER_KEYS_NAMES if cache_capable else FILTER_KEYS_NODES)
    assert body["Error"] == "" and body["FailedAndUnresolvableNodes"] == {}
    if cache_capable:
        kept = body["NodeNames"]
    else:  # the full Node objects come back untouched
        kept = [n["metadata"]["name"] for n in body["Nodes"]["items"]]
        by_name = {n["metadata"]["name"]: n for n in args["Nodes"]["items"]}
        assert all(by_name[n["metadata"]["name"]] == n for n in body["Nodes"]["items"])
    assert sorted(kept + list(body["FailedNodes"])) == sorted(asked)
    assert all(isinstance(reason, str) and reason for reason in body["FailedNodes"].values())


def test_llama_pod_prefers_the_node_with_its_weights_in_memory(example_client: httpx.Client):
    body = (CAPTURES / "prioritize-nodenames-annotated-model.json").read_bytes()
    scores = {
        e["Host"]: e["Score"] for e in example_client.post("/prioritize", content=body).json()
    }
    # gpu-h100-1: image pulled, weights in page cache, CUDA measured warm at 2.5 s -> 10
    # gpu-a100-0: image pulled, weights on NVMe (16 GB / 3.2 GB/s = 5 s) -> 9
    # gpu-h100-0 and gpu-a100-1 hold neither image nor model: 0, so absent
    assert scores["gpu-h100-1"] == 10 and scores["gpu-a100-0"] == 9
    assert "gpu-h100-0" not in scores and "gpu-a100-1" not in scores


def test_filter_removes_only_the_node_whose_gpus_are_full(example_client: httpx.Client):
    body = (CAPTURES / "filter-nodenames-annotated-model.json").read_bytes()
    reply = example_client.post("/filter", content=body).json()
    # 16.06 GB of weights on 1 GPU; gpu-h100-2's eight GPUs have 6.5 GiB free each
    assert list(reply["FailedNodes"]) == ["gpu-h100-2"]
    assert "15.0 GiB" in reply["FailedNodes"]["gpu-h100-2"]
