"""`warmstart simulate`: replay a trace under several policies and compare them."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from warmstart.cli.options import add_traces_dir
from warmstart.cli.sim_policies import make_policy, sweep_knobs
from warmstart.sim.config import ClusterSpec, default_cluster, load_cluster
from warmstart.sim.plots import write_frontiers, write_plots
from warmstart.sim.report import report, sweep_table, table, to_json
from warmstart.sim.run import POLICY_NAMES, PolicyError, simulate
from warmstart.sim.sweep import Value, sweep
from warmstart.traces import SAMPLE, TraceError, load_trace, trace_names


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "simulate",
        help="replay a workload trace under cold-start policies and compare them",
        description="Discrete-event simulation of a GPU cluster replaying a trace; reports "
        "TTFI, cold starts, GPU-hours and cost per policy.",
    )
    p.add_argument("--trace", required=True,
                   help=f"a trace name ({', '.join(trace_names())}) "
                   "or a CSV model,timestamp[,count]")
    p.add_argument("--policies", default=",".join(POLICY_NAMES),
                   help="comma-separated, from: " + ", ".join(POLICY_NAMES)
                   + " (and, to compare placement alone, random-placement, score-placement)")
    p.add_argument("--cluster", type=Path, help="cluster YAML (pools, model mix, autoscaler)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--plot", type=Path, metavar="DIR", help="write PNG figures into DIR")
    p.add_argument("--sweep", action="store_true",
                   help="run each policy over its knob and report the frontier points")
    add_traces_dir(p)
    p.add_argument("--models", type=int, help="fold the trace's series onto this many models")
    p.add_argument("--time-compress", type=float, default=1.0, help="replay N times faster")
    p.add_argument("--subsample", type=float, default=1.0, help="keep this fraction of requests")
    p.add_argument("--start-hours", type=float, default=0.0,
                   help="skip this many hours from the trace start")
    p.add_argument("--hours", type=float, help="replay only this many hours")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cluster = load_cluster(args.cluster) if args.cluster else default_cluster()
    names = [n.strip() for n in args.policies.split(",") if n.strip()]
    if not names:
        raise PolicyError("policies: name at least one policy")
    policies = [make_policy(n, cluster) for n in names]  # checks the names
    unknown = [n for n in names if n not in POLICY_NAMES]
    if args.sweep and unknown:
        raise PolicyError(f"policies: {unknown[0]!r} has no knob to sweep; choose from "
                          f"{', '.join(POLICY_NAMES)}")
    frame = load_trace(
        args.trace, traces_dir=args.traces_dir, models=args.models,
        time_compress=args.time_compress, subsample=args.subsample,
        start_s=args.start_hours * 3600,
        duration_s=args.hours * 3600 if args.hours is not None else None, seed=args.seed,
    )
    if frame.empty:
        raise TraceError(f"trace {args.trace}: no requests to replay")
    if args.sweep:
        return _sweep(args, cluster, names, frame)
    started = time.perf_counter()
    result = simulate(frame, cluster, policies, seed=args.seed, progress=sys.stderr.isatty())
    return _emit(args, report(result, frame, args.seed), write_plots, table,
                 f"simulated in {time.perf_counter() - started:.1f} s wall time")


def _sweep(args: argparse.Namespace, cluster: ClusterSpec, names: list[str],
           frame: pd.DataFrame) -> int:
    def progress(name: str, value: Value, seconds: float) -> None:
        print(f"{name} {value}: {seconds:.1f} s", file=sys.stderr)

    started = time.perf_counter()
    result = sweep(frame, cluster, sweep_knobs(cluster), names, args.seed, progress)
    return _emit(args, result.report(cluster, frame, args.seed), write_frontiers, sweep_table,
                 f"swept in {time.perf_counter() - started:.1f} s wall time")


def _emit(args: argparse.Namespace, data: dict[str, Any],
          plots: Callable[[dict[str, Any], Path], list[Path]],
          render: Callable[[dict[str, Any]], str], timing: str) -> int:
    """Plots under `--plot`, then JSON (`--json`) or the table with the run's timing."""
    if args.plot is not None:
        for path in plots(data, args.plot):
            print(f"wrote {path}", file=sys.stderr)
    print(to_json(data) if args.json else f"{render(data)}\n{timing}")
    return 0


def demo_section(out: TextIO) -> int:
    """`warmstart demo`'s simulator part: every policy on the packaged sample trace."""
    print("\n== Simulator: five policies on the packaged ServeGen sample "
          "(16 models, 2 days, default cluster) ==", file=out)
    cluster = default_cluster()
    frame = load_trace(SAMPLE)
    result = simulate(frame, cluster, [make_policy(n, cluster) for n in POLICY_NAMES])
    print(table(report(result, frame, seed=0)), file=out)
    print("Replay your own traffic: warmstart simulate --trace FILE.csv --policies ...",
          file=out)
    return 0
