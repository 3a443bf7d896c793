"""Extender hot path at scale: the real app, one uvicorn worker, over loopback HTTP.

    python benchmarks/extender_bench.py --nodes 5000 [--json]

Builds a synthetic cluster (`warmstart.examples.synthetic`: 5,000 nodes,
1,000 models), starts `warmstart extender serve --inventory` on it in a
subprocess, and sends scheduling calls shaped like kube-scheduler's (every
node a candidate, as with percentageOfNodesToScore: 100): filter then
prioritize per pod, the prioritize carrying the filter's survivors in the
order the filter returned them, as kube-scheduler sends them. Prioritize with
no filter call before it (every name looked up) is measured too, and so is
the framework floor — an endpoint of the same app that only parses the call
and echoes the node names. Handler
times come from the server's own `Server-Timing` header, over one connection
calling serially as kube-scheduler's scheduling cycle does (so the client does
not compete with the server for the CPU); calls/s is end to end with 4 client
connections; RSS is the server's after the run. Scores are
remembered per pod shape, so the first call for each model is reported apart.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from warmstart.examples.synthetic import SyntheticModel, synthetic_cluster

CONNECTIONS = 4
WARMUP = 50


def pod_body(rng: random.Random, model: SyntheticModel, i: int, names: list[str]) -> bytes:
    container = {
        "name": "server",
        "image": model.image,
        "resources": {
            "limits": {"nvidia.com/gpu": str(model.gpus)},
            "requests": {"cpu": "4", "nvidia.com/gpu": str(model.gpus)},
        },
    }
    meta = {
        "name": f"pod-{i}",
        "namespace": "default",
        "annotations": {
            "warmstart.io/model": model.uri,
            "warmstart.io/model-bytes": str(model.bytes),
        },
    }
    spec: dict[str, object] = {"containers": [container]}
    if i % 5 == 0:  # a KServe predictor: model from the storage-initializer, size from the catalog
        meta["annotations"] = {}
        spec["initContainers"] = [
            {
                "name": "storage-initializer",
                "image": "kserve/storage-initializer:v0.15.0",
                "args": [model.uri, "/mnt/models"],
            }
        ]
    pod = {"metadata": meta, "spec": spec, "status": {"phase": "Pending"}}
    rng.shuffle(names)
    return orjson.dumps({"Pod": pod, "Nodes": None, "NodeNames": names})


def start_server(inventory: Path) -> tuple[subprocess.Popen[bytes], int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        sys.executable,
        "-m",
        "warmstart.cli.main",
        "extender",
        "serve",
        "--inventory",
        str(inventory),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--floor-endpoint",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd)
    for _ in range(1200):
        if proc.poll() is not None:
            raise SystemExit(f"extender exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("extender did not become ready")


Pod = tuple[bytes, bool]  # a filter call's body, and whether its pod shape is new
Result = tuple[str, float, int, bool]  # verb, handler ms, reply bytes, first call
NAMES_KEY = b'"NodeNames":'


def after_filter(body: bytes, reply: bytes) -> bytes:
    """The prioritize body kube-scheduler sends after our filter: the same pod,
    and the filter's survivors in the order the filter returned them."""
    if not reply.startswith(b"{" + NAMES_KEY):
        raise SystemExit(f"filter reply without NodeNames: {reply[:200]!r}")
    names = reply[len(NAMES_KEY) + 1 : reply.index(b',"FailedNodes":')]
    return body[: body.rindex(NAMES_KEY) + len(NAMES_KEY)] + names + b"}"


def reordered(body: bytes) -> bytes:
    """The same call with its node names in reverse order: no earlier call sent this list."""
    cut = body.rindex(NAMES_KEY) + len(NAMES_KEY)
    return body[:cut] + orjson.dumps(orjson.loads(body[cut:-1])[::-1]) + b"}"


def drive(
    port: int, pods: list[Pod], verbs: tuple[str, ...], connections: int = 1
) -> tuple[list[Result], float]:
    """Send each pod's calls over keep-alive connections; results and wall seconds.

    A prioritize after a filter carries the filter's survivors, as kube-scheduler's does.
    """
    chunks = [pods[i::connections] for i in range(connections)]

    def run(chunk: list[Pod]) -> list[Result]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out = []
        for body, first in chunk:
            reply = b""
            for verb in verbs:
                sent = after_filter(body, reply) if verb == "prioritize" and reply else body
                conn.request("POST", "/" + verb, sent, {"Content-Type": "application/json"})
                resp = conn.getresponse()
                reply = resp.read()
                if resp.status != 200:
                    raise SystemExit(f"{verb}: HTTP {resp.status} {reply[:200]!r}")
                timing = resp.getheader("Server-Timing", "handler;dur=nan")
                out.append((verb, float(timing.split("dur=")[1]), len(reply), first))
                if verb != "filter":
                    reply = b""
        conn.close()
        return out

    started = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        results = [r for part in pool.map(run, chunks) for r in part]
    return results, time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1] if len(values) > 1 else values[0]


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process (VmRSS now, VmHWM peak) from /proc, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def summarize(results: list[Result], verb: str) -> dict[str, float]:
    times = [ms for v, ms, _, _ in results if v == verb]
    sizes = [b for v, _, b, _ in results if v == verb]
    return {
        "p50_ms": round(pct(times, 50), 3),
        "p99_ms": round(pct(times, 99), 3),
        "reply_bytes_p50": int(statistics.median(sizes)),
    }


