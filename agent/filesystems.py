"""Which cache tier a directory is: local disk, or a shared filesystem.

A model on NFS, Lustre or an object-store FUSE mount reads at network speed,
so the extender must not treat it like local NVMe. The answer comes from the
mount table (`/proc/self/mountinfo`), longest mount point first.
"""

from __future__ import annotations

from pathlib import Path

from warmstart.domain import CacheTier

SHARED_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "lustre",
        "ceph",
        "glusterfs",
        "gpfs",
        "beegfs",
        "9p",
        "virtiofs",
        "fuse.s3fs",
        "fuse.gcsfuse",
        "fuse.mountpoint-s3",
        "fuse.juicefs",
        "fuse.rclone",
        "fuse.goofys",
        "fuse.blobfuse2",
        "fuse.alluxio-fuse",
    }
)


def mount_types(mountinfo: str) -> dict[str, str]:
    """Mount point -> filesystem type, from the text of /proc/self/mountinfo."""
    mounts: dict[str, str] = {}
    for line in mountinfo.splitlines():
        before, sep, after = line.partition(" - ")
        fields = before.split()
        if sep and len(fields) >= 5 and after.split():
            mounts[fields[4].replace("\\040", " ")] = after.split()[0]
    return mounts


def filesystem_type(path: Path, mounts: dict[str, str]) -> str | None:
    resolved = str(path.resolve())
    best = max(
        (m for m in mounts if resolved == m or resolved.startswith(m.rstrip("/") + "/")),
        key=len,
        default=None,
    )
    return mounts[best] if best is not None else None


def disk_tier(path: Path, mountinfo: str | None = None) -> CacheTier:
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return CacheTier.LOCAL_DISK
    fs = filesystem_type(path, mount_types(mountinfo))
    return CacheTier.SHARED_FS if fs in SHARED_TYPES else CacheTier.LOCAL_DISK
