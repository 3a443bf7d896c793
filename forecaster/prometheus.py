"""History from Prometheus: one PromQL range query per configured series.

Long ranges are cut into chunks under Prometheus' 11,000-points-per-series
limit; transient failures (connection errors, 429, 5xx) are retried with
backoff by the client's own urllib3 adapter; anything left is raised as a
`PrometheusError` naming the series, the query and the time range.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import requests
from prometheus_api_client import PrometheusConnect
from prometheus_api_client.exceptions import PrometheusApiClientException
from urllib3.util.retry import Retry

MAX_POINTS = 11_000
"""Prometheus refuses range queries that would return more points per series."""
RETRY_STATUSES = (429, 500, 502, 503, 504)


class PrometheusError(RuntimeError):
    """A range query failed after retries; the message names what was asked."""


@dataclass(frozen=True)
class PromSeries:
    """A named PromQL query. With `label`, each result series is named `name/<label value>`,
    or by the label value alone when `name` is empty (the presets: series named by model)."""

    name: str
    query: str
    label: str | None = None


def chunks(start: int, end: int, step_s: int, max_points: int) -> Iterator[tuple[int, int]]:
    """Inclusive [from, to] windows on the step grid, each at most `max_points` long."""
    span = (max_points - 1) * step_s
    while start <= end:
        yield start, min(start + span, end)
        start += span + step_s


class PrometheusSource:
    """Reads the long table `series, ds, y` for [start, end] at a fixed step."""

    def __init__(
        self,
        url: str,
        series: Sequence[PromSeries],
        step_s: int,
        *,
        max_points: int = MAX_POINTS,
        retries: int = 3,
        backoff_s: float = 0.5,
        timeout_s: float = 30.0,
    ) -> None:
        if step_s <= 0:
            raise ValueError(f"step_s must be positive, got {step_s}")
        if not series:
            raise ValueError("at least one PromSeries is needed")
        self.series = tuple(series)
        self.step_s = step_s
        self.max_points = min(max_points, MAX_POINTS)
        retry = Retry(total=retries, backoff_factor=backoff_s, status_forcelist=RETRY_STATUSES)
        self._client = PrometheusConnect(url=url, retry=retry, timeout=timeout_s)
        self.url = url

    def history(self, start: float, end: float) -> pd.DataFrame:
        """All configured series on the grid start, start + step, ..., <= end."""
        if end < start:
            raise ValueError(f"end ({end}) is before start ({start})")
        frames = [
            self._read(spec, lo, hi)
            for spec in self.series
            for lo, hi in chunks(int(start), int(end), self.step_s, self.max_points)
        ]
        table = pd.concat(frames, ignore_index=True)
        table["ds"] = pd.to_datetime(table["ds"], unit="s", utc=True)
        return table.sort_values(["series", "ds"], ignore_index=True)

    def _read(self, spec: PromSeries, lo: int, hi: int) -> pd.DataFrame:
        result = self._query(spec, lo, hi)
        if spec.label is None and len(result) > 1:
            raise PrometheusError(
                f"series {spec.name!r}: query {spec.query!r} returned {len(result)} series; "
                "aggregate it (e.g. sum by ()) or set a label to name each one"
            )
        rows = [
            (self._name(spec, item["metric"]), float(ts), float(value))
            for item in result
            for ts, value in item["values"]
        ]
        return pd.DataFrame(rows, columns=["series", "ds", "y"])

    def _name(self, spec: PromSeries, metric: dict[str, str]) -> str:
        if spec.label is None:
            return spec.name
        if spec.label not in metric:
            raise PrometheusError(f"series {spec.name!r}: a result lacks label {spec.label!r}")
        return f"{spec.name}/{metric[spec.label]}" if spec.name else metric[spec.label]

    def _query(self, spec: PromSeries, lo: int, hi: int) -> list[dict[str, Any]]:
        window = f"{_iso(lo)} .. {_iso(hi)}"
        try:
            result: list[dict[str, Any]] = self._client.custom_query_range(
                spec.query, _utc(lo), _utc(hi), step=str(self.step_s)
            )
        except PrometheusApiClientException as exc:
            raise PrometheusError(f"series {spec.name!r}, {window}: {exc}") from exc
        except requests.RequestException as exc:
            raise PrometheusError(
                f"series {spec.name!r}, {window}: {self.url} failed after retries ({exc})"
            ) from exc
        return result


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _iso(seconds: int) -> str:
    return _utc(seconds).isoformat()
