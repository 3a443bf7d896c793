"""Every model: scikit-learn conventions, no peeking, sane quantiles; each rule's arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from forecaster import EWMA, HybridHistogram, QuantileGBM, SeasonalNaive, to_matrix
from forecaster.base import QuantileForecaster
from forecaster.histogram import RANGE_MIN, windows
from tests.forecaster.synthetic import DAY_S, START, daily_rate, table

QUANTILES = (0.1, 0.5, 0.9)


def every_model() -> list[QuantileForecaster]:
    return [
        SeasonalNaive("daily", QUANTILES),
        SeasonalNaive("weekly", QUANTILES),
        EWMA(quantiles=QUANTILES),
        HybridHistogram(quantiles=QUANTILES),
        QuantileGBM(QUANTILES, max_iter=30, max_rows=20_000),
    ]


@pytest.mark.parametrize("model", every_model(), ids=lambda m: type(m).__name__)
def test_scikit_learn_conventions(model: QuantileForecaster) -> None:
    with pytest.raises(NotFittedError):
        model.predict(3)
    frame = table()
    assert model.fit(frame) is model
    assert clone(model).get_params() == model.get_params()
    assert model.training_window_ == (START, START + 9 * DAY_S - 600)
    forecast = model.predict(3)
    assert forecast.values.shape == (3, 3, 3)
    assert forecast.ds.tolist() == [START + 9 * DAY_S + k * 600 for k in range(3)]


@pytest.mark.parametrize("model", every_model(), ids=lambda m: type(m).__name__)
def test_forecasts_never_peek_past_their_origin(model: QuantileForecaster) -> None:
    matrix = to_matrix(table())
    model.fit_matrix(matrix.until(8 * 144))
    origins = np.arange(8 * 144, 8 * 144 + 20)
    before = model.predict_origins(matrix, origins, 2)
    scrambled = matrix.values.copy()
    scrambled[:, origins[-1] + 1 :] *= 7.0
    after = model.predict_origins(
        type(matrix)(matrix.names, matrix.start, 600, scrambled), origins, 2
    )
    np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("model", every_model(), ids=lambda m: type(m).__name__)
def test_intermittent_series_get_no_negative_and_no_crossing_quantiles(
    model: QuantileForecaster,
) -> None:
    sparse = table(bases=(0.0005, 0.002), days=9)  # about 0.3 and 1.2 requests per 10 min
    assert (sparse["y"] == 0).mean() > 0.5
    matrix = to_matrix(sparse)
    values = model.fit_matrix(matrix.until(8 * 144)).predict_origins(
        matrix, np.arange(1152, 1290), 3
    )
    assert (values >= 0).all()
    assert (np.diff(values, axis=-1) >= 0).all()


def test_seasonal_naive_repeats_yesterday_and_learns_no_error_on_a_clean_cycle() -> None:
    model = SeasonalNaive("daily", QUANTILES).fit(table(noise=False, days=3))
    forecast = model.predict(4)
    expected = np.array([daily_rate(forecast.ds, b) for b in (2.0, 20.0, 200.0)])
    for k in range(3):
        np.testing.assert_allclose(forecast.values[:, :, k], expected, rtol=1e-9, atol=1e-9)


def test_ewma_holds_a_constant_level_flat() -> None:
    flat = pd.DataFrame({"series": "a", "ds": np.arange(300) * 600, "y": 5.0})
    forecast = EWMA(quantiles=(0.5,)).fit(flat).predict(6)
    np.testing.assert_allclose(forecast.values, 5.0)


def test_histogram_windows_follow_the_paper() -> None:
    # Idle times of 30 min every time: one bin holds them all (CV far above 2),
    # pre-warm at the head bin's lower edge x 0.9 = 27 min, keep warm to the tail
    # bin's upper edge x 1.1 = 34.1 min. Too few idle times: warm for the range.
    # Most beyond the 4-hour range: around the mean of the latest, +-15%.
    idle = [np.full(50, 30.0), np.full(5, 30.0), np.full(50, 600.0)]
    got = np.array(windows(idle, min_samples=10))
    np.testing.assert_allclose(got, [(27.0, 34.1), (0.0, RANGE_MIN), (510.0, 690.0)])


def test_histogram_is_cold_after_a_call_and_warm_just_before_the_next() -> None:
    # One request every 40 minutes at 10-min steps: idle times are 30 min.
    y = np.zeros(600)
    y[::4] = 1.0
    frame = pd.DataFrame({"series": "f", "ds": np.arange(600) * 600, "y": y})
    model = HybridHistogram(quantiles=(0.5,)).fit(frame)
    matrix = to_matrix(frame)
    # From an origin with a call, the next four steps are 0, 10, 20 and 30 min
    # into the idle gap: only the last lies inside the learned 27..33-min window.
    point = model.predict_origins(matrix, np.array([596]), 4)[0, 0, :, 0]
    assert point.tolist() == [0.0, 0.0, 0.0, 1.0]


def test_the_global_model_covers_near_its_nominal_quantile() -> None:
    matrix = to_matrix(table(bases=(2.0, 20.0, 200.0, 5.0, 50.0), days=10, seed=3))
    model = QuantileGBM((0.5, 0.9), max_iter=60).fit_matrix(matrix.until(9 * 144))
    origins = np.arange(9 * 144 - 1, 10 * 144 - 1)
    values = model.predict_origins(matrix, origins, 1)[:, :, 0, :]
    actual = matrix.values[:, origins + 1]
    coverage = (actual[..., None] <= values).mean(axis=(0, 1))
    assert 0.4 < coverage[0] < 0.6
    assert 0.82 < coverage[1] < 0.96


def test_the_global_model_answers_for_a_series_it_never_saw() -> None:
    model = QuantileGBM((0.5,), max_iter=30).fit(table(bases=(20.0,)))
    other = table(bases=(2000.0,), seed=5)
    forecast = model.predict(2, other)
    # Scaled by its own trailing mean, the new series gets forecasts of its own size.
    assert 500 < forecast.values.mean() < 5000


def test_features_a_short_history_cannot_show_are_dropped() -> None:
    model = QuantileGBM((0.5,), max_iter=10).fit(table(days=3))
    assert "yesterday" in model.feature_names_
    assert "last_week" not in model.feature_names_


@pytest.mark.parametrize(("days", "season"), [(13, "daily"), (14, "weekly")])
def test_seasonal_naive_takes_the_weekly_season_from_two_weeks_of_history(
    days: int, season: str
) -> None:
    model = SeasonalNaive(quantiles=QUANTILES).fit(table(days=days, step_s=3_600))
    assert model.season_ == season
    assert model.fitted_choices()["season"] == season
    # The weekly rule really forecasts from a week back: a spike a week before shows.
    matrix = to_matrix(table(days=days, step_s=3_600, noise=False))
    spiked = matrix.values.copy()
    spiked[:, -1 - 7 * 24] += 1_000.0  # one week before the target, the last step
    point = model.predict_origins(
        type(matrix)(matrix.names, matrix.start, matrix.step_s, spiked),
        np.array([matrix.n_steps - 2]),
        1,
    )[:, 0, 0, 1]
    assert (point > 500).all() == (season == "weekly")
