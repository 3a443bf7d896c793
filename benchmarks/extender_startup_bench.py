"""The extender alone against a real API server holding N nodes: start-up and
the handler time of scheduler-sized calls, without a kube-scheduler in the way.

    python -m benchmarks.extender_startup_bench --nodes 15000 --reps 3 [--json]
    python -m benchmarks.extender_startup_bench --kubeconfig K --nodes 15000  # objects already in

`scheduler_bench` needs an hour at 15,000 nodes, most of it kube-scheduler's
own work; this one answers in minutes what the extender's share is. A fresh
control plane (`tests/e2e/controlplane.py`) gets N fake GPU nodes with
NodeCaches (`benchmarks.fake_gpu_cluster`), written once; or `--kubeconfig`
names a cluster already holding them. Then, `--reps` times:

- `warmstart extender serve --kubeconfig` is started: seconds from its start
  to `/readyz` 200, its CPU seconds and RSS then;
- `--calls` filter calls, each followed by the prioritize call kube-scheduler
  makes next (the filter's survivors), every call naming all N nodes in a fresh
  order (kube-scheduler's order varies between calls) for a pod naming the
  benchmark's model: handler times from `Server-Timing`, and the round trips;
- the trivial prioritize-only extender (`benchmarks.trivial_extender`) gets
  the same prioritize bodies: the baseline, same run.

The load average is printed with every repetition: on a shared machine it
says how much of a wall-clock figure is waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_probes import cpu_s, memory_mib
from benchmarks.fake_gpu_cluster import IMAGE, MODEL, MODEL_BYTES, write_cluster
from tests.e2e.binaries import REPO, find_binaries
from tests.e2e.controlplane import free_port, running_control_plane
from tests.e2e.extender_process import start_extender
from tests.e2e.objects import gpu_pod

Obj = dict[str, Any]


def pod() -> Obj:
    """A pending pod naming the benchmark's model, as kube-scheduler sends it."""
    annotations = {"warmstart.io/model": MODEL, "warmstart.io/model-bytes": str(MODEL_BYTES)}
    return gpu_pod("bench-pod", "default", image=IMAGE, annotations=annotations)


def bodies(names: list[str], calls: int, seed: int = 7) -> list[bytes]:
    """`calls` filter bodies naming every node, each in its own order."""
    rng, spec = random.Random(seed), pod()
    out = []
    for _ in range(calls):
        order = names[:]
        rng.shuffle(order)
        out.append(orjson.dumps({"Pod": spec, "Nodes": None, "NodeNames": order}))
    return out


def _post(http: httpx.Client, path: str, body: bytes) -> tuple[bytes, float, float]:
    """The reply, the handler's own ms (Server-Timing; nan if none) and the round trip's."""
    started = time.perf_counter()
    reply = http.post(path, content=body, headers={"Content-Type": "application/json"})
    trip = (time.perf_counter() - started) * 1000
    reply.raise_for_status()
    timing = reply.headers.get("Server-Timing", "handler;dur=nan")
    return reply.content, float(timing.split("dur=")[1]), trip


def cycles(url: str, filters: list[bytes]) -> dict[str, list[float]]:
    """Filter then prioritize with the survivors, per body: handler and round-trip ms."""
    times: dict[str, list[float]] = {k: [] for k in ("filter", "filter_trip", "prioritize",
                                                     "prioritize_trip")}
    with httpx.Client(base_url=url, timeout=30) as http:
        for body in filters:
            reply, handler, trip = _post(http, "/filter", body)
            times["filter"].append(handler)
            times["filter_trip"].append(trip)
            survivors = orjson.loads(reply)["NodeNames"]
            after = orjson.dumps({**orjson.loads(body), "NodeNames": survivors})
            _, handler, trip = _post(http, "/prioritize", after)
            times["prioritize"].append(handler)
            times["prioritize_trip"].append(trip)
    return times


def trivial_trips(url: str, filters: list[bytes]) -> list[float]:
    with httpx.Client(base_url=url, timeout=30) as http:
        return [_post(http, "/prioritize", body)[2] for body in filters]


def quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": ordered[-1]}


@contextmanager
def trivial_extender() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.trivial_extender",
                             "--port", str(port)], cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def one_rep(kubeconfig: Path, folder: Path, filters: list[bytes]) -> Obj:
    config = folder / "extender.yaml"
    config.write_text("staleAfterSeconds: 86400\n")  # the bench writes NodeCaches once
    load = os.getloadavg()[0]
    started = time.monotonic()
    ext = start_extender(kubeconfig, folder, extra=("--config", str(config),
                                                    "--log-level", "warning"),
                         ready_timeout_s=300)
    try:
        result: Obj = {"ready_s": time.monotonic() - started, "cpu_ready_s": cpu_s(ext.proc.pid),
                       "rss_ready_mib": memory_mib(ext.proc.pid, "VmRSS"), "load_avg": load}
        cpu0 = cpu_s(ext.proc.pid)
        times = cycles(ext.url, filters)
        result["cpu_per_cycle_ms"] = (cpu_s(ext.proc.pid) - cpu0) * 1000 / len(filters)
        result["peak_rss_mib"] = memory_mib(ext.proc.pid)
    finally:
        ext.stop()
    with trivial_extender() as url:
        trivial = trivial_trips(url, filters)
    result.update({k: quantiles(v) for k, v in times.items()})
    result["trivial_prioritize_trip"] = quantiles(trivial)
    return result


def _row(rep: int, r: Obj) -> str:
    q = lambda k: f"{r[k]['p50_ms']:.1f}/{r[k]['p99_ms']:.1f}"  # noqa: E731
    return (f"r{rep} ready {r['ready_s']:.1f} s (cpu {r['cpu_ready_s']:.1f} s, "
            f"rss {r['rss_ready_mib']:.0f} MiB) | handler ms p50/p99 filter {q('filter')} "
            f"prioritize {q('prioritize')} | round trip filter {q('filter_trip')} "
            f"prioritize {q('prioritize_trip')} trivial prioritize "
            f"{q('trivial_prioritize_trip')} | cpu/cycle {r['cpu_per_cycle_ms']:.1f} ms "
            f"peak {r['peak_rss_mib']:.0f} MiB load {r['load_avg']:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=15000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--calls", type=int, default=100, help="filter+prioritize cycles per rep")
    parser.add_argument("--holding", type=float, default=0.2, help="share caching the model")
    parser.add_argument("--kubeconfig", type=Path,
                        help="a cluster already holding the benchmark's N nodes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    names = [f"bench-gpu-{i:05d}" for i in range(args.nodes)]  # fake_gpu_cluster's names
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="startup-bench-")))
        kubeconfig, write_s = args.kubeconfig, None
        if kubeconfig is None:
            binaries = find_binaries()
            if isinstance(binaries, str):
                raise SystemExit(binaries)
            plane = stack.enter_context(running_control_plane(binaries, folder))
            kube = plane.admin()
            write_s = write_cluster(kube, args.nodes, args.holding).seconds
            kube.close()
            kubeconfig = plane.kubeconfig
            if not args.json:
                print(f"{args.nodes} nodes written in {write_s:.0f} s", flush=True)
        filters = bodies(names, args.calls)
        runs = []
        for rep in range(args.reps):
            (folder / f"r{rep}").mkdir()
            runs.append(one_rep(kubeconfig, folder / f"r{rep}", filters))
            if not args.json:
                print(_row(rep, runs[-1]), flush=True)
    if args.json:
        print(json.dumps({"nodes": args.nodes, "write_s": write_s, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
