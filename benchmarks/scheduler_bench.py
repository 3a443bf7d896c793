"""The real kube-scheduler with and without extenders, on a real API server.

    python -m benchmarks.scheduler_bench --nodes 5000,15000 --pods 1000 --reps 2 [--json]
    (or: make bench-scheduler)

One control plane (etcd + kube-apiserver v1.36, the e2e tests'
`tests/e2e/controlplane.py`) gets N fake GPU nodes with NodeCaches and images
(`benchmarks.fake_gpu_cluster`: about 20% cache the pods' model), grown from
one node count to the next (the 15,000-node cluster is the 5,000 nodes plus
10,000 more: writing nodes is most of the API server's work here). Then,
interleaved (the order rotates every repetition), each variant schedules P
pending pods naming that model with kube-scheduler v1.36 run on
deploy/scheduler's configuration (profile `warmstart-gpu`, every node scored),
with the client's QPS raised (`--qps`, default 1,000; the default 50 caps binds
at about 50/s):

- `none`: no extender;
- `trivial`: `benchmarks.trivial_extender`, prioritize only, every node score 1
  (what any extender costs);
- `warmstart`: `warmstart extender serve --kubeconfig`, filter + prioritize as
  deploy/scheduler configures it.

The pods are created first; kube-scheduler starts once they are all Pending
and a pod watch notes each bind. Per run: pods/s from the first bind to the
last; CPU seconds of kube-scheduler and of the extender over that window;
the extender's peak RSS (VmHWM, whole run) and, for warmstart, seconds from
its start to `/readyz` 200 (the API server already holding every object) and
RSS then; warmstart's filter and prioritize handler p50/p99 from its
`/metrics` histogram (interpolated within buckets); fail-open answers and
prioritize calls that found the filter's reply (`handed_off`); the
share of pods bound to a node caching their model; the load average. The
bench's NodeCaches are written once, so the extender is run with a staleness
bound longer than the run (`staleAfterSeconds`), as agents that keep
publishing would keep them fresh.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import yaml

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_probes import (
    FAIL_OPEN,
    LISTS,
    BindWatch,
    counter_total,
    cpu_s,
    histogram_quantiles,
    memory_mib,
)
from benchmarks.fake_gpu_cluster import IMAGE, MODEL, MODEL_BYTES, FakeCluster, write_cluster
from tests.e2e.binaries import REPO, find_binaries
from tests.e2e.controlplane import NAMESPACES, ControlPlane, free_port, running_control_plane
from tests.e2e.extender_process import start_extender
from tests.e2e.objects import gpu_pod
from tests.e2e.scheduler import CONFIG, start_scheduler
from warmstart.kube import KubeClient
from warmstart.kube.resources import PODS

VARIANTS = ("none", "trivial", "warmstart")
WARMSTART = ("warmstart", "baseline")
Obj = dict[str, Any]


@contextmanager
def extender_for(variant: str, plane: ControlPlane, folder: Path,
                 source: Path | None) -> Iterator[Obj]:
    """The variant's extender running (nothing for `none`): its URL, process id
    and scheduler entry, and for warmstart its start-up figures. `baseline` is
    warmstart with its `extender` package imported from `source`."""
    if variant == "none":
        yield {"url": None, "pid": None, "entry": None}
        return
    entry = dict(yaml.safe_load(CONFIG.read_text())["extenders"][0])
    for https in ("enableHTTPS", "tlsConfig"):  # the bench's extenders serve plain loopback HTTP
        entry.pop(https, None)
    if variant == "trivial":
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.trivial_extender",
                                 "--port", str(port)], cwd=REPO)
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url, proc)
        del entry["filterVerb"]
        info: Obj = {"url": url, "pid": proc.pid}
    else:
        config = folder / "extender.yaml"
        config.write_text("staleAfterSeconds: 86400\n")
        started = time.monotonic()
        ext = start_extender(plane.kubeconfig, folder, extra=("--config", str(config),
                                                              "--log-level", "warning"),
                             ready_timeout_s=300, source=source)
        proc = ext.proc
        info = {"url": ext.url, "pid": proc.pid, "ready_s": time.monotonic() - started,
                "rss_ready_mib": memory_mib(proc.pid, "VmRSS")}
    entry["urlPrefix"] = info["url"]
    info["entry"] = entry
    try:
        yield info
    finally:
        proc.terminate()
        proc.wait(10)


def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"extender exited ({proc.returncode})")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise SystemExit("extender not ready")


def pending_pods(kube: KubeClient, namespace: str, count: int) -> str:
    """Create `count` pods naming MODEL; the list's resourceVersion after them."""
    annotations = {"warmstart.io/model": MODEL, "warmstart.io/model-bytes": str(MODEL_BYTES)}
    kube.create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                             "metadata": {"name": namespace}})
    pods = [gpu_pod(f"pod-{i:05d}", namespace, image=IMAGE, annotations=annotations)
            for i in range(count)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda p: kube.create(PODS, p, namespace), pods))
    return kube.list(PODS, namespace).resource_version


def clear_pods(kube: KubeClient, namespace: str) -> None:
    """Delete the run's pods at once (no kubelet: grace period 0), so the next run's
    nodes are empty again."""
    kube.request("DELETE", PODS.path(namespace), params={"gracePeriodSeconds": "0"})
    while kube.list(PODS, namespace).items:
        time.sleep(0.2)


