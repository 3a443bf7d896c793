"""Extender in watch mode under NodeCache churn: handler times and memory.

    python -m benchmarks.extender_watch_bench [--updates-per-s 20] [--json]

`extender_bench` serves a static `--inventory` file, so the index never moves.
In a cluster the extender lists and watches Nodes, NodeCaches and Models, and
thousands of node agents keep rewriting their NodeCache statuses: each write
moves the index generation, so the score vectors kept per pod shape and the
slot arrays kept per image and model must be brought up to date, and calls
cost more than on a file. This benchmark measures that, and the memory of a
watching extender.

The synthetic cluster of `extender_bench` (5,000 nodes, 1,000 models) is put
in the project's fake API server (`tests/kubemock.py`: real HTTP, list and
watch with resourceVersions), in its own process as a real API server would
be. `warmstart extender serve --kubeconfig` (one uvicorn worker) lists and
watches it; its RSS is read as soon as `/readyz` answers 200. Then, in the
same run, filter-then-prioritize cycles are timed as `extender_bench` times
them (one connection, serial, handler times from `Server-Timing`, prioritize
carrying the filter's survivors), each phase sending the same `--pods` pods
`--rounds` times:

- baseline: no writes (each pod shape's first call made beforehand);
- churn: a thread PATCHes NodeCache statuses (a merge patch of the whole
  status, as the agent's publisher writes it) at `--updates-per-s`, each a
  realistic change of one random node: observedAt now and, 40% of the time,
  one GPU's memoryFreeBytes (a serving pod started or stopped), 30% one cached
  model's lastUsed (30% a heartbeat only). 20/s is 5,000 agents each writing
  about every 4 minutes;
- after: writes stopped, first calls made again: back to baseline?

After the churn phase one more write adds a sentinel model to one node and
`/explain` is polled until the extender ranks it cached: watch events arrive
in order, so by then the extender had applied every write of the phase.
Before all this, the same objects are served from a file (`extender serve
--inventory`, the `extender_bench` setup) for the baseline phase alone: the
memory a watching extender adds (informer stores, API client), same run.

The fake ends watch streams after 60 s (its `watch_cap_s`; the extender asks
for 300 s) and the informers re-watch from their resourceVersion, as a real
API server's bookmarks keep an idle watch alive; a run past 60 s re-watches.

`--json` prints one object: `nodes`, `models`, `pods`, `rounds`,
`updates_per_s`, `sync_s` (extender start to ready), `rss_synced_mb`,
`phases` (`baseline`, `churn`, `after`; each `filter` {`p50_ms`, `p99_ms`},
`prioritize` {`p50_ms`, `p99_ms`, `reply_bytes_p50`}, `floor` {`p50_ms`,
`p99_ms`} (one `POST /floor` per pod after the cycles: the same app only
parsing and echoing, a gauge of the machine's and event loop's speed),
`seconds`, `updates` (writes acknowledged during the cycles), `rss_mb` (after
the phase), `fail_open` (calls answered fail-open, from `/metrics`), `ready`
(`/readyz` after it), `others_cpu_s` (CPU seconds processes outside the
benchmark used meanwhile: on a shared machine a busy neighbour slows calls)),
`updates_failed`, `all_seen_after_ms` (sentinel write to visible; null if not
within 30 s), `rss_peak_mb`, `server_log_lines` (lines the extender logged at
warning and above), `file` (the file-mode baseline phase, same keys as a phase
plus `rss_synced_mb`), `wall_s`.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import IO, Any, cast

import orjson

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.extender_bench import (
    WARMUP,
    Pod,
    Result,
    drive,
    make_bodies,
    pod_body,
    rss_mb,
    start_server,
    summarize,
)
from tests.kubemock import running_kubemock
from warmstart.examples.synthetic import SyntheticModel
from warmstart.kube import KubeClient, KubeError, from_url
from warmstart.kube.resources import MODELS, NODECACHES, NODES

Obj = dict[str, Any]
CYCLE = ("filter", "prioritize")
WATCH_CAP_S = 60.0
SENTINEL = SyntheticModel("hf://bench/sentinel-model", 2 * 10**9, "vllm/vllm-openai:v0.1.0", 1)
KINDS = {"Node": NODES, "NodeCache": NODECACHES, "Model": MODELS}
HEAD: tuple[str, ...] = ("handler ms", "filt p50", "p99", "prio p50", "p99", "floor p50")
HEAD += ("s", "writes", "RSS MB", "fail-open", "others s")


# -- the API server, in its own process --------------------------------------
def serve_api(objects: list[Obj], url_out: Connection, stop: Event) -> None:
    with running_kubemock(watch_cap_s=WATCH_CAP_S) as mock:
        for obj in objects:
            mock.seed(KINDS[obj["kind"]], obj)
        # No watch needs the seeding's events (the extender lists after this), and
        # every watch wake-up scans the fake's whole event history.
        mock.compact()
        url_out.send(mock.url)
        stop.wait(3600)


def start_api(objects: list[Obj]) -> tuple[str, Event, multiprocessing.process.BaseProcess]:
    ctx = multiprocessing.get_context("fork")
    url_in, url_out = ctx.Pipe(duplex=False)
    stop = ctx.Event()
    proc = ctx.Process(target=serve_api, args=(objects, url_out, stop), daemon=True)
    proc.start()
    if not url_in.poll(300):
        raise SystemExit("the fake API server did not start")
    return str(url_in.recv()), stop, proc


# -- the extender, watching it ------------------------------------------------
def kubeconfig(url: str, path: Path) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "mock", "cluster": {"server": url}}],
        "users": [{"name": "bench", "user": {}}],
        "contexts": [{"name": "mock", "context": {"cluster": "mock", "user": "bench"}}],
        "current-context": "mock",
    }
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_extender(config: Path, log: IO[bytes]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    cmd = [sys.executable, "-m", "warmstart.cli.main", "extender", "serve"]
    cmd += ["--kubeconfig", str(config), "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--floor-endpoint", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"extender exited with {proc.returncode}")
        if get(port, "/readyz")[0] == 200:
            return proc, port
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("extender did not become ready")


def get(port: int, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    """One call on a fresh connection (a GET, or a POST with `body`); (0, b"") if refused."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST" if body else "GET", path, body)
        resp = conn.getresponse()
        status, reply = resp.status, resp.read()
        conn.close()
        return status, reply
    except OSError:
        return 0, b""


