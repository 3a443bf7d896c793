"""KubeClient against the fake API server: CRUD, error classes, idempotence, retries."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.kubemock import KubeMock
from warmstart.kube import (
    AlreadyExists,
    ApiUnreachable,
    Backoff,
    ClientError,
    Conflict,
    KubeClient,
    NotFound,
    ServerError,
    TooManyRequests,
    from_url,
)
from warmstart.kube.resources import NODECACHES, NODES, PODS


def _pod(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "ml", "labels": labels or {}},
            "spec": {"containers": [{"name": "main", "image": "vllm:0.6"}]}}


def test_create_get_list_delete_round_trip(client: KubeClient, kube: KubeMock) -> None:
    made = client.create(PODS, _pod("a"))
    assert made["metadata"]["resourceVersion"]
    assert client.get(PODS, "a", "ml")["spec"]["containers"][0]["image"] == "vllm:0.6"
    assert [p["metadata"]["name"] for p in client.list(PODS, "ml").items] == ["a"]
    assert client.delete(PODS, "a", "ml") is True
    assert client.delete(PODS, "a", "ml") is False  # already gone is fine
    assert kube.object(PODS, "a", "ml") is None


def test_errors_are_classed_and_carry_the_status_body(client: KubeClient) -> None:
    with pytest.raises(NotFound) as missing:
        client.get(PODS, "nope", "ml")
    assert (missing.value.status, missing.value.reason) == (404, "NotFound")
    assert 'pods "nope" not found' in missing.value.message
    client.create(PODS, _pod("a"))
    with pytest.raises(AlreadyExists):
        client.create(PODS, _pod("a"))
    with pytest.raises(ClientError) as invalid:
        client.create(PODS, {"metadata": {"namespace": "ml"}})
    assert invalid.value.status == 422 and "metadata.name" in invalid.value.message


def test_create_or_get_is_idempotent(client: KubeClient, kube: KubeMock) -> None:
    first, created = client.create_or_get(PODS, _pod("a", {"v": "1"}))
    again, created_again = client.create_or_get(PODS, _pod("a", {"v": "2"}))
    assert (created, created_again) == (True, False)
    assert again["metadata"]["uid"] == first["metadata"]["uid"]
    assert again["metadata"]["labels"] == {"v": "1"}  # the existing object, not overwritten
    assert len(kube.objects(PODS)) == 1


def test_list_filters_by_label_and_pages(client: KubeClient, kube: KubeMock) -> None:
    for i in range(5):
        kube.seed(PODS, _pod(f"p{i}", {"app": "llm" if i % 2 == 0 else "web"}))
    llm = client.list(PODS, "ml", label_selector="app=llm").items
    assert sorted(p["metadata"]["name"] for p in llm) == ["p0", "p2", "p4"]
    first = client.list(PODS, None, limit=2)
    assert len(first.items) == 2 and first.continue_token
    everything = client.list_all(PODS, page_size=2)
    assert [p["metadata"]["name"] for p in everything.items] == ["p0", "p1", "p2", "p3", "p4"]
    assert len(kube.requests_to("GET", "/pods")) == 1 + 1 + 3  # label list, one page, 3 pages


def test_raw_pages_leave_each_item_undecoded(client: KubeClient, kube: KubeMock) -> None:
    for i in range(5):
        kube.seed(PODS, _pod(f"p{i}", {"app": "llm"}))
    pages = list(client.raw_pages(PODS, page_size=2, resource_version="0"))
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert pages[-1].continue_token is None and pages[0].resource_version
    names = [orjson.loads(memoryview(raw))["metadata"]["name"] for p in pages for raw in p.items]
    assert names == ["p0", "p1", "p2", "p3", "p4"]
    asked = [r.query for r in kube.requests_to("GET", "/pods")]
    assert [q.get("resourceVersion") for q in asked] == ["0", "0", "0"]
    assert [q.get("continue") is None for q in asked] == [True, False, False]


def test_merge_patch_and_server_side_apply(client: KubeClient, kube: KubeMock) -> None:
    client.create(PODS, _pod("a", {"keep": "x", "drop": "y"}))
    patched = client.patch(PODS, "a", {"metadata": {"labels": {"drop": None, "new": "z"}}}, "ml")
    assert patched["metadata"]["labels"] == {"keep": "x", "new": "z"}
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "labels": {"a": "1"}}}
    client.apply(NODES, node, field_manager="warmstart-provisioner")
    client.apply(NODES, {**node, "metadata": {"name": "n1", "labels": {"b": "2"}}},
                 field_manager="warmstart-provisioner")
    n1 = kube.object(NODES, "n1")
    assert n1 is not None and n1["metadata"]["labels"] == {"a": "1", "b": "2"}
    applies = kube.requests_to("PATCH", "/nodes/n1")
    assert [r.query for r in applies] == [{"fieldManager": "warmstart-provisioner",
                                           "force": "true"}] * 2


def test_status_subresource_writes_only_status(client: KubeClient, kube: KubeMock) -> None:
    cache = {"apiVersion": "warmstart.io/v1alpha1", "kind": "NodeCache",
             "metadata": {"name": "n1"}, "spec": {"nodeName": "n1"}}
    client.create(NODECACHES, cache)
    client.patch_status(NODECACHES, "n1", {"status": {"gpus": [{"index": 0}]}})
    replaced = client.replace_status(NODECACHES, {**cache, "spec": {"nodeName": "other"},
                                                  "status": {"gpus": []}})
    assert replaced["spec"] == {"nodeName": "n1"} and replaced["status"] == {"gpus": []}
    assert kube.requests_to("PUT")[0].path.endswith("/nodecaches/n1/status")


def test_replace_with_stale_resource_version_conflicts(client: KubeClient) -> None:
    made = client.create(PODS, _pod("a"))
    client.patch(PODS, "a", {"metadata": {"labels": {"x": "1"}}}, "ml")
    with pytest.raises(Conflict) as stale:
        client.replace(PODS, made)  # carries the first resourceVersion
    assert stale.value.reason == "Conflict"


def test_429_waits_the_servers_retry_after_then_succeeds(
        client: KubeClient, kube: KubeMock, sleeps: list[float]) -> None:
    kube.seed(PODS, _pod("a"))
    kube.fail_next(429, times=2, retry_after=3)
    assert client.get(PODS, "a", "ml")["metadata"]["name"] == "a"
    assert sleeps == [3.0, 3.0]
    assert len(kube.requests_to("GET", "/pods/a")) == 3


def test_5xx_walks_the_backoff_and_gives_up_with_the_last_error(
        kube: KubeMock, sleeps: list[float]) -> None:
    draws = iter([0.0, 0.5])  # each pause is its delay stretched by up to 100%
    client = KubeClient(from_url(kube.url),
                        backoff=Backoff(delays=(0.1, 0.2), rand=draws.__next__),
                        sleep=sleeps.append)
    kube.fail_next(503, times=5)
    with pytest.raises(ServerError) as failed:
        client.get(NODES, "n1")
    assert failed.value.status == 503
    assert sleeps == pytest.approx([0.1, 0.3])  # 3 attempts, 2 pauses
    client.close()


def test_429_without_retry_after_uses_backoff(kube: KubeMock, sleeps: list[float]) -> None:
    client = KubeClient(from_url(kube.url), backoff=Backoff(delays=(0.25,), rand=lambda: 0.2),
                        sleep=sleeps.append)
    kube.fail_next(429, times=2)
    with pytest.raises(TooManyRequests) as shed:
        client.get(NODES, "n1")
    assert shed.value.retry_after is None and sleeps == pytest.approx([0.3])
    client.close()


def test_connection_refused_is_retried_then_reported(sleeps: list[float]) -> None:
    client = KubeClient(from_url("http://127.0.0.1:9"),
                        backoff=Backoff(delays=(0.5,), rand=lambda: 0.999), sleep=sleeps.append)
    with pytest.raises(ApiUnreachable):
        client.list(NODES)
    assert sleeps == pytest.approx([0.9995])
    client.close()


def test_bearer_token_is_sent(kube: KubeMock) -> None:
    client = KubeClient(from_url(kube.url, token="s3cret"))
    client.list(NODES)
    client.close()
    assert kube.requests[-1].headers.get("Authorization") == "Bearer s3cret"
