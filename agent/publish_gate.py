"""When to write the NodeCache status: only on a change that matters, debounced,
rate-limited, with a heartbeat. A pure decision over (state, observation, now).

Measurements jitter (free GPU memory, page-cache bytes, a disk probe), so the
status is compared through a coarse fingerprint: GPU memory to the GiB,
resident bytes to 5 % of the model, bandwidths to 10 %, last use to ten
minutes. A change must hold still for `debounce_s` (a download in progress
keeps changing) but is never held back longer than `max_publish_delay_s`; writes are at
least `min_publish_interval_s` apart; an unchanged status is rewritten every
`heartbeat_s` so readers can tell a live agent from a stale record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from agent.settings import AgentSettings
from warmstart.domain import NodeInventory

GIB = 1024**3


def _bucket_bw(value: float | None) -> int | None:
    return None if value is None else round(math.log(value, 1.1))


def fingerprint(inv: NodeInventory) -> tuple[Any, ...]:
    sizes = {m.uri: m.bytes for m in inv.models if m.tier != "host-memory"}
    models = tuple(
        sorted(
            (
                m.uri,
                m.tier.value,
                m.digest,
                round(m.bytes / max(sizes.get(m.uri, m.bytes), 1) * 20)
                if m.tier == "host-memory"
                else m.bytes,
                int(m.last_used.timestamp() // 600) if m.last_used else None,
            )
            for m in inv.models
        )
    )
    gpus = tuple(
        (
            g.uuid,
            g.name,
            g.memory_total_bytes,
            round(g.memory_free_bytes / GIB),
            g.persistence_mode,
            g.mig_mode,
        )
        for g in inv.gpus
    )
    bandwidths = tuple(_bucket_bw(v) for v in inv.bandwidths.model_dump().values())
    warm = inv.warm.model_copy(update={"cuda_init_seconds": _bucket_bw(inv.warm.cuda_init_seconds)})
    return (inv.node_name, gpus, models, bandwidths, warm, inv.images)


@dataclass(frozen=True, slots=True)
class GateState:
    published: tuple[Any, ...] | None = None
    published_at: float = -math.inf
    candidate: tuple[Any, ...] | None = None
    steady_since: float = 0.0
    """When the candidate fingerprint last changed."""
    changed_since: float = 0.0
    """When the observation first differed from what was published."""


@dataclass(frozen=True, slots=True)
class GateDecision:
    publish: bool
    reason: str
    state: GateState


def decide(state: GateState, inv: NodeInventory, now: float, cfg: AgentSettings) -> GateDecision:
    fp = fingerprint(inv)
    since_write = now - state.published_at
    if fp == state.published:
        idle = GateState(state.published, state.published_at)
        if since_write >= cfg.heartbeat_s:
            return _published(fp, now, "heartbeat")
        return GateDecision(False, "unchanged", idle)
    if state.published is None:
        return _published(fp, now, "first status")
    steady = state.steady_since if fp == state.candidate else now
    changed = state.changed_since if state.candidate is not None else now
    pending = GateState(state.published, state.published_at, fp, steady, changed)
    if since_write < cfg.min_publish_interval_s:
        return GateDecision(False, f"rate limit: last write {since_write:.0f} s ago", pending)
    if now - steady >= cfg.debounce_s:
        return _published(fp, now, f"changed, steady for {now - steady:.0f} s")
    if now - changed >= cfg.max_publish_delay_s:
        return _published(fp, now, f"changed {now - changed:.0f} s ago, still moving")
    return GateDecision(False, "debouncing", pending)


def _published(fp: tuple[Any, ...], now: float, reason: str) -> GateDecision:
    return GateDecision(True, reason, GateState(fp, now))