def fail_open_count(port: int) -> float:
    """Calls answered fail-open so far, all verbs and reasons (from `/metrics`)."""
    text = get(port, "/metrics")[1].decode()
    prefix = "warmstart_extender_fail_open_total{"
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(prefix))


# -- node agents publishing ----------------------------------------------------
def change(rng: random.Random, status: Obj) -> Obj:
    """One agent's next status: observedAt now, and sometimes a GPU or a model touched."""
    roll, now = rng.random(), datetime.now(UTC).isoformat()
    if roll < 0.4 and status["gpus"]:
        gpu = rng.choice(status["gpus"])
        total, idle = gpu["memoryTotalBytes"], gpu["memoryFreeBytes"] > gpu["memoryTotalBytes"] / 2
        gpu["memoryFreeBytes"] = int(total * (rng.uniform(0.03, 0.3) if idle else 0.994))
    elif roll < 0.7 and status["models"]:
        rng.choice(status["models"])["lastUsed"] = now
    status["observedAt"] = now
    return status


class Churn:
    """NodeCache status writes at a steady rate, each acknowledged time kept."""

    def __init__(self, url: str, statuses: dict[str, Obj], rate: float, seed: int) -> None:
        self.client = KubeClient(from_url(url))
        self.statuses, self.names = statuses, sorted(statuses)
        self.rate, self.rng = rate, random.Random(seed)
        self.done: list[float] = []
        self.failed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="churn", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def applied(self, start: float, end: float) -> int:
        return sum(start <= t <= end for t in self.done)

    def write(self, name: str, status: Obj) -> None:
        self.client.patch_status(NODECACHES, name, {"status": status})

    def _run(self) -> None:
        started = time.perf_counter()
        for k in itertools.count():
            if self._stop.wait(max(0.0, started + k / self.rate - time.perf_counter())):
                return
            name = self.rng.choice(self.names)
            try:
                self.write(name, change(self.rng, self.statuses[name]))
            except KubeError:
                self.failed += 1
                continue
            self.done.append(time.perf_counter())


def all_seen_after_ms(port: int, churn: Churn) -> float | None:
    """Write a sentinel model into one node's status; ms until the extender ranks it cached."""
    name = churn.names[0]
    status = churn.statuses[name]
    status["models"].append({"uri": SENTINEL.uri, "tier": "local-disk", "bytes": SENTINEL.bytes})
    body = pod_body(random.Random(0), SENTINEL, 1, [name])
    started = time.perf_counter()
    churn.write(name, status)
    while time.perf_counter() - started < 30:
        status_code, reply = get(port, "/explain", body)
        if status_code == 200 and b'"modelTier":"remote"' not in reply:
            return round((time.perf_counter() - started) * 1000, 1)
        time.sleep(0.005)
    return None


