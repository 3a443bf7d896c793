"""`warmstart extender serve`: run the scheduler extender.

The index is fed by list+watch of Nodes, NodeCaches and Models from the API
server (in-cluster service account, or `--kubeconfig`), or from a static
`--inventory` file of the same objects for demos and clusters without the
node agent.
"""

from __future__ import annotations

import argparse
import gc
import logging
import threading
from pathlib import Path
from typing import Any

from extender import ExtenderSettings, NodeIndex, load_settings
from extender.feed import WatchFeed, load_objects
from warmstart.clock import SystemClock
from warmstart.inventory import stream_inventory


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("extender", help="the kube-scheduler extender")
    sub = parser.add_subparsers(dest="extender_command", metavar="COMMAND", required=True)
    serve = sub.add_parser("serve", help="serve /filter and /prioritize over HTTP")
    serve.add_argument("--inventory", type=Path, help="NodeCache/Node/Model objects (YAML/JSON)")
    serve.add_argument("--kubeconfig", type=Path, help="kubeconfig (default: in-cluster)")
    serve.add_argument("--config", type=Path, help="extender settings (YAML)")
    serve.add_argument("--host", help="listen address (default 0.0.0.0)")
    serve.add_argument("--port", type=int, help="listen port (default 8888)")
    serve.add_argument("--budget-ms", type=float, help="fail open past this handler time")
    serve.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate (PEM)")
    serve.add_argument("--tls-key", type=Path, help="the certificate's private key (PEM)")
    serve.add_argument("--floor-endpoint", action="store_true", help="add POST /floor (bench)")
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=serve_command)


def build_settings(args: argparse.Namespace) -> ExtenderSettings:
    overrides: dict[str, object] = {}
    if args.host is not None:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    if args.budget_ms is not None:
        overrides["budget_s"] = args.budget_ms / 1000
    if args.floor_endpoint:
        overrides["floor_endpoint"] = True
    if args.config is not None:
        return load_settings(args.config, **overrides)
    return ExtenderSettings.model_validate(overrides)


def settle_before_ready(index: NodeIndex, timeout_s: float = 600.0) -> None:
    """Once the index is full, lay its node names out afresh and move its objects
    out of the garbage collector's sight; only then is it ready.

    A full collection walks every object the index holds (about a million at
    15,000 nodes): a tenth of a second inside the first scheduler calls if it
    ran after them. Frozen objects are never walked; later updates still are.
    """
    index.settled = False

    def wait() -> None:
        stop = threading.Event()
        for _ in range(int(timeout_s * 20)):
            if index.seconds_since_sync() < float("inf"):
                break
            stop.wait(0.05)
        index.compact()
        gc.collect()
        gc.freeze()
        index.settled = True

    threading.Thread(target=wait, name="settle-index", daemon=True).start()


def serve_command(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s %(message)s")
    clock = SystemClock()
    settings = build_settings(args)  # bad settings, files or kubeconfig: main() says so
    if (args.tls_cert is None) != (args.tls_key is None):
        raise ValueError("--tls-cert and --tls-key go together")
    index = NodeIndex(settings, clock)
    feed: WatchFeed | None = None
    if args.inventory:  # each raw object is dropped once indexed
        load_objects(index, stream_inventory(args.inventory), clock)
    else:
        from warmstart.kube import KubeClient, auto, from_kubeconfig  # only when watching

        config = from_kubeconfig(str(args.kubeconfig)) if args.kubeconfig else auto()
        feed = WatchFeed(index, KubeClient(config), clock)
        feed.start()
    settle_before_ready(index)
    # Imported once the feed is listing: the API server answers meanwhile.
    import uvicorn

    from extender.app import create_app

    app = create_app(settings, index, clock)
    try:
        uvicorn.run(
            app, host=settings.host, port=settings.port, log_level=args.log_level, access_log=False,
            ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key,
        )
    finally:
        if feed is not None:
            feed.stop()
            feed.client.close()
    return 0