def make_bodies(args: argparse.Namespace) -> tuple[list[dict[str, object]], list[Pod]]:
    """The cluster's objects, and one body per pod with whether its shape is new."""
    rng = random.Random(args.seed)
    objects, models = synthetic_cluster(args.nodes, args.models, args.seed, datetime.now(UTC))
    gpus_of = {
        o["metadata"]["name"]: int(o["status"]["allocatable"]["nvidia.com/gpu"])
        for o in objects
        if o["kind"] == "Node"
    }
    weights = [1 / (i + 1) ** 1.1 for i in range(len(models))]
    bodies: list[Pod] = []
    seen: set[str] = set()
    for i, model in enumerate(rng.choices(models, weights, k=args.pods + WARMUP)):
        names = [n for n, g in gpus_of.items() if g >= model.gpus]
        shape = f"{model.uri}/{i % 5 == 0}"  # KServe pods (every 5th) are a shape of their own
        bodies.append((pod_body(rng, model, i, names), shape not in seen))
        seen.add(shape)
    return objects, bodies


def measure(port: int, bodies: list[Pod]) -> dict[str, Any]:
    warm, timed = bodies[:WARMUP], bodies[WARMUP:]
    cycle = ("filter", "prioritize")
    drive(port, warm, cycle)  # imports and first allocations of both verbs
    # Steady state: the extender has seen each pod shape once (scores are remembered
    # per shape); those first calls are timed here and reported apart.
    firsts, _ = drive(port, [(b, True) for b, f in timed if f], ("prioritize",))
    results, _ = drive(port, timed, cycle)
    alone, _ = drive(port, [(reordered(b), f) for b, f in timed], ("prioritize",))
    floor, _ = drive(port, timed, ("floor", "floor"))
    loaded, wall = drive(port, timed, cycle, CONNECTIONS)
    _, floor_wall = drive(port, timed, ("floor", "floor"), CONNECTIONS)
    return {
        "firsts": firsts,
        "results": results,
        "alone": alone,
        "calls": len(loaded),
        "wall": wall,
        "floor": floor,
        "floor_wall": floor_wall,
    }


def report(m: dict[str, Any], rss: float) -> dict[str, Any]:
    """The figures under exactly the keys issue 2 lists (`--json` prints this)."""
    fl = summarize(m["floor"], "floor")
    return {
        "filter": {
            k: v for k, v in summarize(m["results"], "filter").items() if k != "reply_bytes_p50"
        },
        "prioritize": summarize(m["results"], "prioritize"),
        # Beyond the keys: prioritize with no filter call before it.
        "prioritize_alone": {
            k: v for k, v in summarize(m["alone"], "prioritize").items() if k != "reply_bytes_p50"
        },
        "calls_per_s": round(m["calls"] / m["wall"], 1),
        "rss_mb": round(rss, 1),
        "floor": {
            "p50_ms": fl["p50_ms"],
            "p99_ms": fl["p99_ms"],
            "calls_per_s": round(len(m["floor"]) / m["floor_wall"], 1),
        },
    }


def show(r: dict[str, Any], m: dict[str, Any], args: argparse.Namespace, peak: float) -> None:
    calls = len(m["results"])
    print(
        f"extender, {args.nodes} nodes, {args.models} models, {args.pods} pods ({calls} calls), "
        f"1 uvicorn worker; handler times over 1 connection, calls/s over {CONNECTIONS}"
    )
    print(f"{'handler time':14}{'p50 ms':>10}{'p99 ms':>10}")
    for verb in ("filter", "prioritize"):
        print(f"{verb:14}{r[verb]['p50_ms']:>10}{r[verb]['p99_ms']:>10}")
    alone = r["prioritize_alone"]
    print(
        f"{'  alone':14}{alone['p50_ms']:>10}{alone['p99_ms']:>10}"
        "   (no filter call before it: every name looked up)"
    )
    print(
        f"{'floor':14}{r['floor']['p50_ms']:>10}{r['floor']['p99_ms']:>10}"
        "   (same app: parse the call, echo the node names)"
    )
    first = [ms for _, ms, _, _ in m["firsts"]] or [float("nan")]
    print(
        f"prioritize, first call of each of {len(m['firsts'])} pod shapes (before the timed "
        f"run): p50 {pct(first, 50):.3f} ms, p99 {pct(first, 99):.3f} ms"
    )
    print(f"calls/s end to end: {r['calls_per_s']} (floor {r['floor']['calls_per_s']})")
    print(f"prioritize reply p50: {r['prioritize']['reply_bytes_p50']} bytes")
    print(f"server RSS after the run: {r['rss_mb']} MB (peak {peak:.1f} MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--pods", type=int, default=1000, help="pods scheduled (2 calls each)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    objects, bodies = make_bodies(args)
    with tempfile.TemporaryDirectory() as tmp:
        inventory = Path(tmp) / "cluster.json"
        inventory.write_bytes(orjson.dumps({"apiVersion": "v1", "kind": "List", "items": objects}))
        del objects
        proc, port = start_server(inventory)
        try:
            measured = measure(port, bodies)
            rss, peak = rss_mb(proc.pid), rss_mb(proc.pid, "VmHWM")
        finally:
            proc.terminate()
            proc.wait(10)
    result = report(measured, rss)
    if args.json:
        print(json.dumps(result))
    else:
        show(result, measured, args, peak)
    return 0


if __name__ == "__main__":
    sys.exit(main())
