"""The forecast inside `warmstart provisioner run`: refitted from Prometheus
history on a schedule (`--prometheus-url`, `--preset`), so the provisioner
and the warmth planner read a forecast no other process has to write.

The refit runs in the planning step that finds it due (one range query per
preset and an EWMA fit: seconds at most, once per interval); a failed refit
is logged and the last good forecast stays until the next try.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

from forecaster import EWMA, PrometheusError, ReplicaSpec, to_demand, to_matrix
from forecaster.presets import preset_series
from forecaster.prometheus import PrometheusSource
from warmstart.clock import Clock
from warmstart.domain import DemandForecast

log = logging.getLogger("warmstart.provisioner")


@dataclass
class PrometheusForecast:
    """A ForecastSource: the latest forecast, refitted every `refit_s` seconds on the
    `history_s` seconds of the preset's series before now, at `step_s`."""

    url: str
    preset: str
    clock: Clock
    step_s: int = 300
    history_s: int = 7 * 86_400
    horizon_s: int = 600  # the provisioning lead time the forecast covers
    refit_s: float = 3_600.0
    quantile: float = 0.9
    replica: ReplicaSpec = field(default_factory=ReplicaSpec)
    latest: DemandForecast | None = None
    _due: float = -math.inf

    def __call__(self) -> DemandForecast | None:
        if self.clock.monotonic() >= self._due:
            self._due = self.clock.monotonic() + self.refit_s
            try:
                self.latest = self.refit()
            except (PrometheusError, ValueError) as exc:  # FrameError is a ValueError
                log.warning("forecast refit from %s failed, keeping the last one: %s",
                            self.url, exc)
        return self.latest

    def refit(self) -> DemandForecast:
        now = self.clock.now()
        source = PrometheusSource(self.url, [preset_series(self.preset, self.step_s)],
                                  self.step_s)
        matrix = to_matrix(source.history(now - self.history_s, now), self.step_s)
        model = EWMA(quantiles=(self.quantile,)).fit_matrix(matrix)
        horizon = max(1, math.ceil(self.horizon_s / self.step_s))
        return to_demand(model.predict_matrix(horizon, matrix), self.quantile, now,
                         default=self.replica)


def prometheus_forecast(url: str, preset: str, clock: Clock, refit_s: float, history_s: int,
                        step_s: int) -> PrometheusForecast:
    """Checked at start-up: a bad preset or interval is a one-line CLI error."""
    preset_series(preset, step_s)  # raises ValueError naming the presets
    if refit_s <= 0 or history_s < 2 * step_s or step_s <= 0:
        raise ValueError("--refit-interval, --history and --prometheus-step must be positive, "
                         "the history at least two steps")
    return PrometheusForecast(url, preset, clock, step_s=step_s, history_s=history_s,
                              refit_s=refit_s)
