"""Synthetic long tables with a known daily shape, for tests that show arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY_S = 86_400
START = 1_700_006_400  # a midnight (UTC), so the daily phase starts at zero


def daily_rate(seconds: np.ndarray, base: float) -> np.ndarray:
    """A busy evening and a quiet night: base x (1 + 0.8 sin(2 pi t / day))."""
    return base * (1 + 0.8 * np.sin(2 * np.pi * (seconds % DAY_S) / DAY_S))


def table(
    bases: tuple[float, ...] = (2.0, 20.0, 200.0),
    days: int = 9,
    step_s: int = 600,
    noise: bool = True,
    seed: int = 0,
) -> pd.DataFrame:
    """Requests/s per series: Poisson counts per step around the daily shape."""
    rng = np.random.default_rng(seed)
    seconds = START + np.arange(days * DAY_S // step_s) * step_s
    frames = []
    for i, base in enumerate(bases):
        rate = daily_rate(seconds, base)
        y = rng.poisson(rate * step_s) / step_s if noise else rate
        frames.append(pd.DataFrame({"series": f"s{i}", "ds": seconds, "y": y}))
    return pd.concat(frames, ignore_index=True)
