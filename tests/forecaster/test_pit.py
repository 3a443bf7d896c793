"""Randomised-PIT coverage: its arithmetic, and calibration that zeros cannot fake."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import poisson

from forecaster.pit import pit_coverage, pit_error

LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
COARSE = (0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)


def test_an_outcome_on_the_quantile_counts_its_share_of_the_atom() -> None:
    # Step 1 s, so rates are counts. Quantiles 0, 0, 0, 1, 1, 1, 3 at the coarse levels.
    forecast = np.array([[0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 3.0]])
    # Outcome 0: F(0-) = 0; F(0) is between 0.5 (last level at 0) and 0.75 -> 0.625.
    # Level 0.25 sits on the atom: 0.25 / 0.625 = 0.4; 0.75 and up lie above it: 1.
    got = pit_coverage(np.array([0.0]), forecast, COARSE, 1)
    assert got == pytest.approx(
        {"0.1": 0.16, "0.25": 0.4, "0.5": 0.8, "0.75": 1, "0.9": 1, "0.95": 1, "0.99": 1}
    )
    # Outcome 1: F(1-) between 0.5 and 0.75 -> 0.625; F(1) between 0.95 and 0.99 -> 0.97.
    # Levels below the atom give 0; level 0.9 gives (0.9 - 0.625) / 0.345.
    got = pit_coverage(np.array([1.0]), forecast, COARSE, 1)
    assert got["0.5"] == 0 and got["0.99"] == 1
    assert got["0.9"] == pytest.approx(0.275 / 0.345)
    # Outcome 2 falls between quantiles: a plain miss below 0.99, a hit at it.
    got = pit_coverage(np.array([2.0]), forecast, COARSE, 1)
    assert [got[f"{q:g}"] for q in COARSE] == [0, 0, 0, 0, 0, 0, 1]


def test_true_quantiles_of_rare_counts_are_calibrated_where_plain_coverage_is_not() -> None:
    # Poisson(0.3) per step: 74% zeros. Its true quantiles are 0 up to the 0.74 level.
    rng = np.random.default_rng(3)
    rate, step = 0.3, 60
    counts = rng.poisson(rate, 50_000)
    forecast = np.tile(poisson.ppf(LEVELS, rate), (counts.size, 1)) / step
    actual = counts / step
    pit = pit_coverage(actual, forecast, LEVELS, step)
    plain = {f"{q:g}": float(np.mean(actual <= forecast[:, k])) for k, q in enumerate(LEVELS)}
    assert plain["0.1"] > 0.7 and plain["0.5"] > 0.7  # every zero covered, whatever the level
    # F(0) = 0.741 lies in the bracket (0.7, 0.8): read as 0.75, so PIT is within 1%.
    for q in LEVELS:
        assert pit[f"{q:g}"] == pytest.approx(q, abs=0.01)
    error = pit_error(pit)
    assert error is not None and error < 0.01
    # A forecast one request too high everywhere is far from calibrated.
    biased = pit_error(pit_coverage(actual, forecast + 1 / step, LEVELS, step))
    assert biased is not None and biased > 0.1


def test_unknown_points_are_left_out_and_none_known_is_none() -> None:
    forecast = np.array([[0.0, 1.0], [0.0, 1.0]])
    assert pit_coverage(np.array([np.nan, np.nan]), forecast, (0.5, 0.9), 1) == {
        "0.5": None,
        "0.9": None,
    }
    assert pit_error({"0.5": None}) is None
    one = pit_coverage(np.array([2.0, np.nan]), forecast, (0.5, 0.9), 1)
    assert one == {"0.5": 0.0, "0.9": 0.0}
