"""The hybrid histogram policy of Shahrad et al., "Serverless in the Wild"
(USENIX ATC'20), per model.

Idle times go into a histogram of 1-minute bins over 4 hours. When it is
representative, pre-warm at the 5th percentile minus 10% and keep alive until
the 99th percentile plus 10%. When it is not (too few samples, or the bin
counts' coefficient of variation below 2: idle times spread out), fall back to
a fixed keep-alive over the histogram's range. When most idle times fall
outside the range, predict the next one from the recent out-of-bounds ones
(the paper fits ARIMA; we take their mean) and wrap it in a 15% margin.
"""

from __future__ import annotations

import numpy as np

from warmstart.sim.catalog import ModelSpec
from warmstart.sim.placement import least_allocated
from warmstart.sim.policies import Policy

BIN_S = 60.0
BINS = 240  # 4 hours of 1-minute bins
HEAD, TAIL = 0.05, 0.99
HEAD_MARGIN, TAIL_MARGIN = 0.9, 1.1
CV_MIN = 2.0
MIN_SAMPLES = 10
OOB_SHARE = 0.5
OOB_MARGIN = 0.15
OOB_RECENT = 5


class HybridHistogram(Policy):
    def __init__(self) -> None:
        super().__init__("hybrid-histogram", least_allocated, idle_s=BINS * BIN_S)
        self.hist = np.zeros((0, BINS), dtype="int64")
        self.oob = np.zeros((0, OOB_RECENT))
        self.oob_count = np.zeros(0, dtype="int64")

    def bind(self, models: list[ModelSpec]) -> None:
        super().bind(models)
        n = len(models)
        self.hist = np.zeros((n, BINS), dtype="int64")
        self.oob = np.zeros((n, OOB_RECENT))
        self.oob_count = np.zeros(n, dtype="int64")

    def observe_idle(self, models: np.ndarray, idle_s: np.ndarray) -> None:
        minute = (idle_s // BIN_S).astype("int64")
        inside = minute < BINS
        np.add.at(self.hist, (models[inside], minute[inside]), 1)
        for m, idle in zip(models[~inside].tolist(), idle_s[~inside].tolist(), strict=True):
            self.oob[m, self.oob_count[m] % OOB_RECENT] = idle
            self.oob_count[m] += 1
        self._update(np.unique(models))

    def _update(self, models: np.ndarray) -> None:
        hist = self.hist[models].astype("float64")
        inside = hist.sum(axis=1)
        oob = self.oob_count[models]
        total = inside + oob
        cv = hist.std(axis=1) / np.maximum(hist.mean(axis=1), 1e-12)
        cdf = np.cumsum(hist, axis=1) / np.maximum(inside, 1)[:, None]
        head = np.argmax(cdf >= HEAD, axis=1) * BIN_S  # lower edge of the head bin
        tail = (np.argmax(cdf >= TAIL, axis=1) + 1) * BIN_S  # upper edge of the tail bin
        prewarm = head * HEAD_MARGIN
        keep = tail * TAIL_MARGIN - prewarm
        fixed = (total < MIN_SAMPLES) | (cv < CV_MIN)
        prewarm[fixed], keep[fixed] = 0.0, BINS * BIN_S
        out = (total >= MIN_SAMPLES) & (oob > OOB_SHARE * total)
        recent = np.minimum(oob, OOB_RECENT)
        predicted = self.oob[models].sum(axis=1) / np.maximum(recent, 1)
        prewarm[out] = predicted[out] * (1 - OOB_MARGIN)
        keep[out] = predicted[out] * 2 * OOB_MARGIN
        self.prewarm_s[models] = prewarm
        self.keepalive_s[models] = np.maximum(keep, BIN_S)


def hybrid_histogram() -> HybridHistogram:
    return HybridHistogram()
