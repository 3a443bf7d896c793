"""The node probes on real files: disk bandwidth, filesystem tier, MPS daemon."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.disk_probe import probe_read_bandwidth
from agent.filesystems import disk_tier, filesystem_type, mount_types
from agent.warm import mps_daemon_running
from warmstart.domain import CacheTier

MOUNTINFO = """\
22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
95 22 0:52 / /var/lib/warmstart/models rw,relatime shared:40 - nfs4 fs:/models rw,vers=4.1
96 95 0:53 / /var/lib/warmstart/models/local rw shared:41 - xfs /dev/nvme0n1 rw
97 22 0:54 / /mnt/s3\\040bucket rw - fuse.mountpoint-s3 mountpoint-s3 rw
"""


def test_disk_probe_reads_within_its_byte_bound(tmp_path: Path):
    path = tmp_path / "w.bin"
    path.write_bytes(os.urandom(8 * 1024 * 1024))

    result = probe_read_bandwidth(path, max_bytes=4 * 1024 * 1024, max_seconds=5)

    if result.bytes_per_s is None:
        pytest.skip(f"no direct I/O here: {result.reason}")
    assert result.bytes_read == 4 * 1024 * 1024  # one 4 MiB chunk, then the bound stops it
    assert result.bytes_per_s > 1e6  # any disk reads faster than 1 MB/s


def test_disk_probe_of_a_missing_or_empty_file_gives_no_figure_and_says_why(tmp_path: Path):
    (tmp_path / "empty").write_bytes(b"")

    missing = probe_read_bandwidth(tmp_path / "gone")
    empty = probe_read_bandwidth(tmp_path / "empty")

    assert missing.bytes_per_s is None and "cannot open" in missing.reason
    assert empty.bytes_per_s is None and empty.bytes_read == 0


def test_mount_table_decides_local_or_shared():
    mounts = mount_types(MOUNTINFO)

    assert mounts["/mnt/s3 bucket"] == "fuse.mountpoint-s3"
    assert filesystem_type(Path("/var/lib/warmstart/models/llama"), mounts) == "nfs4"
    assert filesystem_type(Path("/var/lib/warmstart/models/local/x"), mounts) == "xfs"
    assert disk_tier(Path("/var/lib/warmstart/models/llama"), MOUNTINFO) is CacheTier.SHARED_FS
    assert disk_tier(Path("/var/lib/warmstart/models-other"), MOUNTINFO) is CacheTier.LOCAL_DISK


def test_mps_daemon_is_found_by_its_pipe_or_its_process(tmp_path: Path):
    pipes, proc = tmp_path / "mps", tmp_path / "proc"
    (proc / "4242").mkdir(parents=True)
    (proc / "4242" / "comm").write_text("python3\n")
    pipes.mkdir()

    before = mps_daemon_running(pipes, proc)
    (pipes / "control").touch()
    by_pipe = mps_daemon_running(pipes, proc)
    (pipes / "control").unlink()
    (proc / "4242" / "comm").write_text("nvidia-cuda-mps-control\n")

    assert (before, by_pipe, mps_daemon_running(pipes, proc)) == (False, True, True)
