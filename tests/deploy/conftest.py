"""Fixtures for the chart tests: Helm (from PyPI, see tools.py) and rendered objects."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.render import helm_template
from tests.deploy.tools import tool

Render = Callable[..., list[dict[str, Any]]]


@pytest.fixture(scope="session")
def helm() -> Path:
    return tool("helm")


@pytest.fixture(scope="session")
def render(helm: Path) -> Render:
    """`render(values, *helm_args)`: the chart's objects for these values (each
    rendering is done once per session; tests get their own copy)."""
    done: dict[str, list[dict[str, Any]]] = {}

    def run(values: dict[str, Any] | None = None, *extra: str) -> list[dict[str, Any]]:
        key = json.dumps([values or {}, extra], sort_keys=True)
        if key not in done:
            done[key] = helm_template(helm, values or {}, *extra)
        return copy.deepcopy(done[key])

    return run
