"""Command-line forms of history sources, and retries against a flaky server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from forecaster.history import parse_duration, parse_query, parse_time
from forecaster.prometheus import PrometheusError, PrometheusSource, PromSeries


def test_durations_and_their_errors() -> None:
    assert [parse_duration(t, "--x") for t in ("600", "600s", "10m", "2h", "1d")] == [
        600,
        600,
        600,
        7_200,
        86_400,
    ]
    with pytest.raises(ValueError, match="--step: '5 minutes' is not a duration"):
        parse_duration("5 minutes", "--step")
    with pytest.raises(ValueError, match="must be positive"):
        parse_duration("0m", "--horizon")


def test_queries_name_their_series_and_optionally_a_label() -> None:
    assert parse_query("rps=sum(rate(x[5m]))") == PromSeries("rps", "sum(rate(x[5m]))")
    assert parse_query("m=sum by (model) (rate(x[5m]))@model") == PromSeries(
        "m", "sum by (model) (rate(x[5m]))", "model"
    )
    with pytest.raises(ValueError, match="--query: 'oops' is not NAME=PROMQL"):
        parse_query("oops")


def test_times_in_epoch_seconds_or_iso() -> None:
    assert parse_time("1700000000", "--start") == 1_700_000_000
    assert parse_time("2023-11-14T22:13:20", "--start") == 1_700_000_000
    assert parse_time("2023-11-14T23:13:20+01:00", "--end") == 1_700_000_000
    with pytest.raises(ValueError, match="--end: 'tomorrow'"):
        parse_time("tomorrow", "--end")


class Flaky(BaseHTTPRequestHandler):
    """Answers 503 to the first `failures` range queries, then one sample."""

    failures = 2
    calls: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Flaky.calls.append(self.path)
        if len(Flaky.calls) <= Flaky.failures:
            self.send_response(503)
            self.end_headers()
            return
        result = [{"metric": {}, "values": [[1_700_000_000, "4.25"]]}]
        body = json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def flaky() -> Iterator[str]:
    Flaky.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_transient_errors_are_retried(flaky: str) -> None:
    source = PrometheusSource(flaky, [PromSeries("rps", "x")], 300, retries=3, backoff_s=0)
    table = source.history(1_700_000_000, 1_700_000_000)
    assert table["y"].tolist() == [4.25]
    assert len(Flaky.calls) == 3


def test_retries_run_out_with_a_clear_error(flaky: str) -> None:
    source = PrometheusSource(flaky, [PromSeries("rps", "x")], 300, retries=1, backoff_s=0)
    with pytest.raises(PrometheusError, match=r"series 'rps'.*failed after retries"):
        source.history(1_700_000_000, 1_700_000_000)
