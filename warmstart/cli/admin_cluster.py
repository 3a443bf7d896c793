"""`warmstart admin serve` against a cluster: one API client, the WarmthPolicy
store, Kubernetes TokenReview/SubjectAccessReview (or static tokens)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from warmstart.admin.auth import Authorizer, KubeReview, StaticTokens
from warmstart.admin.cluster_source import ClusterSource
from warmstart.admin.deps import Services
from warmstart.admin.jobs import SimulateJobs
from warmstart.admin.policy_store import KubePolicyStore
from warmstart.cli.admin_sim import warmstart_policy
from warmstart.clock import SystemClock
from warmstart.domain import DemandForecast
from warmstart.kube import KubeClient, auto
from warmstart.sim.config import default_cluster, load_cluster


def forecast_reader(path: Path | None) -> Callable[[], DemandForecast | None]:
    def read() -> DemandForecast | None:
        if path is None or not path.exists():
            return None
        try:
            return DemandForecast.model_validate_json(path.read_bytes())
        except (ValidationError, OSError):
            return None
    return read


def cluster_services(args: argparse.Namespace) -> tuple[Services, Callable[[], None]]:
    client = KubeClient(auto(args.api_url))
    auth: Authorizer = StaticTokens(args.tokens) if args.tokens else KubeReview(client)
    store = KubePolicyStore(client)
    cluster = load_cluster(args.cluster) if args.cluster else default_cluster()
    source = ClusterSource(client, args.namespace, SystemClock(),
                           forecast_reader(args.forecast_file))
    jobs = SimulateJobs(cluster, warmstart_policy, store, traces_dir=args.traces_dir)
    return Services(source, store, jobs, auth), client.close
