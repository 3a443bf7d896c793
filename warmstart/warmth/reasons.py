"""The planner's reasons, in words an operator reads on a decision: the
choice, where, how likely a request is, how long it would wait, and what the
next dearer tier would have cost against the penalty it saves."""

from __future__ import annotations

from warmstart.warmth.costs import Costs, node_usd
from warmstart.warmth.slots import Slot
from warmstart.warmth.types import ModelNeed, PoolSupply, Warmth, WarmthPolicy


def model_reason(model: ModelNeed, warmth: Warmth, slot: Slot | None, c: Costs, why: str,
                 policy: WarmthPolicy) -> str:
    where = f" on {slot.name}" if slot is not None else ""
    t = model.times
    head = (f"{model.name}: {warmth.value}{where}; P(request in {c.horizon_s / 60:.0f} min)"
            f"={c.p:.2f}")
    waits = (f"start ~{t.host:.0f} s from host memory, {t.disk:.0f} s from disk, "
             f"{t.warm:.0f} s on a warm node, {t.new:.0f} s on a new one")
    step = f"per {policy.step_s / 60:g} min"
    if warmth is Warmth.RESIDENT:
        best = min(c.host, c.disk, c.warm)
        tail = (f"a resident replica costs ${c.resident:.2f} {step}, less than the "
                f"${best:.2f} expected penalty of the best cheaper tier")
        if why:
            tail = why
    elif warmth is Warmth.COLD:
        tail = f"{why or 'nothing cheaper'}; expected penalty ${c.warm:.2f} {step}"
    else:
        extra = c.resident - c.of(warmth)
        tail = (f"resident would cost ${extra:.2f} more {step} than the expected "
                f"penalty ${c.of(warmth):.2f}" if extra > 0 else why)
    return f"{head}; {waits}; {tail}"


def pool_reason(pool: PoolSupply, kept: list[Slot], policy: WarmthPolicy) -> str:
    paid = [s for s in kept if s.paid]
    if not paid:
        return f"{pool.name}: no idle node earns its price"
    saved = sum(s.benefit for s in paid)
    new = sum(1 for s in paid if s.new)
    return (f"{pool.name}: keep {len(paid)} idle node(s) ({new} new): they hold "
            f"{sum(len(s.models) for s in paid)} staged model(s) saving ${saved:.2f} expected "
            f"penalty per {policy.step_s / 60:g} min against "
            f"${node_usd(pool, policy) * len(paid):.2f} of node time")
