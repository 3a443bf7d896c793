"""Fixtures on a real control plane: one etcd + kube-apiserver per session, a fresh
namespace per test, kube-scheduler per test, and cleanup of the nodes a test made.

Every test in this folder carries the `e2e` marker; without the binaries they skip
with one line saying how to get them, unless `WARMSTART_E2E=require` (as CI sets it),
where they fail instead.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.binaries import find_binaries
from tests.e2e.controlplane import NAMESPACES, ControlPlane, delete_quietly, running_control_plane
from tests.e2e.objects import make_gpu_node
from tests.e2e.scheduler import Scheduler, start_scheduler
from warmstart.kube import KubeClient
from warmstart.kube.resources import NODECACHES, NODES, PODS

_names = itertools.count()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    binaries = find_binaries()
    if isinstance(binaries, str):
        if os.environ.get("WARMSTART_E2E") == "require":  # CI: a skip would hide a gap
            pytest.fail(binaries)
        pytest.skip(binaries)
    with running_control_plane(binaries, tmp_path_factory.mktemp("control-plane")) as plane:
        yield plane


@pytest.fixture
def kube(control_plane: ControlPlane) -> Iterator[KubeClient]:
    client = control_plane.admin()
    yield client
    client.close()


@pytest.fixture
def namespace(kube: KubeClient) -> Iterator[str]:
    """A fresh namespace. Its pods are deleted after the test (at once: no kubelet
    drains them), so a pod left pending is not planned for by a later test's
    provisioner; the namespace itself is left behind (without a controller-manager
    it never finishes terminating, and the next test takes a new name anyway)."""
    name = f"e2e-{next(_names)}-{id(kube) % 10_000}"
    kube.create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace",
                             "metadata": {"name": name}})
    yield name
    kube.request("DELETE", PODS.path(name), params={"gracePeriodSeconds": 0})


@pytest.fixture
def gpu_nodes(kube: KubeClient) -> Iterator[Callable[..., dict[str, Any]]]:
    """`gpu_nodes(name, **kw)` makes a Ready GPU node; it and its NodeCache are deleted
    after the test so the next test's scheduler sees only its own nodes."""
    made: list[str] = []

    def make(name: str, **kwargs: Any) -> dict[str, Any]:
        made.append(name)
        return make_gpu_node(kube, name, **kwargs)

    yield make
    for name in made:
        delete_quietly(kube, NODECACHES, name)
        delete_quietly(kube, NODES, name)


@pytest.fixture
def scheduler(control_plane: ControlPlane) -> Iterator[Callable[..., Scheduler]]:
    """`scheduler(extender_url)` starts the real kube-scheduler with deploy/scheduler's
    configuration; it is stopped after the test."""
    started: list[Scheduler] = []

    def start(extender_url: str | None, **kwargs: Any) -> Scheduler:
        proc = start_scheduler(control_plane, extender_url,
                               name=f"scheduler-{next(_names)}", **kwargs)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()
