"""`warmstart provisioner run|plan|expander`: the provisioner from the command line.

The composition root for the provisioner: it reads the settings file, opens
the one API client, and wires informers, leader election, controller and the
gRPC expander together.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import socket
import threading
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from forecaster.history import parse_duration
from provisioner.expander import ExpanderService, TlsFiles, serve
from provisioner.metrics import ProvisionerMetrics
from provisioner.observe import snapshot
from provisioner.plan_types import plan_to_json
from provisioner.planner import plan
from provisioner.service import build
from provisioner.settings import ProvisionerSettings, load_settings
from warmstart.cli.provisioner_admin import journaled_log, serve_admin_side
from warmstart.cli.provisioner_forecast import prometheus_forecast
from warmstart.cli.provisioner_warmth import attach_warmth
from warmstart.clock import SystemClock
from warmstart.domain import DemandForecast
from warmstart.kube import KubeClient, KubeError, auto
from warmstart.kube.leader import LeaderRunner
from warmstart.kube.lease import LeaderElector

log = logging.getLogger("warmstart.provisioner")
ERRORS = (KubeError,)  # beside ValueError and OSError: see warmstart.cli.main


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("provisioner", help="capacity ahead of GPU demand")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    run = verbs.add_parser("run", help="watch the cluster and provision (leader-elected)")
    plan_p = verbs.add_parser("plan", help="print the plan for the cluster as it is; write nothing")
    for p in (run, plan_p):
        p.add_argument("--settings", type=Path, required=True, help="provisioner YAML")
        p.add_argument("--api-url", help="API server URL (default: in-cluster or kubeconfig)")
        p.add_argument("--forecast-file", type=Path,
                       help="DemandForecast JSON written by the forecaster (re-read each plan)")
    run.add_argument("--shadow", action="store_true", help="record decisions, write nothing")
    run.add_argument("--prometheus-url",
                     help="refit the forecast from this Prometheus (instead of --forecast-file)")
    run.add_argument("--preset", default="vllm", help="the series to forecast (forecast presets)")
    run.add_argument("--refit-interval", default="1h", help="how often to refit (e.g. 1h)")
    run.add_argument("--history", default="7d", help="history each refit reads (e.g. 7d)")
    run.add_argument("--prometheus-step", default="5m", help="the history's grid step")
    run.add_argument("--identity", default=os.environ.get("POD_NAME") or socket.gethostname())
    run.add_argument("--http-port", type=int, default=8081,
                     help="/healthz, /readyz, /metrics (0: none)")
    run.set_defaults(func=cmd_run)
    plan_p.set_defaults(func=cmd_plan)
    exp = verbs.add_parser("expander", help="serve cluster-autoscaler's gRPC expander")
    exp.add_argument("--settings", type=Path, required=True)
    exp.add_argument("--listen", default="0.0.0.0:8443")
    exp.add_argument("--tls-cert", type=Path)
    exp.add_argument("--tls-key", type=Path)
    exp.add_argument("--wait-dollars-per-hour", type=float, default=100.0,
                     help="what an hour of a pod waiting to start is worth")
    exp.set_defaults(func=cmd_expander)


def _forecast(path: Path | None) -> Any:
    def read() -> DemandForecast | None:
        if path is None or not path.exists():
            return None
        try:
            return DemandForecast.model_validate_json(path.read_bytes())
        except (ValidationError, OSError) as exc:
            log.warning("forecast %s unreadable, planning without it: %s", path, exc)
            return None
    return read


def _run_forecast(args: argparse.Namespace, clock: SystemClock) -> Any:
    if args.prometheus_url is None:
        return _forecast(args.forecast_file)
    if args.forecast_file is not None:
        raise ValueError("give one forecast: --forecast-file or --prometheus-url")
    return prometheus_forecast(
        args.prometheus_url, args.preset, clock,
        parse_duration(args.refit_interval, "--refit-interval"),
        parse_duration(args.history, "--history"),
        parse_duration(args.prometheus_step, "--prometheus-step"))


def _settings(args: argparse.Namespace) -> ProvisionerSettings:
    settings = load_settings(args.settings)
    if getattr(args, "shadow", False):
        settings = settings.model_copy(update={"shadow": True})
    return settings


def cmd_plan(args: argparse.Namespace) -> int:
    settings, clock = _settings(args), SystemClock()
    client = KubeClient(auto(args.api_url))
    try:
        ctl = build(client, settings, clock)
        for informer in ctl.informers.required():
            informer.relist()
        now = clock.now()
        state = snapshot(ctl.sources(), ctl.backend, now, ctl.informers.observed_at(), {})
        decided = plan(state, _forecast(args.forecast_file)(), settings.policy, now)
    finally:
        client.close()
    print(json.dumps(plan_to_json(decided), indent=2))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings, clock = _settings(args), SystemClock()
    forecast = _run_forecast(args, clock)  # a bad option fails before anything starts
    client = KubeClient(auto(args.api_url))
    elector = LeaderElector(client, namespace=settings.namespace, name=settings.lease_name,
                            identity=args.identity)
    leader = LeaderRunner(elector, clock)
    registry = CollectorRegistry()
    decisions, journal = journaled_log(client, settings, registry)
    ctl = build(client, settings, clock, forecast=forecast,
                is_leader=lambda: leader.is_leader, log=decisions,
                metrics=ProvisionerMetrics(registry))
    stop = threading.Event()
    follower = serve_admin_side(client, ctl, settings, clock, stop, journal, registry,
                                args.http_port)
    attach_warmth(ctl, client, settings, decisions, lambda: follower.good,
                  lambda: leader.is_leader)
    informers = (*ctl.informers.all(), follower.informer)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    leader.start()
    for informer in informers:
        informer.start()
    try:
        if not ctl.wait_synced(stop):
            log.warning("informers not synced after 60 s; plans wait for fresh state")
        ctl.run(stop)
    except KeyboardInterrupt:
        pass
    finally:
        for informer in informers:
            informer.stop()
        leader.stop()
        client.close()
    return 0


def cmd_expander(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = load_settings(args.settings)
    tls = TlsFiles(args.tls_cert, args.tls_key) if args.tls_cert and args.tls_key else None
    service = ExpanderService(settings.node_templates(), args.wait_dollars_per_hour)
    server, port = serve(service, args.listen, tls)
    log.info("gRPC expander on port %d (%s)", port, "TLS" if tls else "plaintext")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop(grace=2)
    return 0
