"""`warmstart agent ...`: the node agent's commands.

scan       print the NodeCache status this node would publish (nothing is written)
run        the DaemonSet's loop: publish NodeCache, keep waterfalls, serve Prefetches
prefetch   stage one model into the cache now
waterfall  derive waterfalls offline from `kubectl get pods,events -o json` files
record-nvml  save this node's NVML answers (for a bug report or a test fixture)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from prometheus_client import CollectorRegistry

from agent.assemble import assemble
from agent.cache_scan import scan_cache
from agent.cuda_probe import run_in_child
from agent.download import DownloadError
from agent.http_api import make_app, serve
from agent.inventory import build_inventory
from agent.nvml import Nvml, PynvmlNvml
from agent.nvml_record import ReplayNvml
from agent.nvml_record import main as record_nvml
from agent.observe import Extras, observe, probe_disk
from agent.prefetch import prefetch
from agent.settings import AgentSettings
from agent.sources import PrefetchRequest
from agent.waterfall import derive_waterfall
from warmstart.clock import SystemClock
from warmstart.kube import KubeClient, KubeError, auto
from warmstart.quantity import QuantityError, parse_size

log = logging.getLogger("warmstart.agent")
ERRORS = (DownloadError, KubeError)  # beside ValueError and OSError: see warmstart.cli.main


def _nvml(args: argparse.Namespace) -> Nvml:
    return ReplayNvml.from_file(args.nvml_replay) if args.nvml_replay else PynvmlNvml()


def _settings(args: argparse.Namespace) -> AgentSettings:
    quota = getattr(args, "quota", None)
    return AgentSettings(
        node_name=args.node_name,
        cache_dir=args.cache_dir,
        quota_bytes=_quota(quota) if quota else None,
        scan_interval_s=getattr(args, "scan_interval", 30.0),
        disk_probe=bool(getattr(args, "probe_disk", False)),
        cri_socket=getattr(args, "cri_socket", None),
        image_gc_high_threshold_percent=getattr(args, "image_gc_high_threshold", 85),
    )


def _quota(text: str) -> int:
    try:
        return parse_size(text)
    except QuantityError as exc:
        raise ValueError(f"--quota: {exc}") from exc


def _cuda(args: argparse.Namespace) -> Extras:
    """The one-off CUDA probe, when asked for (the disk probe is periodic: the loop's)."""
    if not args.cuda_probe:
        return Extras()
    cuda, why = run_in_child()
    if cuda is None:
        log.warning("%s", why)
    return Extras(cuda=cuda)


def _scan(args: argparse.Namespace) -> int:
    settings = _settings(args)
    extras = _cuda(args)
    if settings.disk_probe:
        extras = replace(extras, disk_bps=probe_disk(settings, scan_cache(settings.cache_dir)))
    obs = observe(settings, _nvml(args), extras)
    status = build_inventory(obs, datetime.now(UTC)).model_dump(by_alias=True, mode="json")
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    print(f"node {status['nodeName']}")
    for gpu in status["gpus"]:
        print(f"  gpu {gpu['name']} {gpu['uuid']} free {gpu['memoryFreeBytes'] / 2**30:.1f} GiB")
    if obs.gpus.reason:
        print(f"  no GPU: {obs.gpus.reason}")
    for model in status["models"]:
        print(f"  {model['tier']:<12} {model['bytes'] / 1e9:9.3f} GB  {model['uri']}")
    measured = {k: v for k, v in status["bandwidths"].items() if v}
    print(f"  bandwidths {measured or 'not measured'}; warm {status['warm']}")
    return 0


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings, clock, registry = _settings(args), SystemClock(), CollectorRegistry()
    client = KubeClient(auto(args.api_server))
    http = httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True)
    agent = assemble(settings, client, http, _nvml(args), clock, registry, _cuda(args))
    host, _, port = args.listen.rpartition(":")
    server, _thread = serve(make_app(agent.store, registry), host or "0.0.0.0", int(port))
    stop = threading.Event()
    try:
        agent.run(stop)
    except KeyboardInterrupt:
        stop.set()
    finally:
        server.shutdown()
        client.close()
        http.close()
    return 0


