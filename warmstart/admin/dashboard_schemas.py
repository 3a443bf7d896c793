"""What the dashboard draws, as one response: each chart's data, ready to plot."""

from __future__ import annotations

from pydantic import Field

from warmstart.admin.schemas import DecisionOut, Out, Stages


class WaterfallRow(Out):
    model: str
    cold_starts: int
    estimated: Stages = Field(description="mean estimate from the state the planner saw")
    measured: Stages = Field(description="mean of what the cold starts took")


class SeriesOut(Out):
    model: str
    t: list[float]
    actual: list[float]
    lo: list[float]
    mid: list[float]
    hi: list[float]


class WarmthMap(Out):
    nodes: list[str]
    models: list[str]
    cells: list[list[str]] = Field(description="cells[i][j]: tier of models[j] on nodes[i]")


class FrontierPoint(Out):
    policy: str
    knob: str
    gpu_hours: float
    cold_fraction: float
    ttfi_p99_s: float
    published_default: bool = Field(default=False, description="the policy's own setting")


class DashboardOut(Out):
    now: float
    progress: float = Field(ge=0, le=1)
    waterfall: list[WaterfallRow]
    series: list[SeriesOut]
    warmth: WarmthMap
    decisions: list[DecisionOut]
    frontier: list[FrontierPoint]
    frontier_state: str = Field(description="pending | running | done | failed: reason")
