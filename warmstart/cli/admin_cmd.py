"""`warmstart admin serve`: the admin API and dashboard, over a cluster or, with
`--simulate TRACE`, over a live simulation on a virtual clock.

The composition root of the admin API: picks the source, the policy store and
the authorizer, and serves the app with uvicorn on a socket bound first, so
`--port 0` works and the printed URL is the real one.
"""

from __future__ import annotations

import argparse
import secrets
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import uvicorn

from warmstart.admin import AdminSettings, Services, create_app
from warmstart.admin.auth import AuthError, Authorizer, StaticTokens
from warmstart.admin.frontier import Frontier
from warmstart.admin.jobs import SimulateJobs
from warmstart.admin.policy_store import MemoryPolicyStore, PolicyStore, policy_or_default
from warmstart.admin.sim_source import LiveSimulation
from warmstart.cli.admin_sim import advisor_for, band, warmstart_policy
from warmstart.cli.sim_policies import sweep_knobs
from warmstart.sim.config import ClusterError, default_cluster, load_cluster
from warmstart.traces import SAMPLE, TraceError, load_trace


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("admin", help="the REST admin API and dashboard")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    p = verbs.add_parser("serve", help="serve /v1, /docs and the dashboard")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--simulate", metavar="TRACE", help="serve a live simulation of TRACE")
    p.add_argument("--hours", type=float, help="replay only this many hours of the trace")
    p.add_argument("--speed", type=float, default=600.0,
                   help="virtual seconds per wall second (0: as fast as possible)")
    p.add_argument("--cluster", type=Path, help="simulated cluster YAML")
    p.add_argument("--traces-dir", type=Path, help="folder of the shared traces")
    p.add_argument("--tokens", type=Path,
                   help="static tokens file (token,user,role per line); default: Kubernetes "
                   "TokenReview, or one printed admin token with --simulate")
    p.add_argument("--api-url", help="API server URL (default: in-cluster or kubeconfig)")
    p.add_argument("--namespace", default="warmstart-system", help="where decisions are kept")
    p.add_argument("--forecast-file", type=Path, help="DemandForecast JSON to serve")
    p.add_argument("--cors-origin", action="append", default=[], help="allow this origin")
    p.add_argument("--max-body-bytes", type=int, default=2 * 1024 * 1024)
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"warmstart admin: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    try:
        sock = socket.create_server((args.host, args.port))
    except (OSError, OverflowError) as exc:
        return _fail(f"--port {args.port}: {getattr(exc, 'strerror', None) or exc}")
    try:
        if args.simulate:
            svc, token, stop = _simulation(args)
        else:
            from warmstart.cli.admin_cluster import cluster_services  # kube client on demand
            svc, stop = cluster_services(args)
            token = None
    except (ClusterError, TraceError, AuthError, OSError, ValueError) as exc:
        sock.close()
        return _fail(str(exc))
    return serve(svc, args, sock, token, stop)


def serve(svc: Services, args: argparse.Namespace, sock: socket.socket, token: str | None,
          stop: Callable[[], None], out: TextIO = sys.stdout) -> int:
    settings = AdminSettings(max_body_bytes=args.max_body_bytes,
                             cors_origins=tuple(args.cors_origin))
    app = create_app(settings, svc)
    host, port = sock.getsockname()[:2]
    url = f"http://{host}:{port}/dashboard/" + (f"#token={token}" if token else "")
    print(f"warmstart admin API on http://{host}:{port}/v1 (docs: /docs); dashboard: {url}",
          file=out, flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        sock.close()
    return 0


def _authorizer(tokens: Path | None) -> tuple[Authorizer, str | None]:
    """The tokens file given, else one fresh admin token (printed in the URL)."""
    if tokens is not None:
        return StaticTokens(tokens), None
    token = secrets.token_urlsafe(24)
    path = Path(tempfile.mkdtemp(prefix="warmstart-admin-")) / "tokens"
    path.write_text(f"{token},operator,admin\n")
    path.chmod(0o600)
    return StaticTokens(path), token


def _simulation(args: argparse.Namespace) -> tuple[Services, str | None, Callable[[], None]]:
    cluster = load_cluster(args.cluster) if args.cluster else default_cluster()
    frame = load_trace(args.simulate, traces_dir=args.traces_dir,
                       duration_s=args.hours * 3600 if args.hours else None)
    if frame.empty:
        raise ValueError(f"trace {args.simulate}: no requests to replay")
    store: PolicyStore = MemoryPolicyStore()
    frontier = Frontier(frame, cluster, sweep_knobs(cluster))
    live = LiveSimulation(frame, cluster, advisor_for, band,
                          lambda pool: policy_or_default(store, pool), speed=args.speed,
                          frontier=frontier)
    auth, token = _authorizer(args.tokens)
    jobs = SimulateJobs(cluster, warmstart_policy, store, traces_dir=args.traces_dir)
    live.start()
    frontier.start()

    def stop() -> None:
        live.close()
        frontier.close()

    return Services(live, store, jobs, auth), token, stop


def serve_demo(out: TextIO, port: int = 0) -> int:
    """`warmstart demo`'s last part: the dashboard over a live simulation of the
    packaged sample, until Ctrl-C."""
    args = argparse.Namespace(simulate=SAMPLE, hours=None, speed=600.0, cluster=None,
                              traces_dir=None, tokens=None, cors_origin=[],
                              max_body_bytes=2 * 1024 * 1024)
    sock = socket.create_server(("127.0.0.1", port))
    svc, token, stop = _simulation(args)
    print("\n== Dashboard over a live simulation (Ctrl-C to stop) ==", file=out)
    return serve(svc, args, sock, token, stop, out)
