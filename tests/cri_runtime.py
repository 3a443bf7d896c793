"""A real containerd and a real image registry on loopback, for image pre-pull tests.

Debian's `containerd`, `docker-registry` and `skopeo`, installed when missing
(as root, like CI). The registry is filled with a small OCI image this module
writes itself; containerd runs with its own root, state and socket in a
temporary folder, the native snapshotter (no overlay mounts needed) and the
registry as a plain-http mirror. containerd needs root: elsewhere tests skip.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGES = {"containerd": "containerd", "docker-registry": "docker-registry", "skopeo": "skopeo"}


def ensure_installed() -> None:
    if os.geteuid() != 0:
        pytest.skip("containerd needs root: run these tests as root (CI does)")
    missing = [pkg for tool, pkg in PACKAGES.items() if not shutil.which(tool)]
    if not missing:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"],
                    ["apt-get", "install", "-y", "--no-install-recommends", *missing]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env,
                              check=False)
        if done.returncode != 0:
            pytest.fail(f"cannot install {missing}: {' '.join(command)}\n{done.stderr[-2000:]}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _blob(layout: Path, data: bytes) -> tuple[str, int]:
    digest = hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest).write_bytes(data)
    return f"sha256:{digest}", len(data)


def write_oci_image(layout: Path, tag: str, payload: bytes) -> None:
    """A one-layer OCI image layout (what `skopeo copy oci:DIR:TAG` reads)."""
    (layout / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("payload.bin")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    layer, layer_size = _blob(layout, gzip.compress(raw.getvalue(), mtime=0))
    config, config_size = _blob(layout, json.dumps({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers",
                   "diff_ids": [f"sha256:{hashlib.sha256(raw.getvalue()).hexdigest()}"]},
    }).encode())
    manifest, manifest_size = _blob(layout, json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config,
                   "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": layer, "size": layer_size}],
    }).encode())
    (layout / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest,
        "size": manifest_size, "annotations": {"org.opencontainers.image.ref.name": tag}}]}))
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')


def _wait_for(path_or_port: Path | int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited ({proc.returncode}): {log.read_text()[-2000:]}")
        if isinstance(path_or_port, Path) and path_or_port.exists():
            return
        if isinstance(path_or_port, int):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", path_or_port)) == 0:
                    return
        time.sleep(0.05)
    raise TimeoutError(log.read_text()[-2000:])


@dataclass(frozen=True)
class Runtime:
    socket: Path
    registry: str  # host:port

    def image(self, name: str) -> str:
        return f"{self.registry}/{name}"


@contextmanager
def running_runtime(folder: Path, images: dict[str, bytes]) -> Iterator[Runtime]:
    """containerd + a registry holding `images` (name:tag -> payload of its one layer)."""
    ensure_installed()
    port = _free_port()
    registry = f"127.0.0.1:{port}"
    procs: list[subprocess.Popen[bytes]] = []

    def spawn(name: str, argv: list[str]) -> tuple[subprocess.Popen[bytes], Path]:
        log = folder / f"{name}.log"
        with log.open("wb") as out:
            procs.append(subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT))
        return procs[-1], log

    (folder / "registry.yml").write_text(
        f"version: 0.1\nstorage:\n  filesystem: {{rootdirectory: {folder / 'registry'}}}\n"
        f"http:\n  addr: {registry}\n")
    try:
        proc, log = spawn("registry", ["docker-registry", "serve", str(folder / "registry.yml")])
        _wait_for(port, proc, log)
        for ref, payload in images.items():
            name, tag = ref.rsplit(":", 1)
            layout = folder / "oci" / name.replace("/", "_")
            write_oci_image(layout, tag, payload)
            subprocess.run(["skopeo", "copy", "--dest-tls-verify=false", f"oci:{layout}:{tag}",
                            f"docker://{registry}/{ref}"], check=True, capture_output=True,
                           timeout=60)
        sock = folder / "containerd.sock"
        (folder / "containerd.toml").write_text(
            f'version = 2\nroot = "{folder / "root"}"\nstate = "{folder / "state"}"\n'
            f'[grpc]\n  address = "{sock}"\n'
            '[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "native"\n'
            f'[plugins."io.containerd.grpc.v1.cri".registry.mirrors."{registry}"]\n'
            f'  endpoint = ["http://{registry}"]\n')
        proc, log = spawn("containerd", ["containerd", "--config", str(folder / "containerd.toml")])
        _wait_for(sock, proc, log)
        yield Runtime(socket=sock, registry=registry)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
