"""The admin API over a live simulation: the packaged or a shared trace
replayed on a virtual clock under the `warmstart` policy, paced to `speed`
virtual seconds per wall second, observed through `Recorder`.

The advisor (forecaster + planner) and the forecast band come from the
composition root, so this module stays in the core.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pandas as pd

from warmstart.admin.dashboard_schemas import DashboardOut, FrontierPoint
from warmstart.admin.dashboard_view import dashboard
from warmstart.admin.decisions import DecisionQuery, page
from warmstart.admin.live_state import LiveState
from warmstart.admin.policy import PolicyLookup
from warmstart.admin.recorder import BandFn, Recorder, SimulationStopped
from warmstart.admin.schemas import (
    DecisionOut,
    DecisionPage,
    ForecastOut,
    ModelDetailOut,
    ModelOut,
    NodeDetailOut,
    NodeOut,
    PrefetchOut,
)
from warmstart.admin.scores import score
from warmstart.admin.source import UnknownName
from warmstart.admin.views import best_tiers, estimate_out
from warmstart.sim.advisor import CapacityAdvisor
from warmstart.sim.catalog import build_catalog, image_sizes
from warmstart.sim.config import ClusterSpec
from warmstart.sim.demand import step_demand
from warmstart.sim.engine import Simulation
from warmstart.sim.policies import warmstart

log = logging.getLogger(__name__)
# (cluster, the current policy of a pool) -> the advisor the live run uses
AdvisorFactory = Callable[[ClusterSpec, PolicyLookup], CapacityAdvisor]


class LiveSimulation:
    def __init__(self, frame: pd.DataFrame, cluster: ClusterSpec, advisor: AdvisorFactory,
                 band: BandFn, policy: PolicyLookup, *, speed: float = 0.0, seed: int = 0,
                 horizon_s: float = 600.0, forecaster: str = "ewma",
                 frontier: Callable[[], tuple[str, list[FrontierPoint]]] = lambda: ("", [])
                 ) -> None:
        demand = step_demand(frame, cluster.autoscaler.step_s)
        self.cluster, self.forecaster, self.frontier = cluster, forecaster, frontier
        self.state = LiveState(origin=demand.origin, span_s=max(demand.steps * demand.step_s, 1))
        self.stop = threading.Event()
        self.recorder = Recorder(advisor(cluster, policy), band, self.state, horizon_s, speed,
                                 self.stop)
        models = build_catalog(demand.names, cluster, seed)
        self.sim = Simulation(demand, models, cluster,
                              warmstart(image_sizes(cluster), advisor=self.recorder), seed)
        self.recorder.sim = self.sim
        self.state.pods = {m.name: m.pod for m in models}
        self.state.image_bytes = image_sizes(cluster)
        self.uris = {m.name: m.uri for m in models}
        self._thread = threading.Thread(target=self._run, daemon=True, name="live-sim")

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self.stop.set()
        self._thread.join(timeout=10)

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            self.sim.run()
        except SimulationStopped:
            return
        except Exception as exc:  # reported on /readyz and the dashboard, never raised
            log.exception("live simulation failed")
            self.state.error = f"{type(exc).__name__}: {exc}"
        self.state.done = True

    # -- AdminSource --------------------------------------------------------------
    def ready(self) -> bool:
        return bool(self.state.models) and not self.state.error

    def pools(self) -> list[str]:
        return [p.name for p in self.cluster.pools]

    def nodes(self) -> list[NodeOut]:
        return list(self.state.nodes)

    def node(self, name: str, model: str | None) -> NodeDetailOut:
        st = self.state
        with st.lock:  # the rows and views of one planning step, not of two
            nodes, views = st.nodes, st.views
        found = next((n for n in nodes if n.name == name), None)
        if found is None:
            raise UnknownName(f"no node named {name!r}")
        estimate = None
        if model is not None:
            key = self._model_name(model)
            estimate = estimate_out(key, st.pods[key], views[name], st.image_bytes)
        return NodeDetailOut(**found.model_dump(), estimate=estimate)

    def _model_name(self, name_or_uri: str) -> str:
        if name_or_uri in self.uris:
            return name_or_uri
        found = next((n for n, u in self.uris.items() if u == name_or_uri), None)
        if found is None:
            raise UnknownName(f"no model named {name_or_uri!r}")
        return found

    def models(self) -> list[ModelOut]:
        tiers = best_tiers(self.state.nodes)
        out = []
        for m in self.state.models:
            held = tiers.get(m.uri, {})
            staged: dict[str, list[str]] = {}
            for node, tier in sorted(held.items()):
                if tier != "gpu-resident":
                    staged.setdefault(tier, []).append(node)
            resident = sorted(n for n, t in held.items() if t == "gpu-resident")
            out.append(m.model_copy(update={"resident": resident, "staged": staged}))
        return out

    def model(self, name: str) -> ModelDetailOut:
        key = self._model_name(name)
        row = next(m for m in self.models() if m.name == key)
        with self.state.lock:
            cold = [c for c in self.state.cold_starts if c.model == key][-50:]
        return ModelDetailOut(**row.model_dump(), cold_starts=cold)

    def decisions(self, query: DecisionQuery) -> DecisionPage:
        return page(self.state.decisions.items(), query)

    def forecasts(self) -> list[ForecastOut]:
        st, out = self.state, []
        pools = {m.name: m.pool for m in st.models}
        with st.lock:
            for model, (issued, band) in sorted(st.forecasts.items()):
                s = st.series.get(model)
                backtest = score(self.forecaster, list(s.actual), list(s.band)) if s else None
                out.append(ForecastOut(model=model, pool=pools.get(model, ""), issued_at=issued,
                                       horizon_s=self.recorder.horizon_s, band=band,
                                       backtest=backtest))
        return out

    def prefetch(self, pool: str, model: str) -> PrefetchOut:
        if pool not in self.pools():
            raise UnknownName(f"no pool named {pool!r}")
        key = self._model_name(model)
        self.recorder.staging.put((pool, key))
        nodes = [n.name for n in self.state.nodes if n.pool == pool]
        self.state.decisions.add(DecisionOut(
            at=self.state.now, source="admin", kind="prefetch", pool=pool, model=key,
            subject=key, reason=f"staged on request into {len(nodes)} node(s) of {pool} "
                                "at the next planning step"))
        return PrefetchOut(pool=pool, model=key, objects=nodes)

    def dashboard(self) -> DashboardOut:
        state, points = self.frontier()
        return dashboard(self.state, self.models(), points, state)