# -- the phases ----------------------------------------------------------------
@dataclass(frozen=True)
class Server:
    port: int
    pid: int
    ours: tuple[int, ...]  # every process of this benchmark (the extender's among them)


def cpu_seconds(pids: tuple[int, ...]) -> tuple[float, float]:
    """CPU seconds so far: busy on the whole machine, and of `pids` (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, _, _, irq, softirq = map(int, Path("/proc/stat").read_text().split()[1:8])
    ours = 0
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        ours += int(fields[11]) + int(fields[12])  # utime, stime
    return (user + nice + system + irq + softirq) / tick, ours / tick


@dataclass
class Phase:
    results: list[Result]
    seconds: float
    updates: int
    rss_mb: float
    fail_open: float
    ready: bool
    others_cpu_s: float  # CPU other processes on the machine used meanwhile
    rss_synced_mb: float | None = None  # the server's RSS once ready (file mode)


def prime(port: int, timed: list[Pod]) -> None:
    """Each pod shape's first call, untimed: scores are remembered per shape."""
    drive(port, [(b, True) for b, first in timed if first], ("prioritize",))


def phase(server: Server, timed: list[Pod], rounds: int, churn: Churn | None) -> Phase:
    """The pods' cycles `rounds` times, then one floor call per pod (how fast the
    machine and the event loop are meanwhile, whatever the index does)."""
    failed_before = fail_open_count(server.port)
    busy, ours = cpu_seconds(server.ours)
    start = time.perf_counter()
    results, seconds = drive(server.port, timed * rounds, CYCLE)
    floor, _ = drive(server.port, timed, ("floor",))
    busy_after, ours_after = cpu_seconds(server.ours)
    updates = churn.applied(start, start + seconds) if churn else 0
    ready = get(server.port, "/readyz")[0] == 200
    fail_open = fail_open_count(server.port) - failed_before
    others = max(0.0, (busy_after - busy) - (ours_after - ours))
    return Phase(results + floor, seconds, updates, rss_mb(server.pid), fail_open, ready, others)


def quiet_phase(server: Server, bodies: list[Pod], rounds: int) -> Phase:
    """Warm up, make each shape's first call, then time the pods `rounds` times, no writes."""
    warm, timed = bodies[:WARMUP], bodies[WARMUP:]
    drive(server.port, warm, CYCLE)  # imports and first allocations of both verbs
    prime(server.port, timed)
    return phase(server, timed, rounds, None)


def watch_phases(
    server: Server, bodies: list[Pod], rounds: int, churn: Churn
) -> tuple[dict[str, Phase], float | None]:
    timed = bodies[WARMUP:]
    phases = {"baseline": quiet_phase(server, bodies, rounds)}
    churn.start()
    time.sleep(1.0)  # the writes under way before the first timed call
    phases["churn"] = phase(server, timed, rounds, churn)
    churn.stop()
    seen = all_seen_after_ms(server.port, churn)
    prime(server.port, timed)
    phases["after"] = phase(server, timed, rounds, None)
    return phases, seen


def file_phase(
    objects: list[Obj], bodies: list[Pod], rounds: int, tmp: Path, ours: tuple[int, ...]
) -> Phase:
    """The same calls against `extender serve --inventory` of the same objects (a
    baseline for memory: no informer stores, no API client)."""
    inventory = tmp / "cluster.json"
    inventory.write_bytes(orjson.dumps({"apiVersion": "v1", "kind": "List", "items": objects}))
    proc, port = start_server(inventory)
    try:
        synced = rss_mb(proc.pid)
        measured = quiet_phase(Server(port, proc.pid, (*ours, proc.pid)), bodies, rounds)
    finally:
        proc.terminate()
        proc.wait(10)
    inventory.unlink()
    measured.rss_synced_mb = synced
    return measured


# -- report ----------------------------------------------------------------------
def phase_report(p: Phase) -> dict[str, Any]:
    filt, floor = summarize(p.results, "filter"), summarize(p.results, "floor")
    return {
        "filter": {"p50_ms": filt["p50_ms"], "p99_ms": filt["p99_ms"]},
        "prioritize": summarize(p.results, "prioritize"),
        "floor": {"p50_ms": floor["p50_ms"], "p99_ms": floor["p99_ms"]},
        "seconds": round(p.seconds, 2),
        "updates": p.updates,
        "rss_mb": round(p.rss_mb, 1),
        "fail_open": int(p.fail_open),
        "ready": p.ready,
        "others_cpu_s": round(p.others_cpu_s, 1),
        **({} if p.rss_synced_mb is None else {"rss_synced_mb": round(p.rss_synced_mb, 1)}),
    }


