"""Prioritize after our filter: kube-scheduler sends the filter's survivors back
in the order we returned them, and the extender finds them by the list's bytes,
scoring exactly as when it looks every name up."""

from __future__ import annotations

import math
from typing import Any

import httpx
import numpy as np
import orjson

from extender import ExtenderSettings, create_app
from extender.handlers import do_filter, do_prioritize, read_demand
from extender.ranking import ScoreMemo
from extender.serving import serving
from extender.survivors import Survivors
from extender.wire import parse_args
from tests.extender.conftest import CAPTURES, capture, example_index
from warmstart.clock import ManualClock
from warmstart.domain import NodeInventory
from warmstart.examples import example_path
from warmstart.inventory import load_inventory

FILTER = "filter-nodenames-annotated-model.json"


def _with_names(call: dict[str, Any], names: list[str]) -> bytes:
    return orjson.dumps({**call, "NodeNames": names})


def _scores(reply: httpx.Response) -> dict[str, int]:
    assert reply.status_code == 200
    return {e["Host"]: e["Score"] for e in reply.json()}


def test_survivors_sent_back_score_as_any_other_order(clock: ManualClock) -> None:
    app = create_app(ExtenderSettings(), example_index(clock), clock)
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        kept = client.post("/filter", content=(CAPTURES / FILTER).read_bytes()).json()["NodeNames"]
        call = capture(FILTER)
        handed = _scores(client.post("/prioritize", content=_with_names(call, kept)))
        reordered = _scores(client.post("/prioritize", content=_with_names(call, kept[::-1])))
        metrics = client.get("/metrics").text
    assert handed == reordered and handed["gpu-h100-1"] == 10
    assert 'warmstart_extender_prioritize_lists_total{found="filter-reply"} 1.0' in metrics
    assert 'warmstart_extender_prioritize_lists_total{found="by-name"} 1.0' in metrics


def _twin(name: str, twin: str) -> tuple[dict[str, Any], NodeInventory]:
    """The example cluster's Node and NodeCache for `name`, renamed `twin`."""
    objects = load_inventory(example_path("cluster.yaml"))
    node = next(n for n in objects.nodes if n["metadata"]["name"] == name)
    cache = next(c for c in objects.node_caches if c.node_name == name)
    renamed = {**node, "metadata": {**node["metadata"], "name": twin}}
    return renamed, cache.model_copy(update={"node_name": twin})


def test_a_node_replaced_between_filter_and_prioritize_is_not_named(clock: ManualClock) -> None:
    index, passed, memo = example_index(clock), Survivors(), ScoreMemo()
    call = capture(FILTER)
    args = parse_args(orjson.dumps(call))
    demand = read_demand(index, args.pod)
    reply, _ = do_filter(index, args, demand, passed)
    kept = parse_args(_with_names(call, orjson.loads(reply)["NodeNames"]))
    # gpu-h100-1 leaves; its twin joins and takes the freed slot
    index.delete_node("gpu-h100-1")
    index.delete_cache("gpu-h100-1")
    node, cache = _twin("gpu-h100-1", "gpu-h100-9")
    index.upsert_node(node)
    index.upsert_cache(cache)
    scored, _ = do_prioritize(index, kept, demand, math.inf, memo, passed)
    hosts = {e["Host"] for e in orjson.loads(scored)}
    assert hosts and hosts <= set(kept.names) - {"gpu-h100-1"}
    assert (passed.found, passed.missed) == (0, 1)


def test_only_the_latest_lists_are_kept_and_only_at_their_slots_version() -> None:
    passed = Survivors(kept=2)
    slots = [np.arange(i + 1) for i in range(3)]
    for i, s in enumerate(slots):
        passed.keep(orjson.dumps([f"n{i}"]), 7, s)
    assert passed.find(orjson.dumps(["n0"]), 7) is None
    found = passed.find(orjson.dumps(["n2"]), 7)
    assert found is not None and found.tolist() == [0, 1, 2]
    assert passed.find(orjson.dumps(["n2"]), 8) is None
    assert (passed.found, passed.missed) == (1, 2)
