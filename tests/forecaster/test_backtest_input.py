"""A backtest that cannot run fails at once, in one line, before anything is fitted."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster import NewsvendorCosts, SeriesMatrix, backtest, to_matrix
from forecaster.base import QuantileForecaster
from forecaster.frame import FrameError
from tests.forecaster.synthetic import START, table


class MustNotFit(QuantileForecaster):
    """Fails the test if the backtest gets as far as fitting."""

    quantiles = (0.5,)
    step_s = None

    def _fit_matrix(self, matrix: SeriesMatrix) -> None:
        pytest.fail("fitted before the inputs were checked")


def run(matrix: SeriesMatrix, holdout_days: float, horizon: int = 1) -> None:
    backtest(matrix, {"m": MustNotFit()}, horizon, holdout_days, NewsvendorCosts())


def days_of(days: float, step_s: int = 600) -> SeriesMatrix:
    steps = round(days * 86_400 / step_s)
    return SeriesMatrix(("s",), START, step_s, np.ones((1, steps)))


@pytest.mark.parametrize(
    ("matrix", "holdout", "message"),
    [
        (SeriesMatrix((), START, 600, np.empty((0, 10))), 1, "history is empty"),
        (SeriesMatrix(("s",), START, 600, np.full((1, 500), np.nan)), 1, "history is empty"),
        (days_of(3, step_s=420), 1, "step 420 s does not divide a day"),
        (days_of(1.5), 0.5, r"history spans 1\.50 days \(216 steps of 600 s\); .* at least 2"),
        (days_of(3), 0, "--holdout-days must be a positive number of days, got 0"),
        (days_of(3), float("nan"), "--holdout-days must be a positive"),
        (days_of(3), 1.001, "--holdout-days 1.001 is not a whole number of 600-s steps"),
        (
            days_of(3),
            2.5,
            r"leaves 0\.50 days of 3\.00 days to train on; .* hold out at most 1\.98 days",
        ),
        (days_of(8), 9, r"--holdout-days 9 is longer than the 8\.00 days of history; .* 6\.98"),
    ],
)
def test_unusable_inputs_are_refused_before_fitting(
    matrix: SeriesMatrix, holdout: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        run(matrix, holdout)
    assert "\n" not in str(caught.value)


def test_a_bad_table_is_a_frame_error() -> None:
    with pytest.raises(FrameError):
        run(days_of(3, step_s=420), 1)


def test_two_days_are_enough_with_a_short_holdout() -> None:
    # Two days of 10-minute history, 0.5 held out: the checks pass and fitting starts.
    matrix = to_matrix(table(days=2))
    with pytest.raises(pytest.fail.Exception, match="fitted before"):
        run(matrix, 0.5)
