"""Publishing only on change: debounced, rate-limited, with a heartbeat (clock stepped by hand)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from agent.publish_gate import GIB, GateState, decide, fingerprint
from agent.settings import AgentSettings
from warmstart.domain import CachedModel, CacheTier, GpuDevice, NodeInventory

CFG = AgentSettings(
    node_name="n",
    cache_dir=Path("/cache"),
    debounce_s=10,
    max_publish_delay_s=60,
    min_publish_interval_s=30,
    heartbeat_s=600,
)


def inv(free_gib: float = 70, resident: int = 0) -> NodeInventory:
    gpu = GpuDevice(
        uuid="GPU-1", memory_total_bytes=80 * GIB, memory_free_bytes=int(free_gib * GIB)
    )
    models = [CachedModel(uri="hf://o/m", tier=CacheTier.LOCAL_DISK, bytes=1000)]
    if resident:
        models.append(CachedModel(uri="hf://o/m", tier=CacheTier.HOST_MEMORY, bytes=resident))
    return NodeInventory(
        node_name="n", gpus=(gpu,), models=tuple(models), observed_at=datetime.now(UTC)
    )


def run(steps):
    state, out = GateState(), []
    for now, observed in steps:
        d = decide(state, observed, now, CFG)
        state = d.state
        out.append((now, d.publish, d.reason.split(":")[0].split(",")[0]))
    return out


def test_first_status_goes_out_at_once_then_jitter_is_ignored():
    # 70.2 GiB free rounds like 70 GiB; 2 % more resident bytes rounds the same.
    assert run(
        [(0, inv()), (40, inv(70.2)), (80, inv(resident=500)), (120, inv(resident=510))]
    ) == [
        (0, True, "first status"),
        (40, False, "unchanged"),
        (80, False, "debouncing"),
        (120, True, "changed"),
    ]


def test_a_change_waits_for_quiet_and_the_rate_limit():
    steps = [(0, inv()), (5, inv(40)), (20, inv(40)), (35, inv(40))]
    # 5 s: within 30 s of the last write; 20 s: still rate-limited; 35 s: steady 30 s -> write.
    assert [(t, p) for t, p, _ in run(steps)] == [(0, True), (5, False), (20, False), (35, True)]


def test_a_value_that_keeps_moving_is_published_after_the_max_delay():
    steps = [(0, inv())] + [(t, inv(70 - (t - 35) / 5)) for t in range(40, 110, 5)]  # 1 GiB/step
    published = [(t, r) for t, p, r in run(steps) if p and t > 0]

    # moving from 40 s on (changed since 40 s): max delay 60 s -> first write at 100 s.
    assert published == [(100, "changed 60 s ago")]


def test_an_unchanged_status_is_rewritten_on_the_heartbeat():
    assert [(t, p) for t, p, _ in run([(0, inv()), (599, inv()), (600, inv())])] == [
        (0, True),
        (599, False),
        (600, True),
    ]


def test_a_newly_staged_image_is_a_change_worth_publishing():
    before = NodeInventory(node_name="n")
    after = before.model_copy(update={"images": ("registry.local/serving/vllm:v1",)})
    assert fingerprint(before) != fingerprint(after)
