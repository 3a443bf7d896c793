"""Signs that CUDA will start warm on this node: an MPS control daemon running.

(Persistence mode comes from NVML, recent images from the pods the agent saw
start, the measured init time from `agent.cuda_probe`.) The MPS daemon is
found by its control pipe, which serving pods share through a hostPath, or by
its process when the agent runs with the host's PID namespace.
"""

from __future__ import annotations

import os
from pathlib import Path

MPS_PROCESS = "nvidia-cuda-mps-control"
DEFAULT_MPS_PIPE_DIR = Path("/tmp/nvidia-mps")


def mps_pipe_dir() -> Path:
    return Path(os.environ.get("CUDA_MPS_PIPE_DIRECTORY", str(DEFAULT_MPS_PIPE_DIR)))


def mps_daemon_running(pipe_dir: Path | None = None, proc: Path = Path("/proc")) -> bool:
    if ((pipe_dir or mps_pipe_dir()) / "control").exists():
        return True
    try:
        pids = [p for p in proc.iterdir() if p.name.isdigit()]
    except OSError:
        return False
    for pid in pids:
        try:
            if (pid / "comm").read_text().strip() == MPS_PROCESS:
                return True
        except OSError:
            continue  # the process ended while we looked
    return False
