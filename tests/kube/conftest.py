"""Fixtures: a fresh fake API server per test and a client that never really sleeps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.kubemock import KubeMock, running_kubemock
from warmstart.kube import KubeClient, from_url


@pytest.fixture
def kube() -> Iterator[KubeMock]:
    with running_kubemock(watch_cap_s=0.5) as mock:
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(kube: KubeMock, sleeps: list[float]) -> Iterator[KubeClient]:
    c = KubeClient(from_url(kube.url), sleep=sleeps.append)
    yield c
    c.close()
