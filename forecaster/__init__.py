"""Demand forecaster: quantile forecasts of request rates, and the capacity they imply.

Fit on a long table (`series, ds, y` in requests/s), predict quantiles for a
horizon, choose the newsvendor quantile, convert to `DemandForecast`.
"""

from forecaster.backtest import (
    backtest,
    default_models,
    evaluation_quantiles,
    held_out_zero_share,
    provisioning_quantiles,
)
from forecaster.base import QuantileForecaster
from forecaster.baselines import EWMA, SeasonalNaive
from forecaster.capacity import ReplicaSpec, replicas_for, to_demand
from forecaster.forecast import QuantileForecast
from forecaster.frame import FrameError, SeriesMatrix, to_long, to_matrix
from forecaster.gbm import QuantileGBM
from forecaster.histogram import HybridHistogram
from forecaster.metrics import Score
from forecaster.newsvendor import NewsvendorCosts
from forecaster.persist import ModelFileError, load_model, save_model
from forecaster.prometheus import PrometheusError, PrometheusSource, PromSeries
from forecaster.trace_source import trace_history

__all__ = [
    "EWMA",
    "FrameError",
    "HybridHistogram",
    "ModelFileError",
    "NewsvendorCosts",
    "PromSeries",
    "PrometheusError",
    "PrometheusSource",
    "QuantileForecast",
    "QuantileForecaster",
    "QuantileGBM",
    "ReplicaSpec",
    "Score",
    "SeasonalNaive",
    "SeriesMatrix",
    "backtest",
    "default_models",
    "evaluation_quantiles",
    "held_out_zero_share",
    "load_model",
    "provisioning_quantiles",
    "replicas_for",
    "save_model",
    "to_demand",
    "to_long",
    "to_matrix",
    "trace_history",
]
