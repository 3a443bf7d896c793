"""The index: image names as kubelet and pods spell them, staleness over time,
and the pre-encoded prioritize reply."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import orjson

from extender import ExtenderSettings, NodeIndex
from extender.handlers import read_demand
from extender.ranking import ScoreMemo, rank
from extender.wire import prioritize_reply
from tests.extender.conftest import NOW, capture
from warmstart.clock import ManualClock
from warmstart.domain import NodeInventory


def test_inventory_goes_stale_after_the_bound_and_fresh_again_on_update():
    clock = ManualClock(NOW)
    index = NodeIndex(ExtenderSettings(stale_after_s=600), clock)
    observed = datetime.fromtimestamp(NOW, UTC)
    index.upsert_cache(NodeInventory(node_name="n", observed_at=observed))
    assert index.stale_nodes() == set()
    clock.advance(601)
    assert index.stale_nodes() == {"n"} and index.oldest_inventory_age() == 601
    later = datetime.fromtimestamp(NOW + 601, UTC)
    index.upsert_cache(NodeInventory(node_name="n", observed_at=later))
    assert index.stale_nodes() == set()


def test_prioritize_reply_is_json_even_for_odd_names():
    names = ['gpu-"quoted"', "gpu-ü", "plain"]
    entries = [b'{"Host":' + orjson.dumps(n) + b',"Score":' for n in names]
    reply = orjson.loads(prioritize_reply([(10, entries[:2]), (3, []), (7, entries[2:])]))
    assert reply == [
        {"Host": 'gpu-"quoted"', "Score": 10},
        {"Host": "gpu-ü", "Score": 10},
        {"Host": "plain", "Score": 7},
    ]
    assert prioritize_reply([]) == b"[]"


def test_thousands_of_nodes_grow_the_index():
    clock = ManualClock(NOW)
    index = NodeIndex(ExtenderSettings(), clock)
    pod = capture("prioritize-nodenames-annotated-model.json")["Pod"]
    for i in range(3000):
        index.upsert_node(
            {
                "metadata": {"name": f"n{i}"},
                "status": {
                    "images": [{"names": ["vllm/vllm-openai:v0.11.0"], "sizeBytes": 10_760_000_000}]
                },
            }
        )
    for i in range(0, 3000, 2):
        index.delete_node(f"n{i}")
    demand = read_demand(index, pod)
    slots = index.slots.lookup([f"n{i}" for i in range(3000)])
    scored = rank(index, demand, slots, math.inf, ScoreMemo())
    assert len(scored.slots) == 1500 and set(scored.scores.tolist()) == {5}


def test_an_index_still_being_laid_out_is_not_ready() -> None:
    index = NodeIndex(ExtenderSettings(), ManualClock(start=NOW))
    index.follow(lambda: NOW)
    assert index.ready()
    index.settled = False  # `extender serve` compacts a freshly listed index first
    assert not index.ready()
