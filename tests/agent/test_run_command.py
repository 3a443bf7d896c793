"""`warmstart agent run` as a real process against a fake API server: it publishes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.agent.cachegen import write_gguf
from tests.kubemock import running_kubemock
from warmstart.kube.resources import NODECACHES

ROOT = Path(__file__).parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# Only the agent's commands: the process must not depend on other teams' CLI modules.
ENTRY = (
    "import argparse, sys; from warmstart.cli import agent_cmd; "
    "p = argparse.ArgumentParser(); agent_cmd.register(p.add_subparsers(required=True)); "
    "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))"
)


def _wait(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_run_publishes_the_nodecache_and_serves_metrics(tmp_path: Path):
    write_gguf(tmp_path / "cache" / "phi" / "w.gguf", 5000)
    with running_kubemock(watch_cap_s=0.5) as kube:
        argv = [
            sys.executable,
            "-c",
            ENTRY,
            "agent",
            "run",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--node-name",
            "n1",
            "--api-server",
            kube.url,
            "--listen",
            "127.0.0.1:0",
            "--nvml-replay",
            str(FIXTURES / "nvml-h100.json"),
            "--scan-interval",
            "0.2",
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            published = _wait(lambda: (kube.object(NODECACHES, "n1") or {}).get("status"), 20)
        finally:
            proc.terminate()
            out, _ = proc.communicate(timeout=10)

    assert published, out.decode()[-2000:]
    cache = kube.object(NODECACHES, "n1")
    assert cache is not None
    status = cache["status"]
    assert status["gpus"][0]["name"] == "NVIDIA H100 80GB HBM3"
    assert [m["uri"].rsplit("/", 1)[-1] for m in status["models"]] == ["phi", "phi"]
    assert b"NodeCache published: first status" in out
