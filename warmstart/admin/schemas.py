"""What the admin API answers: one pydantic model per response shape.

camelCase on the wire (as the rest of warmstart's Kubernetes-facing JSON),
snake_case in Python. Request bodies live in `requests.py`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class Out(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class Stages(Out):
    node: float = 0.0
    image: float = 0.0
    model: float = 0.0
    cuda: float = 0.0
    h2d: float = Field(default=0.0, alias="h2d")


class StartEstimate(Out):
    model: str
    total_s: float
    tier: str = Field(description="the fastest tier holding the model, or 'remote'")
    stages: Stages


class CachedOut(Out):
    uri: str
    tier: str
    bytes: int


class NodeOut(Out):
    name: str
    pool: str
    gpus: int
    free_gpus: int | None = None
    models: list[CachedOut] = []
    persistence_mode: bool = False
    recent_images: list[str] = []
    observed_at: float | None = None
    age_s: float | None = None
    stale: bool = False


class NodeDetailOut(NodeOut):
    estimate: StartEstimate | None = None


class Band(Out):
    quantiles: dict[str, float] = Field(description="quantile -> requests/s")
    lo: float
    mid: float
    hi: float


class ModelOut(Out):
    name: str
    uri: str
    pool: str
    resident: list[str] = Field(default=[], description="nodes with a GPU-resident replica")
    staged: dict[str, list[str]] = Field(default={}, description="tier -> nodes")
    warm_ready: int = 0
    warm_starting: int = 0
    forecast: Band | None = None


class ColdStartOut(Out):
    model: str
    node: str
    trigger: str
    started_at: float
    ready_at: float
    measured: Stages
    estimated: Stages | None = None


class ModelDetailOut(ModelOut):
    cold_starts: list[ColdStartOut] = []


class DecisionOut(Out):
    at: float
    source: str = Field(description="provisioner | warmth | admin")
    kind: str
    pool: str = ""
    model: str = ""
    subject: str = ""
    reason: str
    outcome: str = ""
    estimate_s: float | None = None
    stages: dict[str, float] = {}


class DecisionPage(Out):
    items: list[DecisionOut]
    total: int


class BacktestScore(Out):
    forecaster: str
    points: int
    coverage: float | None = Field(description="share of actuals inside [lo, hi]")
    pinball_hi: float | None = Field(description="mean pinball loss at the upper quantile")


class ForecastOut(Out):
    model: str
    pool: str
    issued_at: float
    horizon_s: float
    band: Band
    backtest: BacktestScore | None = None


class PrefetchOut(Out):
    pool: str
    model: str
    objects: list[str] = Field(description="names of the Prefetch objects created or found")


class Health(Out):
    status: str
