"""The simulated cluster as one typed, validated object: node pools, the model
mix deployed on them, and the autoscaler's knobs. Read from a YAML `--cluster`
file or taken from the documented defaults; a bad field fails with its path.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from warmstart.domain.node import Bandwidths

GB = 10**9


class PoolSpec(BaseModel):
    """One node pool: what a node has, costs and takes to boot."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    gpus_per_node: int = Field(default=8, ge=1)
    gpu_memory_gib: float = Field(default=80, gt=0)
    price_per_hour: float = Field(default=24.0, ge=0, description="$ per node-hour")
    # The product brief: a new node takes 60-120 s to boot and join.
    boot_seconds: tuple[float, float] = (60.0, 120.0)
    spot: bool = False
    reclaims_per_hour: float = Field(default=0.0, ge=0, description="spot reclaim rate per node")
    disk_cache_bytes: int = Field(default=2000 * GB, ge=0, description="local NVMe, LRU")
    host_cache_bytes: int = Field(default=500 * GB, ge=0, description="page cache, LRU")
    persistence_mode: bool = True
    bandwidths: Bandwidths = Field(default_factory=Bandwidths)
    min_nodes: int = Field(default=0, ge=0)
    max_nodes: int = Field(default=100_000, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> PoolSpec:
        low, high = self.boot_seconds
        if not 0 <= low <= high:
            raise ValueError(f"boot_seconds: need 0 <= min <= max, got {self.boot_seconds}")
        if self.spot is False and self.reclaims_per_hour:
            raise ValueError("reclaims_per_hour: only spot pools are reclaimed")
        return self


class ModelTemplate(BaseModel):
    """A kind of deployment; trace series are assigned templates by `weight`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)
    model_bytes: int = Field(gt=0)
    image: str = Field(min_length=1)
    image_bytes: int = Field(gt=0)
    gpus: int = Field(default=1, ge=1, description="GPUs per replica (tensor parallel)")
    requests_per_s: float = Field(gt=0, description="what one replica serves")
    pool: str | None = Field(default=None, description="default: the first pool")


class AutoscalerSpec(BaseModel):
    """Request-load autoscaler (Knative/KServe-like) and cluster-autoscaler knobs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    step_s: float = Field(default=60.0, gt=0, description="autoscaler tick and demand bin")
    target_utilization: float = Field(default=0.7, gt=0, le=1)
    scale_down_delay_s: float = Field(default=300.0, ge=0)
    ca_scan_s: float = Field(default=10.0, gt=0, description="cluster-autoscaler scan period")
    # cluster-autoscaler ignores unschedulable GPU pods younger than 30 s.
    ca_gpu_pod_min_age_s: float = Field(default=30.0, ge=0)
    ca_scale_down_unneeded_s: float = Field(default=600.0, ge=0)
    # Long enough for a 70B replica (about 20 min from a cold node) to be ready at the start.
    warmup_s: float = Field(default=3600.0, ge=0, description="cluster runs before the trace")


Spread = tuple[float, float]


class TruthSpec(BaseModel):
    """The ground truth the estimate is graded against (`warmstart.sim.truth`).

    Each spread multiplies a stage's nominal time (the estimate's, from the
    pool's bandwidths) by a factor drawn uniformly from it; the defaults span
    the product brief's ranges around their middles: pull 30-60 s, model
    download 60-180 s for 14 GB, CUDA 5-30 s (boot, 60-120 s, is the pool's).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = Field(default=True, description="off: what happens is the estimate")
    image_pull: Spread = (2 / 3, 4 / 3)  # per node: its registry bandwidth
    model_download: Spread = (0.5, 1.5)  # per node: its object-store bandwidth
    disk_read: Spread = (2 / 3, 4 / 3)  # per node: its NVMe
    host_to_device: Spread = (0.8, 1.2)  # per node: its PCIe
    cuda: Spread = (5 / 17.5, 30 / 17.5)  # per start
    # The agent's NodeCache report period: what the estimate sees lags the caches.
    agent_report_s: float = Field(default=30.0, ge=0)
    # RAM a serving process pins per GPU (pinned staging buffers, KV swap space,
    # the runtime); it is taken from the page cache, which evicts to make room.
    host_bytes_per_gpu: int = Field(default=32 * GB, ge=0)

    @model_validator(mode="after")
    def _spreads(self) -> TruthSpec:
        for name in ("image_pull", "model_download", "disk_read", "host_to_device", "cuda"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ValueError(f"{name}: need 0 < low <= high, got {(low, high)}")
        return self


class ClusterSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pools: tuple[PoolSpec, ...] = Field(min_length=1)
    models: tuple[ModelTemplate, ...] = Field(min_length=1)
    autoscaler: AutoscalerSpec = Field(default_factory=AutoscalerSpec)
    truth: TruthSpec = Field(default_factory=TruthSpec)

    @model_validator(mode="after")
    def _pools_exist(self) -> ClusterSpec:
        names = [p.name for p in self.pools]
        if len(set(names)) != len(names):
            raise ValueError(f"pools: names must be unique, got {names}")
        for i, template in enumerate(self.models):
            if template.pool is not None and template.pool not in names:
                raise ValueError(f"models[{i}].pool: no pool named {template.pool!r}")
        return self

    def pool(self, name: str | None) -> PoolSpec:
        return next((p for p in self.pools if p.name == name), self.pools[0])


class ClusterError(ValueError):
    """The cluster file is unreadable or invalid; the message names the field."""


def load_cluster(path: str | Path) -> ClusterSpec:
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ClusterError(f"{path}: {exc}") from exc
    try:
        return ClusterSpec.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ClusterError(f"{path}: {where}: {first['msg']}") from exc


def default_cluster() -> ClusterSpec:
    """8-GPU on-demand nodes and an LLM mix of 7B/13B/70B models on vLLM/TGI images."""
    return ClusterSpec(
        pools=(PoolSpec(name="gpu-a100"),),
        models=(
            ModelTemplate(name="7b-fp16", weight=5, model_bytes=15 * GB,
                          image="vllm/vllm-openai:v0.6.3", image_bytes=10 * GB,
                          gpus=1, requests_per_s=8.0),
            ModelTemplate(name="13b-fp16", weight=3, model_bytes=26 * GB,
                          image="ghcr.io/huggingface/text-generation-inference:2.4",
                          image_bytes=12 * GB, gpus=1, requests_per_s=5.0),
            ModelTemplate(name="70b-fp16", weight=1, model_bytes=140 * GB,
                          image="vllm/vllm-openai:v0.6.3", image_bytes=10 * GB,
                          gpus=4, requests_per_s=4.0),
        ),
    )
