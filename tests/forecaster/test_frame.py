"""The long table in, the grid out: validation names the column at fault."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecaster.frame import FrameError, to_long, to_matrix
from tests.forecaster.synthetic import START, table


def test_round_trip_through_the_grid_loses_nothing() -> None:
    frame = table(days=2)
    back = to_long(to_matrix(frame))
    pd.testing.assert_frame_equal(back, frame.astype({"ds": "int64"}), check_exact=True)


def test_datetimes_and_epoch_seconds_give_the_same_grid() -> None:
    frame = table(days=1)
    as_dates = frame.assign(ds=pd.to_datetime(frame["ds"], unit="s", utc=True))
    a, b = to_matrix(frame), to_matrix(as_dates)
    assert (a.start, a.step_s) == (b.start, b.step_s) == (START, 600)
    np.testing.assert_array_equal(a.values, b.values)


def test_absent_points_are_unknown_not_zero() -> None:
    frame = pd.DataFrame({"series": ["a", "a"], "ds": [0, 1_800], "y": [1.0, 3.0]})
    matrix = to_matrix(frame, step_s=600)
    assert np.isnan(matrix.values[0, 1:3]).all()
    assert to_long(matrix)["y"].tolist() == [1.0, 3.0]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"series": ["a"], "ds": [0]}), r"lacks column\(s\) \['y'\]"),
        (
            pd.DataFrame({"series": ["a", "a"], "ds": [0, 600], "y": [1, -2]}),
            "'y' holds a negative",
        ),
        (pd.DataFrame({"series": ["a", "a"], "ds": [0, 600], "y": ["1", "x"]}), "non-number: 'x'"),
        (pd.DataFrame({"series": ["a", "a"], "ds": ["mon", "tue"], "y": [1, 2]}), "'ds' must hold"),
        (pd.DataFrame({"series": ["a"], "ds": [0], "y": [1]}), "at least two distinct"),
        (
            pd.DataFrame({"series": ["a"] * 3, "ds": [0, 600, 900], "y": [1] * 3}),
            "off the 600-s grid",
        ),
        (pd.DataFrame({"series": [], "ds": [], "y": []}), "empty"),
    ],
)
def test_bad_tables_are_refused_naming_the_column(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        to_matrix(frame, step_s=600 if "grid" in message else None)
