"""`warmstart forecast backtest|fit|predict`: the forecaster from the command line."""

from __future__ import annotations

import argparse
import json
from typing import Any

from forecaster import (
    NewsvendorCosts,
    PrometheusError,
    ReplicaSpec,
    backtest,
    default_models,
    evaluation_quantiles,
    held_out_zero_share,
    load_model,
    provisioning_quantiles,
    save_model,
    to_demand,
    to_matrix,
)
from forecaster.history import load_history, parse_duration
from forecaster.presets import PRESETS
from forecaster.report import backtest_report, report_table
from warmstart.cli.options import add_traces_dir
from warmstart.clock import SystemClock

ERRORS = (PrometheusError,)  # beside ValueError and OSError: see warmstart.cli.main


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("forecast", help="demand forecasts, backtests, saved models")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    run = verbs.add_parser("backtest", help="every model and baseline on held-out days")
    run.add_argument("--trace", required=True, help="shared trace name or canonical CSV path")
    run.add_argument("--holdout-days", type=float, default=3.0)
    add_traces_dir(run)
    _common(run)
    run.set_defaults(func=cmd_backtest)
    fit = verbs.add_parser("fit", help="fit a model on history and save it")
    fit.add_argument("--model", choices=sorted(MODEL_CHOICES), default="QuantileGBM")
    fit.add_argument("--out", required=True, help="file to write")
    _sources(fit)
    _common(fit)
    fit.set_defaults(func=cmd_fit)
    predict = verbs.add_parser(
        "predict", help="capacity from a saved model (history: a source, else the model's own)"
    )
    predict.add_argument("--model-file", required=True)
    _sources(predict)
    _common(predict)
    predict.set_defaults(func=cmd_predict)


MODEL_CHOICES = tuple(default_models((0.5,), 1))


def _sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trace", help="shared trace name or canonical CSV path")
    add_traces_dir(parser)
    parser.add_argument("--prometheus", help="Prometheus base URL")
    parser.add_argument("--query", action="append", default=[], help="NAME=PROMQL[@LABEL]")
    parser.add_argument(
        "--preset", choices=sorted(PRESETS), help="what the serving stack exports (a query)"
    )
    parser.add_argument("--start", help="epoch seconds or ISO-8601")
    parser.add_argument("--end", help="epoch seconds or ISO-8601")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--horizon", default="10m", help="lead time to cover (e.g. 10m)")
    parser.add_argument("--step", help="grid step (default: the trace's own window)")
    parser.add_argument(
        "--mask-gaps", action="store_true", help="bins where a whole group is 0 are gaps"
    )
    parser.add_argument("--cold-start-cost", type=float, default=2.0, help="$ per cold start")
    parser.add_argument("--idle-gpu-hour", type=float, default=2.0, help="$ per idle GPU-hour")
    parser.add_argument("--gpus-per-replica", type=int, default=1)
    parser.add_argument("--requests-per-replica", type=float, default=1.0, help="req/s per replica")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _history(args: argparse.Namespace) -> Any:
    step = parse_duration(args.step, "--step") if args.step else None
    return to_matrix(
        load_history(
            trace=args.trace,
            traces_dir=args.traces_dir,
            prometheus=getattr(args, "prometheus", None),
            queries=getattr(args, "query", []),
            preset=getattr(args, "preset", None),
            start=getattr(args, "start", None),
            end=getattr(args, "end", None),
            step_s=step,
            mask_gaps=args.mask_gaps,
        ),
        step,
    )


def _costs(args: argparse.Namespace, step_s: int) -> NewsvendorCosts:
    return NewsvendorCosts(
        cold_start_cost=args.cold_start_cost,
        idle_gpu_hour=args.idle_gpu_hour,
        gpus_per_replica=args.gpus_per_replica,
        interval_s=step_s,
    )


def _horizon_steps(args: argparse.Namespace, step_s: int) -> int:
    return max(1, -(-parse_duration(args.horizon, "--horizon") // step_s))


def cmd_backtest(args: argparse.Namespace) -> int:
    parse_duration(args.horizon, "--horizon")  # refuse a bad option before any loading
    matrix = _history(args)
    costs = _costs(args, matrix.step_s)
    quantiles = evaluation_quantiles(costs)
    horizon = _horizon_steps(args, matrix.step_s)
    scores = backtest(
        matrix,
        default_models(quantiles, horizon),
        horizon,
        args.holdout_days,
        costs,
        args.requests_per_replica,
    )
    zeros = held_out_zero_share(matrix, horizon, args.holdout_days)
    report = backtest_report(scores, args.trace, matrix, horizon, args.holdout_days, costs, zeros)
    print(json.dumps(report, indent=2) if args.json else report_table(report))
    return 0


def cmd_fit(args: argparse.Namespace) -> int:
    parse_duration(args.horizon, "--horizon")
    matrix = _history(args)
    costs = _costs(args, matrix.step_s)
    horizon = _horizon_steps(args, matrix.step_s)
    model = default_models(provisioning_quantiles(costs), horizon)[args.model]
    save_model(model.fit_matrix(matrix), args.out)
    print(f"saved {args.model} ({len(matrix.names)} series, {matrix.n_steps} steps) to {args.out}")
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    model, header = load_model(args.model_file)
    history = _history(args) if args.trace or args.prometheus else None
    forecast = model.predict_matrix(_horizon_steps(args, model.step_s_), history)
    costs = _costs(args, model.step_s_)
    quantile = min(model.quantiles_, key=lambda q: abs(q - costs.critical_quantile()))
    spec = ReplicaSpec(
        requests_per_replica=args.requests_per_replica, gpus_per_replica=args.gpus_per_replica
    )
    demand = to_demand(forecast, quantile, issued_at=SystemClock().now(), default=spec)
    if args.json:
        quantiles = forecast.to_frame().to_dict(orient="records")
        body = {"model": header, "demand": demand.model_dump(), "forecast": quantiles}
        print(json.dumps(body, indent=2, default=float))
    else:
        for item in demand.models:
            print(
                f"{item.model}: {item.requests_per_s:.4g} req/s at q={quantile:g} -> "
                f"{item.replicas} replicas, {item.gpus} GPUs"
            )
    return 0
