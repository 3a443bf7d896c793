"""Bad input gets 400 naming the field; an internal problem, an index that is not
synced or a spent time budget gets a fail-open answer; each case is counted."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import orjson
import pytest

from extender import ExtenderSettings, create_app
from extender.serving import serving
from tests.extender.conftest import CAPTURES, NOW, capture, example_index
from warmstart.clock import ManualClock

POD = capture("filter-nodenames-annotated-model.json")["Pod"]
NAMES = ["gpu-a100-0", "gpu-h100-1", "gpu-h100-2"]


def _args(**over: object) -> bytes:
    return orjson.dumps({"Pod": POD, "Nodes": None, "NodeNames": NAMES, **over})


def _bad_annotation() -> bytes:
    meta = {
        **POD["metadata"],
        "annotations": {"warmstart.io/model": "s3://m", "warmstart.io/model-bytes": "lots"},
    }
    return _args(Pod={**POD, "metadata": meta})


BAD = [
    (b"garbage", "request body: not valid JSON"),
    (b"[1, 2]", "request body: expected an ExtenderArgs object"),
    (orjson.dumps({"NodeNames": NAMES}), "Pod: missing"),
    (_args(NodeNames="gpu-a100-0"), "NodeNames: expected a list"),
    (_args(NodeNames=["ok", 3]), "NodeNames: expected a list"),
    (_args(NodeNames=None), "NodeNames, Nodes: one of them must be set"),
    (_args(NodeNames=None, Nodes={"items": [{"metadata": {}}]}), "Nodes.items[0].metadata.name"),
    (_args(Pod={"metadata": {}}), "Pod.spec"),
    (_bad_annotation(), 'Pod.metadata.annotations["warmstart.io/model-bytes"]'),
]


@pytest.mark.parametrize("verb", ["filter", "prioritize"])
@pytest.mark.parametrize(("body", "field"), BAD)
def test_malformed_call_gets_400_naming_the_field(
    example_client: httpx.Client, verb: str, body: bytes, field: str
):
    reply = example_client.post(f"/{verb}", content=body)
    assert reply.status_code == 400
    assert field in reply.json()["Error"]


def test_bad_requests_are_counted(example_client: httpx.Client):
    example_client.post("/prioritize", content=b"{")
    metrics = example_client.get("/metrics").text
    assert 'warmstart_extender_bad_requests_total{verb="prioritize"}' in metrics


@pytest.fixture
def outage() -> Iterator[httpx.Client]:
    """An index that last heard from the API server an hour ago."""
    clock = ManualClock(NOW)
    index = example_index(clock)
    index.follow(lambda: NOW - 3600)
    app = create_app(ExtenderSettings(), index, clock)
    with serving(app) as url, httpx.Client(base_url=url) as client:
        yield client


def test_index_outage_passes_every_node_and_scores_none(outage: httpx.Client):
    kept = outage.post("/filter", content=_args()).json()
    assert kept == {
        "NodeNames": NAMES,
        "FailedNodes": {},
        "FailedAndUnresolvableNodes": {},
        "Error": "",
    }
    assert outage.post("/prioritize", content=_args()).json() == []
    assert outage.get("/readyz").status_code == 503
    metrics = outage.get("/metrics").text
    assert 'warmstart_extender_fail_open_total{reason="not-ready",verb="filter"} 1.0' in metrics
    assert 'warmstart_extender_fail_open_total{reason="not-ready",verb="prioritize"} 1.0' in metrics


def test_full_nodes_are_echoed_back_during_an_outage(outage: httpx.Client):
    body = (CAPTURES / "filter-nodes-annotated-model.json").read_bytes()
    kept = outage.post("/filter", content=body).json()
    assert kept["Nodes"]["items"] == capture("filter-nodes-annotated-model.json")["Nodes"]["items"]
    assert kept["FailedNodes"] == {}


def test_spent_budget_fails_open():
    clock = ManualClock(NOW)
    settings = ExtenderSettings(budget_s=1e-9)
    index = example_index(clock, settings)
    with serving(create_app(settings, index, clock)) as url, httpx.Client(base_url=url) as client:
        assert client.post("/prioritize", content=_args()).json() == []
        metrics = client.get("/metrics").text
    assert 'warmstart_extender_fail_open_total{reason="budget",verb="prioritize"} 1.0' in metrics


def test_internal_error_fails_open(example_client: httpx.Client):
    # more images than the ranking can encode: an error inside the handler, not the caller's fault
    containers = [{"name": f"c{i}", "image": f"img-{i}:1"} for i in range(25)]
    pod = {**POD, "spec": {**POD["spec"], "containers": containers}}
    reply = example_client.post("/prioritize", content=_args(Pod=pod))
    assert reply.status_code == 200 and reply.json() == []
    assert 'reason="error",verb="prioritize"' in example_client.get("/metrics").text


def test_health_ready_and_metrics(example_client: httpx.Client):
    example_client.post("/prioritize", content=_args())
    assert example_client.get("/healthz").json() == {"status": "ok"}
    assert example_client.get("/readyz").json() == {"status": "ready"}
    metrics = example_client.get("/metrics").text
    for line in (
        'warmstart_extender_handler_seconds_bucket{le="0.001",verb="prioritize"}',
        'warmstart_extender_node_decisions_total{outcome="scored",verb="prioritize"}',
        "warmstart_extender_index_staleness_seconds 0.0",
        "warmstart_extender_indexed_nodes 12.0",
    ):
        assert line in metrics
    assert "server-timing" in example_client.post("/filter", content=_args()).headers


def test_pod_metadata_that_is_not_an_object_gets_400(example_client: httpx.Client):
    reply = example_client.post("/filter", content=_args(Pod={**POD, "metadata": "x"}))
    assert reply.status_code == 400
    assert reply.json() == {"Error": "Pod.metadata: not an object"}
