"""The Prometheus history source against a real Prometheus server."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from forecaster.frame import to_matrix
from forecaster.prometheus import PrometheusError, PrometheusSource, PromSeries, chunks
from tests.forecaster.prometheus_server import free_port, openmetrics, running_prometheus

pytestmark = [pytest.mark.prometheus, pytest.mark.timeout(900)]  # apt-get may take minutes

START = 1_699_999_800  # on the 300-s grid
STEP = 300
POINTS = 600  # a little over two days
GAP = range(200, 230)  # model "b" reported nothing for 2.5 hours


def written() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for model in ("a", "b"):
        for k in range(POINTS):
            if model == "b" and k in GAP:
                continue
            rows.append((f"demand/{model}", START + k * STEP, float(rng.gamma(2.0, 3.7))))
    return pd.DataFrame(rows, columns=["series", "ds", "y"])


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    table = written()
    samples = (
        ({"model": s.split("/")[1]}, float(ts), y) for s, ts, y in table.itertuples(index=False)
    )
    with running_prometheus(tmp_path_factory.mktemp("prom"), openmetrics("demand", samples)) as url:
        yield url


def read(url: str, spec: PromSeries, max_points: int = 11_000) -> pd.DataFrame:
    source = PrometheusSource(url, [spec], STEP, max_points=max_points, retries=1, backoff_s=0)
    return source.history(START, START + (POINTS - 1) * STEP)


def as_epoch(table: pd.DataFrame) -> pd.DataFrame:
    seconds = (table["ds"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    return table.assign(ds=seconds.astype("int64"))


def test_reads_back_exactly_what_was_written_chunked_and_gaps_kept(prometheus: str) -> None:
    # 600 points in chunks of 97: seven chunks, no point twice, the gap still a gap.
    got = as_epoch(read(prometheus, PromSeries("demand", "demand", label="model"), max_points=97))
    expected = written()
    pd.testing.assert_frame_equal(got, expected.astype(got.dtypes.to_dict()), check_exact=True)


def test_history_feeds_the_models_grid(prometheus: str) -> None:
    matrix = to_matrix(read(prometheus, PromSeries("demand", "demand", label="model")))
    assert matrix.names == ("demand/a", "demand/b")
    assert (matrix.step_s, matrix.start, matrix.n_steps) == (STEP, START, POINTS)
    assert np.isnan(matrix.values[1, GAP.start : GAP.stop]).all()


def test_a_single_series_query_takes_the_configured_name(prometheus: str) -> None:
    got = read(prometheus, PromSeries("model-a", 'demand{model="a"}'))
    assert set(got["series"]) == {"model-a"}
    assert got["y"].tolist() == written().query("series == 'demand/a'")["y"].tolist()


def test_many_series_without_a_naming_label_is_refused(prometheus: str) -> None:
    with pytest.raises(PrometheusError, match=r"'all'.*returned 2 series.*set a label"):
        read(prometheus, PromSeries("all", "demand"))


def test_a_bad_query_names_the_series_and_the_window(prometheus: str) -> None:
    with pytest.raises(PrometheusError, match=r"series 'broken', 2023-11-14.*400"):
        read(prometheus, PromSeries("broken", "sum(demand"))


def test_an_unreachable_server_is_a_clear_error_after_retries() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(PrometheusError, match="failed after retries"):
        read(url, PromSeries("demand", "demand"))


def test_chunks_cover_the_range_on_the_grid_without_overlap() -> None:
    windows = list(chunks(0, 1_000 * STEP, STEP, 300))
    points = [t for lo, hi in windows for t in range(lo, hi + 1, STEP)]
    assert points == list(range(0, 1_001 * STEP, STEP))
    assert all((hi - lo) // STEP + 1 <= 300 for lo, hi in windows)
