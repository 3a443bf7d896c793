"""Small traces and clusters that run in well under a second."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from warmstart.sim.config import ClusterSpec, ModelTemplate, PoolSpec, TruthSpec
from warmstart.traces import canonical

GB = 10**9


@pytest.fixture
def small_cluster() -> ClusterSpec:
    return ClusterSpec(
        pools=(PoolSpec(name="gpu", gpus_per_node=4, price_per_hour=10.0),),
        models=(ModelTemplate(name="7b", model_bytes=15 * GB, image="vllm:1",
                              image_bytes=10 * GB, gpus=1, requests_per_s=5.0),),
    )


@pytest.fixture
def exact_cluster(small_cluster: ClusterSpec) -> ClusterSpec:
    """The small cluster with the ground truth off: what happens is the estimate."""
    return small_cluster.model_copy(update={"truth": TruthSpec(enabled=False)})


@pytest.fixture
def bursty_trace() -> pd.DataFrame:
    """Three models over 12 hours: bursts every 20, 45 and 90 minutes with idle gaps."""
    rng = np.random.default_rng(5)
    models, ts = [], []
    for name, period in (("a", 1200.0), ("b", 2700.0), ("c", 5400.0)):
        for start in np.arange(0.0, 12 * 3600, period):
            arrivals = start + np.sort(rng.uniform(0, 120, size=20))
            models += [name] * len(arrivals)
            ts += arrivals.tolist()
    return canonical(models, ts, 1.0, name="bursty")