def row(name: str, p: dict[str, Any]) -> str:
    filt, prio = p["filter"], p["prioritize"]
    cells = [filt["p50_ms"], filt["p99_ms"], prio["p50_ms"], prio["p99_ms"], p["floor"]["p50_ms"]]
    cells += [p["seconds"], p["updates"], p["rss_mb"], p["fail_open"], p["others_cpu_s"]]
    flag = "" if p["ready"] else "   NOT READY after it"
    return f"{name:14}" + "".join(f"{v:>10}" for v in cells) + flag


def show(r: dict[str, Any]) -> None:
    calls = 2 * r["pods"] * r["rounds"]
    print(
        f"extender, {r['nodes']} nodes, {r['models']} models; each phase {r['pods']} pods x "
        f"{r['rounds']} ({calls} calls, 1 connection); writes at {r['updates_per_s']}/s in churn"
    )
    print(f"{HEAD[0]:14}" + "".join(f"{h:>10}" for h in HEAD[1:]))
    print(row("file baseline", r["file"]))
    for name, p in r["phases"].items():
        print(row(f"watch {name}", p))
    print(
        f"RSS once ready: watch {r['rss_synced_mb']} MB ({r['sync_s']} s after start), "
        f"file {r['file']['rss_synced_mb']} MB; watch peak {r['rss_peak_mb']} MB"
    )
    print(
        f"churn writes failed: {r['updates_failed']}; all applied "
        f"{r['all_seen_after_ms']} ms after the last (sentinel); extender warnings/errors: "
        f"{r['server_log_lines']}; wall {r['wall_s']} s"
    )


def log_lines(log: Path) -> list[str]:
    return [line for line in log.read_text(errors="replace").splitlines() if line.strip()]


def watch_run(
    url: str, churn: Churn, bodies: list[Pod], rounds: int, tmp: Path, ours: tuple[int, ...]
) -> tuple[dict[str, Any], list[str]]:
    """The watching extender's figures, and what it logged."""
    log_path = tmp / "extender.log"
    with log_path.open("wb") as log:
        started = time.perf_counter()
        proc, port = start_extender(kubeconfig(url, tmp / "kubeconfig"), log)
        sync_s, synced = time.perf_counter() - started, rss_mb(proc.pid)
        try:
            server = Server(port, proc.pid, (*ours, proc.pid))
            phases, seen = watch_phases(server, bodies, rounds, churn)
            peak = rss_mb(proc.pid, "VmHWM")
        finally:
            proc.terminate()
            proc.wait(10)
    logged = log_lines(log_path)
    return {
        "sync_s": round(sync_s, 1),
        "rss_synced_mb": round(synced, 1),
        "phases": {name: phase_report(p) for name, p in phases.items()},
        "updates_failed": churn.failed,
        "all_seen_after_ms": seen,
        "rss_peak_mb": round(peak, 1),
        "server_log_lines": len(logged),
    }, logged


def run(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    raw, bodies = make_bodies(args)
    objects = cast(list[Obj], raw)
    statuses = {o["metadata"]["name"]: o["status"] for o in objects if o["kind"] == "NodeCache"}
    url, api_stop, api = start_api(objects)  # forks: before any thread starts
    churn = Churn(url, statuses, args.updates_per_s, args.seed)
    try:
        with tempfile.TemporaryDirectory() as name:
            ours = (os.getpid(), api.pid or 0)
            file = file_phase(objects, bodies, args.rounds, Path(name), ours)
            watched, logged = watch_run(url, churn, bodies, args.rounds, Path(name), ours)
    finally:
        churn.client.close()
        api_stop.set()
        api.join(10)
    keys = ("nodes", "models", "pods", "rounds", "updates_per_s")
    result = {k: getattr(args, k) for k in keys} | watched | {"file": phase_report(file)}
    return result, logged


def main() -> int:
    started = time.perf_counter()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--pods", type=int, default=500, help="pods (2 calls each)")
    parser.add_argument("--rounds", type=int, default=5, help="times each phase sends the pods")
    parser.add_argument("--updates-per-s", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result, logged = run(args)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(result))
    else:
        show(result)
    for line in logged[:20]:
        print(f"extender: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