def run_variant(plane: ControlPlane, kube: KubeClient, cluster: FakeCluster, variant: str,
                pods: int, tag: str, args: argparse.Namespace) -> Obj:
    folder = plane.workdir / tag
    folder.mkdir()
    load_before = os.getloadavg()[0]
    source = args.baseline_src if variant == "baseline" else None
    with extender_for(variant, plane, folder, source) as ext:
        version = pending_pods(kube, tag, pods)
        watch = BindWatch(kube, tag, version, pods)
        overrides = {"extenders": [ext["entry"]]} if ext["entry"] else None
        sched = start_scheduler(plane, None, name=f"scheduler-{tag}", qps=args.qps,
                                overrides=overrides, verbosity=1)
        pids = [p for p in (sched.proc.pid, ext["pid"]) if p]
        watch.first.wait(args.timeout)
        cpu0 = [cpu_s(p) for p in pids]
        finished = watch.done.wait(args.timeout)
        cpu1 = [cpu_s(p) for p in pids]
        metrics = httpx.get(f"{ext['url']}/metrics").text if variant in WARMSTART else ""
        peak = memory_mib(ext["pid"]) if ext["pid"] else None
        sched.stop()
        watch.stop()
    times = sorted(t for t, _ in watch.bound.values())
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    result: Obj = {
        "variant": variant, "pods": pods, "bound": len(times), "finished": finished,
        "pods_per_s": (len(times) - 1) / span if len(times) > 1 else None,
        "scheduler_cpu_s": cpu1[0] - cpu0[0],
        "extender_cpu_s": cpu1[1] - cpu0[1] if len(pids) > 1 else None,
        "extender_peak_rss_mib": peak,
        "on_model_node": sum(n in cluster.holders for _, n in watch.bound.values())
        / max(len(times), 1),
        "load_avg_before": load_before, "load_avg_after": os.getloadavg()[0],
    }
    if variant in WARMSTART:
        result.update(ready_s=ext["ready_s"], rss_ready_mib=ext["rss_ready_mib"],
                      filter=histogram_quantiles(metrics, "filter"),
                      prioritize=histogram_quantiles(metrics, "prioritize"),
                      fail_open=counter_total(metrics, FAIL_OPEN),
                      handed_off=counter_total(metrics, LISTS, found="filter-reply"))
    clear_pods(kube, tag)
    return result


def bench_nodes(plane: ControlPlane, kube: KubeClient, nodes: int, written: int,
                args: argparse.Namespace) -> Obj:
    """The runs at `nodes` nodes, the cluster grown from the `written` already there."""
    cluster = write_cluster(kube, nodes, args.holding, first=written)
    runs = []
    if not args.json:
        print(f"{nodes} nodes ({nodes - written} written in {cluster.seconds:.0f} s)", flush=True)
    variants = args.variants
    for rep in range(args.reps):
        turn = rep % len(variants)
        order = variants[turn:] + variants[:turn]
        for variant in order:
            runs.append(run_variant(plane, kube, cluster, variant, args.pods,
                                    f"n{nodes}-r{rep}-{variant}", args))
            if not args.json:
                print(_row(nodes, rep, runs[-1]), flush=True)
    return {"nodes": nodes, "holding": len(cluster.holders) / nodes,
            "written": nodes - written, "write_s": cluster.seconds, "runs": runs}


def _fmt(value: Any, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def _row(nodes: int, rep: int, r: Obj) -> str:
    line = (f"{nodes:>6} r{rep} {r['variant']:<9} {_fmt(r['pods_per_s']):>6} pods/s "
            f"bound {r['bound']}/{r['pods']} sched {_fmt(r['scheduler_cpu_s'])} s "
            f"ext {_fmt(r['extender_cpu_s'])} s peak {_fmt(r['extender_peak_rss_mib'], '.0f')} "
            f"MiB on-model {r['on_model_node']:.0%} load {r['load_avg_before']:.1f}")
    if r["variant"] in WARMSTART:
        f, p = r["filter"], r["prioritize"]
        line += (f" | ready {r['ready_s']:.1f} s filter {_fmt(f['p50_ms'], '.2f')}/"
                 f"{_fmt(f['p99_ms'], '.2f')} ms prio {_fmt(p['p50_ms'], '.2f')}/"
                 f"{_fmt(p['p99_ms'], '.2f')} ms fail-open {r['fail_open']} "
                 f"handed off {r['handed_off']}/{p['calls']}")
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", default="5000", help="node counts, comma-separated")
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--holding", type=float, default=0.2, help="share caching the model")
    parser.add_argument("--qps", type=int, default=1000, help="kube-scheduler client QPS")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per run")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated, of {', '.join(VARIANTS)}, baseline")
    parser.add_argument("--baseline-src", type=Path,
                        help="a checkout whose `extender` package the `baseline` variant runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.variants = args.variants.split(",")
    if "baseline" in args.variants and args.baseline_src is None:
        raise SystemExit("the baseline variant needs --baseline-src")
    binaries = find_binaries()
    if isinstance(binaries, str):
        raise SystemExit(binaries)
    started = time.monotonic()
    results: list[Obj] = []
    with tempfile.TemporaryDirectory(prefix="scheduler-bench-") as tmp, \
            running_control_plane(binaries, Path(tmp)) as plane:
        kube = plane.admin()
        for count in sorted(int(n) for n in args.nodes.split(",")):
            written = results[-1]["nodes"] if results else 0
            results.append(bench_nodes(plane, kube, count, written, args))
        kube.close()
    if args.json:
        print(json.dumps({"results": results, "wall_s": time.monotonic() - started}, indent=1))


if __name__ == "__main__":
    main()
