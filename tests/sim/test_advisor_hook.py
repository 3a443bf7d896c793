"""An injected capacity advisor is called on schedule and its advice is applied."""

from __future__ import annotations

import numpy as np
import pandas as pd

from warmstart.sim import (
    CapacityAdvice,
    ClusterSnapshot,
    ClusterSpec,
    DemandHistory,
    WarmTarget,
    simulate,
)
from warmstart.sim.catalog import image_sizes
from warmstart.sim.policies import warmstart


class KeepEverythingWarm:
    """Asks for one warm replica of every model seen so far, and one idle node."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, int]] = []

    def __call__(self, snapshot: ClusterSnapshot, history: DemandHistory) -> CapacityAdvice:
        self.calls.append((snapshot.now, history.rates.shape[1]))
        assert history.models == tuple(m.name for m in snapshot.models)
        seen = history.rates.sum(axis=1) > 0
        targets = {name: WarmTarget(1, snapshot.now + 3600, "seen in the last day")
                   for name, hot in zip(history.models, seen, strict=True) if hot}
        return CapacityAdvice(replicas=targets, warm_nodes={snapshot.pools[0].name: 1})


def test_advisor_is_called_every_interval_and_cuts_cold_starts(
        bursty_trace: pd.DataFrame, small_cluster: ClusterSpec) -> None:
    sizes = image_sizes(small_cluster)
    advisor = KeepEverythingWarm()
    plain, advised = warmstart(sizes), warmstart(sizes, advisor=advisor, advisor_interval_s=600)
    result = simulate(bursty_trace, small_cluster, [plain, advised], seed=2)
    without, with_advice = (o.metrics for o in result.outcomes)
    # One call every 10 steps of 60 s, the first at the trace's first step.
    assert len(advisor.calls) == -(-result.demand.steps // 10)
    assert advisor.calls[1][0] - advisor.calls[0][0] == 600
    assert advisor.calls[0][1] == 24 * 60  # one day of 1-min bins
    assert len(with_advice.cold_starts) < len(without.cold_starts)
    assert advised.mode == "placement + capacity advisor"
    assert plain.mode == "placement only"


def test_history_converts_to_the_forecasters_long_table() -> None:
    history = DemandHistory(("a", "b"), 60.0, 600.0, np.array([[1.0, 2.0], [0.0, 3.0]]))
    frame = history.to_frame()
    assert frame["series"].tolist() == ["a", "a", "b", "b"]
    assert frame["ds"].iloc[0] == pd.Timestamp(480, unit="s", tz="UTC")
    assert frame["y"].tolist() == [1.0, 2.0, 0.0, 3.0]
