"""A small example cluster shipped with the package, for `warmstart demo`,
tests and trying the extender without a cluster: `cluster.yaml` (Nodes,
NodeCaches, Models) and `pods.yaml` (pending pods as kube-scheduler sends
them)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def example_path(name: str) -> Path:
    """Path of a bundled example file, e.g. `example_path("cluster.yaml")`."""
    return Path(str(files(__package__).joinpath(name)))