def _prefetch(args: argparse.Namespace) -> int:
    settings = _settings(args)
    request = PrefetchRequest(uri=args.uri, sha256=args.sha256, endpoint=args.endpoint)
    with httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True) as http:
        result = prefetch(
            request, settings.cache_dir, http, datetime.now(UTC), quota_bytes=settings.quota_bytes
        )
    state = "already cached" if result.already_cached else f"fetched {result.fetched_bytes} bytes"
    print(f"{result.uri} -> {result.path} ({result.bytes} bytes, {state})")
    for uri in result.evicted:
        print(f"evicted {uri}")
    return 0


def _items(path: Path | None) -> list[dict[str, Any]]:
    if path is None:
        return []
    data = json.loads(path.read_text())
    return list(data.get("items", [data]))


def _waterfall(args: argparse.Namespace) -> int:
    events, nodes = _items(args.events), {n["metadata"]["name"]: n for n in _items(args.nodes)}
    records = [
        derive_waterfall(
            p, events, nodes.get((p.get("spec") or {}).get("nodeName") or "")
        ).model_dump(by_alias=True, mode="json")
        for p in _items(args.pods)
    ]
    print(json.dumps({"items": records}, indent=2))
    return 0


def _record(args: argparse.Namespace) -> int:
    return record_nvml([str(args.out)])


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache-dir",
        type=Path,
        required="WARMSTART_CACHE_DIR" not in os.environ,
        default=os.environ.get("WARMSTART_CACHE_DIR"),
    )
    parser.add_argument("--node-name", default=os.environ.get("NODE_NAME") or socket.gethostname())
    parser.add_argument(
        "--quota", help="keep the cache under this size (e.g. 800Gi) by LRU eviction"
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    agent = subparsers.add_parser("agent", help="the node agent: inventory, prefetch, waterfall")
    sub = agent.add_subparsers(dest="agent_command", metavar="ACTION", required=True)
    scan = sub.add_parser("scan", help="print the NodeCache status this node would publish")
    run = sub.add_parser("run", help="run the agent loop (the DaemonSet's command)")
    for p in (scan, run):
        _common(p)
        p.add_argument("--probe-disk", action="store_true", help="measure the cache disk's reads")
        p.add_argument("--cuda-probe", action="store_true", help="time CUDA start-up and H2D")
        p.add_argument("--nvml-replay", type=Path, help="answer NVML from a recording")
    scan.add_argument("--json", action="store_true", help="the status as JSON, as published")
    scan.set_defaults(func=_scan)
    run.add_argument("--listen", default="0.0.0.0:9402", help="/metrics, /waterfalls, /healthz")
    run.add_argument("--scan-interval", type=float, default=30.0)
    run.add_argument("--api-server", help="API server URL (default: in-cluster, else kubeconfig)")
    run.add_argument("--cri-socket", type=Path,
                     help="the runtime's CRI socket for image pre-pulls "
                     "(e.g. /run/containerd/containerd.sock); none: Prefetch images are skipped")
    run.add_argument("--image-gc-high-threshold", type=int, default=85,
                     help="kubelet's imageGCHighThresholdPercent: pre-pulls stop below it")
    run.set_defaults(func=_run)
    fetch = sub.add_parser("prefetch", help="stage a model into the node cache now")
    _common(fetch)
    fetch.add_argument("uri", help="https://..., s3://bucket/key-or-prefix/, hf://org/name[@rev]")
    fetch.add_argument("--sha256", help="expected sha256 of a single-file model")
    fetch.add_argument(
        "--endpoint", help="S3 endpoint, or the hub for hf:// (default huggingface.co)"
    )
    fetch.set_defaults(func=_prefetch)
    fall = sub.add_parser("waterfall", help="waterfalls from kubectl JSON files, offline")
    fall.add_argument("--pods", type=Path, required=True, help="kubectl get pods -o json")
    fall.add_argument("--events", type=Path, help="kubectl get events -o json")
    fall.add_argument("--nodes", type=Path, help="kubectl get nodes -o json")
    fall.set_defaults(func=_waterfall)
    record = sub.add_parser("record-nvml", help="save this node's NVML answers as JSON")
    record.add_argument("out", type=Path)
    record.set_defaults(func=_record)
