"""Per-pod records and the stage histograms, observed once per start."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import CollectorRegistry

from agent.waterfall import derive_waterfall
from agent.waterfall_store import WaterfallMetrics, WaterfallStore
from tests.agent.podstory import IMAGE, T0, already_present, condition, event, pod, pulled, running


def _ready_pod():
    return derive_waterfall(
        pod([condition("PodScheduled", 2), condition("Ready", 80)], running(70)),
        [event("Pulling", f'Pulling image "{IMAGE}"', 3), pulled(68, "1m4.5s")],
    )


def _stuck_pod():
    return derive_waterfall(pod([condition("PodScheduled", 0, status="False")], None), [])


def test_a_ready_pod_is_observed_once_per_stage_and_kept_for_the_api():
    registry = CollectorRegistry()
    store = WaterfallStore(WaterfallMetrics(registry))

    store.update(_ready_pod())
    store.update(_ready_pod())  # the same pod seen again (another event, a resync)

    def sample(name, **labels):
        return registry.get_sample_value(name, labels)

    assert sample("warmstart_startup_stage_seconds_count", stage="image") == 1
    assert sample("warmstart_startup_stage_seconds_sum", stage="image") == 64.5
    assert sample("warmstart_startup_stage_seconds_sum", stage="node") == 2.0
    assert sample("warmstart_startup_ready_seconds_count") == 1
    assert sample("warmstart_startup_stage_seconds_bucket", stage="image", le="60.0") == 0
    assert sample("warmstart_startup_stage_seconds_bucket", stage="image", le="90.0") == 1
    assert [r.name for r in store.records()] == ["llama-0"]


def test_waiting_pods_are_gauged_by_stage_until_they_go():
    registry = CollectorRegistry()
    store = WaterfallStore(WaterfallMetrics(registry))
    stuck = _stuck_pod()

    store.update(stuck)
    waiting = registry.get_sample_value("warmstart_startup_waiting_pods", {"waiting_on": "node"})
    store.forget(stuck.uid)

    assert waiting == 1
    assert registry.get_sample_value("warmstart_startup_waiting_pods", {"waiting_on": "node"}) == 0
    assert (
        registry.get_sample_value("warmstart_startup_stage_seconds_count", {"stage": "node"})
        is None
    )


def test_records_are_bounded_oldest_first_and_recent_images_are_a_warm_signal():
    store = WaterfallStore(WaterfallMetrics(CollectorRegistry()), max_pods=1)
    first = _ready_pod()
    second = derive_waterfall(
        pod([condition("PodScheduled", 1), condition("Ready", 9)], running(5)), [already_present(4)]
    ).model_copy(update={"uid": "other", "name": "llama-1"})

    store.update(first)
    store.update(second)

    assert [r.name for r in store.records()] == ["llama-1"]
    assert store.recent_images(T0 + timedelta(minutes=5), timedelta(minutes=10)) == (IMAGE,)
    assert store.recent_images(T0 + timedelta(hours=2), timedelta(minutes=10)) == ()
