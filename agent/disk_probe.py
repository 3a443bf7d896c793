"""A cheap, bounded probe of how fast the cache disk reads.

Reads at most `max_bytes` (and for at most `max_seconds`) of one cached file
with O_DIRECT, so the figure is the disk's and not the page cache's, and so
the probe evicts nothing a serving pod relies on. Filesystems that refuse
O_DIRECT (tmpfs, some FUSE mounts) give no figure, and the estimate falls back
to the pool's or the global default.
"""

from __future__ import annotations

import mmap
import os
import time
from dataclasses import dataclass
from pathlib import Path

from agent.formats import open_quietly

_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ProbeResult:
    bytes_per_s: float | None
    bytes_read: int
    reason: str = ""


def probe_read_bandwidth(
    path: Path, max_bytes: int = 256 * 1024 * 1024, max_seconds: float = 1.0
) -> ProbeResult:
    """Sequential direct-I/O read rate of `path`, within the given bounds."""
    try:
        fd = open_quietly(path, os.O_DIRECT)
    except OSError as exc:
        return ProbeResult(None, 0, f"cannot open {path} for direct I/O: {exc.strerror}")
    buffer = mmap.mmap(-1, _CHUNK)  # page-aligned, as O_DIRECT requires
    done = 0
    try:
        start = time.perf_counter()
        elapsed = 0.0
        while done < max_bytes and elapsed < max_seconds:
            got = os.preadv(fd, [buffer], done)
            if got <= 0:
                break
            done += got
            elapsed = time.perf_counter() - start
    except OSError as exc:
        return ProbeResult(None, done, f"direct read of {path} failed: {exc.strerror}")
    finally:
        os.close(fd)
        buffer.close()
    if done == 0 or elapsed <= 0:
        return ProbeResult(None, done, f"{path} gave nothing to read")
    return ProbeResult(done / elapsed, done)
