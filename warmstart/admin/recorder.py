"""A `CapacityAdvisor` wrapper that watches a simulation from inside it.

The simulator calls its advisor every few virtual minutes on its own thread,
with a consistent snapshot; the recorder passes the call through, then copies
what the admin API serves into `LiveState`, applies staging requests queued by
the API, and (if paced) sleeps so the virtual clock runs at `speed` x wall time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from queue import Empty, SimpleQueue
from typing import TYPE_CHECKING

from warmstart.admin.live_state import LiveState
from warmstart.admin.schemas import Band, ColdStartOut, DecisionOut, ModelOut
from warmstart.admin.views import node_out, stages_of
from warmstart.estimate import NodeView, estimate_startup
from warmstart.sim.advisor import CapacityAdvice, CapacityAdvisor, ClusterSnapshot, DemandHistory
from warmstart.sim.nodes import pool_defaults

if TYPE_CHECKING:
    from warmstart.sim.engine import Simulation

# (history, horizon seconds) -> model -> band of request rates over the horizon
BandFn = Callable[[DemandHistory, float], dict[str, Band]]


class Recorder:
    def __init__(self, inner: CapacityAdvisor, band: BandFn, state: LiveState,
                 horizon_s: float, speed: float, stop: threading.Event) -> None:
        self.inner, self.band, self.state = inner, band, state
        self.horizon_s, self.speed, self.stop = horizon_s, speed, stop
        self.sim: Simulation | None = None
        self.staging: SimpleQueue[tuple[str, str]] = SimpleQueue()
        self._targets: dict[str, int] = {}
        self._warm_nodes: dict[str, int] = {}
        self._seen_cold = 0
        self._last: tuple[float, float] | None = None  # (virtual, wall) of the last call

    def __call__(self, snap: ClusterSnapshot, history: DemandHistory) -> CapacityAdvice:
        self._stage_queued(snap.now)
        advice = self.inner(snap, history)
        self._record(snap, history, advice)
        self._pace(snap.now)
        return advice

    def _pace(self, now: float) -> None:
        wall = time.monotonic()
        if self.speed > 0 and self._last is not None:
            due = self._last[1] + (now - self._last[0]) / self.speed
            self.stop.wait(max(0.0, due - wall))
        if self.stop.is_set():
            raise SimulationStopped
        self._last = (now, time.monotonic())

    def _stage_queued(self, now: float) -> None:
        """Stage queued (pool, model) pairs into the pool's ready nodes' caches."""
        sim = self.sim
        while sim is not None:
            try:
                pool, name = self.staging.get_nowait()
            except Empty:
                return
            spec = next(m for m in sim.models if m.name == name)
            # what an agent's Prefetch does: weights on local disk, in page cache
            items = [(f"m:{spec.uri}", spec.model_bytes), (f"h:{spec.uri}", spec.model_bytes)]
            for node in list(sim.reps.cluster.nodes.values()):
                if node.pool.name == pool and node.ready_at <= now:
                    sim.reps.cluster.apply(node, node.cache(items, now))

    def _record(self, snap: ClusterSnapshot, history: DemandHistory,
                advice: CapacityAdvice) -> None:
        assert self.sim is not None
        sim, st, now = self.sim, self.state, snap.now
        window = max(1, round((now - (self._last[0] if self._last else now)) / history.step_s))
        actual = dict(zip(history.models, history.rates[:, -window:].mean(axis=1).tolist(),
                          strict=True))
        st.observe(actual, now)
        bands = self.band(history, self.horizon_s)
        resident: dict[str, list[str]] = {}
        for m, spec in enumerate(sim.models):
            for replica in sim.reps.ready[m]:
                resident.setdefault(replica.node.name, []).append(spec.uri)
        views = {n.name: n.view(now) for n in sim.reps.cluster.nodes.values()}
        nodes = tuple(node_out(n.name, n.pool.name, n.pool.gpus_per_node, views[n.name].inventory,
                               now, float("inf"), n.free_gpus, resident.get(n.name, ()))
                      for n in sorted(sim.reps.cluster.nodes.values(), key=lambda n: n.name))
        models = tuple(ModelOut(
            name=m.name, uri=m.uri, pool=m.pool, warm_ready=s.ready, warm_starting=s.starting,
            forecast=bands.get(m.name)) for m, s in zip(sim.models, snap.models, strict=True))
        cold = self._cold_starts(st.views)
        decisions = self._decisions(snap, advice)
        with st.lock:
            st.now, st.nodes, st.models, st.views = now, nodes, models, views
            st.forecasts.update({k: (now, b) for k, b in bands.items()})
            st.cold_starts.extend(cold)
        st.decisions.extend(decisions)

    def _cold_starts(self, before: dict[str, NodeView]) -> list[ColdStartOut]:
        """New cold starts, each with the estimate from the node as last seen
        before it (a node created since then: a new node of its pool)."""
        assert self.sim is not None
        sim, out = self.sim, []
        fresh = sim.metrics.cold_starts[self._seen_cold:]
        self._seen_cold += len(fresh)
        specs = {m.name: m for m in sim.models}
        for c in fresh:
            spec = specs[c.model]
            view = before.get(c.node) or NodeView(
                c.node, pool=pool_defaults(sim.spec.pool(spec.pool)), boot_remaining_s=None)
            est = estimate_startup(spec.pod, view, sim.reps.image_bytes)
            out.append(ColdStartOut(model=c.model, node=c.node, trigger=c.trigger,
                                    started_at=c.started_at, ready_at=c.ready_at,
                                    measured=stages_of(c.stages),
                                    estimated=stages_of(est.stages())))
        return out

    def _decisions(self, snap: ClusterSnapshot, advice: CapacityAdvice) -> list[DecisionOut]:
        """The planner's choices that changed since the last step (a model's warm
        replicas, a pool's idle warm nodes), and every staging order."""
        pools = {m.name: m.pool for m in snap.models}
        out = []
        for model, target in advice.replicas.items():
            if self._targets.get(model, 0) != target.replicas:
                kind = "warm" if target.replicas else "cool"
                out.append(DecisionOut(at=snap.now, source="warmth", kind=kind, model=model,
                                       pool=pools.get(model, ""), subject=model,
                                       reason=f"{target.replicas} warm replica(s): "
                                              f"{target.reason}"))
            self._targets[model] = target.replicas
        for pool, nodes in advice.warm_nodes.items():
            if self._warm_nodes.get(pool, 0) != nodes:
                why = next((r for r in advice.reasons if f"{pool}:" in r),
                           f"{nodes} idle warm node(s)")
                out.append(DecisionOut(at=snap.now, source="warmth", kind="warm-nodes",
                                       pool=pool, subject=pool, reason=why))
            self._warm_nodes[pool] = nodes
        out += [DecisionOut(at=snap.now, source="warmth",
                            kind="unstage" if o.drop else "stage", model=o.model,
                            pool=pools.get(o.model, ""), subject=o.node,
                            reason=f"{o.model} -> {o.tier} on {o.node}: {o.reason}")
                for o in advice.staging]
        return out


class SimulationStopped(Exception):
    """Raised inside the simulation's thread to end a paced run early."""
