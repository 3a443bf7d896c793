"""The dashboard's charts from a live state: waterfall per model, forecast vs
actual, node x model warmth, recent decisions (the frontier comes separately)."""

from __future__ import annotations

from warmstart.admin.dashboard_schemas import (
    DashboardOut,
    FrontierPoint,
    SeriesOut,
    WarmthMap,
    WaterfallRow,
)
from warmstart.admin.decisions import DecisionQuery, page
from warmstart.admin.live_state import LiveState
from warmstart.admin.schemas import ColdStartOut, ModelOut, NodeOut
from warmstart.admin.views import best_tiers, mean_stages

MAX_MODELS = 12  # the busiest models; more would not fit one screen
MAX_NODES = 40


def waterfall(cold: list[ColdStartOut]) -> list[WaterfallRow]:
    by_model: dict[str, list[ColdStartOut]] = {}
    for c in cold:
        by_model.setdefault(c.model, []).append(c)
    rows = [WaterfallRow(model=m, cold_starts=len(cs),
                         estimated=mean_stages(c.estimated.model_dump() for c in cs
                                               if c.estimated is not None),
                         measured=mean_stages(c.measured.model_dump() for c in cs))
            for m, cs in by_model.items()]
    return sorted(rows, key=lambda r: -r.cold_starts)[:MAX_MODELS]


def warmth(nodes: list[NodeOut], models: list[ModelOut]) -> WarmthMap:
    tiers = best_tiers(nodes)
    shown = [m for m in models if m.uri in tiers][:MAX_MODELS]
    busy = sorted(nodes, key=lambda n: -len(n.models))[:MAX_NODES]
    names = sorted(n.name for n in busy)
    return WarmthMap(nodes=names, models=[m.name for m in shown],
                     cells=[[tiers[m.uri].get(n, "") for m in shown] for n in names])


def dashboard(st: LiveState, models: list[ModelOut], frontier: list[FrontierPoint],
              frontier_state: str) -> DashboardOut:
    with st.lock:
        cold = list(st.cold_starts)
        nodes = list(st.nodes)
        series = sorted(st.series.items(), key=lambda kv: -sum(kv[1].actual))[:MAX_MODELS]
        series_out = [SeriesOut(model=m, t=list(s.t), actual=list(s.actual),
                                lo=[b.lo for b in s.band], mid=[b.mid for b in s.band],
                                hi=[b.hi for b in s.band]) for m, s in series]
    return DashboardOut(
        now=st.now, progress=st.progress, waterfall=waterfall(cold), series=series_out,
        warmth=warmth(nodes, models),
        decisions=page(st.decisions.items(), DecisionQuery(limit=20)).items,
        frontier=frontier, frontier_state=frontier_state)
