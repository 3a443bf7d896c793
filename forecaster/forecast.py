"""Quantile forecasts as one array, so a pool's capacity is a slice, not a join."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def tidy_quantiles(values: np.ndarray) -> np.ndarray:
    """No negative demand, and quantiles that never cross (sorted on the last axis)."""
    return np.sort(np.clip(np.nan_to_num(values, nan=0.0), 0.0, None), axis=-1)


@dataclass(frozen=True)
class QuantileForecast:
    """`values[i, h, k]`: series `names[i]` at `ds[h]`, quantile `quantiles[k]`."""

    names: tuple[str, ...]
    ds: np.ndarray
    step_s: int
    quantiles: tuple[float, ...]
    values: np.ndarray

    def at(self, quantile: float) -> np.ndarray:
        """The (series, horizon) slice of one fitted quantile."""
        for k, q in enumerate(self.quantiles):
            if np.isclose(q, quantile):
                return self.values[:, :, k]
        raise ValueError(f"quantile {quantile} was not fitted; have {list(self.quantiles)}")

    @property
    def horizon_s(self) -> int:
        return int(len(self.ds) * self.step_s)

    def to_frame(self) -> pd.DataFrame:
        """Long table `series, ds, quantile, y` for printing and JSON."""
        n, h, k = self.values.shape
        return pd.DataFrame(
            {
                "series": np.repeat(np.array(self.names, dtype=object), h * k),
                "ds": np.tile(np.repeat(self.ds, k), n),
                "quantile": np.tile(np.array(self.quantiles), n * h),
                "y": self.values.ravel(),
            }
        )
