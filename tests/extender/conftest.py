"""Fixtures: the bundled example cluster in an index, and the real app served
over loopback HTTP (uvicorn in a thread), as kube-scheduler would reach it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from extender import ExtenderSettings, NodeIndex, create_app
from extender.feed import load_objects
from extender.serving import serving
from warmstart.clock import ManualClock
from warmstart.examples import example_path
from warmstart.inventory import load_inventory

CAPTURES = Path(__file__).resolve().parents[1] / "fixtures" / "k8s-captures"
# 2026-11-28T01:00:00Z, shortly after the captures were recorded
NOW = 1795827600.0


def capture(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = orjson.loads((CAPTURES / name).read_bytes())
    return doc


def example_index(clock: ManualClock, settings: ExtenderSettings | None = None) -> NodeIndex:
    index = NodeIndex(settings or ExtenderSettings(), clock)
    load_objects(index, load_inventory(example_path("cluster.yaml")), clock)
    return index


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture(scope="module")
def example_client() -> Iterator[httpx.Client]:
    """The example cluster behind a real server, shared by a module's read-only tests."""
    clock = ManualClock(NOW)
    settings = ExtenderSettings()
    app = create_app(settings, example_index(clock, settings), clock)
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client
