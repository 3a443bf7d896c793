"""Informer against the fake API server: initial list, watch events, bookmarks, 410 relist."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from tests.kubemock import KubeMock, running_kubemock
from warmstart.clock import ManualClock
from warmstart.kube import NO_RETRY, Backoff, Informer, KubeClient, from_url, object_key
from warmstart.kube.informer import identity
from warmstart.kube.resources import NODES, PODS

Seen = list[tuple[str, str]]


def _node(name: str, zone: str = "a") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"topology.kubernetes.io/zone": zone}}}


@pytest.fixture
def seen() -> Seen:
    return []


def _informer(client: KubeClient, clock: ManualClock, seen: Seen, **kw) -> Informer:
    inf = Informer(client, NODES, clock=clock, watch_timeout_s=1, **kw)
    inf.add_handler(lambda kind, obj, _old: seen.append((kind, obj["metadata"]["name"])))
    return inf


def _eventually(check: Callable[[], bool], within_s: float = 5.0) -> None:
    deadline = time.monotonic() + within_s
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_initial_list_fills_the_store_and_marks_synced(client, kube: KubeMock, seen) -> None:
    kube.seed(NODES, _node("n1"))
    kube.seed(NODES, _node("n2"))
    clock = ManualClock(start=100.0)
    inf = _informer(client, clock, seen)
    assert (inf.has_synced, inf.last_synced_at) == (False, None)
    inf.run_once()
    assert inf.has_synced and inf.last_synced_at == 100.0
    assert sorted(seen) == [("ADDED", "n1"), ("ADDED", "n2")]
    n1, n2 = inf.get("n1"), kube.object(NODES, "n2")
    assert n1 is not None and n1["metadata"]["name"] == "n1"
    assert n2 is not None and inf.resource_version == n2["metadata"]["resourceVersion"]


def test_watch_delivers_changes_from_the_listed_version(client, kube: KubeMock, seen) -> None:
    kube.seed(NODES, _node("n1"))
    inf = _informer(client, ManualClock(), seen)
    inf.relist()
    listed_at = inf.resource_version
    kube.seed(NODES, _node("n2"))
    client.patch(NODES, "n1", {"metadata": {"labels": {"gpu": "h100"}}})
    client.delete(NODES, "n2")
    inf.watch_once()  # the mock ends the stream after its 0.5 s cap
    assert seen == [("ADDED", "n1"), ("ADDED", "n2"), ("MODIFIED", "n1"), ("DELETED", "n2")]
    n1 = inf.get("n1")
    assert n1 is not None and n1["metadata"]["labels"]["gpu"] == "h100"
    assert inf.get("n2") is None
    watch = kube.requests_to("GET", "/nodes")[-1].query
    assert watch["resourceVersion"] == listed_at and watch["allowWatchBookmarks"] == "true"
    assert watch["timeoutSeconds"] == "1"


def test_bookmark_moves_the_version_past_unrelated_writes(client, kube: KubeMock, seen) -> None:
    kube.seed(NODES, _node("n1"))
    inf = _informer(client, ManualClock(), seen)
    inf.relist()
    pod = kube.seed(PODS, {"metadata": {"name": "p", "namespace": "ml"}})  # bumps the global rv
    threading.Timer(0.1, kube.bookmark).start()
    inf.watch_once()
    assert seen == [("ADDED", "n1")]  # a bookmark is no change to report
    assert inf.resource_version == pod["metadata"]["resourceVersion"]
    kube.compact()  # history forgotten: only a watch from the bookmarked version survives
    inf.run_once()
    assert kube.requests_to("GET", "/nodes")[-1].query["resourceVersion"] == inf.resource_version
    assert len([r for r in kube.requests_to("GET", "/nodes") if "watch" not in r.query]) == 1


def test_last_synced_at_follows_the_injected_clock(client, kube: KubeMock, seen) -> None:
    clock = ManualClock(start=10.0)
    inf = _informer(client, clock, seen)
    inf.relist()
    assert inf.last_synced_at == 10.0
    clock.advance(50)
    inf.watch_once()  # a watch that ran to its timeout shows the store was current
    assert inf.last_synced_at == 60.0


def test_410_gone_relists_and_reports_deletions_missed_meanwhile(client, kube, seen) -> None:
    for name in ("n1", "n2", "n3"):
        kube.seed(NODES, _node(name))
    inf = _informer(client, ManualClock(), seen)
    inf.relist()
    seen.clear()
    kube.remove(NODES, "n2")                  # happens while we are not watching...
    client.patch(NODES, "n3", {"metadata": {"labels": {"x": "1"}}})
    kube.compact()                            # ...and its event is compacted away
    inf.run_once()                            # watch -> ERROR 410 -> needs relist
    assert seen == []
    inf.run_once()                            # relist: a full resync
    assert sorted(seen) == [("DELETED", "n2"), ("MODIFIED", "n3")]
    assert sorted(o["metadata"]["name"] for o in inf.items()) == ["n1", "n3"]
    lists = [r for r in kube.requests_to("GET", "/nodes") if "watch" not in r.query]
    assert len(lists) == 2
    # The first list may come from the server's watch cache; the one after a 410 is current.
    assert [r.query.get("resourceVersion") for r in lists] == ["0", None]


def test_label_selector_scopes_list_and_watch(client, kube: KubeMock, seen) -> None:
    kube.seed(NODES, _node("a1", "a"))
    kube.seed(NODES, _node("b1", "b"))
    inf = _informer(client, ManualClock(), seen, label_selector="topology.kubernetes.io/zone=a")
    inf.relist()
    kube.seed(NODES, _node("b2", "b"))
    kube.seed(NODES, _node("a2", "a"))
    inf.watch_once()
    assert seen == [("ADDED", "a1"), ("ADDED", "a2")]


def test_a_failing_handler_does_not_stop_the_others(client, kube: KubeMock, seen) -> None:
    kube.seed(NODES, _node("n1"))
    inf = Informer(client, NODES, clock=ManualClock())

    def broken(kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        raise RuntimeError("consumer bug")

    inf.add_handler(broken)
    inf.add_handler(lambda kind, obj, _old: seen.append((kind, obj["metadata"]["name"])))
    inf.relist()
    assert seen == [("ADDED", "n1")]


def test_background_thread_follows_changes_and_stops_at_once(seen: Seen) -> None:
    with running_kubemock(watch_cap_s=10) as kube:  # watches stay open: stop must cut them
        client = KubeClient(from_url(kube.url))
        kube.seed(NODES, _node("n1"))
        inf = _informer(client, ManualClock(), seen)
        inf.watch_timeout_s = 10
        inf.start()
        try:
            _eventually(lambda: inf.has_synced)
            client.create(NODES, _node("n2"))
            _eventually(lambda: inf.get("n2") is not None)
        finally:
            started = time.monotonic()
            inf.stop()
            client.close()
        assert time.monotonic() - started < 1.0
    assert ("ADDED", "n2") in seen


def test_background_thread_backs_off_when_the_server_fails(client, kube: KubeMock) -> None:
    kube.fail_next(500, times=10, method="GET", path_contains="/nodes")
    kube.seed(NODES, _node("n1"))
    client.backoff = NO_RETRY  # so the informer's own backoff is what is exercised
    inf = Informer(client, NODES, clock=ManualClock(), watch_timeout_s=1,
                   backoff=Backoff(delays=(0.01,)))
    inf.start()
    try:
        _eventually(lambda: inf.has_synced)
    finally:
        inf.stop()
    assert len(kube.requests_to("GET", "/nodes")) >= 11


def test_namespaced_informer_keys_by_namespace_and_name(client, kube: KubeMock) -> None:
    for ns in ("ml", "web"):
        kube.seed(PODS, {"metadata": {"name": "p", "namespace": ns}})
    inf = Informer(client, PODS, clock=ManualClock(), namespace="ml")
    inf.relist()
    assert [object_key(o) for o in inf.items()] == ["ml/p"]
    assert inf.get("p", "ml") is not None and inf.get("p", "web") is None


def test_a_store_keeping_identities_still_hands_out_whole_objects(
    client, kube: KubeMock
) -> None:
    kube.seed(NODES, _node("n1"))
    kube.seed(NODES, _node("n2"))
    got: list[tuple[str, dict[str, Any]]] = []
    inf = Informer(client, NODES, clock=ManualClock(), watch_timeout_s=1, keep=identity)
    inf.add_handler(lambda kind, obj, _old: got.append((kind, obj)))
    inf.relist()
    assert all(obj["metadata"]["labels"] for _, obj in got)  # handlers see everything
    stored = inf.get("n1")
    assert stored is not None and set(stored) == {"metadata"}
    assert set(stored["metadata"]) == {"name", "resourceVersion"}
    client.delete(NODES, "n2")
    got.clear()
    inf.relist()  # n2 vanished while nobody watched: reported by its identity
    assert [(kind, obj["metadata"]["name"]) for kind, obj in got] == [("DELETED", "n2")]


def test_each_watch_asks_the_server_for_a_random_timeout_in_t_to_2t(client, kube) -> None:
    draws = iter([0.0, 0.5, 0.999])
    inf = Informer(client, NODES, clock=ManualClock(), watch_timeout_s=10, rand=draws.__next__)
    inf.relist()
    for _ in range(3):
        inf.watch_once()  # the mock ends each stream after its 0.5 s cap
    asked = [r.query["timeoutSeconds"] for r in kube.requests_to("GET", "/nodes")
             if r.query.get("watch") == "true"]
    assert asked == ["10", "15", "19"]


def test_a_relist_replaces_the_store_before_it_reports_a_change(client, kube) -> None:
    # Two pages (the informer lists 500 at a time): every handler call, even the
    # first, sees the whole new store, never a half-listed or the old one.
    for i in range(600):
        kube.seed(NODES, _node(f"n{i:03}"))
    inf = Informer(client, NODES, clock=ManualClock(), watch_timeout_s=1)
    inf.relist()
    kube.remove(NODES, "n000")
    client.patch(NODES, "n599", {"metadata": {"labels": {"x": "1"}}})
    kube.seed(NODES, _node("n600"))
    kube.compact()
    views: list[tuple[str, str, int, bool, str | None]] = []

    def look(kind: str, obj: dict[str, Any], _old: dict[str, Any] | None) -> None:
        name = obj["metadata"]["name"]
        held = inf.get(name)
        views.append((kind, name, len(inf.items()), held is not None,
                      held["metadata"].get("labels", {}).get("x") if held else None))

    inf.add_handler(look)
    inf.run_once()  # the watch gets 410
    inf.run_once()  # relist
    assert sorted(views) == [("ADDED", "n600", 600, True, None),
                             ("DELETED", "n000", 600, False, None),
                             ("MODIFIED", "n599", 600, True, "1")]
    assert len([r for r in kube.requests_to("GET", "/nodes") if "watch" not in r.query]) == 4


def test_an_informer_is_synced_only_after_its_handlers_have_the_list(client, kube) -> None:
    kube.seed(NODES, _node("n1"))
    inf = Informer(client, NODES, clock=ManualClock(), watch_timeout_s=1)
    synced_while_handling: list[bool] = []
    inf.add_handler(lambda kind, obj, _old: synced_while_handling.append(inf.has_synced))
    inf.relist()
    assert synced_while_handling == [False] and inf.has_synced


def test_a_decoder_gives_the_store_and_handlers_only_its_fields(client, kube: KubeMock) -> None:
    for name in ("n1", "n2", "n3"):
        kube.seed(NODES, _node(name))
    got: list[dict[str, Any]] = []

    def names_only(raw: Any) -> dict[str, Any]:
        meta = orjson.loads(memoryview(raw))["metadata"]
        return {"metadata": {"name": meta["name"], "resourceVersion": meta["resourceVersion"]}}

    inf = Informer(client, NODES, clock=ManualClock(), watch_timeout_s=1, decode=names_only)
    inf.add_handler(lambda kind, obj, _old: got.append(obj))
    inf.relist()
    assert sorted(o["metadata"]["name"] for o in got) == ["n1", "n2", "n3"]
    assert all("labels" not in o["metadata"] for o in got)
    stored = inf.get("n2")
    assert stored is not None and "labels" not in stored["metadata"]
