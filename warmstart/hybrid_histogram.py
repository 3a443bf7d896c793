"""The hybrid histogram policy of Shahrad et al., "Serverless in the Wild"
(USENIX ATC'20): when to pre-warm a model and how long to keep it warm, from
the idle times between its requests. The simulator's `hybrid-histogram`
policy and the forecaster's `HybridHistogram` baseline both use this one rule.

Idle times go into a histogram of 1-minute bins over 4 hours. When it is
representative, pre-warm at the 5th percentile minus 10% and keep warm until
the 99th percentile plus 10% (percentiles at bin edges, as the paper's
histogram gives them). When it is not (too few samples, or the bin counts'
coefficient of variation below 2: idle times spread out), fall back to a
fixed keep-alive over the histogram's range. When most idle times fall
outside the range, predict the next one from the recent out-of-range ones
(the paper fits ARIMA; we take their mean) and wrap it in a 15% margin.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

BIN_S = 60.0
BINS = 240  # 4 hours of 1-minute bins
RANGE_S = BINS * BIN_S
HEAD, TAIL = 0.05, 0.99
MARGIN = 0.1  # pre-warm 10% earlier, keep alive 10% longer
CV_MIN = 2.0
MIN_SAMPLES = 10
OOB_SHARE = 0.5
OOB_MARGIN = 0.15
OOB_RECENT = 5

Floats = npt.NDArray[np.float64]


class IdleHistograms:
    """The idle-time histograms of `n` models (rows), fed as idle times arrive."""

    def __init__(self, n: int, min_samples: int = MIN_SAMPLES, head: float = HEAD,
                 tail: float = TAIL, margin: float = MARGIN) -> None:
        self.min_samples = min_samples
        self.head, self.tail, self.margin = head, tail, margin
        self.hist = np.zeros((n, BINS), dtype=np.int64)
        self.oob = np.zeros((n, OOB_RECENT))  # the latest out-of-range idle times, a ring
        self.oob_count = np.zeros(n, dtype=np.int64)

    def observe(self, rows: npt.NDArray[np.int64], idle_s: Floats) -> None:
        """Add idle times (seconds), in the order they happened, to their rows."""
        minute = (idle_s // BIN_S).astype(np.int64)
        inside = minute < BINS
        np.add.at(self.hist, (rows[inside], minute[inside]), 1)
        for row, idle in zip(rows[~inside].tolist(), idle_s[~inside].tolist(), strict=True):
            self.oob[row, self.oob_count[row] % OOB_RECENT] = idle
            self.oob_count[row] += 1

    def windows(self, rows: npt.NDArray[np.int64]) -> tuple[Floats, Floats]:
        """(pre-warm, keep-alive) seconds per row: warm from pre-warm after the last
        request, for keep-alive more (a pre-warm of 0 means never unloaded)."""
        counts = self.hist[rows]
        hist = counts.astype(np.float64)
        inside = counts.sum(axis=1)
        oob = self.oob_count[rows]
        total = inside + oob
        cv = hist.std(axis=1) / np.maximum(hist.mean(axis=1), 1e-12)
        # Summed as integers (exact either way): several times faster than floats.
        cdf = np.cumsum(counts, axis=1) / np.maximum(inside, 1)[:, None]
        head = np.argmax(cdf >= self.head, axis=1) * BIN_S  # lower edge of the head bin
        tail = (np.argmax(cdf >= self.tail, axis=1) + 1) * BIN_S  # upper edge of the tail bin
        prewarm = head * (1 - self.margin)
        keep = tail * (1 + self.margin) - prewarm
        fixed = (total < self.min_samples) | (cv < CV_MIN)
        prewarm[fixed], keep[fixed] = 0.0, RANGE_S
        out = (total >= self.min_samples) & (oob > OOB_SHARE * total)
        predicted = self.oob[rows].sum(axis=1) / np.maximum(np.minimum(oob, OOB_RECENT), 1)
        prewarm[out] = predicted[out] * (1 - OOB_MARGIN)
        keep[out] = predicted[out] * 2 * OOB_MARGIN
        return prewarm, np.maximum(keep, BIN_S)
