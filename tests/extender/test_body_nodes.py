"""Node objects inside a call (`nodeCacheCapable: false`) are never trusted: any
client that reaches the extender could send them, so they must not change the
index, this call's answer or any later one. Only their names are read."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from extender import ExtenderSettings, NodeIndex, create_app
from extender.serving import serving
from tests.extender.conftest import capture, example_index
from warmstart.clock import ManualClock

BODY = "prioritize-nodes-kserve-predictor.json"
POD_IMAGE = "kserve/huggingfaceserver:v0.15.0"


@pytest.fixture
def served(clock: ManualClock) -> Iterator[tuple[httpx.Client, NodeIndex]]:
    """A fresh example cluster per test: these tests try to change its state."""
    index = example_index(clock)
    app = create_app(ExtenderSettings(), index, clock)
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client, index


def _lying_nodes(args: dict[str, Any]) -> dict[str, Any]:
    """Every node of the call claims the pod's image (huge) and a made-up pool;
    an unknown node claims the same."""
    items = copy.deepcopy(args["Nodes"]["items"])
    for item in items:
        item["metadata"]["labels"]["karpenter.sh/nodepool"] = "poisoned"
        item["metadata"]["resourceVersion"] = "999999"
        item["status"]["images"] = [{"names": [POD_IMAGE], "sizeBytes": 10**15}]
    intruder = copy.deepcopy(items[0])
    intruder["metadata"]["name"] = "intruder"
    return {"metadata": {}, "items": [*items, intruder]}


def _by_names(args: dict[str, Any], names: list[str]) -> bytes:
    return orjson.dumps({"Pod": args["Pod"], "Nodes": None, "NodeNames": names})


def _answers(client: httpx.Client, body: bytes) -> tuple[Any, Any]:
    filtered = client.post("/filter", content=body)
    scored = client.post("/prioritize", content=body)
    assert filtered.status_code == scored.status_code == 200
    return filtered.json()["FailedNodes"], scored.json()


def test_a_call_with_lying_node_objects_changes_no_answer(
        served: tuple[httpx.Client, NodeIndex]) -> None:
    client, index = served
    args = capture(BODY)
    names = [n["metadata"]["name"] for n in args["Nodes"]["items"]]
    before = _answers(client, _by_names(args, names))
    nodes_before, sizes_before = dict(index.views), dict(index.image_sizes)
    # no node is at the top of the scale, so a lie would show in the scores
    assert before[1] and all(e["Score"] < 10 for e in before[1])

    lying = orjson.dumps({"Pod": args["Pod"], "Nodes": _lying_nodes(args), "NodeNames": None})
    failed, scored = _answers(client, lying)
    # this call is answered from the watched index, by name, like the honest one
    assert (failed, scored) == before
    assert "intruder" not in {e["Host"] for e in scored}

    # and every later answer, and the index itself, are as before
    assert _answers(client, _by_names(args, names)) == before
    assert _answers(client, _by_names(args, [*names, "intruder"])) == before
    assert index.views == nodes_before and index.image_sizes == sizes_before
    assert "intruder" not in index.slots.of


def test_the_filter_hands_back_node_objects_untouched_without_reading_them(
        served: tuple[httpx.Client, NodeIndex]) -> None:
    client, _ = served
    args = capture(BODY)
    nodes = _lying_nodes(args)
    nodes["items"][0]["status"]["images"] = [{"names": 42, "sizeBytes": "lots"}]
    body = orjson.dumps({"Pod": args["Pod"], "Nodes": nodes, "NodeNames": None})
    reply = client.post("/filter", content=body).json()
    assert reply["Nodes"]["items"] == [n for n in nodes["items"]
                                       if n["metadata"]["name"] not in reply["FailedNodes"]]
