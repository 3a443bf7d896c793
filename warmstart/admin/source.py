"""The seam between the admin API and what it reports on: a live simulation
(`sim_source.py`) or a cluster (`cluster_source.py`). Routers talk only to
this protocol, so every route is served and tested the same way on both.
"""

from __future__ import annotations

from typing import Protocol

from warmstart.admin.dashboard_schemas import DashboardOut
from warmstart.admin.decisions import DecisionQuery
from warmstart.admin.schemas import (
    DecisionPage,
    ForecastOut,
    ModelDetailOut,
    ModelOut,
    NodeDetailOut,
    NodeOut,
    PrefetchOut,
)


class UnknownName(LookupError):
    """No node, model or pool by that name (the API answers 404 with the message)."""


class SourceUnavailable(RuntimeError):
    """The source cannot answer now (API server down); the API answers 503."""


class AdminSource(Protocol):
    def ready(self) -> bool: ...

    def pools(self) -> list[str]: ...

    def nodes(self) -> list[NodeOut]: ...

    def node(self, name: str, model: str | None) -> NodeDetailOut: ...

    def models(self) -> list[ModelOut]: ...

    def model(self, name: str) -> ModelDetailOut: ...

    def decisions(self, query: DecisionQuery) -> DecisionPage: ...

    def forecasts(self) -> list[ForecastOut]: ...

    def prefetch(self, pool: str, model: str) -> PrefetchOut: ...

    def dashboard(self) -> DashboardOut: ...
